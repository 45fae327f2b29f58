//! A sync: every listed file is stat'ed, hashed when its size or mtime changed, and
//! extracted again when its content changed; one transaction writes what changed.

use super::database::{connect, generation, prepare};
use super::first_build::FirstBuild;
use super::loading::Sink;
use super::location::key_of;
use super::rows::{forget, put, Row};
use super::{trace, SyncStats};
use crate::load::{self, LoadError};
use crate::pools::Pool;
use crate::stored::encode;
use anyhow::Result;
use copydesk_engine::corpus::AnalyzedSource;
use rayon::prelude::*;
use rusqlite::{params, Connection};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Files analyzed per parallel batch (bounds the memory a sync holds at once).
pub(super) const BATCH: usize = 2048;

/// Threads that stat and read files: enough reads in flight to keep a disk busy.
const IO_THREADS: usize = 32;

/// A file modified this close to the sync may change again within the same
/// mtime tick; its mtime is not trusted (stored as 0: hashed next time).
const RACY_NS: i64 = 2_000_000_000;

enum Plan {
    Unchanged,
    /// Size or mtime differ: hash decides.
    Check,
    Add,
}

pub(super) enum Outcome {
    Same { size: i64, mtime: i64 },
    Fresh { size: i64, mtime: i64, hash: [u8; 32], source: Box<AnalyzedSource> },
    Failed(LoadError),
}

pub(super) fn now_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

fn stat(path: &Path) -> Option<(i64, i64)> {
    load::stamp_of(&std::fs::metadata(path).ok()?)
}

/// What a sync leaves for the load that follows it.
pub(super) struct Synced {
    pub stats: SyncStats,
    pub conn: Connection,
    /// Database key of each file.
    pub keys: Vec<String>,
    /// Size and mtime of each file, taken before it was read (None on a first build, which
    /// takes each file's from the open file as it reads it).
    pub stamps: Vec<Option<(i64, i64)>>,
    /// Stored analyses to load: blob row id → file.
    pub to_load: HashMap<i64, usize>,
    pub errors: Vec<LoadError>,
    /// How long the sync took.
    pub sync: Duration,
}

/// Brings the database at `db` in line with `files` (sending what it extracts to `keep`, and
/// noting what is to be loaded, when there is one); `tick` counts files done. None when another process
/// put its first build in place meanwhile: the caller syncs again, with that one.
pub(super) fn sync_files(
    db: &Path,
    files: &[PathBuf],
    base: &Path,
    keep: Option<&Sink>,
    tick: &(dyn Fn(usize) + Sync),
    fail_after_writes: Option<usize>,
    t_sync: Instant,
) -> Result<Option<Synced>> {
    let mut stats = SyncStats { files: files.len(), ..Default::default() };
    // The first build of an index writes a file of its own and puts it in place when done.
    let first = FirstBuild::start(db);
    let mut conn = prepare(first.as_ref().map_or(db, |f| f.path.as_path()), &mut stats, first.is_some())?;
    let total = files.len();

    let keys: Vec<String> = files.iter().map(|f| key_of(f)).collect();
    trace("prepare", t_sync);
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
    // Each file's size and mtime, to compare with its row; with no rows (a first build),
    // each file's are taken as it is read instead (from the open file, before reading it).
    let stamps: Vec<Option<(i64, i64)>> =
        if rows.is_empty() { vec![None; total] } else { IO.install(|| files.par_iter().map(|f| stat(f)).collect()) };
    trace("stat", t_sync);
    let plans: Vec<Plan> = keys
        .iter()
        .zip(&stamps)
        .map(|(k, st)| match (rows.get(k), st) {
            (None, _) => Plan::Add,
            (Some(r), Some((size, mtime))) if r.size == *size && r.mtime == *mtime && r.mtime != 0 => Plan::Unchanged,
            (Some(_), _) => Plan::Check,
        })
        .collect();

    let mut errors = Vec::new();
    // Blob row id → file.
    let mut to_load: HashMap<i64, usize> = HashMap::new();
    let work: Vec<usize> = (0..total).filter(|i| !matches!(plans[*i], Plan::Unchanged)).collect();
    for (i, p) in plans.iter().enumerate() {
        if matches!(p, Plan::Unchanged) {
            stats.unchanged += 1;
            if keep.is_some() {
                to_load.insert(rows[&keys[i]].blob, i);
            }
        }
    }

    if keep.is_none() {
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
        type Read = Vec<(usize, Result<(Vec<u8>, Option<load::Stamp>), LoadError>)>;
        let (read_tx, read_rx) = std::sync::mpsc::sync_channel::<Read>(1);
        let (rows, stamps, keys, work, tick) = (&rows, &stamps, &keys, &work, &tick);
        let read = move || {
            for batch in work.chunks(BATCH) {
                let bytes = IO.install(|| batch.par_iter().map(|&i| (i, load::read_stamped(&files[i]))).collect());
                if read_tx.send(bytes).is_err() {
                    return;
                }
            }
        };
        let extract = move || {
            for batch in read_rx {
                let encoded: Encoded = batch
                    .into_par_iter()
                    .map(|(i, read)| {
                        let known = rows.get(&keys[i]).map(|r| &r.hash[..]);
                        let stamp = stamps[i].or(read.as_ref().ok().and_then(|r| r.1));
                        let mut o = process_bytes(&files[i], base, known, stamp, read.map(|r| r.0));
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
                    if let Some(n) = fail_after_writes {
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
                            if keep.is_some() {
                                to_load.insert(rows[&keys[i]].blob, i);
                            }
                        }
                        Outcome::Fresh { size, mtime, hash, source } => {
                            let Some(blob) = blob else {
                                anyhow::bail!("{}: extracted but not encoded; the index was left as it was", keys[i]);
                            };
                            let blob = blob?;
                            let replacing = rows.contains_key(&keys[i]);
                            put(&tx, &keys[i], (size, racy(mtime)), &hash, (&source, &blob), replacing)?;
                            if replacing {
                                stats.changed += 1;
                            } else {
                                stats.added += 1;
                            }
                            if let Some(sink) = keep {
                                let _ = sink.send((i, *source));
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
        // As this transaction leaves it (another process may commit right after).
        stats.generation = generation(&tx)?.unwrap_or_default();
    }
    tx.commit()?;
    trace("commit", t_sync);
    if let Some(first) = first {
        drop(conn);
        if !first.finish(db)? {
            // Another process put its first build in place meanwhile: sync with that one.
            return Ok(None);
        }
        conn = connect(db, false)?;
        trace("in place", t_sync);
    }
    errors.sort_by_key(|(i, _)| *i);
    let errors: Vec<LoadError> = errors.into_iter().map(|(_, e)| e).collect();
    let sync = t_sync.elapsed();
    Ok(Some(Synced { stats, conn, keys, stamps, to_load, errors, sync }))
}

/// The process's pool of [`IO_THREADS`] threads for stats and reads: they wait on the disk
/// when files are not in the page cache, and many in flight hide that.
static IO: Pool = Pool::new(IO_THREADS, "copydesk-io");

/// Reads one file; analyzes it unless its hash is `known`. `stamp` is its size
/// and mtime taken *before* reading, so that a write after it is seen next time.
pub(super) fn process(path: &Path, base: &Path, known: Option<&[u8]>, stamp: Option<(i64, i64)>) -> Outcome {
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
