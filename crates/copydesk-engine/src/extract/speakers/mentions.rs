//! Mentions: the noun phrase that is the subject of a speech verb, before or after it.

use super::tokens::*;
use super::words::*;
use crate::extract::entities::{is_particle, is_pronoun, is_title};
use crate::text::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Pronoun,
    Relative,
    Name,
    Nominal,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Mention {
    pub(super) span: Span,
    pub(super) kind: Kind,
    /// Where the noun phrase holding the mention starts (role words included).
    pub(super) from: usize,
}

/// "Industry analysts", "Harbour board officials": capitalized words before a lower-case
/// head noun that ends the phrase modify it; the phrase names a group, not the capitalized words.
fn modifies_common_noun(doc: &Doc, toks: &[Tok], run_end: usize) -> bool {
    let (Some(last), Some(next)) = (toks.last(), toks.get(run_end)) else { return false };
    let next = doc.bare(*next);
    let head = doc.bare(*last);
    let adverb = head.ends_with("ly") || [&AUX_SET, &CONNECTIVE_SET, &FOCUS_SET].iter().any(|l| l.contains(&head));
    !capitalized(doc.word(*last))
        && !adverb
        && !SUBORDINATOR_SET.contains(&next)
        && !matches!(&*next, "and" | "or" | "himself" | "herself" | "themselves" | "itself")
        && toks[run_end..].iter().all(|t| !ends_with_comma(doc.word(*t)) || t.start == last.start)
}

/// Trims a span to its first and last alphanumeric-ish characters (keeps "Mr." dots and closing brackets).
pub(super) fn tidy(text: &str, s: Span) -> Span {
    let seg = s.slice(text);
    let lead = seg.len() - seg.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let body = &seg[lead..];
    let mut end = body.len();
    let trimmed = body.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')');
    end = end.min(trimmed.len());
    let mut body = &body[..end];
    // drop a sentence-final period but keep abbreviations ("Mr.", "Jr.", "G.K.")
    if let Some(stem) = body.strip_suffix('.') {
        let last = stem.rsplit(char::is_whitespace).next().unwrap_or("");
        if !is_abbrev(last) {
            body = stem;
        }
    }
    // unmatched closing bracket
    if body.ends_with(')') && body.matches('(').count() < body.matches(')').count() {
        body = &body[..body.len() - 1];
    }
    Span::new(s.start + lead, s.start + lead + body.len())
}

