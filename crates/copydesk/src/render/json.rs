//! `--format json`: `{"version": 1, "findings": [...]}`, the shape checks read.

use super::{position, FileReport};
use serde_json::{json, Value};

pub fn finding_value(r: &FileReport, f: &copydesk_engine::Finding) -> Value {
    let (line, column) = position(r, f.span.start);
    let (end_line, end_column) = position(r, f.span.end);
    let mut v = json!({
        "path": r.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "text": f.text,
        "code": f.code.as_str(),
        "severity": f.severity.as_str(),
        "message": f.message,
        "evidence": f.evidence.iter().map(|e| json!({"path": e.path, "line": e.line, "text": e.text})).collect::<Vec<_>>(),
    });
    if let Some(s) = &f.suggestion {
        v["suggestion"] = json!(s.replacement);
    }
    v
}

pub fn render(reports: &[FileReport]) -> String {
    let findings: Vec<Value> =
        reports.iter().flat_map(|r| r.findings.iter().map(move |f| finding_value(r, f))).collect();
    let mut s = serde_json::to_string_pretty(&json!({"version": 1, "findings": findings})).unwrap_or_default();
    s.push('\n');
    s
}
