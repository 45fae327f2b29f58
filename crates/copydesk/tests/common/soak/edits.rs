//! Random edits of the open drafts: positions (some hostile: past a line's end or the last
//! line, inside a surrogate pair, between "\r" and "\n"), insertions, deletions and
//! replacements, several in one `didChange` now and then, and changes to documents not open.

use super::fixtures::{ALPHABET, NEVER_OPENED, PIECES, SENTENCES};
use super::text::{apply, line_end, line_starts, offset_of, pos_json, position_of, Change, Pos16};
use super::{show, Soak};
use serde_json::json;

impl Soak {
    /// A position in `text`: mostly a real one, sometimes one past a line's end, past the
    /// last line, inside a surrogate pair, or between "\r" and "\n".
    pub fn position(&mut self, text: &str) -> Pos16 {
        let starts = line_starts(text);
        let roll = self.rng.below(100);
        let hostile = match roll {
            0..=4 => {
                let line = self.rng.below(starts.len());
                let len = position_of(text, line_end(text, &starts, line)).1;
                Some((line as u32, len + 1 + self.rng.below(40) as u32))
            }
            5..=8 => Some(((starts.len() + self.rng.below(4)) as u32, self.rng.below(30) as u32)),
            9..=13 => {
                let pairs: Vec<usize> =
                    text.char_indices().filter(|(_, c)| c.len_utf16() == 2).map(|(i, _)| i).collect();
                (!pairs.is_empty()).then(|| {
                    let (line, col) = position_of(text, *self.rng.pick(&pairs));
                    (line, col + 1)
                })
            }
            14..=15 => text.match_indices("\r\n").next().map(|(i, _)| {
                let (line, col) = position_of(text, i);
                (line, col + 1)
            }),
            _ => None,
        };
        if let Some(p) = hostile {
            self.tally.hostile_positions += 1;
            return p;
        }
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        position_of(text, *self.rng.pick(&bounds))
    }

    /// The position `n` characters after `from` (in the client's reading of `from`).
    pub fn forward(&mut self, text: &str, from: Pos16, n: usize) -> Pos16 {
        let a = offset_of(text, from);
        let b = text[a..].char_indices().nth(n).map_or(text.len(), |(i, _)| a + i);
        position_of(text, b)
    }

    pub fn random_string(&mut self) -> String {
        let n = 1 + self.rng.below(8);
        (0..n).map(|_| *self.rng.pick(&ALPHABET)).collect()
    }

    pub fn insertion(&mut self) -> String {
        match self.rng.below(10) {
            0..=5 => self.rng.pick(&PIECES).to_string(),
            6..=7 => self.random_string(),
            _ => format!(" {} ", self.rng.pick(&SENTENCES)),
        }
    }

    /// One content change to `text` (range in the client's positions, new text).
    pub fn change(&mut self, text: &str) -> Change {
        if text.len() > 12_000 || self.rng.chance(0.004) {
            return (None, if self.rng.chance(0.5) { text.chars().rev().collect() } else { String::new() });
        }
        let big = text.len() > 6_000;
        let roll = self.rng.below(100);
        match roll {
            // a figure made another
            0..=9 => {
                let digits: Vec<usize> = text
                    .char_indices()
                    .filter(|(i, c)| c.is_ascii_digit() && !text[..*i].ends_with(|p: char| p.is_ascii_digit()))
                    .map(|(i, _)| i)
                    .collect();
                if !digits.is_empty() {
                    let at = *self.rng.pick(&digits);
                    let len = text[at..].find(|c: char| !c.is_ascii_digit() && c != ',').unwrap_or(text.len() - at);
                    let figure = ["1,240", "1,420", "35", "53", "412", "421", "740", "470", "69,000", "96,000", "2"];
                    let new = self.rng.pick(&figure).to_string();
                    return (Some((position_of(text, at), position_of(text, at + len))), new);
                }
                let p = self.position(text);
                (Some((p, p)), self.insertion())
            }
            // a sentence of its own
            10..=14 => {
                let line = self.rng.below(line_starts(text).len() + 1) as u32;
                let eol = *self.rng.pick(&["\n", "\r\n", "\r", "\n\n"]);
                let s = format!("{}{eol}", self.rng.pick(&SENTENCES));
                (Some(((line, 0), (line, 0))), s)
            }
            // a deletion (longer when the text is long)
            15..=44 => {
                let from = self.position(text);
                let n = if big { 50 + self.rng.below(2_000) } else { 1 + self.rng.below(12) };
                let to = self.forward(text, from, n);
                (Some(if self.rng.chance(0.1) { (to, from) } else { (from, to) }), String::new())
            }
            // a replacement
            45..=64 => {
                let from = self.position(text);
                let n = 1 + self.rng.below(15);
                let to = if self.rng.chance(0.15) { self.position(text) } else { self.forward(text, from, n) };
                (Some((from, to)), self.insertion())
            }
            // an insertion
            _ => {
                let p = self.position(text);
                (Some((p, p)), self.insertion())
            }
        }
    }

    /// Sends `changes` (applied in order) to open draft `i` and applies them to the client's copy.
    pub fn send_changes(&mut self, i: usize, changes: Vec<Change>) {
        if changes.iter().any(|(range, _)| range.is_none()) {
            self.verify_before_resync(i);
        }
        let mut json_changes = Vec::new();
        let mut shown = Vec::new();
        for (range, new) in &changes {
            apply(&mut self.drafts[i].text, *range, new);
            match range {
                Some((a, b)) => {
                    json_changes.push(json!({"range": {"start": pos_json(*a), "end": pos_json(*b)}, "text": new}));
                    shown.push(format!("{a:?}-{b:?} → {}", show(new)));
                }
                None => {
                    json_changes.push(json!({"text": new}));
                    shown.push(format!("all → {}", show(new)));
                }
            }
        }
        let d = &mut self.drafts[i];
        d.version += 1;
        let params = json!({"textDocument": {"uri": d.uri, "version": d.version}, "contentChanges": json_changes});
        let step = format!("change {} v{}: {}", d.file, d.version, shown.join("; "));
        self.notify("textDocument/didChange", params);
        self.note(step);
        self.tally.edits += 1;
        self.tally.changes += changes.len();
    }

    pub fn random_edit(&mut self) {
        let open = self.open_indices();
        let i = if open.is_empty() {
            let i = self.rng.below(self.drafts.len());
            self.open(i, false);
            i
        } else {
            *self.rng.pick(&open)
        };
        let n = if self.rng.chance(0.8) { 1 } else { 2 + self.rng.below(3) };
        let mut text = self.drafts[i].text.clone();
        let mut changes = Vec::new();
        for _ in 0..n {
            let (range, new) = self.change(&text);
            apply(&mut text, range, &new);
            changes.push((range, new));
        }
        self.send_changes(i, changes);
    }

    /// A change to a document that is not open: the server ignores it (and says so in its log).
    pub fn change_not_open(&mut self) {
        let closed: Vec<usize> = (0..self.drafts.len()).filter(|i| !self.drafts[*i].open).collect();
        let uri = if closed.is_empty() {
            {
                let rel = *self.rng.pick(&NEVER_OPENED);
                self.uri_of(rel)
            }
        } else {
            self.drafts[*self.rng.pick(&closed)].uri.clone()
        };
        let params = json!({"textDocument": {"uri": uri, "version": 999}, "contentChanges": [
            {"range": {"start": pos_json((0, 0)), "end": pos_json((0, 1))}, "text": "X"}]});
        self.notify("textDocument/didChange", params);
        self.note(format!("change to a document that is not open: {uri}"));
    }
}
