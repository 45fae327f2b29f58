//! Finding a term in a sorted array of term hashes through a table of where each run of
//! leading bits starts: one or two cache lines a lookup, where a binary search over the
//! 100,000-story corpus's terms reads about twenty, most of them misses (a fifth of a
//! language server's first check was `df`'s binary search).

/// Where each value of the leading `bits` bits starts in a sorted `&[u64]` it was made for.
#[derive(Clone, Debug, Default)]
pub struct RadixTable {
    /// 64 minus the bits kept: a key's bucket is `key >> shift`.
    shift: u32,
    /// For bucket `b`, the index of the first key whose bucket is at least `b`; one entry
    /// more than there are buckets. Empty when the array is too long for `u32` indexes
    /// (lookups then search the whole array).
    starts: Vec<u32>,
}

/// About this many keys share a bucket: the table is half a word per key.
const KEYS_PER_BUCKET: usize = 4;

impl RadixTable {
    /// The table of `keys`, which must be sorted (as a term array is); made in one pass.
    pub fn new(keys: &[u64]) -> Self {
        if keys.len() >= u32::MAX as usize {
            return RadixTable { shift: 64, starts: Vec::new() };
        }
        let buckets = (keys.len() / KEYS_PER_BUCKET).max(1).next_power_of_two();
        let bits = buckets.trailing_zeros();
        let shift = 64 - bits;
        let bucket = |k: u64| if bits == 0 { 0 } else { (k >> shift) as usize };
        let mut starts = Vec::with_capacity(buckets + 1);
        for (i, &k) in keys.iter().enumerate() {
            while starts.len() <= bucket(k) {
                starts.push(i as u32);
            }
        }
        starts.resize(buckets + 1, keys.len() as u32);
        RadixTable { shift, starts }
    }

    /// The index of `key` in `keys` (the array the table was made for), if it is there.
    pub fn find(&self, keys: &[u64], key: u64) -> Option<usize> {
        let (from, to) = match self.starts.len() {
            0 => (0, keys.len()),
            n => {
                let b = if n == 2 { 0 } else { (key >> self.shift) as usize };
                (self.starts[b] as usize, self.starts[b + 1] as usize)
            }
        };
        let run = keys.get(from..to)?;
        run.binary_search(&key).ok().map(|i| from + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(keys: &mut Vec<u64>, asked: &[u64]) {
        keys.sort_unstable();
        keys.dedup();
        let table = RadixTable::new(keys);
        for &k in asked.iter().chain(keys.iter()) {
            assert_eq!(table.find(keys, k), keys.binary_search(&k).ok(), "key {k:#x} of {}", keys.len());
        }
    }

    #[test]
    fn edges() {
        check(&mut vec![], &[0, 1, u64::MAX]);
        check(&mut vec![0], &[0, 1, u64::MAX]);
        check(&mut vec![u64::MAX], &[0, u64::MAX - 1, u64::MAX]);
        check(&mut vec![0, u64::MAX], &[0, 1, u64::MAX - 1, u64::MAX]);
        // Keys crowded into one bucket, and buckets left empty between them.
        check(&mut (0..1000).collect(), &[1000, 1 << 63, u64::MAX]);
        check(&mut (0..1000).map(|i| u64::MAX - i).collect(), &[0, 1 << 63, u64::MAX - 1000]);
    }

    proptest! {
        #[test]
        fn finds_what_a_binary_search_finds(mut keys in prop::collection::vec(any::<u64>(), 0..3000), asked in prop::collection::vec(any::<u64>(), 0..50)) {
            check(&mut keys, &asked);
        }

        #[test]
        fn finds_clustered_keys(base in any::<u64>(), mut gaps in prop::collection::vec(0u64..1 << 20, 1..2000)) {
            let mut k = base;
            let mut keys: Vec<u64> = gaps.drain(..).map(|g| { k = k.wrapping_add(g); k }).collect();
            let asked: Vec<u64> = keys.iter().map(|k| k.wrapping_add(1)).collect();
            check(&mut keys, &asked);
        }
    }
}
