//! The token stream a sentence is read as: words, digit runs and single symbols,
//! each with its byte span, its lower case and whether whitespace precedes it.

use crate::text::Span;
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum K {
    Num,
    Word,
    Sym(char),
}

#[derive(Clone, Debug)]
pub(super) struct Tok<'a> {
    pub(super) s: usize,
    pub(super) e: usize,
    pub(super) t: &'a str,
    pub(super) lc: Cow<'a, str>,
    pub(super) k: K,
    /// Whitespace (or the sentence start) precedes the token.
    pub(super) gap: bool,
}

impl Tok<'_> {
    pub(super) fn is_word(&self) -> bool {
        self.k == K::Word
    }
    pub(super) fn is_sym(&self, c: char) -> bool {
        self.k == K::Sym(c)
    }
    pub(super) fn title_case(&self) -> bool {
        let mut cs = self.t.chars();
        cs.next().is_some_and(char::is_uppercase) && cs.all(|c| !c.is_uppercase())
    }
    pub(super) fn lower_initial(&self) -> bool {
        self.t.chars().next().is_some_and(char::is_lowercase)
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !c.is_ascii_digit()
}

/// Splits `text[span]` into tokens with absolute byte offsets. `ascii_lower` is the stretch
/// of `text` from the offset it names, with its ASCII letters lower-cased (same offsets): the
/// lower case of an ASCII token is a slice of it. `chars` is scratch space.
pub(super) fn lex<'a>(
    text: &'a str,
    (ascii_lower, lower_from): (&'a str, usize),
    span: Span,
    chars: &mut Vec<(usize, char)>,
    out: &mut Vec<Tok<'a>>,
) {
    out.clear();
    let Some(seg) = text.get(span.start..span.end) else {
        return;
    };
    chars.clear();
    if seg.is_ascii() {
        // Exact-size: no capacity check per character.
        chars.extend(seg.bytes().enumerate().map(|(i, b)| (i, char::from(b))));
    } else {
        chars.extend(seg.char_indices());
    }
    let mut i = 0;
    let mut gap = true;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            gap = true;
            i += 1;
            continue;
        }
        let start = i;
        let k;
        if c.is_ascii_digit() {
            k = K::Num;
            i += 1;
            while i < chars.len() {
                let ch = chars[i].1;
                if ch.is_ascii_digit()
                    || ((ch == ',' || ch == '.') && chars.get(i + 1).is_some_and(|n| n.1.is_ascii_digit()))
                {
                    i += 1;
                } else {
                    break;
                }
            }
        } else if is_word_char(c) {
            k = K::Word;
            i += 1;
            while i < chars.len() {
                let ch = chars[i].1;
                let next = chars.get(i + 1).map(|n| n.1);
                if is_word_char(ch) || (is_apostrophe(ch) && next.is_some_and(char::is_alphabetic)) {
                    i += 1;
                } else if ch == '.'
                    && chars[i - 1].1.is_uppercase()
                    && next.is_some_and(char::is_uppercase)
                    && chars.get(i + 2).is_none_or(|n| !is_word_char(n.1) || n.1 == '.')
                {
                    // dotted initials: U.S, N.Z
                    i += 1;
                } else {
                    break;
                }
            }
        } else {
            k = K::Sym(c);
            i += 1;
        }
        let s = span.start + b;
        let e = span.start + chars.get(i).map_or(seg.len(), |p| p.0);
        let _ = start;
        let t = &text[s..e];
        let lc = match ascii_lower.get(s.wrapping_sub(lower_from)..e.wrapping_sub(lower_from)) {
            Some(l) if t.is_ascii() => Cow::Borrowed(l),
            _ => lower(t),
        };
        out.push(Tok { s, e, t, lc, k, gap });
        gap = false;
    }
}
