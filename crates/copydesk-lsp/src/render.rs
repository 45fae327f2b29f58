//! Engine results → protocol values: diagnostics, hovers, locations.

use crate::document::Positions;
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::text::ColumnUnit;
use copydesk_engine::{Evidence, Finding, Severity, Status, Verdict};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Uri,
};

pub const SOURCE: &str = "copydesk";

/// What a diagnostic carries for its quick fixes (`Diagnostic.data`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixData {
    pub code: String,
    /// The flagged draft text (what "ignore in project" adds).
    pub text: String,
    /// The source's wording, if the engine suggests one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replacement: Option<String>,
    /// Where the replacement goes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replace_range: Option<Range>,
    /// Where the first evidence is, for the fix's title ("file.txt:12").
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cite: Option<String>,
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning | Severity::Off => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// File name of a corpus path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

pub fn cite(e: &Evidence) -> String {
    format!("{}:{}", file_name(&e.path), e.line)
}

/// The location of an evidence sentence's words in its source file.
pub fn evidence_location(e: &Evidence, corpus: &CorpusIndex, base: &Path, unit: ColumnUnit) -> Option<Location> {
    let uri = Uri::from_file_path(base.join(&e.path))?;
    let lower = e.path.to_ascii_lowercase();
    let html = lower.ends_with(".html") || lower.ends_with(".htm");
    let range = match corpus.by_path(&e.path) {
        Some(src) if !html && e.span.end <= src.doc.text.len() => {
            let p = Positions { text: &src.doc.text, lines: &src.lines, unit };
            p.range(e.span)
        }
        _ => {
            // Extracted HTML text (or a document since removed): the line is all we know.
            let at = Position::new(e.line.saturating_sub(1), 0);
            Range::new(at, at)
        }
    };
    Some(Location { uri, range })
}

pub fn diagnostic(f: &Finding, pos: &Positions, corpus: &CorpusIndex, base: &Path) -> Diagnostic {
    let range = pos.range(f.span);
    let related: Vec<DiagnosticRelatedInformation> = f
        .evidence
        .iter()
        .filter_map(|e| {
            let location = evidence_location(e, corpus, base, pos.unit)?;
            Some(DiagnosticRelatedInformation { location, message: e.text.clone() })
        })
        .collect();
    let data = FixData {
        code: f.code.as_str().to_string(),
        text: f.text.clone(),
        replacement: f.suggestion.as_ref().map(|s| s.replacement.clone()),
        replace_range: f.suggestion.as_ref().map(|s| pos.range(s.span)),
        cite: f.evidence.first().map(cite),
    };
    Diagnostic {
        range,
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.as_str().to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(&data).ok(),
    }
}

/// The one diagnostic of a document too large to check.
pub fn oversize(bytes: usize, limit: usize) -> Diagnostic {
    Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String("document-too-large".into())),
        source: Some(SOURCE.to_string()),
        message: format!(
            "copydesk: this document is {bytes} bytes; documents over {limit} bytes are not checked (raise [server] max_document_bytes in copydesk.toml)"
        ),
        ..Default::default()
    }
}

fn status_word(s: &Status) -> &'static str {
    match s {
        Status::Supported => "Supported",
        Status::Contradicted => "Contradicted",
        Status::Disputed => "Disputed",
        Status::Unsourced => "Unsourced",
    }
}

/// Escapes text for a Markdown line (quote block).
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Hover text for the verdicts at one position: summary, then each evidence sentence quoted.
pub fn hover_markdown(verdicts: &[&Verdict]) -> String {
    let mut out = String::new();
    for (i, v) in verdicts.iter().enumerate() {
        if i > 0 {
            out.push_str("\n---\n\n");
        }
        out.push_str(&format!("**copydesk: {}** — {}\n", status_word(&v.status), md_escape(&v.summary)));
        if let Some(f) = &v.finding {
            out.push_str(&format!("\n`{}`: {}\n", f.code, md_escape(&f.message)));
        }
        if !v.reason.is_empty() {
            out.push_str(&format!("\n*Why:* {}\n", md_escape(&v.reason)));
        }
        for e in &v.evidence {
            out.push_str(&format!("\n> {}\n\n", md_escape(&e.text)));
            let mut line = format!("— `{}`, line {}", file_name(&e.path), e.line);
            if let Some(t) = e.title.as_deref().filter(|t| !t.is_empty()) {
                line.push_str(&format!(", *{}*", md_escape(t)));
            }
            if let Some(d) = e.date.as_deref().filter(|d| !d.is_empty()) {
                line.push_str(&format!(", {}", md_escape(d)));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_engine::{ClaimKind, Span};

    #[test]
    fn hover_quotes_each_sentence_with_file_line_title_date() {
        let e = |p: &str, l: u32, t: Option<&str>| Evidence {
            path: p.into(),
            line: l,
            column: 1,
            text: "The count was 94,300 *troops*.".into(),
            span: Span::new(0, 1),
            title: t.map(str::to_string),
            date: Some("2021-12-03".into()),
        };
        let v = Verdict {
            kind: ClaimKind::Quantity,
            span: Span::new(0, 6),
            status: Status::Supported,
            summary: "94,300 matches the source".into(),
            evidence: vec![e("src/a.txt", 3, Some("Troops")), e("b.txt", 9, None)],
            finding: None,
            reason: "A source figure of the same subject and time agrees.".into(),
        };
        let md = hover_markdown(&[&v]);
        assert!(md.starts_with("**copydesk: Supported** — 94,300 matches the source\n"), "{md}");
        assert!(md.contains("\n> The count was 94,300 \\*troops\\*.\n"), "{md}");
        assert!(md.contains("— `a.txt`, line 3, *Troops*, 2021-12-03\n"), "{md}");
        assert!(md.contains("— `b.txt`, line 9, 2021-12-03\n"), "{md}");
        assert!(md.contains("\n*Why:* A source figure of the same subject and time agrees.\n"), "{md}");
    }
}
