//! A mapped snapshot as the base of an index: its arrays answer every lookup in place, as
//! the frozen index it was written from would (the engine's `FrozenBase`), and its
//! documents are read from the database when a lookup first needs one.

use super::{loader, MappedSnapshot, Section};
use crate::pools::Pool;
use anyhow::Result;
use copydesk_engine::corpus::{AnalyzedSource, CorpusBase, DocId, QuantityKey, QuantityRef, RadixTable, SentRef};
use rayon::prelude::*;
use rusqlite::Connection;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Threads that read documents back for [`SnapshotBase::load_many`]: a pool of their own,
/// so that a check's reads do not wait behind a sync's stats of every file on the I/O pool
/// (the language server syncs the files while it makes its first checks).
const READERS: usize = 8;

/// A mapped snapshot as an index's base ([`super::thaw`]).
pub struct SnapshotBase {
    snap: Arc<MappedSnapshot>,
    /// The figure buckets: figures `start..end` and the widest range among them.
    buckets: HashMap<QuantityKey, (usize, usize, f64)>,
    /// Document ids by path, made the first time a path is asked about.
    by_path: OnceLock<HashMap<String, DocId>>,
    /// Where each term's run of leading bits starts in the terms section.
    terms: OnceLock<RadixTable>,
    /// The database the documents are read from, and connections to it not in use (one
    /// per reader: documents asked for together are read side by side, `load_many`).
    db: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SnapshotBase {
    pub fn new(db: &Path, snap: Arc<MappedSnapshot>) -> Result<Self> {
        let buckets = snap
            .header
            .buckets
            .iter()
            .map(|b| (QuantityKey { kind: b.kind, unit: b.unit.clone() }, (b.start as usize, b.end as usize, b.widest)))
            .collect();
        let idle = Mutex::new(vec![crate::index::open_read_only(db)?]);
        Ok(SnapshotBase { snap, buckets, by_path: OnceLock::new(), terms: OnceLock::new(), db: db.to_path_buf(), idle })
    }

    /// Runs `f` on a connection not in use (opened when none is), and keeps it for the next.
    fn with_connection<R>(&self, f: impl FnOnce(&Connection) -> R) -> Option<R> {
        let idle = || self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = idle().pop();
        let conn = match taken {
            Some(c) => c,
            None => crate::index::open_read_only(&self.db).ok()?,
        };
        let r = f(&conn);
        idle().push(conn);
        Some(r)
    }

    /// Reads document `doc` back from the database through `conn`.
    fn read(&self, conn: &Connection, doc: DocId) -> Option<AnalyzedSource> {
        let key = self.text(Section::KeyStarts, Section::KeyBytes, doc)?;
        let d = doc as usize;
        let hash: [u8; 32] = self.snap.bytes(Section::Hashes, d * 32..d * 32 + 32)?.try_into().ok()?;
        loader::read_back(conn, key, &hash, self.path(doc)?)
    }

    /// The snapshot under it.
    pub fn snapshot(&self) -> &Arc<MappedSnapshot> {
        &self.snap
    }

    /// Element `i` of a section and the one after: where a thing starts and ends.
    fn span(&self, section: Section, i: usize) -> Option<(usize, usize)> {
        let w = self.snap.u64s(section, i..i.checked_add(2)?)?;
        (w[0] <= w[1]).then(|| (w[0] as usize, w[1] as usize))
    }

    /// The string of document `doc` in a table of offsets and bytes.
    fn text(&self, starts: Section, bytes: Section, doc: DocId) -> Option<&str> {
        let (a, b) = self.span(starts, doc as usize)?;
        std::str::from_utf8(self.snap.bytes(bytes, a..b)?).ok()
    }

    fn path(&self, doc: DocId) -> Option<&str> {
        self.text(Section::PathStarts, Section::PathBytes, doc)
    }

    /// Where the postings of `term` lie in the postings array.
    fn posting_range(&self, term: u64) -> Option<(usize, usize)> {
        let terms = self.snap.all_u64s(Section::Terms)?;
        // Made the first time a term is looked up (a pass over the terms the line above has
        // just read whole and checked).
        let i = self.terms.get_or_init(|| RadixTable::new(terms)).find(terms, term)?;
        let starts = self.snap.all_u64s(Section::TermStarts)?;
        let (a, b) = (*starts.get(i)?, *starts.get(i + 1)?);
        (a <= b).then_some((a as usize, b as usize))
    }

    /// Where the terms of sentence `at` lie in the sentence terms array.
    fn sentence_term_range(&self, at: SentRef) -> Option<(usize, usize)> {
        let (first, end) = self.span(Section::DocSentences, at.doc as usize)?;
        let i = first.checked_add(at.sentence as usize).filter(|&i| i < end)?;
        self.span(Section::SentenceStarts, i)
    }

    fn term_postings(&self, term: u64) -> &[u64] {
        self.posting_range(term).and_then(|(a, b)| self.snap.u64s(Section::Postings, a..b)).unwrap_or(&[])
    }
}

impl CorpusBase for SnapshotBase {
    fn slots(&self) -> DocId {
        self.snap.header.docs as DocId
    }

    fn docs(&self) -> usize {
        self.snap.header.docs as usize
    }

    fn sentences(&self) -> usize {
        self.snap.count(Section::SentenceStarts) - 1
    }

