//! Cues: where a quote's attribution is found, and reported speech ("X said (that) ..."),
//! read from the words around them; what the mention found stands for is left to resolution.

use super::mentions::*;
use super::reading::{read_mention, QuoteReading, ReadMention, Reported};
use super::tokens::*;
use super::words::*;
use crate::claims::Quote;
use crate::text::{Sentence, Span};

/// Where a speech verb was found: its subject.
pub(super) struct Cue {
    pub(super) mention: Mention,
}

/// `"...," X said` / `"...," said X` / `"..." ― X` right after a quote.
fn after_quote(doc: &Doc, q: &Quote, block: Span) -> Option<Cue> {
    doc.note_text_read(q.span.start, q.span.end);
    let inner = q.span.slice(doc.text).trim_end();
    let closed_sentence = inner.ends_with('.') || inner.ends_with('\u{2026}');
    let limit = (q.outer.end + 400).min(block.end);
    let toks = doc.tokens(q.outer.end, limit);
    let toks: Vec<Tok> = toks.into_iter().take_while(|t| !is_quote_tok(doc.word(*t))).take(40).collect();
    let first = *toks.first()?;
    let mut k0 = 0;
    let w0 = doc.word(first);
    // dash attribution: "..." ― Jane Roe
    if matches!(w0, "\u{2015}" | "\u{2014}" | "\u{2013}" | "--" | "-") || w0.starts_with('\u{2015}') {
        let rest: Vec<Tok> = toks[1..].iter().copied().take_while(|t| capitalized(doc.word(*t))).take(5).collect();
        let cut = rest.iter().position(|t| ends_clause(doc.word(*t))).map_or(rest.len(), |p| p + 1);
        if cut > 0 {
            let m = mention_from(doc, &rest[..cut])?;
            return Some(Cue { mention: m });
        }
        return None;
    }
    if w0 == "," || w0 == "\u{2014}" {
        k0 = 1;
    }
    let tk0 = *toks.get(k0)?;
    if closed_sentence && capitalized(doc.word(tk0)) {
        // a new sentence starts after the quote
        let b = doc.bare(tk0);
        if !(is_speech_verb(&b) && toks.get(k0 + 1).is_some_and(|t| capitalized(doc.word(*t)))) {
            return None;
        }
    }
    // inverted: said X
    let bk = doc.bare(tk0);
    if is_speech_verb(&bk) && !is_participle(&bk) {
        let m = subject_after(doc, &toks, k0)?;
        return Some(Cue { mention: m });
    }
    // X [, apposition,] said
    for k in k0 + 1..toks.len().min(k0 + 36) {
        let w = doc.word(toks[k]);
        let b = doc.bare(toks[k]);
        if (is_speech_verb(&b) || answered_back(doc, &toks, k)) && !is_participle(&b) && !capitalized(w) {
            let m = subject_before(doc, &toks[k0..], k - k0, true)?;
            // the subject must open right after the quote, or after a comma: "" of the plan, Ann Lee said"
            let p = toks.iter().position(|t| t.start == m.from)?;
            if p != k0 && !ends_with_comma(doc.word(toks[p - 1])) {
                return None;
            }
            return Some(Cue { mention: m });
        }
        if ends_clause(w) && !ends_with_comma(w) {
            break;
        }
    }
    None
}

/// "shot back", "fired back", "hit back": a retort, said right after a quote.
fn answered_back(doc: &Doc, toks: &[Tok], k: usize) -> bool {
    matches!(&*doc.bare(toks[k]), "shot" | "fired" | "hit" | "snapped")
        && toks.get(k + 1).is_some_and(|t| doc.bare(*t) == "back")
}

/// The end of the cue phrase starting at the verb: "told reporters", "said in a statement".
fn cue_end(doc: &Doc, toks: &[Tok], k: usize) -> usize {
    let v = doc.bare(toks[k]);
    if matches!(&*v, "told" | "tells" | "tell" | "telling") {
        if let Some(t) = toks.get(k + 1) {
            if !is_quote_tok(doc.word(*t)) {
                return t.end - (doc.word(*t).len() - doc.word(*t).trim_end_matches([',', ':', '.']).len());
            }
        }
    }
    toks[k].end
}

