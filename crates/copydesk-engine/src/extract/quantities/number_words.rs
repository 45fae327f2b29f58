//! Figures written in words: cardinals ("twenty-one", "two and a half"), "half" and
//! fractions ("two-thirds"), ordinals after a determiner, and "one" only before a counted noun.

use super::figures::{percent_at, suffixes, FKind, Fig};
use super::tokens::{Tok, K};
use super::words::is_stop;
use crate::extract::numbers::{fraction_word, half_unit, ordinal_word, parse_word_prefix, scale_word, small_word};

const DETERMINERS: &[&str] = &["the", "its", "their", "his", "her", "a", "an", "our", "this", "whose", "my", "your"];
const ONE_NOT_BEFORE: &[&str] = &[
    "of",
    "another",
    "day",
    "time",
    "way",
    "thing",
    "hand",
    "side",
    "point",
    "more",
    "such",
    "like",
    "or",
    "and",
    "to",
    "who",
    "that",
    "which",
    "than",
    "is",
    "was",
    "would",
    "will",
    "can",
    "could",
    "should",
    "says",
    "said",
    "has",
    "had",
    "may",
    "might",
    "must",
    "in",
    "on",
    "at",
    "for",
    "by",
    "with",
    "from",
    "the",
    "a",
    "an",
    "as",
    "else",
    "too",
    "but",
    "if",
    "when",
    "where",
    "while",
    "does",
    "did",
    "knows",
    "night",
    "morning",
    "evening",
    "afternoon",
    "stage",
    "step",
    "last",
    "moment",
    "hundred",
    "thousand",
];
const ONE_NOT_AFTER: &[&str] = &[
    "no", "any", "every", "each", "the", "this", "that", "which", "such", "someone", "anyone", "everyone", "another",
    "last", "other", "little", "big", "new", "old", "right", "wrong", "same", "first", "latest", "best",
];

/// Whether a word (lower case) may open a figure written in words: every word that does
/// ("a", "an", "half", the cardinals and ordinals) starts with one of these letters, so most
/// words are turned away by their first byte.
fn may_open_a_figure(lc: &str) -> bool {
    matches!(lc.as_bytes().first(), Some(b'a' | b'e' | b'f' | b'h' | b'n' | b'o' | b's' | b't' | b'z'))
}

