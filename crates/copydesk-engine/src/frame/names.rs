//! Proper names as the subject of a claim: the capitalized words of a span.
//!
//! A name word is a capitalized word that is not the first of its sentence (unless the
//! next word is capitalized too: "Command Airways said"), not a title, a month, a weekday
//! or a generic organization word ("Corp", "Bank"), and not in a headline written in
//! capitals (whose words are read apart, [`headline_names`]). Names are kept folded to
//! lower case, sorted; a country and its people are one name ([`named_in`]).

use super::time;
use crate::extract::entities::{fold, with_fold, ORG_WORDS, TITLES, TITLE_SET};
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
pub fn is_upper_case(text: &str, span: Span) -> bool {
    let s = span.slice(text);
    s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_lowercase)
}

/// The name words of `span`, a sentence or part of one starting at `sentence_start`,
/// folded to lower case, pushed to `out`.
pub fn names_in(text: &str, span: Span, sentence_start: usize, out: &mut Vec<String>) {
    if is_upper_case(text, span) {
        return;
    }
    // Each word is decided once the next is known (no list of the words is made).
    let mut last: Option<Span> = None;
    terms::for_each_word(text, span, |w| {
        if let Some(word) = last.replace(w) {
            name_word(text, sentence_start, word, Some(w), out);
        }
    });
    if let Some(word) = last {
        name_word(text, sentence_start, word, None, out);
    }
}

/// [`names_in`] of one word `w`, followed by `next`.
fn name_word(text: &str, sentence_start: usize, w: Span, next: Option<Span>, out: &mut Vec<String>) {
    let s = w.slice(text);
    if !is_capitalized(s) || terms::is_numeric(s) {
        return;
    }
    // The first word of a sentence or of a line (a wire table's label) is capitalized
    // whatever it is: a name only when the next word is capitalized too.
    let before = text.get(sentence_start.min(w.start)..w.start).unwrap_or("");
    let first =
        !before.chars().rev().any(char::is_alphanumeric) || starts_a_row(before, text.get(w.start..).unwrap_or(""));
    // A possessive opening a sentence is a name's ("Riverton's flood wall").
    let possessive = s.ends_with("'s") || s.ends_with("\u{2019}s");
    if first && !possessive && !next.is_some_and(|n| is_capitalized(n.slice(text)) && !is_not_name(n.slice(text))) {
        return;
    }
    push_name(s, out);
}

/// Does a word after `before` (its sentence up to it) and opening `rest` (the text from it
/// on) open a row of a table, where the first word is a label ("Qtrly div 25 cts", "Pay
/// April 30")? A line opening with it does, unless it is prose wrapped from the line
/// above: no figure on it, and the line above ending mid-sentence ("… filed with the\n
/// Securities and Exchange Commission for a shelf offering"). The rest of the line is
/// read only for a word that opens one (a very long line is not read once per word).
fn starts_a_row(before: &str, rest: &str) -> bool {
    let line_start = before.trim_end_matches([' ', '\t']);
    if !line_start.ends_with('\n') {
        return false;
    }
    let line = rest.split('\n').next().unwrap_or("");
    let wrapped = !line.chars().any(|c| c.is_ascii_digit())
        && line_start.trim_end().ends_with(|c: char| c.is_alphabetic() || c == ',');
    !wrapped
}

/// Is a capitalized word one that names nobody ("April", "The")?
fn is_not_name(word: &str) -> bool {
    with_fold(word, names_nobody)
}

/// Is a folded word one of those that name nobody?
fn names_nobody(key: &str) -> bool {
    NOT_NAME_SET.contains(key) || time::is_calendar_word(key) || terms::is_stopword(key)
}

fn push_name(word: &str, out: &mut Vec<String>) {
    let word = strip_all(strip_all(strip_all(word, "'s"), "'S"), "\u{2019}s");
    // The key is the word folded, as `fold` gives it.
    with_fold(word, |key| {
        if is_name_key(key) {
            out.push(key.to_owned());
        }
    });
}

/// Folded words that are no name word as they stand: those that name nobody, stopwords.
static NOT_NAMED: terms::WordList = terms::WordList::union(&[NOT_NAMES, terms::STOPWORDS]);

/// Folded words that are no name word with a '.' at their end or not: titles and
/// organization words.
static NOT_NAMED_DOTLESS: terms::WordList = terms::WordList::union(&[TITLES, ORG_WORDS]);