/// Builds a mention from the noun-phrase tokens `toks` (in order), preferring the name part.
pub(super) fn mention_from(doc: &Doc, toks: &[Tok]) -> Option<Mention> {
    let phrase_from = toks.first()?.start;
    let mut toks: Vec<Tok> = toks.to_vec();
    // "Neither Lee nor Roe", "Either the mayor or ...": a coordination names no one speaker
    if toks.iter().any(|t| matches!(&*doc.bare(*t), "neither" | "nor" | "either")) {
        return None;
    }
    // strip leading connectives ("But he said") and focus adverbs ("Just 40 voters said")
    while toks.len() > 1 && {
        let b = doc.bare(toks[0]);
        CONNECTIVE_SET.contains(&b) || FOCUS_SET.contains(&b)
    } {
        toks.remove(0);
    }
    if toks.len() == 1 && FOCUS_SET.contains(&doc.bare(toks[0])) {
        return None;
    }
    // strip trailing bracketed tags "(D-Ohio)"
    while toks.len() > 1 && doc.word(toks[toks.len() - 1]).starts_with('(') {
        toks.pop();
    }
    let first = *toks.first()?;
    let last = *toks.last()?;
    let words: Vec<&str> = toks.iter().map(|t| doc.word(*t)).collect();
    if words.iter().any(|w| w.as_bytes().contains(&Q)) {
        return None;
    }
    let span = |a: Tok, b: Tok| tidy(doc.text, Span::new(a.start, b.end));
    if toks.len() == 1 {
        let b = doc.bare(first);
        if is_pronoun(&b) {
            let kind = if matches!(&*b, "who" | "which") { Kind::Relative } else { Kind::Pronoun };
            if matches!(&*b, "him" | "them" | "us" | "me" | "you") {
                return None;
            }
            return Some(Mention { span: span(first, first), kind, from: phrase_from });
        }
    }
    let b0 = doc.bare(first);
    if toks.len() == 1 && DETERMINER_SET.contains(&b0) {
        return None;
    }
    if SUBORDINATOR_SET.contains(&b0) && !DETERMINER_SET.contains(&b0) {
        return None;
    }
    // A capitalized word inside the phrase is part of a name or title ("Secretary of State"),
    // not a speech verb.
    if toks.iter().enumerate().any(|(i, t)| {
        let b = doc.bare(*t);
        (is_pronoun(&b) && toks.len() > 1 && !matches!(&*b, "her" | "his"))
            || (is_speech_verb(&b) && (i == 0 || !capitalized(doc.word(*t))))
    }) {
        return None;
    }
    if toks.len() == 1 && (CONNECTIVE_SET.contains(&b0) || SUBORDINATOR_SET.contains(&b0)) {
        return None;
    }
    if capitalized(words[0]) && !DETERMINER_SET.contains(&b0) {
        // Starts with a name: "Mr. Morgan of the Sierra Club", "Tulsa police Chief Ann Lee", "Obama's former aide"
        let run_end =
            toks.iter().position(|t| !capitalized(doc.word(*t)) && !is_particle(&doc.bare(*t))).unwrap_or(toks.len());
        if run_end == toks.len() {
            return Some(Mention { span: span(first, last), kind: Kind::Name, from: phrase_from });
        }
        let possessive = {
            let w = doc.word(toks[run_end - 1]);
            w.ends_with("'s") || w.ends_with("\u{2019}s") || w.ends_with('\'') || w.ends_with('\u{2019}')
        };
        // "Lee's former aide" is a role; "Lee's campaign manager Jo Roe" ends with the name
        if (possessive && !capitalized(doc.word(last))) || modifies_common_noun(doc, &toks, run_end) {
            return Some(Mention { span: span(first, last), kind: Kind::Nominal, from: phrase_from });
        }
        // role words, then a name at the end: take the final run
        if capitalized(doc.word(last)) {
            let start = toks.iter().rposition(|t| !capitalized(doc.word(*t))).map_or(0, |p| p + 1);
            let pre = doc.bare(toks[start.saturating_sub(1)]);
            if !matches!(&*pre, "of" | "the" | "at" | "for" | "from" | "in" | "with" | "and") {
                return Some(Mention { span: span(toks[start], last), kind: Kind::Name, from: phrase_from });
            }
            // "Secretary of State Antony Blinken", "Minister of Foreign Affairs Sergey Lavrov":
            // after a title's "of" the organization runs into the name; a run of three or
            // more capitalized words ends with a given name and a surname. Without a title
            // the whole phrase is one name ("Bank of New York Co Inc").
            if pre == "of" && toks.len() - start >= 3 {
                if !is_title(words[0]) {
                    return Some(Mention { span: span(first, last), kind: Kind::Name, from: phrase_from });
                }
                return Some(Mention { span: span(toks[toks.len() - 2], last), kind: Kind::Name, from: phrase_from });
            }
        }
        return Some(Mention { span: span(first, toks[run_end - 1]), kind: Kind::Name, from: phrase_from });
    }
    if toks.len() > 9 {
        return None;
    }
    // determiner or role words first
    let lowercase_start = !capitalized(words[0]);
    if lowercase_start && !DETERMINER_SET.contains(&b0) && !b0.chars().next().is_some_and(|c| c.is_numeric()) {
        // "panel chairman Jane Roe": role words are fine when a name ends the phrase
        if !capitalized(doc.word(last)) {
            return None;
        }
    }
    if capitalized(doc.word(last)) {
        let start = toks.iter().rposition(|t| !capitalized(doc.word(*t))).map_or(0, |p| p + 1);
        let pre = doc.bare(toks[start.saturating_sub(1)]);
        if start > 0 && !matches!(&*pre, "of" | "at" | "for" | "from" | "in" | "with" | "and") {
            if pre == "the" || pre == "a" {
                // "the Kremlin", "the Washington Post"
                return Some(Mention { span: span(toks[start - 1], last), kind: Kind::Name, from: phrase_from });
            }
            return Some(Mention { span: span(toks[start], last), kind: Kind::Name, from: phrase_from });
        }
    }
    Some(Mention { span: span(first, last), kind: Kind::Nominal, from: phrase_from })
}

/// The subject of the verb at `toks[k]`, read backwards within its clause.
/// Are `toks[f..end]` a name (one to four capitalized words, the last closing the
/// apposition with its comma) after a role opened by a determiner and closed by a comma:
/// "the mayor, Ana Ruiz," / "her spokesman, Tom Hale,"?
fn name_after_a_role(doc: &Doc, toks: &[Tok], f: usize, end: usize) -> bool {
    let name = &toks[f..end];
    if name.is_empty() || name.len() > 4 || !name.iter().all(|t| capitalized(doc.word(*t))) || f < 2 {
        return false;
    }
    // The role: back from the comma before the name to the clause's start, at most six words.
    let mut i = f - 1;
    while i > 0 && f - i < 6 {
        let w = doc.word(toks[i - 1]);
        if is_quote_tok(w) || ends_clause(w) {
            break;
        }
        i -= 1;
    }
    let role = &toks[i..f];
    role.len() >= 2
        && DETERMINER_SET.contains(&doc.bare(role[0]))
        && !role.iter().skip(1).all(|t| capitalized(doc.word(*t)))
}

