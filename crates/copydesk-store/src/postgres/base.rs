//! The store as the engine's corpus: a [`CorpusBase`] over a [`PgReader`], so that a
//! [`CorpusIndex::over`] it checks drafts against the archive without holding it. Each
//! lookup is one statement (batched where the engine says what it will ask next); what was
//! asked is kept — term frequencies, postings, sentence terms, stories read — so that an
//! edit asks only about what it touched. The engine ranks candidate sentences from the
//! postings as it ranks those of the in-memory index: it asks only for the postings of a
//! query's rarest terms, within a bound, so what one ranking reads does not grow with the
//! archive.
//!
//! One `PgBase` answers for one state of the store: its counts are read when it is opened,
//! and a reader that learns of a change ([`PgReader::wait_for_change`]) opens a new one.

use super::read::PgReader;
use super::StoreStats;
use crate::{CorpusSpec, CorpusStore, LoadedCorpus, ProgressFn};
use anyhow::{Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, CorpusBase, CorpusIndex, DocId, QuantityKey, QuantityRef, SentRef};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Entries a cache keeps before it starts again empty (term frequencies, sentence terms).
const CACHE_ENTRIES: usize = 200_000;

/// Postings kept, of all terms together, before the cache starts again empty (8 bytes each).
const CACHED_POSTINGS: usize = 4_000_000;

/// Postings by term (packed sentence references), and how many are kept in all.
#[derive(Default)]
struct KnownPostings {
    by_term: HashMap<u64, Arc<[u64]>>,
    held: usize,
}

/// The store's stories as the base of a corpus index.
pub struct PgBase {
    reader: Arc<PgReader>,
    stats: StoreStats,
    slots: DocId,
    df: Mutex<HashMap<u64, u32>>,
    /// Sentences' terms by (story id, sentence): shared with the views opened after this
    /// one ([`PgBase::open_after`]), since an id names one content for good.
    terms: Arc<Mutex<HashMap<SentRef, Arc<[u64]>>>>,
    postings: Mutex<KnownPostings>,
    /// Stories' ids by path, as asked (None: no such story).
    ids: Mutex<HashMap<String, Option<DocId>>>,
    failure: Mutex<Option<String>>,
    /// Stories asked for that another engine analyzed (left out until `store reextract`).
    left_out: AtomicUsize,
}

impl PgBase {
    /// The store as it is now.
    pub fn open(reader: Arc<PgReader>) -> Result<Self> {
        Self::open_after(reader, None)
    }

    /// The store as it is now, a view that follows `previous` (of the same store): what
    /// `previous` learnt and the store cannot have changed since is known to this one too —
    /// the terms of sentences, kept by story id, since a story changed is a new id (an
    /// ingest that lands while reporters work then costs their next check only what it
    /// changed, not every sentence's terms again). Term frequencies, postings and ids by
    /// path do change, and are asked again.
    pub fn open_after(reader: Arc<PgReader>, previous: Option<&PgBase>) -> Result<Self> {
        let stats = reader.stats()?;
        let max: Option<i64> = reader.read("reading the highest story id", || async {
            sqlx::query_scalar("SELECT max(id) FROM copydesk.documents").fetch_one(&*reader.db.pool).await
        })?;
        let slots = DocId::try_from(max.unwrap_or(0).max(0) + 1)
            .ok()
            .context("the store's story ids have outgrown this copydesk (more than 4,294,967,295)")?;
        Ok(PgBase {
            reader,
            stats,
            slots,
            df: Mutex::default(),
            terms: previous.map_or_else(Default::default, |p| p.terms.clone()),
            postings: Mutex::default(),
            ids: Mutex::default(),
            failure: Mutex::default(),
            left_out: AtomicUsize::new(0),
        })
    }

    /// The store's generation when this base was opened.
    pub fn generation(&self) -> i64 {
        self.stats.generation
    }

