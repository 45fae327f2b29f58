//! Word alignment of a draft quote with source wording.
//!
//! A draft quote is *the same words* as a source passage when its segments (split at
//! ellipses, bracketed insertions dropped) occur there in order, each contiguous
//! ([`verbatim`]). It is *the same quote reworded* only when it aligns with one
//! contiguous passage of one source quote ([`Alignment::rewords`]): most of its words,
//! in order, with few gaps, sharing a run of several words that carries meaning, and
//! neither side running past the other's quote boundary (a longer excerpt of the same
//! remark is not a misquote). Words gathered across a paragraph, or a short common
//! phrase, never make a misquote.

use crate::terms;
use crate::text::Span;

/// Draft quote words split into segments at ellipses; bracketed insertions dropped.
pub(super) fn segments(text: &str, span: Span) -> Vec<Vec<String>> {
    let raw = span.slice(text);
    let mut segs: Vec<Vec<String>> = vec![Vec::new()];
    let mut depth = 0usize;
    let mut piece_start = 0usize;
    let flush = |segs: &mut Vec<Vec<String>>, from: usize, to: usize| {
        if from < to {
            let words = terms::quote_words(text, Span::new(span.start + from, span.start + to));
            if let Some(s) = segs.last_mut() {
                s.extend(words.into_iter().map(|w| w.1));
            }
        }
    };
    let mut i = 0;
    let bytes = raw.as_bytes();
    while i < raw.len() {
        let rest = &raw[i..];
        if rest.starts_with('[') {
            if depth == 0 {
                flush(&mut segs, piece_start, i);
            }
            depth += 1;
            i += 1;
            continue;
        }
        if rest.starts_with(']') && depth > 0 {
            depth -= 1;
            i += 1;
            if depth == 0 {
                piece_start = i;
                segs.push(Vec::new());
            }
            continue;
        }
        // "..." and "…" are both three bytes
        let ellipsis = if rest.starts_with("...") || rest.starts_with('\u{2026}') { 3 } else { 0 };
        if ellipsis > 0 && depth == 0 {
            flush(&mut segs, piece_start, i);
            segs.push(Vec::new());
            i += ellipsis;
            while i < raw.len() && bytes[i] == b'.' {
                i += 1;
            }
            piece_start = i;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if depth == 0 {
        flush(&mut segs, piece_start, raw.len());
    }
    segs.retain(|s| !s.is_empty());
    segs
}

/// Finds the segments in order, each contiguous, in `passage`; returns the matched word range.
pub(super) fn verbatim(segs: &[Vec<String>], passage: &[(Span, String)]) -> Option<(usize, usize)> {
    let mut from = 0;
    let mut first = None;
    let mut last = 0;
    for seg in segs {
        let n = seg.len();
        let pos = (from..passage.len().saturating_sub(n - 1))
            .find(|&p| passage[p..p + n].iter().map(|w| &w.1).eq(seg.iter()))?;
        first.get_or_insert(pos);
        last = pos + n - 1;
        from = pos + n;
    }
    first.map(|f| (f, last))
}

/// How a draft quote's words line up with one source quote's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Alignment {
    /// Words matched, in order (longest common subsequence).
    pub matched: usize,
    /// First and last matched draft word.
    pub draft: (usize, usize),
    /// First and last matched source word.
    pub source: (usize, usize),
    /// Longest run of consecutive words matched on both sides.
    pub run: usize,
    /// Matched words that are not stopwords.
    pub content: usize,
}

/// Share of the draft's words a source quote must hold, in order, to be the same quote reworded.
const COVERAGE: f32 = 0.6;
/// Shortest shared run of consecutive words.
const MIN_RUN: usize = 3;
/// Fewest matched content words (a short phrase with few also needs its speaker or its
/// sentence to agree, see [`Alignment::is_short`]).
const MIN_CONTENT: usize = 1;
/// A quote with fewer words, or fewer matched content words, than this is a short or
/// common phrase: its wording alone does not tell which remark it is.
const DISTINCTIVE_WORDS: usize = 6;
const DISTINCTIVE_CONTENT: usize = 3;
/// Share of the aligned source passage that the matched words must make up: a translation
/// or a slip keeps most of the words in place; words spread over a long quote are not it.
const DENSITY: f32 = 0.5;

impl Alignment {
    /// Aligns draft `words` with `source` words (longest common subsequence); None when nothing matches.
    pub fn of(words: &[&String], source: &[(Span, String)]) -> Option<Alignment> {
        let n = words.len();
        let m = source.len();
        if n == 0 || m == 0 {
            return None;
        }
        let width = m + 1;
        let mut dp = vec![0u16; (n + 1) * width];
        for i in 1..=n {
            for j in 1..=m {
                dp[i * width + j] = if *words[i - 1] == source[j - 1].1 {
                    dp[(i - 1) * width + j - 1] + 1
                } else {
                    dp[(i - 1) * width + j].max(dp[i * width + j - 1])
                };
            }
        }
        let mut pairs = Vec::new();
        let (mut i, mut j) = (n, m);
        while i > 0 && j > 0 {
            if *words[i - 1] == source[j - 1].1 && dp[i * width + j] == dp[(i - 1) * width + j - 1] + 1 {
                pairs.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
            } else if dp[(i - 1) * width + j] >= dp[i * width + j - 1] {
                i -= 1;
            } else {
                j -= 1;
            }
        }
        pairs.reverse();
        let (&(df, sf), &(dl, sl)) = (pairs.first()?, pairs.last()?);
        let (mut run, mut best) = (0usize, 0usize);
        for (k, p) in pairs.iter().enumerate() {
            let follows = k > 0 && pairs[k - 1] == (p.0.wrapping_sub(1), p.1.wrapping_sub(1));
            run = if follows { run + 1 } else { 1 };
            best = best.max(run);
        }
        let content = pairs.iter().filter(|p| !terms::is_stopword(words[p.0])).count();
        Some(Alignment { matched: pairs.len(), draft: (df, dl), source: (sf, sl), run: best, content })
    }

    /// Is a draft quote of `n` words, aligned with a source quote of `m` words, that
    /// quote reworded? (Not merely words it shares with it.)
    pub fn rewords(&self, n: usize, m: usize) -> bool {
        let span = |(f, l): (usize, usize)| (l + 1 - f) as f32;
        // The draft goes on where the source quote has ended, or begins before it began:
        // the sources quote a shorter excerpt of the remark, not other words.
        let longer_excerpt =
            (self.draft.0 > 0 && self.source.0 == 0) || (self.draft.1 + 1 < n && self.source.1 + 1 == m);
        let matched = self.matched as f32;
        self.matched >= MIN_RUN
            && matched >= COVERAGE * n as f32
            && matched >= DENSITY * span(self.source)
            && self.run >= MIN_RUN
            && self.content >= MIN_CONTENT
            && !longer_excerpt
    }

    /// Too short or common for its wording alone to tell which remark it is (see
    /// [`DISTINCTIVE_WORDS`]): it needs the same speaker or the same sentence around it.
    pub fn is_short(&self, n: usize) -> bool {
        n < DISTINCTIVE_WORDS || self.content < DISTINCTIVE_CONTENT
    }

    /// The source words the draft's wording stands for: the matched range, reaching past
    /// it by as many words as the draft has unmatched before and after (a changed first
    /// or last word is part of the wording shown).
    pub fn source_region(&self, n: usize, m: usize) -> (usize, usize) {
        let first = self.source.0.saturating_sub(self.draft.0);
        let last = (self.source.1 + (n - 1 - self.draft.1)).min(m - 1);
        (first, last)
    }
}

/// Negations whose loss turns a quote around ("Probably." for "Probably not.").
const NEGATIONS: &[&str] = &["not", "never", "no", "nor"];

/// Does a verbatim match that ends a draft sentence stop right before a negation
/// that the source quote goes on with?
pub(super) fn drops_negation(draft_ends_sentence: bool, source: &[(Span, String)], last: usize) -> bool {
    draft_ends_sentence && source.get(last + 1).is_some_and(|w| NEGATIONS.contains(&w.1.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<(Span, String)> {
        terms::quote_words(s, Span::new(0, s.len()))
    }

    fn align(draft: &str, source: &str) -> (Option<Alignment>, usize, usize) {
        let d = words(draft);
        let w: Vec<&String> = d.iter().map(|x| &x.1).collect();
        let s = words(source);
        (Alignment::of(&w, &s), d.len(), s.len())
    }

    fn rewords(draft: &str, source: &str) -> bool {
        let (a, n, m) = align(draft, source);
        a.is_some_and(|a| a.rewords(n, m))
    }

    #[test]
    fn segments_split_at_ellipses_and_drop_brackets() {
        let t = "We will [not] go ... and stay\u{2026} home";
        let s = segments(t, Span::new(0, t.len()));
        assert_eq!(s, vec![vec!["we", "will"], vec!["go"], vec!["and", "stay"], vec!["home"]]);
    }

    #[test]
    fn verbatim_finds_segments_in_order() {
        let passage = words("they said we will go and then stay home today");
        let segs = vec![vec!["we".to_string(), "will".into()], vec!["stay".into(), "home".into()]];
        assert_eq!(verbatim(&segs, &passage), Some((2, 8)));
        let segs = vec![vec!["stay".to_string()], vec!["we".into()]];
        assert_eq!(verbatim(&segs, &passage), None);
    }

    #[test]
    fn one_changed_word_in_a_contiguous_passage_rewords_it() {
        assert!(rewords(
            "the harbour wall is a warning, not a prediction",
            "the harbour wall is a warning, not a forecast, the engineer said"
        ));
        assert!(rewords("we will rebuild the pier by the spring", "we will rebuild the old pier by the spring"));
    }

    #[test]
    fn words_scattered_over_a_long_quote_are_not_a_misquote() {
        // Every draft word occurs in the source, in order, but spread over many words.
        let source = "this city is proud of its history and in spite of everything in the past \
                      their work shows in the heads of everyone who stayed, and a consciousness of place";
        assert!(!rewords("this is in their heads. this is in their consciousness", source));
    }

    #[test]
    fn common_words_alone_do_not_make_a_misquote() {
        // Matched in order but only stopwords in common and no run of three.
        assert!(!rewords("it is what it was for us", "it is not what we said it was for them"));
    }

    #[test]
    fn a_longer_excerpt_of_the_same_remark_is_not_a_misquote() {
        // The source quotes the first sentence; the draft goes on with the next one.
        assert!(!rewords("the river rose in the night. everyone left before dawn", "the river rose in the night"));
        assert!(!rewords(
            "people were scared. the river rose in the night",
            "the river rose in the night, and then it fell"
        ));
    }

    #[test]
    fn the_source_region_reaches_over_changed_end_words() {
        let (a, n, m) = align(
            "the harbour wall is a warning, not a prediction",
            "engineers said the harbour wall is a warning, not a forecast today",
        );
        let a = a.expect("aligned");
        assert!(a.rewords(n, m));
        assert!(!a.is_short(n));
        assert_eq!(a.source_region(n, m), (2, 10));
        let (a, n, _) = align("not a prediction at all", "not a forecast at all");
        assert!(a.expect("aligned").is_short(n));
    }

    #[test]
    fn a_dropped_negation_at_the_end_of_a_sentence_is_noticed() {
        let s = words("do we have a plan? probably not. we will see");
        // do we have a plan? probably | not
        assert!(drops_negation(true, &s, 5));
        assert!(!drops_negation(false, &s, 5));
        assert!(!drops_negation(true, &s, 6));
    }
}