pub(super) fn subject_before(doc: &Doc, toks: &[Tok], k: usize, cross_preps: bool) -> Option<Mention> {
    let mut j = k;
    let mut skipped = 0;
    while j > 0 && skipped < 3 {
        let b = doc.bare(toks[j - 1]);
        if AUX_SET.contains(&b) || (b.ends_with("ly") && b.len() > 4 && !capitalized(doc.word(toks[j - 1]))) {
            if ends_clause(doc.word(toks[j - 1])) {
                break;
            }
            j -= 1;
            skipped += 1;
        } else {
            break;
        }
    }
    if j == 0 {
        return None;
    }
    // Appositions closed by a comma right before the verb: "Ann Lee, an economist, said",
    // "Ann Lee, the attorney general of Ohio, one of the states suing, said"
    let mut end = j;
    let mut rounds = 0;
    while ends_with_comma(doc.word(toks[end - 1])) && rounds < 3 {
        let mut i = end - 1;
        let mut found = None;
        while i > 0 && end - i < 30 {
            i -= 1;
            let w = doc.word(toks[i]);
            if is_quote_tok(w) || (ends_clause(w) && !ends_with_comma(w)) {
                break;
            }
            if ends_with_comma(w) {
                found = Some(i + 1);
                break;
            }
        }
        let looks_apposition = found.is_some_and(|f| {
            let a = doc.bare(toks[f]);
            let w = doc.word(toks[f]);
            // a party tag: "R-Ky.,"
            let tag = f + 1 == end && w.contains('-') && w.chars().count() <= 8;
            // "Jane Roe, Lee's spokeswoman, said": whose role it is, then the role
            let whose = (w.ends_with("'s") || w.ends_with("\u{2019}s"))
                && toks[f + 1..end].iter().any(|t| !capitalized(doc.word(*t)));
            DETERMINER_SET.contains(&a)
                || whose
                || a.chars().next().is_some_and(|c| c.is_numeric())
                || tag
                || (!capitalized(w) && !matches!(&*a, "that" | "which" | "and" | "but" | "or" | "so"))
        });
        match found {
            Some(f) if looks_apposition => end = f,
            // "The mayor, Ana Ruiz, said": a name in apposition to a role is the speaker.
            Some(f) if rounds == 0 && name_after_a_role(doc, toks, f, end) => break,
            _ if rounds == 0 => return None,
            _ => break,
        }
        rounds += 1;
    }
    let mut i = end;
    while i > 0 && end - i < 12 {
        let w = doc.word(toks[i - 1]);
        if is_quote_tok(w) || (i < end && ends_clause(w)) {
            break;
        }
        let b = doc.bare(toks[i - 1]);
        let prep = matches!(&*b, "of" | "in" | "at" | "for" | "from" | "with" | "on");
        // "Mr. Morgan of the Sierra Club said", "one of the officials said"
        let of_phrase = b == "of" && i < end && i > 1;
        let keep_going = of_phrase || (b == "that" && i == end) || (prep && cross_preps);
        if SUBORDINATOR_SET.contains(&b) && !keep_going {
            break;
        }
        if w.ends_with(['\u{2014}', '\u{2015}', '-']) && w.chars().count() == 1 {
            break;
        }
        i -= 1;
    }
    if i == end {
        return None;
    }
    let phrase = &toks[i..end];
    if matches!(&*doc.bare(toks[end - 1]), "and" | "or" | "but" | "nor") {
        return None;
    }
    if phrase.len() > 9 {
        // too long to be a subject: take the name or pronoun right before the verb
        let run = phrase.iter().rposition(|t| !capitalized(doc.word(*t))).map_or(0, |p| p + 1);
        if run < phrase.len() {
            return mention_from(doc, &phrase[run..]);
        }
        return None;
    }
    let m = mention_from(doc, phrase)?;
    // "NAME, who said" — the relative pronoun stands for the name
    Some(m)
}

