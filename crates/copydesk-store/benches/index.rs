//! Opening the persistent index: cold (extract everything), warm (no change) and
//! after a few changed files, over a few hundred generated stories.

use copydesk_store::{CorpusSpec, PersistentStore};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::path::Path;

fn story(n: usize) -> String {
    let mut s = format!("Grain terminal bulletin {n}\n\n");
    for k in 0..12 {
        s += &format!(
            "The terminal operator said {} tonnes of barley were loaded in week {k}, up {}.{} percent. \
             \"Rail capacity held up well,\" said Nora Lind, the operator's spokeswoman. \
             Exports reached {} million dollars, customs data showed.\n\n",
            1000 + n * 13 + k,
            k % 9,
            n % 10,
            5 + (n + k) % 40
        );
    }
    s
}

fn corpus(dir: &Path, n: usize) -> CorpusSpec {
    let src = dir.join("sources");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..n {
        std::fs::write(src.join(format!("s{i:05}.txt")), story(i)).unwrap();
    }
    CorpusSpec { paths: vec![src], exclude: vec![], base: dir.to_path_buf() }
}

fn bench(c: &mut Criterion) {
    let n = 300;
    let tmp = tempfile::tempdir().unwrap();
    let spec = corpus(tmp.path(), n);
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    g.bench_function("cold sync (300 stories)", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |idx| PersistentStore::new(idx.path()).sync(&spec, None).unwrap(),
            BatchSize::PerIteration,
        )
    });
    let store = PersistentStore::new(tmp.path().join("idx"));
    store.sync(&spec, None).unwrap();
    store.sync(&spec, None).unwrap(); // past the racy-mtime window
    g.bench_function("warm sync, nothing changed", |b| b.iter(|| store.sync(&spec, None).unwrap()));
    g.bench_function("warm open (sync + load + build)", |b| b.iter(|| store.open_with_stats(&spec, None).unwrap()));
    let mut round = 0;
    g.bench_function("sync after 10 changed files", |b| {
        b.iter(|| {
            round += 1;
            for i in 0..10 {
                std::fs::write(spec.paths[0].join(format!("s{i:05}.txt")), story(n * round + i)).unwrap();
            }
            store.sync(&spec, None).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
