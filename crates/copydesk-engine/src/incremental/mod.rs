//! Incremental analysis: an edit re-reads only the stretch of the text it touched.
//!
//! A [`LiveAnalysis`] keeps a text and its [`Analysis`]. An edit ([`Edit`], the byte ranges
//! it changed) is taken in three steps, and the result equals [`crate::analyze`] of the new
//! text in every field (tests: `tests/incremental.rs`, random edit sequences):
//!
//! 1. **Reading** (`window.rs`): the window of blocks around the edit, between two places
//!    where a reader starts afresh, is read again on its own (Markdown or plain text →
//!    masked prose and blocks); the masked text, blocks and ignored lines outside it are
//!    kept, moved by the edit's change in length. A text whose reading may reach further
//!    (Markdown link definitions, front matter) is read whole.
//! 2. **Extraction, block by block**: sentences and figures are read per block and per
//!    sentence, so only the window's blocks are split and scanned; quotes are read per
//!    block but a quote left open continues into a block that reopens it, so the block
//!    before the window is read for quotes again too. Everything outside is kept, its spans
//!    moved and its sentence and block numbers renumbered.
//! 3. **The cross-block pass**: speakers are resolved document-wide (a surname, a pronoun
//!    or a role is read against the names of every block; a quote without a cue takes the
//!    previous quote's speaker), from each block's reading ([`SpeakerReadings`]: its names,
//!    cues and the stretch of text it read), kept from edit to edit; only the blocks whose
//!    reading read what the edit changed are read again, and every mention is resolved
//!    again from the readings. The derived readings a check uses ([`crate::derived`]) keep
//!    the terms of every sentence outside the window; the draft's names and story date
//!    (read from the whole draft) are worked out again.
//!
//! Nothing else in an analysis reads across blocks.

mod edit;
mod window;

pub use edit::Edit;

use crate::extract::speakers::SpeakerReadings;
use crate::extract::{quantities, quotes};
use crate::markdown::{self, ignored_line_after};
use crate::text::{line_breaks, split_sentences, Sentence, Span};
use crate::{Analysis, TextFormat};

/// What the last update read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reread {
    /// Nothing: the text is as it was.
    Nothing,
    /// The whole text.
    Whole,
    /// The window `old` of the text before, which is `new` in the text after.
    Window { old: Span, new: Span },
}

/// A text and its analysis, kept up to date edit by edit.
pub struct LiveAnalysis {
    text: String,
    format: TextFormat,
    analysis: Analysis,
    /// Where a reading of the text may start afresh (`window.rs`), ascending, from 0.
    restarts: Vec<usize>,
    /// Every edit reads the text whole (Markdown with link or footnote definitions).
    whole: bool,
    last: Reread,
    /// What each block says to speaker resolution, kept from edit to edit.
    speakers: SpeakerReadings,
}

