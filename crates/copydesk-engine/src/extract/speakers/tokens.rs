//! The frame's words: whitespace-separated tokens, and what a word says about clause edges.

use crate::text::Span;
use std::borrow::Cow;
use std::cell::Cell;

/// Placeholder byte written over quotes in the frame.
pub(super) const Q: u8 = 0x07;

/// A whitespace-separated word of the frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Which word of the frame ([`Doc::toks`]) this is, or is part of.
    pub(super) word: usize,
}

pub(super) struct Doc<'a> {
    /// Masked text.
    pub(super) text: &'a str,
    /// Masked text with quotes overwritten by [`Q`].
    pub(super) frame: &'a str,
    /// The stretch of the frame whose words are scanned: the whole frame, or the blocks an
    /// edit made to be read again (a read outside it is [`Doc::overflowed`]).
    covers: Span,
    /// The words of `frame[covers]`, in order ([`Doc::tokens`] takes a range of them).
    pub(super) toks: Vec<Tok>,
    /// [`bare`] of each word of `toks`, one after another: word `i`'s is `bares[bare_at[i]..bare_at[i + 1]]`.
    bares: String,
    bare_at: Vec<usize>,
    /// The lowest and highest offsets read since [`Doc::start_reading`].
    read: Cell<(usize, usize)>,
    /// A read reached outside `covers`, where words were not scanned.
    overflow: Cell<bool>,
}

impl<'a> Doc<'a> {
    /// The whole frame.
    pub(super) fn new(text: &'a str, frame: &'a str) -> Self {
        Doc::over(text, frame, Span::new(0, frame.len()))
    }

    /// The words of `frame[covers]` only.
    pub(super) fn over(text: &'a str, frame: &'a str, covers: Span) -> Self {
        // widened to whitespace, so that no word is cut where the scan starts or ends
        let gap = |c: char| c.is_whitespace() || c == '\u{a0}';
        let before = frame.get(..covers.start).unwrap_or(frame);
        let start = before.rfind(gap).map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
        let end = frame.get(covers.end..).and_then(|s| s.find(gap)).map_or(frame.len(), |i| covers.end + i);
        let covers = Span::new(start, end);
        let toks = tokenize(frame, covers.start, covers.end);
        let mut bares = String::with_capacity(covers.len());
        let mut bare_at = Vec::with_capacity(toks.len() + 1);
        bare_at.push(0);
        for t in &toks {
            let w = trim_bare(&frame[t.start..t.end]);
            let at = bares.len();
            if w.is_ascii() {
                bares.push_str(w);
                bares[at..].make_ascii_lowercase();
            } else {
                bares.push_str(&w.to_lowercase());
            }
            bare_at.push(bares.len());
        }
        Doc { text, frame, covers, toks, bares, bare_at, read: Cell::new((usize::MAX, 0)), overflow: Cell::new(false) }
    }

    /// Starts a new record of what is read (see [`Doc::reads`]).
    pub(super) fn start_reading(&self) {
        self.read.set((usize::MAX, 0));
    }

    /// The lowest and highest offsets read since [`Doc::start_reading`] (both included).
    pub(super) fn reads(&self) -> (usize, usize) {
        self.read.get()
    }

    /// Notes that `frame[from..=to]` was read (what a reading read decides when it must be read again).
    pub(super) fn note_read(&self, from: usize, to: usize) {
        let (lo, hi) = self.read.get();
        self.read.set((lo.min(from), hi.max(to)));
        if from < self.covers.start || to > self.covers.end {
            self.overflow.set(true);
        }
    }

    /// Notes that `text[from..=to]` was read, where the text itself, not its words, is read
    /// (the text is whole whatever words were scanned).
    pub(super) fn note_text_read(&self, from: usize, to: usize) {
        let (lo, hi) = self.read.get();
        self.read.set((lo.min(from), hi.max(to)));
    }

    /// Did a read reach outside the words scanned (so that this reading must be done on the whole frame)?
    pub(super) fn overflowed(&self) -> bool {
        self.overflow.get()
    }

    /// Is the word at index `k` of [`Doc::toks`] the first of the frame? A scan backwards
    /// that reaches the first word scanned, when that is not the frame's, has read all it could.
    pub(super) fn first_word(&self, k: usize) -> bool {
        if k == 0 && self.covers.start > 0 {
            self.overflow.set(true);
        }
        k == 0
    }

    /// `frame[from..to]`, noted as read.
    pub(super) fn frame_get(&self, from: usize, to: usize) -> Option<&'a str> {
        self.note_read(from.min(to), to.max(from));
        self.frame.get(from..to)
    }
}

