//! `--format human`: rustc/ruff-style reports with the draft line, a caret under
//! the span, and the evidence. Color only when writing to a terminal.

use super::terminal::{escape, escaped_offset};
use super::{position, tally, FileReport};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use copydesk_engine::Severity;
use std::borrow::Cow;

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Information => Level::INFO,
        _ => Level::NOTE,
    }
}

pub fn render(reports: &[FileReport], color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (line, col) = position(r, f.span.start);
            let title = format!("{}[{}]", f.severity, f.code);
            // The snippet is the line(s) holding the span; annotate-snippets wants offsets into it.
            let first = r.lines.line_of(f.span.start);
            let last = r.lines.line_of(f.span.end.saturating_sub(1).max(f.span.start));
            let start = r.lines.line_start(first);
            let end = r.lines.line_end(last, &r.text);
            let source = &r.text[start..end.max(start)];
            let span = (f.span.start - start).min(source.len())..(f.span.end.saturating_sub(start)).min(source.len());
            // Every text from a file is escaped (annotate-snippets escapes C0 controls, not C1).
            let shown = escape(source);
            let span = match shown {
                Cow::Borrowed(_) => span,
                Cow::Owned(_) => escaped_offset(source, span.start)..escaped_offset(source, span.end),
            };
            let mut group = Group::with_level(level(f.severity)).element(
                Snippet::source(shown)
                    .line_start(first + 1)
                    .annotation(AnnotationKind::Primary.span(span).label(f.code.as_str())),
            );
            for e in &f.evidence {
                group = group.element(Level::NOTE.no_name().message(format!(
                    "--> {}:{}\n      {}",
                    escape(&e.path),
                    e.line,
                    escape(&e.text)
                )));
            }
            if let Some(s) = &f.suggestion {
                group = group.element(Level::HELP.message(format!("the source has: {}", escape(&s.replacement))));
            }
            out.push_str(&format!("{}:{line}:{col}: {}: {}\n", escape(&r.path), title, escape(&f.message)));
            out.push_str(&renderer.render(&[group]));
            out.push_str("\n\n");
        }
    }
    let (contradictions, other) = tally(reports);
    let files = reports.len();
    out.push_str(&format!(
        "{} contradiction{}, {} other finding{} in {} draft{}\n",
        contradictions,
        if contradictions == 1 { "" } else { "s" },
        other,
        if other == 1 { "" } else { "s" },
        files,
        if files == 1 { "" } else { "s" },
    ));
    out
}
