//! A figure as found in a sentence (`Fig`: value, kind, scale, currency, unit, range),
//! and the percent, scale and currency words that may follow its number.

use super::currency::currency_at;
use super::tokens::{Tok, K};
use crate::extract::numbers::{half_unit, scale_word};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum FKind {
    Plain,
    Percent,
    Fraction,
    Date,
    Ordinal,
}

#[derive(Clone, Debug)]
pub(super) struct Fig {
    /// First and last token of the figure as written (currency, scale and percent words included).
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) value: f64,
    pub(super) h: f64,
    pub(super) kind: FKind,
    pub(super) scale: f64,
    pub(super) currency: Option<&'static str>,
    /// Token span of the unit as written (currency or percent word/sign).
    pub(super) unit_tok: Option<(usize, usize)>,
    /// A counted noun glued by a hyphen ("10-year").
    pub(super) compound: Option<usize>,
    pub(super) unit: Option<String>,
    pub(super) unit_text: Option<String>,
    /// For ranges: the low and high ends.
    pub(super) range: Option<(f64, f64)>,
    /// A 4-digit number that reads as a year unless a modifier and a counted noun say otherwise.
    pub(super) year_like: bool,
    pub(super) drop: bool,
}

impl Fig {
    pub(super) fn new(first: usize, last: usize, value: f64, h: f64, kind: FKind) -> Self {
        Fig {
            first,
            last,
            value,
            h,
            kind,
            scale: 1.0,
            currency: None,
            unit_tok: None,
            compound: None,
            unit: None,
            unit_text: None,
            range: None,
            year_like: false,
            drop: false,
        }
    }
    pub(super) fn bare(&self) -> bool {
        self.kind == FKind::Plain && self.currency.is_none() && self.unit.is_none() && self.compound.is_none()
    }
    pub(super) fn countable(&self) -> bool {
        matches!(self.kind, FKind::Plain | FKind::Percent)
    }
    pub(super) fn first_gap(&self, toks: &[Tok]) -> bool {
        toks.get(self.first).is_some_and(|t| t.gap)
    }
    pub(super) fn has_unit_info(&self) -> bool {
        self.kind != FKind::Plain || self.currency.is_some() || self.unit.is_some() || self.scale > 1.0
    }
}

/// Percent word(s) after token `j-1`: returns the last token of the percent expression.
pub(super) fn percent_at(toks: &[Tok], j: usize) -> Option<usize> {
    let t = toks.get(j)?;
    let mut last = match (t.k, t.lc.as_ref()) {
        (K::Sym('%'), _) => j,
        (K::Word, "pct" | "percent" | "pc" | "pct.") => j,
        (K::Word, "per") if toks.get(j + 1).is_some_and(|n| n.lc == "cent") => j + 1,
        (K::Word, "percentage") if toks.get(j + 1).is_some_and(|n| n.lc == "point" || n.lc == "points") => {
            return Some(j + 1)
        }
        _ => return None,
    };
    if toks.get(last + 1).is_some_and(|n| n.lc == "point" || n.lc == "points") {
        last += 1;
    }
    Some(last)
}

/// Adds scale, percent and currency words after the number's last token.
pub(super) fn suffixes(toks: &[Tok], f: &mut Fig, allow_scale: bool) {
    let mut j = f.last + 1;
    if allow_scale && f.scale == 1.0 {
        if let Some(t) = toks.get(j).filter(|t| t.is_word() && t.t.len() > 1) {
            if let Some(s) = scale_word(&t.lc).filter(|_| t.lc != "k" && t.lc != "hundred") {
                f.scale = s;
                f.value *= s;
                f.h *= s;
                if f.h == 0.0 {
                    f.h = half_unit(f.value, 0, 1.0);
                }
                f.last = j;
                j += 1;
            }
        }
    }
    if f.currency.is_none() {
        if let Some(p) = percent_at(toks, j) {
            f.kind = FKind::Percent;
            f.unit_tok = Some((j, p));
            f.last = p;
            return;
        }
        if let Some((c, a, b)) = currency_at(toks, j, f.scale > 1.0) {
            f.currency = Some(c);
            f.unit_tok = Some((a, b));
            f.last = b;
        }
    }
}
