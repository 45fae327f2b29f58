//! Checking many claims at once on every core: a draft's first check (at a language
//! server's start) has a hundred claims to check, an edit's one or two.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The cores this process may run on, asked of the system once: the answer reads the
/// process's cgroup files (three opened each time), and a first check asked for it some
/// fifty times.
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// Claims to check at least this many at once are checked side by side.
pub(super) const AT_LEAST: usize = 8;

/// `f` of each of `items`, in their order: on this thread and one more per further core
/// when there are at least [`AT_LEAST`] of them, else on this thread.
///
/// Scoped threads of its own, not rayon's pool: a check waits for the store's reader pool
/// ([`CorpusIndex::prefetch`](crate::corpus::CorpusIndex::prefetch)), and a rayon worker
/// waiting on another pool runs other jobs of its own pool meanwhile, on the same stack —
/// claim checks nested in claim checks, as deep as there are claims. On a rayon worker (a
/// batch of drafts already checked side by side) the claims are checked one by one.
pub(super) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = cores();
    if items.len() < AT_LEAST || cores < 2 || rayon::current_thread_index().is_some() {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    // Each thread takes the next item not taken until none is left.
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { return done };
            done.push((i, f(item)));
        }
    };
    let mut done = std::thread::scope(|s| {
        // A thread that cannot start leaves its share to the others (this one at least).
        let helpers: Vec<_> = (1..cores.min(items.len() / (AT_LEAST / 2)))
            .filter_map(|n| std::thread::Builder::new().name(format!("copydesk-check-{n}")).spawn_scoped(s, work).ok())
            .collect();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_each_result_in_order_whoever_computed_it() {
        let cores = cores();
        for n in [0, 1, AT_LEAST - 1, AT_LEAST, 100, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let side_by_side = n >= AT_LEAST && cores >= 2;
            let threads = std::sync::Mutex::new(std::collections::HashSet::new());
            let waited = std::sync::atomic::AtomicBool::new(false);
            let out = map(&items, |&i| {
                let seen = {
                    let mut threads = threads.lock().unwrap();
                    threads.insert(std::thread::current().id());
                    threads.len()
                };
                // A thread that starts late (a loaded machine) would find every item taken:
                // the first item waits for a second thread, so the test does not depend on
                // how soon the machine starts it.
                if side_by_side && seen < 2 && !waited.swap(true, Ordering::Relaxed) {
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                    while threads.lock().unwrap().len() < 2 && std::time::Instant::now() < deadline {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                }
                // Uneven work, so that the threads finish out of order.
                std::thread::sleep(std::time::Duration::from_micros((i % 7) as u64 * 20));
                i * 2
            });
            assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
            if side_by_side {
                assert!(threads.lock().unwrap().len() >= 2, "{n} items on one thread");
            }
        }
    }

    #[test]
    fn on_a_rayon_worker_it_stays_on_that_thread() {
        let items: Vec<usize> = (0..100).collect();
        let here = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| {
            let me = std::thread::current().id();
            map(&items, |_| {
                // Long enough that a helper thread, were there one, would take some.
                std::thread::sleep(std::time::Duration::from_micros(100));
                std::thread::current().id() == me
            })
        });
        assert!(here.iter().all(|x| *x));
    }
}
