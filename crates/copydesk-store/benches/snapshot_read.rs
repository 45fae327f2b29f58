//! Times opening an index snapshot (mapping it, its header read and checked) and checking
//! all of it against its digests, against hashing its bytes alone.
//! Not a criterion bench: `COPYDESK_BENCH_SNAPSHOT=FILE COPYDESK_BENCH_BASE=DIR cargo bench -p copydesk-store --bench snapshot_read`
//! (DIR: the folder the snapshot's paths are shown relative to, where copydesk ran) prints
//! one JSON line of milliseconds (minimum and median of `COPYDESK_BENCH_RUNS`, default 15);
//! without the variables it does nothing.

use copydesk_store::index::engine_fingerprint;
use copydesk_store::snapshot::{self, Stamp};
use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

/// Minimum and median of `runs` timings of `f`, in milliseconds.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[0], ms[ms.len() / 2])
}

fn main() {
    let (Some(file), Some(base)) =
        (std::env::var_os("COPYDESK_BENCH_SNAPSHOT"), std::env::var_os("COPYDESK_BENCH_BASE"))
    else {
        return;
    };
    let file = PathBuf::from(file);
    let base = PathBuf::from(base).to_string_lossy().into_owned();
    let runs = std::env::var("COPYDESK_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(15);
    let stamp = Stamp { fingerprint: engine_fingerprint(), generation: "", base: &base };
    let open = || snapshot::open(&file, stamp, true).expect("a snapshot").expect("made for this engine and folder");
    let (open_min, open_median) = time(runs, || drop(open()));
    let (check_min, check_median) = time(runs, || open().check_all().expect("not damaged"));
    // The file's bytes from the page cache, then blake3 over them on one thread.
    let mut bytes = Vec::new();
    std::fs::File::open(&file).and_then(|mut f| f.read_to_end(&mut bytes)).expect("readable");
    let (hash_min, hash_median) = time(runs, || {
        std::hint::black_box(blake3::hash(&bytes));
    });
    println!(
        "{{\"mb\": {:.1}, \"open_ms\": [{open_min:.2}, {open_median:.2}], \"check_all_ms\": [{check_min:.1}, {check_median:.1}], \"blake3_one_thread_ms\": [{hash_min:.1}, {hash_median:.1}]}}",
        bytes.len() as f64 / 1e6
    );
}
