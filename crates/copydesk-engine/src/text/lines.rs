//! Line and column conversion: a text's line starts, and column checkpoints in long lines.

use super::floor_char_boundary;
use crate::incremental::Edit;

/// A line and column, both 0-based; what the column counts depends on the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Which unit a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (LSP's default).
    Utf16,
    /// Unicode scalar values (what the CLI's JSON reports).
    Char,
}

/// Bytes of a line between two column checkpoints: converting a position counts at most
/// this many bytes, however long its line.
const CHECKPOINT_BYTES: usize = 1024;

/// Offsets just after each line break of `text`: "\n", "\r\n" (one break) and a lone "\r",
/// as LSP and editors count them.
pub fn line_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    text.match_indices(['\n', '\r'])
        .filter(move |(i, s)| *s == "\n" || bytes.get(i + 1) != Some(&b'\n'))
        .map(|(i, _)| i + 1)
}

/// A column checkpoint inside a long line: a byte offset on a char boundary and its
/// column from the line's start in UTF-16 units and in chars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Checkpoint {
    offset: usize,
    utf16: usize,
    chars: usize,
}

impl Checkpoint {
    fn line_start(offset: usize) -> Self {
        Checkpoint { offset, utf16: 0, chars: 0 }
    }

    /// This checkpoint's column in `unit`, on a line starting at `start`.
    fn col(&self, start: usize, unit: ColumnUnit) -> usize {
        match unit {
            ColumnUnit::Utf8 => self.offset - start,
            ColumnUnit::Utf16 => self.utf16,
            ColumnUnit::Char => self.chars,
        }
    }

    /// The checkpoint moved on over `s` (whole characters of UTF-8), counted without decoding.
    fn advance(&self, s: &[u8]) -> Self {
        // Every byte but a continuation byte starts a char; a 4-byte char is two UTF-16 units.
        let chars = s.iter().filter(|&&b| (b as i8) >= -0x40).count();
        let supplementary = s.iter().filter(|&&b| b >= 0xF0).count();
        Checkpoint {
            offset: self.offset + s.len(),
            utf16: self.utf16 + chars + supplementary,
            chars: self.chars + chars,
        }
    }
}

/// Line starts of a text, for offset ↔ line/column conversion in O(log n) plus a count of
/// at most [`CHECKPOINT_BYTES`] bytes: lines longer than that keep column checkpoints.
/// Lines end at "\n", "\r\n" or a lone "\r".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
    /// Checkpoints of the long lines, in text order.
    checkpoints: Vec<Checkpoint>,
    /// Bytes between two checkpoints ([`CHECKPOINT_BYTES`] but in tests).
    every: usize,
}

impl Default for LineIndex {
    fn default() -> Self {
        LineIndex { line_starts: vec![0], len: 0, checkpoints: Vec::new(), every: CHECKPOINT_BYTES }
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self::with_checkpoints_every(text, CHECKPOINT_BYTES)
    }

    fn with_checkpoints_every(text: &str, every: usize) -> Self {
        let every = every.max(4); // a step always passes at least one char
        let mut line_starts = vec![0];
        line_starts.extend(line_breaks(text));
        let mut checkpoints = Vec::new();
        for (i, &start) in line_starts.iter().enumerate() {
            let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
            checkpoints.extend(Walk { text, at: Checkpoint::line_start(start), end, every });
        }
        LineIndex { line_starts, len: text.len(), checkpoints, every }
    }

