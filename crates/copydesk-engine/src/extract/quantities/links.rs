//! Pairs of figures in a sentence: ranges ("10 to 20", "between 10 and 20"), figures
//! sharing a unit ("from 4.2 to 5.9 mln dlrs"), and a unit carried forward ("43 cts vs 36").

use super::figures::{FKind, Fig};
use super::tokens::Tok;

#[derive(PartialEq)]
pub(super) enum Link {
    None,
    /// "10 to 20", "10-20", "between 10 and 20": a range if the figures allow.
    Range,
    /// "from 4.2 to 5.9", "1,850 and 1,880 dlrs", "5 or 6 pct": separate figures sharing a unit.
    Shared,
    /// "rose to 6.4 mln from 5.81", "43 cts vs 36": the second takes the first's unit.
    Forward,
}

pub(super) fn link(toks: &[Tok], a: &Fig, b: &Fig) -> Link {
    let between = &toks[a.last + 1..b.first];
    let lcs: Vec<&str> = between.iter().map(|t| t.lc.as_ref()).collect();
    let before_a = a.first.checked_sub(1).map_or("", |k| toks[k].lc.as_ref());
    let glued = between.iter().all(|t| !t.gap) && !b.first_gap(toks);
    match lcs.as_slice() {
        ["to"] | ["-", "to", "-"] if before_a == "from" || before_a == "by" || a.has_unit_info() => Link::Shared,
        ["to"] | ["-", "to", "-"] => Link::Range,
        ["-"] if glued => Link::Range,
        ["and"] if before_a == "between" => Link::Range,
        ["and"] | ["or"] | [","] => Link::Shared,
        _ => {
            if !between.is_empty()
                && between.len() <= 4
                && lcs.iter().any(|w| matches!(*w, "from" | "vs" | "versus" | "against" | "compared"))
                && between.iter().all(|t| t.is_word() || t.is_sym('.') || t.is_sym(','))
            {
                Link::Forward
            } else {
                Link::None
            }
        }
    }
}

/// Copies kind, currency, scale and unit from `src` to `dst` (which has none).
pub(super) fn inherit(dst: &mut Fig, src: &Fig) {
    if dst.kind != FKind::Plain
        || dst.currency.is_some()
        || dst.unit.is_some()
        || dst.compound.is_some()
        || dst.year_like
        || !src.countable()
        || !src.has_unit_info()
    {
        return;
    }
    if dst.scale > 1.0 && src.scale == 1.0 {
        return; // "10.8 mln or 80 pct"
    }
    if src.scale > 1.0 && dst.scale == 1.0 {
        if dst.value >= 1000.0 {
            return;
        }
        dst.value *= src.scale;
        dst.h *= src.scale;
        dst.scale = src.scale;
    }
    dst.year_like = false;
    dst.kind = src.kind;
    dst.currency = src.currency;
    dst.unit = src.unit.clone();
    dst.unit_text = src.unit_text.clone();
}
