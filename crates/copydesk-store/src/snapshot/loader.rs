//! Reading a snapshot's documents back from the database, each checked against the content
//! hash it had when the snapshot was made (a document changed since is not read).

use super::StoredDoc;
use copydesk_engine::corpus::{AnalyzedSource, DocId, DocLoader};
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

/// The stored analysis of the document with database key `key`, if its row still holds
/// content `hash`; when it cannot be read or decoded, the file is analyzed again (if it
/// still has that content).
pub(super) fn read_back(conn: &Connection, key: &str, hash: &[u8; 32], path: &str) -> Option<AnalyzedSource> {
    if let Some(source) = stored(conn, key, hash).and_then(|blob| crate::stored::decode(&blob, path.to_string()).ok()) {
        return Some(source);
    }
    let file = Path::new(key);
    let bytes = std::fs::read(file).ok()?;
    if blake3::hash(&bytes).as_bytes() != hash {
        return None;
    }
    crate::load::read_source(file, path.to_string()).ok().map(AnalyzedSource::new)
}

fn stored(conn: &Connection, key: &str, hash: &[u8; 32]) -> Option<Vec<u8>> {
    let mut stmt = conn
        .prepare_cached("SELECT b.data FROM docs d JOIN blobs b ON b.id = d.blob WHERE d.path = ?1 AND d.hash = ?2")
        .ok()?;
    stmt.query_row(rusqlite::params![key, &hash[..]], |r| r.get(0)).optional().ok()?
}

/// Reads the documents of an index thawed from a frozen corpus in memory from the database.
pub struct SqliteLoader {
    conn: Mutex<Connection>,
    docs: Vec<StoredDoc>,
}

impl SqliteLoader {
    pub fn open(db: &Path, docs: Vec<StoredDoc>) -> anyhow::Result<Self> {
        Ok(SqliteLoader { conn: Mutex::new(crate::index::open_read_only(db)?), docs })
    }
}

impl DocLoader for SqliteLoader {
    fn load(&self, doc: DocId, path: &str) -> Option<AnalyzedSource> {
        let d = self.docs.get(doc as usize)?;
        let conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        read_back(&conn, &d.key, &d.hash, path)
    }
}
