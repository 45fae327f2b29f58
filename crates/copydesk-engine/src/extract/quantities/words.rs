//! Word lists a figure is read against: stop words, nouns counted without a plural -s,
//! measure words; and what they give: plurals, countable nouns, singular forms.

use crate::terms::WordList;

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

pub(super) fn is_stop(w: &str) -> bool {
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

pub(super) fn is_plural(w: &str) -> bool {
    if w.len() < 3 || is_stop(w) || !w.ends_with('s') || !w.chars().all(char::is_alphabetic) {
        return false;
    }
    !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") || w.ends_with("ous") || w == "news")
}

pub(super) fn is_countable(w: &str) -> bool {
    is_plural(w) || is_invariant(w) || is_measure(w)
}

/// Singular, normalized form of a counted noun ("troops" → "troop", "people" → "person").
pub(super) fn singular(w: &str) -> String {
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
