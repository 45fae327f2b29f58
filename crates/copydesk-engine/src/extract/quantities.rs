//! Quantities: figures with their modifier and what they count.
//!
//! Works sentence by sentence on a small token stream (words, digit runs,
//! single symbols) with byte spans into the original text; no regexes, one
//! pass per sentence plus a few fix-up passes over the figures found.

use super::numbers::{
    fraction_word, half_unit, ordinal_word, parse_digit_ordinal, parse_digits, parse_word_prefix, scale_word,
    small_word,
};
use crate::claims::{Modifier, Quantity, QuantityKind};
use crate::terms::WordList;
use crate::text::{Sentence, Span};
use std::borrow::Cow;

// ---------------------------------------------------------------- tokens

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum K {
    Num,
    Word,
    Sym(char),
}

#[derive(Clone, Debug)]
struct Tok<'a> {
    s: usize,
    e: usize,
    t: &'a str,
    lc: Cow<'a, str>,
    k: K,
    /// Whitespace (or the sentence start) precedes the token.
    gap: bool,
}

impl Tok<'_> {
    fn is_word(&self) -> bool {
        self.k == K::Word
    }
    fn is_sym(&self, c: char) -> bool {
        self.k == K::Sym(c)
    }
    fn title_case(&self) -> bool {
        let mut cs = self.t.chars();
        cs.next().is_some_and(char::is_uppercase) && cs.all(|c| !c.is_uppercase())
    }
    fn lower_initial(&self) -> bool {
        self.t.chars().next().is_some_and(char::is_lowercase)
    }
}

fn lower(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_uppercase) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !c.is_ascii_digit()
}

/// Splits `text[span]` into tokens with absolute byte offsets. `ascii_lower` is `text` with
/// its ASCII letters lower-cased (same offsets): the lower case of an ASCII token is a slice
/// of it. `chars` is scratch space.
fn lex<'a>(text: &'a str, ascii_lower: &'a str, span: Span, chars: &mut Vec<(usize, char)>, out: &mut Vec<Tok<'a>>) {
    out.clear();
    let Some(seg) = text.get(span.start..span.end) else {
        return;
    };
    chars.clear();
    if seg.is_ascii() {
        // Exact-size: no capacity check per character.
        chars.extend(seg.bytes().enumerate().map(|(i, b)| (i, char::from(b))));
    } else {
        chars.extend(seg.char_indices());
    }
    let mut i = 0;
    let mut gap = true;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            gap = true;
            i += 1;
            continue;
        }
        let start = i;
        let k;
        if c.is_ascii_digit() {
            k = K::Num;
            i += 1;
            while i < chars.len() {
                let ch = chars[i].1;
                if ch.is_ascii_digit()
                    || ((ch == ',' || ch == '.') && chars.get(i + 1).is_some_and(|n| n.1.is_ascii_digit()))
                {
                    i += 1;
                } else {
                    break;
                }
            }
        } else if is_word_char(c) {
            k = K::Word;
            i += 1;
            while i < chars.len() {
                let ch = chars[i].1;
                let next = chars.get(i + 1).map(|n| n.1);
                if is_word_char(ch) || (is_apostrophe(ch) && next.is_some_and(char::is_alphabetic)) {
                    i += 1;
                } else if ch == '.'
                    && chars[i - 1].1.is_uppercase()
                    && next.is_some_and(char::is_uppercase)
                    && chars.get(i + 2).is_none_or(|n| !is_word_char(n.1) || n.1 == '.')
                {
                    // dotted initials: U.S, N.Z
                    i += 1;
                } else {
                    break;
                }
            }
        } else {
            k = K::Sym(c);
            i += 1;
        }
        let s = span.start + b;
        let e = span.start + chars.get(i).map_or(seg.len(), |p| p.0);
        let _ = start;
        let t = &text[s..e];
        let lc = if t.is_ascii() { Cow::Borrowed(&ascii_lower[s..e]) } else { lower(t) };
        out.push(Tok { s, e, t, lc, k, gap });
        gap = false;
    }
}

