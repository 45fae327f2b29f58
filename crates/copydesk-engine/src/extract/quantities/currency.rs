//! Currencies: signs ("$", "€"), letters glued before "$" ("US$"), ISO codes, and
//! currency words after a figure with their qualifiers ("Canadian dlrs").

use super::tokens::Tok;

pub(super) fn currency_sign(c: char) -> Option<&'static str> {
    Some(match c {
        '$' => "usd",
        '£' => "gbp",
        '€' => "eur",
        '¥' => "jpy",
        '₹' => "inr",
        _ => return None,
    })
}

/// Letters glued before "$": US$, C$, A$, HK$, NZ$, S$, NT$.
pub(super) fn dollar_prefix(w: &str) -> Option<&'static str> {
    Some(match w {
        "us" | "u.s" => "usd",
        "c" | "can" => "cad",
        "a" | "au" => "aud",
        "hk" => "hkd",
        "nz" | "n.z" => "nzd",
        "s" => "sgd",
        "nt" => "twd",
        _ => return None,
    })
}

pub(super) fn iso_code(t: &str) -> Option<&'static str> {
    Some(match t {
        "USD" => "usd",
        "EUR" => "eur",
        "GBP" => "gbp",
        "JPY" => "jpy",
        "CHF" => "chf",
        "CAD" => "cad",
        "AUD" => "aud",
        "CNY" => "cny",
        "INR" => "inr",
        _ => return None,
    })
}

/// A currency word after a figure, given an optional qualifier ("canadian").
fn currency_word(w: &str, qual: Option<&str>, has_scale: bool) -> Option<&'static str> {
    let q = qual.unwrap_or("");
    Some(match w {
        "dlrs" | "dlr" | "dollar" | "dollars" => match q {
            "" | "us" | "u.s" | "american" => "usd",
            "canadian" | "can" => "cad",
            "australian" | "aust" => "aud",
            "n.z" | "nz" | "new zealand" => "nzd",
            "hong kong" | "hk" => "hkd",
            "singapore" => "sgd",
            "taiwan" => "twd",
            _ => "dollar",
        },
        "stg" | "sterling" => "gbp",
        "pound" | "pounds" => match q {
            "" | "british" => "gbp",
            "egyptian" => "egp",
            "irish" => "iep",
            "lebanese" => "lbp",
            "syrian" => "syp",
            "cyprus" => "cyp",
            _ => "pound-currency",
        },
        "euro" | "euros" => "eur",
        "yen" => "jpy",
        "yuan" | "renminbi" => "cny",
        "rupee" | "rupees" => match q {
            "pakistani" => "pkr",
            _ => "inr",
        },
        "mark" | "marks" | "dmk" | "deutschemarks" => "dem",
        "franc" | "francs" => match q {
            "swiss" => "chf",
            "french" => "frf",
            "belgian" => "bef",
            "luxembourg" => "luf",
            _ => "franc",
        },
        "guilder" | "guilders" => "nlg",
        "lira" | "lire" => "itl",
        "peseta" | "pesetas" => "esp",
        "crown" | "crowns" | "krona" | "kronor" | "krone" | "kroner" => match q {
            "swedish" => "sek",
            "norwegian" => "nok",
            "danish" => "dkk",
            _ if w.starts_with("kron") && w != "krone" && w != "kroner" => "sek",
            _ => "crown",
        },
        "rand" => "zar",
        "rouble" | "roubles" | "ruble" | "rubles" => "rub",
        "peso" | "pesos" => match q {
            "mexican" => "mxn",
            "philippine" => "php",
            "argentine" => "ars",
            "chilean" => "clp",
            _ => "peso",
        },
        "riyal" | "riyals" => "sar",
        "dinar" | "dinars" => "dinar",
        "ringgit" => "myr",
        "baht" => "thb",
        "rupiah" => "idr",
        "shekel" | "shekels" => "ils",
        "won" if has_scale || !q.is_empty() => "krw",
        "schilling" | "schillings" => "ats",
        "drachma" | "drachmas" => "grd",
        "escudo" | "escudos" => "pte",
        "naira" => "ngn",
        "cts" | "cents" | "cent" | "ct" => "cent",
        "pence" | "p" => "pence",
        "usd" => "usd",
        "eur" => "eur",
        "gbp" => "gbp",
        "jpy" => "jpy",
        "chf" => "chf",
        _ => return None,
    })
}

const QUALIFIERS: &[&str] = &[
    "us",
    "u.s",
    "american",
    "canadian",
    "can",
    "australian",
    "aust",
    "n.z",
    "nz",
    "new zealand",
    "hong kong",
    "hk",
    "singapore",
    "taiwan",
    "british",
    "egyptian",
    "irish",
    "lebanese",
    "syrian",
    "cyprus",
    "pakistani",
    "swiss",
    "french",
    "belgian",
    "luxembourg",
    "swedish",
    "norwegian",
    "danish",
    "mexican",
    "philippine",
    "argentine",
    "chilean",
    "saudi",
    "german",
    "west german",
    "japanese",
    "indian",
    "chinese",
    "south african",
    "hk",
];

/// Currency word (with up to two qualifier words) starting at token `j`.
pub(super) fn currency_at(toks: &[Tok], j: usize, has_scale: bool) -> Option<(&'static str, usize, usize)> {
    let t = toks.get(j)?;
    if !t.is_word() {
        return None;
    }
    if let Some(c) = iso_code(t.t) {
        return Some((c, j, j));
    }
    if let Some(c) = currency_word(&t.lc, None, has_scale) {
        if matches!(t.lc.as_ref(), "pound" | "pounds") && toks.get(j + 1).is_some_and(|n| n.lc == "of") {
            return None;
        }
        if t.lc == "p" && t.gap {
            return None;
        }
        return Some((c, j, j));
    }
    // qualifiers: one or two words, a glued "." allowed after dotted initials
    let mut k = j;
    let mut q = String::new();
    for n in 0..2 {
        let w = toks.get(k)?;
        if !w.is_word() || w.lower_initial() {
            return None;
        }
        if n > 0 {
            q.push(' ');
        }
        q.push_str(&w.lc);
        k += 1;
        if toks.get(k).is_some_and(|d| d.is_sym('.') && !d.gap) {
            k += 1;
        }
        if QUALIFIERS.contains(&q.as_str()) {
            if let Some(cw) = toks.get(k).filter(|c| c.is_word()) {
                if let Some(c) = currency_word(&cw.lc, Some(&q), has_scale) {
                    if c != "cent" && c != "pence" {
                        return Some((c, j, k));
                    }
                }
            }
        }
    }
    None
}
