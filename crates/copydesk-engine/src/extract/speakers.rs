//! Attribution: who said each quote, and reported speech ("X said that ...").

use crate::claims::{Attribution, Quote};
use crate::text::{Sentence, Span};

/// Fills in each quote's speaker and returns the reported-speech attributions.
pub fn attribute(_text: &str, _blocks: &[Span], _sentences: &[Sentence], _quotes: &mut [Quote]) -> Vec<Attribution> {
    Vec::new()
}
