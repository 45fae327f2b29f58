//! Times what a language server's start costs in process: the index opened from its
//! snapshot (`PersistentStore::open_snapshot`), then the first check of a draft against it
//! (the documents it needs read from the database), and a second check of the same draft.
//! Not a criterion bench: `COPYDESK_BENCH_CORPUS=DIR COPYDESK_BENCH_INDEX=DIR COPYDESK_BENCH_BASE=DIR COPYDESK_BENCH_DRAFT=FILE cargo bench -p copydesk-store --bench quick_start`
//! prints one JSON line of milliseconds; without the variables it does nothing. For
//! callgrind: `--toggle-collect='*quick_start*'` counts the open and the first check.

use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, check, TextFormat};
use copydesk_store::{CorpusSpec, PersistentStore};
use std::path::PathBuf;
use std::time::Instant;

#[inline(never)]
fn quick_start(
    store: &PersistentStore,
    spec: &CorpusSpec,
    draft: &str,
) -> (copydesk_engine::corpus::CorpusIndex, f64, f64, usize) {
    let t = Instant::now();
    let quick = store.open_snapshot(spec).expect("opens").expect("a snapshot");
    let open = t.elapsed().as_secs_f64() * 1000.0;
    let analysis = analyze(draft, TextFormat::Markdown);
    let verdicts = check::check(&quick.index, draft, &analysis, &Settings::default());
    let findings = check::findings(&verdicts).len();
    (quick.index, open, t.elapsed().as_secs_f64() * 1000.0 - open, findings)
}

/// This thread's time on a CPU and waiting for one (in the run queue), in milliseconds
/// (`/proc/thread-self/schedstat`; zeros elsewhere): on a shared machine, how much of a
/// timing was waiting for other work.
fn sched_ms() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut v = s.split_whitespace().map(|x| x.parse::<f64>().unwrap_or(0.0) / 1e6);
    (v.next().unwrap_or(0.0), v.next().unwrap_or(0.0))
}

fn main() {
    let vars = ["CORPUS", "INDEX", "BASE", "DRAFT"].map(|v| std::env::var_os(format!("COPYDESK_BENCH_{v}")));
    let [Some(corpus), Some(index), Some(base), Some(draft)] = vars else { return };
    let spec = CorpusSpec { paths: vec![PathBuf::from(corpus)], exclude: vec![], base: PathBuf::from(base) };
    let store = PersistentStore::new(PathBuf::from(index));
    let draft = std::fs::read_to_string(draft).expect("a draft");
    let (cpu0, wait0) = sched_ms();
    let (index, open, first, findings) = quick_start(&store, &spec, &draft);
    let (cpu1, wait1) = sched_ms();
    let t = Instant::now();
    let analysis = analyze(&draft, TextFormat::Markdown);
    check::check(&index, &draft, &analysis, &Settings::default());
    let again = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{{\"open_ms\": {open:.1}, \"first_check_ms\": {first:.1}, \"second_check_ms\": {again:.1}, \"documents_read\": {}, \"findings\": {findings}, \"open_and_first_check_on_cpu_ms\": {:.1}, \"waiting_for_a_cpu_ms\": {:.1}}}",
        index.base_docs_read(),
        cpu1 - cpu0,
        wait1 - wait0
    );
}
