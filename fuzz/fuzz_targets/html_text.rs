//! HTML text extraction (`html::html_to_text`) and an HTML source through the whole source
//! pipeline (decoding, title and date, analysis).
//!
//! Properties: no page, however its tags nest or misnest, takes more than linear time (the
//! fuzzer's timeout catches one that does: a tree builder's quadratic paths did); the text
//! ends with one line break, holds no whitespace but spaces and line breaks, no doubled
//! space, no line with a space at either end, and paragraphs are separated by one blank
//! line; a title is trimmed and not empty; the source made of the page is analyzed with
//! every sentence a span of its text.
#![no_main]

use copydesk_engine::corpus::AnalyzedSource;
use copydesk_fuzz::{assert_span, utf8};
use copydesk_store::{html, load};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some(page) = utf8(data) else { return };
    let read = || load::source_from_bytes(Path::new("page.html"), "page.html".into(), data.to_vec());
    let (title, text) = html::html_to_text(page);
    assert!(text.ends_with('\n') && !text[..text.len() - 1].ends_with('\n'), "text must end with one line break");
    assert!(!text.contains(|c: char| c.is_whitespace() && c != ' ' && c != '\n'), "odd whitespace in {text:?}");
    assert!(!text.contains("  ") && !text.contains("\n\n\n"), "doubled space or blank line in {text:?}");
    for line in text.lines() {
        assert_eq!(line, line.trim_matches(' '), "a line with a space at its end");
    }
    if let Some(t) = &title {
        assert!(!t.is_empty() && t == t.trim(), "title {t:?}");
    }
    // Bytes that are not text (a NUL in the first 8 KiB: binary) are refused; any other
    // page is read, as the text above.
    let Ok(doc) = read() else {
        assert!(load::decode(data.to_vec()).is_err(), "a page of text was refused");
        return;
    };
    if !page.starts_with('\u{FEFF}') {
        assert_eq!(doc.text, text, "the source's text is the page's text");
    }
    let analyzed = AnalyzedSource::new(doc);
    for s in &analyzed.analysis.sentences {
        assert_span(&analyzed.doc.text, s.span, "sentence");
    }
});
