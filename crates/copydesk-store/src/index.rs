//! The persistent corpus index: analyzed sources kept in an embedded SQLite
//! database between runs, so that a corpus of 100,000 stories is not
//! re-extracted at every start.
//!
//! One table row per source file: its absolute path, size, modification time,
//! blake3 content hash and the serialized [`SourceDoc`] + [`Analysis`]
//! (postcard). A sync stats every file, hashes only those whose size or mtime
//! changed, and re-extracts (in parallel) only those whose content changed.
//! Speakers are not resolved at this point ([`AnalyzedSource::deferred`]): a check
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
//! streamed into a frozen index ([`FrozenBuilder`]), and a new snapshot written.

use crate::leftovers;
use crate::load::{self, FileKind, LoadError};
use crate::snapshot;
use crate::{Config, CorpusSpec, CorpusStore, LoadedCorpus, MemoryStore, ProgressFn};
use anyhow::{Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, FrozenBuilder, FrozenCorpus, SourceDoc};
use copydesk_engine::{Analysis, LineIndex, TextFormat};
use rayon::prelude::*;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Layout of the database and of its rows; bump on any change to either.
pub const FORMAT_VERSION: u32 = 4;

/// Version of the engine whose analyses are stored (the workspace shares one
/// version, so this is `copydesk_engine`'s crate version).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Files analyzed per parallel batch (bounds the memory a sync holds at once).
const BATCH: usize = 2048;

/// Threads that stat and read files: enough reads in flight to keep a disk busy.
const IO_THREADS: usize = 32;

/// A file modified this close to the sync may change again within the same
/// mtime tick; its mtime is not trusted (stored as 0: hashed next time).
const RACY_NS: i64 = 2_000_000_000;

/// Fingerprint of the engine's output on a fixed text: catches extractor
/// changes that came without a version bump.
pub fn engine_fingerprint() -> &'static str {
    static FP: OnceLock<String> = OnceLock::new();
    FP.get_or_init(|| {
        const PROBE: &str = "# Probe\n\nThe ministry said 1,250 workers lost their jobs in March, up 12.5 percent. \
\"We expect $3.4 billion in new orders,\" said Jane Roe, the chief executive of Acme Corp. \
Output rose to 4.2 mln tonnes from 3.9 mln, the agency reported on Tuesday.\n\n\
Smith told reporters: \"There is no deal yet.\" About 300 people attended, police said.\n";
        let mut h = blake3::Hasher::new();
        // Any change to the engine's code may change what it extracts; the probe below
        // also catches a change of behaviour from a dependency.
        h.update(copydesk_engine::ENGINE_SOURCE_HASH.as_bytes());
        for format in [TextFormat::Markdown, TextFormat::Plain] {
            let src = AnalyzedSource::new(SourceDoc {
                path: "probe".into(),
                text: PROBE.into(),
                format,
                title: None,
                date: None,
            });
            h.update(&postcard::to_allocvec(&src.analysis).unwrap_or_default());
            h.update(&postcard::to_allocvec(&src.sentence_terms).unwrap_or_default());
        }
        h.finalize().to_hex()[..16].to_string()
    })
}

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

struct Row {
    size: i64,
    mtime: i64,
    hash: [u8; 32],
    /// Row id of the serialized document in `blobs`.
    blob: i64,
}

/// Writes one analyzed document, `replacing` what was stored for its path.
fn put(
    conn: &Connection,
    key: &str,
    (size, mtime): (i64, i64),
    hash: &[u8; 32],
    (source, blob): (&AnalyzedSource, &[u8]),
    replacing: bool,
) -> Result<()> {
    if replacing {
        conn.prepare_cached("DELETE FROM blobs WHERE id = (SELECT blob FROM docs WHERE path = ?1)")?.execute([key])?;
    }
    conn.prepare_cached("INSERT INTO blobs(data) VALUES (?1)")?.execute([blob])?;
    let id = conn.last_insert_rowid();
    let a = &source.analysis;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO docs(path, size, mtime, hash, bytes, quantities, quotes, blob)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        key,
        size,
        mtime,
        &hash[..],
        source.doc.text.len() as i64,
        a.quantities.len() as i64,
        a.quotes.len() as i64,
        id
    ])?;
    Ok(())
}

