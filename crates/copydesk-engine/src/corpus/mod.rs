//! The corpus in memory: analyzed source documents and the indexes that find
//! evidence for a claim without scanning the corpus.
//!
//! Two indexes serve every lookup:
//! - content terms → sentences (retrieval of similar sentences, idf-weighted);
//! - (quantity kind, unit) → figures (support lookups by value).

mod base;
mod candidates;
mod figures;
mod finding;
mod frozen;
mod memo;
mod radix;
mod source;

pub use base::CorpusBase;
pub use figures::may_overlap;
pub use frozen::{FrozenBucket, FrozenBuilder, FrozenCorpus, FrozenFigure};
pub use radix::RadixTable;
pub use source::{AnalyzedSource, SourceDoc};

use crate::claims::{Quantity, QuantityKind};
use crate::frame::{DocNames, FigureFrame};
use crate::terms::{self, TermMap};
use crate::text::Span;
use candidates::first_by_weight;
use figures::FigureBucket;
use memo::{Generation, Memo, MEMO_CAPACITY};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Identifies a document slot in a [`CorpusIndex`].
pub type DocId = u32;

/// A sentence of the corpus: document and sentence index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SentRef {
    pub doc: DocId,
    pub sentence: u32,
}

impl SentRef {
    /// As one number, in the order of the references (a posting of the term index).
    pub fn pack(self) -> u64 {
        (u64::from(self.doc) << 32) | u64::from(self.sentence)
    }

    /// The reference [`SentRef::pack`] gave.
    pub fn unpack(v: u64) -> Self {
        SentRef { doc: (v >> 32) as u32, sentence: v as u32 }
    }
}

/// A figure of the corpus: document, quantity index and the sentence that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuantityRef {
    pub doc: DocId,
    pub quantity: u32,
    pub sentence: u32,
}

/// Key of the figure index: figures are only compared within one kind and unit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuantityKey {
    pub kind: QuantityKind,
    pub unit: Option<String>,
}

impl QuantityKey {
    pub fn of(q: &Quantity) -> Self {
        QuantityKey { kind: q.kind, unit: q.unit.clone() }
    }
}

/// A sentence found similar to a query, with how much of the query it covers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimilarSentence {
    pub at: SentRef,
    /// Share of the query's term weight found in the sentence (0..=1).
    pub coverage: f32,
    /// Dice overlap of the two weighted term sets (0..=1).
    pub dice: f32,
}

/// Reads a document of a thawed corpus when a lookup first needs it (see [`CorpusIndex::thaw`]).
pub trait DocLoader: Send + Sync {
    /// The document with this id and path, as it was when the corpus was frozen; its
    /// speakers may be left unresolved ([`AnalyzedSource::speakers`] resolves them).
    fn load(&self, doc: DocId, path: &str) -> Option<AnalyzedSource>;
}