/// `X said: "..."`, `X said, "..."`, `Said X: "..."`, `according to X, "..."`,
/// or (for partial quotes) any speech verb with a subject earlier in the clause.
fn before_quote(doc: &Doc, from: usize, to: usize, partial: bool) -> Option<Cue> {
    // A speech verb wins over a nearer weak verb: in "Ushakov said Putin will demand a
    // "binding" pact", the words are reported by Ushakov.
    before_quote_with(doc, from, to, partial, false).or_else(|| {
        if partial {
            before_quote_with(doc, from, to, true, true)
        } else {
            None
        }
    })
}

fn before_quote_with(doc: &Doc, from: usize, to: usize, partial: bool, weak: bool) -> Option<Cue> {
    let toks = doc.tokens(from, to);
    if toks.is_empty() {
        return None;
    }
    let n = toks.len();
    let last = doc.word(toks[n - 1]);
    if is_quote_tok(last) {
        return None;
    }
    // according to X,
    for k in (0..n).rev().take(10) {
        if doc.bare(toks[k]) == "according" && toks.get(k + 1).is_some_and(|t| doc.bare(*t) == "to") {
            let m = subject_after(doc, &toks, k + 1)?;
            return Some(Cue { mention: m });
        }
    }
    let window = if partial { 24 } else { 10 };
    let mut k = n;
    while k > 0 && n - k < window {
        k -= 1;
        let w = doc.word(toks[k]);
        if is_quote_tok(w) {
            return None;
        }
        if k + 1 < n && ends_clause(w) && !ends_with_comma(w) && !w.ends_with(':') {
            return None;
        }
        if matches!(w, "--" | "\u{2014}" | "\u{2015}" | "\u{2013}") {
            return None;
        }
        let b = doc.bare(toks[k]);
        // another clause begins here: what lies further left is not this quote's frame
        let new_clause = matches!(
            &*b,
            "but"
                | "as"
                | "when"
                | "while"
                | "because"
                | "although"
                | "though"
                | "after"
                | "before"
                | "if"
                | "until"
                | "unless"
                | "whereas"
        ) || (b == "and" && k > 0 && ends_with_comma(doc.word(toks[k - 1])));
        // "said A but that B" is a second clause of the same report; "said as much" begins none
        let next = toks.get(k + 1).map(|t| doc.bare(*t)).unwrap_or_default();
        let new_clause = new_clause && next != "that" && !(b == "as" && matches!(&*next, "much" | "well"));
        // "X told them that if ..., Y would ...": the condition sits inside X's reported clause
        let inside_that = k > 0 && doc.bare(toks[k - 1]) == "that";
        if new_clause && !inside_that {
            return None;
        }
        let put_it = b == "put" && toks.get(k + 1).is_some_and(|t| doc.bare(*t) == "it");
        let verb = is_speech_verb(&b) || put_it || (weak && WEAK_SET.contains(&b));
        // "Washington would respond with "..."": a hypothetical act, not an utterance
        let hypothetical =
            k > 0 && matches!(&*doc.bare(toks[k - 1]), "would" | "could" | "might" | "should" | "may" | "must");
        if !verb || hypothetical {
            continue;
        }
        if capitalized(w) && k == 0 {
            // "Said Jane Roe: "
            if let Some(m) = subject_after(doc, &toks, k) {
                return Some(Cue { mention: m });
            }
            continue;
        }
        if is_participle(&b) {
            // "..., adding, "..."" — the subject is that of the main clause: keep looking left
            if k > 0 && ends_with_comma(doc.word(toks[k - 1])) {
                if let Some(m) = (0..k)
                    .rev()
                    .any(|j| is_speech_verb(&doc.bare(toks[j])))
                    .then_some(())
                    .map_or_else(|| clause_subject(doc, &toks[..k]), |_| None)
                {
                    return Some(Cue { mention: m });
                }
                continue;
            }
            if let Some(m) = subject_before(doc, &toks, k, false) {
                return Some(Cue { mention: m });
            }
            continue;
        }
        if let Some(m) = subject_before(doc, &toks, k, false) {
            return Some(Cue { mention: m });
        }
        // "said X:" inverted at the end: only the name stands between the verb and the quote
        // (in "A said Biden had made "..."", Biden is the subject of another clause)
        let only_name_follows =
            |m: &Mention| doc.frame_get(m.span.end, to).is_some_and(|s| s.chars().all(|c| !c.is_alphanumeric()));
        if let Some(m) = subject_after(doc, &toks, k).filter(|m| m.kind == Kind::Name && only_name_follows(m)) {
            return Some(Cue { mention: m });
        }
    }
    None
}

