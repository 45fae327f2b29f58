//! Work grows with the text, not with its square: a plain-text table with no full stop is
//! one sentence of thousands of figures, in a draft or in a source. A figure's verdict
//! reads a window of such a sentence ([`copydesk_engine::frame::WINDOW`]).

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat};
use std::time::{Duration, Instant};

/// One sentence of `n` figures, as a table pasted without full stops.
fn table(lead: &str, n: usize) -> String {
    let mut s = format!("{lead} said shipments were");
    for i in 0..n {
        if i % 2 == 0 {
            s.push_str(&format!(" {}.{} pct", (i * 37) % 997, i % 10));
        } else {
            s.push_str(&format!(" {} tonnes", (i * 7919) % 99_991));
        }
    }
    s.push('\n');
    s
}

fn source(text: String) -> AnalyzedSource {
    AnalyzedSource::new(SourceDoc {
        path: "table.txt".into(),
        text,
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    })
}

/// The fastest of seven checks of `draft` against `corpus` (the fastest is the least
/// disturbed by a busy machine).
fn time(corpus: &CorpusIndex, draft: &str) -> Duration {
    let analysis = analyze(draft, TextFormat::Plain);
    (0..7)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(check::check(corpus, draft, &analysis, &Settings::default()));
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Four times the figures may cost at most eleven times the time: linear work is four
/// times, n log n about five, the square sixteen; a busy machine's noise fits between.
fn assert_about_linear(small: Duration, large: Duration, what: &str) {
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    assert!(ratio < 11.0, "{what}: 4x the figures took {ratio:.1}x the time ({small:?} -> {large:?})");
}

#[test]
fn a_draft_sentence_of_many_figures_costs_linear_time() {
    let corpus = CorpusIndex::build(vec![source("Harbor Freight said shipments rose 5 pct to 1,200 tonnes.\n".into())]);
    let small = time(&corpus, &table("Harbor Freight", 2_000));
    let large = time(&corpus, &table("Harbor Freight", 8_000));
    assert_about_linear(small, large, "draft side");
}

#[test]
fn a_source_sentence_of_many_figures_costs_linear_time() {
    let draft = "Harbor Freight said shipments rose 7 pct to 1,250 tonnes.\n";
    let small = time(&CorpusIndex::build(vec![source(table("Lakeside Mills", 2_000))]), draft);
    let large = time(&CorpusIndex::build(vec![source(table("Lakeside Mills", 8_000))]), draft);
    assert_about_linear(small, large, "source side");
}
