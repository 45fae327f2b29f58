//! A frozen and thawed corpus index ([`CorpusIndex::freeze`], [`CorpusIndex::thaw`]) gives
//! the same verdicts as the index it was frozen from, reading only the documents it needs;
//! an index updated document by document gives those of one built afresh from what it holds.

use copydesk_engine::check;
use copydesk_engine::corpus::{
    AnalyzedSource, CorpusIndex, DocId, DocLoader, FrozenBuilder, QuantityKey, SentRef, SourceDoc,
};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat, Verdict};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

fn sources() -> Vec<AnalyzedSource> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/newsroom/sources");
    let mut paths: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut out: Vec<AnalyzedSource> = paths
        .iter()
        .map(|path| {
            let format =
                if path.extension().is_some_and(|e| e == "md") { TextFormat::Markdown } else { TextFormat::Plain };
            AnalyzedSource::new(SourceDoc {
                path: path.file_name().unwrap().to_string_lossy().into_owned(),
                text: std::fs::read_to_string(path).unwrap(),
                format,
                title: None,
                date: None,
                layout: Default::default(),
            })
        })
        .collect();
    // Unrelated stories, so that terms and figures have competition.
    for i in 0..40 {
        out.push(AnalyzedSource::new(SourceDoc {
            path: format!("wire-{i:02}.txt"),
            text: format!(
                "The mill said it shipped {} tonnes of paper in March, up {} percent.\n\n\
                 \"We expect a strong year,\" said chief executive Dana Whitfield.",
                1000 + 37 * i,
                i % 9 + 1
            ),
            format: TextFormat::Plain,
            title: None,
            date: None,
            layout: Default::default(),
        }));
    }
    out
}

/// Serves documents from memory, noting which were read (two threads may read one at
/// once: the index keeps the first, so a count of reads may pass the documents read).
struct Loader {
    docs: Vec<AnalyzedSource>,
    read: Mutex<BTreeSet<DocId>>,
}

impl DocLoader for Loader {
    fn load(&self, doc: DocId, path: &str) -> Option<AnalyzedSource> {
        self.read.lock().unwrap().insert(doc);
        let d = self.docs.get(doc as usize)?;
        assert_eq!(d.doc.path, path);
        Some(d.clone())
    }
}

fn verdicts(corpus: &CorpusIndex, text: &str) -> Vec<Verdict> {
    check::check(corpus, text, &analyze(text, TextFormat::Markdown), &Settings::default())
}

fn drafts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = vec![std::fs::read_to_string(root.join("examples/newsroom/draft.md")).unwrap()];
    for e in std::fs::read_dir(root.join("eval/cases/src")).unwrap() {
        out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    out.push("The mill shipped 1,074 tonnes of paper in March, said Dana Whitfield.".into());
    out
}

#[test]
fn thawed_index_checks_like_the_original() {
    let built = CorpusIndex::build(sources());
    let frozen = built.freeze().expect("a freshly built index freezes");
    let loader = Arc::new(Loader { docs: sources(), read: Default::default() });
    let thawed = CorpusIndex::thaw(frozen.clone(), loader.clone());
    assert_eq!(thawed.len(), built.len());
    assert_eq!(thawed.sentence_count(), built.sentence_count());
    for draft in drafts() {
        assert_eq!(verdicts(&thawed, &draft), verdicts(&built, &draft));
    }
    let read = loader.read.lock().unwrap().len();
    assert!(read > 0 && read < built.len(), "{read} of {} documents read", built.len());
    // A thawed index is not frozen again (its documents are not all in memory).
    assert!(thawed.freeze().is_none());
}

#[test]
fn thawed_index_takes_inserts_and_removals() {
    let mut built = CorpusIndex::build(sources());
    let mut thawed =
        CorpusIndex::thaw(built.freeze().unwrap(), Arc::new(Loader { docs: sources(), read: Default::default() }));
    let late = || {
        AnalyzedSource::new(SourceDoc {
            path: "late.txt".into(),
            text: "The mill said it shipped 1,074 tonnes of paper in March.".into(),
            format: TextFormat::Plain,
            title: None,
            date: None,
            layout: Default::default(),
        })
    };
    for idx in [&mut built, &mut thawed] {
        assert!(idx.remove("wire-01.txt"));
        assert!(idx.remove("harbor-floods.txt"));
        idx.insert(late());
        idx.finish();
    }
    assert_eq!(thawed.len(), built.len());
    assert!(thawed.by_path("wire-01.txt").is_none());
    assert!(thawed.by_path("late.txt").is_some());
    for draft in drafts() {
        assert_eq!(verdicts(&thawed, &draft), verdicts(&built, &draft));
    }
    // Compacting reads what is left and drops what was removed.
    thawed.compact();
    assert_eq!(thawed.len(), built.len());
    for draft in drafts() {
        assert_eq!(verdicts(&thawed, &draft), verdicts(&built, &draft));
    }
}

