//! copydesk's corpus store: reading sources from disk, `copydesk.toml`, and
//! the corpus behind one interface ([`CorpusStore`]).

pub mod config;
pub mod documents;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod html;
pub mod index;
mod leftovers;
pub mod load;
mod pools;
pub mod postgres;
pub mod snapshot;
pub mod stored;

pub use config::Config;
pub use index::{store_for, OpenTimings, PersistentStore, QuickStart, SyncStats};
pub use load::{FileKind, LoadError};

use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which corpus files to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorpusSpec {
    /// Files, folders or globs.
    pub paths: Vec<PathBuf>,
    /// Globs of files to leave out.
    pub exclude: Vec<String>,
    /// Paths are shown relative to this folder.
    pub base: PathBuf,
}

/// A corpus ready to check against, and what could not be read.
pub struct LoadedCorpus {
    pub index: CorpusIndex,
    pub errors: Vec<LoadError>,
    /// Source files found (read or not).
    pub files: usize,
    /// Bytes of source text analyzed.
    pub bytes: u64,
}

/// Progress of a long corpus operation: (done, total).
pub type ProgressFn<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Counts work done on many threads and reports (done, total) to a [`ProgressFn`], never
/// past the total.
pub(crate) struct Progress<'a> {
    done: AtomicUsize,
    total: usize,
    report: Option<ProgressFn<'a>>,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(total: usize, report: Option<ProgressFn<'a>>) -> Self {
        Progress { done: AtomicUsize::new(0), total, report }
    }

    /// `n` more done.
    pub(crate) fn tick(&self, n: usize) {
        let d = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(p) = self.report {
            p(d.min(self.total), self.total);
        }
    }
}

/// The one interface behind which the corpus sits: the embedded default reads
/// and analyzes files in memory; persistent and server-backed stores keep the
/// analysis between runs.
pub trait CorpusStore {
    /// Brings the store in line with the files `spec` names and returns the corpus.
    fn open(&self, spec: &CorpusSpec, progress: Option<ProgressFn<'_>>) -> anyhow::Result<LoadedCorpus>;
}

/// Reads and analyzes every source afresh, in parallel; keeps nothing between runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemoryStore;

impl CorpusStore for MemoryStore {
    fn open(&self, spec: &CorpusSpec, progress: Option<ProgressFn<'_>>) -> anyhow::Result<LoadedCorpus> {
        let (files, mut errors) = load::expand_paths(&spec.paths, FileKind::Source, &spec.exclude);
        let analyzed = analyze_files(&files, &spec.base, progress);
        let mut sources = Vec::with_capacity(analyzed.len());
        let mut bytes = 0u64;
        for r in analyzed {
            match r {
                Ok(s) => {
                    bytes += s.doc.text.len() as u64;
                    sources.push(s);
                }
                Err(e) => errors.push(e),
            }
        }
        Ok(LoadedCorpus { index: CorpusIndex::build(sources), errors, files: files.len(), bytes })
    }
}

/// Reads and analyzes files in parallel, in the order given.
pub fn analyze_files(
    files: &[PathBuf],
    base: &Path,
    progress: Option<ProgressFn<'_>>,
) -> Vec<Result<AnalyzedSource, LoadError>> {
    let counter = Progress::new(files.len(), progress);
    files
        .par_iter()
        .map(|f| {
            let r = load::read_source(f, load::display_path(f, base)).map(AnalyzedSource::new);
            counter.tick(1);
            r
        })
        .collect()
}
