//! The text layer of a PDF, page by page (pdf-extract on lopdf: fonts' encodings,
//! ToUnicode maps and glyph positions turned into words and lines).
//!
//! pdf-extract's own plain-text writer runs the pages together; this one keeps each page's
//! text apart and marks a paragraph where the next line is further below than a line's
//! spacing (its rule: more than 1.5 times the font size), as an empty line.

use super::MAX_TEXT_BYTES;
use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};

/// The text of each page of `bytes` (lines, an empty line between paragraphs; a page with
/// no text layer is empty), or why there is none.
pub fn page_texts(bytes: &[u8]) -> Result<Vec<String>, String> {
    let doc = Document::load_mem(bytes).map_err(|e| match e {
        pdf_extract::Error::Decryption(_) | pdf_extract::Error::InvalidPassword => encrypted(),
        e => format!("not a readable PDF ({e}); not read"),
    })?;
    if doc.is_encrypted() {
        return Err(encrypted());
    }
    let mut out = PageText::default();
    match pdf_extract::output_doc(&doc, &mut out) {
        Ok(()) => Ok(out.pages),
        Err(_) if out.over_limit => Err(format!("more than {} MiB of text; not read", MAX_TEXT_BYTES >> 20)),
        Err(e) => Err(format!("a damaged PDF (page {}: {e:?}); not read", out.pages.len().max(1))),
    }
}

fn encrypted() -> String {
    "an encrypted PDF (it needs a password); not read: save a copy without the password".into()
}

/// pdf-extract's output device, collecting each page's text on its own.
#[derive(Default)]
struct PageText {
    pages: Vec<String>,
    /// Bytes of text so far, over all pages.
    bytes: usize,
    over_limit: bool,
    /// The page's height (the y axis is turned to run down the page).
    height: f64,
    /// Where the last character ended (x) and stood (y); whether a word is starting.
    last_end: f64,
    last_y: f64,
    word_start: bool,
}

impl OutputDev for PageText {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.pages.push(String::new());
        self.height = media_box.ury - media_box.lly;
        self.last_end = f64::INFINITY;
        self.word_start = false;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let Some(page) = self.pages.last_mut() else { return Ok(()) };
        let (x, y) = (trm.m31, self.height - trm.m32);
        // The font size as drawn: the side of the square with the area of the scaled em box.
        let (sx, sy) = (font_size * (trm.m11 + trm.m21), font_size * (trm.m12 + trm.m22));
        let size = (sx * sy).abs().sqrt();
        if self.word_start && !page.is_empty() {
            let dy = (y - self.last_y).abs();
            if dy > size * 1.5 {
                // Further down than a line: a new paragraph.
                page.push_str("\n\n");
            } else if x < self.last_end && dy > size * 0.5 {
                page.push('\n');
            } else if x > self.last_end + size * 0.1 {
                page.push(' ');
            }
        }
        page.push_str(text);
        self.bytes += text.len() + 2;
        self.word_start = false;
        self.last_y = y;
        self.last_end = x + width * size;
        if self.bytes > MAX_TEXT_BYTES {
            self.over_limit = true;
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.word_start = true;
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
