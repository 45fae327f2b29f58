//! Attribution in document order: each quote's cue and each sentence's reported speech
//! resolved against the name tables and the speakers before it; a quote without a cue takes
//! the previous quote's speaker (in its paragraph, or a continuation's), or a lead-in's.

use super::known::NameMemo;
use super::reading::{block_of, BlockReading, QuoteReading, SpeakerReadings};
use super::resolution::Resolver;
use super::tables::{NameTables, SentenceStarts};
use crate::claims::{Attribution, Quote, Speaker};
use crate::text::{Sentence, Span};

/// Fills in each quote's speaker and returns the reported-speech attributions.
pub fn attribute(text: &str, blocks: &[Span], sentences: &[Sentence], quotes: &mut [Quote]) -> Vec<Attribution> {
    SpeakerReadings::default().attribute(text, blocks, sentences, quotes)
}

/// [`attribute`] from the blocks' readings.
pub(super) fn resolve_all(
    text: &str,
    blocks: &[Span],
    sentences: &[Sentence],
    starts: &SentenceStarts,
    quotes: &mut [Quote],
    readings: &[BlockReading],
    known: &NameMemo,
) -> Vec<Attribution> {
    let tables = NameTables::merge(readings.iter().map(|r| &r.names), known);
    let subjects = readings.iter().flat_map(|r| r.sentences.iter().map(|s| s.subject)).collect();
    let mut resolver = Resolver::new(tables, text, starts, subjects);
    let quote_readings: Vec<&QuoteReading> = readings.iter().flat_map(|r| &r.quotes).collect();
    let reported: Vec<_> = readings.iter().flat_map(|r| r.sentences.iter().map(|s| s.reported.as_ref())).collect();
    debug_assert_eq!((quote_readings.len(), reported.len()), (quotes.len(), sentences.len()));
    let mut attributions = Vec::new();
    let mut qi = 0;
    // speaker of the last quote, and the block it was in
    let mut last_quote: Option<(usize, Speaker, usize)> = None; // (block, speaker, quote index)
    for (si, r) in reported.iter().enumerate() {
        while qi < quotes.len() && quotes[qi].sentence <= si {
            let bi = block_of(blocks, quotes[qi].outer.start);
            let last = last_quote.as_ref();
            let speaker = quote_speaker(readings, &quote_readings, &quotes[qi], qi, bi, &mut resolver, last);
            if let Some(s) = &speaker {
                last_quote = Some((bi, s.clone(), qi));
            }
            quotes[qi].speaker = speaker;
            qi += 1;
        }
        if let Some(r) = r {
            let speaker = resolver.resolve(&r.mention);
            attributions.push(Attribution { content: r.content, cue: r.cue, speaker, sentence: si });
        }
    }
    attributions
}

fn quote_speaker(
    readings: &[BlockReading],
    quote_readings: &[&QuoteReading],
    q: &Quote,
    qi: usize,
    bi: usize,
    resolver: &mut Resolver,
    last: Option<&(usize, Speaker, usize)>,
) -> Option<Speaker> {
    let read = quote_readings[qi];
    if let Some(c) = &read.cue {
        return Some(resolver.resolve(c));
    }
    // same paragraph: the previous quote's speaker
    if let Some((lb, s, lq)) = last {
        if *lb == bi && !q.partial {
            return Some(s.clone());
        }
        // a continuation piece, or a paragraph that is only a quote after a quoted paragraph
        if read.block_start && *lb + 1 == bi && !q.partial && quote_readings[*lq].at_end && read.rest_is_quotes {
            return Some(s.clone());
        }
    }
    // lead-in paragraph ending with a colon: "The minister continued:"
    if read.block_start && bi > 0 {
        if let Some(c) = &readings[bi - 1].lead_in {
            return Some(resolver.resolve(c));
        }
    }
    None
}
