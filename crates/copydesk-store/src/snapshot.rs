//! The index snapshot: a frozen [`CorpusIndex`] beside the database, so that an
//! unchanged corpus opens without reading (or decoding) every stored analysis.
//!
//! The database stays the record of what was extracted; the snapshot holds the
//! term and figure indexes as flat arrays ([`FrozenCorpus`]) and, for each
//! document, the database key and content hash by which [`SqliteLoader`] reads
//! the document the first time a lookup needs it.
//!
//! File layout (little-endian): the magic `CDSNAP01`; a length-prefixed postcard
//! header (`Header`: engine fingerprint, database generation, base folder of the
//! shown paths, documents, figure index); then six length-prefixed `u64` arrays (document sentences, sentence
//! starts, sentence terms, terms, term starts, postings). It is written to a
//! temporary file and renamed into place (one left by a killed process is removed by the
//! next sync: [`remove_abandoned_temps`]); a snapshot made for another [`Stamp`]
//! (engine, database generation, base folder) is stale and not used; one that does
//! not parse or whose arrays do not fit together is an error (the caller falls
//! back to the database).

use anyhow::{bail, ensure, Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, DocId, DocLoader, FrozenBucket, FrozenCorpus};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const MAGIC: &[u8; 8] = b"CDSNAP01";

/// The snapshot file of the database at `db`.
pub fn path_for(db: &Path) -> PathBuf {
    db.with_extension("snapshot")
}

/// A stored document as the snapshot refers to it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredDoc {
    /// Key of its row in the database.
    pub key: String,
    /// Blake3 hash of the file content the stored analysis was made from.
    pub hash: [u8; 32],
}

/// What a snapshot must have been made for to be used: the engine (its fingerprint), the
/// stored content (the database's generation), and the folder its paths are shown relative to.
#[derive(Clone, Copy, Debug)]
pub struct Stamp<'a> {
    pub fingerprint: &'a str,
    pub generation: &'a str,
    pub base: &'a str,
}

/// [`Header`] as written, borrowing what it holds.
#[derive(Serialize)]
struct HeaderRef<'a> {
    fingerprint: &'a str,
    generation: &'a str,
    base: &'a str,
    docs: &'a [StoredDoc],
    paths: &'a [String],
    figures: &'a [FrozenBucket],
}

#[derive(Deserialize)]
struct Header {
    fingerprint: String,
    generation: String,
    base: String,
    docs: Vec<StoredDoc>,
    paths: Vec<String>,
    figures: Vec<FrozenBucket>,
}

/// What the name of a temporary snapshot file starts with: the snapshot's name and this;
/// the writer's process id follows.
const TEMP_INFIX: &str = ".tmp-";

/// The temporary file process `pid` writes the snapshot `path` to before moving it into place.
fn temp_path(path: &Path, pid: u32) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{name}{TEMP_INFIX}{pid}"))
}

/// Removes the temporary snapshot files of the database at `db` that processes killed
/// while writing them left behind (each up to the snapshot's size).
pub fn remove_abandoned_temps(db: &Path) {
    let snap = path_for(db);
    let (Some(dir), Some(name)) = (snap.parent(), snap.file_name()) else { return };
    crate::leftovers::remove_abandoned(dir, &format!("{}{TEMP_INFIX}", name.to_string_lossy()));
}

/// Writes a snapshot of `frozen` (whose documents are `docs`, by id) atomically.
pub fn write(path: &Path, stamp: Stamp, docs: &[StoredDoc], frozen: &FrozenCorpus) -> Result<()> {
    ensure!(docs.len() == frozen.paths.len(), "snapshot: {} documents for {} paths", docs.len(), frozen.paths.len());
    let tmp = temp_path(path, std::process::id());
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let FrozenCorpus {
            paths,
            doc_sentences,
            sentence_starts,
            sentence_terms,
            terms,
            term_starts,
            postings,
            figures,
        } = frozen;
        let Stamp { fingerprint, generation, base } = stamp;
        let header = HeaderRef { fingerprint, generation, base, docs, paths, figures };
        let head = postcard::to_allocvec(&header).context("cannot serialize the snapshot header")?;
        w.write_all(MAGIC)?;
        w.write_all(&(head.len() as u64).to_le_bytes())?;
        w.write_all(&head)?;
        for array in [doc_sentences, sentence_starts, sentence_terms, terms, term_starts, postings] {
            w.write_all(&(array.len() as u64).to_le_bytes())?;
            let mut buf = Vec::with_capacity(array.len().min(1 << 16) * 8);
            for chunk in array.chunks(1 << 16) {
                buf.clear();
                for v in chunk {
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                w.write_all(&buf)?;
            }
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot move the snapshot into place", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn read_u64(r: &mut impl Read) -> Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn read_array(r: &mut impl Read, left: &mut u64) -> Result<Vec<u64>> {
    ensure!(*left >= 8, "an array runs past the end of the file");
    let n = read_u64(r)?;
    *left -= 8;
    ensure!(n <= *left / 8, "an array runs past the end of the file");
    *left -= n * 8;
    // Through a small buffer: no second copy of the array, and no zeroed pages to fill.
    let mut out = Vec::with_capacity(n as usize);
    let mut buf = vec![0u8; 1 << 16];
    let mut rest = n as usize * 8;
    while rest > 0 {
        let chunk = &mut buf[..rest.min(1 << 16)];
        r.read_exact(chunk)?;
        out.extend(chunk.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]))));
        rest -= chunk.len();
    }
    Ok(out)
}

