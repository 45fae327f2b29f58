//! Proper names as the subject of a claim: the capitalized words of a span.
//!
//! A name word is a capitalized word that is not the first of its sentence (unless the
//! next word is capitalized too: "Command Airways said"), not a title, a month, a weekday
//! or a generic organization word ("Corp", "Bank"), and not in a headline written in
//! capitals. Names are kept as hashes of their folded lower case, sorted.

use crate::extract::entities::{fold, is_org_word, is_title};
use crate::terms;
use crate::text::Span;

/// Capitalized words that name no one in particular.
const NOT_NAMES: &[&str] = &[
    "i",
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "for",
    "of",
    "and",
    "but",
    "or",
    "as",
    "by",
    "to",
    "from",
    "with",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "his",
    "her",
    "their",
    "our",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "when",
    "while",
    "after",
    "before",
    "if",
    "so",
    "yet",
    "not",
    "no",
    "all",
    "some",
    "one",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mln",
    "bln",
    "pct",
    "dlrs",
    "dlr",
    "net",
    "shr",
    "shrs",
    "avg",
    "revs",
    "ltd",
    "co",
    "plc",
    "llc",
    "ag",
    "sa",
    "nv",
    "group",
    "company",
    "companies",
    "holdings",
    "international",
    "national",
    "american",
    "north",
    "south",
    "east",
    "west",
    "new",
    "u.s",
    "u.s.",
    "us",
    "note",
    "reuter",
    "reuters",
    "qtr",
    "qtly",
    "div",
    "up",
    "down",
    "rise",
    "rises",
    "fall",
    "falls",
    "says",
    "said",
    "sees",
    "set",
    "sets",
    "profit",
    "loss",
    "sales",
    "year",
    "half",
    "oper",
    "shares",
    "stake",
    "buy",
    "buys",
    "sell",
    "sells",
    "bid",
    "offer",
    "unit",
    "units",
    "plan",
    "plans",
    "talks",
    "price",
    "prices",
    "rate",
    "rates",
    "report",
    "reports",
    "results",
    "earnings",
    "first",
    "second",
    "third",
    "fourth",
];

static NOT_NAME_SET: terms::WordList = terms::WordList::new(NOT_NAMES);

fn is_capitalized(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Is the whole span written in capitals (a wire headline)?
fn is_upper_case(text: &str, span: Span) -> bool {
    let s = span.slice(text);
    s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_lowercase)
}

/// Hashes of the name words of `span`, a sentence or part of one starting at `sentence_start`.
pub fn names_in(text: &str, span: Span, sentence_start: usize, out: &mut Vec<u64>) {
    if is_upper_case(text, span) {
        return;
    }
    let words = terms::words(text, span);
    for (i, w) in words.iter().enumerate() {
        let s = w.slice(text);
        if !is_capitalized(s) || terms::is_numeric(s) {
            continue;
        }
        let first = text.get(sentence_start..w.start).is_some_and(|before| !before.chars().any(char::is_alphanumeric));
        if first && !words.get(i + 1).is_some_and(|n| is_capitalized(n.slice(text))) {
            continue;
        }
        let key = fold(s.trim_end_matches("'s").trim_end_matches("\u{2019}s"));
        if key.chars().count() < 2
            || NOT_NAME_SET.contains(&key)
            || terms::is_stopword(&key)
            || is_title(&key)
            || is_org_word(&key)
        {
            continue;
        }
        out.push(name_key(&key));
    }
}

/// A name word's key: its first four letters, so that a country and its people ("China",
/// "Chinese"; "Ukraine", "Ukrainian") and a name and its plural are one subject.
fn name_key(folded: &str) -> u64 {
    let end = folded.char_indices().nth(4).map_or(folded.len(), |(i, _)| i);
    terms::hash_str(&folded[..end])
}

/// Hashes of the words of a headline written in capitals that may be names: no case
/// tells a name there, so every word but the ordinary ones of wire headlines counts
/// ("HARBOR FREIGHT <HFC> 4TH QTR NET" names "harbor", "freight", "hfc").
pub fn headline_names(text: &str, span: Span, out: &mut Vec<u64>) {
    if !is_upper_case(text, span) {
        return;
    }
    for w in terms::words(text, span) {
        let s = w.slice(text);
        if s.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let key = fold(s.trim_end_matches("'S"));
        if key.chars().count() < 2
            || NOT_NAME_SET.contains(&key)
            || terms::is_stopword(&key)
            || is_title(&key)
            || is_org_word(&key)
        {
            continue;
        }
        out.push(name_key(&key));
    }
}

/// Sorts and de-duplicates a list of name hashes.
pub fn finish(mut names: Vec<u64>) -> Vec<u64> {
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<u64> {
        let mut v = Vec::new();
        names_in(s, Span::new(0, s.len()), 0, &mut v);
        finish(v)
    }

    fn h(w: &str) -> u64 {
        name_key(w)
    }

    #[test]
    fn a_country_and_its_people_are_one_name() {
        assert_eq!(names("Officials in Beijing said Chinese mines"), names("Officials in Beijing said China mines"));
    }

    #[test]
    fn names_are_capitalized_words_but_not_titles_months_or_sentence_openers() {
        assert_eq!(
            names("Net profit at Harbor Freight Corp rose in March, President Lane said"),
            finish(vec![h("harbor"), h("freight"), h("lane")])
        );
        assert_eq!(names("Revenue rose 5 pct"), Vec::<u64>::new());
        assert_eq!(names("Jane Roe said"), finish(vec![h("jane"), h("roe")]));
    }

    #[test]
    fn a_headline_in_capitals_names_nothing_as_a_sentence_but_its_words_as_a_headline() {
        let s = "HARBOR FREIGHT <HFC> 4TH QTR NET UP 5 PCT";
        assert!(names(s).is_empty());
        let mut v = Vec::new();
        headline_names(s, Span::new(0, s.len()), &mut v);
        assert_eq!(finish(v), finish(vec![h("harbor"), h("freight"), h("hfc")]));
    }
}