#[test]
fn an_index_updated_document_by_document_checks_like_one_built_afresh() {
    // A source saved again and again (the server re-reads a watched file on each save): its
    // removed copies stay in the postings until compaction, and must neither count in its
    // terms' frequencies nor take the places of live sentences among the candidates.
    let docs = sources();
    let saved = |name: &str| docs.iter().find(|d| d.doc.path == name).expect("a source").clone();
    let mut built = CorpusIndex::build(sources());
    let mut thawed =
        CorpusIndex::thaw(built.freeze().unwrap(), Arc::new(Loader { docs: sources(), read: Default::default() }));
    for idx in [&mut built, &mut thawed] {
        for _ in 0..40 {
            idx.insert(saved("harbor-floods.txt"));
        }
        assert!(idx.remove("wire-03.txt"));
        idx.finish();
    }
    // What is left, in the order of the updated indexes' ids (ties between sources go by id).
    let mut left: Vec<AnalyzedSource> =
        docs.iter().filter(|d| !["harbor-floods.txt", "wire-03.txt"].contains(&d.doc.path.as_str())).cloned().collect();
    left.push(saved("harbor-floods.txt"));
    let fresh = CorpusIndex::build(left);
    for idx in [&built, &thawed] {
        assert_eq!((idx.len(), idx.sentence_count()), (fresh.len(), fresh.sentence_count()));
        for (_, doc) in fresh.iter() {
            for t in doc.sentence_terms.iter().flatten() {
                assert_eq!(idx.weight(*t).to_bits(), fresh.weight(*t).to_bits());
            }
        }
        for draft in drafts() {
            assert_eq!(verdicts(idx, &draft), verdicts(&fresh, &draft));
        }
    }
}

#[test]
fn every_lookup_of_a_thawed_index_matches_the_original() {
    let built = CorpusIndex::build(sources());
    let mut b = FrozenBuilder::new();
    for s in sources() {
        b.add(&s);
    }
    assert_eq!(b.len(), built.len());
    let thawed = CorpusIndex::thaw(b.finish(), Arc::new(Loader { docs: sources(), read: Default::default() }));
    for (id, doc) in built.iter() {
        for (i, terms) in doc.sentence_terms.iter().enumerate() {
            let r = SentRef { doc: id, sentence: i as u32 };
            assert_eq!(thawed.sentence_terms(r).as_deref(), Some(terms.as_slice()));
            for t in terms {
                assert_eq!(thawed.weight(*t).to_bits(), built.weight(*t).to_bits());
            }
            assert_eq!(*thawed.similar_sentences(terms, 10), *built.similar_sentences(terms, 10));
        }
        for q in &doc.analysis.quantities {
            let key = QuantityKey::of(q);
            for (low, high) in [(q.low, q.high), (q.low * 0.5, q.high * 2.0), (0.0, f64::MAX)] {
                assert_eq!(
                    thawed.quantities_overlapping(&key, low, high, usize::MAX),
                    built.quantities_overlapping(&key, low, high, usize::MAX)
                );
            }
        }
    }
    assert!(thawed.sentence_terms(SentRef { doc: built.len() as u32, sentence: 0 }).is_none());
}

#[test]
fn documents_frozen_out_of_order_take_their_slots() {
    let mut in_order = FrozenBuilder::new();
    for s in sources() {
        in_order.add(&s);
    }
    // Slots 0, 2, 4, …: the gaps are skipped, as files that could not be read are.
    let mut shuffled = FrozenBuilder::new();
    let docs = sources();
    for (i, s) in docs.iter().enumerate().rev() {
        shuffled.add_at(2 * i, s);
    }
    assert_eq!(shuffled.len(), docs.len());
    assert_eq!(shuffled.finish(), in_order.finish());
}

#[test]
fn a_document_put_again_in_its_slot_replaces_the_first() {
    let docs = sources();
    let mut in_order = FrozenBuilder::new();
    for s in &docs {
        in_order.add(s);
    }
    // Every slot first holds another document (its terms and figures), then its own.
    let mut replaced = FrozenBuilder::new();
    for (i, s) in docs.iter().enumerate() {
        replaced.add_at(i, &docs[(i + 1) % docs.len()]);
        replaced.add_at(i, s);
    }
    // A slot holding the last document's terms, then nothing of them: an empty story.
    let mut empty = docs[0].clone();
    empty.sentence_terms.clear();
    empty.analysis.quantities.clear();
    replaced.add_at(docs.len(), &docs[docs.len() - 1]);
    replaced.add_at(docs.len(), &empty);
    in_order.add(&empty);
    assert_eq!(replaced.finish(), in_order.finish());
}
