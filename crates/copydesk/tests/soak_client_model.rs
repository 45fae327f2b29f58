//! The soak's client model (`common/soak/text.rs`) reads LSP positions as the server does
//! (`copydesk_lsp::document`): past a line's end, inside a surrogate pair, before a lone
//! "\r", past the last line, a reversed range.

mod common;

use common::soak::text::{apply, line_starts, offset_of, position_of, utf16_of_char_column};

#[test]
fn the_client_model_reads_positions_as_the_server_does() {
    let t = "ab\r\nc😀d\re\u{301}\n";
    assert_eq!(line_starts(t), vec![0, 4, 11, 15]);
    assert_eq!(offset_of(t, (0, 99)), 2, "past a line's end: before its \"\\r\\n\"");
    assert_eq!(offset_of(t, (1, 2)), 5, "inside a surrogate pair: the start of the emoji");
    assert_eq!(offset_of(t, (1, 3)), 9);
    assert_eq!(offset_of(t, (1, 9)), 10, "before a lone \"\\r\"");
    assert_eq!(offset_of(t, (7, 0)), t.len(), "past the last line: the end");
    assert_eq!(position_of(t, 9), (1, 3));
    assert_eq!(utf16_of_char_column(t, 2, 3), (1, 3));
    let mut s = t.to_string();
    apply(&mut s, Some(((1, 3), (0, 1))), "");
    assert_eq!(s, "ad\re\u{301}\n", "a reversed range is the same range");
}