/// Removes one document.
fn forget(conn: &Connection, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM blobs WHERE id = (SELECT blob FROM docs WHERE path = ?1)")?.execute([key])?;
    conn.prepare_cached("DELETE FROM docs WHERE path = ?1")?.execute([key])?;
    Ok(())
}

enum Plan {
    Unchanged,
    /// Size or mtime differ: hash decides.
    Check,
    Add,
}

enum Outcome {
    Same { size: i64, mtime: i64 },
    Fresh { size: i64, mtime: i64, hash: [u8; 32], source: Box<AnalyzedSource> },
    Failed(LoadError),
}

fn corrupt(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(|e| {
            matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase))
        })
    })
}

/// With `COPYDESK_INDEX_TRACE` set, prints the time since `start` of each step to stderr.
fn trace(step: &str, start: Instant) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("COPYDESK_INDEX_TRACE").is_some()) {
        eprintln!("copydesk: index: {step} at {:.1} ms", start.elapsed().as_secs_f64() * 1000.0);
    }
}

fn now_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

fn stat(path: &Path) -> Option<(i64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m.modified().ok()?.duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0);
    Some((m.len() as i64, mtime))
}

fn key_of(path: &Path) -> String {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().into_owned()
}

/// The user's cache folder (`$XDG_CACHE_HOME`, else the platform's).
fn user_cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x));
    }
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA").map(PathBuf::from);
    }
    let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
    Some(if cfg!(target_os = "macos") { home.join("Library/Caches") } else { home.join(".cache") })
}

