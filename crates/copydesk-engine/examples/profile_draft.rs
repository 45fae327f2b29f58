//! A fixed workload for counting instructions, steadier than timings on a busy machine:
//! analyzes the bench draft N times, then checks it M times (warm: after one check has
//! filled the corpus's memos) against the seeds and every K-th Reuters story.
//!
//! `cargo build --release -p copydesk-engine --example profile_draft`, then
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*run_analyze*' target/release/examples/profile_draft ../shared 10 0`
//! (or `--toggle-collect='*run_check*' ... ../shared 1 5 50` for the checks).

mod common;

use common::corpus_files;
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, check, Analysis, TextFormat};
use std::path::PathBuf;

#[inline(never)]
fn run_analyze(draft: &str, n: usize) -> usize {
    (0..n).map(|_| std::hint::black_box(analyze(draft, TextFormat::Markdown)).quotes.len()).sum()
}

#[inline(never)]
fn run_check(corpus: &CorpusIndex, draft: &str, analysis: &Analysis, m: usize) -> usize {
    let settings = Settings::default();
    (0..m).map(|_| std::hint::black_box(check::check(corpus, draft, analysis, &settings)).len()).sum()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shared = PathBuf::from(args.get(1).map_or("../shared", String::as_str));
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (n, m, k) = (number(2, 20), number(3, 0), number(4, 50));
    let draft = std::fs::read_to_string(shared.join("eval/bench/draft-2000.md")).expect("the bench draft");
    println!("analyze: {} quotes", run_analyze(&draft, n));
    if m > 0 {
        let mut docs = Vec::new();
        corpus_files(&shared.join("corpus/seeds"), 1, &mut docs);
        corpus_files(&shared.join("data/reuters21578"), k, &mut docs);
        let corpus = CorpusIndex::build(docs.into_iter().map(AnalyzedSource::new).collect());
        let analysis = analyze(&draft, TextFormat::Markdown);
        let settings = Settings::default();
        println!("warm-up: {} verdicts", check::check(&corpus, &draft, &analysis, &settings).len());
        println!("check: {} verdicts", run_check(&corpus, &draft, &analysis, m));
    }
}
