//! Thread pools of the store's own, for work that waits on the disk: many reads in flight
//! hide what each one waits, which the cores alone (rayon's pool) would not.

use std::sync::OnceLock;

/// A named pool of `threads` threads, made on first use.
pub(crate) struct Pool {
    threads: usize,
    name: &'static str,
    pool: OnceLock<Option<rayon::ThreadPool>>,
}

impl Pool {
    pub(crate) const fn new(threads: usize, name: &'static str) -> Self {
        Pool { threads, name, pool: OnceLock::new() }
    }

    /// Runs `f` on the pool; without it (its threads could not start), where it is called.
    pub(crate) fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        let pool = self.pool.get_or_init(|| {
            let name = self.name;
            let named = move |i| format!("{name}-{i}");
            rayon::ThreadPoolBuilder::new().num_threads(self.threads).thread_name(named).build().ok()
        });
        match pool {
            Some(p) => p.install(f),
            None => f(),
        }
    }
}
