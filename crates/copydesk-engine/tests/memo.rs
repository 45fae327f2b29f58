//! A check that reuses the verdicts of untouched claims ([`check::CheckMemo`]) gives
//! exactly what a fresh check gives, edit after edit, and does reuse them.

use copydesk_engine::check::{self, CheckMemo};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat, Verdict};
use std::path::Path;

fn example() -> (CorpusIndex, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/newsroom");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(root.join("sources")).unwrap() {
        let path = entry.unwrap().path();
        let format = if path.extension().is_some_and(|e| e == "md") { TextFormat::Markdown } else { TextFormat::Plain };
        sources.push(AnalyzedSource::new(SourceDoc {
            path: path.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(&path).unwrap(),
            format,
            title: None,
            date: None,
            layout: Default::default(),
        }));
    }
    sources.sort_by(|a, b| a.doc.path.cmp(&b.doc.path));
    (CorpusIndex::build(sources), std::fs::read_to_string(root.join("draft.md")).unwrap())
}

fn fresh(corpus: &CorpusIndex, text: &str) -> Vec<Verdict> {
    check::check(corpus, text, &analyze(text, TextFormat::Markdown), &Settings::default())
}

fn memoized(corpus: &CorpusIndex, text: &str, memo: &mut CheckMemo) -> Vec<Verdict> {
    check::check_with_memo(corpus, text, &analyze(text, TextFormat::Markdown), &Settings::default(), memo)
}

/// Replaces the first occurrence of `from` (which must be there) by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the example draft no longer contains {from:?}");
    text.replacen(from, to, 1)
}

/// An edit of the draft, as a function of its text.
type Edit = Box<dyn Fn(&str) -> String>;

#[test]
fn memoized_checks_match_fresh_ones_edit_after_edit() {
    let (corpus, draft) = example();
    let mut memo = CheckMemo::default();
    let first = memoized(&corpus, &draft, &mut memo);
    assert_eq!(first, fresh(&corpus, &draft));
    assert_eq!(memo.reused(), 0);
    assert!(memo.len() >= 3, "the example draft has figures and quotes to remember");

    // The same text again: everything is reused.
    assert_eq!(memoized(&corpus, &draft, &mut memo), first);
    assert_eq!(memo.reused(), memo.len());

    let first_figure = draft
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() >= 2)
        .expect("the example draft has a figure")
        .to_string();
    let retyped = format!("9{}", &first_figure[1..]);
    let mut text = draft.clone();
    let steps: Vec<(&str, Edit)> = vec![
        ("retype a figure", Box::new(move |t: &str| edit(t, &first_figure, &retyped))),
        (
            "a sentence added at the top moves every claim",
            Box::new(|t: &str| format!("The council met on a Tuesday.\n\n{t}")),
        ),
        (
            "a paragraph removed in the middle",
            Box::new(|t: &str| {
                let paras: Vec<&str> = t.split("\n\n").collect();
                let mid = paras.len() / 2;
                paras.iter().enumerate().filter(|(i, _)| *i != mid).map(|(_, p)| *p).collect::<Vec<_>>().join("\n\n")
            }),
        ),
        (
            "a word typed inside a quote",
            Box::new(|t: &str| match t.find('\u{201c}').or_else(|| t.find('"')) {
                Some(i) => {
                    let at = i + t[i..].chars().next().unwrap().len_utf8();
                    format!("{}very {}", &t[..at], &t[at..])
                }
                None => t.to_string(),
            }),
        ),
        (
            "a paragraph pasted twice",
            Box::new(|t: &str| {
                let para =
                    t.split("\n\n").find(|p| p.chars().any(|c| c.is_ascii_digit()) && !p.starts_with('#')).unwrap();
                format!("{t}\n\n{para}\n\n{para}\n")
            }),
        ),
        ("text appended at the end", Box::new(|t: &str| format!("{t}\nOfficials said 40 more workers were hired.\n"))),
    ];
    for (what, step) in steps {
        text = step(&text);
        let with = memoized(&corpus, &text, &mut memo);
        assert_eq!(with, fresh(&corpus, &text), "after this edit: {what}");
        assert!(memo.reused() > 0, "nothing was reused after this edit: {what}");
    }
}

#[test]
fn a_changed_corpus_forgets_every_verdict() {
    let (mut corpus, draft) = example();
    let mut memo = CheckMemo::default();
    memoized(&corpus, &draft, &mut memo);
    let g = corpus.generation();
    corpus.insert(AnalyzedSource::new(SourceDoc {
        path: "late.txt".into(),
        text: "The harbor board said 12 cranes were idle on Monday.".into(),
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    }));
    assert_ne!(corpus.generation(), g);
    assert_eq!(memoized(&corpus, &draft, &mut memo), fresh(&corpus, &draft));
    assert_eq!(memo.reused(), 0);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    /// Any insertion anywhere in the draft: the memoized check still equals a fresh one.
    #[test]
    fn any_insertion_keeps_memoized_equal_to_fresh(at in 0.0f64..1.0, piece in "[ a-z0-9.,\"\\n]{1,12}") {
        let (corpus, draft) = example();
        let mut memo = CheckMemo::default();
        memoized(&corpus, &draft, &mut memo);
        let mut i = ((draft.len() as f64) * at) as usize;
        while !draft.is_char_boundary(i) {
            i -= 1;
        }
        let text = format!("{}{}{}", &draft[..i], piece, &draft[i..]);
        proptest::prop_assert_eq!(memoized(&corpus, &text, &mut memo), fresh(&corpus, &text));
    }
}

#[test]
fn a_speaker_named_a_paragraph_before_the_quote_moves_with_it() {
    let (corpus, _) = example();
    // The second quote continues the first one's speaker, named in the paragraph before;
    // the sources give these words to someone else, so the finding sits on that mention.
    let draft = "# Council\n\nCouncillor Penhaligon said the vote was rushed: \"We cannot keep rebuilding the same \
                 streets every other year.\"\n\n\"The water is not going to wait for us.\"\n";
    let mut memo = CheckMemo::default();
    let first = memoized(&corpus, draft, &mut memo);
    assert_eq!(first, fresh(&corpus, draft));
    let edited = format!("The council met on a Tuesday.\n\n{draft}");
    assert_eq!(memoized(&corpus, &edited, &mut memo), fresh(&corpus, &edited));
    assert!(memo.reused() > 0);
}
