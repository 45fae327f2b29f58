//! What the fuzz targets share: checks that a span is a span of a text.

use copydesk_engine::Span;

/// Panics unless `span` is a non-reversed range inside `text` that starts and ends on
/// char boundaries (what every engine span must be: front ends slice and convert them).
#[track_caller]
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end && span.end <= text.len(), "{what} {span:?} outside 0..{}", text.len());
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} {span:?} splits a character: {:?}",
        text.get(span.start.saturating_sub(4)..(span.end + 4).min(text.len())).unwrap_or("")
    );
}

/// `text` when the input is UTF-8 (the text types take nothing else).
pub fn utf8(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
