//! An index over a corpus kept elsewhere ([`CorpusIndex::over`] a [`CorpusBase`]) checks as
//! the index built in memory from the same documents, whatever the base's ids (a database's
//! have gaps), and reads only the documents its lookups need. The base here answers every
//! question by scanning its documents, as plainly as the contract can be written: what a
//! database-backed base must give.

use copydesk_engine::check;
use copydesk_engine::corpus::{
    AnalyzedSource, CorpusBase, CorpusIndex, DocId, QuantityKey, QuantityRef, SentRef, SourceDoc,
};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat, Verdict};
use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn source(path: &str, text: &str) -> AnalyzedSource {
    AnalyzedSource::new(SourceDoc {
        path: path.into(),
        text: text.into(),
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    })
}

/// Stories of our own: the ones the drafts are about, and unrelated ones as competition.
fn sources() -> Vec<AnalyzedSource> {
    let mut out = vec![
        source(
            "council/budget.txt",
            "Harlow council approved a budget of 42 million pounds on Tuesday.\n\n\
             \"This budget keeps every library open,\" said council leader Mara Quint.\n\n\
             The council said 1,350 homes would be repaired next year, up from 900.",
        ),
        source(
            "transit/ferries.txt",
            "The Marlow Bay harbour office said 1,500 passengers crossed on the morning ferries last week.\n\n\
             Fuel costs rose to 9 million crowns, the office said.\n\n\
             \"We cannot run the night boats without a subsidy,\" harbour master Ines Ward said.",
        ),
        source(
            "health/clinic.txt",
            "The Eastgate clinic treated 2,300 patients in March, its director Tom Bale said.\n\n\
             Waiting times fell 12 percent over the year, the clinic said.",
        ),
    ];
    for i in 0..40 {
        out.push(source(
            &format!("wire/mill-{i:02}.txt"),
            &format!(
                "The mill said it shipped {} tonnes of paper in March, up {} percent.\n\n\
                 \"We expect a strong year,\" said chief executive Dana Whitfield.",
                1000 + 37 * i,
                i % 9 + 1
            ),
        ));
    }
    out
}

fn drafts() -> Vec<&'static str> {
    vec![
        "Harlow council approved a budget of 44 million pounds on Tuesday. \"This budget keeps every \
         library open,\" said council treasurer Ben Ode. The council said 1,530 homes would be repaired.",
        "The Marlow Bay harbour office said 1,800 passengers crossed on the morning ferries last week. \
         Fuel costs rose to 9 million crowns. \"We cannot run the night ferries without a subsidy,\" \
         harbour master Ines Ward said.",
        "The Eastgate clinic treated 3,200 patients in March. Waiting times fell 21 percent.",
        "The mill shipped 1,074 tonnes of paper in March, said Dana Whitfield.",
    ]
}

/// A base that scans its documents for every answer; its ids have a gap before each document.
struct ScanBase {
    slots: Vec<Option<AnalyzedSource>>,
    loads: AtomicUsize,
    /// Posting lists asked for.
    lists: AtomicUsize,
}

impl ScanBase {
    fn new(docs: Vec<AnalyzedSource>) -> Self {
        let slots = docs.into_iter().flat_map(|d| [None, Some(d)]).collect();
        ScanBase { slots, loads: AtomicUsize::new(0), lists: AtomicUsize::new(0) }
    }

    fn live(&self) -> impl Iterator<Item = (DocId, &AnalyzedSource)> {
        self.slots.iter().enumerate().filter_map(|(i, d)| d.as_ref().map(|d| (i as DocId, d)))
    }
}

impl CorpusBase for ScanBase {
    fn slots(&self) -> DocId {
        self.slots.len() as DocId
    }

    fn docs(&self) -> usize {
        self.live().count()
    }

    fn sentences(&self) -> usize {
        self.live().map(|(_, d)| d.sentence_terms.len()).sum()
    }

    fn doc_sentences(&self, doc: DocId) -> usize {
        self.slots.get(doc as usize).and_then(Option::as_ref).map_or(0, |d| d.sentence_terms.len())
    }

    fn id_of(&self, path: &str) -> Option<DocId> {
        self.live().find(|(_, d)| d.doc.path == path).map(|(id, _)| id)
    }

    fn df(&self, term: u64) -> usize {
        self.live().flat_map(|(_, d)| &d.sentence_terms).map(|t| t.iter().filter(|x| **x == term).count()).sum()
    }

