//! An incremental analysis ([`LiveAnalysis`]) equals a fresh analysis of the edited text,
//! edit after edit, and so does the check made on it: random edit sequences (characters,
//! digits, words, line breaks, quote marks, "said", list markers, headings, code fences,
//! comments, and names, pronouns, roles and cues that speakers of other paragraphs resolve
//! through) on drafts written for this test, compared after each edit with `analyze` and
//! `check` of the new text.

use copydesk_engine::check::{self, CheckMemo};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::incremental::{Edit, LiveAnalysis, Reread};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

const MARKDOWN_DRAFT: &str = "---\ntitle: Harbour report\n---\n\n# Port of Westvale handles 4,100 containers\n\n\
The port handled 4,100 containers in March, up from 3,600 a year earlier, its director said.\n\n\
\"We are full every night,\" said Mara Quill, the harbour master. She added that \"nobody expected this\" in a statement.\n\n\
Quill said the new crane would cost about $12 million.\n\n\
- Dock workers: 240, according to the union.\n\
- Ships a week: more than 30.\n\n\
Harbour master Mara Quill told reporters that traffic rose 14 percent.\n\n\
> \"It is a record,\" Quill said.\n\n\
```\n88 lines of code 77\n```\n\n\
<!-- copydesk-ignore-next-line -->\n\
The union said 300 members would strike.\n\n\
## Council\n\n\
Councillor Dev Arlen said the council would spend 2.5 million dollars. He said: \"We will pay for it.\"\n\n\
\"The money is there,\n\n\
\"and it will be spent,\" Arlen said.\n\n\
| Item | Cost |\n|---|---|\n| Crane | 12 |\n\n\
Turnover reached 81 million last year.\n";

const PLAIN_DRAFT: &str = "WESTVALE PORT\n\n\
The port handled 4,100 containers in March, its director said.\n\
  \"We are full,\" said Mara Quill, the harbour master.\n\n\
She said 240 dock workers were hired.\n\
Quill said the crane cost about $12 million.\n\n\
copydesk-ignore-next-line\n\
The union said 300 members would strike.\n\n\
Councillor Dev Arlen said the council would spend 2.5 million dollars.\n";

/// Speakers named in one paragraph and resolved in others: surnames, pronouns opening a
/// paragraph, roles, a relative pronoun, a lead-in, a continued quote, a family of two; a
/// paragraph whose quotes depend on whether the next reopens one, and a relative pronoun
/// opening a paragraph, its antecedent in the paragraphs before.
const SPEAKERS_DRAFT: &str = "# Council votes on the harbour\n\n\
Mara Quill, the harbour master, said traffic rose 14 percent.\n\n\
She said the crane would cost about $12 million.\n\n\
\"We are full every night,\" Quill said.\n\n\
Councillor Dev Arlen, who chairs the budget panel, said the council would spend 2.5 million dollars.\n\n\
He added: \"We will pay for it.\"\n\n\
The harbour master continued:\n\n\
\"The money is there.\"\n\n\
Ms. Lee Arlen said 300 members would strike.\n\n\
Arlen said turnover reached 81 million last year. She said, \"It is a record.\"\n\n\
\"Nobody expected this,\n\n\
\"and it will be spent,\" the harbour master said.\n\n\
He said \u{201C}we will \u{201C}pay\u{201D} for it.\n\n\
\u{201C}Next year too,\u{201D} Quill said.\n\n\
It was backed by the mayor and\n\n\
Ivo Brandt,\n\n\
the harbour pilot,\n\n\
who said the port would close.\n\n\
Dock workers number 240.\n";

fn source(path: &str, text: &str) -> AnalyzedSource {
    AnalyzedSource::new(SourceDoc {
        path: path.to_string(),
        text: text.to_string(),
        format: TextFormat::Plain,
        title: None,
        date: None,
        layout: Default::default(),
    })
}

fn corpus() -> CorpusIndex {
    CorpusIndex::build(vec![
        source(
            "port.txt",
            "Westvale port report\n\nThe port of Westvale handled 4,200 containers in March, up from 3,600 a year \
             earlier, director Ivo Brandt said.\n\n\"We are full every night,\" harbour master Mara Quill said. The new \
             crane will cost about $15 million, Quill said.\n\nDock workers number 240, the union said. More than 30 \
             ships a week call at the port.\n",
        ),
        source(
            "council.txt",
            "Westvale council\n\nCouncillor Dev Arlen said the council would spend 3.5 million dollars on the harbour. \
             \"We will pay for it,\" Arlen said.\n\nThe union said 300 members would strike. Turnover reached 81 \
             million last year, the port said.\n",
        ),
    ])
}

