//! `--format sarif`: SARIF 2.1.0 for code scanning, written one result at a time.

use super::json::Streamed;
use super::{each_finding, position, FileReport};
use copydesk_engine::{Code, Finding, Severity};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};
use std::io::{self, Write};

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

fn tool() -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.describe()},
                "defaultConfiguration": {"level": level(c.default_severity())},
                "helpUri": c.help_url(),
            })
        })
        .collect();
    json!({"driver": {"name": "copydesk", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/copydesk/copydesk", "rules": rules}})
}

fn result(r: &FileReport, f: &Finding) -> Value {
    let (line, col) = position(r, f.span.start);
    let (end_line, end_col) = position(r, f.span.end);
    let rule_index = Code::ALL.iter().position(|c| *c == f.code).unwrap_or(0);
    let related: Vec<Value> = f
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if e.extracted {
                // A PDF's or DOCX's lines are lines of its text, not of the file: no region,
                // the place in the message.
                return json!({
                    "id": i,
                    "message": {"text": format!("{}: {}", e.place(), e.text)},
                    "physicalLocation": {"artifactLocation": {"uri": uri(&e.path)}},
                });
            }
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
    result
}

/// The one run: its results streamed, keys in sorted order as serde_json's maps give them.
struct Run<'a>(&'a [FileReport]);

impl Serialize for Run<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("columnKind", "unicodeCodePoints")?;
        map.serialize_entry("results", &Streamed(|| each_finding(self.0).map(|(r, f)| result(r, f))))?;
        map.serialize_entry("tool", &tool())?;
        map.end()
    }
}

struct Log<'a>(&'a [FileReport]);

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        map.serialize_entry("runs", &[Run(self.0)])?;
        map.serialize_entry("version", "2.1.0")?;
        map.end()
    }
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Log(reports))?;
    out.write_all(b"\n")
}
