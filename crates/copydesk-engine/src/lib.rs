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
pub mod extract;
pub mod finding;
pub mod markdown;
pub mod settings;
pub mod terms;
pub mod text;

pub use claims::{Attribution, Modifier, Quantity, QuantityKind, Quote, Speaker};
pub use finding::{ClaimKind, Code, Evidence, Finding, Severity, Status, Suggestion, Verdict};
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
}

/// Reads `text` as `format` and extracts its claims.
pub fn analyze(text: &str, format: TextFormat) -> Analysis {
    let prose = markdown::prose(text, format);
    let masked = prose.masked.as_str();
    let mut sentences = Vec::new();
    for (i, block) in prose.blocks.iter().enumerate() {
        for span in text::split_sentences(masked, *block) {
            sentences.push(Sentence { span, block: i });
        }
    }
    let quantities = extract::quantities::extract(masked, &sentences);
    let mut quotes = extract::quotes::find_quotes(masked, &prose.blocks, &sentences);
    let attributions = extract::speakers::attribute(masked, &prose.blocks, &sentences, &mut quotes);
    Analysis { prose, sentences, quantities, quotes, attributions }
}

impl Analysis {
    /// Index of the sentence holding byte `offset`, if any.
    pub fn sentence_at(&self, offset: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= offset);
        (i < self.sentences.len() && self.sentences[i].span.start <= offset).then_some(i)
    }
}
