//! The frame's words: whitespace-separated tokens, and what a word says about clause edges.

use std::borrow::Cow;

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
    pub(super) frame: String,
    /// The words of the whole frame, in order ([`Doc::tokens`] takes a range of them).
    pub(super) toks: Vec<Tok>,
    /// [`bare`] of each word of `toks`, one after another: word `i`'s is `bares[bare_at[i]..bare_at[i + 1]]`.
    bares: String,
    bare_at: Vec<usize>,
}

impl<'a> Doc<'a> {
    pub(super) fn new(text: &'a str, frame: String) -> Self {
        let toks = tokenize(&frame, 0, frame.len());
        let mut bares = String::with_capacity(frame.len());
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
        Doc { text, frame, toks, bares, bare_at }
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
