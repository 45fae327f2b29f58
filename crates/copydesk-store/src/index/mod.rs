//! The persistent corpus index: analyzed sources kept in an embedded SQLite
//! database between runs, so that a corpus of 100,000 stories is not
//! re-extracted at every start.
//!
//! One table row per source file: its absolute path, size, modification time,
//! blake3 content hash and the serialized `SourceDoc` + `Analysis`
//! (postcard). A sync stats every file, hashes only those whose size or mtime
//! changed, and re-extracts (in parallel) only those whose content changed.
//! Speakers are not resolved at this point (`AnalyzedSource::deferred`): a check
//! resolves a source's speakers when it first consults its quotes or reported speech.
//!
//! Safety:
//! - every write of one sync is in one transaction (WAL mode): a killed indexer
//!   leaves the previous index as it was;
//! - the first build of an index writes a file of its own, without a journal, and
//!   links it into place once it is complete and synced (`FirstBuild`): a killed
//!   first build leaves no index, and the next one starts afresh;
//! - the `meta` table records [`FORMAT_VERSION`], the engine version and a
//!   fingerprint of the engine's output on a probe text: an index written by
//!   another version is rebuilt, never misread;
//! - a file that is not a valid database is moved aside and rebuilt, with a
//!   message (a [`LoadError`] naming the index file), never a panic.
//!
//! Opening: a sync that changes what is stored gives the database a new
//! `generation` in `meta`. When a sync changed nothing and the [`snapshot`] made
//! for this generation is there, the corpus opens from the snapshot (documents
//! are decoded on first use); otherwise every stored analysis is decoded once,
//! streamed into a frozen index (`FrozenBuilder`), and a new snapshot written.
//!
//! Code map: `database.rs` (opening the database, its tables and `meta`), `location.rs`
//! (where an index lives), `rows.rs` (a file's row and its stored analysis), `sync.rs`
//! (bringing the rows in line with the files), `first_build.rs` (a first build in a file
//! of its own), `loading.rs` (the corpus from the snapshot, or from every row).

mod database;
mod first_build;
mod loading;
mod location;
mod rows;
mod sync;

pub(crate) use database::open_read_only;
pub use database::{engine_fingerprint, ENGINE_VERSION, FORMAT_VERSION};
pub use location::{corpus_key, index_dir};

use crate::load::{self, FileKind, LoadError};
use crate::snapshot;
use crate::{Config, CorpusSpec, CorpusStore, LoadedCorpus, MemoryStore, ProgressFn};
use anyhow::{Context, Result};
use copydesk_engine::corpus::CorpusIndex;
use database::{corrupt, read_meta, remove_journal, stamp, wanted_meta};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use sync::{now_ns, Synced};

/// What a sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Source files found.
    pub files: usize,
    /// New files (extracted).
    pub added: usize,
    /// Files whose content changed (re-extracted).
    pub changed: usize,
    /// Files gone from the corpus (or no longer readable): dropped from the index.
    pub removed: usize,
    /// Files unchanged, found by size and mtime or (after a touch) by hash.
    pub unchanged: usize,
    /// Of `unchanged`, files whose mtime or size changed but whose hash did not.
    pub rehashed: usize,
    /// Files that could not be read.
    pub failed: usize,
    /// Stories in the index after the sync.
    pub stories: usize,
    pub quantities: u64,
    pub quotes: u64,
    /// Bytes of source text in the index.
    pub bytes: u64,
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
    /// The database's generation after the sync: a snapshot made for it is current, and a
    /// corpus opened from such a snapshot is what the database holds.
    pub generation: String,
}

impl SyncStats {
    /// Files extracted in this sync.
    pub fn extracted(&self) -> usize {
        self.added + self.changed
    }

    pub fn claims(&self) -> u64 {
        self.quantities + self.quotes
    }
}

/// Times of the phases of [`PersistentStore::open_with_stats`]. The index is
/// built while stored analyses are loaded: `build` is only what is left after.
#[derive(Clone, Debug, Default)]
pub struct OpenTimings {
    /// Listing, stat, hashing, extraction and writing.
    pub sync: Duration,
    /// Reading and decoding stored analyses.
    pub load: Duration,
    /// Finishing the in-memory [`CorpusIndex`] once everything is loaded.
    pub build: Duration,
}

