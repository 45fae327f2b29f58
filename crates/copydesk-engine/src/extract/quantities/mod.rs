//! Quantities: figures with their modifier and what they count.
//!
//! Works sentence by sentence on a small token stream (words, digit runs,
//! single symbols) with byte spans into the original text; no regexes, one
//! pass per sentence plus a few fix-up passes over the figures found.
//!
//! `tokens` holds the token stream; `words` the word lists (stop words, counted nouns,
//! singulars); `currency` currency signs, words and codes; `figures` the figure type and
//! the percent, scale and currency words after a number; `digits` figures written with
//! digits (years included); `number_words` figures written in words (fractions, ordinals,
//! "one"); `dates` month-and-day dates; `nouns` what a figure counts; `modifiers` "about",
//! "more than" and the bounds they give; `links` ranges and figures sharing a unit. This
//! file scans each sentence for figures and turns them into `Quantity` claims.

mod currency;
mod dates;
mod digits;
mod figures;
mod links;
mod modifiers;
mod nouns;
mod number_words;
#[cfg(test)]
mod tests;
mod tokens;
mod words;

use crate::claims::{Modifier, Quantity, QuantityKind};
use crate::text::{Sentence, Span};
use currency::currency_sign;
use dates::date_at;
use digits::num_at;
use figures::{FKind, Fig};
use links::{inherit, link, Link};
use modifiers::{bounds, modifier_before};
use nouns::{noun_before, resolve_units};
use number_words::word_at;
use tokens::{lex, Tok, K};
use words::singular;

fn sentence_figures(toks: &[Tok]) -> Vec<Fig> {
    let mut figs: Vec<Fig> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some(f) = date_at(toks, i) {
            i = f.last + 1;
            figs.push(f);
            continue;
        }
        match toks[i].k {
            K::Num => match num_at(toks, i) {
                Ok(f) => {
                    i = f.last.max(i) + 1;
                    figs.push(f);
                }
                Err(next) => i = next.max(i + 1),
            },
            K::Word => match word_at(toks, i) {
                Some(f) => {
                    i = f.last.max(i) + 1;
                    figs.push(f);
                }
                None => i += 1,
            },
            K::Sym(c) if currency_sign(c).is_some() => i += 1,
            K::Sym(_) => i += 1,
        }
    }
    figs
}

/// Extracts every figure from the masked prose `text`.
pub fn extract(text: &str, sentences: &[Sentence]) -> Vec<Quantity> {
    extract_from(text, sentences, 0)
}

