//! `--format json`: `{"findings": [...], "version": 1}`, the shape checks read,
//! written one finding at a time.

use super::{each_finding, position, FileReport};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};
use std::io::{self, Write};

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
        "evidence": f.evidence.iter().map(evidence_value).collect::<Vec<_>>(),
    });
    if let Some(s) = &f.suggestion {
        v["suggestion"] = json!(s.replacement);
    }
    v
}

/// An evidence sentence: its source's path, line and text; in a source read out of a PDF,
/// its page too (the line is then the line within that page).
fn evidence_value(e: &copydesk_engine::Evidence) -> Value {
    let mut v = json!({"path": e.path, "line": e.line, "text": e.text});
    if let Some(page) = e.page {
        v["page"] = json!(page);
    }
    v
}

/// A sequence serialized from an iterator as it is written, never collected.
pub(crate) struct Streamed<F>(pub F);

impl<F, I, T> Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

struct Document<'a>(&'a [FileReport]);

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Keys in the order serde_json's maps give them (sorted), as before streaming.
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("findings", &Streamed(|| each_finding(self.0).map(|(r, f)| finding_value(r, f))))?;
        map.serialize_entry("version", &1)?;
        map.end()
    }
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Document(reports))?;
    out.write_all(b"\n")
}