pub(super) fn make_frame(text: &str, quotes: &[Quote]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for q in quotes {
        if q.outer.end <= bytes.len() && text.is_char_boundary(q.outer.start) && text.is_char_boundary(q.outer.end) {
            for b in &mut bytes[q.outer.start..q.outer.end] {
                *b = Q;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// What quote `q` of block `block` says of its speaker, read from the words around it: its
/// cue, and what the fallbacks (the previous quote's speaker) ask of it.
pub(super) fn read_quote(doc: &Doc, block: Span, sentences: &[Sentence], q: &Quote) -> QuoteReading {
    let sent = sentences.get(q.sentence).map_or(block, |s| s.span);
    let from = sent.start.max(block.start).min(q.outer.start);
    let from = crate::text::floor_char_boundary(doc.frame, from.max(q.outer.start.saturating_sub(400)));
    // a partial quote belongs to the clause that holds it: look left first
    let cue = if q.partial {
        before_quote(doc, from, q.outer.start, true).or_else(|| after_quote(doc, q, block))
    } else {
        after_quote(doc, q, block).or_else(|| before_quote(doc, from, q.outer.start, false))
    };
    let at_end = doc.frame_get(q.outer.end, block.end).is_some_and(|s| s.trim().len() <= 1)
        || doc.frame_get(q.outer.end, block.end).is_some_and(after_is_attribution_only);
    let rest_is_quotes = doc
        .frame_get(q.outer.end, block.end)
        .is_some_and(|s| s.chars().all(|c| c as u32 == Q as u32 || c.is_whitespace() || !c.is_alphanumeric()));
    QuoteReading {
        cue: cue.map(|c| read_mention(doc, c.mention)),
        block_start: doc.frame_get(block.start, q.outer.start).is_some_and(|s| s.trim().is_empty()),
        at_end,
        rest_is_quotes,
    }
}

/// The cue of a lead-in paragraph ending with a colon ("The minister continued:"), for a
/// quote that opens the next one.
pub(super) fn read_lead_in(doc: &Doc, block: Span) -> Option<ReadMention> {
    if !doc.frame_get(block.start, block.end).is_some_and(|s| s.trim_end().ends_with(':')) {
        return None;
    }
    let from = block.end.saturating_sub(300).max(block.start);
    let from = crate::text::floor_char_boundary(doc.frame, from);
    before_quote(doc, from, block.end, false).map(|c| read_mention(doc, c.mention))
}

/// `", she said."` — nothing but an attribution follows the quote.
fn after_is_attribution_only(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() <= 6 && words.iter().any(|w| is_speech_verb(&bare(w)))
}

/// Reported speech in one sentence, its speaker as a mention yet to be resolved.
pub(super) fn reported(doc: &Doc, sent: &Sentence, quotes: &[Quote]) -> Option<Reported> {
    let toks = doc.tokens(sent.span.start, sent.span.end);
    if toks.len() < 3 {
        return None;
    }
    let n = toks.len();
    let trim_end = |e: usize| {
        let seg = doc.text.get(sent.span.start..e).unwrap_or("");
        sent.span.start
            + seg.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '!' | '?')).len()
    };
    let content_span = |a: usize, b: usize| -> Option<Span> {
        let s = tidy_content(doc, Span::new(a, b), quotes);
        (s.len() >= 3).then_some(s)
    };
    // according to X, CONTENT / CONTENT, according to X
    for k in 0..n.saturating_sub(2) {
        if doc.bare(toks[k]) == "according" && doc.bare(toks[k + 1]) == "to" {
            let m = subject_after(doc, &toks, k + 1)?;
            let cue = Span::new(toks[k].start, toks[k + 1].end);
            let content = if k == 0 || (k == 1 && CONNECTIVE_SET.contains(&doc.bare(toks[0]))) {
                let after =
                    toks.iter().position(|t| t.end >= m.span.end && ends_with_comma(doc.word(*t))).map(|p| p + 1);
                let start = after.and_then(|p| toks.get(p)).map(|t| t.start)?;
                content_span(start, trim_end(sent.span.end))?
            } else {
                content_span(sent.span.start, trim_end(toks[k].start))?
            };
            return Some(Reported { content, cue, mention: read_mention(doc, m) });
        }
    }
    for k in 1..n {
        let w = doc.word(toks[k]);
        let b = doc.bare(toks[k]);
        if !is_speech_verb(&b) || is_participle(&b) || capitalized(w) || unspoken(&doc.bare(toks[k - 1])) {
            continue;
        }
        let Some(m) = subject_before(doc, &toks, k, false) else {
            // CONTENT, said X.
            if k >= 2 && ends_with_comma(doc.word(toks[k - 1])) {
                // the name must end the sentence or open an apposition: in "..., said Lee
                // would go", Lee is the subject of the reported clause
                let closes =
                    |m: &Mention| toks.iter().find(|t| t.end >= m.span.end).is_some_and(|t| ends_clause(doc.word(*t)));
                if let Some(m) = subject_after(doc, &toks, k).filter(|m| m.kind == Kind::Name && closes(m)) {
                    let content = content_span(sent.span.start, trim_end(toks[k - 1].end))?;
                    let cue = Span::new(toks[k].start, toks[k].end);
                    return Some(Reported { content, cue, mention: read_mention(doc, m) });
                }
            }
            continue;
        };
        let cue_to = cue_end(doc, &toks, k);
        let mut c = toks.iter().position(|t| t.start >= cue_to).unwrap_or(n);
        // skip "that", and "reporters that" / "Reuters on Friday that"
        let that = toks[c.min(n)..].iter().take(6).position(|t| doc.bare(*t) == "that");
        if let Some(p) = that {
            c += p + 1;
        }
        // "X said in an interview", "X said as arranger": a phrase about the telling, not what was told
        // ("said at least 40 families ...", "said about 30 people ...": a figure's modifier, what was told.)
        let modifies_figure = toks.get(c + 1).is_some_and(|t| {
            let next = doc.bare(*t);
            matches!(&*next, "least" | "most") || next.starts_with(|ch: char| ch.is_ascii_digit())
        });
        let about_telling =
            that.is_none() && !modifies_figure && toks.get(c).is_some_and(|t| PREPOSITIONS.contains(&&*doc.bare(*t)));
        let before_subject = m.from.min(m.span.start);
        let content = if c < n && !ends_clause(doc.word(toks[k])) && !about_telling {
            content_span(toks[c].start, trim_end(sent.span.end))
        } else {
            None
        };
        let content = content.or_else(|| {
            // CONTENT, X said.
            let prev = toks.iter().rposition(|t| t.end <= before_subject)?;
            if !ends_with_comma(doc.word(toks[prev])) {
                return None;
            }
            content_span(sent.span.start, trim_end(toks[prev].end))
        })?;
        let cue = Span::new(toks[k].start, cue_to);
        return Some(Reported { content, cue, mention: read_mention(doc, m) });
    }
    None
}

/// Words that open a phrase about the telling rather than what was told.
const PREPOSITIONS: &[&str] =
    &["in", "at", "on", "during", "after", "before", "as", "to", "for", "with", "from", "by", "of", "about", "via"];

/// A speech verb after these was not (yet) said by its subject: "X was asked", "X will
/// announce", "X is expected to say".
fn unspoken(before_verb: &str) -> bool {
    matches!(
        before_verb,
        "was"
            | "were"
            | "is"
            | "are"
            | "be"
            | "been"
            | "being"
            | "will"
            | "would"
            | "could"
            | "can"
            | "may"
            | "might"
            | "should"
            | "must"
            | "shall"
            | "to"
    )
}

/// A content span: the inner span of a quote when the content is wholly that quote.
fn tidy_content(doc: &Doc, s: Span, quotes: &[Quote]) -> Span {
    let s = {
        let seg = s.slice(doc.text);
        let lead = seg.len() - seg.trim_start().len();
        Span::new(s.start + lead, s.start + lead + seg.trim().len())
    };
    let i = quotes.partition_point(|q| q.outer.end <= s.start);
    if let Some(q) = quotes.get(i) {
        if q.outer.start <= s.start && s.end <= q.outer.end + 1 && q.outer.len() + 1 >= s.len() {
            return q.span;
        }
    }
    s
}