/// The figures of `sentences`, a run of the document's sentences whose first is sentence
/// `first`: each sentence is read on its own, so a run gives what the whole would there.
pub(crate) fn extract_from(text: &str, sentences: &[Sentence], first: usize) -> Vec<Quantity> {
    let mut out = Vec::new();
    // The lower case of the stretch the sentences cover (ASCII letters only: same offsets).
    let from = sentences.first().map_or(0, |s| s.span.start).min(text.len());
    let to = sentences.iter().map(|s| s.span.end).max().unwrap_or(0).clamp(from, text.len());
    let lowered = text.get(from..to).unwrap_or_default().to_ascii_lowercase();
    let mut chars = Vec::new();
    let mut toks = Vec::new();
    for (si, sent) in sentences.iter().enumerate() {
        let si = first + si;
        if sent.span.end > text.len() || sent.span.start >= sent.span.end {
            continue;
        }
        lex(text, (&lowered, from), sent.span, &mut chars, &mut toks);
        let toks = &toks[..];
        if toks.is_empty() {
            continue;
        }
        let mut figs = sentence_figures(toks);
        for f in figs.iter_mut() {
            resolve_units(toks, f);
        }
        // "two people and 60 others": the others are another group of what the figure
        // before counted, so "others" is no unit to compare on.
        for f in figs.iter_mut().filter(|f| f.unit.as_deref() == Some("other")) {
            f.unit = None;
            f.unit_text = None;
        }
        // pairs: shared units, forward units, ranges
        let links: Vec<Link> = (1..figs.len()).map(|k| link(toks, &figs[k - 1], &figs[k])).collect();
        for k in (1..figs.len()).rev() {
            let (head, tail) = figs.split_at_mut(k);
            let (a, b) = (&mut head[k - 1], &mut tail[0]);
            if matches!(links[k - 1], Link::Range | Link::Shared) {
                inherit(a, b);
            }
        }
        for k in 1..figs.len() {
            let (head, tail) = figs.split_at_mut(k);
            let (a, b) = (&head[k - 1], &mut tail[0]);
            if matches!(links[k - 1], Link::Forward | Link::Shared) {
                inherit(b, a);
            }
        }
        for k in 1..figs.len() {
            if figs[k - 1].drop || links[k - 1] != Link::Range {
                continue;
            }
            let hyphen = toks[figs[k - 1].last + 1..figs[k].first].iter().all(|t| t.is_sym('-'));
            let (a, b) = (&figs[k - 1], &figs[k]);
            let chain = toks.get(b.last + 1).is_some_and(|t| t.is_sym('-') && !t.gap)
                && toks.get(b.last + 2).is_some_and(|t| t.k == K::Num && !t.gap);
            if hyphen && chain {
                figs[k - 1].drop = true; // 212-555-1234
                figs[k].drop = true;
                continue;
            }
            let a_txt = toks[a.last].t;
            let b_txt = toks[b.first].t;
            if hyphen && a_txt.len() == 3 && b_txt.len() == 4 && a.bare() && b.bare() {
                figs[k - 1].drop = true; // a phone number
                figs[k].drop = true;
                continue;
            }
            if a.year_like {
                if hyphen && b.bare() && b_txt.len() == 2 {
                    figs[k].drop = true; // "1986-87"
                }
                continue;
            }
            if b.year_like || !a.countable() || !b.countable() || a.kind != b.kind || a.currency != b.currency {
                if hyphen && a.bare() && b.bare() {
                    figs[k - 1].drop = true;
                    figs[k].drop = true;
                }
                continue;
            }
            if a.value >= b.value || a.value.is_nan() || b.value.is_nan() {
                if hyphen {
                    figs[k - 1].drop = true; // "3-2": a score
                    figs[k].drop = true;
                }
                continue;
            }
            let (lo, hi) = (a.value, b.value);
            let merged = Fig {
                first: a.first,
                last: b.last,
                value: (lo + hi) / 2.0,
                h: 0.0,
                range: Some((lo, hi)),
                unit: b.unit.clone().or_else(|| a.unit.clone()),
                unit_text: b.unit_text.clone().or_else(|| a.unit_text.clone()),
                ..b.clone()
            };
            figs[k - 1].drop = true;
            figs[k] = merged;
        }
        for f in figs.iter_mut().filter(|f| !f.drop) {
            if f.kind == FKind::Plain && f.unit.is_none() && f.currency.is_none() && !f.year_like {
                if let Some(k) = noun_before(toks, f.first) {
                    f.unit = Some(singular(&toks[k].lc));
                    f.unit_text = Some(toks[k].t.to_string());
                }
            }
            let Some(q) = finish(toks, f, si) else {
                continue;
            };
            out.push(q);
        }
    }
    out
}

fn finish(toks: &[Tok], f: &Fig, sentence: usize) -> Option<Quantity> {
    let span = Span::new(toks.get(f.first)?.s, toks.get(f.last)?.e);
    if !f.value.is_finite() {
        return None;
    }
    let mut kind = match f.kind {
        FKind::Plain => QuantityKind::Amount,
        FKind::Percent | FKind::Fraction => QuantityKind::Percent,
        FKind::Date => QuantityKind::Date,
        FKind::Ordinal => QuantityKind::Ordinal,
    };
    let mut modifier = Modifier::Exact;
    let mut modifier_span = None;
    let exact_kind = matches!(f.kind, FKind::Date | FKind::Ordinal);
    if !exact_kind {
        if let Some((m, k)) = modifier_before(toks, f.first) {
            modifier = m;
            modifier_span = Some(Span::new(toks[k].s, toks[f.first - 1].e));
        }
    }
    let mut unit = f.unit.clone();
    let mut unit_text = f.unit_text.clone();
    if f.year_like && kind == QuantityKind::Amount {
        let counted = unit.is_some() && modifier != Modifier::Exact;
        if !counted {
            kind = QuantityKind::Year;
            modifier = Modifier::Exact;
            modifier_span = None;
            unit = None;
            unit_text = None;
        }
    }
    let (low, high) = if matches!(kind, QuantityKind::Year | QuantityKind::Date | QuantityKind::Ordinal) {
        (f.value, f.value)
    } else if let Some((lo, hi)) = f.range {
        (bounds(modifier, lo, 0.0).0, bounds(modifier, hi, 0.0).1)
    } else {
        bounds(modifier, f.value, f.h)
    };
    Some(Quantity { span, modifier_span, modifier, kind, value: f.value, low, high, unit, unit_text, sentence })
}
