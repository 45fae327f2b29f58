//! Quotes: a draft quote is looked up by its words (marks, case, whitespace,
//! punctuation and ellipses normalized). Found with another speaker:
//! `misattribution`; found with words changed: `misquote`; found nowhere:
//! `unsourced-quote`.

use super::alignment::{self, segments, verbatim, Alignment};
use super::{finding, messages, speaker_reading, Draft, MAX_EVIDENCE};
use crate::corpus::{AnalyzedSource, CorpusIndex};
use crate::extract::entities::same_entity;
use crate::finding::{ClaimKind, Code, Evidence, Status, Suggestion, Verdict};
use crate::terms;
use crate::text::Span;
use crate::Speaker;

/// Quotes shorter than this (in words) are too common to say who said them.
pub(super) const MIN_WORDS_FOR_SPEAKER: usize = 5;
/// Quotes shorter than this are not compared for wording.
const MIN_WORDS_FOR_MISQUOTE: usize = 4;
/// Quotes longer than this are not aligned word by word.
const MAX_MISQUOTE_WORDS: usize = 400;
const NEIGHBOURS: usize = 12;
/// Longest source passage aligned word by word.
const MAX_PASSAGE_WORDS: usize = 3000;

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

/// Are passage words `a` and `b` inside one source quote?
fn same_source_quote(src: &AnalyzedSource, passage: &[(Span, String)], a: usize, b: usize) -> bool {
    let (Some(x), Some(y)) = (passage.get(a), passage.get(b)) else { return false };
    src.analysis.quotes.iter().any(|q| q.span.start <= x.0.start && y.0.end <= q.span.end)
}

/// Do the draft's and a source quote's speakers agree?
enum Agreement {
    Same,
    Different,
    /// One side names nobody, or nobody resolved.
    Unknown,
}

/// Where both the draft and the source name a speaker, they must be one person for
/// the two quotes to be one remark.
fn speaker_agreement(draft: Option<&Speaker>, src: &AnalyzedSource, quote: usize) -> Agreement {
    let Some(ds) = draft.filter(|s| !s.unresolved) else { return Agreement::Unknown };
    match src.speakers().0.get(quote).and_then(|q| q.speaker.as_ref()).filter(|s| !s.unresolved) {
        Some(ss) if same_entity(&ds.entity, &ss.entity) => Agreement::Same,
        Some(_) => Agreement::Different,
        None => Agreement::Unknown,
    }
}

/// Share of the draft sentence's words around a quote (its frame) that the source
/// sentence must hold for a short quote in it to be the same remark.
const SAME_FRAME: f32 = 0.3;

/// The content terms of the draft quote's sentence outside the quote, and their weight.
struct Frame {
    terms: Vec<u64>,
    weight: f32,
}

impl Frame {
    fn of(corpus: &CorpusIndex, d: &Draft, q: &crate::Quote) -> Frame {
        let inside = terms::content_terms(d.masked(), q.span);
        let terms: Vec<u64> = d
            .sentence_terms
            .get(q.sentence)
            .map(|t| t.iter().copied().filter(|x| inside.binary_search(x).is_err()).collect())
            .unwrap_or_default();
        let weight = terms.iter().map(|t| corpus.weight(*t)).sum();
        Frame { terms, weight }
    }
}

/// Does the source sentence holding a quote say what the draft sentence around it says?
fn same_frame(corpus: &CorpusIndex, frame: &Frame, src: &AnalyzedSource, sentence: usize) -> bool {
    frame.terms.len() >= 2
        && src
            .sentence_terms
            .get(sentence)
            .is_some_and(|t| corpus.similarity(&frame.terms, frame.weight, t).0 >= SAME_FRAME)
}

