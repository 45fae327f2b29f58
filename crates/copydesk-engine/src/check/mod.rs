//! Comparing a draft's claims with the corpus: one file per kind of claim.
//!
//! Every draft claim gets a [`Verdict`] (supported, contradicted, disputed,
//! unsourced) with the source sentences behind it; contradictions and
//! unsourced claims also carry a [`Finding`].

mod alignment;
mod attributions;
mod messages;
mod numbers;
mod quotes;
mod side_by_side;

use crate::corpus::{CorpusIndex, DocId};
use crate::finding::{Code, Evidence, Finding, Suggestion, Verdict};
use crate::frame::DocNames;
use crate::settings::Settings;
use crate::text::{LineIndex, Span};
use crate::Analysis;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

pub use side_by_side::cores;

/// What the checks share about the draft, computed once a check: its sentences' weights
/// in this corpus, and how much of it each corpus document covers (its sources).
struct DraftCore {
    sentence_weight: Vec<f32>,
    affinity: HashMap<DocId, f32>,
}

impl DraftCore {
    fn new(corpus: &CorpusIndex, analysis: &Analysis) -> Self {
        let sentence_terms = &analysis.derived().sentence_terms;
        // First: it readies the base for the weights too (their terms' frequencies).
        let affinity = affinity(corpus, sentence_terms);
        let sentence_weight = sentence_terms.iter().map(|t| t.iter().map(|x| corpus.weight(*x)).sum()).collect();
        DraftCore { sentence_weight, affinity }
    }
}

/// What the checks need to know about the draft, as one claim's check reads it: the
/// [`DraftCore`] and the draft itself, and what of them the check read (for [`CheckMemo`]).
/// Each claim checked side by side has one of its own.
pub(crate) struct Draft<'a> {
    /// The original draft text (for flagged texts and messages).
    pub text: &'a str,
    pub analysis: &'a Analysis,
    /// Content terms of each draft sentence, and their total weight in this corpus.
    pub sentence_terms: &'a [Vec<u64>],
    pub sentence_weight: &'a [f32],
    /// How much of the draft each corpus document covers (0..=1): the draft's sources.
    affinity: &'a HashMap<DocId, f32>,
    /// Affinities read since the last [`Draft::take_affinity_reads`] (what a claim's verdict depended on).
    affinity_reads: RefCell<Vec<(DocId, f32)>>,
    /// The draft's proper names (the story a figure's subject must be named in), and a
    /// fingerprint of them: a verdict that read them holds while they are unchanged.
    names: &'a DocNames,
    names_fingerprint: u64,
    names_read: std::cell::Cell<bool>,
}

impl<'a> Draft<'a> {
    fn new(core: &'a DraftCore, text: &'a str, analysis: &'a Analysis) -> Self {
        let derived = analysis.derived();
        Draft {
            text,
            analysis,
            sentence_terms: &derived.sentence_terms,
            sentence_weight: &core.sentence_weight,
            affinity: &core.affinity,
            affinity_reads: RefCell::default(),
            names: &derived.names,
            names_fingerprint: derived.names_fingerprint,
            names_read: std::cell::Cell::new(false),
        }
    }

    /// The draft's proper names (noted as read, for [`CheckMemo`]).
    pub fn names(&self) -> &DocNames {
        self.names_read.set(true);
        self.names
    }

    /// The share of the draft that document `doc` covers (mean best sentence coverage).
    pub fn affinity(&self, doc: DocId) -> f32 {
        let a = self.affinity.get(&doc).copied().unwrap_or(0.0);
        self.affinity_reads.borrow_mut().push((doc, a));
        a
    }

    fn take_affinity_reads(&self) -> Vec<(DocId, f32)> {
        let mut reads = std::mem::take(&mut *self.affinity_reads.borrow_mut());
        reads.sort_unstable_by_key(|r| r.0);
        reads.dedup_by_key(|r| r.0);
        reads
    }

    pub fn masked(&self) -> &str {
        &self.analysis.prose.masked
    }
}