    /// The answer of a lookup, or (when it failed) an empty one, the failure kept. Once one
    /// lookup has failed, none is asked again: the check under way cannot be trusted anyway,
    /// and a store gone away would cost a connect timeout per lookup.
    fn answer<T: Default>(&self, lookup: impl FnOnce() -> Result<T>) -> T {
        if self.failure.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
            return T::default();
        }
        lookup().unwrap_or_else(|e| {
            let mut f = self.failure.lock().unwrap_or_else(|p| p.into_inner());
            f.get_or_insert_with(|| format!("{e:#}"));
            T::default()
        })
    }

    /// Asks for the term frequencies of `terms` not known yet.
    fn fetch_df(&self, terms: &[u64]) {
        let missing: Vec<u64> = {
            let known = self.df.lock().unwrap_or_else(|p| p.into_inner());
            let mut m: Vec<u64> = terms.iter().copied().filter(|t| !known.contains_key(t)).collect();
            m.sort_unstable();
            m.dedup();
            m
        };
        if missing.is_empty() {
            return;
        }
        let got = self.answer(|| self.reader.df(&missing).map(Some));
        if let Some(got) = got {
            let mut known = self.df.lock().unwrap_or_else(|p| p.into_inner());
            if known.len() + got.len() > CACHE_ENTRIES {
                known.clear();
            }
            known.extend(missing.into_iter().zip(got));
        }
    }

    /// Asks for the terms of the sentences `at` not known yet.
    fn fetch_terms(&self, at: &[SentRef]) {
        let missing: Vec<SentRef> = {
            let known = self.terms.lock().unwrap_or_else(|p| p.into_inner());
            at.iter().copied().filter(|r| !known.contains_key(r)).collect()
        };
        if missing.is_empty() {
            return;
        }
        let asked: Vec<(i64, u32)> = missing.iter().map(|r| (i64::from(r.doc), r.sentence)).collect();
        let got = self.answer(|| self.reader.sentence_terms(&asked));
        let mut known = self.terms.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() + got.len() > CACHE_ENTRIES {
            known.clear();
        }
        for (r, terms) in missing.into_iter().zip(got) {
            if let Some(t) = terms {
                known.insert(r, t.into());
            }
        }
    }

    /// Asks for the postings of `terms` not known yet.
    fn fetch_postings(&self, terms: &[u64]) {
        let missing: Vec<u64> = {
            let known = self.postings.lock().unwrap_or_else(|p| p.into_inner());
            let mut m: Vec<u64> = terms.iter().copied().filter(|t| !known.by_term.contains_key(t)).collect();
            m.sort_unstable();
            m.dedup();
            m
        };
        if missing.is_empty() {
            return;
        }
        let Some(got) = self.answer(|| self.reader.postings_packed(&missing).map(Some)) else { return };
        let mut known = self.postings.lock().unwrap_or_else(|p| p.into_inner());
        let adding: usize = got.iter().map(Vec::len).sum();
        if known.held + adding > CACHED_POSTINGS {
            *known = Default::default();
        }
        for (t, list) in missing.into_iter().zip(got) {
            let packed: Arc<[u64]> = list.into();
            known.held += packed.len();
            known.by_term.insert(t, packed);
        }
    }
}

impl CorpusBase for PgBase {
    fn slots(&self) -> DocId {
        self.slots
    }

    fn docs(&self) -> usize {
        self.stats.documents as usize
    }

    fn sentences(&self) -> usize {
        self.stats.sentences as usize
    }

    fn doc_sentences(&self, doc: DocId) -> usize {
        let rows = self.answer(|| self.reader.summaries(&[i64::from(doc)]));
        rows.into_iter().flatten().next().map_or(0, |s| s.sentence_count as usize)
    }

    fn id_of(&self, path: &str) -> Option<DocId> {
        // Asked for every claim whose subject is looked up in the draft's own story (the
        // language server asked 13,717 times in 61 checks at 1,000,000 stories): kept.
        if let Some(id) = self.ids.lock().unwrap_or_else(|p| p.into_inner()).get(path) {
            return *id;
        }
        let id = self.answer(|| self.reader.doc_by_path(path)).and_then(|id| DocId::try_from(id).ok());
        if self.failure.lock().unwrap_or_else(|p| p.into_inner()).is_none() {
            let mut known = self.ids.lock().unwrap_or_else(|p| p.into_inner());
            if known.len() >= CACHE_ENTRIES {
                known.clear();
            }
            known.insert(path.to_string(), id);
        }
        id
    }

    fn prefers_batches(&self) -> bool {
        true
    }

    fn df(&self, term: u64) -> usize {
        if let Some(n) = self.df.lock().unwrap_or_else(|p| p.into_inner()).get(&term) {
            return *n as usize;
        }
        self.fetch_df(&[term]);
        self.df.lock().unwrap_or_else(|p| p.into_inner()).get(&term).map_or(0, |n| *n as usize)
    }

    fn prefetch_df(&self, terms: &[u64]) {
        self.fetch_df(terms);
    }

