//! Turning a document into checkable prose without moving any offset.
//!
//! The result is a *masked* copy of the original text: the same length in
//! bytes, every newline kept, with everything that is not prose (code, HTML,
//! front matter, link targets, URLs, Markdown syntax) blanked with spaces.
//! Extractors run on the masked text, so every span they return is already a
//! span of the original document.

use crate::text::{line_breaks, Span};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// How a document's text is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextFormat {
    Markdown,
    Plain,
}

impl TextFormat {
    /// The format for a file name: Markdown for .md/.markdown, plain otherwise.
    pub fn for_path(path: &str) -> Self {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".mdx") {
            TextFormat::Markdown
        } else {
            TextFormat::Plain
        }
    }
}

/// Checkable prose of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prose {
    /// Same byte length as the original; non-prose blanked with spaces.
    pub masked: String,
    /// Blocks (paragraphs, headings, list items, table cells) in document order.
    pub blocks: Vec<Span>,
    /// 0-based lines whose claims are not to be reported (`<!-- copydesk-ignore-next-line -->`).
    pub ignored_lines: Vec<u32>,
}

const IGNORE_MARK: &str = "copydesk-ignore-next-line";

fn url_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)\b(?:https?://|ftp://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"\x{201D}]"#)
            .expect("static regex")
    })
}

fn blank(masked: &mut [u8], span: Span) {
    for b in &mut masked[span.start..span.end] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// Replaces invisible and space-like characters with as many ASCII spaces as they have
/// bytes, so that extraction reads "\u{200F}84,300\u{200F}" (bidi marks pasted from a web
/// page) and "84,300\u{A0}troops" (a non-breaking space) as "84,300" and "84,300 troops",
/// while every position still maps to the original text. Replaced: no-break and other
/// Unicode spaces (U+00A0, U+2000–U+200A, U+202F), zero-width characters (U+200B–U+200D,
/// U+2060, U+FEFF), bidi marks, embeddings, overrides and isolates (U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069). A zero-width character inside a number splits it.
fn blank_invisible(masked: &mut [u8]) {
    if masked.is_ascii() {
        return; // a word at a time: most stories have nothing to blank
    }
    let mut i = 0;
    while i < masked.len() {
        // Every character blanked starts with a byte of 0xC2 or above: skip to the next one.
        match masked[i..].iter().position(|&b| b >= 0xC2) {
            Some(n) => i += n,
            None => return,
        }
        let width = match masked[i..] {
            [0xC2, 0xA0, ..] => 2,
            [0xE2, 0x80, 0x80..=0x8F | 0xAA..=0xAF, ..] => 3,
            [0xE2, 0x81, 0xA0 | 0xA6..=0xA9, ..] => 3,
            [0xEF, 0xBB, 0xBF, ..] => 3,
            _ => 0,
        };
        if width == 0 {
            i += 1;
        } else {
            masked[i..i + width].fill(b' ');
            i += width;
        }
    }
}

/// Blank every byte of a span that falls inside a multi-byte char with spaces, so the result stays valid UTF-8.
fn blank_urls(masked: &mut [u8]) {
    let find = |text: &str| -> Vec<Span> { url_re().find_iter(text).map(|m| Span::new(m.start(), m.end())).collect() };
    // Masking keeps the text valid UTF-8, so it is searched in place.
    let spans = match std::str::from_utf8(masked) {
        Ok(text) => find(text),
        Err(_) => find(&String::from_utf8_lossy(masked)),
    };
    for s in spans {
        blank(masked, s);
    }
}

/// The line holding `offset`, as [`crate::text::LineIndex`] counts lines (a lone "\r" ends one too).
fn line_of(text: &str, offset: usize) -> u32 {
    line_breaks(text).take_while(|&b| b <= offset).count() as u32
}

/// Reads `text` as `format` and returns its checkable prose.
pub fn prose(text: &str, format: TextFormat) -> Prose {
    read(text, format).0
}

/// [`prose`], and the top-level blocks of a Markdown text (what an incremental analysis
/// needs to know where a reading may start afresh).
pub(crate) fn read(text: &str, format: TextFormat) -> (Prose, Vec<TopBlock>) {
    let whole = Span::new(0, text.len());
    let window = match format {
        TextFormat::Markdown => markdown_window(text, whole),
        TextFormat::Plain => plain_window(text, whole),
    };
    let mut ignored_lines: Vec<u32> = window.ignore_marks.iter().map(|&end| ignored_line_after(text, end)).collect();
    ignored_lines.sort_unstable();
    ignored_lines.dedup();
    (Prose { masked: masked_string(window.masked), blocks: window.blocks, ignored_lines }, window.tops)
}

/// The line a `copydesk-ignore-next-line` comment ending at `end` keeps from being reported.
pub(crate) fn ignored_line_after(text: &str, end: usize) -> u32 {
    line_of(text, end) + 1
}

/// Reads `text[window]` as plain text of its own (see [`markdown_window`]).
pub(crate) fn plain_window(text: &str, window: Span) -> ProseWindow {
    let base = window.start;
    let src = window.slice(text);
    let mut masked = src.as_bytes().to_vec();
    // memmem: the mark's search vectorized (a copy of a wire story has no mark at all).
    let ignore_marks =
        memchr::memmem::find_iter(src.as_bytes(), IGNORE_MARK).map(|i| base + i + IGNORE_MARK.len()).collect();
    blank_invisible(&mut masked);
    blank_urls(&mut masked);
    // Blocks: separated by blank lines, or by a line that starts indented (wire-copy paragraphs).
    let mut blocks = Vec::new();
    let mut block_start: Option<usize> = None;
    let mut last_end = 0;
    let mut offset = base;
    for line in src.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let is_blank = content.trim().is_empty();
        let indented = content.starts_with("  ") || content.starts_with('\t');
        if is_blank || (indented && block_start.is_some()) {
            if let Some(s) = block_start.take() {
                blocks.push(Span::new(s, last_end));
            }
        }
        if !is_blank {
            let lead = content.len() - content.trim_start().len();
            if block_start.is_none() {
                block_start = Some(offset + lead);
            }
            last_end = offset + content.trim_end().len();
        }
        offset += line.len();
    }
    if let Some(s) = block_start {
        blocks.push(Span::new(s, last_end));
    }
    ProseWindow { masked, blocks, ignore_marks, tops: Vec::new() }
}