/// For each corpus document, the mean over draft sentences of its best coverage of that sentence.
fn affinity(corpus: &CorpusIndex, sentence_terms: &[Vec<u64>]) -> HashMap<DocId, f32> {
    let mut sum: HashMap<DocId, f32> = HashMap::new();
    let mut n = 0usize;
    // In batches, each readied together (for a base that prefers it), that the candidate
    // memo holds until their retrievals read them.
    for batch in sentence_terms.chunks(AFFINITY_BATCH) {
        let asked: Vec<&[u64]> = batch.iter().filter(|t| t.len() >= 2).map(Vec::as_slice).collect();
        corpus.prefetch_similar(asked.iter().copied(), AFFINITY_NEIGHBOURS);
        // Those not memoized retrieved side by side (a first check's are many; an edit's one
        // or two), then summed in the draft's order.
        let mut found: Vec<_> = asked.iter().map(|t| corpus.memoized_similar(t, AFFINITY_NEIGHBOURS)).collect();
        let unknown: Vec<usize> = (0..asked.len()).filter(|&i| found[i].is_none()).collect();
        let retrieved = side_by_side::map(&unknown, |&i| corpus.similar_sentences(asked[i], AFFINITY_NEIGHBOURS));
        for (i, r) in unknown.into_iter().zip(retrieved) {
            found[i] = Some(r);
        }
        for found in found.into_iter().flatten() {
            n += 1;
            let mut best: HashMap<DocId, f32> = HashMap::new();
            for s in found.iter() {
                let e = best.entry(s.at.doc).or_default();
                *e = e.max(s.coverage);
            }
            for (doc, c) in best {
                *sum.entry(doc).or_default() += c;
            }
        }
    }
    if n > 0 {
        for v in sum.values_mut() {
            // In steps of 1/32: an edit of one sentence seldom moves a document's affinity a
            // whole step, so the verdicts that read it stay valid (see [`CheckMemo`]).
            *v = (*v / n as f32 * AFFINITY_STEPS).round() / AFFINITY_STEPS;
        }
    }
    sum
}

const AFFINITY_NEIGHBOURS: usize = 8;
/// Draft sentences whose retrievals are readied together ([`CorpusIndex::prefetch_similar`]).
const AFFINITY_BATCH: usize = 512;
const AFFINITY_STEPS: f32 = 32.0;

/// Checks every claim of `draft` (an analysis of `text`) against `corpus`.
pub fn check(corpus: &CorpusIndex, text: &str, draft: &Analysis, settings: &Settings) -> Vec<Verdict> {
    check_with_memo(corpus, text, draft, settings, &mut CheckMemo::default())
}

