//! The index snapshot: a frozen [`CorpusIndex`] beside the database, so that an
//! unchanged corpus opens without reading (or decoding) every stored analysis.
//!
//! The database stays the record of what was extracted; the snapshot holds the term and
//! figure indexes as flat arrays and, for each document, its path, the database key and
//! the content hash by which a document is read back the first time a lookup needs it.
//!
//! File layout (little-endian): the magic `CDSNAP05`; the blake3 digest of the header and
//! the block table (32 bytes); the header's length (8 bytes) and the header (postcard,
//! [`Header`]: engine fingerprint, database generation, base folder of the shown paths, the
//! number of documents, where each section lies, the figure buckets, the number of
//! blocks); the block table (the XXH3-128 digest of each block of 1 KiB of the sections,
//! [`block_digest`]); then, from the next multiple of 4 KiB (a page), the sections ([`Section`]),
//! each a whole number of `u64`s: the arrays of a [`FrozenCorpus`] as they are, the paths
//! and database keys as offsets and bytes, the content hashes, and the figures as four
//! arrays in bucket order.
//!
//! The file is mapped, not read ([`MappedSnapshot`]): an open reads and checks the header
//! (its digest, and that the sections fit it), and a lookup reads only the pages it needs,
//! in place; each block is checked against its digest the first time a lookup uses it, so
//! no answer is ever made from bytes that do not match. A block that does not is the base's
//! failure ([`CorpusBase::failure`](copydesk_engine::corpus::CorpusBase::failure)): the
//! check made through it reports nothing, and [`MappedSnapshot::check_all`] (which the
//! language server runs behind its first checks, and an open through the database runs
//! before it uses a snapshot) names the file, so that the corpus is loaded from the
//! database instead.
//!
//! A snapshot is written to a temporary file and renamed into place, never changed in
//! place (one left by a killed process is removed by the next sync:
//! [`remove_abandoned_temps`]); one made for another [`Stamp`] (engine, database
//! generation, base folder), or in another format, is stale and not used.

mod base;
mod loader;
mod mapped;
mod readahead;
mod write;

pub use base::SnapshotBase;
pub use loader::SqliteLoader;
pub use mapped::MappedSnapshot;
pub use write::write;

use anyhow::Result;
use copydesk_engine::claims::QuantityKind;
use copydesk_engine::corpus::{CorpusIndex, FrozenCorpus};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"CDSNAP05";

/// What every snapshot's magic starts with; the last two bytes are its format's version.
const MAGIC_FAMILY: &[u8; 6] = b"CDSNAP";

/// Size of the blocks of the sections that are checked against a digest each: a quarter
/// of a page, so that a lookup checks about what it reads. Most of a first check's reads
/// are a sentence's terms or a document's row, tens of bytes each at random places: with
/// blocks of a page (format 04) their digests were 7 % of its instructions (36 of 518
/// million at 100,000 stories), three quarters of that for bytes no lookup read.
const BLOCK: usize = 1 << 10;

/// The sections start at a multiple of a page.
const PAGE: usize = 1 << 12;

/// Bytes of a block's digest in the block table.
const DIGEST: usize = 16;

/// A block's digest: XXH3-128, made to find damage (a torn write, a flipped bit, another
/// file's bytes), not tampering, which the file's place beside the database guards against
/// as it guards the database. A first check at 100,000 stories checks the blocks it reads
/// on the way: with blake3 (format 03) their digests were a quarter of its instructions
/// (218 of 859 million).
fn block_digest(bytes: &[u8]) -> [u8; DIGEST] {
    xxhash_rust::xxh3::xxh3_128(bytes).to_le_bytes()
}

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

/// The sections of a snapshot, in file order; each a whole number of `u64`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The arrays of a [`FrozenCorpus`], as they are.
    DocSentences,
    SentenceStarts,
    SentenceTerms,
    Terms,
    TermStarts,
    Postings,
    /// Where each document's path starts in `PathBytes` (one more than the documents).
    PathStarts,
    PathBytes,
    /// Where each document's database key starts in `KeyBytes`.
    KeyStarts,
    KeyBytes,
    /// The content hash of each document (32 bytes).
    Hashes,
    /// The figures, bucket after bucket, each bucket in lookup order: the low and high end
    /// of each range (f64 bits), its document and quantity (`doc << 32 | quantity`), its sentence.
    FigureLows,
    FigureHighs,
    FigureRefs,
    FigureSentences,
}

const SECTIONS: usize = Section::FigureSentences as usize + 1;

/// The header of a snapshot.
#[derive(Serialize, Deserialize)]
struct Header {
    fingerprint: String,
    generation: String,
    base: String,
    docs: u64,
    /// Where each section starts (from the first section's start) and its length, in bytes.
    sections: Vec<(u64, u64)>,
    buckets: Vec<Bucket>,
    /// Blocks of the sections (each with its digest in the block table after the header).
    blocks: u64,
}

/// One (kind, unit) bucket of the figure index: its figures `start..end`, and its widest range.
#[derive(Serialize, Deserialize)]
struct Bucket {
    kind: QuantityKind,
    unit: Option<String>,
    start: u64,
    end: u64,
    widest: f64,
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

/// Opens the snapshot at `path` if it was made for `stamp` (for any generation of the
/// database when `any_generation`); Ok(None) when there is none or it is stale, an error
/// when its header is damaged. Its sections are checked block by block as they are used
/// ([`MappedSnapshot::check_all`] checks them all).
pub fn open(path: &Path, stamp: Stamp, any_generation: bool) -> Result<Option<Arc<MappedSnapshot>>> {
    let Some(snap) = MappedSnapshot::open(path)? else { return Ok(None) };
    let h = &snap.header;
    let generation_ok = any_generation || h.generation == stamp.generation;
    if h.fingerprint != stamp.fingerprint || !generation_ok || h.base != stamp.base {
        return Ok(None);
    }
    Ok(Some(Arc::new(snap)))
}

impl MappedSnapshot {
    /// The database generation the snapshot was made for.
    pub fn generation(&self) -> &str {
        &self.header.generation
    }
}

/// The index over a mapped snapshot, reading its documents from the database at `db`.
pub fn thaw(db: &Path, snap: Arc<MappedSnapshot>) -> Result<CorpusIndex> {
    Ok(CorpusIndex::over(Arc::new(SnapshotBase::new(db, snap)?)))
}

/// The index over a frozen corpus in memory (whose documents are `docs`), reading its
/// documents from the database at `db`: when no snapshot could be written of it.
pub fn thaw_in_memory(db: &Path, docs: Vec<StoredDoc>, frozen: FrozenCorpus) -> Result<CorpusIndex> {
    let loader = SqliteLoader::open(db, docs)?;
    Ok(CorpusIndex::thaw(frozen, Arc::new(loader)))
}