/// The subject after an inverted verb ("said Jane Roe, an economist").
pub(super) fn subject_after(doc: &Doc, toks: &[Tok], k: usize) -> Option<Mention> {
    let mut out = Vec::new();
    for (n, &t) in toks.iter().enumerate().skip(k + 1).take(12) {
        let w = doc.word(t);
        if is_quote_tok(w) {
            break;
        }
        let b = doc.bare(t);
        // "said Secretary of State Antony Blinken": a title's "of" before a capitalized word
        let title_of = b == "of" && toks.get(n + 1).is_some_and(|t| capitalized(doc.word(*t)));
        if !out.is_empty()
            && !capitalized(w)
            && !title_of
            && matches!(
                &*b,
                "on" | "in"
                    | "at"
                    | "during"
                    | "after"
                    | "before"
                    | "who"
                    | "that"
                    | "when"
                    | "while"
                    | "as"
                    | "to"
                    | "about"
                    | "of"
            )
        {
            break;
        }
        out.push(t);
        if ends_clause(w) || w.ends_with(['\u{2014}', ')']) {
            break;
        }
    }
    if out.is_empty() {
        return None;
    }
    let first = doc.word(out[0]);
    let b0 = doc.bare(out[0]);
    // "asked about Russia's ...": what follows a preposition is not who spoke
    if matches!(&*b0, "about" | "of" | "on" | "in" | "at" | "to" | "for" | "with" | "from" | "over") {
        return None;
    }
    let role_then_name = out.iter().take(5).any(|t| capitalized(doc.word(*t)));
    if !(capitalized(first)
        || DETERMINER_SET.contains(&b0)
        || b0.chars().next().is_some_and(|c| c.is_numeric())
        || role_then_name)
    {
        return None;
    }
    if is_pronoun(&b0) && !matches!(&*b0, "he" | "she" | "they" | "it" | "we" | "i") {
        return None;
    }
    mention_from(doc, &out)
}

/// The subject that opens a clause: "[In a speech,] Trump attacked ...", "He then defended ...",
/// "Dean, a former chairman, poked ..." — a name or pronoun followed by a lower-case verb or an apposition.
pub(super) fn clause_subject(doc: &Doc, toks: &[Tok]) -> Option<Mention> {
    let start = toks
        .iter()
        .rposition(|t| is_quote_tok(doc.word(*t)) || (ends_clause(doc.word(*t)) && !ends_with_comma(doc.word(*t))))
        .map_or(0, |p| p + 1);
    let mut i = start;
    // an introductory phrase: "In an August speech,"
    if let Some(t) = toks.get(i) {
        let b = doc.bare(*t);
        if CONNECTIVE_SET.contains(&b) || SUBORDINATOR_SET.contains(&b) {
            let comma = toks[i..].iter().take(10).position(|t| ends_with_comma(doc.word(*t)))?;
            i += comma + 1;
        }
    }
    let first = *toks.get(i)?;
    let b = doc.bare(first);
    if matches!(&*b, "he" | "she" | "they" | "i" | "we") {
        return mention_from(doc, &toks[i..=i]);
    }
    if !capitalized(doc.word(first)) || DETERMINER_SET.contains(&b) {
        return None;
    }
    let mut j = i;
    while j < toks.len() && j - i < 5 && capitalized(doc.word(toks[j])) {
        j += 1;
        if ends_with_comma(doc.word(toks[j - 1])) {
            break;
        }
    }
    let next = toks.get(j).map(|t| doc.word(*t))?;
    let last = doc.word(toks[j - 1]);
    if ends_with_comma(last) || next.chars().next().is_some_and(|c| c.is_lowercase()) {
        return mention_from(doc, &toks[i..j]);
    }
    None
}

/// The tokens (indices into [`Doc::toks`]) of the phrase that ends with a comma right before
/// word `k`, back to the previous comma, clause end or quote.
fn comma_phrase_before(doc: &Doc, k: usize) -> Option<std::ops::Range<usize>> {
    if doc.first_word(k) {
        return None;
    }
    let end = k - 1;
    doc.note_read(doc.toks[end].start, doc.toks[end].end);
    if !ends_with_comma(doc.word(doc.toks[end])) {
        return None;
    }
    let mut start = end;
    while end - start < 12 && !doc.first_word(start) {
        let w = doc.word(doc.toks[start - 1]);
        doc.note_read(doc.toks[start - 1].start, doc.toks[end].end);
        if is_quote_tok(w) || ends_clause(w) {
            break;
        }
        start -= 1;
    }
    Some(start..end + 1)
}

/// The mention a relative pronoun at `pos` stands for: the name right before its comma, or,
/// after an apposition ("Jane Roe, the mayor, who said"), the name the apposition describes.
pub(super) fn antecedent_mention(doc: &Doc, pos: usize, person: bool) -> Option<Mention> {
    let k = doc.toks.partition_point(|t| t.end <= pos);
    let phrase = comma_phrase_before(doc, k)?;
    let first = doc.word(doc.toks[phrase.start]);
    let describes = !capitalized(first) || (person && DETERMINER_SET.contains(&doc.bare(doc.toks[phrase.start])));
    let phrase = if describes { comma_phrase_before(doc, phrase.start)? } else { phrase };
    let toks = &doc.toks[phrase];
    let run = toks.iter().rposition(|t| !capitalized(doc.word(*t)) && !is_particle(&doc.bare(*t))).map_or(0, |p| p + 1);
    mention_from(doc, toks.get(run..).filter(|r| !r.is_empty())?)
}