struct Match<'c> {
    source: &'c AnalyzedSource,
    sentence: usize,
    region: Span,
    /// How the passage was aligned: the verdict's reason.
    how: String,
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
    let frame = Frame::of(corpus, d, q);
    // "... Probably." ends a sentence of the draft's quote.
    let ends_sentence = q.span.slice(masked).trim_end().ends_with(['.', '?', '!']);
    let mut found: Vec<Match> = Vec::new();
    let mut reworded: Option<(f32, Match)> = None;
    // The first aligned passage set aside, and why: the reason an unsourced quote gives.
    let mut passed_over: Option<String> = None;
    let mut seen_blocks = std::collections::HashSet::new();
    let neighbours = corpus.similar_sentences(&query, NEIGHBOURS);
    corpus.prefetch_documents_of(&neighbours);
    for s in neighbours.iter().copied() {
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
            if alignment::drops_negation(ends_sentence, passage, l) && same_source_quote(src, passage, l, l + 1) {
                let region = Span::new(passage[f].0.start, passage[l + 1].0.end);
                let how = "The source quote goes on with a negation the draft leaves out.".to_string();
                reworded = Some((1.0, Match { source: src, sentence: sentence_of(src, region.start), region, how }));
                continue;
            }
            let region = Span::new(passage[f].0.start, passage[l].0.end);
            found.push(Match { source: src, sentence: sentence_of(src, region.start), region, how: String::new() });
            continue;
        }
        if words.len() < MIN_WORDS_FOR_MISQUOTE || words.len() > MAX_MISQUOTE_WORDS {
            continue;
        }
        // Reworded: aligned with one passage of one source quote by a compatible speaker.
        for (qi, sq) in src.analysis.quotes.iter().enumerate().filter(|(_, sq)| sq.span.overlaps(Span::new(start, end)))
        {
            let lo = passage.partition_point(|w| w.0.start < sq.span.start);
            let hi = passage.partition_point(|w| w.0.end <= sq.span.end);
            let Some(inside) = passage.get(lo..hi.max(lo)) else { continue };
            let Some(a) = Alignment::of(&words, inside) else { continue };
            let coverage = a.matched as f32 / words.len() as f32;
            if !a.rewords(words.len(), inside.len()) || reworded.as_ref().is_some_and(|r| coverage <= r.0) {
                continue;
            }
            let at = || src.evidence(sq.sentence, sq.span).cite();
            let same_speaker = match speaker_agreement(q.speaker.as_ref(), src, qi) {
                Agreement::Different => {
                    passed_over.get_or_insert_with(|| format!("a passage of {} aligns, said by another speaker", at()));
                    continue;
                }
                Agreement::Same => true,
                Agreement::Unknown => false,
            };
            // A short phrase is the same remark only said by the same person or in the same sentence.
            let same_sentence = same_frame(corpus, &frame, src, sq.sentence);
            if a.is_short(words.len()) && !same_speaker && !same_sentence {
                passed_over.get_or_insert_with(|| {
                    format!("a passage of {} aligns, but a phrase this short needs the same speaker or sentence", at())
                });
                continue;
            }
            let (f, l) = a.source_region(words.len(), inside.len());
            let region = Span::new(inside[f].0.start, inside[l].0.end);
            let by = if same_speaker {
                ", by the same speaker"
            } else if same_sentence {
                ", in a sentence saying what the draft's says"
            } else {
                ""
            };
            let how = format!(
                "One passage of one source quote holds {:.0}% of the draft quote's words in order{by}; the rest differ.",
                coverage * 100.0
            );
            reworded = Some((coverage, Match { source: src, sentence: sentence_of(src, region.start), region, how }));
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
                    let message = messages::speakers_disagree(&ds.text, &names);
                    let reason = format!(
                        "The words are found as written in {} source passages, given to different speakers; the \
                         draft's speaker is {}.",
                        speakers.len(),
                        speaker_reading(ds)
                    );
                    return Some(Verdict {
                        kind: ClaimKind::Quote,
                        span: q.span,
                        status: Status::Disputed,
                        summary: message.clone(),
                        reason,
                        finding: Some(finding(Code::SourcesDisagree, d.text, ds.span, message, evidence.clone(), None)),
                        evidence,
                    });
                }
                let message = messages::misattribution(&ds.text, &first.entity, &ev);
                // Where the source says "she" or "the mayor", the sentence that names her too.
                let named = first_match.source.naming_evidence(first_match.sentence, first);
                let replacement = speaker_replacement(&ds.text, first);
                let reason = format!(
                    "The words are found as written; every source gives them to another speaker ({}); the \
                     draft's speaker is {}.",
                    speaker_reading(first),
                    speaker_reading(ds)
                );
                return Some(Verdict {
                    kind: ClaimKind::Quote,
                    span: q.span,
                    status: Status::Contradicted,
                    summary: message.clone(),
                    reason,
                    finding: Some(finding(
                        Code::Misattribution,
                        d.text,
                        ds.span,
                        message,
                        std::iter::once(ev).chain(named).collect(),
                        Some(replacement),
                    )),
                    evidence,
                });
            }
        }
        let who = speakers.first().map(|(s, _)| format!(", said by {}", s.entity)).unwrap_or_default();
        let reason = match draft_speaker {
            Some(ds) if speakers.iter().any(|(s, _)| same_entity(&ds.entity, &s.entity)) => {
                format!("The words are found as written, given to the draft's speaker ({}).", speaker_reading(ds))
            }
            Some(_) if words.len() < MIN_WORDS_FOR_SPEAKER => {
                "The words are found as written; too few to say who said them.".to_string()
            }
            _ => "The words are found as written; no speaker on one side to compare.".to_string(),
        };
        return Some(Verdict {
            kind: ClaimKind::Quote,
            span: q.span,
            status: Status::Supported,
            summary: format!("Quote found in {}{who}.", evidence[0].cite()),
            evidence,
            finding: None,
            reason,
        });
    }
    if let Some((_, m)) = reworded {
        let ev = m.source.evidence(m.sentence, m.region);
        let wording = m.region.slice(&m.source.doc.text).split_whitespace().collect::<Vec<_>>().join(" ");
        // The fix replaces the quote's words and keeps the draft's own closing punctuation
        // ("… act on it." keeps its full stop where the source's words go on with a comma).
        let words = without_closing_punctuation(d.text, q.span);
        let replacement = wording.trim_end_matches(CLOSING_PUNCTUATION).to_string();
        let message = messages::misquote(words.slice(d.text), &replacement, &ev);
        let evidence = vec![ev];
        let reason = m.how;
        let mut found = finding(Code::Misquote, d.text, q.span, message.clone(), evidence.clone(), None);
        found.suggestion = Some(Suggestion { span: words, replacement });
        return Some(Verdict {
            kind: ClaimKind::Quote,
            span: q.span,
            status: Status::Contradicted,
            summary: message,
            finding: Some(found),
            evidence,
            reason,
        });
    }
    let message = messages::unsourced_quote(draft_quote);
    let reason = match passed_over {
        Some(p) => format!("No source passage holds these words. Nearest: {p}."),
        None => "No source passage holds these words, as written or reworded.".to_string(),
    };
    Some(Verdict {
        kind: ClaimKind::Quote,
        span: q.span,
        status: Status::Unsourced,
        summary: message.clone(),
        reason,
        evidence: Vec::new(),
        finding: Some(finding(Code::UnsourcedQuote, d.text, q.span, message, Vec::new(), None)),
    })
}

/// Punctuation that closes a quoted sentence or clause, and the spaces around it.
const CLOSING_PUNCTUATION: &[char] = &['.', ',', ';', ':', '!', '?', '\u{2026}', ' ', '\t', '\n', '\r'];

/// `span` of `text` without the closing punctuation (and spaces) at its end.
fn without_closing_punctuation(text: &str, span: Span) -> Span {
    let inner = span.slice(text).trim_end_matches(CLOSING_PUNCTUATION);
    let lead = inner.len() - inner.trim_start().len();
    Span::new(span.start + lead, span.start + inner.len().max(lead))
}
