//! One row per source file: its stamp (size, mtime, content hash) and its stored analysis.

use crate::snapshot;
use anyhow::{Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, SourceDoc};
use copydesk_engine::{Analysis, LineIndex};
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

pub(super) fn encode(source: &mut AnalyzedSource) -> Result<Vec<u8>> {
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
