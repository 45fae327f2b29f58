//! Readings: what each block says to speaker resolution, read from its words — the names it
//! writes ([`BlockNames`]), each quote's cue, each sentence's reported speech and opening
//! subject, a lead-in's cue — and the stretch of text each reading read. Resolution reads
//! nothing but readings, so a live analysis ([`SpeakerReadings`]) keeps every block's
//! reading from edit to edit and reads again only the blocks whose reading read text that
//! an edit changed.

use super::attribute::resolve_all;
use super::cues::{make_frame, read_lead_in, read_quote, reported};
use super::known::NameMemo;
use super::mentions::{antecedent_mention, clause_subject, Kind, Mention};
use super::tables::{read_names, BlockNames, SentenceStarts};
use super::tokens::*;
use crate::claims::{Attribution, Quote};
use crate::extract::entities::fold;
use crate::text::{Sentence, Span};
use std::ops::Range;

/// A mention found by a cue, with what its resolution needs of the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct ReadMention {
    pub(super) mention: Mention,
    /// For a relative pronoun ("who"), the mention its commas point to.
    pub(super) antecedent: Option<Mention>,
}

pub(super) fn read_mention(doc: &Doc, mention: Mention) -> ReadMention {
    let antecedent = (mention.kind == Kind::Relative)
        .then(|| antecedent_mention(doc, mention.span.start, fold(mention.span.slice(doc.text)) == "who"))
        .flatten();
    ReadMention { mention, antecedent }
}

/// What a quote says of its speaker.
#[derive(Clone, Debug)]
pub(super) struct QuoteReading {
    /// The mention its cue names.
    pub(super) cue: Option<ReadMention>,
    /// Nothing but space before it in its block.
    pub(super) block_start: bool,
    /// Nothing but a mark or an attribution after it in its block (a quote a continuation follows).
    pub(super) at_end: bool,
    /// Nothing but quotes and marks after it in its block.
    pub(super) rest_is_quotes: bool,
}

/// Reported speech: "X said (that) CONTENT", the speaker a mention yet to be resolved.
#[derive(Clone, Debug)]
pub(super) struct Reported {
    pub(super) content: Span,
    pub(super) cue: Span,
    pub(super) mention: ReadMention,
}

#[derive(Clone, Debug)]
pub(super) struct SentenceReading {
    pub(super) reported: Option<Reported>,
    /// The subject its opening clause names ([`clause_subject`]).
    pub(super) subject: Option<Mention>,
}

/// What one block says to speaker resolution.
#[derive(Clone, Debug, Default)]
pub(super) struct BlockReading {
    /// The lowest and highest offsets of the text read (both included).
    reads: (usize, usize),
    pub(super) names: BlockNames,
    /// Its quotes (those that start in it), in order.
    pub(super) quotes: Vec<QuoteReading>,
    /// Its sentences, in order.
    pub(super) sentences: Vec<SentenceReading>,
    /// A lead-in's cue, if it ends with a colon.
    pub(super) lead_in: Option<ReadMention>,
}

fn shift_mention(m: &mut Mention, delta: isize) {
    m.span = Span::new(m.span.start.wrapping_add_signed(delta), m.span.end.wrapping_add_signed(delta));
    m.from = m.from.wrapping_add_signed(delta);
}

fn shift_read(r: &mut ReadMention, delta: isize) {
    shift_mention(&mut r.mention, delta);
    if let Some(a) = r.antecedent.as_mut() {
        shift_mention(a, delta);
    }
}

impl BlockReading {
    fn shift(&mut self, delta: isize) {
        let moved = |p: usize| p.wrapping_add_signed(delta);
        let span = |s: Span| Span::new(moved(s.start), moved(s.end));
        self.reads = (moved(self.reads.0), moved(self.reads.1));
        self.names.shift(delta);
        for q in &mut self.quotes {
            if let Some(c) = q.cue.as_mut() {
                shift_read(c, delta);
            }
        }
        for s in &mut self.sentences {
            if let Some(r) = s.reported.as_mut() {
                r.content = span(r.content);
                r.cue = span(r.cue);
                shift_read(&mut r.mention, delta);
            }
            if let Some(m) = s.subject.as_mut() {
                shift_mention(m, delta);
            }
        }
        if let Some(l) = self.lead_in.as_mut() {
            shift_read(l, delta);
        }
    }

    /// Did it read any of `from..=to`?
    fn read_any(&self, from: usize, to: usize) -> bool {
        self.reads.0 <= to && from <= self.reads.1
    }
}

/// The parts of an analysis a reading reads.
pub(super) struct Parts<'a> {
    pub(super) text: &'a str,
    pub(super) frame: &'a str,
    pub(super) blocks: &'a [Span],
    pub(super) sentences: &'a [Sentence],
    pub(super) quotes: &'a [Quote],
    pub(super) starts: &'a SentenceStarts,
}

