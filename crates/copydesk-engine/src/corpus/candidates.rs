//! A query's candidate sentences: the first `n` by the summed weights of the posting lists
//! that hold them, ties by position.
//!
//! Summing every posting of every list (up to [`FINDING_POSTINGS`](super::finding::FINDING_POSTINGS)
//! of them) into one map and picking the first `n` of it cost a first check more than
//! anything else it did. The lists are read heaviest (rarest term) first instead. Once `n`
//! sentences already found each weigh more than everything the lists not yet read could
//! give one sentence, no sentence not yet found can join the first `n` (the `n`th weight
//! only grows); from then on only the sentences found that may still reach that weight
//! are followed, and the rest of each list — the long lists of the commonest terms — is
//! only looked up for them.
//!
//! The sums are of f32 weights in f64: exact (the weights of terms used to find candidates
//! lie within a few binary orders of magnitude, and there are at most a few hundred of
//! them), so they do not depend on the order of the summing, and a bound compared with a
//! weight is compared exactly.

use super::{DocId, SentRef};
use crate::terms::TermMap;

/// The first `n` sentences (packed) by the summed weights of the posting `lists` that hold
/// them (documents `skip` names left out), by weight and then position. A sentence is at
/// most once in a list.
pub(super) fn first_by_weight(lists: &[(f32, &[u64])], n: usize, skip: &dyn Fn(DocId) -> bool) -> Vec<(u64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let mut lists = lists.to_vec();
    lists.sort_by(|a, b| b.0.total_cmp(&a.0));
    // unread[i]: the most the lists from the `i`th on can add to a sentence's weight.
    let mut unread = vec![0f64; lists.len() + 1];
    for i in (0..lists.len()).rev() {
        unread[i] = unread[i + 1] + f64::from(lists[i].0);
    }
    // Sized for every posting at once: growing it rehashed each entry a few times.
    let total = lists.iter().map(|(_, p)| p.len()).sum();
    let mut slot: TermMap<u32> = TermMap::with_capacity_and_hasher(total, Default::default());
    let mut found: Vec<(u64, f64)> = Vec::new();
    let mut read = 0;
    while read < lists.len() && !closed(&found, n, unread[read]) {
        let (w, postings) = lists[read];
        for &r in postings {
            if skip(SentRef::unpack(r).doc) {
                continue;
            }
            match slot.entry(r) {
                std::collections::hash_map::Entry::Occupied(e) => found[*e.get() as usize].1 += f64::from(w),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(found.len() as u32);
                    found.push((r, f64::from(w)));
                }
            }
        }
        read += 1;
    }
    if read < lists.len() {
        found = follow(found, n, &lists[read..], &unread[read..]);
    }
    first_n(found, n)
}

/// Do at least `n` of `found` weigh more than `bound`?
fn closed(found: &[(u64, f64)], n: usize, bound: f64) -> bool {
    found.len() >= n && found.iter().filter(|(_, w)| *w > bound).take(n).count() == n
}

/// `found` (every sentence that may be among the first `n`, at least `n`) completed with the
/// weights of the lists not yet read (`lists`, whose bounds are `unread`): after each list,
/// those that can no longer reach the `n`th weight of `found` are dropped (that weight only
/// grows), and each list is looked up for those left — by a binary search each when they
/// are few beside the list, else in one merge.
fn follow(mut left: Vec<(u64, f64)>, n: usize, lists: &[(f32, &[u64])], unread: &[f64]) -> Vec<(u64, f64)> {
    let mut weights: Vec<f64> = left.iter().map(|(_, w)| *w).collect();
    let nth = *weights.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a)).1;
    // A tie may still win by position: a sentence that can reach the `n`th weight stays.
    let hopeful = |left: &mut Vec<(u64, f64)>, unread: f64| left.retain(|(_, w)| *w + unread >= nth);
    hopeful(&mut left, unread[0]);
    // A stable sort, which merges runs: each list read added its new sentences in its order,
    // which is by position when the lists are.
    left.sort_by_key(|(r, _)| *r);
    for (i, (w, postings)) in lists.iter().enumerate() {
        let w = f64::from(*w);
        let searches = left.len() * (usize::BITS - postings.len().leading_zeros()) as usize;
        if !postings.is_sorted() {
            for p in *postings {
                if let Ok(i) = left.binary_search_by_key(p, |(r, _)| *r) {
                    left[i].1 += w;
                }
            }
        } else if searches < postings.len() {
            // Each from where the last one was.
            let mut from = 0;
            for (r, weight) in &mut left {
                from += postings[from..].partition_point(|p| p < r);
                if postings.get(from) == Some(r) {
                    *weight += w;
                }
            }
        } else {
            let mut at = 0;
            for (r, weight) in &mut left {
                while postings.get(at).is_some_and(|p| p < r) {
                    at += 1;
                }
                if postings.get(at) == Some(r) {
                    *weight += w;
                }
            }
        }
        hopeful(&mut left, unread[i + 1]);
    }
    left
}