/// What an edit inserts: characters, digits, words, marks and structure.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.]{1,3}",
        "[0-9]{1,2}",
        Just("7,5".to_string()),
        Just(" said".to_string()),
        Just("He said ".to_string()),
        Just(" she said".to_string()),
        Just(" Quill".to_string()),
        Just("Mara Quill said ".to_string()),
        Just(" percent".to_string()),
        Just(" million".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"".to_string()),
        Just("\u{201C}".to_string()),
        Just("\u{201D}".to_string()),
        Just("'".to_string()),
        Just("- ".to_string()),
        Just("1. ".to_string()),
        Just("# ".to_string()),
        Just("## Heading\n".to_string()),
        Just("> ".to_string()),
        Just("    ".to_string()),
        Just("```\n".to_string()),
        Just("<!-- x -->".to_string()),
        Just("<!-- copydesk-ignore-next-line -->\n".to_string()),
        Just("---\n".to_string()),
        Just("[a]: http://x.y\n".to_string()),
        Just("[link](http://x.y/5)".to_string()),
        Just("| a | 1 |\n".to_string()),
        Just("\u{A0}".to_string()),
        Just("é".to_string()),
    ]
}

/// What an edit inserts where speakers are concerned: full names a surname or a pronoun of
/// another paragraph resolves to, pronouns, roles, relative pronouns, cues and lead-ins.
fn speaker_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" Ivo Brandt".to_string()),
        Just("Lena Quill said ".to_string()),
        Just("Ms. Mara Quill".to_string()),
        Just("Mr. Arlen".to_string()),
        Just(" Arlen".to_string()),
        Just(", who said".to_string()),
        Just("She said ".to_string()),
        Just(" he said.".to_string()),
        Just("the harbour master said ".to_string()),
        Just(", the harbour master,".to_string()),
        Just("Harbour master Dev Brandt ".to_string()),
        Just(" continued:\n\n".to_string()),
        Just(" told reporters.\n\n\"".to_string()),
        Just(", according to Quill,".to_string()),
        Just("\"It will be done,\" ".to_string()),
        Just(". ".to_string()),
        Just("Published".to_string()),
    ]
}

/// One edit: where (a fraction of the text, or the start of the line there), how much it
/// removes, and what it inserts.
#[derive(Clone, Debug)]
struct Change {
    at: f64,
    line_start: bool,
    remove: usize,
    insert: String,
}

fn change() -> impl Strategy<Value = Change> {
    change_of(prop_oneof![4 => piece(), 1 => Just(String::new())])
}

/// [`change`], or a change of speakers ([`speaker_piece`]).
fn speaker_change() -> impl Strategy<Value = Change> {
    change_of(prop_oneof![4 => piece(), 3 => speaker_piece(), 1 => Just(String::new())])
}

fn change_of(insert: impl Strategy<Value = String>) -> impl Strategy<Value = Change> {
    (
        0.0..1.0f64,
        proptest::bool::weighted(0.3),
        prop_oneof![3 => Just(0usize), 2 => 1usize..4, 1 => 4usize..40],
        insert,
    )
        .prop_map(|(at, line_start, remove, insert)| Change { at, line_start, remove, insert })
}

fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Makes `c` in `text`; the edit as byte ranges.
fn make(text: &mut String, c: &Change) -> Edit {
    let mut start = floor(text, (c.at * text.len() as f64) as usize);
    if c.line_start {
        start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    }
    let end = floor(text, start + c.remove).max(start);
    text.replace_range(start..end, &c.insert);
    Edit::replace(start..end, c.insert.len())
}

