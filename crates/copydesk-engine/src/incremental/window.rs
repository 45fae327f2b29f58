//! Where an edit's effect on the reading of a text ends: the stretch (the *window*) that an
//! incremental analysis reads again, and the places a reading may start afresh.
//!
//! A *restart* is a line start where a reader is in the state it has at the start of a
//! document, and whose blocks depend on no text before it:
//! - plain text: a line after a blank line (blocks are runs of lines);
//! - Markdown: a line after a blank line that starts a top-level block, when the top-level
//!   block before it is one that a blank line closes (a paragraph, heading, fenced code,
//!   HTML block, table, rule or front matter; not a list, block quote, indented code or
//!   footnote, which an indented line after a blank one would continue).
//!
//! The window runs from the last restart at or before the edit to a restart after it: the
//! text before the window is unchanged, so the reader is in the same state where it starts;
//! the window's end is confirmed by reading the new text there (a top-level block must
//! start at the same place, after a blank line, behind a block a blank line closes), so the
//! reader is in the same state again where the unchanged rest begins, and everything after
//! the window reads as before, moved. Reading the window on its own then gives what a
//! reading of the whole text gives there.
//!
//! Markdown has two kinds of reach that no window bounds, and a text where they may come
//! into play is read whole: link reference and footnote definitions (a definition anywhere
//! changes links everywhere: a text that holds "]:" or "[^"), and pulldown-cmark's front
//! matter, which it looks for at any block start and whose closing line it looks for down
//! to the end of the text (a window that holds, before or after the edit, a line opening
//! with "---", "+++" or "..." after nothing but container marks).

use crate::markdown::{self, ProseWindow, TopBlock};
use crate::text::Span;
use crate::TextFormat;

/// How many restarts after the edit are tried as the window's end before the window runs to the end of the text.
const TRIES: usize = 4;

/// The stretch an edit makes an incremental analysis read again, read.
pub(crate) struct Window {
    /// The window in the old text.
    pub old: Span,
    /// The window in the new text (its end is `old.end` moved by the edit).
    pub new: Span,
    /// The new window read as a document of its own (offsets into the new text).
    pub read: ProseWindow,
    /// The restarts of the new text inside the window (from its start, up to its end when
    /// that is not the end of the text).
    pub restarts: Vec<usize>,
}

/// Is `text` such that every edit must read it whole? (See the module's notes.)
pub(crate) fn reads_whole(text: &str, format: TextFormat) -> bool {
    format == TextFormat::Markdown && (text.contains("]:") || text.contains("[^"))
}

/// Is `text` (a window's, from a line start) one that may hold a definition or a line of front matter?
fn unbounded_markdown(text: &str) -> bool {
    text.contains("]:")
        || text.contains("[^")
        || text.split(['\n', '\r']).any(|line| {
            let rest = line.trim_start_matches([
                ' ', '\t', '>', '-', '*', '+', '.', ')', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
            ]);
            // The marks trimmed may have been the fence itself: look at what they were.
            let marks = &line[..line.len() - rest.len()];
            ["---", "+++", "..."].iter().any(|f| marks.contains(f) || rest.starts_with(f))
        })
}

/// Is `at` a line start whose line before is blank (nothing but spaces and tabs, as
/// CommonMark counts blank lines; any white space for plain text)?
fn after_blank_line(text: &str, at: usize, format: TextFormat) -> bool {
    let bytes = text.as_bytes();
    if at == 0 || at > bytes.len() || bytes[at - 1] != b'\n' {
        return false;
    }
    let body = &text[..at - 1];
    let body = body.strip_suffix('\r').unwrap_or(body);
    let line_start = body.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &body[line_start..];
    match format {
        TextFormat::Markdown => line.bytes().all(|b| b == b' ' || b == b'\t'),
        // plain text splits lines at "\n" only
        TextFormat::Plain => body[body.rfind('\n').map_or(0, |i| i + 1)..].trim().is_empty(),
    }
}

/// The start of the line holding `at`, if only spaces and tabs stand before `at` on it.
fn line_start_before(text: &str, at: usize) -> Option<usize> {
    let before = &text[..at];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    before[start..].bytes().all(|b| b == b' ' || b == b'\t').then_some(start)
}

