//! DOCX text extraction (`documents::read_here`): a package's `word/document.xml` read as
//! a stream of XML events. The first byte picks what the rest is: even, the XML of
//! `word/document.xml` (packed into a package here, so that the fuzzer works on the XML);
//! odd, the whole file (zip damage).
//!
//! Properties: no input panics, overflows the stack or hangs (paragraphs nest in text boxes
//! without a limit in the XML); an error says the file is not read; a text is one
//! paragraph a line, each indented two spaces and otherwise trimmed, with no control
//! character or doubled space, and the source made of it is analyzed with every sentence a
//! span of its text. (The PDF reader is not fuzzed in this process: pdf-extract follows a
//! form that draws itself until its stack overflows, which is why the binary reads
//! documents in a process of its own; crates/copydesk/tests/documents.rs.)
#![no_main]

use copydesk_engine::corpus::AnalyzedSource;
use copydesk_engine::Layout;
use copydesk_fuzz::assert_span;
use copydesk_store::documents::{read_here, DocumentKind};
use copydesk_store::{fixtures, load};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let file = if mode % 2 == 0 {
        fixtures::docx_package(&[("word/document.xml", &String::from_utf8_lossy(rest))])
    } else {
        rest.to_vec()
    };
    let doc = match read_here(DocumentKind::Docx, &file) {
        Ok(doc) => doc,
        Err(why) => {
            assert!(why.ends_with("not read"), "an error that does not say so: {why}");
            return;
        }
    };
    assert_eq!(doc.layout, Layout::Paragraphs);
    assert!(!doc.text.is_empty() && doc.text.ends_with('\n'), "{:?}", doc.text);
    for line in doc.text[..doc.text.len() - 1].split('\n') {
        let p = line.strip_prefix("  ").unwrap_or_else(|| panic!("a line that is no paragraph: {line:?}"));
        assert!(!p.is_empty() && p == p.trim() && !p.contains("  "), "{line:?}");
        assert!(!p.contains(|c: char| c.is_control() || (c.is_whitespace() && c != ' ')), "{line:?}");
    }
    let source = load::source_from_bytes(Path::new("doc.docx"), "doc.docx".into(), file).expect("read once, read again");
    assert_eq!(source.text, doc.text);
    let analyzed = AnalyzedSource::new(source);
    for s in &analyzed.analysis.sentences {
        assert_span(&analyzed.doc.text, s.span, "sentence");
    }
});