/// Hash of the canonical corpus paths: names the index of one corpus.
pub fn corpus_key(spec: &CorpusSpec) -> String {
    let mut paths: Vec<String> = spec
        .paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.clone())))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    let mut h = blake3::Hasher::new();
    for p in &paths {
        h.update(p.as_bytes());
        h.update(b"\0");
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Where the index of this corpus lives: the `[index] path` folder when a
/// copydesk.toml is in force, else a per-corpus folder in the user's cache
/// (never inside the corpus folders unless configured so). Cache folders of
/// corpora that no longer exist are removed on the way.
pub fn index_dir(config: &Config, spec: &CorpusSpec) -> Option<PathBuf> {
    if config.file.is_some() {
        Some(config.index_dir())
    } else {
        let dir = user_cache_dir()?.join("copydesk").join(corpus_key(spec));
        tend_cache(&dir, spec);
        Some(dir)
    }
}

/// Name of the file, in a per-corpus cache folder, listing the corpus paths it indexes.
const CORPUS_LIST: &str = "corpus-paths.txt";

/// Records which corpus a cache folder indexes, and removes the cache folders
/// of corpora whose paths are all gone (temporary folders, deleted projects).
fn tend_cache(dir: &Path, spec: &CorpusSpec) {
    let Some(parent) = dir.parent() else { return };
    if dir.join(CORPUS_LIST).exists() {
        return;
    }
    let _ = std::fs::create_dir_all(dir);
    let list: Vec<String> = spec.paths.iter().map(|p| key_of(p)).collect();
    let _ = std::fs::write(dir.join(CORPUS_LIST), list.join("\n") + "\n");
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let other = entry.path();
        let Ok(listed) = std::fs::read_to_string(other.join(CORPUS_LIST)) else { continue };
        if other != dir && listed.lines().filter(|l| !l.is_empty()).all(|l| !Path::new(l).exists()) {
            let _ = std::fs::remove_dir_all(&other);
        }
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

fn encode(source: &mut AnalyzedSource) -> Result<Vec<u8>> {
    // Plain text is usually its own masked prose: stored once.
    let same = source.analysis.prose.masked == source.doc.text;
    let masked = if same { std::mem::take(&mut source.analysis.prose.masked) } else { String::new() };
    let r = postcard::to_allocvec(&(same, &source.doc, &source.analysis, &source.sentence_terms));
    if same {
        source.analysis.prose.masked = masked;
    }
    r.context("cannot serialize an analysis")
}

/// Decodes a stored source. Its sentence terms are stored too (computing them
/// is most of the cost of [`AnalyzedSource::restore`]); only the line index is rebuilt.
pub(crate) fn decode(blob: &[u8], path: String) -> Result<AnalyzedSource> {
    type Stored = (bool, SourceDoc, Analysis, Vec<Vec<u64>>);
    let (same, mut doc, mut analysis, sentence_terms): Stored = postcard::from_bytes(blob)?;
    if same {
        analysis.prose.masked = doc.text.clone();
    }
    anyhow::ensure!(sentence_terms.len() == analysis.sentences.len(), "sentence terms do not match the sentences");
    doc.path = path;
    let lines = LineIndex::new(&doc.text);
    Ok(AnalyzedSource::from_parts(doc, analysis, sentence_terms, lines))
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

    /// Opens (or creates) the database; `unjournaled` for a [`FirstBuild`]'s file, which
    /// nothing else reads before it is complete.
    fn connect(db: &Path, unjournaled: bool) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("{}: cannot open the index", db.display()))?;
        conn.busy_timeout(Duration::from_secs(30))?;
        let (journal, sync) = if unjournaled { ("OFF", "OFF") } else { ("WAL", "NORMAL") };
        conn.pragma_update(None, "journal_mode", journal)?;
        conn.pragma_update(None, "synchronous", sync)?;
        Ok(conn)
    }

    /// Opens the database, rebuilding it when it was written by another version.
    fn prepare(db: &Path, stats: &mut SyncStats, unjournaled: bool) -> Result<Connection> {
        let conn = Self::connect(db, unjournaled)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);")?;
        let want = wanted_meta();
        let have = read_meta(&conn)?;
        let has_docs: bool =
            conn.query_row("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='docs'", [], |r| r.get(0))?;
        let mismatch = want.iter().find(|(k, v)| have.get(*k) != Some(v));
        if let Some((k, v)) = mismatch.filter(|_| has_docs || !have.is_empty()) {
            let old = have.get(*k).map(String::as_str).unwrap_or("none");
            stats.rebuilt = Some(format!("index {k} {old} differs from {v}"));
        }
        if mismatch.is_some() {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch("DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS blobs; DELETE FROM meta;")?;
            tx.execute_batch(
                "CREATE TABLE docs(
                    path TEXT PRIMARY KEY,
                    size INTEGER NOT NULL,
                    mtime INTEGER NOT NULL,
                    hash BLOB NOT NULL,
                    bytes INTEGER NOT NULL,
                    quantities INTEGER NOT NULL,
                    quotes INTEGER NOT NULL,
                    blob INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE blobs(id INTEGER PRIMARY KEY, data BLOB NOT NULL);",
            )?;
            for (k, v) in &want {
                tx.execute("INSERT INTO meta(key, value) VALUES (?1, ?2)", params![k, v])?;
            }
            tx.commit()?;
        }
        Ok(conn)
    }

    /// The index from its latest snapshot, without looking at the files, and whether the
    /// snapshot is current (made after the last change to the database); Ok(None) when there
    /// is no snapshot for this engine and folder. For a quick start, followed by a sync: a
    /// snapshot older than the database still opens, and a story changed or removed since
    /// is left out (it is read back only if its content hash still matches).
    pub fn open_snapshot(&self, spec: &CorpusSpec) -> Result<Option<(CorpusIndex, bool)>> {
        let t = Instant::now();
        let db = self.db_path(spec);
        if !db.exists() {
            return Ok(None);
        }
        let have = read_meta(&open_read_only(&db)?)?;
        let same_engine = wanted_meta().iter().all(|(k, v)| have.get(*k) == Some(v));
        let Some(generation) = have.get("generation").filter(|_| same_engine) else { return Ok(None) };
        match snapshot::read(&snapshot::path_for(&db), stamp(generation, &spec.base.to_string_lossy()), true)? {
            Some(snap) => {
                trace("snapshot read", t);
                let current = &snap.generation == generation;
                let index = snapshot::thaw(&db, snap.docs, snap.frozen)?;
                trace("snapshot thawed", t);
                Ok(Some((index, current)))
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
        let mut stats = SyncStats { files: files.len(), ..Default::default() };
        // The first build of an index writes a file of its own and puts it in place when done.
        let first = FirstBuild::start(db);
        let mut conn = Self::prepare(first.as_ref().map_or(db, |f| f.path.as_path()), &mut stats, first.is_some())?;
        let total = files.len();
        let done = AtomicUsize::new(0);
        let tick = |n: usize| {
            let d = done.fetch_add(n, Ordering::Relaxed) + n;
            if let Some(p) = progress {
                p(d.min(total), total);
            }
        };

        let keys: Vec<String> = files.iter().map(|f| key_of(f)).collect();
        trace("prepare", t_sync);
        let stamps: Vec<Option<(i64, i64)>> = on_io_pool(|| files.par_iter().map(|f| stat(f)).collect());
        trace("stat", t_sync);
        let mut rows: HashMap<String, Row> = HashMap::new();
        {
            let mut stmt = conn.prepare("SELECT path, size, mtime, hash, blob FROM docs")?;
            let mut q = stmt.query([])?;
            while let Some(r) = q.next()? {
                let hash = r.get_ref(3)?.as_blob()?.try_into().unwrap_or([0; 32]);
                rows.insert(r.get(0)?, Row { size: r.get(1)?, mtime: r.get(2)?, hash, blob: r.get(4)? });
            }
        }
        trace("rows", t_sync);
        let plans: Vec<Plan> = keys
            .iter()
            .zip(&stamps)
            .map(|(k, st)| match (rows.get(k), st) {
                (None, _) => Plan::Add,
                (Some(r), Some((size, mtime))) if r.size == *size && r.mtime == *mtime && r.mtime != 0 => {
                    Plan::Unchanged
                }
                (Some(_), _) => Plan::Check,
            })
            .collect();

        let mut slots: Vec<Option<AnalyzedSource>> = if keep { (0..total).map(|_| None).collect() } else { Vec::new() };
        let mut errors = Vec::new();
        // Blob row id → file.
        let mut to_load: HashMap<i64, usize> = HashMap::new();
        let work: Vec<usize> = (0..total).filter(|i| !matches!(plans[*i], Plan::Unchanged)).collect();
        for (i, p) in plans.iter().enumerate() {
            if matches!(p, Plan::Unchanged) {
                stats.unchanged += 1;
                if keep {
                    to_load.insert(rows[&keys[i]].blob, i);
                }
            }
        }

        if !keep {
            tick(stats.unchanged);
        }
        let sync_start = now_ns();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut writes = 0usize;
        {
            let mut touch = tx.prepare("UPDATE docs SET size = ?2, mtime = ?3 WHERE path = ?1")?;
            let racy = |m: i64| if sync_start - m < RACY_NS { 0 } else { m };
            // Extraction (rayon, a batch at a time) runs ahead of the writes on this thread: a
            // batch is extracted while the one before is written.
            type Encoded = Vec<(usize, Outcome, Option<Result<Vec<u8>>>)>;
            let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Encoded>(1);
            type Read = Vec<(usize, Result<Vec<u8>, LoadError>)>;
            let (read_tx, read_rx) = std::sync::mpsc::sync_channel::<Read>(1);
            let (rows, stamps, keys, work, tick) = (&rows, &stamps, &keys, &work, &tick);
            let read = move || {
                for batch in work.chunks(BATCH) {
                    let bytes = on_io_pool(|| batch.par_iter().map(|&i| (i, load::read_bytes(&files[i]))).collect());
                    if read_tx.send(bytes).is_err() {
                        return;
                    }
                }
            };
            let extract = move || {
                for batch in read_rx {
                    let encoded: Encoded = batch
                        .into_par_iter()
                        .map(|(i, bytes)| {
                            let known = rows.get(&keys[i]).map(|r| &r.hash[..]);
                            let mut o = process_bytes(&files[i], base, known, stamps[i], bytes);
                            let blob = match &mut o {
                                Outcome::Fresh { source, .. } => Some(encode(source)),
                                _ => None,
                            };
                            tick(1);
                            (i, o, blob)
                        })
                        .collect();
                    if batch_tx.send(encoded).is_err() {
                        return; // the writer stopped on an error
                    }
                }
            };
            // A first build's file is flushed to disk as it grows (I/O beside the extraction),
            // so that the sync before it is put in place has little left to write.
            let (flush_tx, flush_rx) = std::sync::mpsc::sync_channel::<()>(1);
            let flush_path = first.as_ref().map(|f| f.path.clone());
            std::thread::scope(|sc| -> Result<()> {
                sc.spawn(read);
                sc.spawn(extract);
                if let Some(file) = flush_path.and_then(|p| std::fs::File::open(p).ok()) {
                    sc.spawn(move || {
                        for () in flush_rx {
                            let _ = file.sync_data();
                        }
                    });
                }
                for encoded in batch_rx {
                    let _ = flush_tx.try_send(());
                    for (i, o, blob) in encoded {
                        if let Some(n) = self.fail_after_writes {
                            if writes >= n {
                                anyhow::bail!("simulated failure after {n} writes");
                            }
                        }
                        writes += 1;
                        match o {
                            Outcome::Same { size, mtime } => {
                                touch.execute(params![keys[i], size, racy(mtime)])?;
                                stats.unchanged += 1;
                                stats.rehashed += 1;
                                if keep {
                                    to_load.insert(rows[&keys[i]].blob, i);
                                }
                            }
                            Outcome::Fresh { size, mtime, hash, source } => {
                                let Some(blob) = blob else {
                                    anyhow::bail!(
                                        "{}: extracted but not encoded; the index was left as it was",
                                        keys[i]
                                    );
                                };
                                let blob = blob?;
                                let replacing = rows.contains_key(&keys[i]);
                                put(&tx, &keys[i], (size, racy(mtime)), &hash, (&source, &blob), replacing)?;
                                if replacing {
                                    stats.changed += 1;
                                } else {
                                    stats.added += 1;
                                }
                                if keep {
                                    slots[i] = Some(*source);
                                }
                            }
                            Outcome::Failed(e) => {
                                stats.failed += 1;
                                if rows.contains_key(&keys[i]) {
                                    forget(&tx, &keys[i])?;
                                    stats.removed += 1;
                                }
                                errors.push((i, e));
                            }
                        }
                    }
                }
                drop(flush_tx);
                Ok(())
            })?;
            let listed: std::collections::HashSet<&str> = keys.iter().map(String::as_str).collect();
            for k in rows.keys().filter(|k| !listed.contains(k.as_str())) {
                forget(&tx, k)?;
                stats.removed += 1;
            }
            let (n, b, q, u): (i64, i64, i64, i64) = tx.query_row(
                "SELECT count(*), coalesce(sum(bytes),0), coalesce(sum(quantities),0), coalesce(sum(quotes),0) FROM docs",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            stats.stories = n as usize;
            stats.bytes = b as u64;
            stats.quantities = q as u64;
            stats.quotes = u as u64;
            if stats.added + stats.changed + stats.removed > 0 || generation(&tx)?.is_none() {
                // A new stamp for what is stored: snapshots of the old content are stale.
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES ('generation', ?1)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [format!("{}-{}", now_ns(), std::process::id())],
                )?;
            }
        }
        tx.commit()?;
        trace("commit", t_sync);
        if let Some(first) = first {
            drop(conn);
            if !first.finish(db)? {
                // Another process put its first build in place meanwhile: sync with that one.
                return self.attempt(db, files, base, progress, keep);
            }
            conn = Self::connect(db, false)?;
            trace("in place", t_sync);
        }
        errors.sort_by_key(|(i, _)| *i);
        let mut errors: Vec<LoadError> = errors.into_iter().map(|(_, e)| e).collect();
        let sync = t_sync.elapsed();
        if !keep {
            return Ok((stats, None, OpenTimings { sync, ..Default::default() }, errors));
        }

        // Nothing changed and the snapshot is current: open it, reading documents when needed.
        let t_load = Instant::now();
        let generation = generation(&conn)?.unwrap_or_default();
        let snap = snapshot::path_for(db);
        let unchanged = stats.added + stats.changed + stats.removed == 0 && slots.iter().all(Option::is_none);
        if unchanged {
            match snapshot::read(&snap, stamp(&generation, &base.to_string_lossy()), false)
                .and_then(|r| r.map(|snap| snapshot::thaw(db, snap.docs, snap.frozen)).transpose())
            {
                Ok(Some(index)) => {
                    trace("snapshot", t_sync);
                    let load = t_load.elapsed();
                    return Ok((
                        stats.clone(),
                        Some((index, stats.bytes)),
                        OpenTimings { sync, load, ..Default::default() },
                        errors,
                    ));
                }
                Ok(None) => {}
                Err(e) => trace(&format!("snapshot unusable ({e:#})"), t_sync),
            }
        }

        // Load: a reader thread streams the stored rows, rayon decodes them in batches, and a
        // builder thread adds each source to the frozen index (in its file's slot) as it comes.
        let (frozen, bytes, order, load, build) =
            std::thread::scope(|sc| -> Result<(FrozenCorpus, u64, Vec<usize>, Duration, Duration)> {
                let (src_tx, src_rx) = std::sync::mpsc::channel::<(usize, Option<AnalyzedSource>)>();
                let builder = sc.spawn(move || {
                    // Each source goes into its file's slot as it comes and is dropped: ids
                    // follow file order whatever order the rows are read in.
                    let mut frozen = FrozenBuilder::new();
                    let mut added = vec![false; total];
                    let mut bytes = 0u64;
                    for (i, s) in src_rx {
                        if let Some(s) = s {
                            bytes += s.doc.text.len() as u64;
                            frozen.add_at(i, &s);
                            added[i] = true;
                        }
                    }
                    let order: Vec<usize> = (0..total).filter(|&i| added[i]).collect();
                    (frozen.finish(), bytes, order)
                });
                for (i, s) in slots.iter_mut().enumerate() {
                    if let Some(s) = s.take() {
                        let _ = src_tx.send((i, Some(s)));
                    }
                }
                let (blob_tx, blob_rx) = std::sync::mpsc::sync_channel::<Vec<(usize, Vec<u8>)>>(2);
                let to_load = &to_load;
                let reader = sc.spawn(move || -> Result<()> {
                    let conn = open_read_only(db)?;
                    let mut stmt = conn.prepare("SELECT id, data FROM blobs")?;
                    let mut q = stmt.query([])?;
                    let mut batch = Vec::with_capacity(BATCH);
                    while let Some(r) = q.next()? {
                        let Some(&i) = to_load.get(&r.get::<_, i64>(0)?) else { continue };
                        batch.push((i, r.get(1)?));
                        if batch.len() >= BATCH && blob_tx.send(std::mem::take(&mut batch)).is_err() {
                            return Ok(());
                        }
                    }
                    let _ = blob_tx.send(batch);
                    Ok(())
                });
                let mut seen = vec![false; total];
                let mut broken = Vec::new();
                for batch in blob_rx {
                    let decoded: Vec<(usize, Option<AnalyzedSource>)> = batch
                        .into_par_iter()
                        .map(|(i, blob)| {
                            let r = decode(&blob, load::display_path(&files[i], base)).ok();
                            tick(1);
                            (i, r)
                        })
                        .collect();
                    for (i, s) in decoded {
                        seen[i] = true;
                        match s {
                            Some(s) => {
                                let _ = src_tx.send((i, Some(s)));
                            }
                            None => broken.push(i),
                        }
                    }
                }
                reader.join().map_err(|_| anyhow::anyhow!("the index reader panicked"))??;
                // Rows that cannot be decoded (or vanished meanwhile) are extracted again.
                broken.extend(to_load.values().copied().filter(|&i| !seen[i]));
                if !broken.is_empty() {
                    broken.sort_unstable();
                    let tx = conn.transaction()?;
                    {
                        for i in broken {
                            match process(&files[i], base, None, stamps[i]) {
                                Outcome::Fresh { size, hash, mut source, .. } => {
                                    let blob = encode(&mut source)?;
                                    put(&tx, &keys[i], (size, 0), &hash, (&source, &blob), true)?;
                                    let _ = src_tx.send((i, Some(*source)));
                                }
                                Outcome::Failed(e) => {
                                    errors.push(e);
                                    let _ = src_tx.send((i, None));
                                }
                                Outcome::Same { .. } => {
                                    let _ = src_tx.send((i, None));
                                }
                            }
                        }
                    }
                    tx.commit()?;
                }
                drop(src_tx);
                let load = t_load.elapsed();
                let t_build = Instant::now();
                let (frozen, bytes, order) =
                    builder.join().map_err(|_| anyhow::anyhow!("the index builder panicked"))?;
                Ok((frozen, bytes, order, load, t_build.elapsed()))
            })?;
        // The next open of this unchanged corpus starts from a snapshot (a failure to write one
        // only costs time). This one goes on from the same arrays: the loaded documents were
        // dropped as they were indexed, and are read again as lookups need them.
        let docs = stored_docs(&conn, order.iter().map(|&i| keys[i].as_str()))?;
        if let Err(e) = snapshot::write(&snap, stamp(&generation, &base.to_string_lossy()), &docs, &frozen) {
            trace(&format!("snapshot not written ({e:#})"), t_sync);
        }
        let index = snapshot::thaw(db, docs, frozen)?;
        Ok((stats, Some((index, bytes)), OpenTimings { sync, load, build }, errors))
    }
}

/// The first build of an index, written to a file of its own beside the database
/// (`index-….sqlite.building-PID-N`) without a journal and without syncs, then synced
/// once and linked into place. A build that is killed leaves no database (its file is
/// removed by the next first build); one that fails removes its file. Every later sync
/// updates the database in place, in one WAL transaction.
///
/// A rollback or WAL journal would write every page twice, and the WAL's checkpoint at
/// the end of a first build costs as much as a fifth of the build.
struct FirstBuild {
    path: PathBuf,
}

impl FirstBuild {
    const INFIX: &'static str = ".building-";

    /// A first build when there is no database at `db` yet.
    fn start(db: &Path) -> Option<Self> {
        if db.exists() {
            return None;
        }
        static ATTEMPTS: AtomicUsize = AtomicUsize::new(0);
        let name = db.file_name()?.to_string_lossy().into_owned();
        let own = std::process::id();
        // Builds left behind by killed processes (a process may have several under way:
        // the server syncing while it reloads).
        leftovers::remove_abandoned(db.parent()?, &format!("{name}{}", Self::INFIX));
        let attempt = ATTEMPTS.fetch_add(1, Ordering::Relaxed);
        Some(FirstBuild { path: db.with_file_name(format!("{name}{}{own}-{attempt}", Self::INFIX)) })
    }

    /// Syncs the complete build and links it in as `db`; false (and the build dropped)
    /// when a database appeared at `db` meanwhile.
    fn finish(&self, db: &Path) -> Result<bool> {
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("{}: cannot sync the new index", self.path.display()))?;
        if db.exists() {
            return Ok(false);
        }
        // A journal left by a database that is gone would be replayed into this one.
        remove_journal(db);
        // A link fails if the name is taken: two first builds cannot replace each other.
        match std::fs::hard_link(&self.path, db) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            // File systems without hard links.
            Err(_) if !db.exists() => std::fs::rename(&self.path, db)
                .with_context(|| format!("{}: cannot put the new index in place", db.display()))?,
            Err(_) => return Ok(false),
        }
        if let Some(dir) = db.parent().and_then(|d| std::fs::File::open(d).ok()) {
            let _ = dir.sync_all();
        }
        Ok(true)
    }
}

