//! A fixed workload for counting the instructions of one-figure edits of the bench draft, as
//! the language server makes them: each edit changes one digit of a figure in place, the
//! draft's line index is brought up to it, and the draft is analyzed and checked again with
//! the document's memo (warm: after a first check).
//!
//! `cargo build --release -p copydesk-engine --example profile_edit`, then
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_edits*' target/release/examples/profile_edit ../shared 20 50 live`
//! (every 50th Reuters story with the seeds as the corpus; `live` analyzes each edit
//! incrementally, as the server does, `whole` analyzes the whole draft again).

mod common;

use common::corpus_files;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex};
use copydesk_engine::incremental::{Edit, LiveAnalysis};
use copydesk_engine::settings::Settings;
use copydesk_engine::text::LineIndex;
use copydesk_engine::{check, TextFormat};
use std::path::PathBuf;

/// `n` one-figure edits: the first figure's last digit goes 0, 1, 2, ... (the text keeps its length).
#[inline(never)]
fn run_edits(
    corpus: &CorpusIndex,
    live: &mut LiveAnalysis,
    incremental: bool,
    at: usize,
    n: usize,
    memo: &mut check::CheckMemo,
) -> usize {
    let settings = Settings::default();
    let mut draft = live.text().to_string();
    let mut lines = LineIndex::new(&draft);
    let mut verdicts = 0;
    for i in 0..n {
        let digit = char::from(b'0' + (i % 10) as u8).to_string();
        draft.replace_range(at..at + 1, &digit);
        lines.edit(&draft, Edit::replace(at..at + 1, 1));
        std::hint::black_box(&lines);
        if incremental {
            live.update(&draft, Edit::replace(at..at + 1, 1), TextFormat::Markdown);
        } else {
            *live = LiveAnalysis::new(&draft, TextFormat::Markdown);
        }
        verdicts +=
            std::hint::black_box(check::check_with_memo(corpus, &draft, live.analysis(), &settings, memo)).len();
    }
    verdicts
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shared = PathBuf::from(args.get(1).map_or("../shared", String::as_str));
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (n, k) = (number(2, 20), number(3, 50));
    let incremental = args.get(4).is_none_or(|m| m != "whole");
    let draft = std::fs::read_to_string(shared.join("eval/bench/draft-2000.md")).expect("the bench draft");
    let mut docs = Vec::new();
    corpus_files(&shared.join("corpus/seeds"), 1, &mut docs);
    corpus_files(&shared.join("data/reuters21578"), k, &mut docs);
    let corpus = CorpusIndex::build(docs.into_iter().map(AnalyzedSource::new).collect());
    // The last digit of the first figure in digits.
    let at = draft.find("84,300").expect("a figure") + 5;
    let mut memo = check::CheckMemo::default();
    let mut live = LiveAnalysis::new(&draft, TextFormat::Markdown);
    let settings = Settings::default();
    println!(
        "warm-up: {} verdicts",
        check::check_with_memo(&corpus, &draft, live.analysis(), &settings, &mut memo).len()
    );
    println!("edits: {} verdicts", run_edits(&corpus, &mut live, incremental, at, n, &mut memo));
}
