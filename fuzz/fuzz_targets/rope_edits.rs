//! The server's documents (`document.rs`: a rope, `didChange` edits in the negotiated
//! column unit) against a fresh string edited through the engine's `LineIndex`.
//!
//! Input: a unit, a text, then edits (a range's two positions — lines and columns that
//! may lie past the end of a line or of the text, reversed or inside a character — and
//! the text to put there; now and then a whole new text).
//!
//! Properties: after every edit the rope holds exactly the string (a position means the
//! same offset to the rope as to `LineIndex::offset`); at the end the rope and a fresh
//! `LineIndex` count the same lines, and every offset's position, converted by
//! `Positions`, is that offset again to the rope.
#![no_main]

use copydesk_engine::{ColumnUnit, LineCol, LineIndex};
use copydesk_lsp::document::{apply_change, byte_offset, Positions};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// Text made mostly of what line and column conversion is sensitive to.
fn text(u: &mut Unstructured, max: usize) -> Result<String> {
    const PIECES: [&str; 12] = ["a", "b ", "\n", "\r\n", "\r", "é", "😀", "日本", "\u{200F}", " ", "x\r", "\n\n"];
    let n = u.int_in_range(0..=max)?;
    let mut s = String::new();
    for _ in 0..n {
        if u.ratio(1, 8)? {
            s.push(u.arbitrary::<char>()?);
        } else {
            s.push_str(u.choose(&PIECES)?);
        }
    }
    Ok(s)
}

/// A position near the text: usually on a line and near its columns, sometimes far out.
fn position(u: &mut Unstructured, lines: u32) -> Result<Position> {
    let line = if u.ratio(1, 16)? { u.arbitrary()? } else { u.int_in_range(0..=lines)? };
    let character = if u.ratio(1, 16)? { u.arbitrary()? } else { u.int_in_range(0..=24)? };
    Ok(Position { line, character })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let unit = *u.choose(&[ColumnUnit::Utf16, ColumnUnit::Utf8, ColumnUnit::Char])?;
    let mut fresh = text(u, 64)?;
    let mut rope = Rope::from_str(&fresh);
    while !u.is_empty() {
        let lines = LineIndex::new(&fresh).line_count() as u32;
        let change = if u.ratio(1, 32)? {
            TextDocumentContentChangeEvent { range: None, range_length: None, text: text(u, 32)? }
        } else {
            let range = Range { start: position(u, lines)?, end: position(u, lines)? };
            TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: text(u, 8)? }
        };
        apply_change(&mut rope, &change, unit);
        match change.range {
            None => fresh = change.text.clone(),
            Some(r) => {
                let idx = LineIndex::new(&fresh);
                let at = |p: Position| idx.offset(&fresh, LineCol { line: p.line, col: p.character }, unit);
                let (a, b) = (at(r.start), at(r.end));
                let (a, b) = (a.min(b), a.max(b));
                fresh.replace_range(a..b, &change.text);
            }
        }
        assert_eq!(rope.to_string(), fresh, "{unit:?}: after {change:?}");
    }
    let lines = LineIndex::new(&fresh);
    assert_eq!(lines.line_count(), rope.len_lines(), "{fresh:?}");
    let p = Positions { text: &fresh, lines: &lines, unit };
    for (off, _) in fresh.char_indices().chain([(fresh.len(), ' ')]) {
        if fresh[..off].ends_with('\r') && fresh[off..].starts_with('\n') {
            continue; // between "\r" and "\n": no position names it
        }
        let pos = p.position(off);
        assert_eq!(byte_offset(&rope, pos, unit), off, "{unit:?}: {pos:?} of {off} in {fresh:?}");
        assert_eq!(p.offset(pos), off);
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
