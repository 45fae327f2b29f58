//! Quantities: figures with their modifier and what they count.

use crate::claims::Quantity;
use crate::text::Sentence;

/// Extracts every figure from the masked prose `text`.
pub fn extract(_text: &str, _sentences: &[Sentence]) -> Vec<Quantity> {
    Vec::new()
}