impl LiveAnalysis {
    /// `text` read as `format`, whole.
    pub fn new(text: &str, format: TextFormat) -> Self {
        let mut live = LiveAnalysis {
            text: String::new(),
            format,
            analysis: Analysis::default(),
            restarts: Vec::new(),
            whole: true,
            last: Reread::Whole,
            speakers: SpeakerReadings::default(),
        };
        live.read_whole(text);
        live
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn format(&self) -> TextFormat {
        self.format
    }

    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// What the last update read again.
    pub fn last_reread(&self) -> Reread {
        self.last
    }

    /// Brings the analysis up to `new`, which is the text with `edit` made. An edit that
    /// does not account for the change (the texts differ outside it), and any edit of a text
    /// read as another format, reads the new text whole.
    pub fn update(&mut self, new: &str, edit: Edit, format: TextFormat) {
        // What lies outside the edit is compared (no allocation, a few microseconds for a long
        // draft), so that a wrong edit costs time rather than a wrong analysis.
        let accounted = edit.fits(self.text.len(), new.len())
            && self.text.as_bytes()[..edit.start] == new.as_bytes()[..edit.start]
            && self.text.as_bytes()[edit.old_end..] == new.as_bytes()[edit.new_end..];
        if format != self.format || self.whole || !accounted {
            self.format = format;
            return self.read_whole(new);
        }
        if edit.start == edit.old_end && edit.start == edit.new_end {
            self.last = Reread::Nothing;
            return;
        }
        match window::find(&self.text, &self.restarts, new, edit, self.format) {
            Some(w) => self.splice(new, w),
            None => self.read_whole(new),
        }
    }

    fn read_whole(&mut self, text: &str) {
        let (prose, tops) = markdown::read(text, self.format);
        self.restarts = window::restarts(text, self.format, &tops);
        let mut a = crate::analyze_prose_deferred(prose);
        a.attributions = self.speakers.attribute(&a.prose.masked, &a.prose.blocks, &a.sentences, &mut a.quotes);
        a.speakers_resolved = true;
        self.analysis = a;
        self.text.clear();
        self.text.push_str(text);
        self.whole = window::reads_whole(text, self.format);
        self.last = Reread::Whole;
    }

    /// Takes in window `w` of the new text `new`, read.
    fn splice(&mut self, new: &str, w: window::Window) {
        let delta = new.len() as isize - self.text.len() as isize;
        let moved = |at: usize| at.wrapping_add_signed(delta);
        let move_span = |s: &mut Span| *s = Span::new(moved(s.start), moved(s.end));
        let a = &mut self.analysis;

        // Blocks: those of the window replace the old window's.
        let (ba, bb) = (
            a.prose.blocks.partition_point(|b| b.start < w.old.start),
            a.prose.blocks.partition_point(|b| b.start < w.old.end),
        );
        let read_blocks = w.read.blocks.len();
        let block_shift = read_blocks as isize - (bb - ba) as isize;
        a.prose.blocks[bb..].iter_mut().for_each(move_span);
        a.prose.blocks.splice(ba..bb, w.read.blocks);
        let window_blocks = ba..ba + read_blocks;

        // The masked text.
        a.prose.masked.replace_range(w.old.start..w.old.end, &markdown::masked_string(w.read.masked));
        let masked = a.prose.masked.as_str();

        // Lines not to report: those of comments outside the window, moved by the lines the edit added.
        if !a.prose.ignored_lines.is_empty() || !w.read.ignore_marks.is_empty() {
            let count = |s: &str| line_breaks(s).count() as i64;
            let line_a = count(&self.text[..w.old.start]) as u32;
            let old_lines = count(&self.text[w.old.start..w.old.end]);
            let line_b = line_a + old_lines as u32;
            let added = count(&new[w.new.start..w.new.end]) - old_lines;
            let lines = &mut a.prose.ignored_lines;
            lines.retain(|&l| l <= line_a || l > line_b);
            lines.iter_mut().filter(|l| **l > line_b).for_each(|l| *l = (i64::from(*l) + added) as u32);
            lines.extend(w.read.ignore_marks.iter().map(|&end| ignored_line_after(new, end)));
            lines.sort_unstable();
            lines.dedup();
        }

        // Sentences: split in the window's blocks only.
        let (sa, sb) = (a.sentences.partition_point(|s| s.block < ba), a.sentences.partition_point(|s| s.block < bb));
        let mut read_sentences = Vec::new();
        for (i, block) in a.prose.blocks[window_blocks.clone()].iter().enumerate() {
            read_sentences
                .extend(split_sentences(masked, *block).into_iter().map(|span| Sentence { span, block: ba + i }));
        }
        let read_count = read_sentences.len();
        let sentence_shift = read_count as isize - (sb - sa) as isize;
        for s in &mut a.sentences[sb..] {
            move_span(&mut s.span);
            s.block = s.block.wrapping_add_signed(block_shift);
        }
        a.sentences.splice(sa..sb, read_sentences);
        let window_sentences = sa..sa + read_count;

        // Figures: read sentence by sentence.
        let (qa, qb) =
            (a.quantities.partition_point(|q| q.sentence < sa), a.quantities.partition_point(|q| q.sentence < sb));
        for q in &mut a.quantities[qb..] {
            move_span(&mut q.span);
            if let Some(m) = q.modifier_span.as_mut() {
                move_span(m);
            }
            q.sentence = q.sentence.wrapping_add_signed(sentence_shift);
        }
        let read_quantities = quantities::extract_from(masked, &a.sentences[window_sentences.clone()], sa);
        a.quantities.splice(qa..qb, read_quantities);

        // Quotes: read block by block, from the block before the window (whose open quote
        // may or may not continue into the window's first block).
        let from_block = ba.saturating_sub(1);
        let from = if ba > 0 { a.prose.blocks[from_block].start } else { 0 };
        let (ua, ub) = (
            a.quotes.partition_point(|q| q.outer.start < from),
            a.quotes.partition_point(|q| q.outer.start < w.old.end),
        );
        for q in &mut a.quotes[ub..] {
            move_span(&mut q.span);
            move_span(&mut q.outer);
            q.sentence = q.sentence.wrapping_add_signed(sentence_shift);
        }
        let read_quotes = quotes::find_quotes_in(masked, &a.prose.blocks, from_block..window_blocks.end, &a.sentences);
        a.quotes.splice(ua..ub, read_quotes);

        // Speakers: the blocks whose reading read what changed (the window, the block before
        // it whose quotes were read again, a reading that reached into them) read again, and
        // resolved document-wide from every block's reading.
        a.quotes.iter_mut().for_each(|q| q.speaker = None);
        let changed = Span::new(from.min(w.new.start), w.new.end);
        a.attributions = self.speakers.update(
            masked,
            &a.prose.blocks,
            &a.sentences,
            &mut a.quotes,
            ba..bb,
            window_blocks.clone(),
            delta,
            changed,
        );
        a.speakers_resolved = true;

        let before = std::mem::take(&mut a.derived);
        a.rederive(before, sa..sb, window_sentences);

        // The text, and where a reading may start afresh in it.
        self.text.replace_range(w.old.start..w.old.end, &new[w.new.start..w.new.end]);
        let (ra, rb) =
            (self.restarts.partition_point(|&r| r < w.old.start), self.restarts.partition_point(|&r| r <= w.old.end));
        self.restarts[rb..].iter_mut().for_each(|r| *r = moved(*r));
        self.restarts.splice(ra..rb, w.restarts);
        self.last = Reread::Window { old: w.old, new: w.new };
    }
}
