//! Reading a snapshot that is not in the page cache (a start after a reboot): the pages a
//! lookup will read asked of the disk together, ahead, instead of each fault reading 8 MB
//! around it one after another.
//!
//! A fault in a mapping reads the file's whole read-ahead window around the page
//! (`read_ahead_kb`: 8 MB on the test VM), so a first check that touched pages all over
//! the 178 MB snapshot at 100,000 stories read nearly all of it, one window at a time. A
//! cold mapping is advised `MADV_RANDOM` (a fault reads its page only) and each lookup
//! first asks `MADV_WILLNEED` for the ranges it is about to read, which the kernel reads
//! side by side. A warm one (its first page in the page cache at open) is left as it was: there
//! the hints would only cost system calls.

use memmap2::{Advice, Mmap};
use std::ops::Range;

/// Whether the pages of `range` of `map` are all in the page cache (true where that cannot be told).
pub(super) fn resident(map: &Mmap, range: Range<usize>) -> bool {
    #[cfg(target_os = "linux")]
    {
        let page = 4096;
        let start = range.start / page * page;
        let end = range.end.min(map.len());
        if start >= end {
            return true;
        }
        let mut pages = vec![0u8; (end - start).div_ceil(page)];
        // SAFETY: the range lies in the mapping (the mapping is page-aligned, so is `start`
        // from it), and `pages` has a byte for each of its pages.
        let ok =
            unsafe { libc::mincore(map.as_ptr().add(start) as *mut libc::c_void, end - start, pages.as_mut_ptr()) };
        ok != 0 || pages.iter().all(|p| p & 1 == 1)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (map, range);
        true
    }
}

/// Advises `map` that its pages are read at random: a fault reads its own page only.
pub(super) fn random(map: &Mmap) {
    #[cfg(unix)]
    let _ = map.advise(Advice::Random);
}

/// Asks the disk for the pages of `range` of `map` now, without waiting for them.
pub(super) fn will_need(map: &Mmap, range: Range<usize>) {
    #[cfg(unix)]
    if range.start < range.end && range.end <= map.len() {
        let _ = map.advise_range(Advice::WillNeed, range.start, range.end - range.start);
    }
    #[cfg(not(unix))]
    let _ = (map, range);
}
