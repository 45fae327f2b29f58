//! Sources read out of PDF and DOCX files (written here, with our own sentences): their
//! text as the engine reads it, the pages and lines evidence cites, and the errors of files
//! that have no text to give.

use copydesk_engine::corpus::AnalyzedSource;
use copydesk_engine::{Evidence, Layout};
use copydesk_store::documents::{read_here, DocumentKind};
use copydesk_store::fixtures;
use copydesk_store::load::{self, FileKind};
use std::path::Path;

fn source(name: &str, bytes: Vec<u8>) -> Result<AnalyzedSource, String> {
    load::source_from_bytes(Path::new(name), name.into(), bytes).map(AnalyzedSource::new).map_err(|e| e.reason)
}

/// The evidence for the figure written as `figure`.
fn evidence_for(src: &AnalyzedSource, figure: &str) -> Evidence {
    let q = src.analysis.quantities.iter().find(|q| q.span.slice(&src.doc.text) == figure);
    let q = q.unwrap_or_else(|| panic!("no figure {figure} in {:?}", src.doc.text));
    src.evidence(q.sentence, q.span)
}

#[test]
fn a_pdf_is_read_page_by_page_and_cited_by_page_and_line() {
    let pdf = fixtures::pdf(&[
        "Harbour Works Statement\n\nThe trust repaired 41 moorings during the\nwinter season, its director said.",
        "",
        "Dredging notes\n\nThe dredging budget was 7.5 million pounds\nfor the year, according to the\n\
         ledger, and crews removed 3,200 tonnes of silt.",
    ]);
    let src = source("filings/works.pdf", pdf).unwrap();
    // A printed line a line, paragraphs indented, no empty lines; page 2 has no text.
    assert!(src.doc.text.starts_with("  Harbour Works Statement\n  The trust repaired 41 moorings during the\nwinter"));
    let Layout::Pages(starts) = &src.doc.layout else { panic!("{:?}", src.doc.layout) };
    assert_eq!(starts.len(), 3);
    assert_eq!(src.doc.title.as_deref(), Some("Harbour Works Statement"));
    // Sentences run over printed lines as in wrapped plain text.
    let e = evidence_for(&src, "41");
    assert_eq!((e.page, e.line, e.extracted), (Some(1), 2, true));
    assert_eq!(e.text, "The trust repaired 41 moorings during the winter season, its director said.");
    assert_eq!(e.cite(), "filings/works.pdf, page 1, line 2");
    let e = evidence_for(&src, "3,200");
    assert_eq!((e.page, e.line), (Some(3), 4), "{e:?}");
    assert_eq!(e.cite(), "filings/works.pdf, page 3, line 4");
}

#[test]
fn a_docx_is_read_a_paragraph_a_line() {
    let docx = fixtures::docx(&[
        "Ferry board memo",
        "",
        "Fares & timetables\tfor 2025",
        "\u{201C}We will add two crossings every evening,\u{201D} said Callum Reid.",
    ]);
    let src = source("memo.docx", docx).unwrap();
    assert_eq!(
        src.doc.text,
        "  Ferry board memo\n  Fares & timetables for 2025\n  \u{201C}We will add two crossings every evening,\u{201D} said Callum Reid.\n"
    );
    assert_eq!(src.doc.layout, Layout::Paragraphs);
    assert_eq!(src.analysis.quotes.len(), 1, "{:?}", src.analysis.quotes);
    let q = &src.analysis.quotes[0];
    let e = src.evidence(q.sentence, q.span);
    assert_eq!((e.page, e.line), (None, 3));
    assert_eq!(e.cite(), "memo.docx, line 3");
    // Each paragraph is a block of its own: the heading is no part of the next sentence.
    assert_eq!(src.analysis.sentences.len(), 3, "{:?}", src.analysis.sentences);
}

#[test]
fn docx_text_leaves_out_deleted_text_and_reads_text_boxes_and_entities() {
    let body = "<w:document xmlns:w=\"w\"><w:body>\
        <w:p><w:r><w:t>Kept &amp; &#8220;quoted&#8221;</w:t></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del>\
        <w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:br/><w:t>after a break</w:t></w:r>\
        <w:r><w:pict><w:txbxContent><w:p><w:r><w:t>In a box.</w:t></w:r></w:p></w:txbxContent></w:pict></w:r></w:p>\
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell one.</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
        </w:body></w:document>";
    let doc = read_here(DocumentKind::Docx, &fixtures::docx_package(&[("word/document.xml", body)])).unwrap();
    assert_eq!(doc.text, "  In a box.\n  Kept & \u{201C}quoted\u{201D} after a break\n  Cell one.\n");
}

#[test]
fn documents_with_no_text_to_give_are_refused_with_the_reason() {
    let refused = |name: &str, bytes: Vec<u8>| source(name, bytes).expect_err(name);
    let e = refused("scan.pdf", fixtures::scanned_pdf(2));
    assert_eq!(e, "no text layer on any of its 2 pages: a scanned PDF? Run OCR on it first; not read");
    assert!(refused("one.pdf", fixtures::scanned_pdf(1)).contains("no text layer on its one page"));
    assert!(refused("junk.pdf", b"%PDF-1.4\nnothing else".to_vec()).contains("not a readable PDF"));
    let good = fixtures::pdf(&["Text that will be cut in two."]);
    assert!(refused("cut.pdf", good[..good.len() / 2].to_vec()).contains("not read"));
    assert!(refused("junk.docx", b"not a zip".to_vec()).contains("not a DOCX package"));
    let e = refused("parts.docx", fixtures::docx_package(&[("word/styles.xml", "<x/>")]));
    assert!(e.contains("no word/document.xml"), "{e}");
    let e = refused("cut.docx", fixtures::docx_package(&[("word/document.xml", "<w:document><w:body><w:p>")]));
    assert!(e.contains("damaged DOCX"), "{e}");
    let e = refused("bad.docx", fixtures::docx_package(&[("word/document.xml", "<w:document><w:p></w:t>")]));
    assert!(e.contains("damaged DOCX"), "{e}");
    assert!(refused("empty.docx", fixtures::docx(&[])).contains("no text in the document"));
}

#[test]
fn an_encrypted_pdf_is_named_as_such() {
    let e = source("locked.pdf", fixtures::encrypted_pdf()).expect_err("an encrypted PDF");
    assert!(e.contains("encrypted"), "{e}");
}

#[test]
fn folders_give_pdf_and_docx_sources_but_no_drafts() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.pdf", "b.DOCX", "c.txt", "d.doc", "e.md"] {
        std::fs::write(dir.path().join(name), "x").unwrap();
    }
    let names = |kind| {
        let (files, _) = load::expand_paths(&[dir.path().to_path_buf()], kind, &[]);
        files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect::<Vec<_>>()
    };
    assert_eq!(names(FileKind::Source), ["a.pdf", "b.DOCX", "c.txt", "e.md"]);
    assert_eq!(names(FileKind::Draft), ["c.txt", "e.md"]);
}