/// A figure written in words at token `i`.
pub(super) fn word_at(toks: &[Tok], i: usize) -> Option<Fig> {
    let t = &toks[i];
    let lc = t.lc.as_ref();
    if !may_open_a_figure(lc) {
        return None;
    }
    let prev = i.checked_sub(1).map(|p| &toks[p]);
    let prev_lc = prev.filter(|p| p.is_word()).map_or("", |p| p.lc.as_ref());
    // glued to a word before by a hyphen ("state-one")
    if !t.gap && prev.is_some_and(|p| p.is_sym('-')) {
        return None;
    }
    if !t.gap && prev.is_some_and(|p| p.is_word() || p.k == K::Num) {
        return None;
    }
    // half
    if lc == "half" {
        if matches!(prev_lc, "first" | "second" | "latter" | "last" | "other" | "a" | "one" | "and" | "the") {
            return None;
        }
        let n1 = toks.get(i + 1);
        let n2 = toks.get(i + 2);
        if n1.is_some_and(|n| n.lc == "a" || n.lc == "an") {
            if let Some(n2) = n2 {
                let s = if n2.lc == "dozen" { Some(12.0) } else { scale_word(&n2.lc).filter(|s| *s >= 1e3) };
                if let Some(s) = s.filter(|_| n2.t.len() > 2) {
                    let v = 0.5 * s;
                    let mut f = Fig::new(i, i + 2, v, half_unit(v, 0, 1.0), FKind::Plain);
                    f.scale = s;
                    suffixes(toks, &mut f, false);
                    return Some(f);
                }
            }
        }
        if n1.is_some_and(|n| n.lc == "a" || n.lc == "an") {
            return None; // "half a point", "half an hour"
        }
        let next_ok = match n1 {
            None => true,
            Some(n) if n.k != K::Word => !n.is_sym('-'),
            Some(n) => matches!(
                n.lc.as_ref(),
                "of" | "the" | "its" | "their" | "his" | "her" | "all" | "them" | "that" | "those" | "these" | "our"
            ),
        };
        let prev_ok = matches!(
            prev_lc,
            "by" | "than"
                | "nearly"
                | "almost"
                | "about"
                | "around"
                | "roughly"
                | "over"
                | "some"
                | "just"
                | "only"
                | "under"
                | "least"
                | "to"
        );
        if next_ok || prev_ok {
            return Some(Fig::new(i, i, 50.0, 2.0, FKind::Fraction));
        }
        return None;
    }
    let small = small_word(lc);
    if small.is_none() && lc != "a" && lc != "an" {
        // Neither a cardinal nor a fraction's numerator: an ordinal after a determiner ("the
        // third", "its fourth"), or nothing.
        return ordinal_word(lc)
            .filter(|o| *o > 1 && DETERMINERS.contains(&prev_lc))
            .map(|o| Fig::new(i, i, o as f64, 0.0, FKind::Ordinal));
    }
    // fractions: "a third of", "one-third", "two-thirds", "three quarters of"
    let numer = match lc {
        "a" | "an" => Some(1),
        _ => small.filter(|n| (1..10).contains(n)),
    };
    if let Some(numer) = numer {
        let hyph = toks.get(i + 1).is_some_and(|h| h.is_sym('-') && !h.gap);
        let j = if hyph { i + 2 } else { i + 1 };
        if let Some(fw) = toks.get(j).filter(|w| w.is_word() && (!hyph || !w.gap)) {
            if let Some(den) = fraction_word(&fw.lc) {
                let plural = fw.lc.ends_with('s');
                let of_next = toks.get(j + 1).is_some_and(|n| n.lc == "of");
                let ok = if plural { numer >= 2 } else { numer == 1 && (of_next || (hyph && lc == "one")) };
                if ok && numer < den as u64 {
                    let v = numer as f64 / den as f64 * 100.0;
                    return Some(Fig::new(i, j, v, 2.0, FKind::Fraction));
                }
                if fw.lc == "half" || den == 2 {
                    return None;
                }
            }
        }
    }
    // a hyphenated ordinal after a determiner: "a twenty-first" (one word, "the third", was
    // answered above: no ordinal is a cardinal, "a" or "an")
    if DETERMINERS.contains(&prev_lc) {
        if let Some(tens) = small.filter(|n| *n >= 20) {
            if toks.get(i + 1).is_some_and(|h| h.is_sym('-') && !h.gap) {
                if let Some(o) = toks.get(i + 2).filter(|w| !w.gap).and_then(|w| ordinal_word(&w.lc)) {
                    if o < 10 {
                        return Some(Fig::new(i, i + 2, (tens as u32 + o) as f64, 0.0, FKind::Ordinal));
                    }
                }
            }
        }
    }
    // cardinal words
    if small.is_none() && lc != "a" && lc != "an" {
        return None;
    }
    let mut words: Vec<&str> = Vec::new();
    let mut idx: Vec<usize> = Vec::new();
    let mut j = i;
    while j < toks.len() && words.len() < 12 {
        let w = &toks[j];
        if !w.is_word() {
            break;
        }
        words.push(w.lc.as_ref());
        idx.push(j);
        if toks.get(j + 1).is_some_and(|h| h.is_sym('-') && !h.gap)
            && toks.get(j + 2).is_some_and(|n| !n.gap && n.is_word() && small_word(&n.lc).is_some())
        {
            j += 2;
        } else {
            j += 1;
        }
    }
    let (n, mut v) = parse_word_prefix(&words)?;
    let mut last = idx[n - 1];
    let mut h = half_unit(v, 0, 1.0);
    // "two and a half"
    if words.get(n..n + 3) == Some(&["and", "a", "half"][..]) && v < 1000.0 {
        v += 0.5;
        h = 0.05;
        last = idx[n + 2];
    }
    if n == 1 && (lc == "one" || lc == "a" || lc == "an") {
        // "one" is a figure only before a counted noun
        if lc != "one" {
            return None;
        }
        let nx = toks.get(i + 1)?;
        let compound = nx.is_sym('-') && !nx.gap && toks.get(i + 2).is_some_and(|w| !w.gap && w.is_word());
        if !compound && ONE_NOT_AFTER.contains(&prev_lc) {
            return None;
        }
        if !compound
            && (!nx.is_word()
                || !nx.lower_initial()
                || ONE_NOT_BEFORE.contains(&nx.lc.as_ref())
                || is_stop(&nx.lc)
                || nx.lc.ends_with("ly"))
        {
            return None;
        }
    }
    let mut f = Fig::new(i, last, v, h, FKind::Plain);
    if let Some(h) = toks.get(last + 1).filter(|h| h.is_sym('-') && !h.gap) {
        let _ = h;
        if let Some(w) = toks.get(last + 2).filter(|w| !w.gap && w.is_word()) {
            if percent_at(toks, last + 2).is_some() {
                f.kind = FKind::Percent;
                f.unit_tok = Some((last + 2, last + 2));
                return Some(f);
            }
            if w.lower_initial() && !is_stop(&w.lc) {
                f.compound = Some(last + 2);
            } else {
                return None;
            }
        }
    }
    suffixes(toks, &mut f, true);
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::may_open_a_figure;
    use crate::extract::numbers::tests::{TENS, UNITS};
    use crate::extract::numbers::{ordinal_word, small_word};

    #[test]
    fn every_number_word_passes_the_first_letter_test() {
        let mut words: Vec<String> = UNITS.iter().chain(&TENS[2..]).map(|w| w.to_string()).collect();
        let ordinal = |w: &str| -> String {
            match w {
                "one" => "first".into(),
                "two" => "second".into(),
                "three" => "third".into(),
                "five" => "fifth".into(),
                "eight" => "eighth".into(),
                "nine" => "ninth".into(),
                "twelve" => "twelfth".into(),
                w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
                w => format!("{w}th"),
            }
        };
        let ordinals: Vec<String> = words.iter().map(|w| ordinal(w)).collect();
        words.extend(ordinals.iter().flat_map(|o| [o.clone(), format!("{o}s")]));
        words.extend(
            ["a", "an", "half", "halves", "quarter", "quarters", "hundred", "hundredth", "thousand", "thousandth"]
                .map(String::from),
        );
        words.extend(["million", "billion", "dozen", "score", "couple", "pair", "zeroth", "first"].map(String::from));
        let mut met = 0;
        for w in &words {
            if small_word(w).is_some() || ordinal_word(w).is_some() || ["a", "an", "half"].contains(&w.as_str()) {
                met += 1;
                assert!(may_open_a_figure(w), "{w}");
            }
        }
        assert!(met >= 59, "{met} number words");
        assert!(!may_open_a_figure("bank"));
    }
}
