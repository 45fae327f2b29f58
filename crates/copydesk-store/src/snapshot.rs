//! The index snapshot: a frozen [`CorpusIndex`] beside the database, so that an
//! unchanged corpus opens without reading (or decoding) every stored analysis.
//!
//! The database stays the record of what was extracted; the snapshot holds the
//! term and figure indexes as flat arrays ([`FrozenCorpus`]) and, for each
//! document, the database key and content hash by which [`SqliteLoader`] reads
//! the document the first time a lookup needs it.
//!
//! File layout (little-endian): the magic `CDSNAP02`; the blake3 digest of everything
//! after it (32 bytes); a length-prefixed postcard header (`Header`: engine fingerprint,
//! database generation, base folder of the shown paths, documents, figure index); then six
//! length-prefixed `u64` arrays (document sentences, sentence starts, sentence terms,
//! terms, term starts, postings). It is written to a temporary file and renamed into
//! place (one left by a killed process is removed by the next sync:
//! [`remove_abandoned_temps`]); a snapshot made for another [`Stamp`] (engine, database
//! generation, base folder), or in another format, is stale and not used; one that does
//! not parse, whose arrays do not fit together or whose content does not match its
//! digest is damaged: an error (the caller warns and falls back to the database).
//!
//! The digest is checked as the file is read: each block the parser has read is handed
//! to a thread that hashes it, so that on a second core the check costs little more
//! than the read itself (see [`read`]).

use anyhow::{bail, ensure, Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, DocId, DocLoader, FrozenBucket, FrozenCorpus};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

const MAGIC: &[u8; 8] = b"CDSNAP02";

/// What every snapshot's magic starts with; the last two bytes are its format's version.
const MAGIC_FAMILY: &[u8; 6] = b"CDSNAP";

/// Bytes before the digested content: the magic and the digest.
const PREAMBLE: u64 = 8 + 32;

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
        let mut file = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        // The digest goes after the magic once the rest is written.
        file.write_all(MAGIC)?;
        file.write_all(&[0; 32])?;
        let mut w = Digesting { inner: BufWriter::with_capacity(1 << 20, file), hasher: blake3::Hasher::new() };
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
        let digest = w.hasher.finalize();
        let mut file = w.inner.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(MAGIC.len() as u64))?;
        file.write_all(digest.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot move the snapshot into place", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A writer that hashes what goes through it.
struct Digesting<W> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Size of the blocks a snapshot is read in (and hashed in).
const BLOCK: usize = 1 << 20;

/// Reads a file in blocks and hands each block, once it has been read from, to a thread
/// that hashes it ([`digest_blocks`]): the digest is worked out beside the parsing.
struct DigestingReader {
    file: std::fs::File,
    block: Vec<u8>,
    /// Where the next read starts in `block`.
    at: usize,
    to_hasher: Option<SyncSender<Vec<u8>>>,
    /// Blocks the hasher is done with, to fill again.
    spare: Receiver<Vec<u8>>,
}

impl DigestingReader {
    /// Hands the block read from to the hasher and fills the next one; false at the end of the file.
    fn refill(&mut self) -> std::io::Result<bool> {
        let mut next = self.spare.try_recv().unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        next.resize(BLOCK, 0);
        let mut filled = 0;
        while filled < BLOCK {
            match self.file.read(&mut next[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        next.truncate(filled);
        let done = std::mem::replace(&mut self.block, next);
        self.at = 0;
        if !done.is_empty() {
            if let Some(tx) = &self.to_hasher {
                // A hasher that is gone shows up as a wrong digest.
                let _ = tx.send(done);
            }
        }
        Ok(filled > 0)
    }

    /// Hands the last block to the hasher: everything read so far has been hashed once the hasher ends.
    fn finish(&mut self) {
        let last = std::mem::take(&mut self.block);
        if let Some(tx) = self.to_hasher.take() {
            if !last.is_empty() {
                let _ = tx.send(last);
            }
        }
    }
}

impl Read for DigestingReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.block.len() && !self.refill()? {
            return Ok(0);
        }
        let n = out.len().min(self.block.len() - self.at);
        out[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Hashes the blocks that come in order, handing each back to be filled again.
fn digest_blocks(blocks: Receiver<Vec<u8>>, spare: std::sync::mpsc::Sender<Vec<u8>>) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    for block in blocks {
        hasher.update(&block);
        let _ = spare.send(block);
    }
    hasher.finalize()
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
///
/// Its digest is checked as it is read, on a thread of its own. At 100,000 stories (a
/// snapshot of 168 MB, on the 2-core VM, its other core busy with other work) a read
/// without the check took 97–108 ms, with it 126–150 ms (blake3 alone: 37–50 ms of one
/// core); hashing on the reading thread took 167–197 ms (`benches/snapshot_read.rs`;
/// README, "Scale").
pub fn read(path: &Path, stamp: Stamp, any_generation: bool) -> Result<Option<Snapshot>> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot open", path.display())),
    };
    let size = file.metadata()?.len();
    let mut magic = [0u8; 8];
    let mut digest = [0u8; 32];
    file.read_exact(&mut magic).context("snapshot: shorter than its magic")?;
    if &magic != MAGIC {
        if magic.starts_with(MAGIC_FAMILY) {
            return Ok(None); // of another format: stale
        }
        bail!("{}: not a copydesk snapshot", path.display());
    }
    file.read_exact(&mut digest).context("snapshot: shorter than its digest")?;
    let (to_hasher, blocks) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
    let (spare_tx, spare) = std::sync::mpsc::channel();
    std::thread::scope(|sc| {
        let hasher = sc.spawn(move || digest_blocks(blocks, spare_tx));
        let mut r = DigestingReader { file, block: Vec::new(), at: 0, to_hasher: Some(to_hasher), spare };
        let parsed = parse(&mut r, size.saturating_sub(PREAMBLE), stamp, any_generation);
        r.finish();
        drop(r);
        let snapshot = match parsed? {
            Some(s) => s,
            None => return Ok(None),
        };
        let hashed = hasher.join().map_err(|_| anyhow::anyhow!("snapshot: the hasher panicked"))?;
        ensure!(
            hashed == blake3::Hash::from_bytes(digest),
            "{}: damaged: its content does not match its digest",
            path.display()
        );
        Ok(Some(snapshot))
    })
}

/// Parses what follows the digest (`left` bytes) of a snapshot made for `stamp`.
fn parse(r: &mut impl Read, mut left: u64, stamp: Stamp, any_generation: bool) -> Result<Option<Snapshot>> {
    ensure!(left >= 8, "snapshot header runs past the end of the file");
    let head_len = read_u64(r)?;
    ensure!(head_len <= left - 8, "snapshot header runs past the end of the file");
    left -= 8 + head_len;
    let mut head = vec![0u8; head_len as usize];
    r.read_exact(&mut head)?;
    let header: Header = postcard::from_bytes(&head).context("snapshot header")?;
    let generation_ok = any_generation || header.generation == stamp.generation;
    if header.fingerprint != stamp.fingerprint || !generation_ok || header.base != stamp.base {
        return Ok(None);
    }
    let mut array = || read_array(r, &mut left);
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