impl Drop for FirstBuild {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Runs `f` (parallel stats or reads) on the process's pool of [`IO_THREADS`] threads, made
/// on first use: stats and reads wait on the disk when files are not in the page cache, and
/// many in flight hide that. Without that pool (its threads could not start), on rayon's.
fn on_io_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new().num_threads(IO_THREADS).thread_name(|i| format!("copydesk-io-{i}")).build().ok()
    });
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Removes the WAL and shared-memory files beside the database at `db`.
fn remove_journal(db: &Path) {
    for ext in ["sqlite-wal", "sqlite-shm"] {
        let _ = std::fs::remove_file(db.with_extension(ext));
    }
}

/// A read-only connection to the database at `db` (waiting up to 30 s for a writer).
pub(crate) fn open_read_only(db: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("{}: cannot open the index", db.display()))?;
    conn.busy_timeout(Duration::from_secs(30))?;
    Ok(conn)
}

/// The `meta` entries a database must have to be read by this build.
fn wanted_meta() -> [(&'static str, String); 3] {
    [
        ("format", FORMAT_VERSION.to_string()),
        ("engine", ENGINE_VERSION.to_string()),
        ("fingerprint", engine_fingerprint().to_string()),
    ]
}

/// The database's `meta` table.
fn read_meta(conn: &Connection) -> Result<HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM meta")?;
    let have = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(have)
}

