//! One row per source file: its stamp (size, mtime, content hash) and its stored analysis.

use crate::snapshot;
use anyhow::Result;
use copydesk_engine::corpus::AnalyzedSource;
use rusqlite::{params, Connection};
use std::collections::HashMap;

pub(super) struct Row {
    pub size: i64,
    pub mtime: i64,
    pub hash: [u8; 32],
    /// Row id of the serialized document in `blobs`.
    pub blob: i64,
}

/// Writes one analyzed document, `replacing` what was stored for its path.
pub(super) fn put(
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
pub(super) fn forget(conn: &Connection, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM blobs WHERE id = (SELECT blob FROM docs WHERE path = ?1)")?.execute([key])?;
    conn.prepare_cached("DELETE FROM docs WHERE path = ?1")?.execute([key])?;
    Ok(())
}

/// The stored documents with these database keys, in order, with their content hashes.
pub(super) fn stored_docs<'a>(
    conn: &Connection,
    keys: impl Iterator<Item = &'a str>,
) -> Result<Vec<snapshot::StoredDoc>> {
    let mut stmt = conn.prepare("SELECT path, hash FROM docs")?;
    let hashes: HashMap<String, [u8; 32]> = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get_ref(1)?.as_blob()?.try_into().unwrap_or([0; 32]))))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(keys
        .map(|k| snapshot::StoredDoc { key: k.to_string(), hash: hashes.get(k).copied().unwrap_or([0; 32]) })
        .collect())
}
