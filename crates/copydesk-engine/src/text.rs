//! Spans, line/column conversion and sentence splitting.
//!
//! All engine offsets are byte offsets into the document's original text.
//! Conversion to lines, Unicode-character columns or UTF-16 columns happens
//! through a [`LineIndex`], built once per text, never by rescanning.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into a document's original text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn covers(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
    /// The text under this span, or "" when the span does not fall on char boundaries.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

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
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
    /// Checkpoints of the long lines, in text order.
    checkpoints: Vec<Checkpoint>,
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
            let mut at = Checkpoint::line_start(start);
            while end - at.offset > every {
                let next = floor_char_boundary(text, at.offset + every);
                at = at.advance(&text.as_bytes()[at.offset..next]);
                checkpoints.push(at);
            }
        }
        LineIndex { line_starts, len: text.len(), checkpoints }
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

/// The largest char boundary `<= offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// Byte offset → Unicode-character offset (for JSON spans).
pub fn char_offset(text: &str, byte: usize) -> usize {
    text[..floor_char_boundary(text, byte)].chars().count()
}

/// Converts many byte offsets to char offsets in one pass (offsets must be sorted ascending).
pub struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    pub fn new(text: &'a str) -> Self {
        CharOffsets { text, byte: 0, chars: 0 }
    }
    /// Char offset of `byte`; falls back to a fresh count when asked to go backwards.
    pub fn of(&mut self, byte: usize) -> usize {
        let byte = floor_char_boundary(self.text, byte);
        if byte < self.byte {
            return char_offset(self.text, byte);
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// A sentence: a span of prose inside one block (paragraph, heading, list item).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: Span,
    /// Index of the block (paragraph) the sentence belongs to.
    pub block: usize,
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt", "rep", "sen", "gov",
    "pres", "rev", "hon", "st", "jr", "sr", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec",
    "inc", "corp", "co", "ltd", "plc", "bros", "no", "nos", "vs", "etc", "approx", "dept", "est", "fig", "mt", "ft",
    "ave", "blvd", "gov't", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m", "ala", "ariz", "ark", "calif", "colo",
    "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont",
    "neb", "nev", "okla", "ore", "pa", "tenn", "tex", "va", "vt", "wash", "wis", "wyo",
];

const CLAUSE_OPENERS: &[&str] = &[
    "The",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "But",
    "In",
    "A",
    "An",
    "This",
    "That",
    "There",
    "Its",
    "His",
    "Her",
    "Their",
    "On",
    "At",
    "And",
    "As",
    "After",
    "Officials",
    "However",
];

fn is_abbreviation(word: &str) -> bool {
    let w = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    if w.is_empty() {
        return false;
    }
    // The list is lower-case ASCII: an ASCII word is compared without lower-casing a copy.
    let listed = if w.is_ascii() {
        ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(w))
    } else {
        ABBREVIATIONS.contains(&w.to_lowercase().as_str())
    };
    if listed {
        return true;
    }
    // Initials and dotted acronyms: "J.", "U.S", "D.C"
    let mut letters = w.chars().filter(|c| *c != '.');
    if letters.next().is_some_and(char::is_uppercase) && letters.next().is_none() {
        return true;
    }
    w.contains('.') && w.split('.').all(|p| p.chars().count() <= 1)
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']' | '*' | '_')
}

fn is_opening(c: char) -> bool {
    matches!(c, '"' | '\'' | '\u{201C}' | '\u{2018}' | '(' | '[' | '*' | '_')
}

