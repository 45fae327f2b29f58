//! Engine results → protocol values: diagnostics, hovers, locations.

use crate::document::Positions;
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::text::ColumnUnit;
use copydesk_engine::{Evidence, Finding, Severity};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position,
    Range, Uri,
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

/// The location of an evidence sentence's words in its source file. A source read out of
/// a PDF or DOCX is no text for an editor to open at a line: its location is the file
/// itself (the start of it), for the editor or the system to open as it opens such files;
/// the page and line are in the hover, the message and the related information's text.
pub fn evidence_location(e: &Evidence, corpus: &CorpusIndex, base: &Path, unit: ColumnUnit) -> Option<Location> {
    let uri = Uri::from_file_path(base.join(&e.path))?;
    if e.extracted {
        return Some(Location { uri, range: Range::default() });
    }
    let lower = e.path.to_ascii_lowercase();
    let html = lower.ends_with(".html") || lower.ends_with(".htm");
    let range = match corpus.by_path(&e.path) {
        Some(src) if !html && e.span.end <= src.doc.text.len() => {
            let p = Positions { text: &src.doc.text, lines: src.lines(), unit };
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
            // The location of a PDF's or DOCX's sentence is the file: its place goes in the text.
            let message = if e.extracted { format!("{}: {}", e.place(), e.text) } else { e.text.clone() };
            Some(DiagnosticRelatedInformation { location, message })
        })
        .collect();
    let data = FixData {
        code: f.code.as_str().to_string(),
        text: f.text.clone(),
        replacement: f.suggestion.as_ref().map(|s| s.replacement.clone()),
        replace_range: f.suggestion.as_ref().map(|s| pos.range(s.span)),
        cite: f.evidence.first().map(Evidence::cite),
    };
    Diagnostic {
        range,
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.as_str().to_string())),
        code_description: Uri::from_str(f.code.help_url()).ok().map(|href| CodeDescription { href }),
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
