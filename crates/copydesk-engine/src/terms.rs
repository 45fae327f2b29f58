//! Words and terms: the vocabulary on which claims are compared and indexed.
//!
//! A *term* is a stable 64-bit hash of a stemmed, lower-cased content word;
//! stable so that a persistent index written by one run is read by the next.

use crate::text::Span;

/// A hasher for keys that are already hashes (terms, packed references): passes them through.
#[derive(Clone, Copy, Default)]
pub struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a(self.0, bytes.iter().copied());
    }
    fn write_u64(&mut self, n: u64) {
        // Spread the bits a little: packed references differ mostly in their low half.
        self.0 = n ^ (n >> 29).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by term hashes.
pub type TermMap<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;

/// A fixed set of words, hashed with FNV-1a: its keys are ours, so a lookup needs no
/// protection against crafted collisions.
type WordSet = std::collections::HashSet<&'static str, std::hash::BuildHasherDefault<PassThrough>>;

/// A fixed word list (stopwords, speech verbs, titles) for membership tests: a hash set
/// built on first use, and a word longer than the longest listed is turned away unhashed.
pub struct WordList {
    words: &'static [&'static str],
    /// Lists whose words are in too ([`WordList::union`]).
    more: &'static [&'static [&'static str]],
    set: std::sync::OnceLock<(WordSet, usize)>,
}

impl WordList {
    pub const fn new(words: &'static [&'static str]) -> Self {
        WordList { words, more: &[], set: std::sync::OnceLock::new() }
    }

    /// The words of several lists, asked with one lookup.
    pub const fn union(lists: &'static [&'static [&'static str]]) -> Self {
        WordList { words: &[], more: lists, set: std::sync::OnceLock::new() }
    }

    pub fn contains(&self, word: &str) -> bool {
        let (set, longest) = self.set.get_or_init(|| {
            let words = || self.words.iter().chain(self.more.iter().flat_map(|l| l.iter())).copied();
            (words().collect(), words().map(str::len).max().unwrap_or(0))
        });
        word.len() <= *longest && set.contains(word)
    }
}

/// FNV-1a, 64-bit: small, fast, and the same on every run and platform.
pub fn hash_str(s: &str) -> u64 {
    fnv1a(FNV_OFFSET, s.bytes())
}

/// [`hash_str`] of `s` in lower case, without building the lower-case string.
pub fn hash_lowercase(s: &str) -> u64 {
    let mut buf = [0u8; 4];
    s.chars().flat_map(char::to_lowercase).fold(FNV_OFFSET, |h, c| fnv1a(h, c.encode_utf8(&mut buf).bytes()))
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `bytes`, continuing from the hash `h`.
fn fnv1a(h: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Word tokens of `span` in `text`: runs of letters and digits, with inner
/// apostrophes, hyphens, periods and commas between digits kept ("don't",
/// "rebel-held", "94,300", "U.S").
pub fn words(text: &str, span: Span) -> Vec<Span> {
    let mut out = Vec::new();
    for_each_word(text, span, |w| out.push(w));
    out
}

/// Calls `f` with each word of [`words`], in order, without collecting them.
pub fn for_each_word(text: &str, span: Span, f: impl FnMut(Span)) {
    let seg = span.slice(text);
    if seg.is_ascii() {
        scan_ascii_words(seg.as_bytes(), span.start, f)
    } else {
        scan_words(seg.char_indices(), seg.len(), span.start, f)
    }
}

/// [`scan_words`] of ASCII text, byte by byte: one byte per character, so no decoding, and
/// each run of letters and digits passed over in a tight loop. The same tokens
/// (`ascii_words_agree_with_reference`).
fn scan_ascii_words(s: &[u8], base: usize, mut f: impl FnMut(Span)) {
    let n = s.len();
    let mut i = 0;
    while i < n {
        if !s[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        loop {
            while i < n && s[i].is_ascii_alphanumeric() {
                i += 1;
            }
            // A joiner between two word characters keeps the word going: `s[i - 1]`, which
            // ended the run, is one.
            if i + 1 < n && matches!(s[i], b'\'' | b'-' | b'.' | b',') {
                let (before, c, after) = (s[i - 1], s[i], s[i + 1]);
                let joiner = after.is_ascii_alphanumeric()
                    && (c != b',' || (before.is_ascii_digit() && after.is_ascii_digit()))
                    && (c != b'.' || before.is_ascii_digit() || before.is_ascii_uppercase());
                if joiner {
                    i += 1;
                    continue;
                }
            }
            break;
        }
        f(Span::new(base + start, base + i));
    }
}

fn scan_words(chars: impl Iterator<Item = (usize, char)>, len: usize, base: usize, mut f: impl FnMut(Span)) {
    let mut start: Option<usize> = None;
    let mut it = chars.peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = it.next() {
        let word_char = is_word_char(c);
        if !word_char && matches!(c, '\'' | '\u{2019}' | '-' | '.' | ',') && start.is_some() {
            let next = it.peek().map(|p| p.1);
            let joiner = next.is_some_and(is_word_char)
                && prev.is_some_and(is_word_char)
                && (c != ',' || (prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())))
                && (c != '.' || prev.is_some_and(|p| p.is_ascii_digit() || p.is_uppercase()));
            if joiner {
                prev = Some(c);
                continue;
            }
        }
        if word_char {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            f(Span::new(base + s, base + i));
        }
        prev = Some(c);
    }
    if let Some(s) = start {
        f(Span::new(base + s, base + len));
    }
}

pub(crate) const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "with",
    "as",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "our",
    "my",
    "your",
    "him",
    "them",
    "us",
    "me",
    "which",
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "why",
    "how",
    "not",
    "no",
    "nor",
    "so",
    "than",
    "then",
    "there",
    "here",
    "if",
    "into",
    "about",
    "over",
    "under",
    "after",
    "before",
    "up",
    "down",
    "out",
    "off",
    "also",
    "would",
    "will",
    "could",
    "can",
    "should",
    "may",
    "might",
    "must",
    "shall",
    "said",
    "says",
    "say",
    "told",
    "according",
    "more",
    "most",
    "less",
    "some",
    "such",
    "any",
    "all",
    "each",
    "other",
    "only",
    "very",
    "just",
    "since",
    "while",
    "mr",
    "mrs",
    "ms",
    "s",
    "t",
    "per",
    "cent",
    "percent",
    "pct",
    "mln",
    "bln",
    "billion",
    "million",
    "thousand",
    "hundred",
    "dlrs",
    "dlr",
    "dollars",
    "dollar",
    "year",
    "years",
    "new",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "last",
    "first",
    "being",
    "through",
    "between",
    "against",
    "during",
    "because",
    "until",
    "upon",
    "onto",
    "via",
    "both",
    "either",
    "neither",
    "many",
    "much",
    "few",
    "own",
    "same",
    "too",
    "now",
];

pub fn is_stopword(w: &str) -> bool {
    static SET: WordList = WordList::new(STOPWORDS);
    SET.contains(w)
}

/// A light English stemmer: folds plurals, -ed, -ing, possessives and British/American -ce/-se.
pub fn stem(word: &str) -> String {
    let mut w = String::with_capacity(word.len());
    lower_into(word, &mut w);
    stem_lowered(&mut w);
    w
}

/// Lower-cases `word` into `w` (replacing its contents), folding curly apostrophes.
fn lower_into(word: &str, w: &mut String) {
    w.clear();
    if word.is_ascii() {
        w.push_str(word);
        w.make_ascii_lowercase();
    } else {
        for c in word.chars() {
            if c == '\u{2019}' {
                w.push('\'');
            } else {
                w.extend(c.to_lowercase());
            }
        }
    }
}

/// Stems a lower-cased word (curly apostrophes already folded) in place.
fn stem_lowered(w: &mut String) {
    // What is cut or added below is ASCII: an ASCII word stays one, and its length in bytes
    // is its length in characters.
    let ascii = w.is_ascii();
    let chars = move |w: &str| if ascii { w.len() } else { w.chars().count() };
    for suffix in ["'s", "'"] {
        if w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
        }
    }
    if w.bytes().any(|b| b == b'.' || b == b'\'') {
        w.retain(|c| c != '.' && c != '\'');
    }
    let n = chars(w);
    // Strips `suf` when at least `min` characters are left.
    let strip = |w: &mut String, suf: &str, min: usize| -> bool {
        if w.ends_with(suf) && chars(&w[..w.len() - suf.len()]) >= min {
            w.truncate(w.len() - suf.len());
            true
        } else {
            false
        }
    };
    if n > 4 {
        if strip(w, "ies", 3) {
            w.push('y');
            return;
        }
        for suf in ["ing", "ed", "es"] {
            if strip(w, suf, 3) {
                return;
            }
        }
    }
    if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    if w.ends_with("ian") && chars(w) > 5 {
        // Ukrainian → ukrain, Russian → russ, Canadian → canad: nationality to country
        w.truncate(w.len() - 3);
    }
    // British and American spellings: defence / defense → defen.
    if chars(w) > 5 && (w.ends_with("ce") || w.ends_with("se")) {
        w.truncate(w.len() - 2);
    }
    // Final vowels go (Russia → russ, Ukraine → ukrain, Canada → canad).
    while chars(w) > 4 && (w.ends_with('e') || w.ends_with('a') || w.ends_with('i')) {
        w.pop();
    }
}

/// Is this token a figure (digits), which terms leave out so that a changed figure keeps its context?
pub fn is_numeric(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// The term of a figure token: "94,300" and "94300" are one term; figures are
/// terms so that the other figures of a sentence tell which statement it is.
pub fn number_term(token: &str) -> u64 {
    // The hash of "#" and the token without its commas, decimals stripped of trailing zeros
    // ("2.50" → "#2.5", "3.0" → "#3"), computed in one pass without building that string.
    let b = token.as_bytes();
    let mut end = b.len();
    if b.contains(&b'.') {
        // Commas are not part of the figure: trimming passes over them.
        while end > 0 && matches!(b[end - 1], b'0' | b',') {
            end -= 1;
        }
        while end > 0 && matches!(b[end - 1], b'.' | b',') {
            end -= 1;
        }
    }
    fnv1a(FNV_OFFSET, std::iter::once(b'#').chain(b[..end].iter().copied().filter(|c| *c != b',')))
}

/// Sorted, de-duplicated content terms of a span (content words, stemmed, and figures).
pub fn content_terms(text: &str, span: Span) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    TERMS_OF_WORDS.with_borrow_mut(|known| {
        if known.len() > WORDS_KEPT {
            known.clear();
        }
        for_each_word(text, span, |w| {
            let s = w.slice(text);
            if is_numeric(s) {
                out.push(number_term(s));
                return;
            }
            let term = match known.get(s) {
                Some(term) => *term,
                None => {
                    let term = word_term(s);
                    known.insert(s.into(), term);
                    term
                }
            };
            out.extend(term);
        });
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// The term of a word that is not a figure; None for a stopword or a single letter.
fn word_term(word: &str) -> Option<u64> {
    let mut buf = String::with_capacity(word.len() + 1);
    lower_into(word, &mut buf);
    if buf.chars().nth(1).is_some() && !is_stopword(&buf) {
        stem_lowered(&mut buf);
        Some(hash_str(&buf))
    } else {
        None
    }
}

/// How many words a thread keeps the terms of before it forgets them all.
const WORDS_KEPT: usize = 1 << 16;

thread_local! {
    /// The term of each word (as written) a thread has met lately ([`word_term`], a pure
    /// function): a corpus's vocabulary is small beside its length, so most words cost a
    /// lookup, not their lower-casing, stemming and hashing. Keys are hashed with a seed
    /// of the process's own (foldhash), so that no text can be written to make them collide.
    static TERMS_OF_WORDS: std::cell::RefCell<std::collections::HashMap<Box<str>, Option<u64>, foldhash::fast::RandomState>> =
        std::cell::RefCell::new(std::collections::HashMap::default());
}

/// Normalized words of a quote for verbatim comparison: lower case, curly
/// apostrophes folded, punctuation dropped.
pub fn quote_words(text: &str, span: Span) -> Vec<(Span, String)> {
    words(text, span)
        .into_iter()
        .map(|w| {
            let s: String = w
                .slice(text)
                .to_lowercase()
                .replace('\u{2019}', "'")
                .chars()
                .filter(|c| *c != '.' && *c != ',')
                .collect();
            (w, s)
        })
        .collect()
}

/// Do two sorted term lists share a term?
pub fn share_any(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Size of the intersection of two sorted term lists.
pub fn intersect_sorted(a: &[u64], b: &[u64]) -> Vec<u64> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_case_hash_is_the_hash_of_the_lower_case() {
        for w in ["Riverton", "ÉLAN", "abc", "İstanbul"] {
            assert_eq!(hash_lowercase(w), hash_str(&w.chars().flat_map(char::to_lowercase).collect::<String>()));
        }
    }

    fn ws(t: &str) -> Vec<&str> {
        words(t, Span::new(0, t.len())).into_iter().map(|s| s.slice(t)).collect()
    }

    /// The stemmer as first written (allocating at every step): the in-place one must agree with it.
    fn reference_stem(word: &str) -> String {
        let mut w: String = word.to_lowercase().replace('\u{2019}', "'");
        for suffix in ["'s", "'"] {
            if let Some(x) = w.strip_suffix(suffix) {
                w = x.to_string();
            }
        }
        w.retain(|c| c != '.' && c != '\'');
        let n = w.chars().count();
        let strip = |w: &str, suf: &str, min: usize| {
            w.strip_suffix(suf).filter(|x| x.chars().count() >= min).map(str::to_string)
        };
        if n > 4 {
            if let Some(x) = strip(&w, "ies", 3) {
                return x + "y";
            }
            for suf in ["ing", "ed", "es"] {
                if let Some(x) = strip(&w, suf, 3) {
                    return x;
                }
            }
        }
        if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
            w.pop();
        }
        if w.ends_with("ian") && w.chars().count() > 5 {
            w.truncate(w.len() - 3);
        }
        if w.chars().count() > 5 && (w.ends_with("ce") || w.ends_with("se")) {
            w.truncate(w.len() - 2);
        }
        while w.chars().count() > 4 && (w.ends_with('e') || w.ends_with('a') || w.ends_with('i')) {
            w.pop();
        }
        w
    }

    /// The tokenizer as first written (one pass over `char_indices`, each rule inline).
    fn reference_words(text: &str, span: Span) -> Vec<Span> {
        let seg = span.slice(text);
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut it = seg.char_indices().peekable();
        let mut prev: Option<char> = None;
        while let Some((i, c)) = it.next() {
            let next = it.peek().map(|p| p.1);
            let joiner = matches!(c, '\'' | '\u{2019}' | '-' | '.' | ',')
                && start.is_some()
                && next.is_some_and(is_word_char)
                && prev.is_some_and(is_word_char)
                && (c != ',' || (prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())))
                && (c != '.' || prev.is_some_and(|p| p.is_ascii_digit() || p.is_uppercase()));
            if is_word_char(c) || joiner {
                if start.is_none() {
                    start = Some(i);
                }
            } else if let Some(s) = start.take() {
                out.push(Span::new(span.start + s, span.start + i));
            }
            prev = Some(c);
        }
        if let Some(s) = start {
            out.push(Span::new(span.start + s, span.end));
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]
        #[test]
        fn ascii_words_agree_with_reference(
            text in "([A-Za-z0-9]{1,4}|[ .,'-]|U\\.S\\.|[0-9]{1,3},[0-9]{3}|[0-9]\\.[0-9]|[\n;:()\"!?/])*",
            cut in 0usize..6,
        ) {
            // Spans that start inside the text too (the text is ASCII: any byte is a boundary).
            let span = Span::new(cut.min(text.len()), text.len());
            proptest::prop_assert_eq!(words(&text, span), reference_words(&text, span));
        }
    }

    proptest::proptest! {
        #[test]
        fn words_agree_with_reference(text in "[A-Za-z09 .,'\u{2019}é\u{00A0}-]{0,40}", cut in 0usize..4) {
            // Spans that start inside the text too, on a character boundary.
            let start = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let span = Span::new(start, text.len());
            proptest::prop_assert_eq!(words(&text, span), reference_words(&text, span));
        }

        #[test]
        fn number_term_agrees_with_reference(token in "[0-9][0-9,.]{0,10}") {
            let mut n: String = token.chars().filter(|c| *c != ',').collect();
            if n.contains('.') {
                n.truncate(n.trim_end_matches('0').trim_end_matches('.').len());
            }
            proptest::prop_assert_eq!(number_term(&token), hash_str(&format!("#{n}")));
        }


        #[test]
        fn content_terms_agree_with_each_word_worked_out_afresh(
            text in "([A-Za-z]{1,3}|[Ss]aid|THE|the|Ukraine's|Ukraine\u{2019}s|U\\.S|é[a-z]|Öl|[0-9]{1,3}(,[0-9]{3})?|[ .,'-]){0,30}"
        ) {
            // The terms each thread keeps of the words it met are what the words give when
            // worked out again (the same word in other cases, with a curly apostrophe, as a
            // figure), whatever was met before.
            let span = Span::new(0, text.len());
            let mut fresh: Vec<u64> = words(&text, span)
                .iter()
                .filter_map(|w| {
                    let w = w.slice(&text);
                    if is_numeric(w) { Some(number_term(w)) } else { reference_term(w) }
                })
                .collect();
            fresh.sort_unstable();
            fresh.dedup();
            proptest::prop_assert_eq!(content_terms(&text, span), fresh.clone());
            proptest::prop_assert_eq!(content_terms(&text, span), fresh);
        }

        #[test]
        fn stem_in_place_agrees_with_reference(word in "[A-Za-zéÖ.'\u{2019}]{0,14}(ies|ing|ed|es|s|ian|ce|se|'s|\u{2019}s|')?") {
            proptest::prop_assert_eq!(stem(&word), reference_stem(&word));
        }
    }

    /// A word's term as content terms gave it before words' terms were kept.
    fn reference_term(word: &str) -> Option<u64> {
        let lower: String =
            word.chars().map(|c| if c == '\u{2019}' { '\'' } else { c }).flat_map(char::to_lowercase).collect();
        (lower.chars().count() > 1 && !is_stopword(&lower)).then(|| hash_str(&stem(&lower)))
    }

    #[test]
    fn a_thread_that_met_more_words_than_it_keeps_still_gives_their_terms() {
        let many: String = (0..WORDS_KEPT + 10).map(|i| format!("w{i:x}q ")).collect();
        let all = content_terms(&many, Span::new(0, many.len()));
        assert_eq!(all.len(), WORDS_KEPT + 10);
        for w in ["Troops", "troops", "TROOPS"] {
            assert_eq!(content_terms(w, Span::new(0, w.len())), vec![hash_str("troop")]);
        }
    }

    #[test]
    fn stems_newswire_words() {
        for (w, s) in [
            ("Ukrainian", "ukrain"),
            ("defence", "defen"),
            ("defense", "defen"),
            ("countries", "country"),
            ("troops", "troop"),
            ("Russia\u{2019}s", "russ"),
            ("U.S.", "us"),
            ("amassed", "amass"),
            ("is", "is"),
        ] {
            assert_eq!(stem(w), s, "{w}");
            assert_eq!(reference_stem(w), s, "{w}");
        }
    }

    #[test]
    fn tokenizes_newswire() {
        assert_eq!(
            ws("U.S. troops, 94,300 of them, don't rebel-held."),
            vec!["U.S", "troops", "94,300", "of", "them", "don't", "rebel-held"]
        );
        assert_eq!(ws("rose 5.93 pct."), vec!["rose", "5.93", "pct"]);
    }

    #[test]
    fn stems_variants_together() {
        assert_eq!(stem("troops"), stem("troop"));
        assert_eq!(stem("Ukrainian"), stem("Ukraine"));
        assert_eq!(stem("Russian"), stem("Russia"));
        assert_eq!(stem("Canadian"), stem("Canada"));
        assert_eq!(stem("defence"), stem("defense"));
        assert_eq!(stem("countries"), stem("country"));
        assert_eq!(stem("deployed"), stem("deploy"));
        assert_eq!(stem("Ukraine's"), stem("Ukraine"));
    }

    #[test]
    fn content_terms_skip_stopwords_and_fold_figures() {
        let t = "The 94,300 troops were near Ukraine";
        assert_eq!(content_terms(t, Span::new(0, t.len())).len(), 4);
        assert_eq!(number_term("94,300"), number_term("94300"));
        assert_eq!(number_term("20.0"), number_term("20"));
        assert_ne!(number_term("20.5"), number_term("20"));
    }
}