// ---------------------------------------------------------------- word lists

const STOP: &[&str] = &[
    "of",
    "in",
    "on",
    "at",
    "to",
    "from",
    "for",
    "by",
    "with",
    "and",
    "or",
    "but",
    "nor",
    "than",
    "as",
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "were",
    "was",
    "is",
    "are",
    "be",
    "been",
    "being",
    "had",
    "has",
    "have",
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "can",
    "must",
    "shall",
    "said",
    "says",
    "say",
    "the",
    "a",
    "an",
    "this",
    "these",
    "those",
    "its",
    "their",
    "his",
    "her",
    "our",
    "my",
    "your",
    "per",
    "each",
    "vs",
    "versus",
    "against",
    "compared",
    "during",
    "after",
    "before",
    "since",
    "until",
    "ago",
    "earlier",
    "later",
    "up",
    "down",
    "more",
    "less",
    "into",
    "over",
    "under",
    "about",
    "around",
    "when",
    "while",
    "if",
    "not",
    "no",
    "also",
    "only",
    "still",
    "already",
    "it",
    "they",
    "he",
    "she",
    "we",
    "you",
    "i",
    "there",
    "here",
    "then",
    "so",
    "yet",
    "all",
    "both",
    "every",
    "some",
    "any",
    "other",
    "another",
    "such",
    "what",
    "where",
    "why",
    "how",
    "because",
    "though",
    "although",
    "via",
    "between",
    "among",
    "amid",
    "through",
    "within",
    "without",
    "toward",
    "towards",
    "across",
    "above",
    "below",
    "near",
    "this",
    "last",
    "next",
    "did",
    "do",
    "does",
    "get",
    "got",
    "just",
    "even",
    "very",
    "too",
    "again",
    "once",
    "ended",
    "ending",
    "thus",
    "whereas",
    "besides",
    "perhaps",
    "always",
    "sometimes",
    "was",
    "vs",
    "a",
    "total",
    "worth",
];

fn is_stop(w: &str) -> bool {
    static SET: WordList = WordList::new(STOP);
    SET.contains(w)
}

fn is_invariant(w: &str) -> bool {
    static SET: WordList = WordList::new(INVARIANT);
    SET.contains(w)
}

fn is_measure(w: &str) -> bool {
    static SET: WordList = WordList::new(MEASURES);
    SET.contains(w)
}

/// Nouns that count things without a plural -s.
const INVARIANT: &[&str] = &[
    "people",
    "personnel",
    "staff",
    "police",
    "men",
    "women",
    "children",
    "cattle",
    "sheep",
    "fish",
    "aircraft",
    "livestock",
    "feet",
    "teeth",
    "mice",
    "geese",
    "deer",
    "swine",
    "poultry",
    "head",
    "offspring",
    "militia",
];

/// Measure words counted even in the singular ("10-year", "one tonne", "5 kg").
const MEASURES: &[&str] = &[
    "kg",
    "km",
    "mw",
    "kw",
    "gw",
    "kwh",
    "mph",
    "lb",
    "lbs",
    "oz",
    "ft",
    "bpd",
    "year",
    "day",
    "month",
    "week",
    "hour",
    "minute",
    "second",
    "tonne",
    "ton",
    "barrel",
    "bushel",
    "ounce",
    "mile",
    "metre",
    "meter",
    "kilometre",
    "kilometer",
    "kilo",
    "gram",
    "litre",
    "liter",
    "gallon",
    "acre",
    "hectare",
    "share",
    "vote",
    "seat",
    "point",
    "person",
    "member",
];

fn is_plural(w: &str) -> bool {
    if w.len() < 3 || is_stop(w) || !w.ends_with('s') || !w.chars().all(char::is_alphabetic) {
        return false;
    }
    !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") || w.ends_with("ous") || w == "news")
}

