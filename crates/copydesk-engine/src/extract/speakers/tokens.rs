//! The frame's words: whitespace-separated tokens, and what a word says about clause edges.

/// Placeholder byte written over quotes in the frame.
pub(super) const Q: u8 = 0x07;

/// A whitespace-separated word of the frame.
#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) end: usize,
}

pub(super) struct Doc<'a> {
    /// Masked text.
    pub(super) text: &'a str,
    /// Masked text with quotes overwritten by [`Q`].
    pub(super) frame: String,
    /// The words of the whole frame, in order ([`Doc::tokens`] takes a range of them).
    pub(super) toks: Vec<Tok>,
}

impl<'a> Doc<'a> {
    pub(super) fn new(text: &'a str, frame: String) -> Self {
        let toks = tokenize(&frame, 0, frame.len());
        Doc { text, frame, toks }
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
                out.push(Tok { start: from + s, end: from + i });
            }
        } else if is_q {
            if let Some(s) = start {
                if !seg[s..i].starts_with(Q as char) {
                    out.push(Tok { start: from + s, end: from + i });
                    start = Some(i);
                }
            } else {
                start = Some(i);
            }
        } else if let Some(s) = start {
            if seg[s..i].ends_with(Q as char) {
                out.push(Tok { start: from + s, end: from + i });
                start = Some(i);
            }
        } else {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Tok { start: from + s, end: to });
    }
    out
}

impl Doc<'_> {
    pub(super) fn word(&self, t: Tok) -> &str {
        self.frame.get(t.start..t.end).unwrap_or("")
    }
    /// The word without surrounding punctuation, lower-cased.
    pub(super) fn bare(&self, t: Tok) -> String {
        bare(self.word(t))
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
            .map(|t| Tok { start: t.start.max(from), end: t.end.min(to) })
            .collect()
    }
}

pub(super) fn bare(w: &str) -> String {
    w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

/// A hash of [`bare`]`(w)`, computed without building the string.
pub(super) fn bare_key(w: &str) -> u64 {
    crate::terms::hash_lowercase(w.trim_matches(|c: char| !c.is_alphanumeric()))
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
