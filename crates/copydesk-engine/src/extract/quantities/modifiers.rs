//! Modifiers before a figure ("about", "more than", "no fewer than") and the bounds
//! each gives the value.

use super::tokens::Tok;
use crate::claims::Modifier;

pub(super) fn modifier_before(toks: &[Tok], first: usize) -> Option<(Modifier, usize)> {
    let w = |back: usize| -> &str {
        first.checked_sub(back).and_then(|k| toks.get(k)).filter(|t| t.is_word()).map_or("", |t| t.lc.as_ref())
    };
    let (w1, w2, w3) = (w(1), w(2), w(3));
    use Modifier::*;
    let three = match (w3, w2, w1) {
        ("in", "excess", "of") => Some(MoreThan),
        ("no", "fewer" | "less", "than") => Some(AtLeast),
        ("no", "more", "than") => Some(AtMost),
        ("as", "many" | "much", "as") => Some(AtMost),
        _ => None,
    };
    if let Some(m) = three {
        return Some((m, first - 3));
    }
    let two = match (w2, w1) {
        ("more" | "greater", "than") => Some(MoreThan),
        ("upwards", "of") => Some(MoreThan),
        ("at", "least") => Some(AtLeast),
        ("fewer" | "less", "than") => Some(LessThan),
        ("up", "to") => Some(AtMost),
        ("at", "most") => Some(AtMost),
        ("close", "to") => Some(Nearly),
        ("just", "under" | "below" | "short") => Some(Nearly),
        ("just" | "well" | "slightly", "over" | "above") => Some(MoreThan),
        ("an", "estimated") => Some(Approximate),
        ("estimated", "at") => Some(Approximate),
        _ => None,
    };
    if let Some(m) = two {
        return Some((m, first - 2));
    }
    let one = match w1 {
        "about" | "around" | "roughly" | "approximately" | "approx" | "some" | "circa" | "estimated" => {
            Some(Approximate)
        }
        "nearly" | "almost" => Some(Nearly),
        "over" | "above" | "exceeding" => Some(MoreThan),
        "under" | "below" => Some(LessThan),
        _ => None,
    };
    one.map(|m| (m, first - 1))
}

pub(super) fn bounds(m: Modifier, v: f64, h: f64) -> (f64, f64) {
    match m {
        Modifier::Exact => (v - h, v + h),
        Modifier::Approximate => (0.9 * v - h, 1.1 * v + h),
        Modifier::Nearly => (0.92 * v - h, v + h),
        Modifier::MoreThan | Modifier::AtLeast => (v - h, 1.4 * v + h),
        Modifier::LessThan | Modifier::AtMost => (0.7 * v - h, v + h),
    }
}
