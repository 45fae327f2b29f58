//! What a check is told by configuration: severities and claims to ignore.
//! Plain data; reading copydesk.toml is the store's job.

use crate::finding::{Code, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Per-code severity overrides.
    pub severity: BTreeMap<Code, Severity>,
    /// Claims never to report: matched against the flagged text, case-insensitively, whitespace folded.
    pub ignore: Vec<String>,
}

impl Settings {
    pub fn severity_of(&self, code: Code) -> Severity {
        self.severity.get(&code).copied().unwrap_or_else(|| code.default_severity())
    }

    pub fn ignores(&self, flagged_text: &str) -> bool {
        let norm = fold(flagged_text);
        self.ignore.iter().any(|i| fold(i) == norm)
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}