/// Offsets that start at 0, never go down and end at `end`.
fn check_offsets(name: &str, offsets: &[u64], end: u64) -> Result<()> {
    ensure!(offsets.first() == Some(&0), "snapshot: {name} do not start at 0");
    ensure!(offsets.windows(2).all(|w| w[0] <= w[1]), "snapshot: {name} go backwards");
    ensure!(offsets.last() == Some(&end), "snapshot: {name} do not end where their array does");
    Ok(())
}

/// A snapshot as read: its documents, its frozen index, and the database generation it was made for.
pub struct Snapshot {
    pub docs: Vec<StoredDoc>,
    pub frozen: FrozenCorpus,
    pub generation: String,
}

/// Reads the snapshot at `path` if it was made for `stamp` (for any generation of the
/// database when `any_generation`); Ok(None) when there is none or it is stale, an error
/// when it is damaged.
pub fn read(path: &Path, stamp: Stamp, any_generation: bool) -> Result<Option<Snapshot>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot open", path.display())),
    };
    let mut left = file.metadata()?.len();
    let mut r = std::io::BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC {
        bail!("{}: not a copydesk snapshot (or of another format)", path.display());
    }
    let head_len = read_u64(&mut r)?;
    ensure!(head_len <= left.saturating_sub(16), "snapshot header runs past the end of the file");
    left -= 16 + head_len;
    let mut head = vec![0u8; head_len as usize];
    r.read_exact(&mut head)?;
    let header: Header = postcard::from_bytes(&head).context("snapshot header")?;
    let generation_ok = any_generation || header.generation == stamp.generation;
    if header.fingerprint != stamp.fingerprint || !generation_ok || header.base != stamp.base {
        return Ok(None);
    }
    let mut array = || read_array(&mut r, &mut left);
    // In the order `write` writes them.
    let [doc_sentences, sentence_starts, sentence_terms, terms, term_starts, postings] =
        [array()?, array()?, array()?, array()?, array()?, array()?];
    ensure!(left == 0, "snapshot: {left} bytes after the last array");
    let docs = header.docs.len();
    ensure!(
        header.paths.len() == docs && doc_sentences.len() == docs + 1,
        "snapshot: document tables differ in length"
    );
    check_offsets("document sentences", &doc_sentences, (sentence_starts.len() as u64).saturating_sub(1))?;
    check_offsets("sentence starts", &sentence_starts, sentence_terms.len() as u64)?;
    ensure!(term_starts.len() == terms.len() + 1, "snapshot: term tables differ in length");
    check_offsets("term starts", &term_starts, postings.len() as u64)?;
    ensure!(terms.windows(2).all(|w| w[0] < w[1]), "snapshot: terms are not sorted");
    ensure!(
        header.figures.iter().all(|(_, _, entries)| entries.iter().all(|e| (e.2 as usize) < docs)),
        "snapshot: a figure refers to no document"
    );
    let frozen = FrozenCorpus {
        paths: header.paths,
        doc_sentences,
        sentence_starts,
        sentence_terms,
        terms,
        term_starts,
        postings,
        figures: header.figures,
    };
    Ok(Some(Snapshot { docs: header.docs, frozen, generation: header.generation }))
}

/// Reads the documents of a thawed index from the database, each checked against the
/// content hash it had when the snapshot was made (a document changed since is not read).
pub struct SqliteLoader {
    conn: Mutex<Connection>,
    docs: Vec<StoredDoc>,
}

impl SqliteLoader {
    pub fn open(db: &Path, docs: Vec<StoredDoc>) -> Result<Self> {
        Ok(SqliteLoader { conn: Mutex::new(crate::index::open_read_only(db)?), docs })
    }
}

impl SqliteLoader {
    fn stored(&self, d: &StoredDoc) -> Option<Vec<u8>> {
        let conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut stmt = conn
            .prepare_cached("SELECT b.data FROM docs d JOIN blobs b ON b.id = d.blob WHERE d.path = ?1 AND d.hash = ?2")
            .ok()?;
        stmt.query_row(rusqlite::params![d.key, &d.hash[..]], |r| r.get(0)).optional().ok()?
    }
}

impl DocLoader for SqliteLoader {
    /// The stored analysis; when it cannot be read or decoded, the file is analyzed again
    /// (if it still has the content the snapshot was made from).
    fn load(&self, doc: DocId, path: &str) -> Option<AnalyzedSource> {
        let d = self.docs.get(doc as usize)?;
        if let Some(source) = self.stored(d).and_then(|blob| crate::index::decode(&blob, path.to_string()).ok()) {
            return Some(source);
        }
        let file = Path::new(&d.key);
        let bytes = std::fs::read(file).ok()?;
        if blake3::hash(&bytes).as_bytes() != &d.hash {
            return None;
        }
        crate::load::read_source(file, path.to_string()).ok().map(AnalyzedSource::new)
    }
}

/// The thawed index of a snapshot, reading its documents from the database at `db`.
pub fn thaw(db: &Path, docs: Vec<StoredDoc>, frozen: FrozenCorpus) -> Result<CorpusIndex> {
    let loader = SqliteLoader::open(db, docs)?;
    Ok(CorpusIndex::thaw(frozen, Arc::new(loader)))
}