    /// Brings the index up to `text`, which is the text it indexed with `edit` made: the
    /// line starts before the edit are kept, those after it moved, those of the edited
    /// stretch found again; the checkpoints of the lines the edit touched are walked again
    /// (from the last one before the edit), the others kept or moved. Equals
    /// [`LineIndex::new`] of `text` (an edit that does not fit the two lengths builds it
    /// so); allocates nothing but the vectors' growth past their capacity.
    pub fn edit(&mut self, text: &str, edit: Edit) {
        if !edit.fits(self.len, text.len()) {
            *self = Self::with_checkpoints_every(text, self.every);
            return;
        }
        let delta = text.len() as isize - self.len as isize;
        let moved = |at: usize| at.wrapping_add_signed(delta);
        let old_len = std::mem::replace(&mut self.len, text.len());

        // A line start `p` is decided by the bytes at `p - 1` and `p` (a "\r" before a "\n"
        // ends no line): those in `start..=old_end` may have changed, those after moved.
        let (a, b) = (
            self.line_starts.partition_point(|&p| p < edit.start.max(1)),
            self.line_starts.partition_point(|&p| p <= edit.old_end),
        );
        self.line_starts[b..].iter_mut().for_each(|p| *p = moved(*p));
        let found = || line_breaks_in(text, edit.start.saturating_sub(1)..edit.new_end);
        replace_in_place(&mut self.line_starts, a..b, found().count(), found());

        // Checkpoints: the lines from the one holding the byte before the edit (whose end the
        // edit may move) to the one holding its end are walked again; a line's walk starts at
        // its start, so those of the first line before the edit stay while it is still long
        // enough to have them. Lines after are the old ones moved.
        let first = self.line_of(edit.start.saturating_sub(1));
        let last = self.line_of(edit.new_end);
        let from = self.line_start(first);
        let to = self.line_starts.get(last + 1).copied().unwrap_or(self.len);
        let old_to = to.wrapping_add_signed(-delta).min(old_len);
        let (ca, cb) = (
            self.checkpoints.partition_point(|c| c.offset <= from),
            self.checkpoints.partition_point(|c| c.offset < old_to),
        );
        self.checkpoints[cb..].iter_mut().for_each(|c| c.offset = moved(c.offset));
        let every = self.every;
        let first_end = self.line_starts.get(first + 1).copied().unwrap_or(self.len);
        // A checkpoint whose step read only bytes before the edit (up to `every` past the one
        // before) stays; the line, which reaches the edit, is still long enough to have it.
        let mut kept = ca;
        let mut at = Checkpoint::line_start(from);
        while kept < cb && at.offset + every < edit.start {
            at = self.checkpoints[kept];
            kept += 1;
        }
        let line_starts = &self.line_starts;
        let walks = || {
            let rest = (first + 1..=last).map(|l| {
                let end = line_starts.get(l + 1).copied().unwrap_or(text.len());
                Walk { text, at: Checkpoint::line_start(line_starts[l]), end, every }
            });
            std::iter::once(Walk { text, at, end: first_end, every }).chain(rest).flatten()
        };
        let count = walks().count();
        replace_in_place(&mut self.checkpoints, kept..cb, count, walks());
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte offset where `line` ends (before its line break, if any).
    pub fn line_end(&self, line: usize, text: &str) -> usize {
        let start = self.line_start(line);
        let next = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let content = text.as_bytes().get(start..next).unwrap_or_default();
        let content = content.strip_suffix(b"\n").unwrap_or(content);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        start + content.len()
    }

    /// The checkpoints of the line `[start, end)`.
    fn checkpoints_of(&self, start: usize, end: usize) -> &[Checkpoint] {
        let lo = self.checkpoints.partition_point(|c| c.offset <= start);
        let hi = self.checkpoints.partition_point(|c| c.offset < end);
        &self.checkpoints[lo..hi.max(lo)]
    }

    /// The nearest checkpoint at or before `offset` on the line starting at `start`.
    fn checkpoint_before(&self, start: usize, offset: usize) -> Checkpoint {
        let cps = self.checkpoints_of(start, offset.saturating_add(1));
        cps.last().copied().unwrap_or(Checkpoint::line_start(start))
    }

    /// The last checkpoint of the line `[start, end)` whose column in `unit` is at most `col`.
    fn checkpoint_at_col(&self, start: usize, end: usize, col: usize, unit: ColumnUnit) -> Checkpoint {
        let cps = self.checkpoints_of(start, end);
        let k = cps.partition_point(|c| c.col(start, unit) <= col);
        if k == 0 {
            Checkpoint::line_start(start)
        } else {
            cps[k - 1]
        }
    }

    /// Byte offset → 0-based line and column counted in `unit`.
    /// An offset inside a multi-byte character counts as that character's start.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let from = self.checkpoint_before(start, offset);
        let at = from.advance(&text.as_bytes()[from.offset..offset]);
        LineCol { line: line as u32, col: at.col(start, unit) as u32 }
    }

    /// 0-based line and column in `unit` → byte offset, clamped to the line's end.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let start = self.line_start(line);
        let end = self.line_end(line, text);
        let from = self.checkpoint_at_col(start, end, pos.col as usize, unit);
        let mut remaining = pos.col as usize - from.col(start, unit);
        for (i, ch) in text[from.offset..end].char_indices() {
            if remaining == 0 {
                return from.offset + i;
            }
            let w = match unit {
                ColumnUnit::Utf8 => ch.len_utf8(),
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Char => 1,
            };
            if remaining < w {
                return from.offset + i;
            }
            remaining -= w;
        }
        end
    }
}

/// The checkpoints of one line, `every` bytes apart (down to a char boundary), from `at` to
/// the line's `end`.
struct Walk<'a> {
    text: &'a str,
    at: Checkpoint,
    end: usize,
    every: usize,
}

