//! Comparing a draft's claims with the corpus: one file per kind of claim.

use crate::corpus::CorpusIndex;
use crate::finding::{Finding, Verdict};
use crate::settings::Settings;
use crate::Analysis;

/// Checks every claim of `draft` (an analysis of `text`) against `corpus`.
pub fn check(_corpus: &CorpusIndex, _text: &str, _draft: &Analysis, _settings: &Settings) -> Vec<Verdict> {
    Vec::new()
}

/// The findings among verdicts, in document order, severities applied and `Off` dropped.
pub fn findings(verdicts: &[Verdict]) -> Vec<Finding> {
    let mut out: Vec<Finding> = verdicts.iter().filter_map(|v| v.finding.clone()).collect();
    out.sort_by_key(|f| (f.span.start, f.span.end, f.code));
    out
}
