//! Claim frames, end to end: a figure is contradicted only by a source figure about the
//! same fact (the same subject, a compatible time), and what is not a claim is not checked.
//! Each test pairs a case the frame rule silences with one it must still flag. The
//! stories and companies are written for these tests.

use copydesk_engine::check;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, Status, TextFormat};

fn corpus(stories: &[&str]) -> CorpusIndex {
    CorpusIndex::build(
        stories
            .iter()
            .enumerate()
            .map(|(i, text)| {
                AnalyzedSource::new(SourceDoc {
                    path: format!("story{i}.txt"),
                    text: (*text).into(),
                    format: TextFormat::Plain,
                    title: None,
                    date: None,
                    layout: Default::default(),
                })
            })
            .collect(),
    )
}

/// The status of the draft's figure written `figure` (None when it is not checked at all).
fn status(stories: &[&str], draft: &str, figure: &str) -> Option<Status> {
    let corpus = corpus(stories);
    let verdicts = check::check(&corpus, draft, &analyze(draft, TextFormat::Plain), &Settings::default());
    verdicts.iter().find(|v| v.span.slice(draft) == figure).map(|v| v.status.clone())
}

#[test]
fn another_companys_results_table_is_not_evidence() {
    let table = |head: &str, shr: &str| {
        format!(
            "{head} 4TH QTR NET\n19-MAR-1987 10:00:00.00\n\nShr {shr} cts vs 52 cts\n    Net 1,900,000 vs 2,100,000\n    \
             Revs 31.4 mln vs 29.8 mln\n    Note: Results include a gain on the sale of a warehouse.\n"
        )
    };
    let ours = table("HARBOR FREIGHT <HFC>", "35");
    // Another company's table, every other line alike.
    assert_ne!(status(&[&table("LAKESIDE MILLS <LKM>", "41")], &ours, "35 cts"), Some(Status::Contradicted));
    // The same company's table, restated with a slip, is flagged.
    assert_eq!(status(&[&table("HARBOR FREIGHT <HFC>", "41")], &ours, "35 cts"), Some(Status::Contradicted));
}

#[test]
fn another_weeks_report_is_not_evidence() {
    let last_week = "HARBOR PORT TRAFFIC REPORT\n4-MAR-1987 18:00:00.00\n\nThe port authority said container traffic \
                     rose 2.1 pct to 16,390 boxes, according to its weekly report.\n";
    let this_week = "HARBOR PORT TRAFFIC REPORT\n11-MAR-1987 18:00:00.00\n\nThe port authority said container traffic \
                     rose 1.9 pct to 16,350 boxes, according to its weekly report.\n";
    assert_ne!(status(&[last_week], this_week, "1.9 pct"), Some(Status::Contradicted));
    // Two stories of the same day disagree.
    let same_day = last_week.replace("4-MAR-1987", "11-MAR-1987");
    assert_eq!(status(&[&same_day], this_week, "1.9 pct"), Some(Status::Contradicted));
}

#[test]
fn a_figure_for_another_month_is_not_evidence() {
    let story = "The city's jobless rate was 6.2 pct in January, the statistics office said on Tuesday.";
    let draft = "The city's jobless rate was 5.8 pct in February, the statistics office said on Tuesday.";
    assert_ne!(status(&[story], draft, "5.8 pct"), Some(Status::Contradicted));
    let slip = "The city's jobless rate was 5.8 pct in January, the statistics office said on Tuesday.";
    assert_eq!(status(&[story], slip, "5.8 pct"), Some(Status::Contradicted));
}

#[test]
fn another_company_named_in_the_sentence_is_another_subject() {
    let sales = |maker: &str, n: &str| {
        format!(
            "In March, {maker} sold {n} passenger cars and light trucks across the northern region, up from a \
             year earlier as dealers cut prices and fuel costs fell, the company said on Tuesday."
        )
    };
    let draft = sales("Ford", "120,000");
    assert_ne!(status(&[&sales("Toyota", "150,000")], &draft, "120,000"), Some(Status::Contradicted));
    assert_eq!(status(&[&sales("Ford", "150,000")], &draft, "120,000"), Some(Status::Contradicted));
}

#[test]
fn a_source_figure_another_draft_figure_accounts_for_is_no_rival() {
    let story = "A Marlow College poll released in August found that 74 percent of likely voters want the mayor \
                 to publish the audit. Sixty-two percent of the mayor's own party agreed.";
    let draft = "In a Marlow College poll released in August, 74 percent of likely voters said the mayor should \
                 publish the audit, including 62 percent of his own party.";
    assert_ne!(status(&[story], draft, "62 percent"), Some(Status::Contradicted));
    let slip = draft.replace("74 percent", "71 percent");
    assert_eq!(status(&[story], &slip, "71 percent"), Some(Status::Contradicted));
}

#[test]
fn points_and_percentage_points_are_one_measure() {
    let story = "The Marlow College survey of 834 registered voters has a margin of error of plus or minus \
                 4 percentage points.";
    let draft = "The Marlow College survey of 834 registered voters has a margin of error of 4 points.";
    assert_eq!(status(&[story], draft, "4"), Some(Status::Supported));
}

#[test]
fn the_last_day_of_a_range_is_part_of_the_date() {
    let story = "The Marlow College poll was taken Sept. 19 to 22 and reached 1,001 adults by telephone.";
    let draft = "The Marlow College poll, taken Sept. 19 to 22, reached 1,001 adults by telephone.";
    assert_eq!(status(&[story], draft, "22"), None);
    assert_eq!(status(&[story], draft, "1,001"), Some(Status::Supported));
}

