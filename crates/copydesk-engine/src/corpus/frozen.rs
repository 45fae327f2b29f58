//! The indexes of a corpus as flat arrays: what a store saves so as to open the corpus
//! again without reading every document.

use super::base::CorpusBase;
use super::figures::FigureBucket;
use super::radix::RadixTable;
use super::{DocId, DocLoader, QuantityKey, QuantityRef, SentRef};
use crate::claims::QuantityKind;
use crate::corpus::AnalyzedSource;
use crate::terms::TermMap;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

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
///
/// Each term is given a small id as its document is added, and the sentences that have it
/// are counted then, so that [`FrozenBuilder::finish`] only sorts the distinct terms and
/// places each posting: what a term costs is paid as documents come (beside the work that
/// makes them), not all at the end.
#[derive(Default)]
pub struct FrozenBuilder {
    pending: Vec<Option<Pending>>,
    /// Each distinct term's id (the order it was first seen), its hash, and how many
    /// sentences of the documents now added have it.
    ids: TermMap<u32>,
    distinct: Vec<u64>,
    counts: Vec<u64>,
}

/// What the frozen index keeps of one document until [`FrozenBuilder::finish`].
struct Pending {
    path: String,
    /// The term ids of its sentences, one sentence after another, and where each sentence's end.
    term_ids: Vec<u32>,
    ends: Vec<u32>,
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

    /// Puts a document in `slot` (replacing one put there before): documents are numbered
    /// in slot order, empty slots skipped.
    pub fn add_at(&mut self, slot: usize, s: &AnalyzedSource) {
        if self.pending.len() <= slot {
            self.pending.resize_with(slot + 1, || None);
        }
        if let Some(old) = self.pending[slot].take() {
            for id in old.term_ids {
                self.counts[id as usize] -= 1;
            }
        }
        let figures = s
            .analysis
            .quantities
            .iter()
            .enumerate()
            .map(|(i, q)| (QuantityKey::of(q), q.low, q.high, i as u32, q.sentence as u32))
            .collect();
        let mut term_ids = Vec::with_capacity(s.sentence_terms.iter().map(Vec::len).sum());
        let mut ends = Vec::with_capacity(s.sentence_terms.len());
        for terms in &s.sentence_terms {
            for &t in terms {
                let id = *self.ids.entry(t).or_insert_with(|| {
                    self.distinct.push(t);
                    self.counts.push(0);
                    (self.distinct.len() - 1) as u32
                });
                self.counts[id as usize] += 1;
                term_ids.push(id);
            }
            ends.push(term_ids.len() as u32);
        }
        self.pending[slot] = Some(Pending { path: s.doc.path.clone(), term_ids, ends, figures });
    }