/// What a snapshot of this database's `generation`, shown relative to `base`, is made for.
fn stamp<'a>(generation: &'a str, base: &'a str) -> snapshot::Stamp<'a> {
    snapshot::Stamp { fingerprint: engine_fingerprint(), generation, base }
}

/// The stamp of the stored content (changed by every sync that changes it).
fn generation(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| r.get(0)).optional()?)
}

/// The stored documents with these database keys, in order, with their content hashes.
fn stored_docs<'a>(conn: &Connection, keys: impl Iterator<Item = &'a str>) -> Result<Vec<snapshot::StoredDoc>> {
    let mut stmt = conn.prepare("SELECT path, hash FROM docs")?;
    let hashes: HashMap<String, [u8; 32]> = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get_ref(1)?.as_blob()?.try_into().unwrap_or([0; 32]))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys
        .map(|k| snapshot::StoredDoc { key: k.to_string(), hash: hashes.get(k).copied().unwrap_or([0; 32]) })
        .collect())
}

/// Reads one file; analyzes it unless its hash is `known`. `stamp` is its size
/// and mtime taken *before* reading, so that a write after it is seen next time.
fn process(path: &Path, base: &Path, known: Option<&[u8]>, stamp: Option<(i64, i64)>) -> Outcome {
    process_bytes(path, base, known, stamp, load::read_bytes(path))
}

/// [`process`] of the bytes read from `path`.
fn process_bytes(
    path: &Path,
    base: &Path,
    known: Option<&[u8]>,
    stamp: Option<(i64, i64)>,
    bytes: Result<Vec<u8>, LoadError>,
) -> Outcome {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(e),
    };
    let (size, mtime) = stamp.unwrap_or((bytes.len() as i64, 0));
    let hash: [u8; 32] = *blake3::hash(&bytes).as_bytes();
    if known == Some(&hash[..]) {
        return Outcome::Same { size, mtime };
    }
    match load::source_from_bytes(path, load::display_path(path, base), bytes) {
        Ok(doc) => Outcome::Fresh { size, mtime, hash, source: Box::new(AnalyzedSource::deferred(doc)) },
        Err(e) => Outcome::Failed(e),
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

/// The persistent index's latest snapshot of the corpus `spec` names, and whether it is
/// current ([`PersistentStore::open_snapshot`]), when the configuration keeps an index; else None.
pub fn open_snapshot(config: &Config, spec: &CorpusSpec) -> Option<(CorpusIndex, bool)> {
    let dir = index_dir(config, spec).filter(|_| config.values.index.enabled)?;
    PersistentStore::new(dir).open_snapshot(spec).ok().flatten()
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
