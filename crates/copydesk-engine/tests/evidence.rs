//! What a finding cites: enough of the source for a reader to check it there.

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, Code, TextFormat};

fn findings(story: &str, draft: &str) -> Vec<copydesk_engine::Finding> {
    let corpus = CorpusIndex::build(vec![AnalyzedSource::new(SourceDoc {
        path: "council/monday.md".into(),
        text: story.into(),
        format: TextFormat::Markdown,
        title: None,
        date: None,
        layout: Default::default(),
    })]);
    let verdicts = check::check(&corpus, draft, &analyze(draft, TextFormat::Markdown), &Settings::default());
    check::findings(&verdicts)
}

#[test]
fn a_pronouns_evidence_shows_the_sentence_that_names_the_speaker() {
    let story = "Council votes\n\nMayor Ana Ruiz spoke to the council on Monday about the harbour.\n\n\
                 She said: \"This is a warning, not a forecast, and we will act on it.\"\n";
    let draft = "Councillor Ben Cole said: \"This is a warning, not a forecast, and we will act on it.\"\n";
    let f = findings(story, draft);
    let f = f.iter().find(|f| f.code == Code::Misattribution).expect("a misattribution");
    let cited: Vec<(u32, &str)> = f.evidence.iter().map(|e| (e.line, e.text.as_str())).collect();
    assert_eq!(
        cited,
        vec![
            (5, "She said: \"This is a warning, not a forecast, and we will act on it.\""),
            (3, "Mayor Ana Ruiz spoke to the council on Monday about the harbour."),
        ]
    );
    assert!(f.message.contains("(council/monday.md:5)"), "{}", f.message);
    // A source that names the speaker where it quotes her needs no second sentence.
    let named = story.replace("She said:", "Ruiz said:");
    let f = findings(&named, draft);
    let f = f.iter().find(|f| f.code == Code::Misattribution).expect("a misattribution");
    assert_eq!(f.evidence.len(), 1, "{:?}", f.evidence);
}