/// Is a folded word a name word: two letters or more, no digit, and none of those that name
/// nobody, stopwords, months and weekdays, titles ("then-" or "ex-" one too) or words of
/// organizations — what [`names_nobody`],
/// [`is_title`](crate::extract::entities::is_title) and
/// [`is_org_word`](crate::extract::entities::is_org_word) of the key say, in three set
/// lookups instead of three folds and a dozen lists.
fn is_name_key(key: &str) -> bool {
    let dotless = key.trim_end_matches('.');
    key.chars().nth(1).is_some()
        && !key.bytes().any(|b| b.is_ascii_digit())
        && !NOT_NAMED.contains(key)
        && !NOT_NAMED_DOTLESS.contains(dotless)
        && !time::is_calendar_word(dotless)
        && !dotless.strip_prefix("then-").or_else(|| dotless.strip_prefix("ex-")).is_some_and(|t| TITLE_SET.contains(t))
}

/// `w` with every `suffix` at its end removed, as `trim_end_matches` does.
fn strip_all<'a>(mut w: &'a str, suffix: &str) -> &'a str {
    while let Some(rest) = w.strip_suffix(suffix) {
        w = rest;
    }
    w
}

/// The words of a headline that may be names: `span`'s first line, when it is written in
/// capitals or in title case. No case tells a name there, so every word counts but the
/// ordinary ones of wire headlines and those its story (`text`) writes in lower case: "HARBOR FREIGHT <HFC> 4TH QTR NET" names "harbor", "freight", "hfc".
pub fn headline_names(text: &str, span: Span, out: &mut Vec<String>) {
    let s = span.slice(text);
    let line = Span::new(span.start, span.start + s.find('\n').unwrap_or(s.len()));
    let words = terms::words(text, line);
    let capitalized = words.iter().filter(|w| is_capitalized(w.slice(text))).count();
    let title_case = words.len() >= 3 && capitalized * 10 >= words.len() * 7;
    if !is_upper_case(text, line) && !title_case {
        return;
    }
    // A ticker ("<CTS>") names its company even where the word is also a common one; any
    // other word, unless the story writes it in lower case.
    let keys: Vec<Option<String>> =
        words.iter().map(|w| (!text[..w.start].ends_with('<')).then(|| terms::stem(&fold(w.slice(text))))).collect();
    let lower_case = written_in_lower_case(text, &keys);
    for ((w, key), lower) in words.iter().zip(&keys).zip(lower_case) {
        if key.is_none() || !lower {
            push_name(w.slice(text), out);
        }
    }
}

/// For each of `keys` (folded and stemmed words: "filed" for a headline's "FILES"; None
/// asks nothing), whether `text` writes a word of that stem in lower case: such a word is
/// not a name wherever it stands.
///
/// Only a word that may have the stem is stemmed: an ASCII word without '.', '\'' or '`'
/// folds to its lower case, and stemming it only cuts an ending (and may add 'y' for
/// "ies"), so a word of stem `k` starts with `k` but its last letter.
///
/// Nor does folding or stemming change a word's first letter when it is an ASCII one, so a
/// word opening with an ASCII letter that opens no key is passed over without more reading.
fn written_in_lower_case(text: &str, keys: &[Option<String>]) -> Vec<bool> {
    let mut found: Vec<bool> = keys.iter().map(Option::is_none).collect();
    let mut left = found.iter().filter(|f| !**f).count();
    let mut opens_a_key = [false; 128];
    for k in keys.iter().flatten() {
        if let Some(&b) = k.as_bytes().first().filter(|b| b.is_ascii()) {
            opens_a_key[usize::from(b)] = true;
        }
    }
    terms::for_each_word(text, Span::new(0, text.len()), |w| {
        let s = w.slice(text);
        let first = s.as_bytes().first().copied().unwrap_or(0);
        if left == 0 || (first.is_ascii() && !(first.is_ascii_lowercase() && opens_a_key[usize::from(first)])) {
            return;
        }
        if !s.starts_with(|c: char| c.is_lowercase()) {
            return;
        }
        let plain = s.bytes().all(|b| b.is_ascii() && !matches!(b, b'.' | b'\'' | b'`'));
        let may_be = |k: &str| {
            let p = k.len().saturating_sub(1);
            !plain || s.as_bytes().get(..p).is_some_and(|head| head.eq_ignore_ascii_case(&k.as_bytes()[..p]))
        };
        if !keys.iter().zip(&found).any(|(k, f)| !f && k.as_deref().is_some_and(may_be)) {
            return;
        }
        let stem = terms::stem(&fold(s));
        for (k, f) in keys.iter().zip(found.iter_mut()) {
            if !*f && k.as_deref() == Some(stem.as_str()) {
                *f = true;
                left -= 1;
            }
        }
    });
    found
}

