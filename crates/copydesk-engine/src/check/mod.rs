//! Comparing a draft's claims with the corpus: one file per kind of claim.
//!
//! Every draft claim gets a [`Verdict`] (supported, contradicted, disputed,
//! unsourced) with the source sentences behind it; contradictions and
//! unsourced claims also carry a [`Finding`].

mod attributions;
mod numbers;
mod quotes;

use crate::corpus::{CorpusIndex, DocId};
use crate::finding::{Code, Evidence, Finding, Suggestion, Verdict};
use crate::settings::Settings;
use crate::text::{LineIndex, Span};
use crate::{terms, Analysis};
use std::collections::HashMap;

/// What the checks need to know about the draft, computed once.
pub(crate) struct Draft<'a> {
    /// The original draft text (for flagged texts and messages).
    pub text: &'a str,
    pub analysis: &'a Analysis,
    /// Content terms of each draft sentence, and their total weight in this corpus.
    pub sentence_terms: Vec<Vec<u64>>,
    pub sentence_weight: Vec<f32>,
    /// How much of the draft each corpus document covers (0..=1): the draft's sources.
    affinity: HashMap<DocId, f32>,
}

impl<'a> Draft<'a> {
    fn new(corpus: &CorpusIndex, text: &'a str, analysis: &'a Analysis) -> Self {
        let sentence_terms: Vec<Vec<u64>> =
            analysis.sentences.iter().map(|s| terms::content_terms(&analysis.prose.masked, s.span)).collect();
        let sentence_weight = sentence_terms.iter().map(|t| t.iter().map(|x| corpus.weight(*x)).sum()).collect();
        let affinity = affinity(corpus, &sentence_terms);
        Draft { text, analysis, sentence_terms, sentence_weight, affinity }
    }

    /// The share of the draft that document `doc` covers (mean best sentence coverage).
    pub fn affinity(&self, doc: DocId) -> f32 {
        self.affinity.get(&doc).copied().unwrap_or(0.0)
    }

    pub fn masked(&self) -> &str {
        &self.analysis.prose.masked
    }
}

/// For each corpus document, the mean over draft sentences of its best coverage of that sentence.
fn affinity(corpus: &CorpusIndex, sentence_terms: &[Vec<u64>]) -> HashMap<DocId, f32> {
    let mut sum: HashMap<DocId, f32> = HashMap::new();
    let mut n = 0usize;
    for terms in sentence_terms.iter().filter(|t| t.len() >= 2) {
        n += 1;
        let mut best: HashMap<DocId, f32> = HashMap::new();
        for s in corpus.similar_sentences(terms, AFFINITY_NEIGHBOURS).iter().copied() {
            let e = best.entry(s.at.doc).or_default();
            *e = e.max(s.coverage);
        }
        for (doc, c) in best {
            *sum.entry(doc).or_default() += c;
        }
    }
    if n > 0 {
        for v in sum.values_mut() {
            *v /= n as f32;
        }
    }
    sum
}

const AFFINITY_NEIGHBOURS: usize = 8;

/// Checks every claim of `draft` (an analysis of `text`) against `corpus`.
pub fn check(corpus: &CorpusIndex, text: &str, draft: &Analysis, settings: &Settings) -> Vec<Verdict> {
    if corpus.is_empty() {
        return Vec::new();
    }
    let d = Draft::new(corpus, text, draft);
    let mut verdicts = Vec::new();
    verdicts.extend((0..draft.quantities.len()).filter_map(|i| numbers::check(corpus, &d, i)));
    verdicts.extend((0..draft.quotes.len()).filter_map(|i| quotes::check(corpus, &d, i)));
    let quote_spans: Vec<Span> = verdicts
        .iter()
        .filter(|v| v.finding.as_ref().is_some_and(|f| f.code == Code::Misattribution))
        .map(|v| v.span)
        .collect();
    verdicts.extend((0..draft.attributions.len()).filter_map(|i| attributions::check(corpus, &d, i, &quote_spans)));
    apply_settings(&mut verdicts, text, draft, settings);
    verdicts.sort_by_key(|v| (v.span.start, v.span.end));
    verdicts
}

/// Severity overrides, ignored claims and `copydesk-ignore-next-line` comments.
fn apply_settings(verdicts: &mut [Verdict], text: &str, draft: &Analysis, settings: &Settings) {
    let lines = LineIndex::new(text);
    for v in verdicts.iter_mut() {
        let Some(f) = v.finding.as_mut() else { continue };
        f.severity = settings.severity_of(f.code);
        let line = lines.line_of(f.span.start) as u32;
        let suppressed = draft.prose.ignored_lines.binary_search(&line).is_ok()
            || settings.ignores(&f.text)
            || f.severity == crate::finding::Severity::Off;
        if suppressed {
            v.finding = None;
        }
    }
}

/// The findings among verdicts, in document order.
pub fn findings(verdicts: &[Verdict]) -> Vec<Finding> {
    let mut out: Vec<Finding> = verdicts.iter().filter_map(|v| v.finding.clone()).collect();
    out.sort_by_key(|f| (f.span.start, f.span.end, f.code));
    // One finding per span and code: a quote and a reported claim can flag the same speaker.
    out.dedup_by(|b, a| a.span == b.span && a.code == b.code);
    out
}

/// Builds a finding; its severity is set from the settings afterwards.
pub(crate) fn finding(
    code: Code,
    text: &str,
    span: Span,
    message: String,
    evidence: Vec<Evidence>,
    suggestion: Option<String>,
) -> Finding {
    Finding {
        code,
        severity: code.default_severity(),
        span,
        text: span.slice(text).to_string(),
        message,
        evidence,
        suggestion: suggestion.map(|replacement| Suggestion { span, replacement }),
    }
}

/// "file.txt:12" for messages.
pub(crate) fn cite(e: &Evidence) -> String {
    let name = e.path.rsplit(['/', '\\']).next().unwrap_or(&e.path);
    format!("{name}:{}", e.line)
}

/// At most this many sentences are cited for one claim.
pub(crate) const MAX_EVIDENCE: usize = 3;