/// Splits one block of prose into sentence spans (offsets relative to `text`).
/// Newlines inside the block count as spaces (wrapped plain text).
pub fn split_sentences(text: &str, block: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let seg = block.slice(text);
    let mut start = 0usize;
    // Byte offset from which to look for the next terminator.
    let mut pos = 0usize;
    while let Some(bi) = next_terminator(seg, pos) {
        let c = seg[bi..].chars().next().unwrap_or('.');
        let after = bi + c.len_utf8();
        // swallow runs of terminators and closing marks
        let j = after + prefix_len(&seg[after..], |ch| matches!(ch, '.' | '!' | '?') || is_closing(ch));
        // must be followed by whitespace then a sentence opener
        let k = j + prefix_len(&seg[j..], char::is_whitespace);
        if let Some(next) = seg[k..].chars().next().filter(|_| k > j) {
            let opener = next.is_uppercase() || next.is_numeric() || is_opening(next) || next == '\u{2014}';
            let word_before = {
                let before = &seg[..bi];
                let ws = before.rfind(|ch: char| ch.is_whitespace() || ch == '(' || ch == '"' || ch == '\u{201C}');
                &before[ws.map(|w| w + before[w..].chars().next().map_or(1, char::len_utf8)).unwrap_or(0)..]
            };
            let abbreviation = c == '.' && j == after && is_abbreviation(word_before);
            // "U.S. officials" continues; "in the U.S. The" ends: after an abbreviation,
            // only a word that usually opens a clause starts a new sentence.
            let acronym_end = abbreviation && next.is_uppercase() && {
                let nxt = &seg[k..k + prefix_len(&seg[k..], char::is_alphabetic)];
                CLAUSE_OPENERS.contains(&nxt)
            };
            if opener && (!abbreviation || acronym_end) {
                push_trimmed(&mut out, seg, start, j, block.start);
                start = k;
                pos = k;
                continue;
            }
        }
        pos = j;
    }
    push_trimmed(&mut out, seg, start, seg.len(), block.start);
    out
}