/// An index opened from its latest snapshot ([`PersistentStore::open_snapshot`]).
pub struct QuickStart {
    pub index: CorpusIndex,
    /// The database generation the snapshot was made for.
    pub generation: String,
    /// Whether that was the database's generation when the snapshot was opened (another
    /// process may change the database at any time: a sync after tells, through its
    /// [`SyncStats::generation`]).
    pub current: bool,
    /// The snapshot it reads, checked block by block as lookups use it: a caller checks the
    /// rest with [`MappedSnapshot::check_all`](snapshot::MappedSnapshot::check_all) before
    /// it lets the index stand.
    pub snapshot: std::sync::Arc<snapshot::MappedSnapshot>,
}

/// The corpus kept in an embedded SQLite database between runs.
///
/// This is one implementation of [`CorpusStore`], the one interface the CLI and
/// the server use: a server-backed store (e.g. PostgreSQL, shared by a
/// newsroom) would implement the same trait, keyed the same way (path, size,
/// mtime, hash → serialized document and analysis).
#[derive(Clone, Debug)]
pub struct PersistentStore {
    dir: PathBuf,
    #[doc(hidden)]
    pub fail_after_writes: Option<usize>,
}

/// With `COPYDESK_INDEX_TRACE` set, prints the time since `start` of each step to stderr.
pub(super) fn trace(step: &str, start: Instant) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("COPYDESK_INDEX_TRACE").is_some()) {
        eprintln!("copydesk: index: {step} at {:.1} ms", start.elapsed().as_secs_f64() * 1000.0);
    }
}

/// The store the configuration asks for: persistent when `[index] enabled` (the
/// default) and a place for it is known, else in memory.
pub fn store_for(config: &Config, spec: &CorpusSpec) -> Box<dyn CorpusStore + Send + Sync> {
    match index_dir(config, spec) {
        Some(dir) if config.values.index.enabled => Box::new(PersistentStore::new(dir)),
        _ => Box::new(MemoryStore),
    }
}

impl PersistentStore {
    /// A store whose database lives in `dir` (created when needed).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        PersistentStore { dir: dir.into(), fail_after_writes: None }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The database file of the corpus `spec` names.
    pub fn db_path(&self, spec: &CorpusSpec) -> PathBuf {
        self.dir.join(format!("index-{}.sqlite", corpus_key(spec)))
    }

    /// The index from its latest snapshot, without looking at the files; Ok(None) when there
    /// is no snapshot for this engine and folder. For a quick start, followed by a sync: a
    /// snapshot older than the database still opens, and a story changed or removed since
    /// is left out (it is read back only if its content hash still matches). The snapshot
    /// stands after a sync that leaves the database at its generation ([`SyncStats::generation`]).
    pub fn open_snapshot(&self, spec: &CorpusSpec) -> Result<Option<QuickStart>> {
        let t = Instant::now();
        let db = self.db_path(spec);
        if !db.exists() {
            return Ok(None);
        }
        let have = read_meta(&open_read_only(&db)?)?;
        let same_engine = wanted_meta().iter().all(|(k, v)| have.get(*k) == Some(v));
        let Some(generation) = have.get("generation").filter(|_| same_engine) else { return Ok(None) };
        match snapshot::open(&snapshot::path_for(&db), stamp(generation, &spec.base.to_string_lossy()), true)? {
            Some(snap) => {
                trace("snapshot mapped", t);
                let current = snap.generation() == generation;
                let index = snapshot::thaw(&db, snap.clone())?;
                trace("snapshot thawed", t);
                Ok(Some(QuickStart { index, generation: snap.generation().to_string(), current, snapshot: snap }))
            }
            None => Ok(None),
        }
    }

    /// As [`Self::sync`], for files already listed (sorted, as [`load::expand_paths`] lists them).
    pub fn sync_listed(
        &self,
        spec: &CorpusSpec,
        files: &[PathBuf],
        progress: Option<ProgressFn<'_>>,
    ) -> Result<(SyncStats, Vec<LoadError>)> {
        let (stats, _, _, errors) = self.run(spec, files, &spec.base, progress, false)?;
        Ok((stats, errors))
    }