/// Sorts and de-duplicates a list of names.
pub fn finish(mut names: Vec<String>) -> Vec<String> {
    names.sort_unstable();
    names.dedup();
    names
}

/// Are two name words one name? Equal, or a place and its people or a name and its plural:
/// they share at least four letters, the shorter has at most one more, and the longer
/// ends in a people's or a plural ending ("China", "Chinese"; "Russia", "Russian";
/// "Ukraine", "Ukrainian"; not "South", "Southern").
fn same_name(a: &str, b: &str) -> bool {
    const ENDINGS: &[&str] = &["", "s", "es", "n", "ns", "an", "ans", "ian", "ians", "ese"];
    if a == b {
        return true;
    }
    let shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    shared >= 4 && short.len() <= shared + 1 && long.get(shared..).is_some_and(|rest| ENDINGS.contains(&rest))
}

/// Is `name` named in `all` (sorted)?
fn is_named(name: &str, all: &[String]) -> bool {
    let prefix = &name[..name.char_indices().nth(4).map_or(name.len(), |(i, _)| i)];
    let from = all.partition_point(|x| x.as_str() < prefix);
    all[from..].iter().take_while(|x| x.starts_with(prefix) || *x == name).any(|x| same_name(name, x))
}

/// Does any of `names` name someone in `all` (sorted)?
pub fn named_in(names: &[String], all: &[String]) -> bool {
    names.iter().any(|n| is_named(n, all))
}

/// Are more than half of `names` named in `all` (sorted)?
pub fn mostly_named_in(names: &[String], all: &[String]) -> bool {
    2 * names.iter().filter(|n| is_named(n, all)).count() > names.len()
}

