//! What a figure counts: the noun after it ("94,300 troops"), the noun before it
//! ("troops numbering 90,000"), and the unit each kind of figure takes.

use super::figures::{FKind, Fig};
use super::tokens::Tok;
use super::words::{is_countable, is_plural, is_stop, singular};

/// Head noun of the counted noun phrase after token `j-1`.
fn noun_after(toks: &[Tok], j: usize, singular_ok: bool) -> Option<usize> {
    let mut window: Vec<usize> = Vec::new();
    let mut k = j;
    while k < toks.len() && window.len() < 4 {
        let w = &toks[k];
        if !w.is_word() {
            if w.is_sym('-') && !w.gap && !window.is_empty() && toks.get(k + 1).is_some_and(|n| !n.gap && n.is_word()) {
                k += 1;
                continue;
            }
            break;
        }
        let lc = w.lc.as_ref();
        if is_stop(lc) || (lc.ends_with("ly") && lc.len() > 4) || lc.contains(['\'', '\u{2019}']) {
            break;
        }
        if w.t.len() > 1 && w.t.chars().all(|c| c.is_uppercase() || c == '.') {
            break; // acronyms and names in capitals
        }
        window.push(k);
        if is_countable(lc) && w.lower_initial() {
            return Some(k);
        }
        k += 1;
    }
    if singular_ok {
        // "one financial analyst commented": the head comes before any verb-like word
        let cut = window
            .iter()
            .position(|&k| toks[k].lc.ends_with("ed") || toks[k].lc.ends_with("ing"))
            .unwrap_or(window.len());
        let last = *window.get(..cut)?.last()?;
        if toks[last].lower_initial() {
            return Some(last);
        }
    }
    None
}

/// The counted noun when it comes before the figure: "troops numbering 90,000",
/// "a death toll of 14,000", "the number of Russian troops ... is estimated at 94,300".
pub(super) fn noun_before(toks: &[Tok], first: usize) -> Option<usize> {
    if first >= 2 && toks[first - 1].lc == "numbering" && toks[first - 2].is_word() && is_plural(&toks[first - 2].lc) {
        return Some(first - 2);
    }
    let lo = first.saturating_sub(5);
    for k in (lo..first).rev() {
        if toks[k].lc == "toll" && k > 0 && toks[k - 1].is_word() && !is_stop(&toks[k - 1].lc) {
            return Some(k - 1);
        }
    }
    for k in (first.saturating_sub(40).max(1)..first).rev() {
        if toks[k].lc == "of" && toks[k - 1].lc == "number" {
            let mut m = k + 1;
            while m < first && m < k + 5 {
                let w = &toks[m];
                if !w.is_word() || is_stop(&w.lc) {
                    break;
                }
                if is_countable(&w.lc) {
                    return Some(m);
                }
                m += 1;
            }
            return None;
        }
    }
    None
}

pub(super) fn resolve_units(toks: &[Tok], f: &mut Fig) {
    match f.kind {
        FKind::Percent | FKind::Fraction => {
            f.unit = Some("%".to_string());
            f.unit_text = Some(match f.unit_tok {
                Some((a, b)) => text_between(toks, a, b),
                None => "%".to_string(),
            });
        }
        FKind::Plain => {
            if let Some(c) = f.currency {
                f.unit = Some(c.to_string());
                f.unit_text = f.unit_tok.map(|(a, b)| text_between(toks, a, b));
            } else if let Some(k) = f.compound {
                f.unit = Some(singular(&toks[k].lc));
                f.unit_text = Some(toks[k].t.to_string());
            } else {
                let singular_ok = f.value == 1.0;
                if let Some(k) = noun_after(toks, f.last + 1, singular_ok) {
                    f.unit = Some(singular(&toks[k].lc));
                    f.unit_text = Some(toks[k].t.to_string());
                }
            }
        }
        _ => {}
    }
}

fn text_between(toks: &[Tok], a: usize, b: usize) -> String {
    match (toks.get(a), toks.get(b)) {
        (Some(x), Some(y)) if x.s <= y.e => toks_text(toks, x.s, y.e),
        _ => String::new(),
    }
}

fn toks_text(toks: &[Tok], s: usize, e: usize) -> String {
    // rebuild from tokens (the sentence text is not at hand here)
    let mut out = String::new();
    // Tokens are in text order: start at the first at `s`, not at the sentence's first.
    let from = toks.partition_point(|t| t.s < s);
    for t in toks[from..].iter().take_while(|t| t.s < e).filter(|t| t.e <= e) {
        if t.gap && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t.t);
    }
    out
}