/// Analyzed sources and the inverted indexes over their claims.
#[derive(Default)]
pub struct CorpusIndex {
    /// The corpus kept elsewhere that this index reads from (documents `0..base.slots()`),
    /// if any: a thawed snapshot, a database.
    base: Option<Arc<dyn CorpusBase>>,
    /// Documents of the base read so far (None: an empty slot, or one that could not be read).
    base_docs: elsa::sync::FrozenMap<DocId, Box<Option<AnalyzedSource>>>,
    /// Documents of the base removed from this index.
    base_removed: HashSet<DocId>,
    /// Documents inserted, from id `base.slots()` on (None: removed since).
    docs: Vec<Option<AnalyzedSource>>,
    by_path: HashMap<String, DocId>,
    /// Postings of documents inserted.
    postings: TermMap<Vec<u64>>,
    /// How many of each term's postings (base or inserted) are of removed documents: they
    /// stay until [`CorpusIndex::compact`], and no count or lookup includes them.
    removed_postings: TermMap<u32>,
    /// Figures of documents inserted.
    quantities: HashMap<QuantityKey, FigureBucket>,
    sentences: usize,
    live_docs: usize,
    /// [`CorpusIndex::similar_sentences`] by (query terms hash, k): an edit re-asks only
    /// about the sentences it touched. Every memo is cleared whenever the corpus changes.
    retrieval_memo: Memo<(u64, usize), Arc<Vec<SimilarSentence>>>,
    /// The first candidates of a query by shared term weight, by query hash: one sentence is
    /// asked about with several `k` (its affinity, its figures, its quotes), and gathering
    /// candidates from the postings is most of the cost of asking. A list kept serves any
    /// `k` that wants no more candidates than it holds.
    candidate_memo: Memo<u64, Arc<Candidates>, CANDIDATE_MEMO_CAPACITY>,
    /// The words around each source figure, by (document, figure) (see `check::numbers`).
    figure_context_memo: Memo<(DocId, u32), Arc<[u64]>, { 4 * MEMO_CAPACITY }>,
    /// Source passages split into quote words, by (document, first block) (see `check::quotes`).
    passage_memo: Memo<(DocId, usize), Arc<Passage>>,
    /// The frame of each source figure consulted, by (document, figure) (see [`crate::frame`]).
    frame_memo: Memo<(DocId, u32), Arc<FigureFrame>, { 4 * MEMO_CAPACITY }>,
    /// The proper names of each source consulted for a figure.
    names_memo: Memo<DocId, Arc<DocNames>>,
    /// Changes whenever the corpus does: results derived from one generation hold for it only.
    generation: Generation,
}

/// The first candidates of a query (packed sentence, shared weight), as many as were asked
/// for or all there are.
struct Candidates {
    asked: usize,
    first: Vec<(u64, f64)>,
}

impl Candidates {
    /// The first `n` (`n` at most the number asked for).
    fn first(&self, n: usize) -> &[(u64, f64)] {
        &self.first[..n.min(self.first.len())]
    }
}

/// A source passage as normalized quote words with their spans ([`terms::quote_words`]).
pub type Passage = Vec<(Span, String)>;

/// Candidate lists kept.
const CANDIDATE_MEMO_CAPACITY: usize = 4_096;
/// Documents of the base read in one request by [`CorpusIndex::prefetch`].
const PREFETCHED_DOCS: usize = 256;

/// Candidates a retrieval of the `k` most similar sentences scores.
fn candidates_wanted(k: usize) -> usize {
    k.saturating_mul(4).max(32)
}

/// Candidates found for a query at the least: as many as a figure's check wants (24
/// neighbours). A draft sentence is asked about first for the draft's affinity (8
/// neighbours), and then, as the query of its figure, for more: found for the most at
/// once, the first are not found twice. The first `n` found for more are the first `n`.
const CANDIDATES_ASKED: usize = 96;

/// A query's key in the retrieval and candidate memos (FNV-1a over its terms).
fn query_key(query: &[u64]) -> u64 {
    query.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, t| (h ^ t).wrapping_mul(0x0100_0000_01b3))
}

