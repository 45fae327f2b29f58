//! `--format human`: rustc/ruff-style reports with the draft line, a caret under
//! the span, and the evidence. Color only when writing to a terminal.

use super::terminal::{escape, escaped_offset};
use super::{each_finding, evidence_at, position, tally, FileReport};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use copydesk_engine::text::floor_char_boundary;
use copydesk_engine::Severity;
use std::borrow::Cow;
use std::io::{self, Write};

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information => Level::INFO,
        _ => Level::NOTE,
    }
}

/// Bytes of a draft line shown either side of a finding's span: a finding on a
/// 1 MiB line prints (and costs) a window of it, not the whole line.
const CONTEXT_BYTES: usize = 160;

/// The part of the draft shown under a finding: the span's line(s), cut to
/// [`CONTEXT_BYTES`] either side of the span with `…` where something was cut.
/// Returns the text and the span's offsets in it.
fn window(
    text: &str,
    line_start: usize,
    line_end: usize,
    span: std::ops::Range<usize>,
) -> (Cow<'_, str>, std::ops::Range<usize>) {
    let start = floor_char_boundary(text, span.start.saturating_sub(CONTEXT_BYTES).max(line_start));
    let end = floor_char_boundary(text, (span.end + CONTEXT_BYTES).min(line_end)).max(start);
    let (lead, tail) = (if start > line_start { "…" } else { "" }, if end < line_end { "…" } else { "" });
    let shown = &text[start..end];
    let at = |o: usize| lead.len() + (o.clamp(start, end) - start);
    let span = at(span.start)..at(span.end);
    if lead.is_empty() && tail.is_empty() {
        (Cow::Borrowed(shown), span)
    } else {
        (Cow::Owned(format!("{lead}{shown}{tail}")), span)
    }
}

pub fn write(out: &mut dyn Write, reports: &[FileReport], color: bool) -> io::Result<()> {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    for (r, f) in each_finding(reports) {
        let (line, col) = position(r, f.span.start);
        let title = format!("{}[{}]", f.severity, f.code);
        // The snippet is (a window of) the line(s) holding the span; annotate-snippets wants offsets into it.
        let first = r.lines.line_of(f.span.start);
        let last = r.lines.line_of(f.span.end.saturating_sub(1).max(f.span.start));
        let start = r.lines.line_start(first);
        let end = r.lines.line_end(last, &r.text).max(start);
        let (source, span) = window(&r.text, start, end, f.span.start..f.span.end);
        // Every text from a file is escaped (annotate-snippets escapes C0 controls, not C1).
        let shown = escape(&source);
        let span = match shown {
            Cow::Borrowed(_) => span,
            Cow::Owned(_) => escaped_offset(&source, span.start)..escaped_offset(&source, span.end),
        };
        let mut group = Group::with_level(level(f.severity)).element(
            Snippet::source(shown.as_ref())
                .line_start(first + 1)
                .annotation(AnnotationKind::Primary.span(span).label(f.code.as_str())),
        );
        for e in &f.evidence {
            group = group.element(Level::NOTE.no_name().message(format!(
                "--> {}\n      {}",
                escape(&evidence_at(e)),
                escape(&e.text)
            )));
        }
        if let Some(s) = &f.suggestion {
            group =
                group.element(Level::HELP.message(format!("replace with \u{201C}{}\u{201D}", escape(&s.replacement))));
        }
        writeln!(out, "{}:{line}:{col}: {}: {}", escape(&r.path), title, escape(&f.message))?;
        writeln!(out, "{}\n", renderer.render(&[group]))?;
    }
    let (contradictions, other) = tally(reports);
    let files = reports.len();
    writeln!(
        out,
        "{} contradiction{}, {} note{} in {} draft{}",
        contradictions,
        if contradictions == 1 { "" } else { "s" },
        other,
        if other == 1 { "" } else { "s" },
        files,
        if files == 1 { "" } else { "s" },
    )
}
