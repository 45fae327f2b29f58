//! HTML text extraction (`load::html_to_text`) and an HTML source through the whole
//! source pipeline (decoding, title and date, analysis).
//!
//! Properties: no nesting depth overflows the stack (run with a large `-max_len`); a page
//! over the store's limit on nesting is refused, and refused before it is parsed (or, when
//! its bytes are not text, refused as binary before that); the text ends with one line
//! break, holds no whitespace but spaces and line breaks, no doubled space, no line with a
//! space at either end, and paragraphs are separated by one blank line; a title is trimmed
//! and not empty; the source made of the page is analyzed with every sentence a span of
//! its text.
#![no_main]

use copydesk_engine::corpus::AnalyzedSource;
use copydesk_fuzz::{assert_span, utf8};
use copydesk_store::load;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Steps of html5ever's scope checks past which a page is not parsed here (see below).
const SLOW_STEPS: u64 = 8_000_000;

fuzz_target!(|data: &[u8]| {
    let Some(html) = utf8(data) else { return };
    // As the store reads a page: one nested too deeply to parse in time is refused first
    // (by a linear scan: quickly, whatever the depth).
    let read = || load::source_from_bytes(Path::new("page.html"), "page.html".into(), data.to_vec());
    let (steps, _) = load::html_nesting_steps(html);
    if steps > load::MAX_HTML_NESTING_STEPS {
        let refused = read().expect_err("a page over the limit was read");
        // Bytes that are not text (a NUL in the first 8 KiB: binary) are refused before
        // their nesting is looked at; any other page over the limit for its nesting.
        let as_text = load::decode(data.to_vec());
        assert!(
            as_text.is_err() || refused.reason.contains("nested too deeply"),
            "refused for another reason: {}",
            refused.reason
        );
        return;
    }
    // Instrumented, html5ever runs some twenty times slower than built for release: pages
    // that take it over a second (past about 4,000 nested blocks) are left to load.rs's tests.
    if steps > SLOW_STEPS {
        return;
    }
    let Ok(doc) = read() else { return };
    let (title, text) = load::html_to_text(html);
    if !html.starts_with('\u{FEFF}') {
        assert_eq!(doc.text, text, "the source's text is the page's text");
    }
    assert!(text.ends_with('\n') && !text[..text.len() - 1].ends_with('\n'), "text must end with one line break");
    assert!(!text.contains(|c: char| c.is_whitespace() && c != ' ' && c != '\n'), "odd whitespace in {text:?}");
    assert!(!text.contains("  ") && !text.contains("\n\n\n"), "doubled space or blank line in {text:?}");
    for line in text.lines() {
        assert_eq!(line, line.trim_matches(' '), "a line with a space at its end");
    }
    if let Some(t) = &title {
        assert!(!t.is_empty() && t == t.trim(), "title {t:?}");
    }
    let analyzed = AnalyzedSource::new(doc);
    for s in &analyzed.analysis.sentences {
        assert_span(&analyzed.doc.text, s.span, "sentence");
    }
});
