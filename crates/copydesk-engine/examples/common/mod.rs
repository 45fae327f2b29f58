//! What the profiling examples share: the corpus they check against.

use copydesk_engine::corpus::SourceDoc;
use copydesk_engine::TextFormat;
use std::path::{Path, PathBuf};

/// Every `every`-th file of `dir`, by name, as plain-text sources.
pub fn corpus_files(dir: &Path, every: usize, out: &mut Vec<SourceDoc>) {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
        Err(_) => return,
    };
    paths.sort();
    for path in paths.into_iter().step_by(every.max(1)) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            let path = path.to_string_lossy().into_owned();
            out.push(SourceDoc {
                path,
                text,
                format: TextFormat::Plain,
                title: None,
                date: None,
                layout: Default::default(),
            });
        }
    }
}
