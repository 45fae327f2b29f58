//! What a [`CorpusIndex`](super::CorpusIndex) reads from outside memory: the documents,
//! term postings and figures of a corpus kept elsewhere — a snapshot's flat arrays with a
//! database behind them, or a database server — so that an index over a large archive holds
//! only what its lookups have consulted.
//!
//! The engine does no I/O: a store implements [`CorpusBase`] and the engine calls it. Every
//! lookup answers as the in-memory index built from the same documents in the same order
//! would, so findings do not depend on where the corpus is kept.

use super::{AnalyzedSource, DocId, QuantityKey, QuantityRef, SentRef};
use std::borrow::Cow;

/// A corpus kept outside the index: documents numbered `0..slots()`, some slots empty.
pub trait CorpusBase: Send + Sync {
    /// Ids below this are the base's (an index numbers documents it inserts from here on).
    fn slots(&self) -> DocId;

    /// Documents held.
    fn docs(&self) -> usize;

    /// Sentences of the documents held.
    fn sentences(&self) -> usize;

    /// Sentences of document `doc` (0 for an empty slot).
    fn doc_sentences(&self, doc: DocId) -> usize;

    /// The id of the document with this path.
    fn id_of(&self, path: &str) -> Option<DocId>;

    /// Sentences holding `term`.
    fn df(&self, term: u64) -> usize;

    /// Whether asking many things together is cheaper than asking them one by one (a base
    /// that asks a server): the engine then readies what several lookups will ask
    /// ([`CorpusIndex::prefetch_similar`](super::CorpusIndex::prefetch_similar)), which
    /// costs a base that answers from memory a little work for nothing.
    fn prefers_batches(&self) -> bool {
        false
    }

    /// Makes the document frequencies of `terms` ready to be asked one by one (a base that
    /// asks a server asks once for all of them); a hint only.
    fn prefetch_df(&self, _terms: &[u64]) {}

    /// Sentences holding `term`, as packed [`SentRef`]s (those of removed documents too).
    /// The engine asks only for the postings of terms it finds candidates with, whose
    /// lengths together stay within a bound (see [`CorpusIndex`](super::CorpusIndex)).
    fn postings(&self, term: u64) -> Cow<'_, [u64]>;

    /// Makes the postings of `terms` ready to be asked one by one (a base that asks a
    /// server asks once for all of them); a hint only.
    fn prefetch_postings(&self, _terms: &[u64]) {}

    /// Content terms of a sentence, sorted.
    fn sentence_terms(&self, at: SentRef) -> Option<Cow<'_, [u64]>>;

    /// Makes the terms of these sentences ready to be asked one by one; a hint only.
    fn prefetch_sentence_terms(&self, _at: &[SentRef]) {}

    /// The first `limit` figures of this kind and unit whose range overlaps `[low, high]`,
    /// in the order of the figure index (by the low end of their range; ties in document
    /// order).
    fn figures_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef>;

    /// The document with this id; its speakers may be left unresolved
    /// ([`AnalyzedSource::speakers`] resolves them).
    fn load(&self, doc: DocId) -> Option<AnalyzedSource>;

    /// The documents with these ids, in the order asked ([`CorpusBase::load`] of each; a
    /// base that asks a server asks once for all of them).
    fn load_many(&self, docs: &[DocId]) -> Vec<Option<AnalyzedSource>> {
        docs.iter().map(|d| self.load(*d)).collect()
    }

    /// Why a lookup could not be answered since the base was opened (a database gone away),
    /// if one could not: its answers were then empty, and a check made through it is not to
    /// be trusted. A base in memory never fails.
    fn failure(&self) -> Option<String> {
        None
    }

    /// Documents asked for that the base holds but could not give as this engine reads them
    /// (a store's stories analyzed by another version of the engine): they were left out of
    /// the checks, which is for the user to know.
    fn left_out(&self) -> usize {
        0
    }
}
