//! Figures written with digits: currency signs and codes before them, scale, percent and
//! hyphenated nouns after them, years; codes, times, scores and list numbers are skipped.

use super::currency::{currency_sign, dollar_prefix, iso_code};
use super::figures::{percent_at, suffixes, FKind, Fig};
use super::tokens::{Tok, K};
use super::words::is_stop;
use crate::extract::numbers::{half_unit, parse_digit_ordinal, parse_digits, scale_word};

const YEAR_PREFIXES: &[&str] = &["mid", "late", "early", "pre", "post"];

/// A figure written with digits at token `i`. `Err(next)` means: skip to `next`.
pub(super) fn num_at(toks: &[Tok], i: usize) -> Result<Fig, usize> {
    let t = &toks[i];
    let Some(d) = parse_digits(t.t) else {
        return Err(i + 1);
    };
    let mut first = i;
    let mut currency = None;
    let mut unit_tok = None;
    let mut year_prefix = false;
    if i > 0 && !t.gap {
        let p = &toks[i - 1];
        match p.k {
            K::Sym(c) if currency_sign(c).is_some() => {
                currency = currency_sign(c);
                first = i - 1;
                if c == '$' && i > 1 && !p.gap && toks[i - 2].is_word() {
                    match dollar_prefix(&toks[i - 2].lc) {
                        Some(code) => {
                            currency = Some(code);
                            first = i - 2;
                        }
                        None => return Err(i + 1),
                    }
                }
                unit_tok = Some((first, i - 1));
            }
            K::Sym('-') if i > 1 && !p.gap => {
                let pp = &toks[i - 2];
                let chained = i > 2 && !pp.gap && toks[i - 3].is_sym('-');
                if pp.is_word() && YEAR_PREFIXES.contains(&pp.lc.as_ref()) {
                    year_prefix = true;
                } else if pp.is_word() || chained {
                    return Err(i + 1);
                }
            }
            K::Sym(':' | '/' | '.' | '#' | '@' | '_' | '\\' | '+' | '=' | '&' | '^' | '~') => return Err(i + 1),
            K::Word | K::Num => return Err(i + 1),
            _ => {}
        }
    } else if i > 0 {
        if let Some(code) = iso_code(toks[i - 1].t) {
            currency = Some(code);
            first = i - 1;
            unit_tok = Some((i - 1, i - 1));
        }
        // "No. 2"
        if i > 1 && toks[i - 1].is_sym('.') && toks[i - 2].lc == "no" {
            return Err(i + 1);
        }
    }
    let next = toks.get(i + 1).filter(|n| !n.gap);
    // list numbering: "1." or "1)" opening a sentence, "(1)"
    if d.decimals == 0 && d.value < 100.0 && !t.t.contains(',') {
        if i == 0 && next.is_some_and(|n| n.is_sym('.') || n.is_sym(')')) {
            return Err(i + 2);
        }
        if i > 0 && !t.gap && toks[i - 1].is_sym('(') && next.is_some_and(|n| n.is_sym(')')) {
            return Err(i + 2);
        }
    }
    let mut f = Fig::new(first, i, d.value, half_unit(d.value, d.decimals, 1.0), FKind::Plain);
    f.currency = currency;
    f.unit_tok = unit_tok;
    if let Some(n) = next {
        match n.k {
            K::Word => {
                let w = n.lc.as_ref();
                if let Some(o) = parse_digit_ordinal(&format!("{}{}", t.t, w)).filter(|_| !t.t.contains(['.', ','])) {
                    let mut g = Fig::new(first, i + 1, o as f64, 0.0, FKind::Ordinal);
                    g.currency = None;
                    return Ok(g);
                }
                let s = match w {
                    "k" | "bn" | "mln" | "bln" | "mn" | "tn" | "trn" | "tln" | "billion" | "million" => scale_word(w),
                    "m" | "b" if currency.is_some() => Some(if w == "m" { 1e6 } else { 1e9 }),
                    "pct" | "pc" | "percent" => {
                        f.kind = FKind::Percent;
                        f.unit_tok = Some((i + 1, i + 1));
                        f.last = i + 1;
                        return Ok(f);
                    }
                    "p" if currency.is_none() => {
                        f.currency = Some("pence");
                        f.unit_tok = Some((i + 1, i + 1));
                        f.last = i + 1;
                        return Ok(f);
                    }
                    _ => None,
                };
                match s {
                    Some(s) => {
                        f.scale = s;
                        f.value *= s;
                        f.h = half_unit(f.value / s, d.decimals, 1.0) * s;
                        if d.decimals == 0 {
                            f.h = half_unit(f.value, 0, 1.0);
                        }
                        f.last = i + 1;
                    }
                    None => return Err(i + 2),
                }
            }
            K::Sym(':') | K::Sym('/') => return Err(i + 1),
            K::Sym(',') | K::Sym('.') if toks.get(i + 2).is_some_and(|x| !x.gap && x.k == K::Num) => return Err(i + 3),
            K::Sym('%') => {
                f.kind = FKind::Percent;
                f.unit_tok = Some((i + 1, i + 1));
                f.last = i + 1;
                return Ok(f);
            }
            K::Sym('-')
                if toks.get(i + 2).is_some_and(|x| !x.gap && x.k == K::Num)
                    && toks.get(i + 3).is_some_and(|x| !x.gap && x.is_sym('/')) =>
            {
                return Err(i + 5); // "4-3/8"
            }
            K::Sym('-') => {
                // "10-year", "5-pct"; "26-FEB-1987" is a code
                if let Some(w) = toks.get(i + 2).filter(|w| !w.gap && w.is_word()) {
                    if percent_at(toks, i + 2).is_some() && w.lc != "per" {
                        f.kind = FKind::Percent;
                        f.unit_tok = Some((i + 2, i + 2));
                        return Ok(f);
                    }
                    if w.lc == "to" {
                        // "13.50-to-14": a range, resolved later
                    } else if w.lower_initial() && !is_stop(&w.lc) && w.t.len() > 1 {
                        f.compound = Some(i + 2);
                    } else {
                        return Err(i + 3);
                    }
                }
            }
            _ => {}
        }
    }
    suffixes(toks, &mut f, true);
    // years
    if f.kind == FKind::Plain
        && f.currency.is_none()
        && f.scale == 1.0
        && f.compound.is_none()
        && d.decimals == 0
        && t.t.len() == 4
        && (1800.0..=2100.0).contains(&d.value)
    {
        f.year_like = true;
        f.h = 0.0;
    }
    if year_prefix && !f.year_like {
        return Err(f.last + 1);
    }
    Ok(f)
}
