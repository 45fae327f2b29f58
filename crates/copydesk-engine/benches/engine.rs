use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let text = "Ukraine's defense minister said 94,300 Russian troops were near the border. \"We will respond,\" he said.\n\n".repeat(50);
    c.bench_function("analyze 100 paragraphs", |b| b.iter(|| copydesk_engine::analyze(&text, copydesk_engine::TextFormat::Plain)));
}

criterion_group!(benches, bench);
criterion_main!(benches);
