//! A whole check of a fuzzed draft (Markdown) against a small corpus: the example
//! newsroom's sources (`examples/newsroom/sources`), as the CLI and the server check.
//!
//! Input: a draft, then optionally a NUL and the draft as edited next.
//!
//! Properties: every verdict's and finding's span is a span of the draft on char
//! boundaries, a finding's text is the draft's text there and its suggestion replaces a
//! span of the draft; evidence points into its source (span on char boundaries, 1-based
//! line and column that exist); findings come sorted; and a check that reuses the
//! verdicts of the previous draft's check (`check_with_memo`, what the server does edit
//! after edit) gives exactly what a fresh check gives.
#![no_main]

use copydesk_engine::check::{self, CheckMemo};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat, Verdict};
use copydesk_fuzz::{assert_span, utf8};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn corpus() -> &'static CorpusIndex {
    static CORPUS: OnceLock<CorpusIndex> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let source = |path: &str, text: &str, format| {
            let (title, date) = copydesk_store::load::title_and_date(text);
            AnalyzedSource::new(SourceDoc { path: path.into(), text: text.into(), format, title, date, layout: Default::default() })
        };
        CorpusIndex::build(vec![
            source(
                "harbor-contract.md",
                include_str!("../../examples/newsroom/sources/harbor-contract.md"),
                TextFormat::Markdown,
            ),
            source(
                "harbor-council.txt",
                include_str!("../../examples/newsroom/sources/harbor-council.txt"),
                TextFormat::Plain,
            ),
            source(
                "harbor-floods.txt",
                include_str!("../../examples/newsroom/sources/harbor-floods.txt"),
                TextFormat::Plain,
            ),
        ])
    })
}

/// Checks `draft` afresh and asserts what every result must be.
fn fresh(corpus: &CorpusIndex, draft: &str) -> Vec<Verdict> {
    let verdicts = check::check(corpus, draft, &analyze(draft, TextFormat::Markdown), &Settings::default());
    for v in &verdicts {
        assert_span(draft, v.span, "verdict");
        for e in &v.evidence {
            let src = corpus.by_path(&e.path).unwrap_or_else(|| panic!("evidence from no source: {e:?}"));
            let text = &src.doc.text;
            assert_span(text, e.span, "evidence");
            let lines = text.split_inclusive('\n').count().max(1) as u32;
            assert!(e.line >= 1 && e.line <= lines + 1 && e.column >= 1, "evidence position {e:?}");
        }
    }
    let findings = check::findings(&verdicts);
    for f in &findings {
        assert_span(draft, f.span, "finding");
        assert_eq!(f.text, &draft[f.span.start..f.span.end], "a finding's text is the draft's");
        if let Some(s) = &f.suggestion {
            assert_span(draft, s.span, "suggestion");
        }
    }
    assert!(findings.windows(2).all(|w| (w[0].span.start, w[0].span.end) <= (w[1].span.start, w[1].span.end)));
    verdicts
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = utf8(data) else { return };
    let corpus = corpus();
    let (first, next) = input.split_once('\0').unwrap_or((input, input));
    let mut memo = CheckMemo::default();
    for draft in [first, next, first] {
        let memoized = check::check_with_memo(
            corpus,
            draft,
            &analyze(draft, TextFormat::Markdown),
            &Settings::default(),
            &mut memo,
        );
        assert!(memoized == fresh(corpus, draft), "a memoized check differs from a fresh one");
    }
});