/// Byte offset of the first '.', '!', '?' or '…' at or after `from` (a byte scan: the
/// ellipsis is the only one that is not ASCII).
fn next_terminator(seg: &str, from: usize) -> Option<usize> {
    let bytes = seg.as_bytes();
    let mut at = from;
    while let Some(off) = bytes.get(at..)?.iter().position(|b| matches!(b, b'.' | b'!' | b'?' | 0xE2)) {
        let i = at + off;
        if bytes[i] != 0xE2 || seg[i..].starts_with('\u{2026}') {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Length in bytes of the longest prefix of `s` whose characters all satisfy `f`.
fn prefix_len(s: &str, f: impl Fn(char) -> bool) -> usize {
    s.find(|ch: char| !f(ch)).unwrap_or(s.len())
}

fn push_trimmed(out: &mut Vec<Span>, seg: &str, start: usize, end: usize, base: usize) {
    let s = &seg[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if s.trim().is_empty() {
        return;
    }
    out.push(Span::new(base + start + lead, base + end - trail));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sents(t: &str) -> Vec<&str> {
        split_sentences(t, Span::new(0, t.len())).into_iter().map(|s| s.slice(t)).collect()
    }

    #[test]
    fn splits_on_terminators() {
        assert_eq!(sents("One two. Three four! Five?"), vec!["One two.", "Three four!", "Five?"]);
    }

    #[test]
    fn keeps_titles_and_initials() {
        assert_eq!(
            sents("Mr. Smith met Gen. J. Doe. They talked."),
            vec!["Mr. Smith met Gen. J. Doe.", "They talked."]
        );
        assert_eq!(sents("U.S. officials said so. Then left."), vec!["U.S. officials said so.", "Then left."]);
    }

    #[test]
    fn closing_quote_stays_with_sentence() {
        assert_eq!(sents("\"We will go.\" He said it."), vec!["\"We will go.\"", "He said it."]);
        assert_eq!(
            sents("\u{201C}We will go.\u{201D} He said it."),
            vec!["\u{201C}We will go.\u{201D}", "He said it."]
        );
    }

    #[test]
    fn decimals_do_not_split() {
        assert_eq!(sents("It rose 5.93 pct. Shares fell."), vec!["It rose 5.93 pct.", "Shares fell."]);
    }

    #[test]
    fn wrapped_lines_are_one_sentence() {
        assert_eq!(
            sents("The venture will\nbe called X. It opens"),
            vec!["The venture will\nbe called X.", "It opens"]
        );
    }

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

    /// The splitter as first written (over a vector of every character of the block).
    fn reference_split(text: &str, block: Span) -> Vec<Span> {
        let mut out = Vec::new();
        let seg = block.slice(text);
        let chars: Vec<(usize, char)> = seg.char_indices().collect();
        let mut start = 0usize;
        let mut i = 0usize;
        while i < chars.len() {
            let (bi, c) = chars[i];
            if matches!(c, '.' | '!' | '?' | '\u{2026}') {
                // swallow runs of terminators and closing marks
                let mut j = i + 1;
                while j < chars.len() && (matches!(chars[j].1, '.' | '!' | '?') || is_closing(chars[j].1)) {
                    j += 1;
                }
                // must be followed by whitespace then a sentence opener
                let mut k = j;
                while k < chars.len() && chars[k].1.is_whitespace() {
                    k += 1;
                }
                if k > j && k < chars.len() {
                    let next = chars[k].1;
                    let opener = next.is_uppercase() || next.is_numeric() || is_opening(next) || next == '\u{2014}';
                    let word_before = {
                        let before = &seg[..bi];
                        let ws =
                            before.rfind(|ch: char| ch.is_whitespace() || ch == '(' || ch == '"' || ch == '\u{201C}');
                        &before[ws.map(|w| w + before[w..].chars().next().map_or(1, char::len_utf8)).unwrap_or(0)..]
                    };
                    let abbreviation = c == '.' && j == i + 1 && is_abbreviation(word_before);
                    // "U.S. officials" continues; "in the U.S. The" ends: after an abbreviation,
                    // only a word that usually opens a clause starts a new sentence.
                    let acronym_end = abbreviation && next.is_uppercase() && {
                        let nxt: String = chars[k..].iter().map(|p| p.1).take_while(|ch| ch.is_alphabetic()).collect();
                        CLAUSE_OPENERS.contains(&nxt.as_str())
                    };
                    if opener && (!abbreviation || acronym_end) {
                        let end = chars.get(j).map_or(seg.len(), |p| p.0);
                        push_trimmed(&mut out, seg, start, end, block.start);
                        start = chars[k].0;
                        i = k;
                        continue;
                    }
                }
                i = j.max(i + 1);
                continue;
            }
            i += 1;
        }
        push_trimmed(&mut out, seg, start, seg.len(), block.start);
        out
    }

    /// The abbreviation test as first written (a lower-cased copy, a vector of letters).
    fn reference_is_abbreviation(word: &str) -> bool {
        let w = word.trim_start_matches(|c: char| !c.is_alphanumeric());
        if w.is_empty() {
            return false;
        }
        let lower = w.to_lowercase();
        if ABBREVIATIONS.contains(&lower.as_str()) {
            return true;
        }
        let letters: Vec<char> = w.chars().filter(|c| *c != '.').collect();
        if letters.len() == 1 && letters[0].is_uppercase() {
            return true;
        }
        w.contains('.') && w.split('.').all(|p| p.chars().count() <= 1)
    }

    proptest! {
        #[test]
        fn abbreviation_test_agrees_with_reference(word in "(\\(|\"|)?(Mr|MRS|Gen|gov't|U\\.S|u\\.k|J|é|É|Calif|CALIF|[A-Za-z.']{0,6})\\.?") {
            prop_assert_eq!(is_abbreviation(&word), reference_is_abbreviation(&word));
        }

        #[test]
        fn split_agrees_with_reference(text in "[A-Za-z0-9 .!?\u{2026}\u{2014}\u{201C}\u{201D}\"()é\n]{0,60}", cut in 0usize..6) {
            let start = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let block = Span::new(start, text.len());
            prop_assert_eq!(split_sentences(&text, block), reference_split(&text, block));
        }

        #[test]
        fn split_agrees_with_reference_on_abbreviations(
            words in proptest::collection::vec("( | |U\\.S\\.|Mr\\.|Gen\\.|J\\.|The|But|he|said|[0-9]{1,3}|\\?|!|\\.|\\u{201D})", 0..16)
        ) {
            let text = words.concat();
            let block = Span::new(0, text.len());
            prop_assert_eq!(split_sentences(&text, block), reference_split(&text, block));
        }

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
        fn sentences_stay_inside_block(text in "[A-Za-z .!?\"\n]{0,80}") {
            let spans = split_sentences(&text, Span::new(0, text.len()));
            let mut last = 0;
            for s in spans {
                prop_assert!(s.start >= last && s.end <= text.len() && s.start < s.end);
                last = s.end;
            }
        }
    }
}
