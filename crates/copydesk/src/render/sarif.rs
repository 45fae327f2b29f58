//! `--format sarif`: SARIF 2.1.0 for code scanning.

use super::{position, FileReport};
use copydesk_engine::{Code, Severity};
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

fn uri(path: &str) -> String {
    path.replace('\\', "/")
}

pub fn render(reports: &[FileReport]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.describe()},
                "defaultConfiguration": {"level": level(c.default_severity())},
            })
        })
        .collect();
    let mut results = Vec::new();
    for r in reports {
        for f in &r.findings {
            let (line, col) = position(r, f.span.start);
            let (end_line, end_col) = position(r, f.span.end);
            let rule_index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
            let related: Vec<Value> = f
                .evidence
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    json!({
                        "id": i,
                        "message": {"text": e.text},
                        "physicalLocation": {"artifactLocation": {"uri": uri(&e.path)}, "region": {"startLine": e.line, "startColumn": e.column}},
                    })
                })
                .collect();
            let mut result = json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri(&r.path)},
                    "region": {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col, "snippet": {"text": f.text}},
                }}],
                "relatedLocations": related,
            });
            if let Some(s) = &f.suggestion {
                let (sl, sc) = position(r, s.span.start);
                let (el, ec) = position(r, s.span.end);
                result["fixes"] = json!([{
                    "description": {"text": format!("Use the source's wording: {}", s.replacement)},
                    "artifactChanges": [{"artifactLocation": {"uri": uri(&r.path)}, "replacements": [{
                        "deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                        "insertedContent": {"text": s.replacement},
                    }]}],
                }]);
            }
            results.push(result);
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "copydesk", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/copydesk/copydesk", "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
