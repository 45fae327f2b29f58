//! Quotes: a draft quote is looked up by its words (marks, case, whitespace,
//! punctuation and ellipses normalized). Found with another speaker:
//! `misattribution`; found with words changed: `misquote`; found nowhere:
//! `unsourced-quote`.

use super::{cite, finding, Draft, MAX_EVIDENCE};
use crate::corpus::{AnalyzedSource, CorpusIndex};
use crate::extract::entities::same_entity;
use crate::finding::{ClaimKind, Code, Evidence, Status, Verdict};
use crate::terms;
use crate::text::Span;
use crate::Speaker;

/// Quotes shorter than this (in words) are too common to say who said them.
pub(super) const MIN_WORDS_FOR_SPEAKER: usize = 5;
/// Quotes shorter than this are not compared for wording.
const MIN_WORDS_FOR_MISQUOTE: usize = 4;
/// Share of the draft's words a source quote must hold, in order, to be the same quote reworded.
const MISQUOTE_COVERAGE: f32 = 0.6;
const NEIGHBOURS: usize = 12;
/// Longest source passage aligned word by word.
const MAX_PASSAGE_WORDS: usize = 3000;

/// Draft quote words split into segments at ellipses; bracketed insertions dropped.
fn segments(text: &str, span: Span) -> Vec<Vec<String>> {
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
fn verbatim(segs: &[Vec<String>], passage: &[(Span, String)]) -> Option<(usize, usize)> {
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

/// Longest common subsequence of words: (matched, first and last passage word of the
/// aligned region). The region reaches past the first and last matches by as many
/// passage words as the draft has unmatched words there, so a changed first or last
/// word is part of the source wording shown.
fn align(words: &[&String], passage: &[(Span, String)]) -> (usize, usize, usize) {
    let n = words.len();
    let m = passage.len();
    if n == 0 || m == 0 {
        return (0, 0, 0);
    }
    let mut dp = vec![0u16; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in 1..=n {
        for j in 1..=m {
            dp[at(i, j)] = if *words[i - 1] == passage[j - 1].1 {
                dp[at(i - 1, j - 1)] + 1
            } else {
                dp[at(i - 1, j)].max(dp[at(i, j - 1)])
            };
        }
    }
    // Trace back the matched passage positions.
    let (mut i, mut j) = (n, m);
    let (mut first, mut last) = (usize::MAX, 0usize);
    let (mut first_word, mut last_word) = (0usize, 0usize);
    while i > 0 && j > 0 {
        if *words[i - 1] == passage[j - 1].1 && dp[at(i, j)] == dp[at(i - 1, j - 1)] + 1 {
            if first == usize::MAX {
                last_word = i - 1;
            }
            first_word = i - 1;
            first = first.min(j - 1);
            last = last.max(j - 1);
            i -= 1;
            j -= 1;
        } else if dp[at(i - 1, j)] >= dp[at(i, j - 1)] {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    if first == usize::MAX {
        return (0, 0, 0);
    }
    let first = first.saturating_sub(first_word);
    let last = (last + (n - 1 - last_word)).min(m - 1);
    (dp[at(n, m)] as usize, first, last)
}

/// Who a source gives the words at `at` to: the quote holding them, else the reported speech.
pub(super) fn source_speaker(src: &AnalyzedSource, at: Span) -> Option<&Speaker> {
    let (quotes, attributions) = src.speakers();
    let from_quote = quotes
        .iter()
        .find(|q| q.outer.start <= at.start && at.start < q.outer.end.max(q.span.end))
        .and_then(|q| q.speaker.as_ref());
    let found = from_quote.or_else(|| attributions.iter().find(|r| r.content.overlaps(at)).map(|r| &r.speaker))?;
    (!found.unresolved).then_some(found)
}

fn in_source_quote(src: &AnalyzedSource, at: Span) -> bool {
    src.analysis.quotes.iter().any(|q| q.outer.start <= at.start && at.end <= q.outer.end)
}

/// Narrows a passage word range to the source quote holding its middle word.
fn clamp_to_quote(src: &AnalyzedSource, passage: &[(Span, String)], f: usize, l: usize) -> (usize, usize) {
    let mid = passage[(f + l) / 2].0.start;
    match src.analysis.quotes.iter().find(|q| q.span.contains(mid)) {
        Some(q) => {
            let f2 = (f..=l).find(|&k| passage[k].0.start >= q.span.start).unwrap_or(f);
            let l2 = (f2..=l).rev().find(|&k| passage[k].0.end <= q.span.end).unwrap_or(l);
            (f2, l2)
        }
        None => (f, l),
    }
}

struct Match<'c> {
    source: &'c AnalyzedSource,
    sentence: usize,
    region: Span,
}

fn sentence_of(src: &AnalyzedSource, at: usize) -> usize {
    src.analysis.sentence_at(at).unwrap_or(0)
}

/// The speaker's name as the draft should write it: a surname for a surname, else the full name.
pub(super) fn speaker_replacement(draft_mention: &str, source: &Speaker) -> String {
    let one_word = !draft_mention.trim().contains(char::is_whitespace);
    let name = source.entity.trim();
    if one_word && name.chars().next().is_some_and(char::is_uppercase) {
        name.rsplit(' ').next().unwrap_or(name).to_string()
    } else {
        name.to_string()
    }
}

pub(super) fn check(corpus: &CorpusIndex, d: &Draft, index: usize) -> Option<Verdict> {
    let q = d.analysis.quotes.get(index)?;
    let masked = d.masked();
    let segs = segments(masked, q.span);
    let words: Vec<&String> = segs.iter().flatten().collect();
    // One-word quotes are names, nicknames and scare quotes, not quotations.
    if words.len() < 2 {
        return None;
    }
    let mut query = terms::content_terms(masked, q.span);
    if query.len() < 2 {
        // "But I do suggest": too few content words to find; look for its sentence instead.
        if let Some(sent) = d.sentence_terms.get(q.sentence) {
            query = sent.clone();
        }
    }
    let mut found: Vec<Match> = Vec::new();
    let mut reworded: Option<(f32, Match)> = None;
    let mut seen_blocks = std::collections::HashSet::new();
    for s in corpus.similar_sentences(&query, NEIGHBOURS).iter().copied() {
        let Some(src) = corpus.get(s.at.doc) else { continue };
        let Some(sent) = src.analysis.sentences.get(s.at.sentence as usize) else { continue };
        if !seen_blocks.insert((s.at.doc, sent.block)) {
            continue;
        }
        // Align against the paragraph, and the next one: quotes run across sentences and paragraphs.
        let blocks = &src.analysis.prose.blocks;
        let start = blocks.get(sent.block).map_or(sent.span.start, |b| b.start);
        let end = blocks.get(sent.block + 1).or(blocks.get(sent.block)).map_or(sent.span.end, |b| b.end);
        let passage = corpus.memo_passage(s.at.doc, sent.block, || {
            terms::quote_words(&src.analysis.prose.masked, Span::new(start, end))
        });
        let passage = &passage[..passage.len().min(MAX_PASSAGE_WORDS)];
        if let Some((f, l)) = verbatim(&segs, passage) {
            let region = Span::new(passage[f].0.start, passage[l].0.end);
            found.push(Match { source: src, sentence: sentence_of(src, region.start), region });
            continue;
        }
        if words.len() >= MIN_WORDS_FOR_MISQUOTE && words.len() <= 400 {
            let (matched, f, l) = align(&words, passage);
            let coverage = matched as f32 / words.len() as f32;
            // Keep the region inside the source quote that holds its middle.
            let (f, l) = clamp_to_quote(src, passage, f, l);
            let region = Span::new(passage[f].0.start, passage[l].0.end);
            if matched >= 3
                && coverage >= MISQUOTE_COVERAGE
                && in_source_quote(src, region)
                && reworded.as_ref().is_none_or(|r| coverage > r.0)
            {
                reworded = Some((coverage, Match { source: src, sentence: sentence_of(src, region.start), region }));
            }
        }
    }
    let draft_quote = q.outer.slice(d.text);
    // A passage reached from two of its sentences is one match.
    let mut seen = std::collections::HashSet::new();
    found.retain(|m| seen.insert((std::ptr::from_ref(m.source), m.region.start)));
    if !found.is_empty() {
        let evidence: Vec<Evidence> =
            found.iter().take(MAX_EVIDENCE).map(|m| m.source.evidence(m.sentence, m.region)).collect();
        // Who do the sources give these words to?
        let speakers: Vec<(&Speaker, &Match)> =
            found.iter().filter_map(|m| source_speaker(m.source, m.region).map(|s| (s, m))).collect();
        let draft_speaker = q.speaker.as_ref().filter(|s| !s.unresolved);
        if let (Some(ds), Some(&(first, first_match))) = (draft_speaker, speakers.first()) {
            if words.len() >= MIN_WORDS_FOR_SPEAKER && !speakers.iter().any(|(s, _)| same_entity(&ds.entity, &s.entity))
            {
                let ev = first_match.source.evidence(first_match.sentence, first_match.region);
                let others_disagree = speakers.iter().any(|(s, _)| !same_entity(&s.entity, &first.entity));
                if others_disagree {
                    let names: Vec<&str> = speakers.iter().map(|(s, _)| s.entity.as_str()).collect();
                    let message = format!(
                        "The sources give this quote to different speakers ({}), not to {}.",
                        names.join(", "),
                        ds.entity
                    );
                    return Some(Verdict {
                        kind: ClaimKind::Quote,
                        span: q.span,
                        status: Status::Disputed,
                        summary: message.clone(),
                        finding: Some(finding(Code::SourcesDisagree, d.text, ds.span, message, evidence.clone(), None)),
                        evidence,
                    });
                }
                let message =
                    format!("{} did not say this: {} gives the quote to {}.", ds.text, cite(&ev), first.entity);
                let replacement = speaker_replacement(&ds.text, first);
                return Some(Verdict {
                    kind: ClaimKind::Quote,
                    span: q.span,
                    status: Status::Contradicted,
                    summary: message.clone(),
                    finding: Some(finding(Code::Misattribution, d.text, ds.span, message, vec![ev], Some(replacement))),
                    evidence,
                });
            }
        }
        let who = speakers.first().map(|(s, _)| format!(", said by {}", s.entity)).unwrap_or_default();
        return Some(Verdict {
            kind: ClaimKind::Quote,
            span: q.span,
            status: Status::Supported,
            summary: format!("Quote found in {}{who}.", cite(&evidence[0])),
            evidence,
            finding: None,
        });
    }
    if let Some((_, m)) = reworded {
        let ev = m.source.evidence(m.sentence, m.region);
        let wording = m.region.slice(&m.source.doc.text).split_whitespace().collect::<Vec<_>>().join(" ");
        let message = format!("Misquote: {} has \u{201C}{wording}\u{201D}.", cite(&ev));
        let evidence = vec![ev];
        return Some(Verdict {
            kind: ClaimKind::Quote,
            span: q.span,
            status: Status::Contradicted,
            summary: message.clone(),
            finding: Some(finding(Code::Misquote, d.text, q.span, message, evidence.clone(), Some(wording))),
            evidence,
        });
    }
    let message =
        format!("{}: no source holds this quote.", draft_quote.split_whitespace().collect::<Vec<_>>().join(" "));
    Some(Verdict {
        kind: ClaimKind::Quote,
        span: q.span,
        status: Status::Unsourced,
        summary: message.clone(),
        evidence: Vec::new(),
        finding: Some(finding(Code::UnsourcedQuote, d.text, q.span, message, Vec::new(), None)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_at_ellipses_and_drop_brackets() {
        let t = "We will [not] go ... and stay… home";
        let s = segments(t, Span::new(0, t.len()));
        assert_eq!(s, vec![vec!["we", "will"], vec!["go"], vec!["and", "stay"], vec!["home"]]);
    }

    #[test]
    fn verbatim_finds_segments_in_order() {
        let p = "they said we will go and then stay home today";
        let passage = terms::quote_words(p, Span::new(0, p.len()));
        let segs = vec![vec!["we".to_string(), "will".into()], vec!["stay".into(), "home".into()]];
        assert_eq!(verbatim(&segs, &passage), Some((2, 8)));
        let segs = vec![vec!["stay".to_string()], vec!["we".into()]];
        assert_eq!(verbatim(&segs, &passage), None);
    }
}