    /// Documents added.
    pub fn len(&self) -> usize {
        self.pending.iter().flatten().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn finish(self) -> FrozenCorpus {
        let FrozenBuilder { pending, ids, distinct, counts } = self;
        drop(ids);
        let mut f = FrozenCorpus { doc_sentences: vec![0], sentence_starts: vec![0], ..Default::default() };
        // The terms some sentence has (a replaced document's may be gone), in order: where
        // each one's postings start follows from the counts.
        let mut by_term: Vec<u32> = (0..distinct.len() as u32).filter(|&i| counts[i as usize] > 0).collect();
        by_term.sort_unstable_by_key(|&i| distinct[i as usize]);
        let mut rank = vec![0u32; distinct.len()];
        let mut starts = vec![0u64; by_term.len() + 1];
        for (r, &i) in by_term.iter().enumerate() {
            rank[i as usize] = r as u32;
            starts[r + 1] = starts[r] + counts[i as usize];
        }
        let total = starts[by_term.len()] as usize;
        // Each term's sentences in document and sentence order, as [`CorpusIndex::insert`]
        // appends them.
        let mut cursor = starts.clone();
        let mut postings = vec![0u64; total];
        f.sentence_terms.reserve_exact(total);
        let mut figures: HashMap<QuantityKey, Vec<FrozenFigure>> = HashMap::new();
        for p in pending.into_iter().flatten() {
            let id = f.paths.len() as DocId;
            for (key, low, high, quantity, sentence) in p.figures {
                figures.entry(key).or_default().push((low, high, id, quantity, sentence));
            }
            f.paths.push(p.path);
            let mut at = 0;
            for (sentence, &end) in p.ends.iter().enumerate() {
                let r = SentRef { doc: id, sentence: sentence as u32 }.pack();
                for &t in &p.term_ids[at..end as usize] {
                    f.sentence_terms.push(distinct[t as usize]);
                    let slot = &mut cursor[rank[t as usize] as usize];
                    postings[*slot as usize] = r;
                    *slot += 1;
                }
                at = end as usize;
                f.sentence_starts.push(f.sentence_terms.len() as u64);
            }
            f.doc_sentences.push((f.sentence_starts.len() - 1) as u64);
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
    /// The postings of `term`, found through `table` (the [`RadixTable`] of `self.terms`).
    fn term_postings(&self, table: &RadixTable, term: u64) -> &[u64] {
        match table.find(&self.terms, term) {
            Some(i) => &self.postings[self.term_starts[i] as usize..self.term_starts[i + 1] as usize],
            None => &[],
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

/// A frozen corpus as the base of an index ([`CorpusIndex::thaw`](super::CorpusIndex::thaw)):
/// its arrays answer every lookup, and its documents are read by a [`DocLoader`] when a
/// lookup first needs one.
pub(super) struct FrozenBase {
    /// The arrays, their paths and figures taken out.
    arrays: FrozenCorpus,
    /// Where each term's run of leading bits starts in `arrays.terms`.
    terms: RadixTable,
    paths: Vec<String>,
    by_path: HashMap<String, DocId>,
    figures: HashMap<QuantityKey, FigureBucket>,
    sentences: usize,
    loader: Arc<dyn DocLoader>,
}

impl FrozenBase {
    pub(super) fn new(mut arrays: FrozenCorpus, loader: Arc<dyn DocLoader>) -> Self {
        let paths = std::mem::take(&mut arrays.paths);
        let by_path = paths.iter().enumerate().map(|(id, p)| (p.clone(), id as DocId)).collect();
        let figures = std::mem::take(&mut arrays.figures)
            .into_iter()
            .map(|(kind, unit, entries)| {
                let mut bucket = FigureBucket {
                    entries: entries
                        .into_iter()
                        .map(|(low, high, doc, quantity, sentence)| {
                            (low, high, QuantityRef { doc, quantity, sentence })
                        })
                        .collect(),
                    ..Default::default()
                };
                // Already in lookup order: the stable sort keeps it and sets the bounds.
                bucket.sort();
                (QuantityKey { kind, unit }, bucket)
            })
            .collect();
        let sentences = arrays.sentence_starts.len().saturating_sub(1);
        let terms = RadixTable::new(&arrays.terms);
        FrozenBase { arrays, terms, paths, by_path, figures, sentences, loader }
    }
}

impl CorpusBase for FrozenBase {
    fn slots(&self) -> DocId {
        self.paths.len() as DocId
    }

    fn docs(&self) -> usize {
        self.paths.len()
    }

    fn sentences(&self) -> usize {
        self.sentences
    }

    fn doc_sentences(&self, doc: DocId) -> usize {
        let d = &self.arrays.doc_sentences;
        d.get(doc as usize + 1).zip(d.get(doc as usize)).map_or(0, |(end, start)| end.saturating_sub(*start) as usize)
    }

    fn id_of(&self, path: &str) -> Option<DocId> {
        self.by_path.get(path).copied()
    }

    fn df(&self, term: u64) -> usize {
        self.arrays.term_postings(&self.terms, term).len()
    }

    fn postings(&self, term: u64) -> Cow<'_, [u64]> {
        Cow::Borrowed(self.arrays.term_postings(&self.terms, term))
    }

    fn sentence_terms(&self, at: SentRef) -> Option<Cow<'_, [u64]>> {
        self.arrays.terms_of(at).map(Cow::Borrowed)
    }

    fn figures_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef> {
        self.figures.get(key).map(|b| b.overlapping(low, high).take(limit).map(|e| e.2).collect()).unwrap_or_default()
    }

    fn load(&self, doc: DocId) -> Option<AnalyzedSource> {
        self.loader.load(doc, self.paths.get(doc as usize)?)
    }
}