/// The first `n` of `found` by weight and then position, in that order.
fn first_n(mut found: Vec<(u64, f64)>, n: usize) -> Vec<(u64, f64)> {
    let order = |a: &(u64, f64), b: &(u64, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    // The first `n` picked out, then sorted: the order is total, so they are the ones (and
    // in the order) that sorting everything gives.
    if found.len() > n {
        found.select_nth_unstable_by(n - 1, order);
    }
    found.truncate(n);
    found.sort_unstable_by(order);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every posting summed into one map, then the first `n`: what the lists say, read plainly.
    fn summed(lists: &[(f32, &[u64])], n: usize, skip: &dyn Fn(DocId) -> bool) -> Vec<(u64, f64)> {
        let mut acc: std::collections::HashMap<u64, f64> = std::collections::HashMap::new();
        for (w, postings) in lists {
            for r in *postings {
                if !skip(SentRef::unpack(*r).doc) {
                    *acc.entry(*r).or_default() += f64::from(*w);
                }
            }
        }
        let mut all: Vec<(u64, f64)> = acc.into_iter().collect();
        all.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }

    /// A list drawn by proptest: its weight's level, its (document, sentence) pairs, sorted or not.
    type RawList = (u8, Vec<(u8, u8)>, bool);

    fn lists_of(raw: &[RawList]) -> Vec<(f32, Vec<u64>)> {
        raw.iter()
            .map(|(w, refs, sorted)| {
                // Weights of a few levels, so that sums tie.
                let w = 3.0 + f32::from(*w % 8) * 0.5;
                let mut p: Vec<u64> = refs
                    .iter()
                    .map(|&(d, s)| SentRef { doc: u32::from(d % 40), sentence: u32::from(s % 6) }.pack())
                    .collect();
                p.sort_unstable();
                p.dedup();
                if !*sorted {
                    p.reverse();
                }
                (w, p)
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        #[test]
        fn the_first_n_are_those_of_summing_every_posting(
            raw in prop::collection::vec((any::<u8>(), prop::collection::vec((any::<u8>(), any::<u8>()), 0..120), prop::bool::weighted(0.9)), 0..8),
            n in 0usize..40,
            skipped in 0u32..60,
        ) {
            let lists = lists_of(&raw);
            let lists: Vec<(f32, &[u64])> = lists.iter().map(|(w, p)| (*w, &p[..])).collect();
            let skip = |d: DocId| d == skipped;
            prop_assert_eq!(first_by_weight(&lists, n, &skip), summed(&lists, n, &skip));
        }
    }

    #[test]
    fn the_long_lists_of_common_terms_are_only_looked_up_once_the_first_n_are_settled() {
        // Two rare terms find three sentences; a common one (a lighter weight) holds
        // thousands, among them one of the three and one that ties with none.
        let rare_a: Vec<u64> = [1u64, 2, 3].to_vec();
        let rare_b: Vec<u64> = [2u64, 3].to_vec();
        let common: Vec<u64> = (2..5_000).collect();
        let lists = [(8.0, &rare_a[..]), (7.0, &rare_b[..]), (1.0, &common[..])];
        let got = first_by_weight(&lists, 2, &|_| false);
        assert_eq!(got, vec![(2, 16.0), (3, 16.0)]);
        // The first three: sentence 1 (8) outweighs any the common list alone finds (1).
        assert_eq!(first_by_weight(&lists, 3, &|_| false), vec![(2, 16.0), (3, 16.0), (1, 8.0)]);
        // Four: the fourth is the first of the common list's own, by position.
        assert_eq!(first_by_weight(&lists, 4, &|_| false)[3], (4, 1.0));
    }
}
