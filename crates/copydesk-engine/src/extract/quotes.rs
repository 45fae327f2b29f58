//! Direct quotes: words inside quotation marks.
//!
//! Quote marks are read per block (paragraph) with a small stack machine:
//! curly marks have a direction, straight marks (`"`, `''`, `'`) get one from
//! their neighbours, and single marks only count when they pair up (so the
//! apostrophes in don’t / Russia’s / voters’ are left alone). A block that
//! opens a quote without closing it continues into the next block when that
//! block reopens with a mark of the same family (newswire convention); one
//! [`Quote`] is returned per block piece. An unclosed opener that nothing
//! continues is dropped when quotes nested inside it can stand on their own.

use crate::claims::Quote;
use crate::text::{Sentence, Span};

/// Which pair a mark belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Double,
    Single,
}

/// What a mark looks like from its neighbours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Open,
    Close,
    /// A straight mark whose neighbours do not tell (`a"b`, `a " b`).
    Either,
    /// A curly single closer between letters or after a letter: apostrophe unless a quote is open.
    MaybeClose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mark {
    start: usize,
    end: usize,
    family: Family,
    straight: bool,
    role: Role,
}

/// Characters that may stand before an opening mark.
fn opens_after(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(
                    c,
                    '(' | '[' | '{' | '\u{2014}' | '\u{2013}' | '\u{2015}' | '-' | '/' | ':' | '\u{201C}' | '\u{2018}'
                )
        }
    }
}

/// Scans one block for quote marks.
fn scan_marks(text: &str, block: Span) -> Vec<Mark> {
    let seg = block.slice(text);
    let mut out = Vec::new();
    // Marks are '"', '\'' and U+2018–U+201E (whose UTF-8 starts with 0xE2): the scan goes
    // from one byte that can start one to the next (each is a character's first byte).
    let mut taken_to = 0;
    for i in memchr::memchr3_iter(b'"', b'\'', 0xE2, seg.as_bytes()) {
        if i < taken_to {
            continue;
        }
        let rest = &seg[i..];
        let Some(c) = rest.chars().next() else { break };
        let prev = seg[..i].chars().next_back();
        let next = rest[c.len_utf8()..].chars().next();
        if let Some(m) = mark_at(seg, block.start, i, (prev, c, next)) {
            taken_to = m.end - block.start;
            out.push(m);
        }
    }
    out
}

/// The quote mark that character `c` at byte `i` of the block `seg` (which starts at `base`)
/// is, between the characters `prev` and `next`, if it is one; a mark may take more than its
/// character (wire-style '' is one double mark).
fn mark_at(seg: &str, base: usize, i: usize, (prev, c, next): (Option<char>, char, Option<char>)) -> Option<Mark> {
    let start = base + i;
    let curly = |family, role| Mark { start, end: start + c.len_utf8(), family, straight: false, role };
    match c {
        '\u{201C}' | '\u{201E}' => Some(curly(Family::Double, Role::Open)),
        '\u{201D}' => {
            // "”Mr. Trump’s ..." — a closer used as an opener at a block or clause start.
            let role =
                if opens_after(prev) && next.is_some_and(|n| n.is_alphanumeric()) { Role::Either } else { Role::Close };
            Some(curly(Family::Double, role))
        }
        '"' => Some(Mark {
            start,
            end: start + 1,
            family: Family::Double,
            straight: true,
            role: straight_role(prev, next),
        }),
        '\'' if next == Some('\'') => {
            // '' as a double mark (wire style)
            let next2 = seg[i + 2..].chars().next();
            Some(Mark {
                start,
                end: start + 2,
                family: Family::Double,
                straight: true,
                role: straight_role(prev, next2),
            })
        }
        '\'' => single_role(prev, next, seg.get(i + 1..).unwrap_or("")).map(|role| Mark {
            start,
            end: start + 1,
            family: Family::Single,
            straight: true,
            role,
        }),
        '\u{2018}'
            if next.is_some_and(|n| !n.is_whitespace()) && !elision(seg.get(i + c.len_utf8()..).unwrap_or("")) =>
        {
            Some(curly(Family::Single, Role::Open))
        }
        '\u{2019}' => {
            let p_alpha = prev.is_some_and(|p| p.is_alphanumeric());
            let n_alpha = next.is_some_and(|n| n.is_alphanumeric());
            let mark = !(p_alpha && n_alpha) && prev.is_some_and(|p| !p.is_whitespace());
            mark.then(|| curly(Family::Single, if p_alpha { Role::MaybeClose } else { Role::Close }))
        }
        _ => None,
    }
}