/// The words of `frame[from..to]`: whitespace-separated, a run of quote placeholders a word of its own.
pub(super) fn tokenize(frame: &str, from: usize, to: usize) -> Vec<Tok> {
    let to = to.min(frame.len());
    let mut out = Vec::new();
    let Some(seg) = frame.get(from..to) else { return out };
    let mut start: Option<usize> = None;
    for (i, c) in seg.char_indices() {
        // a quote placeholder run is a token of its own
        let is_q = c == Q as char;
        if c.is_whitespace() || c == '\u{a0}' {
            if let Some(s) = start.take() {
                out.push(Tok { start: from + s, end: from + i, word: out.len() });
            }
        } else if is_q {
            if let Some(s) = start {
                if !seg[s..i].starts_with(Q as char) {
                    out.push(Tok { start: from + s, end: from + i, word: out.len() });
                    start = Some(i);
                }
            } else {
                start = Some(i);
            }
        } else if let Some(s) = start {
            if seg[s..i].ends_with(Q as char) {
                out.push(Tok { start: from + s, end: from + i, word: out.len() });
                start = Some(i);
            }
        } else {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Tok { start: from + s, end: to, word: out.len() });
    }
    out
}

impl Doc<'_> {
    pub(super) fn word(&self, t: Tok) -> &str {
        self.frame.get(t.start..t.end).unwrap_or("")
    }
    /// The word without surrounding punctuation, lower-cased: worked out once for each
    /// word of the frame, afresh for a word cut by a range's edge.
    pub(super) fn bare(&self, t: Tok) -> Cow<'_, str> {
        match self.toks.get(t.word) {
            Some(w) if w.start == t.start && w.end == t.end => {
                Cow::Borrowed(&self.bares[self.bare_at[t.word]..self.bare_at[t.word + 1]])
            }
            _ => Cow::Owned(bare(self.word(t))),
        }
    }
    /// The words of `frame[from..to]`, as [`tokenize`] would find them there: the words of
    /// the whole frame that overlap the range, cut to it (words never span a quote's edge,
    /// so a cut word splits where a fresh scan would).
    pub(super) fn tokens(&self, from: usize, to: usize) -> Vec<Tok> {
        let to = to.min(self.frame.len());
        if from < to {
            self.note_read(from, to);
        }
        if from >= to || !self.frame.is_char_boundary(from) || !self.frame.is_char_boundary(to) {
            return Vec::new();
        }
        let first = self.toks.partition_point(|t| t.end <= from);
        self.toks[first..]
            .iter()
            .take_while(|t| t.start < to)
            .map(|t| Tok { start: t.start.max(from), end: t.end.min(to), word: t.word })
            .collect()
    }
}

pub(super) fn bare(w: &str) -> String {
    trim_bare(w).to_lowercase()
}

/// `w` without the punctuation around it.
fn trim_bare(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// A hash of [`bare`]`(w)`, computed without building the string.
pub(super) fn bare_key(w: &str) -> u64 {
    crate::terms::hash_lowercase(trim_bare(w))
}

pub(super) fn is_quote_tok(w: &str) -> bool {
    w.as_bytes().first() == Some(&Q)
}

pub(super) fn capitalized(w: &str) -> bool {
    let w = w.trim_start_matches(['(', '"', '\'', '\u{201C}', '\u{2018}']);
    w.chars().next().is_some_and(|c| c.is_uppercase())
}

/// Does a word end its sentence or clause ("said.", "Friday,")? Abbreviations and initials do not.
pub(super) fn ends_clause(w: &str) -> bool {
    if w.starts_with('(') && w.trim_end_matches([',', ';', ':']).ends_with(')') && !w.ends_with([',', ';', ':']) {
        return false;
    }
    let w = w.trim_end_matches(['"', '\'', ')', '\u{201D}', '\u{2019}']);
    if w.ends_with([',', ';', ':', '?', '!']) {
        return true;
    }
    if let Some(stem) = w.strip_suffix('.') {
        return !is_abbrev(stem);
    }
    false
}

pub(super) fn is_abbrev(stem: &str) -> bool {
    let s = stem.trim_start_matches(|c: char| !c.is_alphanumeric());
    if s.is_empty() {
        return false;
    }
    let letters: Vec<char> = s.chars().filter(|c| *c != '.').collect();
    if letters.len() <= 1 && letters.first().is_some_and(|c| c.is_uppercase()) {
        return true;
    }
    if s.contains('.') && s.split('.').all(|p| p.chars().count() <= 1) {
        return true;
    }
    matches!(
        s.to_lowercase().as_str(),
        "mr" | "mrs"
            | "ms"
            | "dr"
            | "rep"
            | "sen"
            | "gov"
            | "gen"
            | "lt"
            | "col"
            | "maj"
            | "capt"
            | "sgt"
            | "rev"
            | "st"
            | "jr"
            | "sr"
            | "prof"
            | "adm"
            | "cmdr"
            | "pres"
            | "del"
            | "atty"
            | "supt"
            | "insp"
            | "cpl"
            | "pvt"
            | "hon"
    )
}

pub(super) fn ends_with_comma(w: &str) -> bool {
    w.trim_end_matches(['"', '\'', ')', '\u{201D}', '\u{2019}']).ends_with(',')
}
