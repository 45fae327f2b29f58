//! Hover text for the verdicts at a position: each thing said once. The verdict and its
//! message, why, then each source sentence with where it is. Markdown for clients that
//! render it (kept to a block quote and one bold line, which read well even raw), plain
//! text for those that do not.

use copydesk_engine::{Evidence, Status, Verdict};

fn status_word(s: &Status) -> &'static str {
    match s {
        Status::Supported => "Supported",
        Status::Contradicted => "Contradicted",
        Status::Disputed => "Sources disagree",
        Status::Unsourced => "Unsourced",
    }
}

/// Escapes text for a Markdown line. An underscore inside a word ("003_story.txt") is no
/// emphasis in CommonMark and is left as it is, so a path reads the same raw or rendered.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let intraword = c == '_'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') && !intraword {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// "news/clinic.md, line 5 · Clinic strained · 2021-12-03"; in a PDF, "filings/report.pdf,
/// page 3, line 12 · …" (the line within the page).
fn whereabouts(e: &Evidence) -> String {
    let mut line = format!("{}, {}", e.source_path(), e.place());
    for part in [e.title.as_deref(), e.date.as_deref()].into_iter().flatten().filter(|p| !p.trim().is_empty()) {
        line.push_str(" \u{b7} ");
        line.push_str(part.trim());
    }
    line
}

/// The hover for `verdicts`, as Markdown or as plain text.
pub fn hover_text(verdicts: &[&Verdict], markdown: bool) -> String {
    let esc = |s: &str| if markdown { md_escape(s) } else { s.to_string() };
    let mut out = String::new();
    for (i, v) in verdicts.iter().enumerate() {
        if i > 0 {
            out.push_str(if markdown { "\n---\n\n" } else { "\n\n" });
        }
        // The finding's message where there is one (it is also the summary), else the summary.
        let (code, said) = match &v.finding {
            Some(f) => (Some(f.code), f.message.as_str()),
            None => (None, v.summary.as_str()),
        };
        let head = match code {
            Some(c) => format!("copydesk: {} ({c})", status_word(&v.status)),
            None => format!("copydesk: {}", status_word(&v.status)),
        };
        if markdown {
            out.push_str(&format!("**{head}**\n\n{}\n", esc(said)));
        } else {
            out.push_str(&format!("{head}\n{said}\n"));
        }
        if !v.reason.is_empty() {
            out.push_str(&format!("\nWhy: {}\n", esc(&v.reason)));
        }
        let mut shown: Vec<(&str, Option<u32>, u32, &str)> = Vec::new();
        for e in &v.evidence {
            let key = (e.path.as_str(), e.page, e.line, e.text.as_str());
            if shown.contains(&key) {
                continue;
            }
            shown.push(key);
            if markdown {
                out.push_str(&format!("\n> {}\n\n\u{2014} {}\n", esc(&e.text), esc(&whereabouts(e))));
            } else {
                out.push_str(&format!("\n  \u{201C}{}\u{201D}\n  \u{2014} {}\n", e.text, whereabouts(e)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_engine::{ClaimKind, Code, Finding, Severity, Span};

    fn evidence(path: &str, line: u32, title: Option<&str>) -> Evidence {
        Evidence {
            path: path.into(),
            line,
            page: None,
            extracted: false,
            column: 1,
            text: "The count was 94,300 *troops*.".into(),
            span: Span::new(0, 1),
            title: title.map(str::to_string),
            date: Some("2021-12-03".into()),
        }
    }

    fn contradicted() -> Verdict {
        let message = "\u{201C}84,300 soldiers\u{201D} \u{2014} the source has 94,300 (src/a.txt:3)".to_string();
        let e = evidence("src/a.txt", 3, Some("Troops"));
        Verdict {
            kind: ClaimKind::Quantity,
            span: Span::new(0, 6),
            status: Status::Contradicted,
            summary: message.clone(),
            evidence: vec![e.clone(), e.clone(), evidence("b.txt", 9, None)],
            finding: Some(Finding {
                code: Code::NumberMismatch,
                severity: Severity::Warning,
                span: Span::new(0, 6),
                text: "84,300".into(),
                message,
                evidence: vec![e],
                suggestion: None,
            }),
            reason: "A source figure of the same subject and time disagrees.".into(),
        }
    }

    #[test]
    fn each_thing_is_said_once() {
        let v = contradicted();
        let md = hover_text(&[&v], true);
        assert!(md.starts_with("**copydesk: Contradicted (number-mismatch)**\n\n"), "{md}");
        assert_eq!(md.matches("the source has 94,300").count(), 1, "{md}");
        assert_eq!(md.matches("The count was").count(), 2, "one quote per distinct sentence: {md}");
        assert!(md.contains("\n> The count was 94,300 \\*troops\\*.\n\n\u{2014} src/a.txt, line 3 \u{b7} Troops \u{b7} 2021-12-03\n"), "{md}");
        assert!(md.contains("\u{2014} b.txt, line 9 \u{b7} 2021-12-03\n"), "{md}");
        assert!(md.contains("\nWhy: A source figure of the same subject and time disagrees.\n"), "{md}");
        assert!(!md.contains('`'), "no code spans (raw in clients that show Markdown as text): {md}");
        assert_eq!(md_escape("003_story.txt _lead_ *x*"), "003_story.txt \\_lead\\_ \\*x\\*");
    }

    #[test]
    fn plain_text_has_no_markup() {
        let v = contradicted();
        let text = hover_text(&[&v], false);
        assert!(
            text.starts_with("copydesk: Contradicted (number-mismatch)\n\u{201C}84,300 soldiers\u{201D}"),
            "{text}"
        );
        assert!(
            text.contains("  \u{201C}The count was 94,300 *troops*.\u{201D}\n  \u{2014} src/a.txt, line 3"),
            "{text}"
        );
        assert!(!text.contains("**") && !text.contains('\\') && !text.contains("\n>"), "{text}");
    }

    #[test]
    fn a_supported_figure_is_not_called_supported_twice() {
        let v = Verdict {
            kind: ClaimKind::Quantity,
            span: Span::new(0, 6),
            status: Status::Supported,
            summary: "src/a.txt:3 states 94,300.".into(),
            evidence: vec![evidence("src/a.txt", 3, None)],
            finding: None,
            reason: String::new(),
        };
        let md = hover_text(&[&v], true);
        assert!(md.starts_with("**copydesk: Supported**\n\nsrc/a.txt:3 states 94,300.\n"), "{md}");
        assert_eq!(md.matches("Supported").count(), 1, "{md}");
    }
}