impl CorpusIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn build(sources: Vec<AnalyzedSource>) -> Self {
        let mut idx = Self::new();
        for s in sources {
            idx.insert(s);
        }
        idx.finish();
        idx
    }

    /// An index over a corpus kept elsewhere: lookups go to `base`, documents are read from
    /// it on first use, and documents inserted or removed later are kept here (on top).
    pub fn over(base: Arc<dyn CorpusBase>) -> Self {
        let mut idx = Self::new();
        idx.sentences = base.sentences();
        idx.live_docs = base.docs();
        idx.base = Some(base);
        idx
    }

    /// Sorts the figure index after a bulk load (lookups stay correct without it, only slower).
    pub fn finish(&mut self) {
        let mut sorted = false;
        for bucket in self.quantities.values_mut() {
            if bucket.sorted < bucket.entries.len() {
                bucket.sort();
                sorted = true;
            }
        }
        if sorted {
            // Lookups list figures in a new order.
            self.forget_retrievals();
        }
    }

    /// Stamp of the corpus as it is now; any insert, removal or [`CorpusIndex::finish`] changes it,
    /// and no two indexes of one process share one.
    pub fn generation(&self) -> u64 {
        self.generation.0
    }

    /// Whether the index holds this very document: the same path and content. Putting it
    /// in again would change nothing.
    pub fn holds(&self, doc: &SourceDoc) -> bool {
        self.by_path(&doc.path).is_some_and(|held| held.doc == *doc)
    }

    /// Why a lookup of the base failed, if one did ([`CorpusBase::failure`]): a check made
    /// since is not to be shown as if the corpus had answered it.
    pub fn base_failure(&self) -> Option<String> {
        self.base.as_ref()?.failure()
    }

    /// Documents the base could not give as this engine reads them ([`CorpusBase::left_out`]).
    pub fn base_left_out(&self) -> usize {
        self.base.as_ref().map_or(0, |b| b.left_out())
    }

    /// Documents of the base read so far (kept for the index's life): a caller that must
    /// bound its memory opens a new index over the base when this grows.
    pub fn base_docs_read(&self) -> usize {
        self.base_docs.len()
    }

    /// Ids below this are the base's.
    fn base_slots(&self) -> DocId {
        self.base.as_ref().map_or(0, |b| b.slots())
    }

    /// The id of the live document with this path.
    fn id_of(&self, path: &str) -> Option<DocId> {
        if let Some(id) = self.by_path.get(path) {
            return Some(*id);
        }
        self.base.as_ref()?.id_of(path).filter(|id| !self.base_removed.contains(id))
    }

    /// Adds a document, replacing any with the same path; one the index already
    /// [holds](Self::holds) is left as it is (same id, same generation).
    pub fn insert(&mut self, source: AnalyzedSource) -> DocId {
        if self.holds(&source.doc) {
            if let Some(id) = self.id_of(&source.doc.path) {
                return id;
            }
        }
        self.remove(&source.doc.path.clone());
        self.forget_retrievals();
        let id = self.base_slots() + self.docs.len() as DocId;
        for (i, terms) in source.sentence_terms.iter().enumerate() {
            let r = SentRef { doc: id, sentence: i as u32 }.pack();
            for t in terms {
                self.postings.entry(*t).or_default().push(r);
            }
        }
        self.sentences += source.sentence_terms.len();
        for (i, q) in source.analysis.quantities.iter().enumerate() {
            self.quantities.entry(QuantityKey::of(q)).or_default().entries.push((
                q.low,
                q.high,
                QuantityRef { doc: id, quantity: i as u32, sentence: q.sentence as u32 },
            ));
        }
        self.by_path.insert(source.doc.path.clone(), id);
        self.docs.push(Some(source));
        self.live_docs += 1;
        id
    }

    /// Removes the document with this path; true when there was one. Its postings
    /// stay until [`CorpusIndex::compact`], counted as removed: no term weight, common-term
    /// cut-off or candidate list includes them, so that an index after removals answers as
    /// one built afresh from the documents left.
    pub fn remove(&mut self, path: &str) -> bool {
        let Some(id) = self.id_of(path) else { return false };
        self.forget_retrievals();
        let base_slots = self.base_slots();
        let removed = &mut self.removed_postings;
        let mut count = |terms: &[u64]| {
            for t in terms {
                *removed.entry(*t).or_default() += 1;
            }
        };
        if id < base_slots {
            // Its postings are the base's: its sentence terms are there too.
            let base = self.base.as_ref().expect("a base document has a base");
            let n = base.doc_sentences(id);
            for sentence in 0..n as u32 {
                count(base.sentence_terms(SentRef { doc: id, sentence }).as_deref().unwrap_or_default());
            }
            self.base_removed.insert(id);
            self.sentences -= n;
        } else {
            self.by_path.remove(path);
            if let Some(old) = self.docs.get_mut((id - base_slots) as usize).and_then(Option::take) {
                old.sentence_terms.iter().for_each(|terms| count(terms));
                self.sentences -= old.sentence_terms.len();
            }
        }
        self.live_docs -= 1;
        let slots = base_slots as usize + self.docs.len();
        if slots > 64 && self.live_docs * 2 < slots {
            self.compact();
        }
        true
    }

    /// Rebuilds the indexes without removed documents (reading every document of the base).
    pub fn compact(&mut self) {
        let live: Vec<DocId> = self.ids().collect();
        let mut sources = Vec::with_capacity(live.len());
        let mut base_docs: HashMap<DocId, Box<Option<AnalyzedSource>>> =
            std::mem::take(&mut self.base_docs).into_tuple_vec().into_iter().collect();
        let mut docs = std::mem::take(&mut self.docs);
        let base_slots = self.base_slots();
        for id in live {
            let source = if id < base_slots {
                base_docs.remove(&id).and_then(|b| *b).or_else(|| self.base.as_ref().and_then(|b| b.load(id)))
            } else {
                docs.get_mut((id - base_slots) as usize).and_then(Option::take)
            };
            sources.extend(source);
        }
        *self = Self::build(sources);
    }

    /// Ids of live documents, those of the base first (an empty slot of the base among them).
    fn ids(&self) -> impl Iterator<Item = DocId> + '_ {
        let base_slots = self.base_slots();
        (0..base_slots)
            .filter(move |id| !self.base_removed.contains(id))
            .chain(self.docs.iter().enumerate().filter(|(_, d)| d.is_some()).map(move |(i, _)| base_slots + i as DocId))
    }

    pub fn len(&self) -> usize {
        self.live_docs
    }

    pub fn is_empty(&self) -> bool {
        self.live_docs == 0
    }

    /// Number of sentences in live documents.
    pub fn sentence_count(&self) -> usize {
        self.sentences
    }

    /// The document with this id; a document of the base is read on first use.
    pub fn get(&self, id: DocId) -> Option<&AnalyzedSource> {
        let base_slots = self.base_slots();
        if id >= base_slots {
            return self.docs.get((id - base_slots) as usize)?.as_ref();
        }
        if self.base_removed.contains(&id) {
            return None;
        }
        if let Some(d) = self.base_docs.get(&id) {
            return d.as_ref();
        }
        // Read outside the map's lock; two threads reading one document keep the first.
        let read = self.base.as_ref().and_then(|b| b.load(id));
        self.base_docs.insert(id, Box::new(read)).as_ref()
    }

    /// Reads together the documents of the base among `ids` not read yet, and the
    /// frequencies of `terms`, that a check is about to consult one by one (a base that
    /// asks a server then asks once, not once each); what a lookup gives is unchanged.
    pub fn prefetch(&self, ids: &[DocId], terms: &[u64]) {
        let Some(base) = &self.base else { return };
        if !terms.is_empty() {
            base.prefetch_df(terms);
        }
        let base_slots = self.base_slots();
        let mut unread: Vec<DocId> = ids
            .iter()
            .copied()
            .filter(|id| *id < base_slots && !self.base_removed.contains(id) && self.base_docs.get(id).is_none())
            .collect();
        unread.sort_unstable();
        unread.dedup();
        if unread.len() < 2 {
            return;
        }
        for chunk in unread.chunks(PREFETCHED_DOCS) {
            for (id, read) in chunk.iter().zip(base.load_many(chunk)) {
                // One another thread read meanwhile is kept, as in `get`.
                self.base_docs.insert(*id, Box::new(read));
            }
        }
    }

    /// [`CorpusIndex::prefetch`] of the documents of `found`, sentences the caller is about
    /// to read one by one (not every caller of [`CorpusIndex::similar_sentences`] reads the
    /// documents of what it finds: the draft's affinity reads none).
    pub fn prefetch_documents_of(&self, found: &[SimilarSentence]) {
        self.prefetch(&found.iter().map(|s| s.at.doc).collect::<Vec<_>>(), &[]);
    }

    pub fn by_path(&self, path: &str) -> Option<&AnalyzedSource> {
        self.id_of(path).and_then(|id| self.get(id))
    }

    /// Every document (reading those of the base not read yet).
    pub fn iter(&self) -> impl Iterator<Item = (DocId, &AnalyzedSource)> {
        (0..self.base_slots() + self.docs.len() as DocId).filter_map(|id| self.get(id).map(|d| (id, d)))
    }

    pub fn quantity(&self, r: QuantityRef) -> Option<(&AnalyzedSource, &Quantity)> {
        let d = self.get(r.doc)?;
        Some((d, d.analysis.quantities.get(r.quantity as usize)?))
    }

    /// Content terms of a corpus sentence (without reading a document of the base).
    pub fn sentence_terms(&self, r: SentRef) -> Option<Cow<'_, [u64]>> {
        let base_slots = self.base_slots();
        if r.doc >= base_slots {
            let d = self.docs.get((r.doc - base_slots) as usize)?.as_ref()?;
            return d.sentence_terms.get(r.sentence as usize).map(|t| Cow::Borrowed(t.as_slice()));
        }
        if self.base_removed.contains(&r.doc) {
            return None;
        }
        self.base.as_ref()?.sentence_terms(r)
    }

    /// Sentences of live documents holding `term`.
    fn live_postings(&self, term: u64) -> usize {
        let base = self.base.as_ref().map_or(0, |b| b.df(term));
        let inserted = self.postings.get(&term).map_or(0, Vec::len);
        let removed = self.removed_postings.get(&term).map_or(0, |&n| n as usize);
        (base + inserted).saturating_sub(removed)
    }

    /// Whether document `doc` was removed (its postings stay until a compaction).
    fn is_removed(&self, doc: DocId) -> bool {
        let base_slots = self.base_slots();
        if doc < base_slots {
            self.base_removed.contains(&doc)
        } else {
            !matches!(self.docs.get((doc - base_slots) as usize), Some(Some(_)))
        }
    }

    /// How much a term tells: rare terms weigh more.
    pub fn weight(&self, term: u64) -> f32 {
        let df = self.live_postings(term) as f32;
        let n = self.sentences.max(1) as f32;
        (1.0 + n / (df + 1.0)).ln()
    }

    /// Coverage and Dice overlap of `query` terms by a corpus sentence's terms.
    pub fn similarity(&self, query: &[u64], query_weight: f32, other: &[u64]) -> (f32, f32) {
        if query_weight <= 0.0 {
            return (0.0, 0.0);
        }
        let shared: f32 = terms::intersect_sorted(query, other).into_iter().map(|t| self.weight(t)).sum();
        let other_weight: f32 = other.iter().map(|t| self.weight(*t)).sum();
        (shared / query_weight, 2.0 * shared / (query_weight + other_weight).max(f32::EPSILON))
    }

    fn forget_retrievals(&mut self) {
        self.generation = Generation::next();
        self.retrieval_memo.clear();
        self.candidate_memo.clear();
        self.figure_context_memo.clear();
        self.passage_memo.clear();
        self.frame_memo.clear();
        self.names_memo.clear();
    }

    /// A source passage split into quote words, computed once while the corpus is unchanged.
    pub fn memo_passage(&self, doc: DocId, block: usize, compute: impl FnOnce() -> Passage) -> Arc<Passage> {
        self.passage_memo.get_or_compute((doc, block), || Arc::new(compute()))
    }

    /// The frame of figure `quantity` of document `doc` (`src`), computed once while the corpus is unchanged.
    pub fn figure_frame(&self, doc: DocId, quantity: u32, src: &AnalyzedSource) -> Arc<FigureFrame> {
        self.frame_memo.get_or_compute((doc, quantity), || Arc::new(FigureFrame::of(&src.analysis, quantity as usize)))
    }

    /// The proper names of document `doc` (`src`), computed once while the corpus is unchanged.
    pub fn doc_names(&self, doc: DocId, src: &AnalyzedSource) -> Arc<DocNames> {
        self.names_memo.get_or_compute(doc, || Arc::new(DocNames::of(&src.analysis)))
    }

    /// A value derived from one source figure, computed once while the corpus is unchanged.
    pub fn memo_figure_context(&self, doc: DocId, quantity: u32, compute: impl FnOnce() -> Vec<u64>) -> Arc<[u64]> {
        self.figure_context_memo.get_or_compute((doc, quantity), || compute().into())
    }

    /// The `k` corpus sentences that cover most of `query` (sorted content terms), memoized.
    pub fn similar_sentences(&self, query: &[u64], k: usize) -> Arc<Vec<SimilarSentence>> {
        let h = query_key(query);
        self.retrieval_memo.get_or_compute((h, k), || Arc::new(self.retrieve(query, h, k)))
    }

    /// [`Self::similar_sentences`] of `query` and `k` if it is memoized; None (and nothing
    /// retrieved) if not.
    pub fn memoized_similar(&self, query: &[u64], k: usize) -> Option<Arc<Vec<SimilarSentence>>> {
        self.retrieval_memo.get(&(query_key(query), k))
    }

    /// Readies the base for [`Self::similar_sentences`] of each of `queries` (`k` each) that
    /// is not memoized yet, for a base that asks a server: what the retrievals will ask one
    /// by one (a few requests each) is asked for them all together, in four requests — the
    /// term frequencies of the queries, the postings of their finding terms, the terms of
    /// their candidate sentences and those terms' frequencies. The candidates are memoized
    /// as the retrievals keep them; what a retrieval gives is unchanged.
    pub fn prefetch_similar<'q>(&self, queries: impl Iterator<Item = &'q [u64]>, k: usize) {
        let Some(base) = self.base.as_ref().filter(|b| b.prefers_batches()) else { return };
        let want = candidates_wanted(k);
        if self.sentences == 0 {
            return;
        }
        let fresh: Vec<(&[u64], u64)> = queries
            .filter(|q| !q.is_empty())
            .map(|q| (q, query_key(q)))
            .filter(|(_, h)| !self.retrieval_memo.contains(&(*h, k)) && self.kept_candidates(*h, want).is_none())
            .collect();
        if fresh.len() < 2 {
            return;
        }
        let mut all: Vec<u64> = fresh.iter().flat_map(|(q, _)| q.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        base.prefetch_df(&all);
        let weights: Vec<Vec<f32>> = fresh.iter().map(|(q, _)| q.iter().map(|t| self.weight(*t)).collect()).collect();
        let mut finding: Vec<u64> =
            fresh.iter().zip(&weights).flat_map(|((q, _), w)| self.finding_terms(q, w)).map(|(t, _)| t).collect();
        finding.sort_unstable();
        finding.dedup();
        base.prefetch_postings(&finding);
        let mut at = Vec::new();
        for ((q, h), w) in fresh.iter().zip(&weights) {
            at.extend(self.first_candidates(q, w, *h, want).first(want).iter().map(|&(r, _)| SentRef::unpack(r)));
        }
        at.sort_unstable();
        at.dedup();
        base.prefetch_sentence_terms(&at);
    }

    /// The terms of `query` (with their `weights`) that find its candidate sentences
    /// (see [`finding`]).
    fn finding_terms(&self, query: &[u64], weights: &[f32]) -> Vec<(u64, f32)> {
        let held: Vec<(usize, u64, f32)> =
            query.iter().zip(weights).map(|(t, w)| (self.live_postings(*t), *t, *w)).collect();
        finding::finding_terms(&held, self.sentences, finding::FINDING_POSTINGS)
    }

    /// The candidates kept for the query of memo key `h`, if at least `want` were asked for.
    fn kept_candidates(&self, h: u64, want: usize) -> Option<Arc<Candidates>> {
        self.candidate_memo.get(&h).filter(|c| c.asked >= want)
    }

    /// The first `want` candidates of `query` (with its `weights`; memo key `h`): those
    /// kept, when at least as many were.
    fn first_candidates(&self, query: &[u64], weights: &[f32], h: u64, want: usize) -> Arc<Candidates> {
        if let Some(kept) = self.kept_candidates(h, want) {
            return kept;
        }
        let asked = want.max(CANDIDATES_ASKED);
        let kept = Arc::new(Candidates { asked, first: self.candidates(query, weights, asked) });
        self.candidate_memo.insert(h, kept.clone());
        kept
    }

    /// Corpus sentences sharing finding terms with `query`, by shared weight (ties by
    /// position), the first `n`.
    fn candidates(&self, query: &[u64], weights: &[f32], n: usize) -> Vec<(u64, f64)> {
        let finding = self.finding_terms(query, weights);
        // A removed document's sentence would take a place among the first `n` and then be
        // dropped, leaving out a live one.
        let any_removed = !self.removed_postings.is_empty();
        let skip = |doc: DocId| any_removed && self.is_removed(doc);
        let ts: Vec<u64> = finding.iter().map(|(t, _)| *t).collect();
        if let Some(base) = &self.base {
            base.prefetch_postings(&ts);
        }
        // A term's postings in the base and among the documents inserted are apart (their
        // documents' ids are): both lists count.
        let in_base: Vec<Cow<'_, [u64]>> =
            ts.iter().map(|t| self.base.as_ref().map_or(Cow::Borrowed(&[][..]), |b| b.postings(*t))).collect();
        let mut lists: Vec<(f32, &[u64])> = Vec::with_capacity(2 * finding.len());
        for ((t, w), base) in finding.iter().zip(&in_base) {
            lists.push((*w, base));
            if let Some(p) = self.postings.get(t) {
                lists.push((*w, p));
            }
        }
        first_by_weight(&lists, n, &skip)
    }

    /// The `k` sentences most like `query`, whose memo key is `h`.
    fn retrieve(&self, query: &[u64], h: u64, k: usize) -> Vec<SimilarSentence> {
        if query.is_empty() || self.sentences == 0 {
            return Vec::new();
        }
        if let Some(base) = &self.base {
            base.prefetch_df(query);
        }
        let weights: Vec<f32> = query.iter().map(|t| self.weight(*t)).collect();
        let total: f32 = weights.iter().sum();
        let want = candidates_wanted(k);
        let kept = self.first_candidates(query, &weights, h, want);
        let rough = kept.first(want);
        if let Some(base) = &self.base {
            let at: Vec<SentRef> = rough.iter().map(|&(r, _)| SentRef::unpack(r)).collect();
            base.prefetch_sentence_terms(&at);
        }
        let mut out: Vec<SimilarSentence> = rough
            .iter()
            .filter_map(|&(r, _)| {
                let at = SentRef::unpack(r);
                let terms = self.sentence_terms(at)?;
                let (coverage, dice) = self.similarity(query, total, &terms);
                Some(SimilarSentence { at, coverage, dice })
            })
            .collect();
        out.sort_unstable_by(|a, b| {
            b.coverage.total_cmp(&a.coverage).then(b.dice.total_cmp(&a.dice)).then(a.at.cmp(&b.at))
        });
        out.truncate(k);
        out
    }

    /// Can the index be frozen: every document in memory, none removed, figures sorted?
    fn freezable(&self) -> bool {
        self.base.is_none()
            && self.docs.iter().all(Option::is_some)
            && self.quantities.values().all(|b| b.sorted == b.entries.len())
    }

    /// The index as flat arrays, for a store to save; None unless every document is in
    /// memory and none was removed (a freshly built and [finished](Self::finish) index).
    pub fn freeze(&self) -> Option<FrozenCorpus> {
        if !self.freezable() {
            return None;
        }
        let mut b = FrozenBuilder::new();
        for s in self.docs.iter().flatten() {
            b.add(s);
        }
        Some(b.finish())
    }

    /// An index over a frozen corpus whose documents `loader` reads on first use. Lookups
    /// give what they gave on the index [frozen](Self::freeze).
    pub fn thaw(f: FrozenCorpus, loader: Arc<dyn DocLoader>) -> Self {
        Self::over(Arc::new(frozen::FrozenBase::new(f, loader)))
    }

    /// The first `limit` corpus figures of this kind and unit whose range overlaps
    /// `[low, high]`: the base's in the order of its figure index, then those inserted.
    pub fn quantities_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef> {
        let mut found = match &self.base {
            Some(base) => {
                // Figures of documents removed since are dropped after the base's limit.
                let ask = if self.base_removed.is_empty() { limit } else { usize::MAX };
                let mut f = base.figures_overlapping(key, low, high, ask);
                if !self.base_removed.is_empty() {
                    f.retain(|r| !self.base_removed.contains(&r.doc));
                }
                f
            }
            None => Vec::new(),
        };
        if let Some(bucket) = self.quantities.get(key) {
            found.extend(bucket.overlapping(low, high).filter(|e| !self.is_removed(e.2.doc)).map(|e| e.2));
        }
        found.truncate(limit);
        found
    }
}
