//! Quick fixes: what applying a finding's suggestion makes of the draft. A fix writes the
//! source's words where the draft's were and leaves the rest of the draft as it was.

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, Code, TextFormat};

fn corpus(story: &str) -> CorpusIndex {
    CorpusIndex::build(vec![AnalyzedSource::new(SourceDoc {
        path: "story.md".into(),
        text: story.into(),
        format: TextFormat::Markdown,
        title: None,
        date: None,
        layout: Default::default(),
    })])
}

/// The draft with every suggestion of `code` applied (from the end, so spans stay valid).
fn fixed(story: &str, draft: &str, code: Code) -> String {
    let corpus = corpus(story);
    let verdicts = check::check(&corpus, draft, &analyze(draft, TextFormat::Markdown), &Settings::default());
    let mut fixes: Vec<_> =
        check::findings(&verdicts).into_iter().filter(|f| f.code == code).filter_map(|f| f.suggestion).collect();
    assert!(!fixes.is_empty(), "no {code} fix for {draft:?}");
    fixes.sort_by_key(|s| std::cmp::Reverse(s.span.start));
    let mut out = draft.to_string();
    for s in fixes {
        out.replace_range(s.span.start..s.span.end, &s.replacement);
    }
    out
}

#[test]
fn a_misquote_fix_keeps_the_drafts_closing_punctuation() {
    let story = "Port talks\n\nMayor Ana Ruiz said: \"This is a warning, not a forecast, and we will act on it.\" \
                 She spoke at the harbour office.\n";
    let draft = "Mayor Ana Ruiz said: \"This is a warning, not a prediction, and we will act on it.\"\n\n\
                 \u{201C}This is a warning, not a prediction,\u{201D} Ruiz said.\n";
    assert_eq!(
        fixed(story, draft, Code::Misquote),
        "Mayor Ana Ruiz said: \"This is a warning, not a forecast, and we will act on it.\"\n\n\
         \u{201C}This is a warning, not a forecast,\u{201D} Ruiz said.\n"
    );
}
