//! Direct quotes: words inside quotation marks.

use crate::claims::Quote;
use crate::text::{Sentence, Span};

/// Finds every quote in the masked prose `text` (speakers are left to [`super::speakers`]).
pub fn find_quotes(_text: &str, _blocks: &[Span], _sentences: &[Sentence]) -> Vec<Quote> {
    Vec::new()
}