    /// Brings the index in line with the files `spec` names, without loading it.
    pub fn sync(&self, spec: &CorpusSpec, progress: Option<ProgressFn<'_>>) -> Result<(SyncStats, Vec<LoadError>)> {
        let t = Instant::now();
        let (files, mut errors) = load::expand_paths(&spec.paths, FileKind::Source, &spec.exclude);
        trace("listed", t);
        let (stats, _, _, errs) = self.run(spec, &files, &spec.base, progress, false)?;
        errors.extend(errs);
        Ok((stats, errors))
    }

    /// `copydesk index`: brings the index in line with the files `spec` names and leaves
    /// it ready to open, its snapshot current (written now unless the sync changed nothing
    /// and the snapshot was already current), so that the next start, the language
    /// server's included, opens the snapshot instead of decoding every stored analysis.
    pub fn index(&self, spec: &CorpusSpec, progress: Option<ProgressFn<'_>>) -> Result<(SyncStats, Vec<LoadError>)> {
        let (loaded, stats, _) = self.open_with_stats(spec, progress)?;
        Ok((stats, loaded.errors))
    }

    /// Syncs and loads the corpus, with what the sync did and how long each phase took.
    pub fn open_with_stats(
        &self,
        spec: &CorpusSpec,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<(LoadedCorpus, SyncStats, OpenTimings)> {
        let t = Instant::now();
        let (files, errors) = load::expand_paths(&spec.paths, FileKind::Source, &spec.exclude);
        trace("listed", t);
        self.open_listed(spec, files, errors, progress)
    }

    /// As [`Self::open_with_stats`], for files already listed (sorted, as
    /// [`load::expand_paths`] lists them) with the errors of listing them.
    pub fn open_listed(
        &self,
        spec: &CorpusSpec,
        files: Vec<PathBuf>,
        mut errors: Vec<LoadError>,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<(LoadedCorpus, SyncStats, OpenTimings)> {
        let (stats, opened, timings, errs) = self.run(spec, &files, &spec.base, progress, true)?;
        errors.extend(errs);
        let (index, bytes) = opened.unwrap_or_default();
        Ok((LoadedCorpus { index, errors, files: files.len(), bytes }, stats, timings))
    }

    /// Sync (and load, when `keep`), rebuilding once when the database turns out corrupt.
    #[allow(clippy::type_complexity)]
    fn run(
        &self,
        spec: &CorpusSpec,
        files: &[PathBuf],
        base: &Path,
        progress: Option<ProgressFn<'_>>,
        keep: bool,
    ) -> Result<(SyncStats, Option<(CorpusIndex, u64)>, OpenTimings, Vec<LoadError>)> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("{}: cannot create the index folder", self.dir.display()))?;
        location::ignore_in_git(&self.dir);
        let db = self.db_path(spec);
        snapshot::remove_abandoned_temps(&db);
        match self.attempt(&db, files, base, progress, keep) {
            Err(e) if corrupt(&e) => {
                let aside = db.with_extension(format!("sqlite.corrupt-{}", now_ns() / 1_000_000_000));
                std::fs::rename(&db, &aside)
                    .with_context(|| format!("{}: corrupt index, and cannot move it aside", db.display()))?;
                remove_journal(&db);
                let (mut stats, loaded, timings, mut errs) = self.attempt(&db, files, base, progress, keep)?;
                let why = format!("the index was corrupt ({e:#}); moved aside to {} and rebuilt", aside.display());
                errs.insert(0, LoadError { path: db.clone(), reason: why.clone() });
                stats.rebuilt = Some(why);
                Ok((stats, loaded, timings, errs))
            }
            r => r,
        }
    }

