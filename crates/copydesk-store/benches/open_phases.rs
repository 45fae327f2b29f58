//! Times the phases of opening a large corpus through the persistent index.
//! Not a criterion bench: `COPYDESK_BENCH_CORPUS=DIR COPYDESK_BENCH_INDEX=DIR [COPYDESK_BENCH_BASE=DIR] cargo bench -p copydesk-store --bench open_phases`
//! prints one JSON line (sync, load, build, total, RSS); without the variables it does nothing.

use copydesk_store::{CorpusSpec, PersistentStore};
use std::path::PathBuf;
use std::time::Instant;

fn rss_mib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn main() {
    let (Some(corpus), Some(index)) =
        (std::env::var_os("COPYDESK_BENCH_CORPUS"), std::env::var_os("COPYDESK_BENCH_INDEX"))
    else {
        return;
    };
    let corpus = PathBuf::from(corpus);
    // Paths shown relative to COPYDESK_BENCH_BASE (as the CLI shows them), else to the corpus.
    let base = std::env::var_os("COPYDESK_BENCH_BASE").map_or_else(|| corpus.clone(), PathBuf::from);
    let spec = CorpusSpec { paths: vec![corpus.clone()], exclude: vec![], base };
    let store = PersistentStore::new(PathBuf::from(index));
    let t = Instant::now();
    let (loaded, stats, timings) = store.open_with_stats(&spec, None).expect("opens");
    let total = t.elapsed();
    println!(
        "{{\"stories\": {}, \"extracted\": {}, \"sync_ms\": {}, \"load_ms\": {}, \"build_ms\": {}, \"total_ms\": {}, \"peak_rss_mib\": {}}}",
        loaded.index.len(),
        stats.extracted(),
        timings.sync.as_millis(),
        timings.load.as_millis(),
        timings.build.as_millis(),
        total.as_millis(),
        rss_mib()
    );
}