/// Block `b` read (`doc` scans its words).
fn read_block(doc: &Doc, parts: &Parts, b: usize, known: &NameMemo) -> BlockReading {
    let block = parts.blocks[b];
    doc.start_reading();
    doc.note_text_read(block.start, block.end);
    let names = read_names(doc, block, parts.starts, known);
    let qa = parts.quotes.partition_point(|q| block_of(parts.blocks, q.outer.start) < b);
    let qb = parts.quotes.partition_point(|q| block_of(parts.blocks, q.outer.start) <= b);
    let quotes = parts.quotes[qa..qb].iter().map(|q| read_quote(doc, block, parts.sentences, q)).collect();
    let (sa, sb) =
        (parts.sentences.partition_point(|s| s.block < b), parts.sentences.partition_point(|s| s.block <= b));
    let sentences = (sa..sb)
        .map(|si| {
            let sent = &parts.sentences[si];
            // the opening clause of the sentence, read up to the next one's start
            let to = parts.starts.starts.get(si + 1).copied().unwrap_or(parts.text.len());
            let toks = doc.tokens(sent.span.start, to);
            doc.note_text_read(sent.span.start, to);
            let open = toks
                .iter()
                .position(|t| {
                    is_quote_tok(doc.word(*t)) || (ends_clause(doc.word(*t)) && !ends_with_comma(doc.word(*t)))
                })
                .unwrap_or(toks.len());
            SentenceReading { reported: reported(doc, sent, parts.quotes), subject: clause_subject(doc, &toks[..open]) }
        })
        .collect();
    let lead_in = read_lead_in(doc, block);
    BlockReading { reads: doc.reads(), names, quotes, sentences, lead_in }
}

pub(super) fn block_of(blocks: &[Span], offset: usize) -> usize {
    let i = blocks.partition_point(|b| b.end <= offset);
    i.min(blocks.len().saturating_sub(1))
}

/// Blocks `which` read, their words scanned from the first one's start to the sentence after
/// the last (the whole frame if a reading reaches further back, a relative pronoun's commas).
fn read_blocks(parts: &Parts, which: &[usize], known: &NameMemo) -> Vec<BlockReading> {
    let (Some(&first), Some(&last)) = (which.first(), which.last()) else { return Vec::new() };
    let from = parts.blocks[first].start;
    let next = parts.sentences.partition_point(|s| s.block <= last);
    let to = parts.starts.starts.get(next).copied().unwrap_or(parts.text.len()).max(parts.blocks[last].end);
    let doc = Doc::over(parts.text, parts.frame, Span::new(from, to));
    let read: Vec<BlockReading> = which.iter().map(|&b| read_block(&doc, parts, b, known)).collect();
    if !doc.overflowed() {
        return read;
    }
    let whole = Doc::new(parts.text, parts.frame);
    which.iter().map(|&b| read_block(&whole, parts, b, known)).collect()
}

/// Every block read, over the whole frame.
pub(super) fn read_all(parts: &Parts, known: &NameMemo) -> Vec<BlockReading> {
    let doc = Doc::new(parts.text, parts.frame);
    (0..parts.blocks.len()).map(|b| read_block(&doc, parts, b, known)).collect()
}

/// Each block's reading of a text, kept up to date edit by edit with the analysis it reads
/// (see `incremental/`), and the name facts met so far.
#[derive(Default)]
pub struct SpeakerReadings {
    blocks: Vec<BlockReading>,
    known: NameMemo,
}

/// The most name strings kept between edits.
const KNOWN_NAMES: usize = 20_000;

impl SpeakerReadings {
    /// Fills in each quote's speaker and returns the reported speech, every block read afresh.
    pub fn attribute(
        &mut self,
        text: &str,
        blocks: &[Span],
        sentences: &[Sentence],
        quotes: &mut [Quote],
    ) -> Vec<Attribution> {
        self.known.bound(KNOWN_NAMES);
        if blocks.is_empty() || sentences.is_empty() {
            self.blocks.clear();
            return Vec::new();
        }
        let frame = make_frame(text, quotes);
        let starts = SentenceStarts::new(text, sentences);
        let parts = Parts { text, frame: &frame, blocks, sentences, quotes, starts: &starts };
        self.blocks = read_all(&parts, &self.known);
        resolve_all(text, blocks, sentences, &starts, quotes, &self.blocks, &self.known)
    }

    /// [`SpeakerReadings::attribute`] after an edit: blocks `replaced` of the text before it
    /// are blocks `read` of this one, every block after them moved by `delta` bytes, and the
    /// text may differ from the one before only in `changed` (quotes re-read included). The
    /// readings of the blocks `read`, and of every block whose reading read any of `changed`,
    /// are read again; every other reading is kept, moved.
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        text: &str,
        blocks: &[Span],
        sentences: &[Sentence],
        quotes: &mut [Quote],
        replaced: Range<usize>,
        read: Range<usize>,
        delta: isize,
        changed: Span,
    ) -> Vec<Attribution> {
        self.known.bound(KNOWN_NAMES);
        if blocks.is_empty() || sentences.is_empty() || self.blocks.len() + read.len() != blocks.len() + replaced.len()
        {
            return self.attribute(text, blocks, sentences, quotes);
        }
        self.blocks[replaced.end..].iter_mut().for_each(|r| r.shift(delta));
        self.blocks.splice(replaced, read.clone().map(|_| BlockReading::default()));
        let which: Vec<usize> = (0..blocks.len())
            .filter(|b| read.contains(b) || self.blocks[*b].read_any(changed.start, changed.end))
            .collect();
        let frame = make_frame(text, quotes);
        let starts = SentenceStarts::new(text, sentences);
        let parts = Parts { text, frame: &frame, blocks, sentences, quotes, starts: &starts };
        for (b, r) in which.iter().zip(read_blocks(&parts, &which, &self.known)) {
            self.blocks[*b] = r;
        }
        resolve_all(text, blocks, sentences, &starts, quotes, &self.blocks, &self.known)
    }
}
