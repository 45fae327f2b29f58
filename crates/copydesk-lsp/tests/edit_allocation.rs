//! What an edit allocates on the way to the text a check reads: the `didChange` applied to
//! the document's rope, and the check's text and line index brought up to it
//! (`CheckedTexts`). Counted by an allocator of this test binary's own; the bytes of one
//! one-figure edit must not grow with the document (a copy of the text, or a line index
//! built afresh, would allocate at least the document's length).

use copydesk_engine::text::{ColumnUnit, LineIndex};
use copydesk_lsp::checked::CheckedTexts;
use copydesk_lsp::document::apply_change;
use ropey::Rope;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

struct Counting;

thread_local! {
    /// Bytes allocated by this thread while counting (`None`: not counting).
    static COUNTED: Cell<Option<usize>> = const { Cell::new(None) };
}

fn count(bytes: usize) {
    let _ = COUNTED.try_with(|c| c.set(c.get().map(|n| n + bytes)));
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes `f` allocates on this thread.
fn allocated(f: impl FnOnce()) -> usize {
    COUNTED.with(|c| c.set(Some(0)));
    f();
    COUNTED.with(|c| c.replace(None)).unwrap_or(0)
}

/// A draft of `paragraphs` paragraphs, with line breaks of each kind, multi-byte characters
/// and a long line (over 1 KiB, so that its line index keeps checkpoints).
fn draft(paragraphs: usize) -> String {
    let mut out = String::from("# Troops near the border\r\n\r\n");
    for i in 0..paragraphs {
        out.push_str(&format!(
            "Reznikov said 84,300 troops were near Ukraine, {i} days ago.\r\n\
             \u{201C}It is a very dangerous adventurism,\u{201D} Peskov said — 😀 é.\n\n\
             {}\r\r",
            "A long table row of figures 12 34 56 78. ".repeat(30)
        ));
    }
    out
}

/// The largest number of bytes one of `edits` one-figure edits allocated, after two
/// edits to warm up (the first checks copy the text).
fn bytes_per_edit(text: &str, edits: usize) -> usize {
    let mut rope = Rope::from_str(text);
    let mut texts = CheckedTexts::default();
    let mut held = texts.next(&rope, None); // the result a request may read
    let at = text.find("84,300").expect("a figure") + 5;
    let line = text[..at].matches('\n').count() as u32;
    let col = text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at].encode_utf16().count() as u32;
    let mut most = 0;
    for i in 0..edits + 2 {
        let change = TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(line, col), Position::new(line, col + 1))),
            range_length: None,
            text: char::from(b'0' + (i % 10) as u8).to_string(),
        };
        let mut checked = None;
        let bytes = allocated(|| {
            // as the server does: the change made, then the check's text brought up to it
            let edit = apply_change(&mut rope, &change, ColumnUnit::Utf16);
            let snapshot = rope.clone();
            checked = Some(texts.next(&snapshot, Some(edit)));
        });
        held = checked.expect("a text");
        if i >= 2 {
            most = most.max(bytes);
        }
    }
    let now = String::from(&rope);
    assert_eq!(held.text, now);
    assert_eq!(held.lines, LineIndex::new(&now));
    assert_eq!(texts.copies(), 2, "only the first two checks copy the text");
    most
}

#[test]
fn a_one_figure_edit_allocates_nothing_that_grows_with_the_document() {
    let short = draft(20);
    let long = draft(200);
    assert!(short.len() > 20_000 && long.len() > 9 * short.len());
    let (a, b) = (bytes_per_edit(&short, 20), bytes_per_edit(&long, 20));
    eprintln!("bytes per edit: {a} ({} bytes), {b} ({} bytes)", short.len(), long.len());
    // A copy of the text alone would be `short.len()` bytes.
    assert!(a <= 1024 && b <= 1024, "bytes per edit: {a} ({} bytes), {b} ({} bytes)", short.len(), long.len());
}