    fn postings(&self, term: u64) -> Cow<'_, [u64]> {
        self.lists.fetch_add(1, Ordering::Relaxed);
        // In reverse order: the ranking does not depend on it.
        let mut found = Vec::new();
        for (id, d) in self.live() {
            for (i, st) in d.sentence_terms.iter().enumerate() {
                if st.contains(&term) {
                    found.push(SentRef { doc: id, sentence: i as u32 }.pack());
                }
            }
        }
        found.reverse();
        Cow::Owned(found)
    }

    fn sentence_terms(&self, at: SentRef) -> Option<Cow<'_, [u64]>> {
        let d = self.slots.get(at.doc as usize)?.as_ref()?;
        Some(Cow::Owned(d.sentence_terms.get(at.sentence as usize)?.clone()))
    }

    fn figures_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef> {
        let mut found: Vec<(f64, QuantityRef)> =
            self.live()
                .flat_map(|(id, d)| {
                    d.analysis.quantities.iter().enumerate().map(move |(i, q)| {
                        (q, QuantityRef { doc: id, quantity: i as u32, sentence: q.sentence as u32 })
                    })
                })
                .filter(|(q, _)| QuantityKey::of(q) == *key && q.low <= high && q.high >= low)
                .map(|(q, r)| (q.low, r))
                .collect();
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.doc.cmp(&b.1.doc)).then(a.1.quantity.cmp(&b.1.quantity)));
        found.into_iter().take(limit).map(|(_, r)| r).collect()
    }

    fn load(&self, doc: DocId) -> Option<AnalyzedSource> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        self.slots.get(doc as usize)?.clone()
    }
}

fn verdicts(corpus: &CorpusIndex, text: &str) -> Vec<Verdict> {
    check::check(corpus, text, &analyze(text, TextFormat::Markdown), &Settings::default())
}

#[test]
fn an_index_over_a_base_checks_as_one_built_in_memory() {
    let built = CorpusIndex::build(sources());
    let base = Arc::new(ScanBase::new(sources()));
    let over = CorpusIndex::over(base.clone());
    assert_eq!((over.len(), over.sentence_count()), (built.len(), built.sentence_count()));
    let mut contradicted = 0;
    for draft in drafts() {
        let (a, b) = (verdicts(&over, draft), verdicts(&built, draft));
        assert_eq!(a, b, "{draft}");
        contradicted += check::findings(&a).iter().filter(|f| f.code.is_contradiction()).count();
    }
    assert!(contradicted >= 5, "the drafts' planted errors are found ({contradicted})");
    let loads = base.loads.load(Ordering::Relaxed);
    assert!(loads > 0 && loads < built.len(), "{loads} of {} documents read", built.len());
    assert!(over.by_path("health/clinic.txt").is_some() && over.by_path("nowhere.txt").is_none());
}

#[test]
fn a_sentence_asked_about_for_few_neighbours_and_then_more_is_looked_up_once() {
    // A draft's sentence is asked about for the draft's affinity (8 neighbours), and then,
    // as its figure's query, for more (24).
    let base = Arc::new(ScanBase::new(sources()));
    let over = CorpusIndex::over(base.clone());
    let text = "The mill shipped 1,200 tonnes of paper in March, chief executive Dana Whitfield said.";
    let query = analyze(text, TextFormat::Plain);
    let terms = copydesk_engine::terms::content_terms(text, query.sentences[0].span);
    assert_eq!(over.similar_sentences(&terms, 8).len(), 8);
    let lists = base.lists.load(Ordering::Relaxed);
    assert!(lists > 0);
    assert_eq!(over.similar_sentences(&terms, 24).len(), 24);
    assert_eq!(base.lists.load(Ordering::Relaxed), lists, "the candidates found first serve the second ask");
}

#[test]
fn an_index_over_a_base_takes_inserts_and_removals() {
    let mut built = CorpusIndex::build(sources());
    let mut over = CorpusIndex::over(Arc::new(ScanBase::new(sources())));
    let late = source("late.txt", "The Eastgate clinic treated 2,450 patients in April, its director Tom Bale said.");
    for idx in [&mut built, &mut over] {
        assert!(idx.remove("wire/mill-01.txt"));
        assert!(idx.remove("transit/ferries.txt"));
        assert!(!idx.remove("transit/ferries.txt"));
        idx.insert(late.clone());
        idx.insert(sources().swap_remove(2));
        idx.finish();
    }
    assert_eq!((over.len(), over.sentence_count()), (built.len(), built.sentence_count()));
    assert!(over.by_path("transit/ferries.txt").is_none() && over.by_path("late.txt").is_some());
    for draft in drafts() {
        assert_eq!(verdicts(&over, draft), verdicts(&built, draft), "{draft}");
    }
}

