//! Figure comparison, end to end through the engine: a one-story corpus and a
//! one-line draft, as a reporter summarising a wire story would have them.
//! The stories are written for these tests.

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, Status, TextFormat};

fn corpus(story: &str) -> CorpusIndex {
    CorpusIndex::build(vec![AnalyzedSource::new(SourceDoc {
        path: "story.txt".into(),
        text: story.into(),
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    })])
}

/// The status of the draft's figure written `figure`, and the source figure it was compared with.
fn verdict(story: &str, draft: &str, figure: &str) -> (Status, Option<String>) {
    let corpus = corpus(story);
    let verdicts = check::check(&corpus, draft, &analyze(draft, TextFormat::Markdown), &Settings::default());
    let v = verdicts
        .iter()
        .find(|v| v.span.slice(draft) == figure)
        .unwrap_or_else(|| panic!("no verdict on {figure:?} in {verdicts:#?}"));
    (v.status.clone(), v.finding.as_ref().and_then(|f| f.suggestion.as_ref().map(|s| s.replacement.clone())))
}

/// The draft's figure `figure` contradicts the story, which has `source` instead.
fn assert_contradicted(story: &str, draft: &str, figure: &str, source: &str) {
    let (status, suggestion) = verdict(story, draft, figure);
    assert_eq!(status, Status::Contradicted, "{figure:?} in {draft:?}");
    assert_eq!(suggestion.as_deref(), Some(source), "{figure:?} in {draft:?}");
}

const QUARRY: &str = "A quarry wall gave way in the hills north of the capital on Tuesday, killing at least three \
workers and leaving more than 40 missing, the regional government said. \
Rescue teams worked through the night with heavy machinery. \
A later statement put the number of missing at 46 and said several lorries were also buried.";

#[test]
fn others_is_compared_with_the_other_group_not_with_the_first() {
    // "three workers and over 40 others": the others are not the three killed.
    let draft = "A quarry collapse killed at least three workers and left over 40 others missing.";
    assert_eq!(verdict(QUARRY, draft, "three").0, Status::Supported);
    assert_eq!(verdict(QUARRY, draft, "40").0, Status::Supported);
    let draft = "A quarry collapse killed at least three workers and left over 70 others missing.";
    assert_contradicted(QUARRY, draft, "70", "40");
}

const RETAILER: &str = "Lindqvist Home, the Swedish furniture chain, is adding a range of cork-based chairs to its \
Portuguese stores this spring.
The chairs, made with growers in the Alentejo region, will go on sale on Thursday.
Lindqvist Home opened its first store in Portugal in 2016, drawing long queues in Lisbon and complaints from local \
carpenters.
The chain plans to reach 30 Portuguese stores by 2028, its chief executive said on Monday.
\"We have never had a product that says more about where it comes from,\" she told reporters at the launch.
Cork oak forests cover a large part of southern Portugal, and the bark is stripped by hand every nine years.
The company has been criticised by environmental groups over its timber sourcing in Eastern Europe.
It employs about 1,200 people in the country and sells online to the Azores and Madeira.
Analysts expect the new range to sell well with younger buyers furnishing small flats.";

#[test]
fn a_figure_differing_from_its_source_does_not_make_the_sentences_less_alike() {
    // The summary's year differs from the story's; that difference must not be what
    // keeps the two sentences from being compared.
    let summary = |year: &str| {
        format!(
            "Lindqvist Home faced protests when it first opened in Portugal in {year} - but the chain has come \
             back with a range of cork chairs going on sale on Thursday."
        )
    };
    assert_eq!(verdict(RETAILER, &summary("2016"), "2016").0, Status::Supported);
    assert_contradicted(RETAILER, &summary("2014"), "2014", "2016");
}

const EARNINGS: &str = "Corvane Biotech reported fourth quarter revenue of $2.4bn, down from $3.1bn a year earlier, \
and full year revenue of $9.8bn. \
For the whole of 2025, Corvane expects product sales of $3bn, it said in a statement. \
Shares fell 4% in early trading.";

#[test]
fn a_second_predicate_of_one_subject_is_its_own_clause() {
    // "reported ... and guided for ...": the guidance figure belongs with the guidance sentence.
    let draft = "The company reported a fall in fourth quarter revenue and guided for product sales of $3bn in 2025.";
    assert_eq!(verdict(EARNINGS, draft, "$3bn").0, Status::Supported);
    assert_eq!(verdict(EARNINGS, draft, "2025").0, Status::Supported);
    let draft = "The company reported a fall in fourth quarter revenue and guided for product sales of $3bn in 2026.";
    assert_contradicted(EARNINGS, draft, "2026", "2025");
    let draft = "The company reported a fall in fourth quarter revenue and guided for product sales of $1bn in 2025.";
    assert_contradicted(EARNINGS, draft, "$1bn", "$3bn");
}

#[test]
fn modifiers_and_rounding() {
    let story = "Officials said 94,300 troops were stationed near the border, and that 14,000 people had died.";
    assert_eq!(verdict(story, "About 94,000 troops were stationed near the border.", "94,000").0, Status::Supported);
    assert_eq!(verdict(story, "More than 14,000 people had died, officials said.", "14,000").0, Status::Supported);
    assert_contradicted(story, "Officials said 64,300 troops were stationed near the border.", "64,300", "94,300");
}

#[test]
fn a_figure_no_source_mentions_is_unsourced_not_contradicted() {
    let (status, _) = verdict(RETAILER, "The chain sold 5,000 sofas in its first week in Lisbon.", "5,000");
    assert_eq!(status, Status::Unsourced);
}

#[test]
fn invisible_characters_around_a_figure_do_not_hide_it() {
    let story = "The defence minister of Eastmark, Anna Kovac, told lawmakers that 94,300 Westland troops were \
                 near the border and in the hills.";
    let draft = |figure: &str| format!("Anna Kovac told lawmakers that {figure} Westland troops were near the border.");
    assert_contradicted(story, &draft("84,300"), "84,300", "94,300");
    // Bidi marks, overrides and isolates pasted from a web page; zero-width and non-breaking spaces.
    for marked in [
        "\u{200F}84,300\u{200F}",
        "\u{200E}84,300\u{200E}",
        "\u{202E}84,300\u{202C}",
        "\u{2067}84,300\u{2069}",
        "\u{200B}84,300\u{200B}",
        "\u{FEFF}84,300",
    ] {
        assert_contradicted(story, &draft(marked), "84,300", "94,300");
    }
    let draft = "Anna Kovac told lawmakers that 84,300\u{A0}Westland troops were near the border.";
    assert_contradicted(story, draft, "84,300", "94,300");
}
