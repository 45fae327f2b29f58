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
    lowered: (&'a str, usize),
    span: Span,
    chars: &mut Vec<(usize, char)>,
    out: &mut Vec<Tok<'a>>,
) {
    out.clear();
    let Some(seg) = text.get(span.start..span.end) else {
        return;
    };
    if seg.is_ascii() {
        lex_ascii(text, lowered, span, out);
    } else {
        chars.clear();
        chars.extend(seg.char_indices());
        lex_chars(text, lowered, span, chars, out);
    }
}

/// The token of `text[s..e]`, its lower case a slice of `ascii_lower` where that covers it.
fn token<'a>(
    text: &'a str,
    (ascii_lower, lower_from): (&'a str, usize),
    s: usize,
    e: usize,
    k: K,
    gap: bool,
) -> Tok<'a> {
    let t = &text[s..e];
    let lc = match ascii_lower.get(s.wrapping_sub(lower_from)..e.wrapping_sub(lower_from)) {
        Some(l) if t.is_ascii() => Cow::Borrowed(l),
        _ => lower(t),
    };
    Tok { s, e, t, lc, k, gap }
}

/// [`lex_chars`] of an ASCII span, byte by byte: the same tokens
/// (`ascii_tokens_agree_with_the_general_lexer`), without decoding the span into characters.
fn lex_ascii<'a>(text: &'a str, lowered: (&'a str, usize), span: Span, out: &mut Vec<Tok<'a>>) {
    let seg = &text[span.start..span.end];
    // The span's lower case, when the stretch given covers it: each token's is a slice of it.
    let lower_seg = lowered.0.get(span.start.wrapping_sub(lowered.1)..span.end.wrapping_sub(lowered.1));
    let s = seg.as_bytes();
    let n = s.len();
    let mut i = 0;
    let mut gap = true;
    while i < n {
        let c = s[i];
        // `char::is_whitespace` of an ASCII character (U+000B included).
        if matches!(c, b' ' | b'\t'..=b'\r') {
            gap = true;
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let k = if c.is_ascii_digit() {
            while i < n
                && (s[i].is_ascii_digit() || (matches!(s[i], b',' | b'.') && i + 1 < n && s[i + 1].is_ascii_digit()))
            {
                i += 1;
            }
            K::Num
        } else if c.is_ascii_alphabetic() {
            loop {
                while i < n && s[i].is_ascii_alphabetic() {
                    i += 1;
                }
                if i + 1 < n {
                    let (before, ch, next) = (s[i - 1], s[i], s[i + 1]);
                    // "Kremlin's"; dotted initials: U.S, N.Z
                    if (ch == b'\'' && next.is_ascii_alphabetic())
                        || (ch == b'.'
                            && before.is_ascii_uppercase()
                            && next.is_ascii_uppercase()
                            && s.get(i + 2).is_none_or(|n| !n.is_ascii_alphabetic()))
                    {
                        i += 1;
                        continue;
                    }
                }
                break;
            }
            K::Word
        } else {
            K::Sym(char::from(c))
        };
        let (t, e) = (&seg[start..i], span.start + i);
        let tok = match lower_seg {
            Some(l) => Tok { s: span.start + start, e, t, lc: Cow::Borrowed(&l[start..i]), k, gap },
            None => token(text, lowered, span.start + start, e, k, gap),
        };
        out.push(tok);
        gap = false;
    }
}

/// Splits `text[span]`, decoded into `chars`, into tokens.
fn lex_chars<'a>(
    text: &'a str,
    lowered: (&'a str, usize),
    span: Span,
    chars: &[(usize, char)],
    out: &mut Vec<Tok<'a>>,
) {
    let seg = &text[span.start..span.end];
    let mut i = 0;
    let mut gap = true;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            gap = true;
            i += 1;
            continue;
        }
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
        out.push(token(text, lowered, s, e, k, gap));
        gap = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(text: &str, from: usize, ascii: bool) -> Vec<(usize, usize, String, K, bool)> {
        let lowered = text[from..].to_ascii_lowercase();
        let span = Span::new(0, text.len());
        let mut out = Vec::new();
        if ascii {
            lex_ascii(text, (&lowered, from), span, &mut out);
        } else {
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            lex_chars(text, (&lowered, from), span, &chars, &mut out);
        }
        out.into_iter().map(|t| (t.s, t.e, t.lc.into_owned(), t.k, t.gap)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn ascii_tokens_agree_with_the_general_lexer(
            text in "([A-Z]\\.|[A-Za-z]{1,4}|[0-9]{1,3}|[.,'$%()\\- \t\n\u{b}\u{c}\r\u{1c}\u{1f}\u{0}]|[ -~]){0,40}",
            from in 0usize..8,
        ) {
            // `from` past 0: the lower case given does not cover the first tokens.
            let from = from.min(text.len());
            prop_assert_eq!(tokens(&text, from, true), tokens(&text, from, false));
        }
    }

    #[test]
    fn ascii_tokens_of_a_newswire_sentence() {
        let got = tokens("The U.S. Fed's 2.5% rise,\u{b}1,200 in N.Z.", 0, true);
        let words: Vec<(&str, K, bool)> = got.iter().map(|(_, _, lc, k, gap)| (lc.as_str(), *k, *gap)).collect();
        assert_eq!(
            words,
            [
                ("the", K::Word, true),
                ("u.s", K::Word, true),
                (".", K::Sym('.'), false),
                ("fed's", K::Word, true),
                ("2.5", K::Num, true),
                ("%", K::Sym('%'), false),
                ("rise", K::Word, true),
                (",", K::Sym(','), false),
                ("1,200", K::Num, true),
                ("in", K::Word, true),
                ("n.z", K::Word, true),
                (".", K::Sym('.'), false),
            ]
        );
    }
}
