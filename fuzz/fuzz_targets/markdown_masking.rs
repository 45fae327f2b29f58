//! Markdown and plain-text masking (`markdown::prose`) and sentence splitting.
//!
//! Properties: the masked prose has the original's byte length; every character it keeps
//! is the original's at the same offset, everything else is spaces, and every line break
//! stays where it was (so spans of the masked text are spans of the original and lines do
//! not move); blocks are sorted, disjoint and on char boundaries; sentences lie inside
//! their block; ignored lines exist.
#![no_main]

use copydesk_engine::text::{line_breaks, split_sentences};
use copydesk_engine::{markdown, TextFormat};
use copydesk_fuzz::{assert_span, utf8};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = utf8(data) else { return };
    let lines = line_breaks(text).count() as u32 + 1;
    for format in [TextFormat::Markdown, TextFormat::Plain] {
        let p = markdown::prose(text, format);
        let masked = p.masked.as_str();
        assert_eq!(masked.len(), text.len(), "{format:?}: masking changed the length");
        for (i, c) in masked.char_indices() {
            if c != ' ' {
                assert!(text[i..].starts_with(c), "{format:?}: {c:?} at {i} is not the original's");
            }
        }
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' || b == b'\r' {
                assert_eq!(masked.as_bytes()[i], b, "{format:?}: the line break at {i} moved");
            }
        }
        let mut last_end = 0;
        for (bi, block) in p.blocks.iter().enumerate() {
            assert_span(text, *block, "block");
            assert!(block.start < block.end, "{format:?}: empty block {block:?}");
            assert!(block.start >= last_end, "{format:?}: block {bi} {block:?} overlaps the one before");
            last_end = block.end;
            let mut last = block.start;
            for s in split_sentences(masked, *block) {
                assert_span(text, s, "sentence");
                assert!(s.start >= last && s.start < s.end && s.end <= block.end, "sentence {s:?} outside {block:?}");
                last = s.end;
            }
        }
        assert!(p.ignored_lines.windows(2).all(|w| w[0] <= w[1]), "{format:?}: ignored lines out of order");
        assert!(p.ignored_lines.iter().all(|&l| l <= lines), "{format:?}: ignored line past the end");
    }
});
