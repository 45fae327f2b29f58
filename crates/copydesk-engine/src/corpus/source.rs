//! Source documents as the store hands them over, and their analyses.

use crate::claims::{Attribution, Quote};
use crate::finding::Evidence;
use crate::layout::Layout;
use crate::terms;
use crate::text::{ColumnUnit, LineIndex, Span};
use crate::{analyze, analyze_deferred, Analysis, TextFormat};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// A source document as the store hands it over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDoc {
    /// Path as shown to the user (relative to the workspace where possible).
    pub path: String,
    pub text: String,
    pub format: TextFormat,
    pub title: Option<String>,
    pub date: Option<String>,
    /// Where the text came from (a text file, or a document read out paragraph by
    /// paragraph or page by page), so that a place in it is cited as its reader finds it.
    pub layout: Layout,
}

/// A source document with its claims extracted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalyzedSource {
    pub doc: SourceDoc,
    pub analysis: Analysis,
    /// Content terms of each sentence (sorted), parallel to `analysis.sentences`.
    pub sentence_terms: Vec<Vec<u64>>,
    /// The text's line index, built when a citation first needs it (an index stores and
    /// loads sources it never cites).
    #[serde(skip)]
    lines: OnceLock<LineIndex>,
    /// The quotes with their speakers and the reported speech of an analysis stored
    /// without them ([`AnalyzedSource::deferred`]), resolved by [`AnalyzedSource::speakers`].
    #[serde(skip)]
    resolved: OnceLock<(Vec<Quote>, Vec<Attribution>)>,
}

impl AnalyzedSource {
    pub fn new(doc: SourceDoc) -> Self {
        let analysis = analyze(&doc.text, doc.format);
        Self::restore(doc, analysis)
    }

    /// A source whose speakers are left unresolved ([`analyze_deferred`]): what an index
    /// stores. [`AnalyzedSource::speakers`] resolves them when a check first asks.
    pub fn deferred(doc: SourceDoc) -> Self {
        let analysis = analyze_deferred(&doc.text, doc.format);
        Self::restore(doc, analysis)
    }

    /// Rebuilds what is derived (after loading from a persistent index).
    pub fn restore(doc: SourceDoc, analysis: Analysis) -> Self {
        let sentence_terms =
            analysis.sentences.iter().map(|s| terms::content_terms(&analysis.prose.masked, s.span)).collect();
        AnalyzedSource::from_parts(doc, analysis, sentence_terms)
    }

    /// A source from its stored parts.
    pub fn from_parts(doc: SourceDoc, analysis: Analysis, sentence_terms: Vec<Vec<u64>>) -> Self {
        AnalyzedSource { doc, analysis, sentence_terms, lines: OnceLock::new(), resolved: OnceLock::new() }
    }

    /// The text's line index.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.doc.text))
    }

    /// The quotes, each with its speaker, and the reported speech. A deferred analysis has
    /// them resolved on the first call (only sources whose quotes or speech a check
    /// consults pay for it); otherwise they are the analysis's own.
    pub fn speakers(&self) -> (&[Quote], &[Attribution]) {
        let a = &self.analysis;
        if a.speakers_resolved {
            return (&a.quotes, &a.attributions);
        }
        let (quotes, attributions) = self.resolved.get_or_init(|| a.with_speakers());
        (quotes, attributions)
    }

    /// Where a speaker whom sentence `sentence` refers to by a pronoun or a role ("she
    /// added", "the minister said") was last named before that mention: the sentence a
    /// reader needs beside the evidence to see who is speaking. None when the mention names
    /// the speaker, or no earlier sentence (of the last 40) does.
    pub fn naming_evidence(&self, sentence: usize, speaker: &crate::Speaker) -> Option<Evidence> {
        let surname = speaker.entity.split_whitespace().last()?;
        if speaker.unresolved || has_word(&speaker.text, surname).is_some() {
            return None;
        }
        let text = &self.doc.text;
        (0..=sentence).rev().take(40).find_map(|i| {
            let mut s = self.analysis.sentences.get(i)?.span;
            if i == sentence {
                s.end = s.end.min(speaker.span.start).max(s.start);
            }
            let at = s.start + has_word(s.slice(text), surname)?;
            Some(self.evidence(i, Span::new(at, at + surname.len())))
        })
    }

    /// Evidence for `focus` (the figure, quote or speaker) inside sentence `sentence`.
    pub fn evidence(&self, sentence: usize, focus: Span) -> Evidence {
        let text = &self.doc.text;
        let sent = self.analysis.sentences.get(sentence).map(|s| s.span).unwrap_or(focus);
        let at = if focus.is_empty() { sent.start } else { focus.start };
        let lc = self.lines().line_col(text, at, ColumnUnit::Char);
        // In a PDF's text, the line within its page.
        let page = self.doc.layout.page_of(at).map(|(page, start)| (page, self.lines().line_of(start) as u32));
        Evidence {
            path: self.doc.path.clone(),
            line: lc.line + 1 - page.map_or(0, |(_, first)| first),
            page: page.map(|(page, _)| page),
            extracted: self.doc.layout.extracted(),
            column: lc.col + 1,
            text: sent.slice(text).split_whitespace().collect::<Vec<_>>().join(" "),
            span: focus,
            title: self.doc.title.clone(),
            date: self.doc.date.clone(),
        }
    }
}

/// The offset of `word` in `s` as a whole word, if it is there.
fn has_word(s: &str, word: &str) -> Option<usize> {
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = s[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = s[i + word.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        before && after
    })
}
