//! Open documents: a rope per document, incremental edits, and position
//! conversion in the negotiated encoding.

use copydesk_engine::incremental::Edit;
use copydesk_engine::text::{ColumnUnit, LineCol, LineIndex};
use copydesk_engine::Span;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// Char index of the end of `line`'s content (before "\n", "\r\n" or "\r").
fn line_end_char(rope: &Rope, line: usize) -> usize {
    if line + 1 >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let mut end = rope.line_to_char(line + 1);
    if end > start && rope.get_char(end - 1) == Some('\n') {
        end -= 1;
    }
    if end > start && rope.get_char(end - 1) == Some('\r') {
        end -= 1;
    }
    end
}

/// Char index of an LSP position; past the end of a line clamps to the line's end,
/// past the last line to the end of the text, and a column inside a character (a
/// UTF-16 surrogate pair, a UTF-8 sequence) to that character's start: a client never
/// sends such positions, and a soak test's client reads them this way too
/// (`crates/copydesk/tests/common/soak/text.rs`).
pub fn char_index(rope: &Rope, pos: Position, unit: ColumnUnit) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let start = rope.line_to_char(line);
    let end = line_end_char(rope, line);
    let col = pos.character as usize;
    let at = match unit {
        ColumnUnit::Char => start.saturating_add(col),
        ColumnUnit::Utf8 => {
            let b = rope.char_to_byte(start).saturating_add(col).min(rope.char_to_byte(end));
            rope.byte_to_char(b)
        }
        ColumnUnit::Utf16 => {
            let cu = rope.char_to_utf16_cu(start).saturating_add(col).min(rope.char_to_utf16_cu(end));
            rope.utf16_cu_to_char(cu)
        }
    };
    at.min(end)
}

/// Byte offset of an LSP position.
pub fn byte_offset(rope: &Rope, pos: Position, unit: ColumnUnit) -> usize {
    rope.char_to_byte(char_index(rope, pos, unit))
}

/// Applies one `didChange` content change (a range edit, or the whole text); returns what
/// it changed in bytes (for the incremental analysis).
pub fn apply_change(rope: &mut Rope, change: &TextDocumentContentChangeEvent, unit: ColumnUnit) -> Edit {
    match change.range {
        None => {
            let old_len = rope.len_bytes();
            *rope = Rope::from_str(&change.text);
            Edit::whole(old_len, rope.len_bytes())
        }
        Some(r) => {
            let a = char_index(rope, r.start, unit);
            let b = char_index(rope, r.end, unit);
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let removed = rope.char_to_byte(a)..rope.char_to_byte(b);
            rope.remove(a..b);
            rope.insert(a, &change.text);
            Edit::replace(removed, change.text.len())
        }
    }
}

/// Converts engine byte spans of one text snapshot to LSP ranges.
pub struct Positions<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub unit: ColumnUnit,
}

impl Positions<'_> {
    pub fn position(&self, offset: usize) -> Position {
        let LineCol { line, col } = self.lines.line_col(self.text, offset, self.unit);
        Position::new(line, col)
    }
    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }
    pub fn offset(&self, pos: Position) -> usize {
        self.lines.offset(self.text, LineCol { line: pos.line, col: pos.character }, self.unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: r.map(|((a, b), (c, d))| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn edits_in_each_unit() {
        // "é" is 2 bytes, 1 UTF-16 unit; "😀" is 4 bytes, 2 UTF-16 units.
        let base = "ab\ncé😀d\r\nx";
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((1, 4), (1, 5))), "D"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "ab\ncé😀D\r\nx");
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((1, 7), (1, 8))), "D"), ColumnUnit::Utf8);
        assert_eq!(r.to_string(), "ab\ncé😀D\r\nx");
        // past the end of a line: clamps before "\r\n"
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((1, 99), (1, 99))), "!"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "ab\ncé😀d!\r\nx");
        // inside a surrogate pair: at the emoji's start (it is never split)
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((1, 3), (1, 3))), "-"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "ab\ncé-😀d\r\nx");
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((1, 1), (1, 3))), ""), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "ab\nc😀d\r\nx");
        // past the last line: appends; reversed ranges are normalised
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((9, 0), (9, 0))), "?"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), format!("{base}?"));
        let mut r = Rope::from_str(base);
        apply_change(&mut r, &change(Some(((0, 2), (0, 0))), ""), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "\ncé😀d\r\nx");
        apply_change(&mut r, &change(None, "new"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "new");
        // a lone "\r" ends a line as the editor counts it
        let mut r = Rope::from_str("ab\rcd\r\ref");
        apply_change(&mut r, &change(Some(((1, 1), (1, 9))), "X"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "ab\rcX\r\ref");
        apply_change(&mut r, &change(Some(((3, 0), (3, 0))), "Y"), ColumnUnit::Utf16);
        assert_eq!(r.to_string(), "ab\rcX\r\rYef");
    }

    #[test]
    fn each_change_says_what_it_changed_in_bytes() {
        let base = "ab\ncé😀d\r\nx";
        let mut r = Rope::from_str(base);
        // "é😀" (6 bytes) replaced by "Z"
        let e = apply_change(&mut r, &change(Some(((1, 1), (1, 4))), "Z"), ColumnUnit::Utf16);
        assert_eq!(e, Edit { start: 4, old_end: 10, new_end: 5 });
        let after = r.to_string();
        assert_eq!((&base[..e.start], &base[e.old_end..]), (&after[..e.start], &after[e.new_end..]));
        let e = apply_change(&mut r, &change(None, "new"), ColumnUnit::Utf16);
        assert_eq!(e, Edit { start: 0, old_end: after.len(), new_end: 3 });
    }

    #[test]
    fn rope_and_line_index_agree() {
        let t = "ab\ncé😀d\r\n\nx😀y\rz\r\rw";
        let rope = Rope::from_str(t);
        let lines = LineIndex::new(t);
        for unit in [ColumnUnit::Utf8, ColumnUnit::Utf16, ColumnUnit::Char] {
            let p = Positions { text: t, lines: &lines, unit };
            for (off, _) in t.char_indices().filter(|(i, _)| !t[*i..].starts_with('\n')) {
                let pos = p.position(off);
                assert_eq!(byte_offset(&rope, pos, unit), off, "{unit:?} {off}");
                assert_eq!(p.offset(pos), off);
            }
        }
    }
}
