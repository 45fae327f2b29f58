//! Every verdict records why it is what it is: the reason `COPYDESK_EXPLAIN` prints and
//! the hover shows. The stories and people are written for these tests.

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, ClaimKind, Status, TextFormat, Verdict};

fn verdicts(source: &str, draft: &str) -> Vec<Verdict> {
    let corpus = CorpusIndex::build(vec![AnalyzedSource::new(SourceDoc {
        path: "council.txt".into(),
        text: source.into(),
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    })]);
    check::check(&corpus, draft, &analyze(draft, TextFormat::Plain), &Settings::default())
}

fn quote_verdict(source: &str, draft: &str) -> Verdict {
    verdicts(source, draft).into_iter().find(|v| v.kind == ClaimKind::Quote).expect("a verdict on the quote")
}

const SOURCE: &str = "The Riverton council approved the flood wall on Tuesday.\n\n\"We cannot keep rebuilding the \
                      same streets every other year,\" Mayor Elena Vasquez said after the vote.\n";

#[test]
fn a_misquote_says_how_the_passage_aligned() {
    let v = quote_verdict(
        SOURCE,
        "\"We cannot keep repairing the same streets every other year,\" Mayor Elena Vasquez said on Tuesday.",
    );
    assert_eq!(v.status, Status::Contradicted, "{v:?}");
    assert!(v.reason.starts_with("One passage of one source quote holds"), "{}", v.reason);
    assert!(v.reason.contains("by the same speaker"), "{}", v.reason);
}

#[test]
fn a_misattribution_says_who_each_side_names() {
    let v = quote_verdict(
        SOURCE,
        "\"We cannot keep rebuilding the same streets every other year,\" council member Omar Lindqvist said.",
    );
    assert_eq!(v.status, Status::Contradicted, "{v:?}");
    assert!(v.reason.contains("Elena Vasquez"), "{}", v.reason);
    assert!(v.reason.contains("Omar Lindqvist (named)"), "{}", v.reason);
}

#[test]
fn a_supported_quote_says_whose_words_they_are() {
    let v = quote_verdict(SOURCE, "\"We cannot keep rebuilding the same streets every other year,\" Vasquez said.");
    assert_eq!(v.status, Status::Supported, "{v:?}");
    assert!(v.reason.contains("given to the draft's speaker"), "{}", v.reason);
}

#[test]
fn an_unsourced_figure_names_the_nearest_source_and_why_it_was_set_aside() {
    let source = "HARBOR FREIGHT <HFC> SALES\n19-MAR-1987 10:00:00.00\n\nHarbor Freight said sales rose 12 pct in \
                  January.\n";
    let draft = "Harbor Freight said sales rose 9 pct in February.";
    let v = verdicts(source, draft).into_iter().find(|v| v.span.slice(draft) == "9 pct").expect("a verdict");
    assert_eq!(v.status, Status::Unsourced, "{v:?}");
    assert!(v.reason.contains("Nearest: 12 pct"), "{}", v.reason);
    assert!(v.reason.contains("another period (January, where the draft's is February)"), "{}", v.reason);
}
