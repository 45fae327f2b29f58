//! The corpus in memory: analyzed source documents and the indexes that find
//! evidence for a claim without scanning the corpus.
//!
//! Two indexes serve every lookup:
//! - content terms → sentences (retrieval of similar sentences, idf-weighted);
//! - (quantity kind, unit) → figures (support lookups by value).

use crate::claims::{Attribution, Quantity, QuantityKind, Quote};
use crate::finding::Evidence;
use crate::frame::{DocNames, FigureFrame};
use crate::layout::Layout;
use crate::terms::{self, TermMap};
use crate::text::{ColumnUnit, LineIndex, Span};
use crate::{analyze, analyze_deferred, Analysis, TextFormat};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A source document as the store hands it over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDoc {
    /// Path as shown to the user (relative to the workspace where possible).
    pub path: String,
    pub text: String,
    pub format: TextFormat,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Where the text came from (a text file, or a document read out paragraph by
    /// paragraph or page by page), so that a place in it is cited as its reader finds it.
    pub layout: Layout,
}

/// A source document with its claims extracted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalyzedSource {
    pub doc: SourceDoc,
    pub analysis: Analysis,
    /// Content terms of each sentence (sorted), parallel to `analysis.sentences`.
    pub sentence_terms: Vec<Vec<u64>>,
    #[serde(skip)]
    pub lines: LineIndex,
    /// The quotes with their speakers and the reported speech of an analysis stored
    /// without them ([`AnalyzedSource::deferred`]), resolved by [`AnalyzedSource::speakers`].
    #[serde(skip)]
    resolved: OnceLock<(Vec<Quote>, Vec<Attribution>)>,
}

impl AnalyzedSource {
    pub fn new(doc: SourceDoc) -> Self {
        let analysis = analyze(&doc.text, doc.format);
        Self::restore(doc, analysis)
    }

    /// A source whose speakers are left unresolved ([`analyze_deferred`]): what an index
    /// stores. [`AnalyzedSource::speakers`] resolves them when a check first asks.
    pub fn deferred(doc: SourceDoc) -> Self {
        let analysis = analyze_deferred(&doc.text, doc.format);
        Self::restore(doc, analysis)
    }

    /// Rebuilds what is derived (after loading from a persistent index).
    pub fn restore(doc: SourceDoc, analysis: Analysis) -> Self {
        let lines = LineIndex::new(&doc.text);
        let sentence_terms =
            analysis.sentences.iter().map(|s| terms::content_terms(&analysis.prose.masked, s.span)).collect();
        AnalyzedSource::from_parts(doc, analysis, sentence_terms, lines)
    }

    /// A source from its stored parts.
    pub fn from_parts(doc: SourceDoc, analysis: Analysis, sentence_terms: Vec<Vec<u64>>, lines: LineIndex) -> Self {
        AnalyzedSource { doc, analysis, sentence_terms, lines, resolved: OnceLock::new() }
    }

    /// The quotes, each with its speaker, and the reported speech. A deferred analysis has
    /// them resolved on the first call (only sources whose quotes or speech a check
    /// consults pay for it); otherwise they are the analysis's own.
    pub fn speakers(&self) -> (&[Quote], &[Attribution]) {
        let a = &self.analysis;
        if a.speakers_resolved {
            return (&a.quotes, &a.attributions);
        }
        let (quotes, attributions) = self.resolved.get_or_init(|| a.with_speakers());
        (quotes, attributions)
    }

    /// Where a speaker whom sentence `sentence` refers to by a pronoun or a role ("she
    /// added", "the minister said") was last named before that mention: the sentence a
    /// reader needs beside the evidence to see who is speaking. None when the mention names
    /// the speaker, or no earlier sentence (of the last 40) does.
    pub fn naming_evidence(&self, sentence: usize, speaker: &crate::Speaker) -> Option<Evidence> {
        let surname = speaker.entity.split_whitespace().last()?;
        if speaker.unresolved || has_word(&speaker.text, surname).is_some() {
            return None;
        }
        let text = &self.doc.text;
        (0..=sentence).rev().take(40).find_map(|i| {
            let mut s = self.analysis.sentences.get(i)?.span;
            if i == sentence {
                s.end = s.end.min(speaker.span.start).max(s.start);
            }
            let at = s.start + has_word(s.slice(text), surname)?;
            Some(self.evidence(i, Span::new(at, at + surname.len())))
        })
    }