    fn doc_sentences(&self, doc: DocId) -> usize {
        self.span(Section::DocSentences, doc as usize).map_or(0, |(a, b)| b - a)
    }

    fn id_of(&self, path: &str) -> Option<DocId> {
        let by_path = self
            .by_path
            .get_or_init(|| (0..self.slots()).filter_map(|doc| Some((self.path(doc)?.to_string(), doc))).collect());
        by_path.get(path).copied()
    }

    fn df(&self, term: u64) -> usize {
        // From where its postings start and end: the postings themselves are not read.
        self.posting_range(term).map_or(0, |(a, b)| b - a)
    }

    fn postings(&self, term: u64) -> Cow<'_, [u64]> {
        Cow::Borrowed(self.term_postings(term))
    }

    fn prefetch_postings(&self, terms: &[u64]) {
        if !self.snap.is_cold() {
            return;
        }
        for &t in terms {
            if let Some((a, b)) = self.posting_range(t) {
                self.snap.will_need(Section::Postings, a..b);
            }
        }
    }

    fn prefetch_sentence_terms(&self, at: &[SentRef]) {
        if !self.snap.is_cold() {
            return;
        }
        for &r in at {
            if let Some((a, b)) = self.sentence_term_range(r) {
                self.snap.will_need(Section::SentenceTerms, a..b);
            }
        }
    }

    fn sentence_terms(&self, at: SentRef) -> Option<Cow<'_, [u64]>> {
        let (a, b) = self.sentence_term_range(at)?;
        self.snap.u64s(Section::SentenceTerms, a..b).map(Cow::Borrowed)
    }

    fn figures_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef> {
        let Some(&(start, end, widest)) = self.buckets.get(key) else { return Vec::new() };
        // As the figure index's bucket finds them (`may_overlap`), with two binary searches
        // of the bucket's lows that check only the blocks they read.
        let lows_at = |range: Range<usize>, pred: &dyn Fn(f64) -> bool| {
            self.snap.partition_point(Section::FigureLows, range, |l| pred(f64::from_bits(l)))
        };
        let Some(last) = lows_at(start..end, &|l| l <= high) else { return Vec::new() };
        let Some(first) = lows_at(start..start + last, &|l| l < low - widest) else { return Vec::new() };
        let at = start + first..start + last;
        for section in [Section::FigureLows, Section::FigureHighs, Section::FigureRefs, Section::FigureSentences] {
            self.snap.will_need(section, at.clone());
        }
        let (Some(lows), Some(highs), Some(refs), Some(sentences)) = (
            self.snap.u64s(Section::FigureLows, at.clone()),
            self.snap.u64s(Section::FigureHighs, at.clone()),
            self.snap.u64s(Section::FigureRefs, at.clone()),
            self.snap.u64s(Section::FigureSentences, at),
        ) else {
            return Vec::new();
        };
        let found: Vec<QuantityRef> = lows
            .iter()
            .zip(highs.iter().zip(refs).zip(sentences))
            .filter(|&(&l, ((&h, _), _))| f64::from_bits(l) <= high && f64::from_bits(h) >= low)
            .map(|(_, ((_, &r), &s))| QuantityRef { doc: (r >> 32) as u32, quantity: r as u32, sentence: s as u32 })
            .take(limit)
            .collect();
        // The engine asks for the terms of each figure's sentence next.
        if self.snap.is_cold() {
            self.prefetch_sentence_terms(
                &found.iter().map(|r| SentRef { doc: r.doc, sentence: r.sentence }).collect::<Vec<_>>(),
            );
        }
        found
    }

    fn load(&self, doc: DocId) -> Option<AnalyzedSource> {
        self.with_connection(|conn| self.read(conn, doc)).flatten()
    }

    /// The documents read side by side on threads of their own ([`READERS`]), each on a
    /// connection of its own: a document not in the page cache costs a few disk round trips,
    /// which many reads in flight hide, and decoding them is spread over the cores. With the
    /// snapshot in the page cache (the database most likely is too) a read waits for no disk,
    /// so no more of them run at once than there are cores: more would only take turns on
    /// them, and away from the check that asked. The same documents as
    /// [`CorpusBase::load`] of each, in the order asked.
    fn load_many(&self, docs: &[DocId]) -> Vec<Option<AnalyzedSource>> {
        static POOL: Pool = Pool::new(READERS, "copydesk-read");
        if docs.len() < 2 {
            return docs.iter().map(|&d| self.load(d)).collect();
        }
        if self.snap.is_cold() {
            // What each read looks up first: its key, hash and path.
            for &doc in docs {
                let d = doc as usize;
                self.snap.will_need_bytes(Section::Hashes, d * 32..d * 32 + 32);
                for (starts, bytes) in
                    [(Section::KeyStarts, Section::KeyBytes), (Section::PathStarts, Section::PathBytes)]
                {
                    if let Some((a, b)) = self.span(starts, d) {
                        self.snap.will_need_bytes(bytes, a..b);
                    }
                }
            }
        }
        let at_once = if self.snap.is_cold() { READERS } else { copydesk_engine::check::cores() };
        let each = docs.len().div_ceil(at_once);
        POOL.install(|| docs.par_iter().with_min_len(each).map(|&d| self.load(d)).collect())
    }

    fn failure(&self) -> Option<String> {
        self.snap.damage().map(str::to_string)
    }
}
