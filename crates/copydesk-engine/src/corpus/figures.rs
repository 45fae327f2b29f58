//! The figure index: figures of one kind and unit, found by the range of their value.

use super::QuantityRef;
use std::ops::Range;

/// Figures of one kind and unit: a prefix sorted by the low end of their range (after
/// [`CorpusIndex::finish`]) and a tail of figures inserted since, scanned in full.
#[derive(Default)]
pub(super) struct FigureBucket {
    pub(super) entries: Vec<(f64, f64, QuantityRef)>,
    pub(super) sorted: usize,
    /// Widest range in the sorted prefix: bounds how far below a query a match can start.
    pub(super) widest: f64,
}

impl FigureBucket {
    pub(super) fn sort(&mut self) {
        self.entries.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.sorted = self.entries.len();
        self.widest = self.entries.iter().map(|e| e.1 - e.0).fold(0.0, f64::max);
    }

    pub(super) fn overlapping(&self, low: f64, high: f64) -> impl Iterator<Item = &(f64, f64, QuantityRef)> + '_ {
        let prefix = &self.entries[..self.sorted];
        let at = may_overlap(prefix, |e| e.0, self.widest, low, high);
        prefix[at].iter().chain(&self.entries[self.sorted..]).filter(move |e| e.0 <= high && e.1 >= low)
    }
}

/// Where, among figures sorted by the low end of their range (`low_of`) whose ranges are at
/// most `widest` wide, those that may overlap `[low, high]` lie: those starting above
/// `high` cannot overlap, and those starting below `low - widest` end before `low`. The
/// figures between still need their high end checked.
pub fn may_overlap<T>(sorted: &[T], low_of: impl Fn(&T) -> f64, widest: f64, low: f64, high: f64) -> Range<usize> {
    let end = sorted.partition_point(|e| low_of(e) <= high);
    let start = sorted[..end].partition_point(|e| low_of(e) < low - widest);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::QuantityRef;
    use proptest::prelude::*;

    proptest! {
        /// The sorted figure lookup finds exactly what a full scan finds, before and after
        /// figures are added to a finished bucket.
        #[test]
        fn figure_lookup_matches_a_full_scan(
            ranges in proptest::collection::vec((0.0f64..1000.0, 0.0f64..300.0), 0..60),
            extra in proptest::collection::vec((0.0f64..1000.0, 0.0f64..300.0), 0..10),
            low in 0.0f64..1200.0,
            width in 0.0f64..200.0,
        ) {
            let high = low + width;
            let mut bucket = FigureBucket::default();
            let mut all = Vec::new();
            for (i, (l, w)) in ranges.iter().enumerate() {
                bucket.entries.push((*l, l + w, QuantityRef { doc: i as u32, quantity: 0, sentence: 0 }));
                all.push((*l, l + w, i as u32));
            }
            bucket.sort();
            for (i, (l, w)) in extra.iter().enumerate() {
                let id = 1000 + i as u32;
                bucket.entries.push((*l, l + w, QuantityRef { doc: id, quantity: 0, sentence: 0 }));
                all.push((*l, l + w, id));
            }
            let mut found: Vec<u32> = bucket.overlapping(low, high).map(|e| e.2.doc).collect();
            let mut expected: Vec<u32> = all.iter().filter(|e| e.0 <= high && e.1 >= low).map(|e| e.2).collect();
            found.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(found, expected);
        }
    }
}
