//! Which of a query's terms find its candidate sentences.
//!
//! Every term of a sentence weighs in when candidates are scored, but gathering candidates
//! reads the postings of each term used to find them, and in a large archive a fairly
//! common word holds hundreds of thousands of sentences. The terms that find candidates
//! are therefore the query's rarest — the most telling, whose postings are shortest — up
//! to a bound on the postings read, so that one ranking costs the same at 100,000 stories
//! as at 1,000,000. The choice depends only on the terms' frequencies (ties by term), so
//! every base, in memory or in a database, finds the same candidates.

/// A term in more sentences than this share of the corpus is not used to *find*
/// candidates (it still counts when candidates are scored).
pub(super) const COMMON_TERM_SHARE: usize = 25;

/// Postings the terms that find one query's candidates may hold together.
pub(super) const FINDING_POSTINGS: usize = 50_000;

/// The terms (with their weights) of `query`, each given as (sentences holding it, term,
/// weight), that find its candidates in a corpus of `sentences` sentences: none in more
/// than a [`COMMON_TERM_SHARE`]th of the sentences (or 200, in a small corpus), and of the
/// others the rarest, ties by term, while their postings add up to at most `budget`.
pub(super) fn finding_terms(query: &[(usize, u64, f32)], sentences: usize, budget: usize) -> Vec<(u64, f32)> {
    let common = (sentences / COMMON_TERM_SHARE).max(200);
    let mut by_rarity: Vec<(usize, u64, f32)> = query.iter().copied().filter(|&(n, _, _)| n <= common).collect();
    by_rarity.sort_unstable_by_key(|&(n, t, _)| (n, t));
    let mut spent = 0usize;
    by_rarity
        .into_iter()
        .take_while(|&(n, _, _)| {
            spent = spent.saturating_add(n);
            spent <= budget
        })
        .map(|(_, t, w)| (t, w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rarest_terms_find_candidates_within_the_budget() {
        // (sentences holding the term, term, weight), in query order.
        let query = [(900, 1, 1.0), (40, 2, 4.0), (5_000, 3, 0.5), (40, 0, 4.0), (300, 4, 2.0)];
        // In 1,000,000 sentences nothing is common: the rarest first, ties by term, while
        // the postings stay within the budget (40 + 40 + 300 + 900 = 1,280).
        assert_eq!(finding_terms(&query, 1_000_000, 1_280), vec![(0, 4.0), (2, 4.0), (4, 2.0), (1, 1.0)]);
        assert_eq!(finding_terms(&query, 1_000_000, 1_279), vec![(0, 4.0), (2, 4.0), (4, 2.0)]);
        // Of two equally rare terms, the lower one first; a term alone over the budget
        // finds nothing.
        assert_eq!(finding_terms(&query, 1_000_000, 79), vec![(0, 4.0)]);
        assert_eq!(finding_terms(&query, 1_000_000, 39), Vec::<(u64, f32)>::new());
        // Without a binding budget, only common terms are left out: 5,000 of 100,000 is a
        // 20th, more than a 25th.
        assert_eq!(finding_terms(&query, 100_000, usize::MAX).len(), 4);
        assert_eq!(finding_terms(&query, 200_000, usize::MAX).len(), 5);
    }

    #[test]
    fn a_small_corpus_uses_terms_up_to_200_sentences() {
        let query = [(150, 1, 1.0), (201, 2, 1.0)];
        assert_eq!(finding_terms(&query, 1_000, usize::MAX), vec![(1, 1.0)]);
    }
}
