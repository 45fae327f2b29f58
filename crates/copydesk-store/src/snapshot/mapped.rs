//! A snapshot file mapped into memory: its header read and checked at open, its sections
//! read in place, each block of them checked against its digest the first time anything
//! in it is used.

use super::{block_digest, readahead, Header, Section, BLOCK, DIGEST, MAGIC, MAGIC_FAMILY, PAGE, SECTIONS};
use anyhow::{bail, ensure, Context, Result};
use rayon::prelude::*;
use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// A snapshot file mapped into memory. Nothing of its sections is read at open: a lookup
/// reads the pages it needs (from the page cache, or the disk), and the blocks they lie in
/// are checked against the header's digests on first use ([`MappedSnapshot::u64s`]).
pub struct MappedSnapshot {
    path: PathBuf,
    /// The file, for [`Self::check_all`].
    file: std::fs::File,
    map: memmap2::Mmap,
    pub(super) header: Header,
    /// Where the block table starts in the file.
    table: usize,
    /// Where the sections start in the file.
    data_start: usize,
    /// Blocks checked against their digest.
    checked: Vec<AtomicBool>,
    /// Sections checked whole (so that a lookup in one of them checks nothing more).
    whole: [AtomicBool; SECTIONS],
    /// Why the snapshot cannot be trusted, once a block did not match its digest.
    damage: OnceLock<String>,
    /// Whether its first page was not in the page cache at open: lookups then ask for the
    /// pages they will read ahead ([`super::readahead`]).
    cold: bool,
}