    fn postings(&self, term: u64) -> Cow<'_, [u64]> {
        let known = |base: &Self| base.postings.lock().unwrap_or_else(|p| p.into_inner()).by_term.get(&term).cloned();
        let list = known(self).or_else(|| {
            self.fetch_postings(&[term]);
            known(self)
        });
        Cow::Owned(list.map(|l| l.to_vec()).unwrap_or_default())
    }

    fn prefetch_postings(&self, terms: &[u64]) {
        self.fetch_postings(terms);
    }

    fn sentence_terms(&self, at: SentRef) -> Option<Cow<'_, [u64]>> {
        if let Some(t) = self.terms.lock().unwrap_or_else(|p| p.into_inner()).get(&at) {
            return Some(Cow::Owned(t.to_vec()));
        }
        self.fetch_terms(&[at]);
        self.terms.lock().unwrap_or_else(|p| p.into_inner()).get(&at).map(|t| Cow::Owned(t.to_vec()))
    }

    fn prefetch_sentence_terms(&self, at: &[SentRef]) {
        self.fetch_terms(at);
        // The engine weighs each of these sentences' terms next (similarity): their
        // frequencies in one statement, not one each.
        let terms: Vec<u64> = {
            let known = self.terms.lock().unwrap_or_else(|p| p.into_inner());
            at.iter().filter_map(|r| known.get(r)).flat_map(|t| t.iter().copied()).collect()
        };
        self.fetch_df(&terms);
    }

    fn figures_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef> {
        let hits = self.answer(|| self.reader.figures_overlapping(key.kind, key.unit.as_deref(), low, high, limit));
        let found: Vec<QuantityRef> = hits
            .into_iter()
            .filter_map(|h| {
                let doc = DocId::try_from(h.doc).ok()?;
                Some(QuantityRef { doc, quantity: h.quantity, sentence: h.sentence })
            })
            .collect();
        // The engine asks for the terms of each figure's sentence next: one statement for
        // them all.
        let at: Vec<SentRef> = found.iter().map(|r| SentRef { doc: r.doc, sentence: r.sentence }).collect();
        self.fetch_terms(&at);
        found
    }

    fn load(&self, doc: DocId) -> Option<AnalyzedSource> {
        self.load_many(&[doc]).pop().flatten()
    }

    fn load_many(&self, docs: &[DocId]) -> Vec<Option<AnalyzedSource>> {
        // A story another engine analyzed is analyzed again from its text, but its postings
        // and figures (numbered by the other analysis) are not this one's: left out, as a
        // snapshot leaves out a story changed since, until `copydesk store reextract`.
        let ids: Vec<i64> = docs.iter().map(|d| i64::from(*d)).collect();
        let stored = self.answer(|| self.reader.documents(&ids));
        let mut read: Vec<Option<AnalyzedSource>> = stored
            .into_iter()
            .map(|story| {
                let story = story?;
                if story.reanalyzed {
                    self.left_out.fetch_add(1, Ordering::Relaxed);
                    return None;
                }
                Some(story.source)
            })
            .collect();
        // A failed lookup answers nothing at all.
        read.resize_with(docs.len(), || None);
        read
    }

    fn left_out(&self) -> usize {
        self.left_out.load(Ordering::Relaxed)
    }

    fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// What to tell the user when `n` stories a check asked for were left out: analyzed by
/// another version of copydesk, they wait for `copydesk store reextract`.
pub fn left_out_message(n: usize) -> String {
    let (stories, were) = if n == 1 { ("story", "was") } else { ("stories", "were") };
    format!(
        "{n} {stories} of the store that this check consulted {were} analyzed by another version of copydesk and {were} left out, so claims they could support or contradict may go unflagged; `copydesk store reextract` (with the ingest role) analyzes them again"
    )
}

/// The PostgreSQL store as a [`CorpusStore`]: the corpus is what the store holds (ingested
/// by `copydesk ingest`); the files a `spec` names are not read.
pub struct PgCorpusStore {
    pub reader: Arc<PgReader>,
}

impl CorpusStore for PgCorpusStore {
    fn open(&self, _spec: &CorpusSpec, _progress: Option<ProgressFn<'_>>) -> Result<LoadedCorpus> {
        let base = PgBase::open(self.reader.clone())?;
        let files = base.docs();
        Ok(LoadedCorpus { index: CorpusIndex::over(Arc::new(base)), errors: Vec::new(), files, bytes: 0 })
    }
}