/// Applies groups of changes (each group one update, as an editor's `didChange` with several
/// content changes) and compares the live analysis and its check with fresh ones after each.
fn run(draft: &str, format: TextFormat, groups: &[Vec<Change>], corpus: &CorpusIndex) -> Result<usize, TestCaseError> {
    let settings = Settings::default();
    let mut text = draft.to_string();
    let mut live = LiveAnalysis::new(&text, format);
    let mut memo = CheckMemo::default();
    let mut windows = 0;
    check::check_with_memo(corpus, live.text(), live.analysis(), &settings, &mut memo);
    for group in groups {
        let mut edit: Option<Edit> = None;
        for c in group {
            let e = make(&mut text, c);
            edit = Some(edit.map_or(e, |before| before.then(e)));
        }
        let Some(edit) = edit else { continue };
        live.update(&text, edit, format);
        windows += usize::from(matches!(live.last_reread(), Reread::Window { .. }));
        prop_assert_eq!(live.text(), text.as_str());
        let fresh = analyze(&text, format);
        prop_assert_eq!(live.analysis(), &fresh, "after {:?} ({:?}) the text is\n{}", group, live.last_reread(), text);
        prop_assert_eq!(&live.analysis().derived().sentence_terms, &fresh.derived().sentence_terms);
        prop_assert_eq!(live.analysis().derived().names_fingerprint, fresh.derived().names_fingerprint);
        let incremental = check::check_with_memo(corpus, &text, live.analysis(), &settings, &mut memo);
        prop_assert_eq!(incremental, check::check(corpus, &text, &fresh, &settings), "after {:?}", group);
    }
    Ok(windows)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn markdown_edits_give_a_fresh_analysis(groups in proptest::collection::vec(proptest::collection::vec(speaker_change(), 1..3), 1..12)) {
        run(MARKDOWN_DRAFT, TextFormat::Markdown, &groups, &corpus())?;
    }

    #[test]
    fn edits_of_speakers_give_a_fresh_analysis(groups in proptest::collection::vec(proptest::collection::vec(speaker_change(), 1..3), 1..12)) {
        run(SPEAKERS_DRAFT, TextFormat::Markdown, &groups, &corpus())?;
    }

    #[test]
    fn plain_text_edits_give_a_fresh_analysis(groups in proptest::collection::vec(proptest::collection::vec(change(), 1..3), 1..12)) {
        run(PLAIN_DRAFT, TextFormat::Plain, &groups, &corpus())?;
    }
}

/// Changes `from` (the first occurrence) to `to`, as one edit.
fn replace_first(text: &str, from: &str, to: &str) -> Vec<Change> {
    let at = text.find(from).expect("the draft has it");
    vec![Change {
        at: at as f64 / text.len() as f64 + 1e-12,
        line_start: false,
        remove: from.len(),
        insert: to.to_string(),
    }]
}

#[test]
fn a_one_figure_edit_reads_its_paragraph_only() {
    let corpus = corpus();
    let mut text = MARKDOWN_DRAFT.to_string();
    let mut live = LiveAnalysis::new(&text, TextFormat::Markdown);
    let at = text.find("3,600").unwrap();
    text.replace_range(at..at + 5, "3,700");
    live.update(&text, Edit::replace(at..at + 5, 5), TextFormat::Markdown);
    let Reread::Window { new, .. } = live.last_reread() else { panic!("read whole: {:?}", live.last_reread()) };
    assert!(new.slice(&text).starts_with("The port handled") && new.len() < 100, "{:?}", new.slice(&text));
    assert_eq!(live.analysis(), &analyze(&text, TextFormat::Markdown));
    let settings = Settings::default();
    let fresh = check::check(&corpus, &text, &analyze(&text, TextFormat::Markdown), &settings);
    assert_eq!(check::check(&corpus, &text, live.analysis(), &settings), fresh);
}

#[test]
fn edits_that_change_other_blocks_readings_stay_exact() {
    let corpus = corpus();
    // Each edit changes what blocks outside its own read as: a closing quote mark moved out
    // of a continued quote, a fence opened, a list item joining a paragraph, a name that
    // pronouns of later paragraphs resolve to, a blank line removed between paragraphs.
    let cases: &[(&str, &str)] = &[
        ("\"and it will", "and it will"),
        ("Quill said the new crane", "```\nQuill said the new crane"),
        ("\n\nHarbour master", "\nHarbour master"),
        ("Councillor Dev Arlen said", "Councillor Dev Arlen and Ms. Lee Arlen said"),
        ("said Mara Quill, the harbour master", "said Mara Quill, the harbour master, and Ivo Brandt"),
        ("<!-- copydesk-ignore-next-line -->\n", ""),
        ("\n\n## Council", "\n## Council"),
        ("\n\n| Item", "\n| Item"),
        // lines after a list, a block quote and a fence that an indent or a marker joins to them
        ("Harbour master Mara", "  Harbour master Mara"),
        ("Harbour master Mara", "    Harbour master Mara"),
        ("```\n88", "> ```\n88"),
        ("<!-- copy", "    <!-- copy"),
        ("\n```\n\n", "\n\n\n"),
        ("Quill said the new crane", "- Quill said the new crane"),
        ("\"It is a record", "  \"It is a record"),
        ("Turnover reached 81", "    Turnover reached 81"),
    ];
    for (from, to) in cases {
        let groups = vec![replace_first(MARKDOWN_DRAFT, from, to)];
        run(MARKDOWN_DRAFT, TextFormat::Markdown, &groups, &corpus).unwrap();
    }
}