fn straight_role(prev: Option<char>, next: Option<char>) -> Role {
    let prev_open = opens_after(prev);
    let next_space = next.is_none_or(|n| n.is_whitespace());
    let next_punct = next.is_some_and(|n| matches!(n, ',' | '.' | ';' | ':' | '!' | '?' | ')' | ']' | '\u{2014}'));
    match (prev_open, next_space || next_punct) {
        (true, false) => Role::Open,
        (false, true) => Role::Close,
        _ => Role::Either,
    }
}

/// 'til, 'em, '90s, 'n' — apostrophes at the start of a word.
fn elision(rest: &str) -> bool {
    let lower: String = rest.chars().take(4).collect::<String>().to_lowercase();
    let digits = rest.chars().take(2).filter(|c| c.is_ascii_digit()).count() == 2;
    digits || ["til ", "em ", "em.", "em,", "n' ", "cause "].iter().any(|e| lower.starts_with(e)) || lower == "em"
}

fn single_role(prev: Option<char>, next: Option<char>, rest: &str) -> Option<Role> {
    let p_alpha = prev.is_some_and(|p| p.is_alphanumeric());
    let n_alpha = next.is_some_and(|n| n.is_alphanumeric());
    if p_alpha && n_alpha {
        return None; // don't, Russia's
    }
    if opens_after(prev) || prev == Some('"') {
        if next.is_some_and(|n| !n.is_whitespace()) && !elision(rest) {
            return Some(Role::Open);
        }
        return None;
    }
    if prev.is_some_and(|p| !p.is_whitespace()) && !n_alpha {
        return Some(if p_alpha { Role::MaybeClose } else { Role::Close });
    }
    None
}

/// A top-level quote piece found in one block: marks' positions.
#[derive(Clone, Copy, Debug)]
struct Piece {
    open: Option<Mark>,
    /// Byte offset where the quoted words start (after the open mark, or the block start).
    inner_start: usize,
    close: Option<Mark>,
    inner_end: usize,
}

/// Runs the marks of one block from index `from`; returns the closed top-level pieces and,
/// if a double quote is still open at the end, its opener and that opener's index.
fn run(marks: &[Mark], from: usize, block: Span) -> (Vec<Piece>, Option<(Mark, usize)>) {
    let mut stack: Vec<(Mark, usize)> = Vec::new();
    let mut pieces = Vec::new();
    for (i, &mk) in marks.iter().enumerate().skip(from) {
        let closes = match mk.role {
            Role::Close => true,
            // A straight double that looks like an opener while a straight double is open is its closer.
            Role::Open => {
                mk.straight
                    && mk.family == Family::Double
                    && stack.iter().any(|(s, _)| s.straight && s.family == Family::Double)
            }
            Role::Either | Role::MaybeClose => stack.iter().any(|(s, _)| s.family == mk.family),
        };
        if closes {
            if let Some(pos) = stack.iter().rposition(|(s, _)| s.family == mk.family) {
                // a single closer only pairs with a single opened inside the innermost double
                if mk.family == Family::Single && stack[pos + 1..].iter().any(|(s, _)| s.family == Family::Double) {
                    continue;
                }
                let (opener, _) = stack[pos];
                stack.truncate(pos);
                let top = match mk.family {
                    Family::Double => !stack.iter().any(|(s, _)| s.family == Family::Double),
                    Family::Single => stack.is_empty(),
                };
                if top {
                    pieces.push(Piece {
                        open: Some(opener),
                        inner_start: opener.end,
                        close: Some(mk),
                        inner_end: mk.start,
                    });
                    stack.clear();
                }
            } else if mk.family == Family::Double && mk.role == Role::Close && i == from && from == 0 {
                // A closer with no opener at the start of a block: the quote began at the block start.
                pieces.push(Piece { open: None, inner_start: block.start, close: Some(mk), inner_end: mk.start });
            }
        } else if matches!(mk.role, Role::Open | Role::Either) {
            stack.push((mk, i));
        }
    }
    // Unclosed singles are apostrophes or stray marks: only a double left open counts.
    let open = stack.iter().find(|(s, _)| s.family == Family::Double).copied();
    (pieces, open)
}

