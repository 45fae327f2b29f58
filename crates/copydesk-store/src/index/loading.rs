//! Loading a synced corpus: from its snapshot when that is current, else every stored
//! analysis decoded into a frozen index, and a new snapshot written of it.

use super::database::{generation, open_read_only, stamp};
use super::rows::{put, stored_docs};
use super::sync::{process, Outcome, Synced, BATCH};
use super::{trace, OpenTimings, SyncStats};
use crate::load::{self, LoadError};
use crate::snapshot;
use crate::stored::{decode, encode};
use anyhow::Result;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, FrozenBuilder, FrozenCorpus};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::{Duration, Instant};

/// Where a sync sends each source it extracts, to be added to the frozen index as it is
/// written and dropped (a first build holds no more than a batch of them at once).
pub(super) type Sink = SyncSender<(usize, AnalyzedSource)>;

/// What the builder leaves: the frozen index, the bytes of text of its sources, and the
/// files it holds, in id order.
pub(super) type Built = (FrozenCorpus, u64, Vec<usize>);

/// A sink, and the builder behind it on a thread of `scope`, for a sync of `total` files.
pub(super) fn builder<'scope>(
    scope: &'scope Scope<'scope, '_>,
    total: usize,
) -> (Sink, ScopedJoinHandle<'scope, Built>) {
    let (sink, sources) = std::sync::mpsc::sync_channel(BATCH);
    (sink, scope.spawn(move || build(sources, total)))
}

/// Adds each source that comes to a frozen index, in its file's slot, and drops it: ids
/// follow file order whatever order the sources come in.
fn build(sources: Receiver<(usize, AnalyzedSource)>, total: usize) -> Built {
    let mut frozen = FrozenBuilder::new();
    let mut added = vec![false; total];
    let mut bytes = 0u64;
    for (i, s) in sources {
        bytes += s.doc.text.len() as u64;
        frozen.add_at(i, &s);
        added[i] = true;
    }
    let order: Vec<usize> = (0..total).filter(|&i| added[i]).collect();
    (frozen.finish(), bytes, order)
}

/// The corpus of the database at `db` after a sync of `files` (`synced`), whose extracted
/// sources went to `sink`'s `builder`; `tick` counts stored analyses decoded.
#[allow(clippy::type_complexity)]
pub(super) fn load(
    db: &Path,
    files: &[PathBuf],
    base: &Path,
    synced: Synced,
    (sink, builder): (Sink, ScopedJoinHandle<'_, Built>),
    tick: &(dyn Fn(usize) + Sync),
    t_sync: Instant,
) -> Result<(SyncStats, Option<(CorpusIndex, u64)>, OpenTimings, Vec<LoadError>)> {
    let Synced { stats, mut conn, keys, stamps, to_load, mut errors, sync } = synced;
    let total = files.len();
    // Nothing changed and the snapshot is current: open it, reading documents when needed.
    let t_load = Instant::now();
    let generation = generation(&conn)?.unwrap_or_default();
    let snap = snapshot::path_for(db);
    // (Every source the sync extracted counts as added or changed.)
    let unchanged = stats.added + stats.changed + stats.removed == 0;
    if unchanged {
        // Checked whole before it is used (on every core): a damaged snapshot is found here,
        // not in the middle of a check.
        match snapshot::open(&snap, stamp(&generation, &base.to_string_lossy()), false)
            .and_then(|r| r.map(|s| s.check_all().and_then(|()| snapshot::thaw(db, s))).transpose())
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
            // A damaged snapshot is never used: the corpus is loaded from the database (and
            // the snapshot written again), with a warning naming it.
            Err(e) => {
                trace(&format!("snapshot unusable ({e:#})"), t_sync);
                let reason =
                    format!("index snapshot unusable ({e:#}); the corpus was loaded from the database instead");
                errors.push(LoadError { path: snap.clone(), reason });
            }
        }
    }

    // Load: a reader thread streams the stored rows, rayon decodes them in batches, and the
    // builder adds each source to the frozen index (in its file's slot) as it comes, beside
    // the sources the sync extracted, which it was sent as they were written.
    let (frozen, bytes, order, load, build) =
        std::thread::scope(|sc| -> Result<(FrozenCorpus, u64, Vec<usize>, Duration, Duration)> {
            let (blob_tx, blob_rx) = std::sync::mpsc::sync_channel::<Vec<(usize, Vec<u8>)>>(2);
            let to_load = &to_load;
            let reader = sc.spawn(move || -> Result<()> {
                if to_load.is_empty() {
                    return Ok(()); // a first build: everything came from the sync
                }
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
                            let _ = sink.send((i, s));
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
                                let _ = sink.send((i, *source));
                            }
                            Outcome::Failed(e) => errors.push(e),
                            Outcome::Same { .. } => {}
                        }
                    }
                }
                tx.commit()?;
            }
            drop(sink);
            let load = t_load.elapsed();
            let t_build = Instant::now();
            let (frozen, bytes, order) = builder.join().map_err(|_| anyhow::anyhow!("the index builder panicked"))?;
            Ok((frozen, bytes, order, load, t_build.elapsed()))
        })?;
    // The next open of this unchanged corpus starts from a snapshot (a failure to write one
    // only costs time). This one goes on from the same arrays: the loaded documents were
    // dropped as they were indexed, and are read again as lookups need them.
    trace("built", t_sync);
    let docs = stored_docs(&conn, order.iter().map(|&i| keys[i].as_str()))?;
    // It goes on from the snapshot just written, mapped (its pages are in the page cache,
    // and the arrays in memory are dropped), or from the arrays when none could be written.
    let shown_base = base.to_string_lossy();
    let stamp = stamp(&generation, &shown_base);
    let written = snapshot::write(&snap, stamp, &docs, &frozen)
        .inspect(|()| trace("snapshot written", t_sync))
        .and_then(|()| snapshot::open(&snap, stamp, false))
        .and_then(|s| s.map(|s| snapshot::thaw(db, s)).transpose());
    trace("snapshot opened", t_sync);
    let index = match written {
        Ok(Some(index)) => index,
        Ok(None) => snapshot::thaw_in_memory(db, docs, frozen)?,
        Err(e) => {
            trace(&format!("snapshot not written ({e:#})"), t_sync);
            snapshot::thaw_in_memory(db, docs, frozen)?
        }
    };
    Ok((stats, Some((index, bytes)), OpenTimings { sync, load, build }, errors))
}