#[test]
fn a_row_whose_every_figure_differs_belongs_to_another_table() {
    // The draft draws on other stories; the one table line it shares with the corpus
    // differs in every figure: another week's or another port's line, not a slip.
    let table =
        "HARBOR PORT TRAFFIC\n11-MAR-1987 18:00:00.00\n\nBoxes 16,350 vs 15,900\n    Tonnes 412,000 vs 398,000\n";
    let draft =
        "HARBOR PORT TRAFFIC\n11-MAR-1987 18:30:00.00\n\nThe new cranes were delivered from Rotterdam in May.\n\n\
                 Dock workers voted to accept the pay offer on Friday.\n\nBoxes 17,100 vs 16,800\n";
    assert_ne!(status(&[table], draft, "17,100"), Some(Status::Contradicted));
    let slip = draft.replace("17,100 vs 16,800", "17,100 vs 15,900");
    assert_eq!(status(&[table], &slip, "17,100"), Some(Status::Contradicted));
}

#[test]
fn a_byline_date_is_not_a_claim() {
    let story = "Plans for the harbor\n\nJane Roe | December 8, 2021 | 4:04pm EST\n\nThe council met on Monday.";
    let draft = "Plans for the harbor\n\nJohn Poe | December 6, 2021 | 4:22am EST\n\nThe council met on Monday.";
    assert_eq!(status(&[story], draft, "December 6"), None);
}

/// The verdict on the draft's figure written `figure`.
fn verdict(stories: &[&str], draft: &str, figure: &str) -> copydesk_engine::Verdict {
    let corpus = corpus(stories);
    let verdicts = check::check(&corpus, draft, &analyze(draft, TextFormat::Plain), &Settings::default());
    verdicts.into_iter().find(|v| v.span.slice(draft) == figure).expect("a verdict on the figure")
}

#[test]
fn a_story_about_another_subject_is_not_evidence_and_the_reason_says_so() {
    let story = |country: &str, amount: &str| {
        format!(
            "DEVELOPMENT FUND LENDS {country} {amount} MLN DLRS\n18-JUN-1987 14:00:00.00\n\nThe Development Fund \
             said it approved a loan for {country}.\n    The school project will be supported by a {amount} mln \
             dlr credit through the Concord Credit Association, the fund said.\n"
        )
    };
    let ours = story("Westland", "145");
    let v = verdict(&[&story("Eastmark", "13")], &ours, "145 mln dlr");
    assert_ne!(v.status, Status::Contradicted, "{v:?}");
    assert!(v.reason.contains("a story about another subject"), "{}", v.reason);
    // The same country's story with a slip is flagged, and the reason names the frame.
    let v = verdict(&[&story("Westland", "13")], &ours, "145 mln dlr");
    assert_eq!(v.status, Status::Contradicted, "{v:?}");
    assert!(v.reason.contains("about the same fact"), "{}", v.reason);
}

#[test]
fn a_month_without_a_year_is_the_latest_before_the_storys_date() {
    let february = "ISLAND MONEY SUPPLY\n26-FEB-1987 18:00:00.00\n\nThe Reserve Bank said M-3 rose to 28.4 billion \
                    dlrs in January from 25.5 billion dlrs in December 1985.\n";
    let march = "ISLAND MONEY SUPPLY\n25-MAR-1987 18:00:00.00\n\nThe Reserve Bank said M-3 rose to 30.1 billion \
                 dlrs in February from 30.4 billion dlrs in December.\n";
    // December 1985 in one story; December 1986 in the other.
    let v = verdict(&[march], february, "25.5 billion dlrs");
    assert_ne!(v.status, Status::Contradicted, "{v:?}");
    let slip = march.replace("in December.", "in December 1985.");
    assert_eq!(status(&[&slip], february, "25.5 billion dlrs"), Some(Status::Contradicted));
}

/// The suggestion the contradiction of the draft's figure written `figure` offers.
fn suggestion(stories: &[&str], draft: &str, figure: &str) -> Option<String> {
    let corpus = corpus(stories);
    let verdicts = check::check(&corpus, draft, &analyze(draft, TextFormat::Plain), &Settings::default());
    let v = verdicts.iter().find(|v| v.span.slice(draft) == figure)?;
    v.finding.as_ref()?.suggestion.as_ref().map(|s| s.replacement.clone())
}

#[test]
fn the_figure_a_change_is_measured_from_is_not_the_current_one() {
    let story = "Clinic strained\n\nThe Eastvale clinic counted 14 days this year when every bed was taken, up from \
                 six days the year before, its director said.\n";
    // The fix writes the source's figure for the draft's time, never the earlier one.
    for draft in [
        "Every bed at the Eastvale clinic was taken on 16 days.\n",
        "Every bed at the Eastvale clinic was taken on 16 days this year.\n",
        "The Eastvale clinic counted 16 days when every bed was taken, its director said.\n",
    ] {
        assert_eq!(suggestion(&[story], draft, "16").as_deref(), Some("14"), "{draft}");
    }
    // The draft's own earlier figure, or one it dates a year back, is the source's earlier one.
    let draft =
        "The Eastvale clinic counted 14 days this year when every bed was taken, up from 16 days the year before.\n";
    assert_eq!(suggestion(&[story], draft, "16").as_deref(), Some("six"));
    let draft = "Every bed at the Eastvale clinic was taken on 16 days last year.\n";
    assert_eq!(suggestion(&[story], draft, "16").as_deref(), Some("six"));
}