/// [`check`], reusing the verdicts of claims that an edit did not touch (see [`CheckMemo`]).
pub fn check_with_memo(
    corpus: &CorpusIndex,
    text: &str,
    draft: &Analysis,
    settings: &Settings,
    memo: &mut CheckMemo,
) -> Vec<Verdict> {
    if corpus.is_empty() {
        return Vec::new();
    }
    if memo.generation != corpus.generation() {
        memo.entries.clear();
        memo.generation = corpus.generation();
    }
    let core = DraftCore::new(corpus, draft);
    let d = Draft::new(&core, text, draft);
    memo.reused = 0;
    let mut kept = HashMap::new();
    // Each figure and quote: its verdict reused from the memo, or a claim to check.
    let mut plan = Plan::default();
    for (i, q) in draft.quantities.iter().enumerate() {
        let (key, anchor) = quantity_key(&d, q);
        memo.plan(&mut kept, &d, key, anchor, Claim::Figure(i), &mut plan);
    }
    for (i, q) in draft.quotes.iter().enumerate() {
        let (key, anchor) = quote_key(&d, q);
        memo.plan(&mut kept, &d, key, anchor, Claim::Quote(i), &mut plan);
    }
    // Those to check, side by side when there are many (a first check; an edit's are few,
    // and checked on this thread). A claim's check reads the corpus and its own view of the
    // draft, nothing another claim's check writes: the verdicts are those of one by one.
    let check_one = |claim: &Claim| {
        let d = Draft::new(&core, text, draft);
        let verdict = match *claim {
            Claim::Figure(i) => numbers::check(corpus, &d, i),
            Claim::Quote(i) => quotes::check(corpus, &d, i),
        };
        let names = d.names_read.get().then_some(d.names_fingerprint);
        (verdict, d.take_affinity_reads(), names)
    };
    let checked = side_by_side::map(&plan.checks, |(claim, ..)| check_one(claim));
    // Each claim waiting for a check takes its verdict, moved to its window; the memo keeps it.
    for &(slot, j, anchor) in &plan.waiting {
        plan.verdicts[slot] = checked[j].0.clone().map(|v| moved(v, plan.checks[j].2, anchor));
    }
    for ((_, key, anchor), (verdict, affinity, names)) in plan.checks.iter().zip(checked) {
        kept.insert(*key, Memoized { anchor: *anchor, verdict, affinity, names });
    }
    let mut verdicts: Vec<Verdict> = plan.verdicts.into_iter().flatten().collect();
    memo.entries = kept;
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

/// The verdicts of one document's last check, for the next check of the same document.
///
/// A figure's or a quote's verdict depends on the text of its window (its sentence, and
/// for a quote its words and its speaker's mention), on where inside the window the claim
/// sits, on the corpus, and on the draft's affinity to the documents the check consulted.
/// An entry is keyed on the window's text, the claim's fields relative to the window and
/// the corpus generation, and keeps the affinities its check read: it is reused only when
/// each of them is unchanged, moved to where its window now starts. A check with a memo
/// therefore gives exactly the verdicts of a check without one; an edit re-checks only
/// the claims whose sentences it touched (and those whose sources it made more or less
/// central to the draft). Reported speech (cheap, and dependent on the quotes' verdicts) is
/// always checked again.
#[derive(Default)]
pub struct CheckMemo {
    generation: u64,
    entries: HashMap<u64, Memoized>,
    reused: usize,
}

struct Memoized {
    /// Where the claim's window started when the verdict was computed.
    anchor: usize,
    verdict: Option<Verdict>,
    affinity: Vec<(DocId, f32)>,
    /// The draft's names fingerprint, if the check read its names.
    names: Option<u64>,
}

impl CheckMemo {
    /// Verdicts the last check reused rather than computed.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Entries kept from the last check.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The remembered verdict for `key` when still valid (kept in `kept`), else `claim`
    /// put in `plan` to be checked. A claim repeated word for word (a pasted paragraph)
    /// takes the verdict of its first occurrence, checked once.
    fn plan(
        &mut self,
        kept: &mut HashMap<u64, Memoized>,
        d: &Draft,
        key: u64,
        anchor: usize,
        claim: Claim,
        plan: &mut Plan,
    ) {
        if let Some(&j) = plan.first.get(&key) {
            self.reused += 1;
            plan.wait_for(j, anchor);
            return;
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = kept.entry(key) {
            if let Some(m) = self.entries.remove(&key) {
                slot.insert(m);
            }
        }
        if let Some(m) = kept.get(&key) {
            let names_hold = m.names.is_none_or(|f| f == d.names_fingerprint);
            if names_hold
                && m.affinity
                    .iter()
                    .all(|(doc, a)| d.affinity.get(doc).copied().unwrap_or(0.0).to_bits() == a.to_bits())
            {
                self.reused += 1;
                plan.verdicts.push(m.verdict.clone().map(|v| moved(v, m.anchor, anchor)));
                return;
            }
        }
        plan.first.insert(key, plan.checks.len());
        plan.wait_for(plan.checks.len(), anchor);
        plan.checks.push((claim, key, anchor));
    }
}

/// A figure or a quote of the draft, by index.
enum Claim {
    Figure(usize),
    Quote(usize),
}

/// Each claim's verdict in the draft's order ([`CheckMemo::plan`]): the memo's, or one
/// a check will give.
#[derive(Default)]
struct Plan {
    verdicts: Vec<Option<Verdict>>,
    /// The claims to check, with their memo keys and window starts.
    checks: Vec<(Claim, u64, usize)>,
    /// The check of each key among them.
    first: HashMap<u64, usize>,
    /// Slots of `verdicts` waiting for check `j`, for a claim whose window starts at `anchor`.
    waiting: Vec<(usize, usize, usize)>,
}

impl Plan {
    fn wait_for(&mut self, j: usize, anchor: usize) {
        self.waiting.push((self.verdicts.len(), j, anchor));
        self.verdicts.push(None);
    }
}

/// A verdict computed with its window at `from`, for the window now at `to`. A span may
/// start before the window (a quote's speaker named a paragraph earlier; the key holds its
/// offset from the window), so the shift is modular: exact whatever the order.
fn moved(mut v: Verdict, from: usize, to: usize) -> Verdict {
    let shift = |s: &mut Span| {
        s.start = s.start.wrapping_sub(from).wrapping_add(to);
        s.end = s.end.wrapping_sub(from).wrapping_add(to);
    };
    shift(&mut v.span);
    if let Some(f) = v.finding.as_mut() {
        shift(&mut f.span);
        if let Some(sug) = f.suggestion.as_mut() {
            shift(&mut sug.span);
        }
    }
    v
}

/// Hashes a claim's window (masked and original text) and spans relative to it; returns the hasher and the window start.
fn window_hasher(d: &Draft, tag: u8, spans: &[Span]) -> (std::collections::hash_map::DefaultHasher, usize) {
    let start = spans.iter().map(|s| s.start).min().unwrap_or(0);
    let end = spans.iter().map(|s| s.end).max().unwrap_or(0);
    let window = Span::new(start, end);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    tag.hash(&mut h);
    d.masked().get(start..end).hash(&mut h);
    d.text.get(start..end).hash(&mut h);
    for s in spans {
        (s.start - window.start, s.end - window.start).hash(&mut h);
    }
    (h, start)
}

fn quantity_key(d: &Draft, q: &crate::Quantity) -> (u64, usize) {
    // What the verdict reads of its sentence: all of it, or a run-on table's window.
    let sentence =
        d.analysis.sentences.get(q.sentence).map_or(q.span, |s| crate::frame::reading(d.masked(), s.span, q.span));
    let mut spans = vec![sentence, q.span];
    spans.extend(q.modifier_span);
    let (mut h, anchor) = window_hasher(d, b'n', &spans);
    q.modifier_span.is_some().hash(&mut h);
    (q.modifier, q.kind, &q.unit, &q.unit_text).hash(&mut h);
    (q.value.to_bits(), q.low.to_bits(), q.high.to_bits()).hash(&mut h);
    (h.finish(), anchor)
}

fn quote_key(d: &Draft, q: &crate::Quote) -> (u64, usize) {
    let sentence = d.analysis.sentences.get(q.sentence).map_or(q.outer, |s| s.span);
    let (mut h, anchor) = window_hasher(d, b'q', &[sentence, q.span, q.outer]);
    q.partial.hash(&mut h);
    // The speaker's mention may be paragraphs away: its words and where it is, not what lies between.
    if let Some(s) = &q.speaker {
        (s.span.start as i64 - anchor as i64, s.span.len(), d.text.get(s.span.start..s.span.end)).hash(&mut h);
        (&s.text, &s.entity, s.unresolved).hash(&mut h);
    }
    (h.finish(), anchor)
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

/// How a speaker was read, for a verdict's reason: "Dmitry Peskov (named)" or
/// "Dmitry Peskov (“he”, the one person it can refer to)".
pub(crate) fn speaker_reading(s: &crate::Speaker) -> String {
    if s.text.trim() == s.entity.trim() {
        format!("{} (named)", s.entity)
    } else if s.text.chars().next().is_some_and(char::is_uppercase) {
        format!("{} (named as \u{201C}{}\u{201D})", s.entity, s.text.trim())
    } else {
        format!("{} (\u{201C}{}\u{201D}, the one person it can refer to)", s.entity, s.text.trim())
    }
}

/// At most this many sentences are cited for one claim.
pub(crate) const MAX_EVIDENCE: usize = 3;