impl Iterator for Walk<'_> {
    type Item = Checkpoint;

    fn next(&mut self) -> Option<Checkpoint> {
        if self.end - self.at.offset <= self.every {
            return None;
        }
        let next = floor_char_boundary(self.text, self.at.offset + self.every);
        self.at = self.at.advance(&self.text.as_bytes()[self.at.offset..next]);
        Some(self.at)
    }
}

/// The line starts of [`line_breaks`] whose break's last byte is in `range`.
fn line_breaks_in(text: &str, range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    range.filter(move |&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))).map(|i| i + 1)
}

/// `v[range]` replaced by the `count` items of `items`, in place: the tail moves once, and
/// nothing is allocated but `v`'s growth.
fn replace_in_place<T: Copy + Default>(
    v: &mut Vec<T>,
    range: std::ops::Range<usize>,
    count: usize,
    items: impl Iterator<Item = T>,
) {
    let at = range.start;
    // A splice of an iterator of known length fills the gap and moves the tail once.
    drop(v.splice(range, std::iter::repeat_n(T::default(), count)));
    let mut written = 0;
    for (slot, item) in v[at..at + count].iter_mut().zip(items) {
        *slot = item;
        written += 1;
    }
    debug_assert_eq!(written, count);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::char_offset;
    use proptest::prelude::*;

    #[test]
    fn line_index_round_trip_simple() {
        let t = "ab\ncé😀d\n\nx";
        let idx = LineIndex::new(t);
        let off = t.find('d').unwrap();
        assert_eq!(idx.line_col(t, off, ColumnUnit::Char), LineCol { line: 1, col: 3 });
        assert_eq!(idx.line_col(t, off, ColumnUnit::Utf16), LineCol { line: 1, col: 4 });
        assert_eq!(idx.line_col(t, off, ColumnUnit::Utf8), LineCol { line: 1, col: 7 });
        assert_eq!(idx.offset(t, LineCol { line: 1, col: 4 }, ColumnUnit::Utf16), off);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        // "\r\n" is one break; "\r" and "\n" alone are one each (LSP's three line endings).
        let t = "a\rb\r\nc\nd\r";
        assert_eq!(line_breaks(t).collect::<Vec<_>>(), vec![2, 5, 7, 9]);
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_count(), 5);
        let at = |c: char| idx.line_col(t, t.find(c).unwrap_or(0), ColumnUnit::Utf16);
        assert_eq!([at('a'), at('b'), at('c'), at('d')].map(|lc| (lc.line, lc.col)), [(0, 0), (1, 0), (2, 0), (3, 0)]);
        assert_eq!((1..5).map(|l| idx.line_end(l, t)).collect::<Vec<_>>(), vec![3, 6, 8, 9]);
        assert_eq!(idx.offset(t, LineCol { line: 1, col: 9 }, ColumnUnit::Utf16), 3, "clamped before \"\\r\\n\"");
        assert_eq!(idx.offset(t, LineCol { line: 4, col: 0 }, ColumnUnit::Utf16), 9);
    }

    #[test]
    fn a_position_late_in_a_long_line_counts_a_bounded_stretch() {
        // 1 MiB on one line, with 2-, 3- and 4-byte chars so that each unit counts differently.
        let t = "ab é 😀 日本 ".repeat((1 << 20) / 20);
        let idx = LineIndex::new(&t);
        assert_eq!(idx.line_count(), 1);
        for off in [t.len() - 1, t.len() / 2 + 3, 5000, 17] {
            let off = floor_char_boundary(&t, off);
            // what line_col counts from: a checkpoint at most CHECKPOINT_BYTES before
            let from = idx.checkpoint_before(0, off);
            assert!(off - from.offset <= CHECKPOINT_BYTES, "{off}: counts {} bytes", off - from.offset);
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
                let lc = idx.line_col(&t, off, unit);
                let seg = &t[..off];
                let expect = match unit {
                    ColumnUnit::Utf8 => seg.len(),
                    ColumnUnit::Utf16 => seg.encode_utf16().count(),
                    ColumnUnit::Char => seg.chars().count(),
                };
                assert_eq!(lc, LineCol { line: 0, col: expect as u32 }, "{unit:?} {off}");
                // and back: offset() starts from a checkpoint as close
                let from = idx.checkpoint_at_col(0, t.len(), lc.col as usize, unit);
                assert!(off - from.offset <= CHECKPOINT_BYTES, "{unit:?} {off}: counts {} bytes", off - from.offset);
                assert_eq!(idx.offset(&t, lc, unit), off, "{unit:?} {off}");
            }
        }
    }

    /// Line and column as first written: a count from the start of the line.
    fn reference_line_col(text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = floor_char_boundary(text, offset);
        let start = line_breaks(text).take_while(|&b| b <= offset).last().unwrap_or(0);
        let seg = &text[start..offset];
        let col = match unit {
            ColumnUnit::Utf8 => seg.len(),
            ColumnUnit::Utf16 => seg.encode_utf16().count(),
            ColumnUnit::Char => seg.chars().count(),
        };
        LineCol { line: line_breaks(text).take_while(|&b| b <= offset).count() as u32, col: col as u32 }
    }

    /// Texts of line breaks of each kind, multi-byte chars and runs long enough to make a
    /// line of over 1 KiB.
    fn pieces() -> impl Strategy<Value = String> {
        let run = (1usize..1500).prop_map(|n| "x".repeat(n));
        let piece = prop_oneof![
            4 => prop_oneof![Just("\r"), Just("\n"), Just("\r\n"), Just("é"), Just("😀"), Just("日"), Just("ab")]
                .prop_map(str::to_string),
            1 => run,
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
    }

    /// Makes each edit (at, removed length, inserted text; snapped to char boundaries) to
    /// `text` and to an index of it, and compares the index with one built afresh.
    fn edit_and_compare(text: &str, edits: &[(usize, usize, String)], every: usize) -> Result<(), TestCaseError> {
        let mut text = text.to_string();
        let mut idx = LineIndex::with_checkpoints_every(&text, every);
        for (at, len, inserted) in edits {
            let a = floor_char_boundary(&text, *at);
            let b = floor_char_boundary(&text, a + len);
            text.replace_range(a..b, inserted);
            idx.edit(&text, Edit::replace(a..b, inserted.len()));
            let fresh = LineIndex::with_checkpoints_every(&text, every);
            prop_assert_eq!(&idx, &fresh, "after replacing {}..{} by {:?}", a, b, inserted);
        }
        Ok(())
    }

    #[test]
    fn an_edit_at_a_line_break_joins_and_splits_lines() {
        // "\r" then "\n": two breaks become one; a "\n" removed after a "\r": a lone "\r" again.
        for (text, at, removed, inserted) in [
            ("a\rb", 2, 0, "\n"),
            ("a\r\nb", 2, 1, ""),
            ("a\nb", 1, 0, "\r"),
            ("a\r\r\nb", 2, 1, ""),
            ("\r", 1, 0, "\n"),
            ("\n", 0, 0, "\r"),
            ("ab", 0, 2, ""),
            // the line before loses its "\n" and, with it, its checkpoint (every 4 bytes)
            ("abc\r\nxy", 4, 1, ""),
            ("abc\rxy", 4, 0, "\n"),
        ] {
            for every in [4, CHECKPOINT_BYTES] {
                let mut idx = LineIndex::with_checkpoints_every(text, every);
                let mut new = text.to_string();
                new.replace_range(at..at + removed, inserted);
                idx.edit(&new, Edit::replace(at..at + removed, inserted.len()));
                assert_eq!(idx, LineIndex::with_checkpoints_every(&new, every), "{text:?} -> {new:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn line_col_round_trips(text in "[a-zé😀\n ]{0,60}", pick in 0usize..64) {
            let idx = LineIndex::new(&text);
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
            let off = boundaries[pick % boundaries.len()];
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
                let lc = idx.line_col(&text, off, unit);
                prop_assert_eq!(idx.offset(&text, lc, unit), off);
            }
            prop_assert_eq!(char_offset(&text, off), text[..off].chars().count());
        }

        #[test]
        fn checkpoints_agree_with_a_count_from_the_line_start(
            text in "[ab\r\né😀日]{0,80}", every in 4usize..12, pick in 0usize..96, col in 0u32..40, line in 0u32..8
        ) {
            let idx = LineIndex::with_checkpoints_every(&text, every);
            let plain = LineIndex::with_checkpoints_every(&text, usize::MAX);
            prop_assert!(plain.checkpoints.is_empty());
            let off = pick.min(text.len());
            for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
                prop_assert_eq!(idx.line_col(&text, off, unit), reference_line_col(&text, off, unit));
                let pos = LineCol { line, col };
                prop_assert_eq!(idx.offset(&text, pos, unit), plain.offset(&text, pos, unit));
            }
        }

        #[test]
        fn an_edited_index_equals_one_built_afresh(
            text in pieces(), edits in proptest::collection::vec((0usize..4000, 0usize..1600, pieces()), 1..8),
        ) {
            edit_and_compare(&text, &edits, CHECKPOINT_BYTES)?;
        }

        #[test]
        fn an_edited_index_equals_one_built_afresh_with_close_checkpoints(
            text in pieces(), edits in proptest::collection::vec((0usize..4000, 0usize..40, pieces()), 1..8),
            every in 4usize..12,
        ) {
            edit_and_compare(&text, &edits, every)?;
        }
    }
}