#[test]
fn edits_that_change_whom_other_paragraphs_name_stay_exact() {
    let corpus = corpus();
    // Each edit changes what a mention in another paragraph stands for: a full name added
    // or removed that a surname or a pronoun resolves to, a second person of a surname, a
    // gender, a role's holder, a relative pronoun's antecedent, a lead-in, a cue moved off
    // a quote (which then takes the previous quote's speaker).
    let cases: &[(&str, &str)] = &[
        ("Mara Quill, the harbour master,", "Quill, the harbour master,"),
        ("Mara Quill, the harbour master,", "Mara Quill and Ivo Brandt"),
        ("Mara Quill, the harbour master,", "Lena Quill, the harbour master,"),
        ("Ms. Lee Arlen said", "Lee said"),
        ("Ms. Lee Arlen said", "Mr. Lee Arlen said"),
        ("Councillor Dev Arlen, who", "Councillor Dev Arlen who"),
        ("Councillor Dev Arlen, who", "Councillor Ivo Brandt, who"),
        ("He added:", "He added."),
        ("The harbour master continued:", "Quill continued:"),
        ("The harbour master continued:", "The harbour master continued."),
        ("\"We are full every night,\" Quill said.", "\"We are full every night.\""),
        ("\"and it will be spent,\" the harbour master said.", "\"and it will be spent.\""),
        ("She said the crane", "Ivo Brandt said the crane"),
        ("She said the crane", "The crane"),
        ("# Council votes on the harbour", "# Council Votes On Harbour Master Quill"),
        ("\n\nShe said the crane", " She said the crane"),
        ("\"Nobody expected this,\n\n", "\"Nobody expected this,\" she said.\n\n"),
        // the paragraph before keeps its opener open only while this one reopens a quote
        ("\u{201C}Next year too,", "Next year too,"),
        // a paragraph's relative pronoun reads the name that ends the paragraph before
        ("Ivo Brandt,\n\nthe", "Councillor Lena Quill,\n\nthe"),
        ("Ivo Brandt,\n\nthe", "Ivo Brandt.\n\nthe"),
        // ... whose commas are read back over two paragraphs
        ("the mayor and", "Mayor Lena"),
        // ... and is read again with the paragraph after it, reaching back past what is read
        ("Dock workers number 240.", "Dock workers number 250."),
    ];
    for (from, to) in cases {
        let groups = vec![replace_first(SPEAKERS_DRAFT, from, to)];
        run(SPEAKERS_DRAFT, TextFormat::Markdown, &groups, &corpus).unwrap();
        // and back, from the edited text
        let edited = SPEAKERS_DRAFT.replacen(from, to, 1);
        let groups = vec![replace_first(&edited, to, from)];
        run(&edited, TextFormat::Markdown, &groups, &corpus).unwrap();
    }
}

#[test]
fn most_edits_read_a_window_not_the_whole_draft() {
    // The draft minus what makes every edit of it a whole reading (a link definition).
    let corpus = corpus();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(proptest::collection::vec(change(), 1..2), 20);
    let groups = strategy.new_tree(&mut runner).unwrap().current();
    let windows = run(MARKDOWN_DRAFT, TextFormat::Markdown, &groups, &corpus).unwrap();
    assert!(windows >= 8, "only {windows} of 20 edits read a window");
}

#[test]
fn a_link_definition_makes_every_edit_a_whole_reading() {
    let text = format!("{MARKDOWN_DRAFT}\n[ref]: http://x.y\n");
    let mut live = LiveAnalysis::new(&text, TextFormat::Markdown);
    let mut edited = text.clone();
    edited.insert(0, 'X');
    live.update(&edited, Edit::replace(0..0, 1), TextFormat::Markdown);
    assert_eq!(live.last_reread(), Reread::Whole);
    assert_eq!(live.analysis(), &analyze(&edited, TextFormat::Markdown));
}