/// A top-level block of a Markdown parse: where it starts, and whether a blank line after
/// it leaves the parser as at the start of a document (a paragraph, heading, fenced code,
/// HTML block, table, rule or front matter does; a list, block quote, indented code or
/// footnote may go on after a blank line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TopBlock {
    pub start: usize,
    pub closes: bool,
}

/// What reading a stretch of text as a document of its own found.
#[derive(Debug, Default)]
pub(crate) struct ProseWindow {
    /// The stretch masked (as [`Prose::masked`] is).
    pub masked: Vec<u8>,
    /// Prose blocks, in order, merged where nested (offsets into the whole text).
    pub blocks: Vec<Span>,
    /// Where each `copydesk-ignore-next-line` comment ends.
    pub ignore_marks: Vec<usize>,
    /// The top-level blocks, in order (Markdown only).
    pub tops: Vec<TopBlock>,
}

/// Masked bytes as a string. Every byte is either an original byte copied whole (from a Text
/// event, or a line of plain text) or an ASCII space, and copies start and end on char
/// boundaries, so they are valid UTF-8.
pub(crate) fn masked_string(masked: Vec<u8>) -> String {
    String::from_utf8(masked).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Parses `text[window]` as a Markdown document of its own: its masked bytes, and its
/// blocks and top-level blocks with offsets into `text`. The whole text is one window; an
/// incremental analysis re-reads a window whose parse equals the whole text's there
/// (`incremental::window`).
pub(crate) fn markdown_window(text: &str, window: Span) -> ProseWindow {
    let base = window.start;
    let src = window.slice(text);
    let mut masked: Vec<u8> = src.bytes().map(|b| if b == b'\n' || b == b'\r' { b } else { b' ' }).collect();
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);
    options.insert(Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS);
    let mut blocks: Vec<Span> = Vec::new();
    let mut ignore_marks = Vec::new();
    let mut tops = Vec::new();
    // Depth of open tags: a tag opened at depth 0 is a top-level block.
    let mut depth = 0usize;
    // Stack of open block indices (None for containers whose text we skip).
    let mut open: Vec<Option<usize>> = Vec::new();
    let mut skip_depth = 0usize; // inside code blocks, metadata, autolinks, images
    let mut links: Vec<bool> = Vec::new(); // per open link: does it raise skip_depth?
    for (event, range) in Parser::new_ext(src, options).into_offset_iter() {
        // `span` is relative to the window, `src` and `masked`.
        let span = Span::new(range.start, range.end);
        match &event {
            Event::Start(tag) if depth == 0 => {
                let closes = !matches!(
                    tag,
                    Tag::List(_)
                        | Tag::BlockQuote(_)
                        | Tag::FootnoteDefinition(_)
                        | Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Indented)
                );
                tops.push(TopBlock { start: base + span.start, closes });
            }
            Event::Rule if depth == 0 => tops.push(TopBlock { start: base + span.start, closes: true }),
            _ => {}
        }
        match event {
            Event::Start(tag) => {
                depth += 1;
                match tag {
                    Tag::Paragraph | Tag::Heading { .. } | Tag::Item | Tag::TableCell => {
                        blocks.push(Span::new(usize::MAX, 0));
                        open.push(Some(blocks.len() - 1));
                    }
                    Tag::CodeBlock(_) | Tag::MetadataBlock(_) | Tag::HtmlBlock => skip_depth += 1,
                    Tag::Link { link_type, .. } => {
                        let autolink = matches!(link_type, LinkType::Autolink | LinkType::Email);
                        skip_depth += usize::from(autolink);
                        links.push(autolink);
                    }
                    Tag::Image { .. } => skip_depth += 1,
                    _ => {}
                }
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                match tag {
                    TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell => {
                        open.pop();
                    }
                    TagEnd::CodeBlock | TagEnd::MetadataBlock(_) | TagEnd::HtmlBlock => {
                        skip_depth = skip_depth.saturating_sub(1)
                    }
                    TagEnd::Image => skip_depth = skip_depth.saturating_sub(1),
                    TagEnd::Link if links.pop() == Some(true) => skip_depth = skip_depth.saturating_sub(1),
                    _ => {}
                }
            }
            Event::Text(_) if skip_depth == 0 => {
                masked[span.start..span.end].copy_from_slice(&src.as_bytes()[span.start..span.end]);
                // Backslash escapes keep their escaped character only.
                if span.slice(src).contains('\\') {
                    for (i, ch) in span.slice(src).char_indices() {
                        if ch == '\\' {
                            masked[span.start + i] = b' ';
                        }
                    }
                }
                if let Some(Some(b)) = open.last() {
                    let bl = &mut blocks[*b];
                    bl.start = bl.start.min(base + span.start);
                    bl.end = bl.end.max(base + span.end);
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                if let Some(i) = span.slice(src).find(IGNORE_MARK) {
                    ignore_marks.push(base + span.start + i + IGNORE_MARK.len());
                }
            }
            _ => {}
        }
    }
    blocks.retain(|b| b.start < b.end);
    blocks.sort_by_key(|b| b.start);
    // Nested containers (an item holding a paragraph) can yield overlapping blocks; keep the outer.
    let mut merged: Vec<Span> = Vec::with_capacity(blocks.len());
    for b in blocks {
        match merged.last_mut() {
            Some(last) if b.start < last.end => last.end = last.end.max(b.end),
            _ => merged.push(b),
        }
    }
    blank_invisible(&mut masked);
    blank_urls(&mut masked);
    ProseWindow { masked, blocks: merged, ignore_marks, tops }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn visible(p: &Prose) -> String {
        p.masked.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn masks_code_html_and_urls() {
        let t = "# Title\n\nSome *text* with `code 12` and <!-- c 99 --> a [link](http://x.y/7) https://a.b/9.\n\n```\n44 troops\n```\n";
        let p = prose(t, TextFormat::Markdown);
        assert_eq!(p.masked.len(), t.len());
        assert_eq!(visible(&p), "Title Some text with and a link .");
        assert_eq!(p.blocks.len(), 2);
    }

    #[test]
    fn invisible_and_space_like_characters_read_as_spaces() {
        let marks = [
            "\u{200F}", "\u{200E}", "\u{202E}", "\u{202C}", "\u{2067}", "\u{2069}", "\u{200B}", "\u{FEFF}", "\u{A0}",
            "\u{202F}", "\u{2009}",
        ];
        for format in [TextFormat::Plain, TextFormat::Markdown] {
            for m in marks {
                let t = format!("Kovac said {m}84,300{m} troops{m}were near.\n");
                let p = prose(&t, format);
                assert_eq!(p.masked.len(), t.len());
                assert_eq!(visible(&p), "Kovac said 84,300 troops were near.", "{m:?} in {format:?}");
            }
        }
    }

    #[test]
    fn front_matter_is_skipped() {
        let t = "---\ntitle: 5 things\n---\n\nBody 12.\n";
        let p = prose(t, TextFormat::Markdown);
        assert_eq!(visible(&p), "Body 12.");
    }

    #[test]
    fn ignore_comment_marks_next_line() {
        let t = "One.\n\n<!-- copydesk-ignore-next-line -->\nTwo 5.\n";
        let p = prose(t, TextFormat::Markdown);
        assert_eq!(p.ignored_lines, vec![3]);
    }

    #[test]
    fn plain_blocks_split_on_blank_and_indented_lines() {
        let t = "TITLE\n\nFirst para\nwraps here.\n    Second para.\n\nThird.";
        let p = prose(t, TextFormat::Plain);
        let b: Vec<&str> = p.blocks.iter().map(|s| s.slice(t)).collect();
        assert_eq!(b, vec!["TITLE", "First para\nwraps here.", "Second para.", "Third."]);
    }

    proptest! {
        #[test]
        fn masking_preserves_offsets(t in "[a-zA-Z0-9 *_`#>\\-\\[\\]()é\n.,\"]{0,120}") {
            for f in [TextFormat::Markdown, TextFormat::Plain] {
                let p = prose(&t, f);
                prop_assert_eq!(p.masked.len(), t.len());
                for (a, b) in p.masked.char_indices() {
                    // every kept char is the original char at the same offset
                    if b != ' ' { prop_assert!(t[a..].starts_with(b)); }
                }
                for bl in &p.blocks { prop_assert!(bl.end <= t.len() && t.is_char_boundary(bl.start) && t.is_char_boundary(bl.end)); }
            }
        }
    }
}
