//! Dates written as a month and a day: "June 16", "Feb. 26", "16 June", "June 16th".

use super::figures::{percent_at, FKind, Fig};
use super::tokens::{Tok, K};
use crate::extract::numbers::{parse_digit_ordinal, scale_word};

fn month_number(t: &Tok) -> Option<u32> {
    // Month names are ASCII and title-cased: only these initials can start one.
    if !t.is_word() || !matches!(t.t.as_bytes().first(), Some(b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D')) {
        return None;
    }
    let m = match t.lc.as_ref() {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    t.title_case().then_some(m)
}

/// "June 16", "Feb. 26", "16 June", "June 16th" at token `i`.
pub(super) fn date_at(toks: &[Tok], i: usize) -> Option<Fig> {
    let t = &toks[i];
    let day_ok = |d: &Tok| -> Option<(u32, usize)> {
        if d.k != K::Num || d.t.len() > 2 {
            return None;
        }
        let n: u32 = d.t.parse().ok()?;
        Some((n, 0)).filter(|_| (1..=31).contains(&n))
    };
    let clean_after = |j: usize| -> bool {
        match toks.get(j + 1) {
            None => true,
            Some(n) if n.gap => scale_word(&n.lc).is_none() && percent_at(toks, j + 1).is_none(),
            Some(n) => !matches!(n.k, K::Word | K::Num | K::Sym(':' | '/' | '-' | '%')),
        }
    };
    if let Some(m) = month_number(t) {
        let mut j = i + 1;
        if toks.get(j).is_some_and(|d| d.is_sym('.') && !d.gap) && t.t.len() <= 4 {
            j += 1;
        }
        let d = toks.get(j).filter(|d| d.gap)?;
        let (day, _) = day_ok(d)?;
        let mut last = j;
        if let Some(suf) = toks.get(j + 1).filter(|s| !s.gap && s.is_word()) {
            parse_digit_ordinal(&format!("{}{}", d.t, suf.lc))?;
            last = j + 1;
        }
        if !clean_after(last) {
            return None;
        }
        return Some(Fig::new(i, last, (m * 100 + day) as f64, 0.0, FKind::Date));
    }
    if t.k == K::Num && (i == 0 || t.gap || toks[i - 1].is_sym('(')) {
        let (day, _) = day_ok(t)?;
        let mut j = i + 1;
        if let Some(suf) = toks.get(j).filter(|s| !s.gap && s.is_word()) {
            parse_digit_ordinal(&format!("{}{}", t.t, suf.lc))?;
            j += 1;
        }
        let mt = toks.get(j).filter(|m| m.gap)?;
        let m = month_number(mt)?;
        if mt.lc == "may" || mt.lc == "march" {
            // "5 May" is a date, "5 may" is not; title case is required anyway
        }
        return Some(Fig::new(i, j, (m * 100 + day) as f64, 0.0, FKind::Date));
    }
    None
}
