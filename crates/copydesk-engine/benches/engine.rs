//! Engine benchmarks: extraction, and checking a 2,000-word draft against a large corpus
//! (the shared seeds + Reuters when ../shared is present, else a generated corpus).
//! `cargo bench -p copydesk-engine --bench engine`

use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
use copydesk_engine::incremental::{Edit, LiveAnalysis};
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, check, TextFormat};
use criterion::{criterion_group, criterion_main, Criterion};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    p.join("eval/bench/draft-2000.md").is_file().then_some(p)
}

fn sources_in(dir: &Path) -> Vec<SourceDoc> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(&f).ok()?;
            Some(SourceDoc {
                path: f.to_string_lossy().into_owned(),
                text,
                format: TextFormat::Plain,
                title: None,
                date: None,
                layout: Default::default(),
            })
        })
        .collect()
}

fn generated_corpus(n: usize) -> Vec<SourceDoc> {
    (0..n)
        .map(|i| SourceDoc {
            path: format!("gen{i}.txt"),
            text: format!(
                "Mill {i} report\n\nThe mill in town {i} employs {} workers and shipped {} tonnes last year, its owner said.\n\n\"We expect {} more orders,\" said owner Dana Lee{i}.\n",
                100 + i % 900,
                2_000 + i * 7 % 5_000,
                10 + i % 40
            ),
            format: TextFormat::Plain,
            title: None,
            date: None,
            layout: Default::default(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (draft, docs) = match shared() {
        Some(s) => {
            let draft = std::fs::read_to_string(s.join("eval/bench/draft-2000.md")).unwrap_or_default();
            let mut docs = sources_in(&s.join("corpus/seeds"));
            docs.extend(sources_in(&s.join("data/reuters21578")));
            (draft, docs)
        }
        None => {
            let draft = "The mill in town 12 employs 140 workers, its owner said.\n\n".repeat(60);
            (draft, generated_corpus(5_000))
        }
    };
    let mut g = c.benchmark_group("engine");
    g.sample_size(20);
    g.bench_function("analyze 2,000-word draft", |b| b.iter(|| analyze(&draft, TextFormat::Markdown)));
    let corpus = CorpusIndex::build(docs.into_par_iter().map(AnalyzedSource::new).collect());
    let settings = Settings::default();
    let analysis = analyze(&draft, TextFormat::Markdown);
    g.bench_function("check 2,000-word draft (warm)", |b| {
        b.iter(|| check::check(&corpus, &draft, &analysis, &settings))
    });
    // An edit changes one sentence: analysis + check of the new text, the rest memoized.
    let mut n = 0u32;
    g.bench_function("edit: analyze + check after a one-word change", |b| {
        b.iter(|| {
            n += 1;
            let edited = draft.replacen("the ", &format!("the {n} "), 1);
            let a = analyze(&edited, TextFormat::Markdown);
            check::check(&corpus, &edited, &a, &settings)
        })
    });
    // The same edits as the server makes them: verdicts of untouched claims come from the document's memo.
    let mut memo = check::CheckMemo::default();
    g.bench_function("edit with the document's memo (as the server checks)", |b| {
        b.iter(|| {
            n += 1;
            let edited = draft.replacen("the ", &format!("the {n} "), 1);
            let a = analyze(&edited, TextFormat::Markdown);
            check::check_with_memo(&corpus, &edited, &a, &settings, &mut memo)
        })
    });
    one_figure_edits(&mut g, &corpus, &draft, &settings);
    g.finish();
}

/// A one-figure edit of the draft (the last digit of its first figure in digits, so the text
/// keeps its length), as the server takes it: the analysis brought up to the new text, whole
/// or incrementally, then the check with the document's memo.
fn one_figure_edits(
    g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    corpus: &CorpusIndex,
    draft: &str,
    settings: &Settings,
) {
    // The bench draft's first figure in its body ("84,300"), else the first figure.
    let last_digit =
        |i: usize| i + draft[i..].find(|c: char| !c.is_ascii_digit() && c != ',').unwrap_or(draft.len() - i) - 1;
    let Some(at) = draft.find("84,300").or_else(|| draft.find(|c: char| c.is_ascii_digit())).map(last_digit) else {
        return;
    };
    let mut text = draft.to_string();
    let mut digit = 0u8;
    let mut next_text = move || {
        digit = (digit + 1) % 10;
        text.replace_range(at..at + 1, &char::from(b'0' + digit).to_string());
        text.clone()
    };
    let edit = Edit::replace(at..at + 1, 1);
    let mut live = LiveAnalysis::new(draft, TextFormat::Markdown);
    g.bench_function("one-figure edit: analysis, whole", |b| b.iter(|| analyze(&next_text(), TextFormat::Markdown)));
    g.bench_function("one-figure edit: analysis, incremental", |b| {
        b.iter(|| live.update(&next_text(), edit, TextFormat::Markdown))
    });
    let mut memo = check::CheckMemo::default();
    check::check_with_memo(corpus, draft, &analyze(draft, TextFormat::Markdown), settings, &mut memo);
    g.bench_function("one-figure edit: whole analysis + check with the memo", |b| {
        b.iter(|| {
            let text = next_text();
            let a = analyze(&text, TextFormat::Markdown);
            check::check_with_memo(corpus, &text, &a, settings, &mut memo)
        })
    });
    g.bench_function("one-figure edit: incremental analysis + check with the memo", |b| {
        b.iter(|| {
            let text = next_text();
            live.update(&text, edit, TextFormat::Markdown);
            check::check_with_memo(corpus, &text, live.analysis(), settings, &mut memo)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
