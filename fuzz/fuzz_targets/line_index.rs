//! Position mapping (`text::LineIndex`): byte offset ↔ line and column in UTF-8, UTF-16
//! and chars, with column checkpoints in long lines.
//!
//! Properties: for every char boundary (or a sample of them in long texts), the line and
//! column equal a plain count from the line's start (lines end at "\n", "\r\n" or a lone
//! "\r"), and converting them back gives the offset again; any line and column, however
//! far out, maps to a char boundary on that line (clamped to its end, or the text's end
//! past the last line); `char_offset` and `CharOffsets` count chars.
#![no_main]

use copydesk_engine::text::{char_offset, floor_char_boundary, line_breaks, CharOffsets};
use copydesk_engine::{ColumnUnit, LineCol, LineIndex};
use copydesk_fuzz::utf8;
use libfuzzer_sys::fuzz_target;

const UNITS: [ColumnUnit; 3] = [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char];

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the positions asked about; the rest is the text.
    let (knobs, rest) = data.split_at(data.len().min(2));
    let Some(text) = utf8(rest) else { return };
    let seed = knobs.iter().fold(0usize, |a, &b| a * 256 + b as usize);
    let idx = LineIndex::new(text);
    let starts: Vec<usize> = std::iter::once(0).chain(line_breaks(text)).collect();
    assert_eq!(idx.line_count(), starts.len());
    for (line, &start) in starts.iter().enumerate() {
        assert_eq!(idx.line_start(line), start);
        let end = idx.line_end(line, text);
        let next = starts.get(line + 1).copied().unwrap_or(text.len());
        assert!(start <= end && end <= next && !text[start..end].contains(['\n', '\r']), "line {line}");
    }
    // Every boundary of a short text; a strided sample (about 2,000) of a long one. The
    // plain counts run along with the offsets.
    let stride = (text.len() / 2000).max(1);
    let mut chars = CharOffsets::new(text);
    let (mut line, mut utf16, mut nchars, mut line_chars, mut line_utf16) = (0usize, 0u32, 0u32, 0u32, 0u32);
    let boundaries = text.char_indices().map(Some).chain([None]);
    for (i, c) in boundaries.enumerate() {
        let off = c.map_or(text.len(), |(o, _)| o);
        while starts.get(line + 1).is_some_and(|&s| s <= off) {
            line += 1;
            (line_chars, line_utf16) = (0, 0);
        }
        if i % stride == seed % stride || c.is_none() {
            for unit in UNITS {
                let col = match unit {
                    ColumnUnit::Utf8 => (off - starts[line]) as u32,
                    ColumnUnit::Utf16 => line_utf16,
                    ColumnUnit::Char => line_chars,
                };
                let lc = idx.line_col(text, off, unit);
                assert_eq!(lc, LineCol { line: line as u32, col }, "{unit:?} line/column of {off}");
                // An offset between "\r" and "\n" is no position an editor can name.
                if !(text[..off].ends_with('\r') && text[off..].starts_with('\n')) {
                    assert_eq!(idx.offset(text, lc, unit), off, "{unit:?} {lc:?} back to {off}");
                }
            }
            assert_eq!(char_offset(text, off) as u32, nchars);
            assert_eq!(chars.of(off) as u32, nchars);
            // Inside a character: its start.
            if let Some((_, ch)) = c.filter(|(_, ch)| ch.len_utf8() > 1) {
                assert_eq!(idx.line_col(text, off + 1, ColumnUnit::Char), idx.line_col(text, off, ColumnUnit::Char));
                assert_eq!(floor_char_boundary(text, off + ch.len_utf8() - 1), off);
            }
        }
        if let Some((_, ch)) = c {
            nchars += 1;
            line_chars += 1;
            line_utf16 += ch.len_utf16() as u32;
            utf16 += ch.len_utf16() as u32;
        }
    }
    assert_eq!(utf16 as usize, text.encode_utf16().count());
    // Positions anywhere, some past the ends of lines and of the text.
    let lines = starts.len() as u32;
    for k in 0..64u32 {
        let line = (seed as u32).wrapping_mul(31).wrapping_add(k * 7) % (lines + 2);
        let col = match k % 4 {
            0 => k,
            1 => (seed as u32).wrapping_add(k * 977) % 4096,
            2 => u32::MAX - k,
            _ => (seed as u32 >> 3) % 64,
        };
        for unit in UNITS {
            let off = idx.offset(text, LineCol { line, col }, unit);
            assert!(text.is_char_boundary(off), "{unit:?} {line}:{col} -> {off} splits a character");
            if (line as usize) < starts.len() {
                let (start, end) = (starts[line as usize], idx.line_end(line as usize, text));
                assert!(start <= off && off <= end, "{unit:?} {line}:{col} -> {off} not on its line");
                let back = idx.line_col(text, off, unit);
                assert!(back.line == line && back.col <= col, "{unit:?} {line}:{col} -> {off} -> {back:?}");
            } else {
                assert_eq!(off, text.len(), "{unit:?} {line}:{col} past the last line");
            }
        }
    }
});
