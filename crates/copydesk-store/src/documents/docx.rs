//! The paragraphs of a Word document (.docx): the zip package's `word/document.xml` read
//! as a stream of XML events (quick-xml), never as a tree, so neither its size nor its
//! nesting costs more than one pass.
//!
//! Text is the runs' `w:t` (so deleted text, `w:delText`, and field codes, `w:instrText`,
//! are left out); a tab or a line break inside a paragraph is a space; each paragraph
//! (`w:p`: body, table cell, text box) is one paragraph of the text. Headers, footers,
//! footnotes and comments are other parts of the package, not read.

use super::MAX_TEXT_BYTES;
use quick_xml::events::Event;
use std::io::{BufReader, Read};

/// The main part of a document package.
const DOCUMENT_PART: &str = "word/document.xml";

/// Bytes of `word/document.xml` read at most, once inflated: a small package can inflate
/// to gigabytes (a zip bomb); what no real document reaches is not read.
pub const MAX_XML_BYTES: u64 = 256 << 20;

/// Paragraphs inside paragraphs (text boxes) kept apart; deeper ones join their enclosing one.
const MAX_NESTED: usize = 16;

/// The text of each paragraph of `bytes` with any text (whitespace folded), or why there is none.
pub fn paragraphs(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut package = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        format!(
            "not a DOCX package ({e}): a Word document saved with a password, or an old .doc \
             renamed? Save it as .docx; not read"
        )
    })?;
    let part = package
        .by_name(DOCUMENT_PART)
        .map_err(|_| format!("a damaged DOCX (the package has no {DOCUMENT_PART}); not read"))?;
    let damaged = |e: &dyn std::fmt::Display| format!("a damaged DOCX ({DOCUMENT_PART}: {e}); not read");
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part.take(MAX_XML_BYTES)));
    let mut buf = Vec::new();
    let mut out = Vec::new();
    // The paragraphs open (a text box's paragraphs sit inside a run of another; past
    // MAX_NESTED, a paragraph's text is its enclosing one's), how deep, and whether the
    // element open is a run's text.
    let mut open: Vec<String> = Vec::new();
    let mut depth = 0usize;
    // Elements open: a part that ends inside one was cut short.
    let mut elements = 0usize;
    let mut in_text = false;
    let mut bytes = 0usize;
    loop {
        let event = xml.read_event_into(&mut buf).map_err(|e| damaged(&e))?;
        match event {
            Event::Start(e) => {
                elements += 1;
                match e.local_name().as_ref() {
                    b"p" => {
                        depth += 1;
                        if open.len() < MAX_NESTED {
                            open.push(String::new());
                        }
                    }
                    b"t" => in_text = true,
                    _ => {}
                }
            }
            Event::Empty(e) => match (e.local_name().as_ref(), open.last_mut()) {
                (b"tab" | b"br" | b"cr", Some(p)) => p.push(' '),
                (b"noBreakHyphen", Some(p)) => p.push('-'),
                _ => {}
            },
            Event::End(e) => {
                elements = elements.saturating_sub(1);
                match e.local_name().as_ref() {
                    b"p" => {
                        if open.len() == depth {
                            let p = open.pop().unwrap_or_default();
                            let folded = p.split_whitespace().collect::<Vec<_>>().join(" ");
                            if !folded.is_empty() {
                                out.push(folded);
                            }
                        }
                        depth = depth.saturating_sub(1);
                    }
                    b"t" => in_text = false,
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(|e| damaged(&e))?;
                push(&mut open, &s, &mut bytes)?;
            }
            Event::CData(t) if in_text => {
                let s = t.decode().map_err(|e| damaged(&e))?;
                push(&mut open, &s, &mut bytes)?;
            }
            Event::GeneralRef(r) if in_text => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        b"amp" => Some('&'),
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"quot" => Some('"'),
                        b"apos" => Some('\''),
                        // Entities a document cannot define (no DTD is read): nothing.
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    push(&mut open, c.encode_utf8(&mut [0; 4]), &mut bytes)?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if xml.get_ref().get_ref().limit() == 0 {
        return Err(format!("{DOCUMENT_PART} inflates to more than {} MiB; not read", MAX_XML_BYTES >> 20));
    }
    if elements > 0 {
        return Err(damaged(&"it ends inside an element: cut short?"));
    }
    Ok(out)
}

/// Appends run text to the innermost open paragraph, within the limit on text.
fn push(open: &mut [String], s: &str, bytes: &mut usize) -> Result<(), String> {
    if let Some(p) = open.last_mut() {
        *bytes += s.len();
        if *bytes > MAX_TEXT_BYTES {
            return Err(format!("more than {} MiB of text; not read", MAX_TEXT_BYTES >> 20));
        }
        p.push_str(s);
    }
    Ok(())
}
