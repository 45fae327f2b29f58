//! The database itself: opening it, its tables, and its `meta` entries (the format and
//! engine it was written by, and the generation of what it stores).

use super::SyncStats;
use crate::snapshot;
use anyhow::{Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, SourceDoc};
use copydesk_engine::TextFormat;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// Layout of the database and of its rows; bump on any change to either. 5: a stored
/// `SourceDoc` carries its `layout` (the page starts of a PDF's text); a row of 4 would not
/// decode as one, so a database of 4 is rebuilt.
pub const FORMAT_VERSION: u32 = 5;

/// Version of the engine whose analyses are stored (the workspace shares one
/// version, so this is `copydesk_engine`'s crate version).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

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
                layout: Default::default(),
            });
            h.update(&postcard::to_allocvec(&src.analysis).unwrap_or_default());
            h.update(&postcard::to_allocvec(&src.sentence_terms).unwrap_or_default());
        }
        h.finalize().to_hex()[..16].to_string()
    })
}

/// Opens (or creates) the database; `unjournaled` for a [`FirstBuild`]'s file, which
/// nothing else reads before it is complete.
pub(super) fn connect(db: &Path, unjournaled: bool) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("{}: cannot open the index", db.display()))?;
    conn.busy_timeout(BUSY)?;
    let (journal, sync) = if unjournaled { ("OFF", "OFF") } else { ("WAL", "NORMAL") };
    set_journal_mode(&conn, journal)?;
    conn.pragma_update(None, "synchronous", sync)?;
    Ok(conn)
}

/// How long a connection waits for another's lock.
const BUSY: Duration = Duration::from_secs(30);

/// Sets the journal mode. Switching to WAL takes the database's exclusive lock, and two
/// connections switching at once (two first builds in one server: the one put in place and
/// the one that lost the race, each opening it) each hold the shared lock the other waits
/// on; SQLite then answers one of them "busy" at once, without waiting out the busy
/// timeout. That one tries again, for as long as the busy timeout would have waited.
fn set_journal_mode(conn: &Connection, journal: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY;
    loop {
        match conn.pragma_update(None, "journal_mode", journal) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            r => return Ok(r?),
        }
    }
}

/// Opens the database, rebuilding it when it was written by another version.
pub(super) fn prepare(db: &Path, stats: &mut SyncStats, unjournaled: bool) -> Result<Connection> {
    let conn = connect(db, unjournaled)?;
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

/// Whether an error says the database file is corrupt or not a database.
pub(super) fn corrupt(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(|e| {
            matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase))
        })
    })
}

/// Removes the WAL and shared-memory files beside the database at `db`.
pub(super) fn remove_journal(db: &Path) {
    for ext in ["sqlite-wal", "sqlite-shm"] {
        let _ = std::fs::remove_file(db.with_extension(ext));
    }
}

/// A read-only connection to the database at `db` (waiting up to 30 s for a writer).
pub(crate) fn open_read_only(db: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("{}: cannot open the index", db.display()))?;
    conn.busy_timeout(BUSY)?;
    Ok(conn)
}

/// The `meta` entries a database must have to be read by this build.
pub(super) fn wanted_meta() -> [(&'static str, String); 3] {
    [
        ("format", FORMAT_VERSION.to_string()),
        ("engine", ENGINE_VERSION.to_string()),
        ("fingerprint", engine_fingerprint().to_string()),
    ]
}

/// The database's `meta` table.
pub(super) fn read_meta(conn: &Connection) -> Result<HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT key, value FROM meta")?;
    let have = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(have)
}

/// What a snapshot of this database's `generation`, shown relative to `base`, is made for.
pub(super) fn stamp<'a>(generation: &'a str, base: &'a str) -> snapshot::Stamp<'a> {
    snapshot::Stamp { fingerprint: engine_fingerprint(), generation, base }
}

/// The stamp of the stored content (changed by every sync that changes it).
pub(super) fn generation(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| r.get(0)).optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by CI (`two_first_builds_at_once_leave_one_complete_index`, "database is
    /// locked"): two connections switching one new database to WAL at the same moment.
    #[test]
    fn two_connections_switching_to_wal_at_once_both_succeed() {
        let dir = tempfile::tempdir().unwrap();
        for round in 0..200 {
            let db = dir.path().join(format!("db-{round}.sqlite"));
            let first = connect(&db, true).unwrap();
            first.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
            drop(first);
            let start = std::sync::Barrier::new(2);
            std::thread::scope(|sc| {
                let open = || {
                    start.wait();
                    connect(&db, false).map(|_| ())
                };
                let (a, b) = (sc.spawn(open), sc.spawn(open));
                for r in [a.join().unwrap(), b.join().unwrap()] {
                    r.unwrap_or_else(|e| panic!("round {round}: {e:#}"));
                }
            });
        }
    }
}
