//! copydesk's checking engine.
//!
//! Pipeline: text → [`markdown::prose`] (masked prose, blocks) → [`text::split_sentences`]
//! → claims ([`extract`]) → evidence ([`corpus::CorpusIndex`]) → findings ([`check`]).
//!
//! Invariants: no I/O, no protocol types; every span is a byte span of the
//! original text; all positions are converted to lines and columns only by
//! [`text::LineIndex`], at the edge.

pub mod check;
pub mod claims;
pub mod corpus;
pub mod derived;
pub mod extract;
pub mod finding;
pub mod frame;
pub mod incremental;
pub mod layout;
pub mod markdown;
pub mod settings;
pub mod terms;
pub mod text;

pub use claims::{Attribution, Modifier, Quantity, QuantityKind, Quote, Speaker};
pub use finding::{ClaimKind, Code, Evidence, Finding, Severity, Status, Suggestion, Verdict};
pub use layout::Layout;
pub use markdown::{Prose, TextFormat};
pub use text::{ColumnUnit, LineCol, LineIndex, Sentence, Span};

use serde::{Deserialize, Serialize};

/// A hash of this engine's source: analyses stored by one build are not read by another.
pub const ENGINE_SOURCE_HASH: &str = env!("COPYDESK_ENGINE_SOURCE_HASH");

/// Everything extracted from one document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub prose: Prose,
    pub sentences: Vec<Sentence>,
    pub quantities: Vec<Quantity>,
    pub quotes: Vec<Quote>,
    pub attributions: Vec<Attribution>,
    /// False while speakers are not resolved: quotes have no speaker yet and `attributions`
    /// is empty (see [`analyze_deferred`] and [`Analysis::resolve_speakers`]).
    pub speakers_resolved: bool,
    /// Sentence terms and names, worked out when a check first needs them.
    #[serde(skip)]
    pub derived: derived::DerivedCache,
}

/// Reads `text` as `format` and extracts its claims.
pub fn analyze(text: &str, format: TextFormat) -> Analysis {
    let mut analysis = analyze_deferred(text, format);
    analysis.resolve_speakers();
    analysis
}

/// [`analyze`] but for speaker resolution, which is left to [`Analysis::resolve_speakers`].
///
/// Speakers are about half the cost of an analysis, and a corpus source needs them only
/// once one of its sentences is compared with a draft; an index stores sources this way.
pub fn analyze_deferred(text: &str, format: TextFormat) -> Analysis {
    analyze_prose_deferred(markdown::prose(text, format))
}

/// [`analyze_deferred`] of a text whose prose has been read.
pub(crate) fn analyze_prose_deferred(prose: Prose) -> Analysis {
    let masked = prose.masked.as_str();
    let mut sentences = Vec::new();
    for (i, block) in prose.blocks.iter().enumerate() {
        for span in text::split_sentences(masked, *block) {
            sentences.push(Sentence { span, block: i });
        }
    }
    let quantities = extract::quantities::extract(masked, &sentences);
    let quotes = extract::quotes::find_quotes(masked, &prose.blocks, &sentences);
    Analysis {
        prose,
        sentences,
        quantities,
        quotes,
        attributions: Vec::new(),
        speakers_resolved: false,
        derived: Default::default(),
    }
}

impl Analysis {
    /// Gives each quote its speaker and finds the reported speech; once (a no-op after that).
    pub fn resolve_speakers(&mut self) {
        if !self.speakers_resolved {
            (self.quotes, self.attributions) = self.with_speakers();
            self.speakers_resolved = true;
        }
    }

    /// The quotes, each given its speaker, and the reported speech, leaving this analysis as it is.
    pub fn with_speakers(&self) -> (Vec<Quote>, Vec<Attribution>) {
        let mut quotes = self.quotes.clone();
        let attributions =
            extract::speakers::attribute(&self.prose.masked, &self.prose.blocks, &self.sentences, &mut quotes);
        (quotes, attributions)
    }

    /// Index of the sentence holding byte `offset`, if any.
    pub fn sentence_at(&self, offset: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= offset);
        (i < self.sentences.len() && self.sentences[i].span.start <= offset).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_speakers_resolve_to_the_full_analysis() {
        let text = "# Port\n\nThe port handled 4,100 containers, its director said. \"We are full,\" said Mara Quill, \
                    the harbour master.\n\nShe added that \"nobody expected this\" in a statement.\n";
        let mut deferred = analyze_deferred(text, TextFormat::Markdown);
        assert!(!deferred.speakers_resolved);
        assert!(deferred.attributions.is_empty() && deferred.quotes.iter().all(|q| q.speaker.is_none()));
        deferred.resolve_speakers();
        let full = analyze(text, TextFormat::Markdown);
        assert!(full.speakers_resolved && full.quotes.iter().all(|q| q.speaker.is_some()));
        assert!(!full.attributions.is_empty());
        assert_eq!(deferred, full);
        // Once resolved, resolving again changes nothing.
        deferred.resolve_speakers();
        assert_eq!(deferred, full);
    }
}
