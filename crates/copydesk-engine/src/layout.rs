//! Where a source's text came from, and so how a place in it is cited: a line of a text
//! file ("news/clinic.md:5"), a line of the text read out of a Word document
//! ("memo.docx, line 4"), or a line within a page of a PDF ("filings/report.pdf, page 3,
//! line 12"). The store lays the text out and records the page starts; the engine only
//! reads them.

use serde::{Deserialize, Serialize};

/// How a source's text maps back to its file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// A text file (or a page's text, HTML): its lines are cited as the file's lines.
    #[default]
    File,
    /// Text read out of a document without pages (DOCX), a paragraph a line. The file is
    /// no text to open at a line: a line is cited by number.
    Paragraphs,
    /// Text read out of a PDF page by page, a printed line a line: the byte offset in the
    /// text where each page starts (page 1 first; an empty page starts where the next one
    /// does). A line is cited within its page.
    Pages(Vec<usize>),
}

impl Layout {
    /// Whether the text was read out of a document (PDF, DOCX) rather than being a file's.
    pub fn extracted(&self) -> bool {
        !matches!(self, Layout::File)
    }

    /// The 1-based page holding byte `offset`, and the offset where that page starts
    /// (None for a text without pages).
    pub fn page_of(&self, offset: usize) -> Option<(u32, usize)> {
        let Layout::Pages(starts) = self else { return None };
        // The last page starting at or before `offset` (of empty pages sharing a start, the
        // last: the one whose text it is).
        let i = starts.partition_point(|&s| s <= offset).checked_sub(1)?;
        Some((i as u32 + 1, starts[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_offsets_skip_empty_pages() {
        // Page 2 is empty: it starts where page 3 does.
        let layout = Layout::Pages(vec![0, 10, 10, 25]);
        assert_eq!(layout.page_of(0), Some((1, 0)));
        assert_eq!(layout.page_of(9), Some((1, 0)));
        assert_eq!(layout.page_of(10), Some((3, 10)));
        assert_eq!(layout.page_of(40), Some((4, 25)));
        assert_eq!(Layout::File.page_of(3), None);
        assert_eq!(Layout::Paragraphs.page_of(3), None);
        assert!(Layout::Paragraphs.extracted() && !Layout::File.extracted());
    }
}
