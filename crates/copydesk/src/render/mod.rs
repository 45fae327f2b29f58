//! Rendering findings: one [`FileReport`] per draft, five output formats. Every
//! format writes finding by finding (the review page: paragraph by paragraph) to a
//! [`Write`]r, so the output of a run with a hundred thousand findings never exists
//! whole in memory.

pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod sarif;
pub mod terminal;

use copydesk_engine::{ColumnUnit, Evidence, Finding, LineIndex, Verdict};

/// A checked draft: its text (for positions and snippets), its findings, and for the
/// review page the verdicts they came from (every checked claim, supported ones too;
/// empty for the other formats).
pub struct FileReport {
    /// The path as the user named it.
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
    pub findings: Vec<Finding>,
    pub verdicts: Vec<Verdict>,
}

/// 1-based line and 1-based Unicode-character column of a byte offset.
pub fn position(report: &FileReport, offset: usize) -> (u32, u32) {
    let lc = report.lines.line_col(&report.text, offset, ColumnUnit::Char);
    (lc.line + 1, lc.col + 1)
}

/// Where an evidence sentence is, as the outputs show it: "news/clinic.md:5" (the path as
/// the corpus names it), or for a source read out of a PDF or DOCX its place in words,
/// "filings/report.pdf, page 3, line 12" ([`Evidence::cite`]).
pub fn evidence_at(e: &Evidence) -> String {
    if e.extracted {
        e.cite()
    } else {
        format!("{}:{}", e.path, e.line)
    }
}

/// Counts of contradictions and of notes (the other findings).
pub fn tally(reports: &[FileReport]) -> (usize, usize) {
    let all = reports.iter().flat_map(|r| &r.findings);
    let contradictions = all.clone().filter(|f| f.code.is_contradiction()).count();
    (contradictions, all.count() - contradictions)
}

/// Every finding of every report, with its report, in order.
pub(crate) fn each_finding(reports: &[FileReport]) -> impl Iterator<Item = (&FileReport, &Finding)> {
    reports.iter().flat_map(|r| r.findings.iter().map(move |f| (r, f)))
}
