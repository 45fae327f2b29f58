//! Spans, line/column conversion and sentence splitting.
//!
//! All engine offsets are byte offsets into the document's original text.
//! Conversion to lines, Unicode-character columns or UTF-16 columns happens
//! through a [`LineIndex`], built once per text (and brought up to an edited text by
//! [`LineIndex::edit`]), never by rescanning.

mod lines;

pub use lines::{line_breaks, ColumnUnit, LineCol, LineIndex};
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

/// Byte offset of the first '.', '!', '?' or '…' at or after `from`: the first ASCII
/// terminator found by memchr, then any ellipsis before it (its first byte, 0xE2, also opens
/// curly quotes and dashes, which are passed over).
fn next_terminator(seg: &str, from: usize) -> Option<usize> {
    let bytes = seg.as_bytes();
    let ascii = memchr::memchr3(b'.', b'!', b'?', bytes.get(from..)?).map(|o| from + o);
    let mut at = from;
    // `ascii` lies at or after `at` throughout: `at` only moves to bytes before it.
    while let Some(off) = memchr::memchr(0xE2, &bytes[at..ascii.unwrap_or(bytes.len())]) {
        let i = at + off;
        if seg[i..].starts_with('\u{2026}') {
            return Some(i);
        }
        at = i + 1;
    }
    ascii
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

    /// The terminator search before memchr: every byte asked in turn.
    fn next_terminator_bytewise(seg: &str, from: usize) -> Option<usize> {
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

    proptest! {
        #[test]
        fn terminators_found_as_a_byte_scan_finds_them(
            text in "([a-z ]{0,6}|[.!?]|\u{2026}|\u{201C}|\u{2014}|\u{2019}|\u{20AC}|é){0,24}",
            from in 0usize..40,
        ) {
            let mut from = from.min(text.len());
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            prop_assert_eq!(next_terminator(&text, from), next_terminator_bytewise(&text, from));
        }
    }

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
