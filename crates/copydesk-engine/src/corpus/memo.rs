//! Values derived from an unchanging corpus, computed once, and the stamp that says
//! which state of the corpus they hold for.

use std::collections::HashMap;
use std::sync::Mutex;

/// A process-wide unique stamp of one state of one [`CorpusIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Generation(pub(super) u64);

impl Generation {
    pub(super) fn next() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Generation(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for Generation {
    fn default() -> Self {
        Generation::next()
    }
}

/// Entries kept in a memo before it is cleared.
pub(super) const MEMO_CAPACITY: usize = 50_000;

/// Values derived from an unchanging corpus, computed once; shared across threads.
/// At most `CAP` entries are kept: a full memo starts again empty.
pub(super) struct Memo<K, V, const CAP: usize = MEMO_CAPACITY> {
    map: Mutex<HashMap<K, V>>,
}

impl<K, V, const CAP: usize> Default for Memo<K, V, CAP> {
    fn default() -> Self {
        Memo { map: Mutex::new(HashMap::new()) }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone, const CAP: usize> Memo<K, V, CAP> {
    /// The memoized value for `key`, or `compute()` remembered (all of it dropped when full).
    pub(super) fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(hit) = self.get(&key) {
            return hit;
        }
        let value = compute();
        self.insert(key, value.clone());
        value
    }

    /// Remembers `value` for `key`, in place of any value remembered (all of it dropped when full).
    pub(super) fn insert(&self, key: K, value: V) {
        if let Ok(mut m) = self.map.lock() {
            if m.len() >= CAP {
                m.clear();
            }
            m.insert(key, value);
        }
    }

    /// The value remembered for `key`, if it is.
    pub(super) fn get(&self, key: &K) -> Option<V> {
        self.map.lock().ok().and_then(|m| m.get(key).cloned())
    }

    /// Whether `key` is remembered.
    pub(super) fn contains(&self, key: &K) -> bool {
        self.map.lock().is_ok_and(|m| m.contains_key(key))
    }

    pub(super) fn clear(&mut self) {
        self.map.get_mut().map(HashMap::clear).unwrap_or_else(|p| p.into_inner().clear());
    }
}
