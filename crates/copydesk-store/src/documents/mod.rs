//! Sources that are documents rather than text files: PDF (the text layer, page by page)
//! and Word (.docx, paragraph by paragraph). Their text is laid out as plain text that the
//! engine reads like a wire story: one printed line (PDF) or one paragraph (DOCX) a line,
//! a paragraph's first line indented by two spaces (which plain text takes for a new
//! block), and for a PDF the offset where each page starts ([`Layout::Pages`]), so that
//! evidence is cited as "report.pdf, page 3, line 12".
//!
//! Parsers of these formats can panic, overflow their stack, loop or inflate a small file
//! into gigabytes. Every read is guarded: panics are caught, text and inflated XML are
//! capped, and where the `copydesk` binary has said so ([`read_in_helper_process`]) each
//! document is read in a process of its own, killed after [`helper::DEADLINE`] and held to
//! [`helper::MAX_MEMORY`], so that no file takes the server or a check down with it.
//!
//! Code map: `pdf.rs` (the text of each page), `docx.rs` (the paragraphs of a package),
//! `helper.rs` (the process of its own).

mod docx;
pub mod helper;
mod pdf;

pub use helper::{read_in_helper_process, serve_helper};

use copydesk_engine::Layout;
use serde::{Deserialize, Serialize};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Text read out of one document at most (as much as a text source may have).
pub const MAX_TEXT_BYTES: usize = crate::load::MAX_FILE_BYTES as usize;

/// A document format whose text is read out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Docx,
}

impl DocumentKind {
    /// The format of a file, by its extension (.pdf, .docx).
    pub fn for_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Self::parse(&ext)
    }

    /// The format named as its extension is ("pdf", "docx").
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pdf" => Some(DocumentKind::Pdf),
            "docx" => Some(DocumentKind::Docx),
            _ => None,
        }
    }

    /// Its extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Docx => "docx",
        }
    }

    /// Its name, as a message gives it.
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "PDF",
            DocumentKind::Docx => "DOCX",
        }
    }
}

/// The text read out of a document, laid out for the engine, and where its pages start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentText {
    pub text: String,
    pub layout: Layout,
}

/// Reads the text of a document of `kind`: in a process of its own when the binary has
/// set one up ([`read_in_helper_process`]), else in this one ([`read_here`]). The error
/// says why there is no text, for a message naming the file.
pub fn read_document(kind: DocumentKind, bytes: &[u8]) -> Result<DocumentText, String> {
    match helper::helper() {
        Some(exe) => helper::read(exe, kind, bytes),
        None => read_here(kind, bytes),
    }
}

/// Reads the text of a document in this process, a panic of its parser caught (a stack
/// overflow or an endless loop is not: see [`read_in_helper_process`]).
pub fn read_here(kind: DocumentKind, bytes: &[u8]) -> Result<DocumentText, String> {
    let read = catch_unwind(AssertUnwindSafe(|| match kind {
        DocumentKind::Pdf => pdf::page_texts(bytes).and_then(|pages| lay_out_pages(&pages)),
        DocumentKind::Docx => docx::paragraphs(bytes).and_then(|paragraphs| lay_out_paragraphs(&paragraphs)),
    }));
    read.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let why: String = why.chars().take(200).collect();
        Err(format!("a damaged {} (its reader gave up: {why}); not read", kind.name()))
    })
}

/// A line of extracted text as the engine is given it: whitespace and characters that are
/// no text (controls) folded into single spaces, nothing at either end.
fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Marks the first line of a paragraph (plain text reads an indented line as a new block).
const PARAGRAPH_INDENT: &str = "  ";

/// The text of a PDF's pages (an empty line between paragraphs): one printed line a line,
/// empty lines dropped so that a line's number is its place on the page. A page's first
/// line goes on with the paragraph the page before ended (a sentence runs on over the
/// page break); a page with no text starts where the next one does.
fn lay_out_pages(pages: &[String]) -> Result<DocumentText, String> {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pages.len());
    let mut new_paragraph = true;
    for page in pages {
        starts.push(text.len());
        if page.trim().is_empty() {
            // A page with no text (an image) changes nothing around it.
            continue;
        }
        for line in page.split('\n') {
            let line = clean_line(line);
            if line.is_empty() {
                new_paragraph = true;
                continue;
            }
            if new_paragraph {
                text.push_str(PARAGRAPH_INDENT);
            }
            text.push_str(&line);
            text.push('\n');
            new_paragraph = false;
        }
    }
    if text.is_empty() {
        return Err(match pages.len() {
            0 => "a PDF with no pages; nothing to read".to_string(),
            n => format!(
                "no text layer on {}: a scanned PDF? Run OCR on it first; not read",
                if n == 1 { "its one page".to_string() } else { format!("any of its {n} pages") }
            ),
        });
    }
    Ok(DocumentText { text, layout: Layout::Pages(starts) })
}

/// The text of a document's paragraphs: one a line.
fn lay_out_paragraphs(paragraphs: &[String]) -> Result<DocumentText, String> {
    let mut text = String::new();
    for p in paragraphs.iter().map(|p| clean_line(p)).filter(|p| !p.is_empty()) {
        text.push_str(PARAGRAPH_INDENT);
        text.push_str(&p);
        text.push('\n');
    }
    if text.is_empty() {
        return Err("no text in the document (only images? Run OCR on them first); not read".into());
    }
    Ok(DocumentText { text, layout: Layout::Paragraphs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_laid_out_a_printed_line_a_line() {
        let pages = ["Report title\n\nFirst line of a\nparagraph.\n\n\nNext one", "", "goes on here.\n\nLast.  \u{7}"]
            .map(String::from);
        let doc = lay_out_pages(&pages).unwrap();
        assert_eq!(doc.text, "  Report title\n  First line of a\nparagraph.\n  Next one\ngoes on here.\n  Last.\n");
        let second = doc.text.find("goes").unwrap();
        assert_eq!(doc.layout, Layout::Pages(vec![0, second, second]));
    }

    #[test]
    fn documents_without_text_are_named_as_such() {
        let e = lay_out_pages(&[" \n\n".to_string(), String::new()]).unwrap_err();
        assert!(e.contains("no text layer") && e.contains("2 pages") && e.contains("OCR"), "{e}");
        assert!(lay_out_paragraphs(&["  ".into()]).unwrap_err().contains("no text"));
    }
}
