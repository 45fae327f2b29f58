//! The client's copy of a text, with LSP's positions: UTF-16 columns; lines end at "\n",
//! "\r\n" or a lone "\r"; read as the server reads them (`copydesk_lsp::document`).

use serde_json::{json, Value};

/// An LSP position (line, UTF-16 column).
pub type Pos16 = (u32, u32);
/// An LSP range: start, end.
pub type Range16 = (Pos16, Pos16);
/// One content change of a `didChange`: a range (or the whole text) and its new text.
pub type Change = (Option<Range16>, String);

/// Byte offsets where lines start: after "\n", "\r\n" or a lone "\r".
pub fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 1;
            }
            b'\r' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// Byte offset of the end of line `line`'s text (before its line break).
pub fn line_end(text: &str, starts: &[usize], line: usize) -> usize {
    match starts.get(line + 1) {
        None => text.len(),
        Some(&next) if text[..next].ends_with("\r\n") => next - 2,
        Some(&next) => next - 1,
    }
}

/// The byte offset the server reads an LSP position (UTF-16) as.
pub fn offset_of(text: &str, (line, ch): Pos16) -> usize {
    let starts = line_starts(text);
    let line = line as usize;
    if line >= starts.len() {
        return text.len();
    }
    let (start, end) = (starts[line], line_end(text, &starts, line));
    let mut units = 0usize;
    for (i, c) in text[start..end].char_indices() {
        let w = c.len_utf16();
        if units + w > ch as usize {
            return start + i; // at this character, or inside its surrogate pair
        }
        units += w;
    }
    end
}

/// The LSP position (UTF-16) of a byte offset.
pub fn position_of(text: &str, offset: usize) -> Pos16 {
    let starts = line_starts(text);
    let line = starts.partition_point(|s| *s <= offset) - 1;
    (line as u32, text[starts[line]..offset].encode_utf16().count() as u32)
}

/// The UTF-16 column of the 1-based character column `col` of 1-based line `line` (the CLI's JSON).
pub fn utf16_of_char_column(text: &str, line: u64, col: u64) -> Pos16 {
    let starts = line_starts(text);
    let l = (line as usize).saturating_sub(1).min(starts.len() - 1);
    let units: usize = text[starts[l]..].chars().take((col as usize).saturating_sub(1)).map(char::len_utf16).sum();
    (l as u32, units as u32)
}

/// Applies one content change to the client's copy, as the server applies it.
pub fn apply(text: &mut String, range: Option<Range16>, new: &str) {
    match range {
        None => *text = new.to_string(),
        Some((a, b)) => {
            let (a, b) = (offset_of(text, a), offset_of(text, b));
            text.replace_range(a.min(b)..a.max(b), new);
        }
    }
}

pub fn pos_json((line, character): Pos16) -> Value {
    json!({"line": line, "character": character})
}

pub fn pos_from(v: &Value) -> Pos16 {
    (v["line"].as_u64().unwrap_or(0) as u32, v["character"].as_u64().unwrap_or(0) as u32)
}