/// The restarts among top-level blocks `tops` of `text` (in order, the block before the
/// first being one a blank line closes, or none).
pub(crate) fn markdown_restarts(text: &str, tops: &[TopBlock], out: &mut Vec<usize>) {
    let mut prev_closes = true;
    for top in tops {
        if prev_closes {
            if let Some(p) = line_start_before(text, top.start) {
                if p == 0 || after_blank_line(text, p, TextFormat::Markdown) {
                    out.push(p);
                }
            }
        }
        prev_closes = top.closes;
    }
}

/// The restarts of plain `text` in `from..to`.
pub(crate) fn plain_restarts(text: &str, from: usize, to: usize, out: &mut Vec<usize>) {
    if from == 0 || after_blank_line(text, from, TextFormat::Plain) {
        out.push(from);
    }
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(i) = bytes.get(at..to).and_then(|s| s.iter().position(|&b| b == b'\n')) {
        let p = at + i + 1;
        if p < to && after_blank_line(text, p, TextFormat::Plain) {
            out.push(p);
        }
        at = p;
    }
}

/// The restarts of a whole text and its reading's top-level blocks.
pub(crate) fn restarts(text: &str, format: TextFormat, tops: &[TopBlock]) -> Vec<usize> {
    let mut out = Vec::new();
    match format {
        TextFormat::Markdown => {
            out.push(0);
            markdown_restarts(text, tops, &mut out);
            out.dedup();
        }
        TextFormat::Plain => plain_restarts(text, 0, text.len(), &mut out),
    }
    out
}

/// The window of `edit` (old text `old`, its restarts `restarts`; new text `new`), read; or
/// `None` when only a reading of the whole new text will do.
pub(crate) fn find(old: &str, restarts: &[usize], new: &str, edit: super::Edit, format: TextFormat) -> Option<Window> {
    let grown = |at: usize| at + new.len() - old.len();
    let a = restarts[..restarts.partition_point(|&r| r <= edit.start)].last().copied().unwrap_or(0);
    let after = restarts.partition_point(|&r| r < edit.old_end.max(1));
    let candidates = restarts[after..].iter().copied().take(TRIES).chain(std::iter::once(old.len()));
    for b in candidates {
        if a == 0 && b == old.len() {
            return None; // the whole text
        }
        let new_b = grown(b);
        if format == TextFormat::Markdown && (unbounded_markdown(&old[a..b]) || unbounded_markdown(&new[a..new_b])) {
            return None;
        }
        let to_end = b == old.len();
        if !to_end && !after_blank_line(new, new_b, format) {
            continue;
        }
        let read = match format {
            TextFormat::Plain => markdown::plain_window(new, Span::new(a, new_b)),
            TextFormat::Markdown => {
                // Read on to the end of the first line after the window, to see the block there.
                let ext = if to_end { new_b } else { new[new_b..].find('\n').map_or(new.len(), |i| new_b + i + 1) };
                let mut read = markdown::markdown_window(new, Span::new(a, ext));
                if !to_end {
                    let next = read.tops.partition_point(|t| t.start < new_b);
                    let starts_there =
                        read.tops.get(next).is_some_and(|t| line_start_before(new, t.start) == Some(new_b));
                    let closed = next == 0 || read.tops[next - 1].closes;
                    if !(starts_there && closed) {
                        continue;
                    }
                    read.masked.truncate(new_b - a);
                    read.blocks.retain(|s| s.start < new_b);
                    read.ignore_marks.retain(|&m| m < new_b);
                    read.tops.truncate(next);
                }
                read
            }
        };
        let mut window_restarts = Vec::new();
        match format {
            TextFormat::Markdown => {
                if a == 0 {
                    window_restarts.push(0);
                }
                markdown_restarts(new, &read.tops, &mut window_restarts);
                window_restarts.dedup();
            }
            TextFormat::Plain => plain_restarts(new, a, new_b, &mut window_restarts),
        }
        if !to_end {
            window_restarts.push(new_b);
        }
        return Some(Window { old: Span::new(a, b), new: Span::new(a, new_b), read, restarts: window_restarts });
    }
    None
}