    #[allow(clippy::type_complexity)]
    fn attempt(
        &self,
        db: &Path,
        files: &[PathBuf],
        base: &Path,
        progress: Option<ProgressFn<'_>>,
        keep: bool,
    ) -> Result<(SyncStats, Option<(CorpusIndex, u64)>, OpenTimings, Vec<LoadError>)> {
        let t_sync = Instant::now();
        let counter = crate::Progress::new(files.len(), progress);
        let tick = |n: usize| counter.tick(n);
        if !keep {
            let Some(synced) = sync::sync_files(db, files, base, None, &tick, self.fail_after_writes, t_sync)? else {
                // Another process put its first build in place meanwhile: sync with that one.
                return self.attempt(db, files, base, progress, keep);
            };
            let Synced { stats, errors, sync, .. } = synced;
            return Ok((stats, None, OpenTimings { sync, ..Default::default() }, errors));
        }
        // The frozen index is built beside the sync, from each source as it is written.
        std::thread::scope(|scope| {
            let (sink, builder) = loading::builder(scope, files.len());
            let fail_after = self.fail_after_writes;
            let Some(synced) = sync::sync_files(db, files, base, Some(&sink), &tick, fail_after, t_sync)? else {
                // Another process put its first build in place meanwhile: sync with that one
                // (what was built beside this one is dropped).
                drop(sink);
                return self.attempt(db, files, base, progress, keep);
            };
            loading::load(db, files, base, synced, (sink, builder), &tick, t_sync)
        })
    }
}

impl CorpusStore for PersistentStore {
    /// Syncs and loads; when the index cannot be used at all (a read-only
    /// folder, a database locked for too long), the corpus is analyzed in
    /// memory and the reason is among the returned errors.
    fn open(&self, spec: &CorpusSpec, progress: Option<ProgressFn<'_>>) -> Result<LoadedCorpus> {
        match self.open_with_stats(spec, progress) {
            Ok((loaded, _, _)) => Ok(loaded),
            Err(e) => {
                let mut loaded = MemoryStore.open(spec, progress)?;
                let reason = format!("index unavailable ({e:#}); the corpus was analyzed without it");
                loaded.errors.insert(0, LoadError { path: self.db_path(spec), reason });
                Ok(loaded)
            }
        }
    }
}

/// Loads files already listed (sorted, as [`load::expand_paths`] lists them)
/// through the store the configuration asks for: the persistent index when
/// `[index] enabled`, else (or when the index cannot be used) analysis in memory.
/// Returns the corpus and the errors of reading it.
pub fn open_listed(
    config: &Config,
    spec: &CorpusSpec,
    files: Vec<PathBuf>,
    progress: Option<ProgressFn<'_>>,
) -> (CorpusIndex, Vec<LoadError>) {
    let in_memory = |files: &[PathBuf], errors: &mut Vec<LoadError>| {
        let mut sources = Vec::with_capacity(files.len());
        for r in crate::analyze_files(files, &spec.base, progress) {
            match r {
                Ok(s) => sources.push(s),
                Err(e) => errors.push(e),
            }
        }
        CorpusIndex::build(sources)
    };
    let dir = index_dir(config, spec).filter(|_| config.values.index.enabled);
    let Some(dir) = dir else {
        let mut errors = Vec::new();
        let index = in_memory(&files, &mut errors);
        return (index, errors);
    };
    let store = PersistentStore::new(dir);
    match store.open_listed(spec, files.clone(), Vec::new(), progress) {
        Ok((loaded, _, _)) => (loaded.index, loaded.errors),
        Err(e) => {
            let reason = format!("index unavailable ({e:#}); the corpus was analyzed without it");
            let mut errors = vec![LoadError { path: store.db_path(spec), reason }];
            let index = in_memory(&files, &mut errors);
            (index, errors)
        }
    }
}

/// The persistent index's latest snapshot of the corpus `spec` names
/// ([`PersistentStore::open_snapshot`]); Ok(None) when there is none or the configuration
/// keeps no index, an error when it cannot be used (damaged).
pub fn open_snapshot(config: &Config, spec: &CorpusSpec) -> Result<Option<QuickStart>> {
    match index_dir(config, spec).filter(|_| config.values.index.enabled) {
        Some(dir) => PersistentStore::new(dir).open_snapshot(spec),
        None => Ok(None),
    }
}

/// Syncs the persistent index with files already listed, without loading it: what changed
/// since it was written. None when the configuration keeps no index.
pub fn sync_listed(
    config: &Config,
    spec: &CorpusSpec,
    files: &[PathBuf],
    progress: Option<ProgressFn<'_>>,
) -> Option<Result<(SyncStats, Vec<LoadError>)>> {
    let dir = index_dir(config, spec).filter(|_| config.values.index.enabled)?;
    Some(PersistentStore::new(dir).sync_listed(spec, files, progress))
}
