//! Engine benchmarks: extraction, and checking a 2,000-word draft against a large corpus
//! (the shared seeds + Reuters when ../shared is present, else a generated corpus).
//! `cargo bench -p copydesk-engine --bench engine`

use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