/// Does `block` open with a double mark of the same style (straight or curly) as `opener`?
fn block_reopens(text: &str, block: Span, opener: Mark) -> bool {
    let seg = block.slice(text).trim_start();
    if opener.straight {
        seg.starts_with('"') || seg.starts_with("''")
    } else {
        seg.starts_with('\u{201C}') || seg.starts_with('\u{201D}')
    }
}

/// Finds every quote in the masked prose `text` (speakers are left to [`super::speakers`]).
pub fn find_quotes(text: &str, blocks: &[Span], sentences: &[Sentence]) -> Vec<Quote> {
    find_quotes_in(text, blocks, 0..blocks.len(), sentences)
}

/// The quotes of blocks `range` of the document: what [`find_quotes`] finds there. A
/// block's quotes depend on its own text and on how the next block opens (a quote left
/// open continues into a block that reopens it), nothing else.
pub(crate) fn find_quotes_in(
    text: &str,
    blocks: &[Span],
    range: std::ops::Range<usize>,
    sentences: &[Sentence],
) -> Vec<Quote> {
    if sentences.is_empty() {
        return Vec::new();
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for (bi, &block) in blocks.iter().enumerate().take(range.end).skip(range.start) {
        if block.end > text.len()
            || block.is_empty()
            || !text.is_char_boundary(block.start)
            || !text.is_char_boundary(block.end)
        {
            continue;
        }
        let marks = scan_marks(text, block);
        let mut from = 0;
        let mut demotions = 0;
        loop {
            let (mut found, open) = run(&marks, from, block);
            pieces.append(&mut found);
            let Some((o, idx)) = open else { break };
            let continued = blocks.get(bi + 1).is_some_and(|nb| block_reopens(text, *nb, o));
            let nested = marks[idx + 1..].iter().any(|m| m.family == Family::Double);
            if continued || !nested || demotions >= 8 {
                pieces.push(Piece { open: Some(o), inner_start: o.end, close: None, inner_end: block.end });
                break;
            }
            // Drop the stray opener and read the rest of the block again.
            demotions += 1;
            from = idx + 1;
        }
    }
    let mut quotes = Vec::new();
    let mut last_end = 0;
    pieces.sort_by_key(|p| p.inner_start);
    for p in pieces {
        let inner = trim_span(text, Span::new(p.inner_start, p.inner_end));
        if inner.is_empty() || inner.start < last_end {
            continue;
        }
        let outer = Span::new(p.open.map_or(inner.start, |o| o.start), p.close.map_or(inner.end, |c| c.end));
        last_end = outer.end;
        let sentence = sentence_of(sentences, outer.start);
        let partial = is_partial(text, sentences, sentence, outer, inner);
        quotes.push(Quote { span: inner, outer, sentence, speaker: None, partial });
    }
    quotes
}

fn trim_span(text: &str, s: Span) -> Span {
    let seg = s.slice(text);
    if seg.is_empty() {
        return Span::new(s.start, s.start);
    }
    let lead = seg.len() - seg.trim_start().len();
    let trimmed = seg.trim();
    Span::new(s.start + lead, s.start + lead + trimmed.len())
}

/// Index of the sentence holding `offset` (or the nearest one before it).
pub(crate) fn sentence_of(sentences: &[Sentence], offset: usize) -> usize {
    let i = sentences.partition_point(|s| s.span.end <= offset);
    i.min(sentences.len().saturating_sub(1))
}

/// A quote is partial when it is a piece of its sentence's grammar rather than the whole
/// utterance: it begins in lower case, or words other than an attribution precede it without a colon or comma.
fn is_partial(text: &str, sentences: &[Sentence], si: usize, outer: Span, inner: Span) -> bool {
    let Some(sent) = sentences.get(si) else { return false };
    let first = inner.slice(text).chars().next();
    if first.is_some_and(|c| c.is_lowercase()) {
        return true;
    }
    let before_start = sent.span.start.min(outer.start);
    let before = text.get(before_start..outer.start).unwrap_or("").trim_end();
    let after_end = sent.span.end.max(outer.end);
    let after = text.get(outer.end..after_end).unwrap_or("").trim();
    let q = inner.slice(text);
    let q_ends_clause = q.ends_with([',', '.', '?', '!', '\u{2026}', ':', ';', '-', '\u{2014}']);
    if before.is_empty() || before.ends_with([':', ',', '\u{2014}', '\u{2015}', '(', '-']) {
        // opens the sentence or follows "X said," — partial only if the sentence runs on after it
        // without the quote ending a clause ("a "legally binding" document")
        return !q_ends_clause
            && !after.is_empty()
            && !after.starts_with([',', '.', '?', '!', ';', ':', '\u{2014}', '\u{2015}', '-']);
    }
    // words precede the quote: a whole utterance only after a speech verb ("Trump declared "I ...")
    let last_word: String = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect();
    !(super::speakers::is_speech_verb(&last_word) && first.is_some_and(|c| c.is_uppercase() || c.is_numeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{prose, TextFormat};
    use crate::text::split_sentences;
    use proptest::prelude::*;

    /// Marks as they were found character by character, before the scan jumped from one
    /// byte that can start a mark to the next: every character of the block asked.
    fn scan_marks_reference(text: &str, block: Span) -> Vec<Mark> {
        let seg = block.slice(text);
        let chars: Vec<(usize, char)> = seg.char_indices().collect();
        let mut out = Vec::new();
        let mut taken_to = 0;
        for (k, &(i, c)) in chars.iter().enumerate() {
            if i < taken_to {
                continue;
            }
            let prev = k.checked_sub(1).map(|p| chars[p].1);
            let next = chars.get(k + 1).map(|n| n.1);
            if let Some(m) = mark_at(seg, block.start, i, (prev, c, next)) {
                taken_to = m.end - block.start;
                out.push(m);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn marks_are_found_as_character_by_character(
            text in "([a-zA-Z0-9]{1,4}|[ ,.(:\u{2014}-]|[\"']|''|\u{201C}|\u{201D}|\u{201E}|\u{2018}|\u{2019}|\u{2026}|é|til |em |'9){0,24}",
            cut in 0usize..3,
        ) {
            let start = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let block = Span::new(start, text.len());
            prop_assert_eq!(scan_marks(&text, block), scan_marks_reference(&text, block));
        }
    }

    fn quotes(t: &str) -> Vec<Quote> {
        let p = prose(t, TextFormat::Plain);
        let mut sentences = Vec::new();
        for (i, b) in p.blocks.iter().enumerate() {
            for span in split_sentences(&p.masked, *b) {
                sentences.push(Sentence { span, block: i });
            }
        }
        find_quotes(&p.masked, &p.blocks, &sentences)
    }

    fn texts(t: &str) -> Vec<&str> {
        quotes(t).into_iter().map(|q| q.span.slice(t)).collect()
    }

    #[test]
    fn straight_and_curly() {
        assert_eq!(texts("\"The plan works,\" the mayor said."), vec!["The plan works,"]);
        assert_eq!(texts("\u{201C}The plan works,\u{201D} the mayor said."), vec!["The plan works,"]);
        let q = quotes("\u{201C}No,\u{201D} he said.");
        assert_eq!(q[0].outer, Span::new(0, "\u{201C}No,\u{201D}".len()));
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        assert_eq!(
            texts("Norway\u{2019}s minister didn\u{2019}t say \u{201C}never\u{201D} to the farmers\u{2019} union."),
            vec!["never"]
        );
        assert!(texts("It's the voters' choice, isn't it? Rock 'n' roll in the '90s.").is_empty());
    }

    #[test]
    fn single_quotes_in_headlines() {
        assert_eq!(texts("Minister Calls Tariff Plan \u{2018}Reckless\u{2019} in Speech"), vec!["Reckless"]);
        assert_eq!(texts("Governor Sees 'Grave Risk' in Dam Plan"), vec!["Grave Risk"]);
    }

    #[test]
    fn multi_sentence_quote() {
        let t = "\u{201C}We tried. We failed. We will try again,\u{201D} said the coach.";
        assert_eq!(texts(t), vec!["We tried. We failed. We will try again,"]);
        assert!(!quotes(t)[0].partial);
    }

    #[test]
    fn paragraph_continuation() {
        let t =
            "The mayor said:\n\n\u{201C}The bridge is closed. Nobody crosses.\n\n\u{201C}It reopens in May.\u{201D}\n\nTraffic was light.";
        assert_eq!(texts(t), vec!["The bridge is closed. Nobody crosses.", "It reopens in May."]);
    }

    #[test]
    fn partial_quotes() {
        let q = quotes("The envoys would demand a \"legally binding\" document from the talks.");
        assert_eq!(q.len(), 1);
        assert!(q[0].partial);
        let q = quotes("She called the offer \u{201C}an insult to farmers.\u{201D}");
        assert!(q[0].partial);
        let q = quotes("He said, \u{201C}We will be back.\u{201D}");
        assert!(!q[0].partial);
    }

    #[test]
    fn ellipses_and_brackets_stay_inside() {
        let t = "\u{201C}They [the rebels] left \u{2026} at dawn,\u{201D} an officer said.";
        assert_eq!(texts(t), vec!["They [the rebels] left \u{2026} at dawn,"]);
    }

    #[test]
    fn wire_double_apostrophes() {
        let t = "''We will not wait,'' the senator said. ''Never.''";
        assert_eq!(texts(t), vec!["We will not wait,", "Never."]);
    }

    #[test]
    fn nested_quotes_stay_inside() {
        let t = "\"He asked me, \u{201C}Are you sure?\u{201D} and I was,\" she said.";
        assert_eq!(texts(t), vec!["He asked me, \u{201C}Are you sure?\u{201D} and I was,"]);
        let t = "\u{201C}They called it \u{2018}a disaster,\u{2019} but it worked,\u{201D} he said.";
        assert_eq!(texts(t), vec!["They called it \u{2018}a disaster,\u{2019} but it worked,"]);
    }

    #[test]
    fn stray_opener_is_dropped_when_nested_quotes_follow() {
        let t = "\"The crowd rose, shouting \u{201C}Go home!\u{201D}\n\nThen it ended.";
        assert_eq!(texts(t), vec!["Go home!"]);
    }

    #[test]
    fn unbalanced_does_not_panic() {
        for t in [
            "\"",
            "\u{201D}",
            "\u{201C}",
            "''",
            "'",
            "a \" b \u{201C} c",
            "\u{2019}\u{2018}\u{2019}",
            "\"\"",
            "\u{201C}\u{201D}",
        ] {
            let _ = quotes(t);
        }
    }

    proptest! {
        #[test]
        fn spans_in_bounds(t in "[a-zA-Z .,\n\"'\u{201C}\u{201D}\u{2018}\u{2019}é]{0,80}") {
            for q in quotes(&t) {
                prop_assert!(q.outer.covers(q.span));
                prop_assert!(q.outer.end <= t.len());
                prop_assert!(t.is_char_boundary(q.span.start) && t.is_char_boundary(q.span.end));
                prop_assert!(t.is_char_boundary(q.outer.start) && t.is_char_boundary(q.outer.end));
            }
        }
    }
}