impl MappedSnapshot {
    /// Maps the snapshot at `path` and reads its header; Ok(None) when there is none or it is
    /// of another format; an error when its header is damaged or its sections do not fit it.
    pub fn open(path: &Path) -> Result<Option<Self>> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot open", path.display())),
        };
        // SAFETY: a snapshot is never written in place: a new one is written to a file of
        // its own and renamed over the old, so the mapped file does not change under us.
        let map = unsafe { memmap2::Mmap::map(&file) }.with_context(|| format!("{}: cannot map", path.display()))?;
        // Told before anything of it is read (reading its header reads ahead around it).
        let cold = !readahead::resident(&map, 0..PAGE);
        let bytes: &[u8] = &map;
        ensure!(bytes.len() >= 8, "{}: damaged: shorter than its magic", path.display());
        if &bytes[..8] != MAGIC {
            if bytes.starts_with(MAGIC_FAMILY) {
                return Ok(None); // of another format: stale
            }
            bail!("{}: not a copydesk snapshot", path.display());
        }
        if cfg!(target_endian = "big") {
            return Ok(None); // its arrays are little-endian, read in place
        }
        let head_len =
            bytes.get(40..48).map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))).unwrap_or(u64::MAX);
        let head = usize::try_from(head_len).ok().and_then(|n| bytes.get(48..48usize.checked_add(n)?));
        let Some(head) = head else { bail!("{}: damaged: its header runs past the end of the file", path.display()) };
        let header: Result<Header> =
            postcard::from_bytes(head).with_context(|| format!("{}: damaged: its header", path.display()));
        // The header and the block table are checked against their digest before anything
        // of them is used (the header is parsed first only to find the table's length).
        let table_end = header.as_ref().ok().and_then(|h| {
            let end = usize::try_from(h.blocks).ok()?.checked_mul(DIGEST)?.checked_add(48 + head.len())?;
            (end <= bytes.len()).then_some(end)
        });
        let digested = bytes.get(48..table_end.unwrap_or(48 + head.len())).unwrap_or_default();
        ensure!(
            blake3::hash(digested).as_bytes()[..] == bytes[8..40],
            "{}: damaged: its header does not match its digest",
            path.display()
        );
        let header = header?;
        let Some(table_end) = table_end else {
            bail!("{}: damaged: its block table runs past the end", path.display())
        };
        let table = 48 + head.len();
        let data_start = table_end.next_multiple_of(PAGE);
        let data = bytes.len().saturating_sub(data_start);
        fits(&header, data).with_context(|| format!("{}: damaged", path.display()))?;
        let checked = (0..header.blocks).map(|_| AtomicBool::new(false)).collect();
        let whole = std::array::from_fn(|_| AtomicBool::new(false));
        let section_at = |s: Section| {
            let (offset, len) = header.sections[s as usize];
            data_start + offset as usize..data_start + (offset + len) as usize
        };
        if cold {
            // The tables every lookup goes through (or searches: the figures' low ends),
            // read ahead whole (17 MB at 100,000 stories); the rest a page at a time, as
            // lookups ask.
            readahead::random(&map);
            for s in [
                Section::Terms,
                Section::TermStarts,
                Section::DocSentences,
                Section::SentenceStarts,
                Section::PathStarts,
                Section::KeyStarts,
                Section::FigureLows,
            ] {
                readahead::will_need(&map, section_at(s));
            }
        }
        Ok(Some(MappedSnapshot {
            path: path.to_path_buf(),
            file,
            map,
            header,
            table,
            data_start,
            checked,
            whole,
            damage: OnceLock::new(),
            cold,
        }))
    }

    /// The bytes of `section` at `range` (in bytes from its start), their blocks checked;
    /// None when they are not there or do not match their digest ([`Self::damage`] says).
    pub fn bytes(&self, section: Section, range: Range<usize>) -> Option<&[u8]> {
        let (offset, len) = self.header.sections[section as usize];
        if range.start > range.end || range.end as u64 > len {
            return None;
        }
        let start = self.data_start + offset as usize + range.start;
        let end = start + (range.end - range.start);
        if !self.check(start - self.data_start..end - self.data_start) {
            return None;
        }
        self.map.get(start..end)
    }

    /// Whether its first page was not in the page cache at open ([`Self::will_need`] asks
    /// the disk for nothing otherwise).
    pub fn is_cold(&self) -> bool {
        self.cold
    }

    /// Asks the disk now for the `u64`s of `section` at `range` (in elements), which a
    /// lookup is about to read, when the snapshot was not in the page cache at open.
    pub fn will_need(&self, section: Section, range: Range<usize>) {
        if let (Some(a), Some(b)) = (range.start.checked_mul(8), range.end.checked_mul(8)) {
            self.will_need_bytes(section, a..b);
        }
    }

    /// [`Self::will_need`] of `range` in bytes.
    pub fn will_need_bytes(&self, section: Section, range: Range<usize>) {
        let (offset, len) = self.header.sections[section as usize];
        if !self.cold || range.start >= range.end || range.end as u64 > len {
            return;
        }
        let start = self.data_start + offset as usize;
        readahead::will_need(&self.map, start + range.start..start + range.end);
    }

    /// The `u64`s of `section` at `range` (in elements), as [`Self::bytes`].
    pub fn u64s(&self, section: Section, range: Range<usize>) -> Option<&[u64]> {
        let bytes = self.bytes(section, range.start.checked_mul(8)?..range.end.checked_mul(8)?)?;
        // SAFETY: any eight bytes are a u64; `align_to` puts none in the middle unaligned.
        let (head, words, tail) = unsafe { bytes.align_to::<u64>() };
        (head.is_empty() && tail.is_empty()).then_some(words)
    }

    /// `slice::partition_point` of the `u64`s of `section` at `range` (in elements): the
    /// first of them (counted from `range.start`) for which `pred` is false, `pred` holding
    /// for a prefix of them. Only the blocks of the elements the search reads are checked
    /// (a few per lookup, not the whole range: a bucket of figures runs to megabytes); None
    /// when the range is not there or a block read does not match its digest.
    pub fn partition_point(&self, section: Section, range: Range<usize>, pred: impl Fn(u64) -> bool) -> Option<usize> {
        // The range is there (`u64s` of its empty end checks that, and reads nothing); its
        // elements are read one at a time, each block checked as `u64s` checks it.
        self.u64s(section, range.end..range.end)?;
        let (mut lo, mut hi) = (range.start, range.end);
        if lo > hi {
            return None;
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(self.u64s(section, mid..mid + 1)?[0]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Some(lo - range.start)
    }

    /// Every `u64` of `section`.
    pub fn all_u64s(&self, section: Section) -> Option<&[u64]> {
        let whole = &self.whole[section as usize];
        if whole.load(Ordering::Acquire) && self.damage.get().is_none() {
            let start = self.data_start + self.header.sections[section as usize].0 as usize;
            let bytes = self.map.get(start..start + self.count(section) * 8)?;
            // SAFETY: as in `u64s`.
            let (head, words, tail) = unsafe { bytes.align_to::<u64>() };
            return (head.is_empty() && tail.is_empty()).then_some(words);
        }
        let words = self.u64s(section, 0..self.count(section))?;
        whole.store(true, Ordering::Release);
        Some(words)
    }

    /// Where `section` lies in the file, in bytes: for tests and tools that look inside.
    pub fn file_range(&self, section: Section) -> Range<usize> {
        let (offset, len) = self.header.sections[section as usize];
        let start = self.data_start + offset as usize;
        start..start + len as usize
    }

    /// Elements of 8 bytes in `section` (its length in bytes over 8).
    pub fn count(&self, section: Section) -> usize {
        (self.header.sections[section as usize].1 / 8) as usize
    }

    /// Checks the blocks that hold the bytes `range` of the sections (from their start) the
    /// first time; false when one does not match its digest.
    fn check(&self, range: Range<usize>) -> bool {
        if self.damage.get().is_some() {
            return false;
        }
        if range.is_empty() {
            return true;
        }
        for block in range.start / BLOCK..range.end.div_ceil(BLOCK) {
            if !self.check_block(block) {
                return false;
            }
        }
        true
    }

    fn check_block(&self, block: usize) -> bool {
        self.check_block_in(block, |range| self.map.get(range).map(Cow::Borrowed))
    }

    /// Checks `block`, whose bytes (at a range of the file) `bytes` gives.
    fn check_block_in<'a>(&'a self, block: usize, bytes: impl FnOnce(Range<usize>) -> Option<Cow<'a, [u8]>>) -> bool {
        let Some(done) = self.checked.get(block) else { return false };
        if done.load(Ordering::Acquire) {
            return true;
        }
        let start = self.data_start + block * BLOCK;
        let end = (start + BLOCK).min(self.map.len());
        let digest = self.map.get(self.table + block * DIGEST..self.table + (block + 1) * DIGEST);
        let ok = bytes(start..end).is_some_and(|b| Some(&block_digest(&b)[..]) == digest);
        if ok {
            done.store(true, Ordering::Release);
        } else {
            let _ = self.damage.set(format!(
                "{}: damaged: its content does not match its digest (block {block})",
                self.path.display()
            ));
        }
        ok
    }

    /// Checks every block not checked yet (on every core): an error naming the file when one
    /// does not match its digest. What a full read of the file checked before it was used.
    ///
    /// The blocks are read from the file, not through the mapping, so that the pages no
    /// lookup uses are not counted in the process's resident memory.
    pub fn check_all(&self) -> Result<()> {
        // A read of 1 MiB at a time, its blocks checked one by one.
        const RUN: usize = (1 << 20) / BLOCK;
        (0..self.checked.len().div_ceil(RUN)).into_par_iter().for_each(|run| {
            let blocks = run * RUN..((run + 1) * RUN).min(self.checked.len());
            let start = self.data_start + blocks.start * BLOCK;
            let end = (self.data_start + blocks.end * BLOCK).min(self.map.len());
            let bytes = self.read_block(start..end);
            let first = blocks.start;
            for b in blocks {
                let at = (b - first) * BLOCK;
                self.check_block_in(b, |range| {
                    bytes.as_deref().and_then(|all| all.get(at..at + range.len())).map(Cow::Borrowed)
                });
            }
        });
        match self.damage.get() {
            Some(why) => bail!("{why}"),
            None => Ok(()),
        }
    }

    /// The bytes at `range` of the file, read from it.
    #[cfg(unix)]
    fn read_block(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        let mut buf = vec![0; range.len()];
        std::os::unix::fs::FileExt::read_exact_at(&self.file, &mut buf, range.start as u64).ok()?;
        Some(Cow::Owned(buf))
    }

    #[cfg(not(unix))]
    fn read_block(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        self.map.get(range).map(Cow::Borrowed)
    }

    /// Why the snapshot cannot be trusted, if a block did not match its digest.
    pub fn damage(&self) -> Option<&str> {
        self.damage.get().map(String::as_str)
    }
}

