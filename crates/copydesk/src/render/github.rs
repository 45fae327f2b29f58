//! `--format github`: GitHub Actions workflow commands (`::warning file=...::message`).

use super::{each_finding, evidence_at, position, FileReport};
use copydesk_engine::Severity;
use std::io::{self, Write};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    for (r, f) in each_finding(reports) {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            _ => "notice",
        };
        let (line, col) = position(r, f.span.start);
        let (end_line, end_col) = position(r, f.span.end);
        let mut msg = f.message.clone();
        for e in &f.evidence {
            msg.push_str(&format!("\n  {}: {}", evidence_at(e), e.text));
        }
        writeln!(
            out,
            "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
            escape_property(&r.path),
            escape_property(&format!("copydesk {}", f.code)),
            escape_data(&msg)
        )?;
    }
    Ok(())
}