    /// Evidence for `focus` (the figure, quote or speaker) inside sentence `sentence`.
    pub fn evidence(&self, sentence: usize, focus: Span) -> Evidence {
        let text = &self.doc.text;
        let sent = self.analysis.sentences.get(sentence).map(|s| s.span).unwrap_or(focus);
        let at = if focus.is_empty() { sent.start } else { focus.start };
        let lc = self.lines.line_col(text, at, ColumnUnit::Char);
        // In a PDF's text, the line within its page.
        let page = self.doc.layout.page_of(at).map(|(page, start)| (page, self.lines.line_of(start) as u32));
        Evidence {
            path: self.doc.path.clone(),
            line: lc.line + 1 - page.map_or(0, |(_, first)| first),
            page: page.map(|(page, _)| page),
            extracted: self.doc.layout.extracted(),
            column: lc.col + 1,
            text: sent.slice(text).split_whitespace().collect::<Vec<_>>().join(" "),
            span: focus,
            title: self.doc.title.clone(),
            date: self.doc.date.clone(),
        }
    }
}

/// The offset of `word` in `s` as a whole word, if it is there.
fn has_word(s: &str, word: &str) -> Option<usize> {
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = s[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = s[i + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}

/// Identifies a document slot in a [`CorpusIndex`].
pub type DocId = u32;

/// A sentence of the corpus: document and sentence index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SentRef {
    pub doc: DocId,
    pub sentence: u32,
}

impl SentRef {
    fn pack(self) -> u64 {
        (u64::from(self.doc) << 32) | u64::from(self.sentence)
    }
    fn unpack(v: u64) -> Self {
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

/// Figures of one kind and unit: a prefix sorted by the low end of their range (after
/// [`CorpusIndex::finish`]) and a tail of figures inserted since, scanned in full.
#[derive(Default)]
struct FigureBucket {
    entries: Vec<(f64, f64, QuantityRef)>,
    sorted: usize,
    /// Widest range in the sorted prefix: bounds how far below a query a match can start.
    widest: f64,
}

impl FigureBucket {
    fn sort(&mut self) {
        self.entries.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.sorted = self.entries.len();
        self.widest = self.entries.iter().map(|e| e.1 - e.0).fold(0.0, f64::max);
    }

    fn overlapping(&self, low: f64, high: f64) -> impl Iterator<Item = &(f64, f64, QuantityRef)> + '_ {
        let prefix = &self.entries[..self.sorted];
        // Entries starting above `high` cannot overlap; those starting below `low - widest` end before `low`.
        let end = prefix.partition_point(|e| e.0 <= high);
        let start = prefix[..end].partition_point(|e| e.0 < low - self.widest);
        prefix[start..end].iter().chain(&self.entries[self.sorted..]).filter(move |e| e.0 <= high && e.1 >= low)
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

/// A document slot of a [`CorpusIndex`].
enum Slot {
    Loaded(AnalyzedSource),
    /// A document of the frozen base, read on first use; its sentence count is known up front.
    Lazy {
        path: String,
        sentences: usize,
        cell: OnceLock<Option<AnalyzedSource>>,
    },
    Removed,
}

/// The indexes of a corpus as flat arrays: what a store saves so as to open the
/// corpus again without reading every document ([`CorpusIndex::freeze`], [`CorpusIndex::thaw`]).
/// Offsets arrays have one entry more than what they index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrozenCorpus {
    /// Path of each document, by id.
    pub paths: Vec<String>,
    /// Index in `sentence_starts` of each document's first sentence.
    pub doc_sentences: Vec<u64>,
    /// Index in `sentence_terms` of each sentence's first term.
    pub sentence_starts: Vec<u64>,
    pub sentence_terms: Vec<u64>,
    /// The terms (sorted), where each one's postings start, and the postings (packed sentence references).
    pub terms: Vec<u64>,
    pub term_starts: Vec<u64>,
    pub postings: Vec<u64>,
    /// The figure index: kind, unit, and (low, high, document, quantity, sentence) in lookup order.
    pub figures: Vec<FrozenBucket>,
}

/// Builds a [`FrozenCorpus`] one document at a time, keeping of each only what the index
/// needs (its path, sentence terms and figures): what a store does when it loads a whole
/// corpus to snapshot it. Documents may arrive in any order ([`FrozenBuilder::add_at`]);
/// ids follow their slots. The result equals [`CorpusIndex::build`] of the same documents
/// in slot order, frozen.
#[derive(Default)]
pub struct FrozenBuilder {
    pending: Vec<Option<Pending>>,
}

/// What the frozen index keeps of one document until [`FrozenBuilder::finish`].
struct Pending {
    path: String,
    sentence_terms: Vec<Vec<u64>>,
    /// Key, low, high, quantity index and sentence of each figure.
    figures: Vec<(QuantityKey, f64, f64, u32, u32)>,
}

impl FrozenBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next document (in the slot after the last one).
    pub fn add(&mut self, s: &AnalyzedSource) {
        self.add_at(self.pending.len(), s);
    }

    /// Puts a document in `slot`: documents are numbered in slot order, empty slots skipped.
    pub fn add_at(&mut self, slot: usize, s: &AnalyzedSource) {
        if self.pending.len() <= slot {
            self.pending.resize_with(slot + 1, || None);
        }
        let figures = s
            .analysis
            .quantities
            .iter()
            .enumerate()
            .map(|(i, q)| (QuantityKey::of(q), q.low, q.high, i as u32, q.sentence as u32))
            .collect();
        self.pending[slot] =
            Some(Pending { path: s.doc.path.clone(), sentence_terms: s.sentence_terms.clone(), figures });
    }

    /// Documents added.
    pub fn len(&self) -> usize {
        self.pending.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn finish(self) -> FrozenCorpus {
        let mut f = FrozenCorpus { doc_sentences: vec![0], sentence_starts: vec![0], ..Default::default() };
        let mut figures: HashMap<QuantityKey, Vec<FrozenFigure>> = HashMap::new();
        for p in self.pending.into_iter().flatten() {
            let id = f.paths.len() as DocId;
            for (key, low, high, quantity, sentence) in p.figures {
                figures.entry(key).or_default().push((low, high, id, quantity, sentence));
            }
            f.paths.push(p.path);
            for terms in p.sentence_terms {
                f.sentence_terms.extend_from_slice(&terms);
                f.sentence_starts.push(f.sentence_terms.len() as u64);
            }
            f.doc_sentences.push((f.sentence_starts.len() - 1) as u64);
        }
        // The postings are inverted from the sentence terms by counting, in flat arrays (no
        // list per term): each term's sentences in document and sentence order, as
        // [`CorpusIndex::insert`] appends them.
        let mut ids: TermMap<u32> = TermMap::default();
        let mut distinct: Vec<u64> = Vec::new();
        let id_at: Vec<u32> = f
            .sentence_terms
            .iter()
            .map(|t| {
                *ids.entry(*t).or_insert_with(|| {
                    distinct.push(*t);
                    (distinct.len() - 1) as u32
                })
            })
            .collect();
        drop(ids);
        let mut by_term: Vec<u32> = (0..distinct.len() as u32).collect();
        by_term.sort_unstable_by_key(|&i| distinct[i as usize]);
        let mut rank = vec![0u32; distinct.len()];
        for (r, &i) in by_term.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let mut starts = vec![0u64; distinct.len() + 1];
        for &i in &id_at {
            starts[rank[i as usize] as usize + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        let mut cursor = starts.clone();
        let mut postings = vec![0u64; id_at.len()];
        for doc in 0..f.paths.len() {
            let (first, end) = (f.doc_sentences[doc] as usize, f.doc_sentences[doc + 1] as usize);
            for s in first..end {
                let r = SentRef { doc: doc as DocId, sentence: (s - first) as u32 }.pack();
                for &i in &id_at[f.sentence_starts[s] as usize..f.sentence_starts[s + 1] as usize] {
                    let slot = &mut cursor[rank[i as usize] as usize];
                    postings[*slot as usize] = r;
                    *slot += 1;
                }
            }
        }
        f.terms = by_term.into_iter().map(|i| distinct[i as usize]).collect();
        f.term_starts = starts;
        f.postings = postings;
        let mut figures: Vec<(QuantityKey, Vec<FrozenFigure>)> = figures.into_iter().collect();
        figures.sort_by(|a, b| (a.0.kind as u8, &a.0.unit).cmp(&(b.0.kind as u8, &b.0.unit)));
        f.figures = figures
            .into_iter()
            .map(|(k, mut entries)| {
                // As FigureBucket::sort orders them: by the low end, stable.
                entries.sort_by(|a, b| a.0.total_cmp(&b.0));
                (k.kind, k.unit, entries)
            })
            .collect();
        f
    }
}

/// One (kind, unit) bucket of a [`FrozenCorpus`].
pub type FrozenBucket = (QuantityKind, Option<String>, Vec<FrozenFigure>);

/// A figure of a [`FrozenCorpus`]: low and high end of its range, document, quantity and sentence.
pub type FrozenFigure = (f64, f64, u32, u32, u32);

/// Lookups in the arrays a thawed index keeps (its paths and figures taken out).
impl FrozenCorpus {
    fn term_postings(&self, term: u64) -> &[u64] {
        match self.terms.binary_search(&term) {
            Ok(i) => &self.postings[self.term_starts[i] as usize..self.term_starts[i + 1] as usize],
            Err(_) => &[],
        }
    }

    fn terms_of(&self, r: SentRef) -> Option<&[u64]> {
        let (first, end) = (*self.doc_sentences.get(r.doc as usize)?, *self.doc_sentences.get(r.doc as usize + 1)?);
        let i = (first + u64::from(r.sentence)) as usize;
        if i as u64 >= end {
            return None;
        }
        Some(&self.sentence_terms[self.sentence_starts[i] as usize..self.sentence_starts[i + 1] as usize])
    }
}

/// Analyzed sources and the inverted indexes over their claims.
#[derive(Default)]
pub struct CorpusIndex {
    docs: Vec<Slot>,
    by_path: HashMap<String, DocId>,
    /// Postings of the frozen base (documents `0..frozen docs`), if the index was thawed.
    frozen: Option<FrozenCorpus>,
    loader: Option<Arc<dyn DocLoader>>,
    /// Postings of documents inserted (after the frozen base, if any).
    postings: TermMap<Vec<u64>>,
    /// How many of each term's postings (frozen or inserted) are of removed documents: they
    /// stay until [`CorpusIndex::compact`], and no count or lookup includes them.
    removed_postings: TermMap<u32>,
    quantities: HashMap<QuantityKey, FigureBucket>,
    sentences: usize,
    live_docs: usize,
    /// [`CorpusIndex::similar_sentences`] by (query terms hash, k): an edit re-asks only
    /// about the sentences it touched. Every memo is cleared whenever the corpus changes.
    retrieval_memo: Memo<(u64, usize), Arc<Vec<SimilarSentence>>>,
    /// The first candidates of a query by shared term weight, by query hash: one sentence is
    /// asked about with several `k` (its affinity, its figures, its quotes), and gathering
    /// candidates from the postings is most of the cost of asking.
    candidate_memo: Memo<u64, Arc<Vec<(u64, f32)>>, CANDIDATE_MEMO_CAPACITY>,
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

/// A process-wide unique stamp of one state of one [`CorpusIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Generation(u64);

impl Generation {
    fn next() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Generation(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for Generation {
    fn default() -> Self {
        Generation::next()
    }
}

/// A source passage as normalized quote words with their spans ([`terms::quote_words`]).
pub type Passage = Vec<(Span, String)>;

/// Entries kept in a memo before it is cleared.
const MEMO_CAPACITY: usize = 50_000;
/// Candidate lists kept (each at most [`CANDIDATES_KEPT`] long).
const CANDIDATE_MEMO_CAPACITY: usize = 4_096;
/// Candidates kept per query: enough for every `k` up to 64.
const CANDIDATES_KEPT: usize = 256;

/// Values derived from an unchanging corpus, computed once; shared across threads.
/// At most `CAP` entries are kept: a full memo starts again empty.
struct Memo<K, V, const CAP: usize = MEMO_CAPACITY> {
    map: Mutex<HashMap<K, V>>,
}

impl<K, V, const CAP: usize> Default for Memo<K, V, CAP> {
    fn default() -> Self {
        Memo { map: Mutex::new(HashMap::new()) }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone, const CAP: usize> Memo<K, V, CAP> {
    /// The memoized value for `key`, or `compute()` remembered (all of it dropped when full).
    fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(hit) = self.map.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let value = compute();
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= CAP {
                m.clear();
            }
            m.insert(key, value.clone());
        }
        value
    }

    fn clear(&mut self) {
        self.map.get_mut().map(HashMap::clear).unwrap_or_else(|p| p.into_inner().clear());
    }
}

/// A term in more sentences than this share of the corpus is not used to *find*
/// candidates (it still counts when candidates are scored).
const COMMON_TERM_SHARE: usize = 25;

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

    /// Adds a document, replacing any with the same path; one the index already
    /// [holds](Self::holds) is left as it is (same id, same generation).
    pub fn insert(&mut self, source: AnalyzedSource) -> DocId {
        if self.holds(&source.doc) {
            return self.by_path[&source.doc.path];
        }
        self.remove(&source.doc.path.clone());
        self.forget_retrievals();
        let id = self.docs.len() as DocId;
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
        self.docs.push(Slot::Loaded(source));
        self.live_docs += 1;
        id
    }

    /// Removes the document with this path; true when there was one. Its postings
    /// stay until [`CorpusIndex::compact`], counted as removed: no term weight, common-term
    /// cut-off or candidate list includes them, so that an index after removals answers as
    /// one built afresh from the documents left.
    pub fn remove(&mut self, path: &str) -> bool {
        let Some(id) = self.by_path.remove(path) else { return false };
        self.forget_retrievals();
        if let Some(slot) = self.docs.get_mut(id as usize) {
            let removed = &mut self.removed_postings;
            let mut count = |terms: &[u64]| {
                for t in terms {
                    *removed.entry(*t).or_default() += 1;
                }
            };
            let sentences = match std::mem::replace(slot, Slot::Removed) {
                Slot::Loaded(old) => {
                    old.sentence_terms.iter().for_each(|terms| count(terms));
                    Some(old.sentence_terms.len())
                }
                Slot::Lazy { sentences, .. } => {
                    // Its postings are the frozen base's: its sentence terms are there too.
                    if let Some(f) = &self.frozen {
                        for sentence in 0..sentences as u32 {
                            count(f.terms_of(SentRef { doc: id, sentence }).unwrap_or_default());
                        }
                    }
                    Some(sentences)
                }
                Slot::Removed => None,
            };
            if let Some(n) = sentences {
                self.sentences -= n;
                self.live_docs -= 1;
            }
        }
        if self.docs.len() > 64 && self.live_docs * 2 < self.docs.len() {
            self.compact();
        }
        true
    }

    /// Rebuilds the indexes without removed documents.
    pub fn compact(&mut self) {
        // Documents not read yet are read now.
        let live: Vec<DocId> = (0..self.docs.len() as DocId).filter(|id| self.get(*id).is_some()).collect();
        let mut docs = std::mem::take(&mut self.docs);
        let sources: Vec<AnalyzedSource> = live
            .into_iter()
            .filter_map(|id| match std::mem::replace(&mut docs[id as usize], Slot::Removed) {
                Slot::Loaded(s) => Some(s),
                Slot::Lazy { cell, .. } => cell.into_inner().flatten(),
                Slot::Removed => None,
            })
            .collect();
        *self = Self::build(sources);
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

    /// The document with this id; a document of a thawed corpus is read on first use.
    pub fn get(&self, id: DocId) -> Option<&AnalyzedSource> {
        match self.docs.get(id as usize)? {
            Slot::Loaded(s) => Some(s),
            Slot::Lazy { path, cell, .. } => {
                cell.get_or_init(|| self.loader.as_ref().and_then(|l| l.load(id, path))).as_ref()
            }
            Slot::Removed => None,
        }
    }

    pub fn by_path(&self, path: &str) -> Option<&AnalyzedSource> {
        self.by_path.get(path).and_then(|id| self.get(*id))
    }

    /// Every document (reading those of a thawed corpus not read yet).
    pub fn iter(&self) -> impl Iterator<Item = (DocId, &AnalyzedSource)> {
        (0..self.docs.len() as DocId).filter_map(|id| self.get(id).map(|d| (id, d)))
    }

    pub fn quantity(&self, r: QuantityRef) -> Option<(&AnalyzedSource, &Quantity)> {
        let d = self.get(r.doc)?;
        Some((d, d.analysis.quantities.get(r.quantity as usize)?))
    }

    /// Content terms of a corpus sentence (without reading a document of a thawed corpus).
    pub fn sentence_terms(&self, r: SentRef) -> Option<&[u64]> {
        match self.docs.get(r.doc as usize)? {
            Slot::Loaded(s) => s.sentence_terms.get(r.sentence as usize).map(Vec::as_slice),
            Slot::Lazy { .. } => self.frozen.as_ref()?.terms_of(r),
            Slot::Removed => None,
        }
    }

    /// Sentences holding `term`: those of the frozen base, then those inserted since.
    fn postings(&self, term: u64) -> (&[u64], &[u64]) {
        let frozen = self.frozen.as_ref().map_or(&[][..], |f| f.term_postings(term));
        (frozen, self.postings.get(&term).map_or(&[][..], Vec::as_slice))
    }

    /// Sentences of live documents holding `term`.
    fn live_postings(&self, term: u64) -> usize {
        let (frozen, inserted) = self.postings(term);
        let removed = self.removed_postings.get(&term).map_or(0, |&n| n as usize);
        (frozen.len() + inserted.len()).saturating_sub(removed)
    }

    /// Whether document `doc` was removed (its postings stay until a compaction).
    fn is_removed(&self, doc: DocId) -> bool {
        matches!(self.docs.get(doc as usize), Some(Slot::Removed) | None)
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
        // The query's key in both memos (this one, and the candidates by query).
        let h = query.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, t| (h ^ t).wrapping_mul(0x0100_0000_01b3));
        self.retrieval_memo.get_or_compute((h, k), || Arc::new(self.retrieve(query, h, k)))
    }

    /// Corpus sentences sharing rare terms with `query`, by shared weight (ties by position), the first `n`.
    fn candidates(&self, query: &[u64], weights: &[f32], n: usize) -> Vec<(u64, f32)> {
        let common = (self.sentences / COMMON_TERM_SHARE).max(200);
        let any_removed = self.live_docs < self.docs.len();
        let mut acc: TermMap<f32> = TermMap::default();
        for (t, w) in query.iter().zip(weights) {
            if self.live_postings(*t) > common {
                continue;
            }
            let (frozen, inserted) = self.postings(*t);
            for r in frozen.iter().chain(inserted) {
                // A removed document's sentence would take a place among the first `n` and
                // then be dropped, leaving out a live one.
                if any_removed && self.is_removed(SentRef::unpack(*r).doc) {
                    continue;
                }
                *acc.entry(*r).or_default() += *w;
            }
        }
        let mut rough: Vec<(u64, f32)> = acc.into_iter().collect();
        rough.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        rough.truncate(n);
        rough
    }

    /// The `k` sentences most like `query`, whose memo key is `h`.
    fn retrieve(&self, query: &[u64], h: u64, k: usize) -> Vec<SimilarSentence> {
        if query.is_empty() || self.sentences == 0 {
            return Vec::new();
        }
        let weights: Vec<f32> = query.iter().map(|t| self.weight(*t)).collect();
        let total: f32 = weights.iter().sum();
        let want = k.saturating_mul(4).max(32);
        let kept;
        let fresh;
        let rough: &[(u64, f32)] = if want <= CANDIDATES_KEPT {
            kept =
                self.candidate_memo.get_or_compute(h, || Arc::new(self.candidates(query, &weights, CANDIDATES_KEPT)));
            &kept[..want.min(kept.len())]
        } else {
            fresh = self.candidates(query, &weights, want);
            &fresh
        };
        let mut out: Vec<SimilarSentence> = rough
            .iter()
            .filter_map(|&(r, _)| {
                let at = SentRef::unpack(r);
                let terms = self.sentence_terms(at)?;
                let (coverage, dice) = self.similarity(query, total, terms);
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
        self.frozen.is_none()
            && self.docs.iter().all(|s| matches!(s, Slot::Loaded(_)))
            && self.quantities.values().all(|b| b.sorted == b.entries.len())
    }

    /// The index as flat arrays, for a store to save; None unless every document is in
    /// memory and none was removed (a freshly built and [finished](Self::finish) index).
    pub fn freeze(&self) -> Option<FrozenCorpus> {
        if !self.freezable() {
            return None;
        }
        let mut b = FrozenBuilder::new();
        for slot in &self.docs {
            if let Slot::Loaded(s) = slot {
                b.add(s);
            }
        }
        Some(b.finish())
    }

    /// An index over a frozen corpus whose documents `loader` reads on first use. Lookups
    /// give what they gave on the index [frozen](Self::freeze).
    pub fn thaw(mut f: FrozenCorpus, loader: Arc<dyn DocLoader>) -> Self {
        let mut idx = Self::new();
        for (id, path) in std::mem::take(&mut f.paths).into_iter().enumerate() {
            let sentences = f
                .doc_sentences
                .get(id + 1)
                .zip(f.doc_sentences.get(id))
                .map_or(0, |(end, start)| end.saturating_sub(*start) as usize);
            idx.sentences += sentences;
            idx.by_path.insert(path.clone(), id as DocId);
            idx.docs.push(Slot::Lazy { path, sentences, cell: OnceLock::new() });
        }
        idx.live_docs = idx.docs.len();
        for (kind, unit, entries) in std::mem::take(&mut f.figures) {
            let mut bucket = FigureBucket {
                entries: entries
                    .into_iter()
                    .map(|(low, high, doc, quantity, sentence)| (low, high, QuantityRef { doc, quantity, sentence }))
                    .collect(),
                ..Default::default()
            };
            // Already in lookup order: the stable sort keeps it and sets the bounds.
            bucket.sort();
            idx.quantities.insert(QuantityKey { kind, unit }, bucket);
        }
        idx.frozen = Some(f);
        idx.loader = Some(loader);
        idx
    }

    /// Corpus figures of this kind and unit whose range overlaps `[low, high]`.
    pub fn quantities_overlapping(&self, key: &QuantityKey, low: f64, high: f64) -> Vec<QuantityRef> {
        self.quantities
            .get(key)
            .map(|bucket| {
                bucket
                    .overlapping(low, high)
                    .filter(|e| matches!(self.docs.get(e.2.doc as usize), Some(Slot::Loaded(_) | Slot::Lazy { .. })))
                    .map(|e| e.2)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The sorted figure lookup finds exactly what a full scan finds, before and after
        /// figures are added to a finished bucket.
        #[test]
        fn figure_lookup_matches_a_full_scan(
            ranges in proptest::collection::vec((0.0f64..1000.0, 0.0f64..300.0), 0..60),
            extra in proptest::collection::vec((0.0f64..1000.0, 0.0f64..300.0), 0..10),
            low in 0.0f64..1200.0,
            width in 0.0f64..200.0,
        ) {
            let high = low + width;
            let mut bucket = FigureBucket::default();
            let mut all = Vec::new();
            for (i, (l, w)) in ranges.iter().enumerate() {
                bucket.entries.push((*l, l + w, QuantityRef { doc: i as u32, quantity: 0, sentence: 0 }));
                all.push((*l, l + w, i as u32));
            }
            bucket.sort();
            for (i, (l, w)) in extra.iter().enumerate() {
                let id = 1000 + i as u32;
                bucket.entries.push((*l, l + w, QuantityRef { doc: id, quantity: 0, sentence: 0 }));
                all.push((*l, l + w, id));
            }
            let mut found: Vec<u32> = bucket.overlapping(low, high).map(|e| e.2.doc).collect();
            let mut expected: Vec<u32> = all.iter().filter(|e| e.0 <= high && e.1 >= low).map(|e| e.2).collect();
            found.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(found, expected);
        }
    }
}
