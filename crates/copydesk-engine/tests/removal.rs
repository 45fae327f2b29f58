//! An index after removals and rewrites answers as one built afresh from the documents
//! left (issue 15, 5b): removed documents count in no term weight, common-term cut-off or
//! candidate list, and putting in a document the index already holds changes nothing.
//! All texts here are invented for these tests.

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, DocId, DocLoader, SimilarSentence, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat};
use std::sync::Arc;

fn source(path: &str, text: String) -> AnalyzedSource {
    AnalyzedSource::new(SourceDoc {
        path: path.into(),
        text,
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    })
}

/// 180 wire stories that all name the harbour, and the ministry's story.
fn corpus() -> Vec<AnalyzedSource> {
    let mut out: Vec<AnalyzedSource> = (0..180)
        .map(|i| {
            source(
                &format!("wire-{i:03}.txt"),
                format!(
                    "The harbour board said {} ferries sailed in week {}, up {} percent.\n\n\
                     Dockers at berth {} unloaded {} crates of citrus, the board said.\n",
                    40 + i,
                    i % 52 + 1,
                    i % 9 + 1,
                    i % 17 + 1,
                    300 + 11 * i
                ),
            )
        })
        .collect();
    out.push(source(
        "ministry.txt",
        "Frontier tally\n\nThe defence ministry counted 94,300 soldiers near the harbour of Veldmark on Tuesday, \
         an official said.\n"
            .into(),
    ));
    out
}

/// The story rewritten again and again: a sentence with the harbour, in two versions.
fn rewritten(version: usize) -> AnalyzedSource {
    let (ships, said) = if version % 2 == 0 { (12, "said") } else { (15, "reported") };
    source(
        "rewrites.txt",
        format!("Harbour pilots guided {ships} tankers past the breakwater of Veldmark, the pilots' guild {said}.\n"),
    )
}

const DRAFT: &str =
    "# Frontier\n\nThe defence ministry counted 84,300 soldiers near the harbour of Veldmark on Tuesday.\n\n\
Harbour pilots guided 12 tankers past the breakwater of Veldmark.\n";

/// A retrieval's answer with documents named by path (ids differ between the two indexes).
fn named(idx: &CorpusIndex, found: &[SimilarSentence]) -> Vec<(String, u32, u32, u32)> {
    found
        .iter()
        .map(|s| {
            let path = idx.get(s.at.doc).map_or_else(String::new, |d| d.doc.path.clone());
            (path, s.at.sentence, s.coverage.to_bits(), s.dice.to_bits())
        })
        .collect()
}

fn findings(idx: &CorpusIndex) -> String {
    let verdicts = check::check(idx, DRAFT, &analyze(DRAFT, TextFormat::Markdown), &Settings::default());
    format!("{:#?}", check::findings(&verdicts))
}

/// Every term weight, every retrieval of a live sentence and the draft's findings are those
/// of an index built afresh from `idx`'s documents (in its order).
fn assert_answers_as_built_afresh(idx: &CorpusIndex) {
    let live: Vec<AnalyzedSource> = idx.iter().map(|(_, s)| s.clone()).collect();
    let fresh = CorpusIndex::build(live.clone());
    assert_eq!((idx.len(), idx.sentence_count()), (fresh.len(), fresh.sentence_count()));
    for s in &live {
        for terms in &s.sentence_terms {
            for t in terms {
                assert_eq!(idx.weight(*t).to_bits(), fresh.weight(*t).to_bits(), "weight of a term of {}", s.doc.path);
            }
            for k in [1, 8, 40] {
                assert_eq!(
                    named(idx, &idx.similar_sentences(terms, k)),
                    named(&fresh, &fresh.similar_sentences(terms, k)),
                    "sentences like one of {}",
                    s.doc.path
                );
            }
        }
    }
    assert_eq!(findings(idx), findings(&fresh));
}

#[test]
fn rewrites_leave_an_index_that_answers_as_one_built_afresh() {
    let mut idx = CorpusIndex::build(corpus().into_iter().chain([rewritten(0)]).collect());
    assert!(findings(&idx).contains("NumberMismatch"), "{}", findings(&idx));
    // 50 rewrites alternating two versions, ending on the first: 50 removed copies whose
    // postings stay behind ("harbour" is in 182 live sentences, under the common-term
    // cut-off of 200; in 232 with the removed copies').
    for version in 1..=50 {
        idx.insert(rewritten(version));
    }
    assert_answers_as_built_afresh(&idx);
    // And after the other document that names the harbour goes.
    idx.remove("ministry.txt");
    assert_answers_as_built_afresh(&idx);
}

/// Serves the documents of a frozen index from memory.
struct Loader(Vec<AnalyzedSource>);

impl DocLoader for Loader {
    fn load(&self, doc: DocId, _path: &str) -> Option<AnalyzedSource> {
        self.0.get(doc as usize).cloned()
    }
}

#[test]
fn rewrites_of_a_thawed_index_answer_as_one_built_afresh() {
    // Removed documents of a thawed index have their postings in the frozen base.
    let docs: Vec<AnalyzedSource> = corpus().into_iter().chain([rewritten(0)]).collect();
    let frozen = CorpusIndex::build(docs.clone()).freeze().expect("a built index freezes");
    let mut idx = CorpusIndex::thaw(frozen, Arc::new(Loader(docs)));
    for version in 1..=50 {
        idx.insert(rewritten(version));
    }
    assert_answers_as_built_afresh(&idx);
}

#[test]
fn putting_in_a_document_the_index_holds_changes_nothing() {
    let mut idx = CorpusIndex::build(corpus().into_iter().chain([rewritten(0)]).collect());
    let generation = idx.generation();
    let first = idx.insert(rewritten(0));
    for _ in 0..50 {
        assert_eq!(idx.insert(rewritten(0)), first, "the same document keeps its id");
    }
    assert_eq!(idx.generation(), generation, "nothing changed, so no memo is cleared");
    assert!(idx.holds(&rewritten(0).doc) && !idx.holds(&rewritten(1).doc));
    assert_answers_as_built_afresh(&idx);
}