/// A [`ScanBase`] that prefers batches (as a base asking a server does), noting what was
/// readied by a batch and what was then asked one by one without one.
struct BatchingBase {
    scan: ScanBase,
    /// (what, key) readied: 0 a frequency, 1 postings, 2 a sentence's terms.
    readied: std::sync::Mutex<std::collections::HashSet<(u8, u64)>>,
    batches: AtomicUsize,
    unreadied: AtomicUsize,
}

impl BatchingBase {
    /// A batch; counted when it asks for anything not readied yet (a base asking a server
    /// asks only for that).
    fn ready(&self, what: u8, keys: impl IntoIterator<Item = u64>) {
        let mut readied = self.readied.lock().unwrap();
        let mut new = false;
        for k in keys {
            new |= readied.insert((what, k));
        }
        if new {
            self.batches.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn ask(&self, what: u8, key: u64) {
        if !self.readied.lock().unwrap().contains(&(what, key)) {
            self.unreadied.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl CorpusBase for BatchingBase {
    fn slots(&self) -> DocId {
        self.scan.slots()
    }
    fn docs(&self) -> usize {
        self.scan.docs()
    }
    fn sentences(&self) -> usize {
        self.scan.sentences()
    }
    fn doc_sentences(&self, doc: DocId) -> usize {
        self.scan.doc_sentences(doc)
    }
    fn id_of(&self, path: &str) -> Option<DocId> {
        self.scan.id_of(path)
    }
    fn prefers_batches(&self) -> bool {
        true
    }
    fn df(&self, term: u64) -> usize {
        self.ask(0, term);
        self.scan.df(term)
    }
    fn prefetch_df(&self, terms: &[u64]) {
        self.ready(0, terms.iter().copied());
    }
    fn postings(&self, term: u64) -> Cow<'_, [u64]> {
        self.ask(1, term);
        self.scan.postings(term)
    }
    fn prefetch_postings(&self, terms: &[u64]) {
        self.ready(1, terms.iter().copied());
    }
    fn sentence_terms(&self, at: SentRef) -> Option<Cow<'_, [u64]>> {
        self.ask(2, at.pack());
        self.scan.sentence_terms(at)
    }
    fn prefetch_sentence_terms(&self, at: &[SentRef]) {
        self.ready(2, at.iter().map(|r| r.pack()));
        // As the store's base does: the engine weighs these sentences' terms next.
        let terms: Vec<u64> = at.iter().filter_map(|r| self.scan.sentence_terms(*r)).flat_map(|t| t.to_vec()).collect();
        self.ready(0, terms);
    }
    fn figures_overlapping(&self, key: &QuantityKey, low: f64, high: f64, limit: usize) -> Vec<QuantityRef> {
        self.scan.figures_overlapping(key, low, high, limit)
    }
    fn load(&self, doc: DocId) -> Option<AnalyzedSource> {
        self.scan.load(doc)
    }
}

/// A base that prefers batches gets the draft's retrievals readied together: a draft with
/// no figure or quote (only the draft's affinity to its sources is asked about) asks
/// nothing one by one that a batch did not ready, in a handful of batches whatever its
/// length; and the verdicts are those of the index built in memory.
#[test]
fn a_base_that_prefers_batches_gets_the_drafts_retrievals_together() {
    let batching = || {
        Arc::new(BatchingBase {
            scan: ScanBase::new(sources()),
            readied: Default::default(),
            batches: AtomicUsize::new(0),
            unreadied: AtomicUsize::new(0),
        })
    };
    let built = CorpusIndex::build(sources());
    let over = CorpusIndex::over(batching());
    for draft in drafts() {
        assert_eq!(verdicts(&over, draft), verdicts(&built, draft), "{draft}");
    }
    let prose = "The harbour office said passengers crossed on the morning ferries last week. \
                 The council approved the budget and kept every library open. \
                 Waiting times fell over the year at the clinic, its director said. \
                 The mill shipped paper, up on the year, said its chief executive. \
                 Fuel costs rose at the harbour, the office said. \
                 The clinic's director said patients waited less.";
    let base = batching();
    verdicts(&CorpusIndex::over(base.clone()), prose);
    assert_eq!(base.unreadied.load(Ordering::Relaxed), 0, "every lookup readied by a batch");
    // One sentence at a time it takes four each (frequencies, postings, candidates' terms
    // and their frequencies).
    let batches = base.batches.load(Ordering::Relaxed);
    assert!((1..=4).contains(&batches), "{batches} batches");
}
