//! The corpus changing underneath: files created, rewritten and deleted, announced with
//! `workspace/didChangeWatchedFiles` (one file several times in a row now and then).

use super::fixtures::SOURCES;
use super::server::file_uri;
use super::{write_source, Soak};
use serde_json::json;
use std::time::Duration;

impl Soak {
    pub fn corpus_change(&mut self) {
        let mut events = Vec::new();
        // Now and then one file changes several times in a row, each change announced at
        // once (handled side by side by the server), a few milliseconds apart.
        let flap = self.rng.chance(0.25).then(|| self.rng.below(SOURCES.len()));
        let files = match flap {
            Some(_) => 2 + self.rng.below(3),
            None => 1 + usize::from(self.rng.chance(0.3)) + usize::from(self.rng.chance(0.1)),
        };
        for _ in 0..files {
            let k = flap.unwrap_or_else(|| self.rng.below(SOURCES.len()));
            let s = &SOURCES[k];
            let now = self.sources[k];
            // A new state: another variant, or deleted.
            let states: Vec<Option<usize>> =
                (0..s.variants.len()).map(Some).chain([None]).filter(|st| *st != now).collect();
            let next = *self.rng.pick(&states);
            let path = self.root.join(s.rel);
            let typ = match (now, next) {
                (_, None) => {
                    let _ = std::fs::remove_file(&path);
                    3
                }
                (None, Some(v)) => {
                    write_source(&self.root, s.rel, s.variants[v]);
                    1
                }
                (Some(_), Some(v)) => {
                    write_source(&self.root, s.rel, s.variants[v]);
                    2
                }
            };
            self.sources[k] = next;
            let step = format!("corpus: {} → {}", s.rel, next.map_or("deleted".to_string(), |v| format!("v{v}")));
            self.corpus_log.push(format!("after edit {}: {step}", self.tally.edits));
            self.note(step);
            events.push(json!({"uri": file_uri(&path), "type": typ}));
            self.tally.corpus_events += 1;
            // Sometimes announced on its own at once, and the next change made right after.
            if flap.is_some() || self.rng.chance(0.2) {
                self.corpus_log.push("  (announced)".to_string());
                self.notify("workspace/didChangeWatchedFiles", json!({"changes": std::mem::take(&mut events)}));
                if flap.is_some() {
                    std::thread::sleep(Duration::from_millis(self.rng.below(4) as u64));
                }
            }
        }
        if self.rng.chance(0.1) {
            // a file outside the corpus
            let path = self.root.join("drafts/notes.txt");
            std::fs::write(&path, "Notes: 1,420 ships.\n").expect("notes");
            events.push(json!({"uri": file_uri(&path), "type": 2}));
            self.tally.corpus_events += 1;
        }
        if !events.is_empty() {
            self.corpus_log.push("  (announced)".to_string());
            self.notify("workspace/didChangeWatchedFiles", json!({"changes": events}));
        }
    }
}