/// The sections fit in `data` bytes and in each other: aligned, in range, of whole
/// elements and of the lengths the header's counts give; one digest per block.
fn fits(h: &Header, data: usize) -> Result<()> {
    ensure!(h.sections.len() == SECTIONS, "{} sections instead of {SECTIONS}", h.sections.len());
    ensure!(h.blocks == data.div_ceil(BLOCK) as u64, "{} block digests for {data} bytes", h.blocks);
    for &(offset, len) in &h.sections {
        ensure!(offset % 8 == 0 && len % 8 == 0, "a section is not aligned");
        ensure!(
            offset.checked_add(len).is_some_and(|end| end <= data as u64),
            "a section runs past the end of the file"
        );
    }
    let n = |s: Section| h.sections[s as usize].1 / 8;
    let docs = h.docs;
    ensure!(
        n(Section::DocSentences) == docs + 1 && n(Section::PathStarts) == docs + 1 && n(Section::KeyStarts) == docs + 1,
        "document tables differ in length"
    );
    ensure!(n(Section::Hashes) == docs * 4, "document hashes differ in length");
    ensure!(n(Section::SentenceStarts) >= 1, "no sentence starts");
    ensure!(n(Section::TermStarts) == n(Section::Terms) + 1, "term tables differ in length");
    ensure!(n(Section::Postings) == n(Section::SentenceTerms), "postings and sentence terms differ in length");
    let figures = n(Section::FigureLows);
    ensure!(
        [Section::FigureHighs, Section::FigureRefs, Section::FigureSentences].iter().all(|&s| n(s) == figures),
        "figure tables differ in length"
    );
    let mut end = 0;
    for b in &h.buckets {
        ensure!(b.start == end && b.start <= b.end, "figure buckets do not follow each other");
        end = b.end;
    }
    ensure!(end == figures, "figure buckets do not cover the figures");
    Ok(())
}