fn is_countable(w: &str) -> bool {
    is_plural(w) || is_invariant(w) || is_measure(w)
}

/// Singular, normalized form of a counted noun ("troops" → "troop", "people" → "person").
fn singular(w: &str) -> String {
    let fixed = match w {
        "people" | "persons" => "person",
        "men" => "man",
        "women" => "woman",
        "children" => "child",
        "feet" | "ft" => "foot",
        "teeth" => "tooth",
        "mice" => "mouse",
        "geese" => "goose",
        "tons" | "ton" | "tonnes" | "tonne" => "tonne",
        "kilos" | "kilo" | "kilograms" | "kilogram" | "kilogrammes" | "kilogramme" | "kg" | "kgs" => "kg",
        "kilometres" | "kilometers" | "kilometre" | "kilometer" | "km" | "kms" => "km",
        "lbs" | "lb" | "pounds" => "pound",
        "metres" | "meters" | "meter" => "metre",
        "litres" | "liters" | "liter" => "litre",
        "series" | "species" => w,
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_string();
    }
    if is_invariant(w) {
        return w.to_string();
    }
    if let Some(stem) = w.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{stem}y");
    }
    for suf in ["sses", "shes", "ches", "xes", "zes"] {
        if w.ends_with(suf) {
            return w[..w.len() - 2].to_string();
        }
    }
    if is_plural(w) {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

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

fn currency_sign(c: char) -> Option<&'static str> {
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
fn dollar_prefix(w: &str) -> Option<&'static str> {
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

fn iso_code(t: &str) -> Option<&'static str> {
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

// ---------------------------------------------------------------- figures

#[derive(Clone, Copy, Debug, PartialEq)]
enum FKind {
    Plain,
    Percent,
    Fraction,
    Date,
    Ordinal,
}

#[derive(Clone, Debug)]
struct Fig {
    /// First and last token of the figure as written (currency, scale and percent words included).
    first: usize,
    last: usize,
    value: f64,
    h: f64,
    kind: FKind,
    scale: f64,
    currency: Option<&'static str>,
    /// Token span of the unit as written (currency or percent word/sign).
    unit_tok: Option<(usize, usize)>,
    /// A counted noun glued by a hyphen ("10-year").
    compound: Option<usize>,
    unit: Option<String>,
    unit_text: Option<String>,
    /// For ranges: the low and high ends.
    range: Option<(f64, f64)>,
    /// A 4-digit number that reads as a year unless a modifier and a counted noun say otherwise.
    year_like: bool,
    drop: bool,
}

impl Fig {
    fn new(first: usize, last: usize, value: f64, h: f64, kind: FKind) -> Self {
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
    fn bare(&self) -> bool {
        self.kind == FKind::Plain && self.currency.is_none() && self.unit.is_none() && self.compound.is_none()
    }
    fn countable(&self) -> bool {
        matches!(self.kind, FKind::Plain | FKind::Percent)
    }
}

/// Percent word(s) after token `j-1`: returns the last token of the percent expression.
fn percent_at(toks: &[Tok], j: usize) -> Option<usize> {
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

/// Currency word (with up to two qualifier words) starting at token `j`.
fn currency_at(toks: &[Tok], j: usize, has_scale: bool) -> Option<(&'static str, usize, usize)> {
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

/// Adds scale, percent and currency words after the number's last token.
fn suffixes(toks: &[Tok], f: &mut Fig, allow_scale: bool) {
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

const YEAR_PREFIXES: &[&str] = &["mid", "late", "early", "pre", "post"];

/// A figure written with digits at token `i`. `Err(next)` means: skip to `next`.
fn num_at(toks: &[Tok], i: usize) -> Result<Fig, usize> {
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

/// A figure written in words at token `i`.
fn word_at(toks: &[Tok], i: usize) -> Option<Fig> {
    let t = &toks[i];
    let lc = t.lc.as_ref();
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
    // ordinal words (after a determiner): "the third", "its fourth", "a twenty-first"
    if DETERMINERS.contains(&prev_lc) {
        if let Some(o) = ordinal_word(lc).filter(|o| *o > 1) {
            return Some(Fig::new(i, i, o as f64, 0.0, FKind::Ordinal));
        }
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

/// "June 16", "Feb. 26", "16 June", "June 16th" at token `i`.
fn date_at(toks: &[Tok], i: usize) -> Option<Fig> {
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

// ---------------------------------------------------------------- units and modifiers

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
fn noun_before(toks: &[Tok], first: usize) -> Option<usize> {
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

fn modifier_before(toks: &[Tok], first: usize) -> Option<(Modifier, usize)> {
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

fn bounds(m: Modifier, v: f64, h: f64) -> (f64, f64) {
    match m {
        Modifier::Exact => (v - h, v + h),
        Modifier::Approximate => (0.9 * v - h, 1.1 * v + h),
        Modifier::Nearly => (0.92 * v - h, v + h),
        Modifier::MoreThan | Modifier::AtLeast => (v - h, 1.4 * v + h),
        Modifier::LessThan | Modifier::AtMost => (0.7 * v - h, v + h),
    }
}

// ---------------------------------------------------------------- pairs and ranges

#[derive(PartialEq)]
enum Link {
    None,
    /// "10 to 20", "10-20", "between 10 and 20": a range if the figures allow.
    Range,
    /// "from 4.2 to 5.9", "1,850 and 1,880 dlrs", "5 or 6 pct": separate figures sharing a unit.
    Shared,
    /// "rose to 6.4 mln from 5.81", "43 cts vs 36": the second takes the first's unit.
    Forward,
}

fn link(toks: &[Tok], a: &Fig, b: &Fig) -> Link {
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

impl Fig {
    fn first_gap(&self, toks: &[Tok]) -> bool {
        toks.get(self.first).is_some_and(|t| t.gap)
    }
    fn has_unit_info(&self) -> bool {
        self.kind != FKind::Plain || self.currency.is_some() || self.unit.is_some() || self.scale > 1.0
    }
}

/// Copies kind, currency, scale and unit from `src` to `dst` (which has none).
fn inherit(dst: &mut Fig, src: &Fig) {
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

// ---------------------------------------------------------------- driver

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

fn resolve_units(toks: &[Tok], f: &mut Fig) {
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
    for t in toks.iter().filter(|t| t.s >= s && t.e <= e) {
        if t.gap && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(t.t);
    }
    out
}

/// Extracts every figure from the masked prose `text`.
pub fn extract(text: &str, sentences: &[Sentence]) -> Vec<Quantity> {
    let mut out = Vec::new();
    let ascii_lower = text.to_ascii_lowercase();
    let mut chars = Vec::new();
    let mut toks = Vec::new();
    for (si, sent) in sentences.iter().enumerate() {
        if sent.span.end > text.len() || sent.span.start >= sent.span.end {
            continue;
        }
        lex(text, &ascii_lower, sent.span, &mut chars, &mut toks);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::split_sentences;
    use proptest::prelude::*;

    fn run(t: &str) -> Vec<Quantity> {
        let sentences: Vec<Sentence> =
            split_sentences(t, Span::new(0, t.len())).into_iter().map(|span| Sentence { span, block: 0 }).collect();
        extract(t, &sentences)
    }

    fn one(t: &str) -> Quantity {
        let qs = run(t);
        assert_eq!(qs.len(), 1, "{t}: {qs:#?}");
        qs.into_iter().next().unwrap_or_else(|| unreachable!())
    }

    fn text<'a>(t: &'a str, q: &Quantity) -> &'a str {
        q.span.slice(t)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn plain_count_with_unit() {
        let t = "The army moved 94,300 troops to the border.";
        let q = one(t);
        assert_eq!(text(t, &q), "94,300");
        assert_eq!(q.value, 94300.0);
        assert_eq!((q.low, q.high), (94250.0, 94350.0));
        assert_eq!(q.unit.as_deref(), Some("troop"));
        assert_eq!(q.unit_text.as_deref(), Some("troops"));
        assert_eq!(q.kind, QuantityKind::Amount);
        assert_eq!(q.modifier, Modifier::Exact);
    }

    #[test]
    fn adjectives_before_head_noun_are_skipped() {
        assert_eq!(one("It massed 84,300 Russian troops nearby.").unit.as_deref(), Some("troop"));
        assert_eq!(one("About 1,500 personnel from armored units left.").unit.as_deref(), Some("personnel"));
        assert_eq!(one("Some 14,000 people fled.").unit.as_deref(), Some("person"));
        assert_eq!(one("It covers 15 countries formerly under its rule.").unit.as_deref(), Some("country"));
        assert_eq!(one("It sold 100,000 tons of wheat.").unit.as_deref(), Some("tonne"));
        assert_eq!(one("Arrivals were 5,000 bags.").unit.as_deref(), Some("bag"));
    }

    #[test]
    fn scale_words() {
        let t = "The firm issued 5 mln shares.";
        let q = one(t);
        assert_eq!(text(t, &q), "5 mln");
        assert_eq!(q.value, 5e6);
        assert_eq!(q.unit.as_deref(), Some("share"));
        let t = "The city has 1.2 million residents.";
        let q = one(t);
        assert_eq!(text(t, &q), "1.2 million");
        assert!(close(q.low, 1.15e6) && close(q.high, 1.25e6));
        assert!(close(one("Output hit 5.93 mln.").value, 5.93e6));
        assert_eq!(one("The fund has 100k members.").value, 1e5);
    }

    #[test]
    fn paraphrases_extract_alike() {
        let a = one("The region has 5.6 million voters.");
        let b = one("The region has 5,600,000 voters.");
        assert!(close(a.value, b.value) && close(a.low, b.low) && close(a.high, b.high), "{a:?} {b:?}");
        assert_eq!(a.unit, b.unit);
        let a = one("Two ships sank.");
        let b = one("2 ships sank.");
        assert_eq!((a.value, a.unit.clone()), (b.value, b.unit.clone()));
        let a = one("Prices rose 3.5% in May.");
        let b = one("Prices rose 3.5 percent in May.");
        assert_eq!((a.value, a.low, a.high, a.unit.clone()), (b.value, b.low, b.high, b.unit.clone()));
        let a = one("Sales were $1.2bn last year.");
        let b = one("Sales were 1.2 billion dollars last year.");
        assert_eq!((a.value, a.low, a.high, a.unit.clone()), (b.value, b.low, b.high, b.unit.clone()));
        assert_eq!(a.unit.as_deref(), Some("usd"));
    }

    #[test]
    fn money() {
        let t = "It raised $4bn from investors.";
        let q = one(t);
        assert_eq!((text(t, &q), q.value, q.unit.as_deref()), ("$4bn", 4e9, Some("usd")));
        let t = "Profit was 4 billion dlrs.";
        let q = one(t);
        assert_eq!((text(t, &q), q.value, q.unit.as_deref()), ("4 billion dlrs", 4e9, Some("usd")));
        assert_eq!(one("It paid 20 mln stg for it.").unit.as_deref(), Some("gbp"));
        assert_eq!(one("A ticket costs 300 yen there.").unit.as_deref(), Some("jpy"));
        assert_eq!(one("He owes US$5 to her.").unit.as_deref(), Some("usd"));
        let t = "They spent €3m on it.";
        let q = one(t);
        assert_eq!((text(t, &q), q.value, q.unit.as_deref()), ("€3m", 3e6, Some("eur")));
        assert_eq!(one("The deal is worth £2.5 million.").unit.as_deref(), Some("gbp"));
        let t = "It issued 75 mln Canadian dlrs of notes.";
        let q = one(t);
        assert_eq!((q.unit.as_deref(), q.value), (Some("cad"), 75e6));
        assert_eq!(one("The bond raised 300 mln Swiss francs.").unit.as_deref(), Some("chf"));
        assert_eq!(one("The target is 68 mln N.Z. Dlrs now.").unit.as_deref(), Some("nzd"));
        assert_eq!(one("It earned 45 cts a share.").unit.as_deref(), Some("cent"));
        assert_eq!(one("They sold 5 mln pounds of beef.").unit.as_deref(), Some("pound"));
    }

    #[test]
    fn percent_forms() {
        for t in ["Costs rose 40 percent.", "Costs rose 40 pct.", "Costs rose 40 per cent.", "Costs rose 40%."] {
            let q = one(t);
            assert_eq!((q.kind, q.value, q.unit.as_deref()), (QuantityKind::Percent, 40.0, Some("%")), "{t}");
            assert_eq!((q.low, q.high), (39.0, 41.0), "{t}");
        }
        let t = "Rates fell 1.5 percentage points.";
        assert_eq!(text(t, &one(t)), "1.5 percentage points");
        assert_eq!(one("Unemployment hit 3.9%.").low, 3.85);
    }

    #[test]
    fn fractions() {
        let q = one("Half of the voters stayed home.");
        assert_eq!((q.kind, q.value, q.low, q.high), (QuantityKind::Percent, 50.0, 48.0, 52.0));
        assert!(close(one("A third of the crop was lost.").value, 100.0 / 3.0));
        assert!(close(one("Two-thirds of members agreed.").value, 200.0 / 3.0));
        assert_eq!(one("A quarter of the staff quit.").value, 25.0);
        assert_eq!(one("The stock lost more than half its value.").modifier, Modifier::MoreThan);
        assert!(run("Profit rose in the second half.").iter().all(|q| q.kind != QuantityKind::Percent));
        assert_eq!(one("They hired half a million workers.").value, 5e5);
    }

    #[test]
    fn number_words() {
        let q = one("Fourteen miners were trapped.");
        assert_eq!((q.value, q.unit.as_deref()), (14.0, Some("miner")));
        assert_eq!(one("Police held twenty-one suspects.").value, 21.0);
        assert_eq!(one("It employs ten thousand workers.").value, 10_000.0);
        assert_eq!(one("She bought a dozen eggs.").value, 12.0);
        assert_eq!(one("A hundred guests came.").value, 100.0);
        assert_eq!(one("It lasted two and a half years.").value, 2.5);
    }

    #[test]
    fn vague_plurals_are_not_figures() {
        assert!(run("Dozens of people and hundreds of cars were there.").is_empty());
        assert!(run("Thousands marched.").is_empty());
        assert!(run("A few hundred thousand bags remain.").is_empty());
        assert!(run("Several hundred people came.").is_empty());
    }

    #[test]
    fn one_is_conservative() {
        assert!(run("One of the men left.").is_empty());
        assert!(run("No one was hurt.").is_empty());
        assert!(run("One day they will return.").is_empty());
        assert!(run("He is the one who knows.").is_empty());
        let q = one("Only one soldier was hurt.");
        assert_eq!((q.value, q.unit.as_deref()), (1.0, Some("soldier")));
        assert_eq!(one("It marked the one-year anniversary.").unit.as_deref(), Some("year"));
        assert_eq!(one("It costs one billion dlrs.").value, 1e9);
    }

    #[test]
    fn modifiers() {
        use Modifier::*;
        let cases = [
            ("It has about 500 staff.", Approximate, "about"),
            ("It has around 500 staff.", Approximate, "around"),
            ("It has some 500 staff.", Approximate, "some"),
            ("It has an estimated 500 staff.", Approximate, "an estimated"),
            ("It has nearly 500 staff.", Nearly, "nearly"),
            ("It has close to 500 staff.", Nearly, "close to"),
            ("It has just under 500 staff.", Nearly, "just under"),
            ("It has more than 500 staff.", MoreThan, "more than"),
            ("It has over 500 staff.", MoreThan, "over"),
            ("It has in excess of 500 staff.", MoreThan, "in excess of"),
            ("It has at least 500 staff.", AtLeast, "at least"),
            ("It has no fewer than 500 staff.", AtLeast, "no fewer than"),
            ("It has fewer than 500 staff.", LessThan, "fewer than"),
            ("It has under 500 staff.", LessThan, "under"),
            ("It has up to 500 staff.", AtMost, "up to"),
            ("It has as many as 500 staff.", AtMost, "as many as"),
            ("It has no more than 500 staff.", AtMost, "no more than"),
        ];
        for (t, m, ms) in cases {
            let q = one(t);
            assert_eq!(q.modifier, m, "{t}");
            assert_eq!(q.modifier_span.map(|s| s.slice(t)), Some(ms), "{t}");
            assert_eq!(text(t, &q), "500", "{t}");
        }
    }

    #[test]
    fn modifier_bounds() {
        let q = one("Over 10 years it grew.");
        assert_eq!((q.modifier, q.unit.as_deref()), (Modifier::MoreThan, Some("year")));
        let q = one("It has about 94,300 staff.");
        assert!(close(q.low, 0.9 * 94300.0 - 50.0) && close(q.high, 1.1 * 94300.0 + 50.0));
        let q = one("It has nearly 200 staff.");
        assert!(close(q.low, 184.0 - 5.0) && close(q.high, 205.0));
        let q = one("It has more than 200 staff.");
        assert!(close(q.low, 195.0) && close(q.high, 285.0));
        let q = one("It has fewer than 200 staff.");
        assert!(close(q.low, 135.0) && close(q.high, 205.0));
    }

    #[test]
    fn years() {
        let q = one("The law passed in 2014.");
        assert_eq!(
            (q.kind, q.value, q.low, q.high, q.unit.clone()),
            (QuantityKind::Year, 2014.0, 2014.0, 2014.0, None)
        );
        assert_eq!(one("Prices have risen since 1999.").kind, QuantityKind::Year);
        assert_eq!(one("It expects 1987 earnings to rise.").kind, QuantityKind::Year);
        let q = one("Police detained about 2000 protesters.");
        assert_eq!((q.kind, q.unit.as_deref()), (QuantityKind::Amount, Some("protester")));
        assert_eq!(one("Sales hit 2,014 units.").kind, QuantityKind::Amount);
        assert_eq!(one("It was built in the mid-1990s era and in mid-1987.").kind, QuantityKind::Year);
    }

    #[test]
    fn dates() {
        let t = "The vote is on June 16.";
        let q = one(t);
        assert_eq!((q.kind, q.value, text(t, &q)), (QuantityKind::Date, 616.0, "June 16"));
        let t = "It opened on 16 June.";
        assert_eq!(one(t).value, 616.0);
        let t = "It began on June 16, 2014, in Kiev.";
        let qs = run(t);
        assert_eq!(qs.len(), 2);
        assert_eq!((qs[0].kind, qs[0].value), (QuantityKind::Date, 616.0));
        assert_eq!((qs[1].kind, qs[1].value), (QuantityKind::Year, 2014.0));
        assert!(run("It happened in January.").is_empty());
        assert_eq!(one("Trading resumes Feb. 26.").value, 226.0);
    }

    #[test]
    fn ordinals() {
        let q = one("It was his third visit.");
        assert_eq!((q.kind, q.value, q.unit.clone()), (QuantityKind::Ordinal, 3.0, None));
        assert_eq!(one("The 21st edition opened.").value, 21.0);
        assert!(run("For the first time, it fell.").is_empty());
    }

    #[test]
    fn codes_and_times_are_skipped() {
        assert!(run("The F-16 and the A320 flew.").is_empty());
        assert!(run("COVID-19 spread.").is_empty());
        assert!(run("They watched it in 3D.").is_empty());
        assert!(run("Call 555-1234 now.").is_empty());
        assert!(run("It was issued at 15:02:20.").is_empty());
        assert!(run("REUTER 26-FEB-1987 report.").is_empty());
        assert!(run("1. Introduction").is_empty());
        assert!(run("It grew in the 1980s.").is_empty());
        assert!(run("The meeting is at 10am.").is_empty());
    }

    #[test]
    fn ranges() {
        let t = "It will cut between 10 and 20 jobs.";
        let q = one(t);
        assert_eq!((q.low, q.high, q.value, q.unit.as_deref()), (10.0, 20.0, 15.0, Some("job")));
        assert_eq!(text(t, &q), "10 and 20");
        let q = one("Growth of 10-20 pct is seen.");
        assert_eq!((q.low, q.high, q.kind), (10.0, 20.0, QuantityKind::Percent));
        let q = one("Growth of 10 to 20 pct is seen.");
        assert_eq!((q.low, q.high, q.unit.as_deref()), (10.0, 20.0, Some("%")));
        let q = one("Sales were booked at 1,750 to 1,780 dlrs per tonne.");
        assert_eq!((q.low, q.high, q.unit.as_deref()), (1750.0, 1780.0, Some("usd")));
    }

    #[test]
    fn changes_are_two_figures_with_shared_unit() {
        let qs = run("Profit rose from 4.2 to 5.9 mln dlrs.");
        assert_eq!(qs.len(), 2);
        assert!(close(qs[0].value, 4.2e6) && close(qs[1].value, 5.9e6));
        assert_eq!(qs[0].unit.as_deref(), Some("usd"));
        assert_eq!(qs[1].unit.as_deref(), Some("usd"));
        let qs = run("The rate fell to 3.71 pct from 6.34 a week ago.");
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[1].unit.as_deref(), Some("%"));
        let qs = run("Output was 5.93 mln bags against 5.81 a year earlier.");
        assert!(close(qs[1].value, 5.81e6));
        assert_eq!(qs[1].unit.as_deref(), Some("bag"));
    }

    #[test]
    fn unit_before_figure() {
        let t = "The number of Russian troops near the border is estimated at 94,300.";
        let q = one(t);
        assert_eq!((q.unit.as_deref(), q.modifier), (Some("troop"), Modifier::Approximate));
        assert_eq!(one("Rebel troops numbering 90,000 advanced.").unit.as_deref(), Some("troop"));
        assert_eq!(one("The death toll rose to 14,000.").unit.as_deref(), Some("death"));
    }

    #[test]
    fn others_is_no_unit() {
        let qs = run("The blast killed three miners and injured 40 others.");
        assert_eq!((qs[0].unit.as_deref(), qs[1].unit.as_deref()), (Some("miner"), None));
        assert_eq!(one("About 60 others were missing.").unit, None);
    }

    #[test]
    fn sentence_index() {
        let qs = run("It sold 5 cars. It then sold 7 trucks.");
        assert_eq!(qs.iter().map(|q| q.sentence).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn huge_and_weird_numbers_do_not_panic() {
        let big = format!("It has {} cats and ٣ dogs and １２ birds.", "9".repeat(400));
        let qs = run(&big);
        assert!(qs.iter().all(|q| q.value.is_finite()));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(t in "\\PC{0,80}") {
            for q in run(&t) {
                prop_assert!(q.span.end <= t.len() && t.is_char_boundary(q.span.start) && t.is_char_boundary(q.span.end));
                prop_assert!(q.span.start < q.span.end);
                prop_assert!(q.low <= q.high);
            }
        }

        #[test]
        fn numberish_text_never_panics(t in "[0-9a-zA-Z$%,.\\- ]{0,80}") {
            for q in run(&t) {
                prop_assert!(q.span.end <= t.len() && q.span.start < q.span.end);
                prop_assert!(q.value.is_finite() && q.low <= q.high);
            }
        }
    }
}