/// Is every one of `names` named in `all` (sorted)?
pub fn all_named_in(names: &[String], all: &[String]) -> bool {
    names.iter().all(|n| is_named(n, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_key_is_what_the_lists_asked_one_by_one_say() {
        use crate::extract::entities::{is_org_word, is_title};
        let one_by_one = |key: &str| {
            key.chars().nth(1).is_some()
                && !key.chars().any(|c| c.is_ascii_digit())
                && !names_nobody(key)
                && !is_title(key)
                && !is_org_word(key)
        };
        let lists = [NOT_NAMES, terms::STOPWORDS, time::MONTHS, time::MONTH_ABBR, time::WEEKDAYS, TITLES, ORG_WORDS];
        let others =
            ["sept", "riverton", "whitfield", "x", "ab", "g7", "o'neill", "then-", "ex-", ".", "s.", "ex-ex-mayor"];
        let mut keys = 0;
        for w in lists.iter().flat_map(|l| l.iter()).chain(&others) {
            for key in [w.to_string(), format!("{w}."), format!("{w}.."), format!("then-{w}"), format!("ex-{w}.")] {
                assert_eq!(is_name_key(&key), one_by_one(&key), "{key}");
                keys += 1;
            }
        }
        assert!(keys > 1000);
    }
    use std::collections::HashSet;

    fn names(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        names_in(s, Span::new(0, s.len()), 0, &mut v);
        finish(v)
    }

    fn h(w: &str) -> String {
        w.to_string()
    }

    #[test]
    fn a_country_and_its_people_are_one_name() {
        let all = finish(vec![h("china"), h("russia"), h("southern")]);
        assert!(named_in(&[h("chinese")], &all));
        assert!(named_in(&[h("russian")], &all));
        assert!(!named_in(&[h("chile")], &all));
        assert!(!named_in(&[h("south")], &all));
    }

    #[test]
    fn a_wrapped_line_of_prose_goes_on_with_its_sentence() {
        let n = names("Harbor Freight Inc filed with the\nSecurities and Exchange Commission for an offering.");
        assert!(n.contains(&h("securities")), "{n:?}");
    }

    #[test]
    fn a_line_of_a_wire_table_begins_with_a_label_not_a_name() {
        assert!(names("Harbor Freight said\nQtrly div 25 cts vs 25 cts\nPay April 30").contains(&h("harbor")));
        assert!(!names("Harbor Freight said\nQtrly div 25 cts vs 25 cts\nPay April 30").contains(&h("qtrly")));
        assert!(!names("Harbor Freight said\nQtrly div 25 cts vs 25 cts\nPay April 30").contains(&h("pay")));
    }

    #[test]
    fn names_are_capitalized_words_but_not_titles_months_or_sentence_openers() {
        assert_eq!(
            names("Net profit at Harbor Freight Corp rose in March, President Lane said"),
            finish(vec![h("harbor"), h("freight"), h("lane")])
        );
        assert_eq!(names("Revenue rose 5 pct"), Vec::<String>::new());
        assert_eq!(names("Jane Roe said"), finish(vec![h("jane"), h("roe")]));
        assert_eq!(names("Riverton's flood wall is done"), vec![h("riverton")]);
    }

    #[test]
    fn a_headline_in_capitals_names_nothing_as_a_sentence_but_its_words_as_a_headline() {
        let s = "HARBOR FREIGHT <HFC> 4TH QTR NET UP 5 PCT\n19-MAR-1987 11:30:57.56\nNet 5 mln vs 4 mln";
        let line = Span::new(0, s.find('\n').unwrap_or(0));
        assert!(names(line.slice(s)).is_empty());
        let mut v = Vec::new();
        headline_names(s, Span::new(0, s.len()), &mut v);
        assert_eq!(finish(v), finish(vec![h("harbor"), h("freight"), h("hfc")]));
        // A word the story writes in lower case is no name in its headline.
        let s = "Harbor Freight Raises Dividend\n\nHarbor Freight raised its dividend.";
        let mut v = Vec::new();
        headline_names(s, Span::new(0, s.len()), &mut v);
        assert_eq!(finish(v), finish(vec![h("harbor"), h("freight")]));
        // A ticker counts even where its story writes the word in lower case.
        let s = "CTS CORP <CTS> 3RD QTR NET\n\nShr 18 cts vs 12 cts";
        let mut v = Vec::new();
        headline_names(s, Span::new(0, s.len()), &mut v);
        assert_eq!(finish(v), vec![h("cts")]);
    }

    /// The headline names as worked out before [`written_in_lower_case`]: every
    /// lower-case word of the story stemmed into a set.
    fn reference_headline_names(text: &str, span: Span) -> Vec<String> {
        let s = span.slice(text);
        let line = Span::new(span.start, span.start + s.find('\n').unwrap_or(s.len()));
        let words = terms::words(text, line);
        let capitalized = words.iter().filter(|w| is_capitalized(w.slice(text))).count();
        let title_case = words.len() >= 3 && capitalized * 10 >= words.len() * 7;
        let mut out = Vec::new();
        if !is_upper_case(text, line) && !title_case {
            return out;
        }
        let mut lower_case = HashSet::new();
        terms::for_each_word(text, Span::new(0, text.len()), |w| {
            let w = w.slice(text);
            if w.starts_with(|c: char| c.is_lowercase()) {
                lower_case.insert(terms::stem(&fold(w)));
            }
        });
        for w in words {
            let s = w.slice(text);
            if text[..w.start].ends_with('<') || !lower_case.contains(&terms::stem(&fold(s))) {
                push_name(s, &mut out);
            }
        }
        out
    }

    proptest::proptest! {
        /// Words that stem alike written in other forms, with dots, apostrophes, backticks
        /// and accents: only words that may share a headline word's stem are stemmed, and
        /// what is found is what stemming every word finds.
        #[test]
        fn headline_names_are_those_of_stemming_every_word(
            headline in proptest::collection::vec(0usize..WORDS.len(), 1..6),
            story in proptest::collection::vec((0usize..WORDS.len(), 0usize..4), 0..40),
        ) {
            let mut text: String = headline.iter().map(|&i| WORDS[i].to_uppercase()).collect::<Vec<_>>().join(" ");
            text.push('\n');
            for (i, form) in story {
                let w = WORDS[i];
                let w = match form { 0 => w.to_string(), 1 => format!("{w}s"), 2 => format!("{w}'s"), _ => capitalize(w) };
                text.push_str(&w);
                text.push(' ');
            }
            let mut v = Vec::new();
            headline_names(&text, Span::new(0, text.len()), &mut v);
            proptest::prop_assert_eq!(v, reference_headline_names(&text, Span::new(0, text.len())), "{}", text);
        }
    }

    const WORDS: &[&str] = &[
        "company",
        "companies",
        "freight",
        "harbor",
        "net",
        "nets",
        "filed",
        "files",
        "file",
        "u.s.",
        "o'neill",
        "don`t",
        "café",
        "cafe",
        "zürich",
        "defence",
        "defense",
        "russian",
        "russia",
        "rate",
        "rates",
        "a",
        "up",
        "mid-year",
        "<hfc>",
        "qtr",
        "shr",
        "cts",
        "ies",
        "y",
        "rallies",
        "rally",
        "rallied",
    ];

    fn capitalize(w: &str) -> String {
        let mut c = w.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    }
}
