//! Figures: a draft figure is compared with source figures of the same kind
//! and unit in comparable sentences.
//!
//! Supported when one comparable source range overlaps the draft's range;
//! `number-mismatch` only when comparable figures exist and none overlaps;
//! `sources-disagree` when the best comparable figures disagree among
//! themselves; `unsourced-number` when nothing comparable exists.

use super::{finding, messages, Draft, MAX_EVIDENCE};
use crate::claims::{Modifier, Quantity, QuantityKind};
use crate::corpus::{AnalyzedSource, CorpusIndex, QuantityKey, SentRef};
use crate::finding::{ClaimKind, Code, Status, Verdict};
use crate::frame::{self, clause, DocNames, FigureFrame, Mismatch};
use crate::terms;
use crate::text::Span;
use std::borrow::Cow;

/// How comparable a source figure must be to support a draft figure.
const SUPPORT: f32 = 0.30;
/// How comparable it must be to contradict one.
const CONTRADICT: f32 = 0.45;
/// How comparable the one comparable figure of the draft's main source must be to contradict.
const CONTRADICT_UNIQUE: f32 = 0.38;
/// What makes a document "the draft's source" for that rule.
const UNIQUE_AFFINITY: f32 = 0.3;
/// Below this, a source figure is not about the same thing at all.
const RELATED: f32 = 0.25;
/// Sentences retrieved per figure.
const NEIGHBOURS: usize = 24;
/// Support candidates scored per figure at most (common values in big corpora).
const MAX_SUPPORT_CANDIDATES: usize = 4000;

#[derive(Clone, Copy)]
struct Candidate<'c> {
    source: &'c AnalyzedSource,
    quantity: &'c Quantity,
    /// Index of `quantity` in its source.
    index: u32,
    score: f32,
    doc: u32,
}

/// How closely a source figure's frame must agree with the draft figure's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Agreement {
    /// To contradict it: the same subject (and for a share, the same whole) and a compatible time.
    SameFact,
    /// To support it: a subject that overlaps and a compatible time (a supporting figure
    /// silences a claim; it never raises a warning).
    Supports,
}

/// Is source figure `qi` of `src` about the fact the draft's figure `q` (frame `own`) states,
/// closely enough for `need`, and a claim at all? If not, why not.
fn frames_agree(
    corpus: &CorpusIndex,
    d: &Draft,
    q: &Quantity,
    own: &FigureFrame,
    (doc, src, qi): (u32, &AnalyzedSource, u32),
    need: Agreement,
) -> Result<(), Mismatch> {
    let theirs = corpus.figure_frame(doc, qi, src);
    let ours = d.names();
    if let Some(why) = theirs.not_a_claim {
        return Err(Mismatch::NotAClaim(why));
    }
    // Only now: the names of a story none of whose figures is a claim are never needed.
    let story = corpus.doc_names(doc, src);
    match need {
        Agreement::SameFact => {
            same_fact(q.kind, (own, ours), (&theirs, &story))?;
            frame::same_base(own, &theirs)?;
            frame::same_role(own, &theirs)
        }
        Agreement::Supports => {
            frame::subject_overlaps(own, ours, &theirs, &story)?;
            same_time(q.kind, own, ours, &theirs, &story)
        }
    }
}

/// Are two figures of this kind about one subject at one time?
fn same_fact(
    kind: QuantityKind,
    (a, a_doc): (&FigureFrame, &DocNames),
    (b, b_doc): (&FigureFrame, &DocNames),
) -> Result<(), Mismatch> {
    frame::same_subject(a, a_doc, b, b_doc)?;
    same_time(kind, a, a_doc, b, b_doc)
}

/// Why a source figure of the draft figure's kind was set aside: the reason an unsourced
/// verdict gives for its nearest source ("nearest: … another subject (Uganda, …)").
#[derive(Clone, Debug)]
enum SetAside {
    Frame(Mismatch),
    /// Each other figure of its sentence differs from each of the draft's: another line of a template.
    Unanchored,
    /// Its sentence also states the draft's figure.
    StatesDraftFigure,
    /// It is the counterpart of another figure of the draft's sentence.
    Claimed,
    /// Its unit is unknown and the words around it differ.
    UnitUnknown,
    /// Too little in common with the draft's sentence.
    Distant,
}

impl std::fmt::Display for SetAside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetAside::Frame(m) => write!(f, "{m}"),
            SetAside::Unanchored => {
                f.write_str("every other figure of its sentence differs from the draft's (another line of a template)")
            }
            SetAside::StatesDraftFigure => f.write_str("its sentence also states the draft's figure"),
            SetAside::Claimed => f.write_str("it is the counterpart of another figure of the draft's sentence"),
            SetAside::UnitUnknown => f.write_str("its unit is not stated and the words around it differ"),
            SetAside::Distant => f.write_str("too little in common with the draft's sentence"),
        }
    }
}

/// The first source figure set aside, in order of sentence similarity, and why; put in
/// words only if the verdict needs it.
struct Nearest<'c> {
    source: &'c AnalyzedSource,
    quantity: &'c Quantity,
    why: SetAside,
}

/// Where both sentences state other figures too, does one of the draft's others agree with
/// one of the source's? A sentence whose every figure differs from a source sentence's (a
/// wire template "Net 2.1 mln vs 1.8 mln", a table row, a weekly report) is another
/// company's or another week's, not this one's misstated; unless the source is the story
/// the draft is drawn from (`SOURCE_AFFINITY`), where two slips in one sentence are slips.
fn anchored(d: &Draft, f: &Figure, (doc, src): (u32, &AnalyzedSource), sq: &Quantity) -> bool {
    let (ours, theirs) = (&f.others, beside(&src.analysis, &src.analysis.prose.masked, sq));
    ours.is_empty()
        || theirs.is_empty()
        || ours.iter().any(|o| theirs.iter().any(|t| units_compatible(o, t) && consistent(o, t)))
        || d.affinity(doc) >= SOURCE_AFFINITY
}

/// The other figures of `q`'s sentence, within [`frame::WINDOW`] of it.
fn beside<'a>(analysis: &'a crate::Analysis, text: &str, q: &Quantity) -> Vec<&'a Quantity> {
    let Some(sentence) = analysis.sentences.get(q.sentence) else { return Vec::new() };
    frame::near(&analysis.quantities, frame::window(text, sentence.span, q.span))
        .iter()
        .filter(|o| o.sentence == q.sentence && o.span != q.span)
        .collect()
}

/// The figures of source sentence `sentence`, with the index of the first.
fn of_sentence(src: &AnalyzedSource, sentence: usize) -> (usize, &[Quantity]) {
    let qs = &src.analysis.quantities;
    let from = qs.partition_point(|o| o.sentence < sentence);
    let to = qs.partition_point(|o| o.sentence <= sentence);
    (from, &qs[from..to.max(from)])
}

/// A document that covers this much of the draft is the story the draft is drawn from.
const SOURCE_AFFINITY: f32 = 0.5;

/// Could two figures of this kind hold at one time? Counts and shares hold for the periods
/// named next to them ([`frame::same_time`]); a year or a date is a time itself, so only
/// the stories' own dates can set two apart (a date in last month's story is no evidence
/// about this week's).
fn same_time(
    kind: QuantityKind,
    a: &FigureFrame,
    a_doc: &DocNames,
    b: &FigureFrame,
    b_doc: &DocNames,
) -> Result<(), Mismatch> {
    match kind {
        QuantityKind::Amount | QuantityKind::Percent | QuantityKind::Ordinal => frame::same_time(a, a_doc, b, b_doc),
        QuantityKind::Year | QuantityKind::Date if frame::close_in_time(a_doc, b_doc) => Ok(()),
        QuantityKind::Year | QuantityKind::Date => Err(frame::stories_apart(a_doc, b_doc)),
    }
}

/// Are two source figures about the same fact (before they can be said to disagree)?
fn sources_agree_on_frame(corpus: &CorpusIndex, a: &Candidate, b: &Candidate) -> bool {
    let (fa, fb) = (corpus.figure_frame(a.doc, a.index, a.source), corpus.figure_frame(b.doc, b.index, b.source));
    let (da, db) = (corpus.doc_names(a.doc, a.source), corpus.doc_names(b.doc, b.source));
    same_fact(a.quantity.kind, (&fa, &da), (&fb, &db)).is_ok()
}

/// Words around a figure (the figure and other numbers left out), stemmed.
fn local_context(text: &str, sentence: Span, figure: Span) -> Vec<u64> {
    let words = terms::words(text, sentence);
    let at = words.iter().position(|w| w.end > figure.start).unwrap_or(words.len());
    let after = words.iter().position(|w| w.start >= figure.end).unwrap_or(words.len());
    let lo = at.saturating_sub(4);
    let hi = (after + 4).min(words.len());
    let mut out: Vec<u64> = words[lo..at]
        .iter()
        .chain(&words[after..hi])
        .map(|w| w.slice(text))
        .filter(|w| !terms::is_numeric(w))
        .map(|w| terms::hash_str(&terms::stem(&w.to_lowercase())))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    let shared = terms::intersect_sorted(a, b).len() as f32;
    let union = (a.len() + b.len()) as f32 - shared;
    if union == 0.0 {
        0.0
    } else {
        shared / union
    }
}

/// Same kind, and the same unit, or a unit missing on one side (wire tables often
/// leave it to the line before); the latter costs [`UNIT_UNKNOWN_PENALTY`].
fn units_compatible(a: &Quantity, b: &Quantity) -> bool {
    (a.kind == b.kind && (a.unit == b.unit || ((a.unit.is_none() || b.unit.is_none()) && same_magnitude(a, b))))
        || (is_points(a) && is_points(b))
}

/// "5 points" and "5 percentage points": one measure (a lead, a margin of error).
fn is_points(q: &Quantity) -> bool {
    match q.kind {
        QuantityKind::Amount => q.unit.as_deref() == Some("point"),
        QuantityKind::Percent => q.unit_text.as_deref().is_some_and(|u| u.contains("point")),
        _ => false,
    }
}

/// Could `sq` be the draft figure `q`'s counterpart by kind?
fn same_kind(q: &Quantity, sq: &Quantity) -> bool {
    sq.kind == q.kind || (is_points(q) && is_points(sq))
}

/// The figures of a source sentence that other figures of the draft's sentence account for:
/// each of those claims the closest consistent source figure of its kind, in order ("74 percent of
/// likely voters ..., including 62 percent of Republicans": the source's 74 is the draft's
/// 74, not a rival of its 62). Returns the claimed figures' indices in `src`.
fn claimed_by_others(f: &Figure, src: &AnalyzedSource, sentence: usize) -> Vec<usize> {
    let (first, in_sentence) = of_sentence(src, sentence);
    let theirs: Vec<usize> = (first..first + in_sentence.len()).collect();
    let mut claimed: Vec<usize> = Vec::new();
    for o in f.others.iter().copied() {
        // The closest consistent figure: "0.5%" claims the source's "0.5%", not its "0.505%".
        let free = theirs
            .iter()
            .copied()
            .filter(|i| {
                let t = &src.analysis.quantities[*i];
                !claimed.contains(i) && same_kind(o, t) && consistent(o, t)
            })
            .min_by(|a, b| {
                let gap = |i: &usize| (src.analysis.quantities[*i].value - o.value).abs();
                gap(a).total_cmp(&gap(b))
            });
        claimed.extend(free);
    }
    claimed
}

/// Does the source sentence state the draft figure's value (in any unit) with a figure no
/// other draft figure accounts for? Then it is no evidence against it, whatever else it states.
fn states_value(q: &Quantity, src: &AnalyzedSource, sentence: usize, claimed: &[usize]) -> bool {
    let (first, in_sentence) = of_sentence(src, sentence);
    in_sentence.iter().enumerate().any(|(i, o)| !claimed.contains(&(first + i)) && same_kind(q, o) && consistent(q, o))
}

/// Within a factor of three: a figure whose unit is unknown is only compared with figures of its size.
fn same_magnitude(a: &Quantity, b: &Quantity) -> bool {
    let (x, y) = (a.value.abs(), b.value.abs());
    x.max(y) <= 3.0 * x.min(y)
}

const UNIT_UNKNOWN_PENALTY: f32 = 0.1;
const UNIT_UNKNOWN_MIN_LOCAL: f32 = 0.25;
/// A supporting figure must be about as comparable as the best-matching statement:
/// a template sentence in another story ("rose 0.9 pct in May") is no support when
/// the statement itself says otherwise.
const SUPPORT_MARGIN: f32 = 0.2;

/// Half the rounding unit a figure was stated with, recovered from its range.
fn rounding(q: &Quantity) -> f64 {
    let h = match q.modifier {
        Modifier::Exact => (q.high - q.low) / 2.0,
        Modifier::Approximate => 0.9 * q.value - q.low,
        Modifier::Nearly | Modifier::LessThan | Modifier::AtMost => q.high - q.value,
        Modifier::MoreThan | Modifier::AtLeast => q.value - q.low,
    };
    h.max(0.0)
}

/// Does figure `x` fall in the range `q` allows? Rounding ranges are half-open:
/// "32,000" stands for [31,500, 32,500), so "32,500" is another figure.
fn within(x: f64, q: &Quantity, eps: f64) -> bool {
    if q.high - q.low <= eps {
        (x - q.value).abs() <= eps
    } else {
        q.low - eps <= x && x < q.high - eps
    }
}

/// Can both statements be true of one quantity? With the same bounding modifier
/// ("more than 50" / "more than 60") the stated figures are compared; otherwise one
/// figure must fall inside the other's range ("about 94,000" holds 94,300).
fn consistent(a: &Quantity, b: &Quantity) -> bool {
    let eps = 1e-9 * a.value.abs().max(b.value.abs()).max(1.0);
    if a.modifier == b.modifier && a.modifier != Modifier::Exact {
        return (a.value - b.value).abs() <= rounding(a).max(rounding(b)) + eps;
    }
    within(a.value, b, eps) || within(b.value, a, eps)
}

/// How comparable source figure `sq` (in `src`) is to draft figure `q`.
/// Is a figure of unknown unit close enough in wording to contradict? (It may always support.)
fn may_contradict(
    corpus: &CorpusIndex,
    q: &Quantity,
    local: &[u64],
    (doc, src): (u32, &AnalyzedSource),
    (qi, sq): (u32, &Quantity),
) -> bool {
    q.unit == sq.unit || jaccard(local, &source_context(corpus, (doc, src), (qi, sq))) >= UNIT_UNKNOWN_MIN_LOCAL
}

/// The words around a source figure, memoized in the corpus index.
fn source_context(
    corpus: &CorpusIndex,
    (doc, src): (u32, &AnalyzedSource),
    (qi, sq): (u32, &Quantity),
) -> std::sync::Arc<[u64]> {
    corpus.memo_figure_context(doc, qi, || {
        let text = &src.analysis.prose.masked;
        let sentence =
            src.analysis.sentences.get(sq.sentence).map_or(sq.span, |s| frame::window(text, s.span, sq.span));
        local_context(text, sentence, sq.span)
    })
}

/// The terms a figure is compared on: those of the part of its sentence it reads
/// ([`frame::reading`]); `whole` are the sentence's.
fn figure_terms<'s>(text: &str, sentence: Span, figure: Span, whole: &'s [u64]) -> Cow<'s, [u64]> {
    match frame::reading(text, sentence, figure) {
        read if read == sentence => Cow::Borrowed(whole),
        read => Cow::Owned(terms::content_terms(text, read)),
    }
}

/// The draft side of a comparison, computed once per figure.
struct Figure<'q> {
    q: &'q Quantity,
    /// The terms of its sentence (see [`figure_terms`]) and their weight.
    terms: Cow<'q, [u64]>,
    weight: f32,
    /// The other figures of its sentence near it ([`beside`]).
    others: Vec<&'q Quantity>,
    local: Vec<u64>,
    clause_terms: Vec<u64>,
    clause_weight: f32,
    /// The terms of the figure's own digits ("2017", "5bn"), sorted.
    own: Vec<u64>,
}

impl<'q> Figure<'q> {
    fn new(corpus: &CorpusIndex, d: &'q Draft, q: &'q Quantity) -> Self {
        let whole = d.analysis.sentences[q.sentence].span;
        let terms = figure_terms(d.masked(), whole, q.span, &d.sentence_terms[q.sentence]);
        let weight = match &terms {
            Cow::Borrowed(_) => d.sentence_weight[q.sentence],
            Cow::Owned(t) => t.iter().map(|x| corpus.weight(*x)).sum(),
        };
        let sentence = frame::window(d.masked(), whole, q.span);
        let local = local_context(d.masked(), sentence, q.span);
        let mut clause_terms = terms::content_terms(d.masked(), clause(d.masked(), sentence, q.span));
        if clause_terms.len() < 3 || clause_terms.len() >= terms.len() {
            clause_terms.clear();
        }
        let clause_weight = clause_terms.iter().map(|t| corpus.weight(*t)).sum();
        let mut own: Vec<u64> = terms::words(d.masked(), q.span)
            .into_iter()
            .map(|w| w.slice(d.masked()))
            .filter(|w| terms::is_numeric(w))
            .map(terms::number_term)
            .collect();
        own.sort_unstable();
        own.dedup();
        let others = beside(d.analysis, d.masked(), q);
        Figure { q, terms, weight, others, local, clause_terms, clause_weight, own }
    }

    /// Weight of the figure's own terms in `within` that `other` lacks: the figure
    /// under test stands in the slot of the source figure it is compared with, so
    /// its differing digits do not make the two sentences less alike.
    fn slot_weight(&self, corpus: &CorpusIndex, within: &[u64], other: &[u64]) -> f32 {
        self.own
            .iter()
            .filter(|t| within.binary_search(t).is_ok() && other.binary_search(t).is_err())
            .map(|t| corpus.weight(*t))
            .sum()
    }
}

fn comparability(
    corpus: &CorpusIndex,
    d: &Draft,
    f: &Figure,
    (doc, src): (u32, &AnalyzedSource),
    (qi, sq): (u32, &Quantity),
) -> f32 {
    let (q, local) = (f.q, f.local.as_slice());
    let (Some(whole), Some(sentence)) = (src.sentence_terms.get(sq.sentence), src.analysis.sentences.get(sq.sentence))
    else {
        return 0.0;
    };
    let src_terms = &*figure_terms(&src.analysis.prose.masked, sentence.span, sq.span, whole);
    if !terms::share_any(&f.terms, src_terms) {
        return 0.0;
    }
    let (coverage, dice) = corpus.similarity(&f.terms, f.weight, src_terms);
    let slot = f.slot_weight(corpus, &f.terms, src_terms);
    let coverage = coverage + slot / f.weight.max(f32::EPSILON);
    // A short source sentence wholly inside a long draft sentence (a wire table line) counts too.
    let reverse = if src_terms.len() >= 3 {
        let w: f32 = src_terms.iter().map(|t| corpus.weight(*t)).sum();
        corpus.similarity(src_terms, w, &f.terms).0 * 0.9
    } else {
        0.0
    };
    // In a compound sentence, the clause around the figure is what the figure is about.
    let clause_cov = if f.clause_terms.is_empty() {
        0.0
    } else {
        let slot = f.slot_weight(corpus, &f.clause_terms, src_terms) / f.clause_weight.max(f32::EPSILON);
        (corpus.similarity(&f.clause_terms, f.clause_weight, src_terms).0 + slot) * 0.9
    };
    let coverage = coverage.max(reverse).max(clause_cov);
    let penalty = if q.unit == sq.unit { 0.0 } else { UNIT_UNKNOWN_PENALTY };
    let l = jaccard(local, &source_context(corpus, (doc, src), (qi, sq)));
    0.55 * coverage + 0.2 * dice + 0.25 * l - penalty + AFFINITY * d.affinity(doc)
}

/// Weight of the draft's affinity to the candidate's document.
const AFFINITY: f32 = 0.2;

fn figure_text(src: &AnalyzedSource, q: &Quantity) -> String {
    q.span.slice(&src.doc.text).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn describe(q: &Quantity, text: &str) -> String {
    let fig = q.span.slice(text).split_whitespace().collect::<Vec<_>>().join(" ");
    match &q.unit_text {
        Some(u) if !fig.contains(u.as_str()) => format!("{fig} {u}"),
        _ => fig,
    }
}

pub(super) fn check(corpus: &CorpusIndex, d: &Draft, index: usize) -> Option<Verdict> {
    let q = d.analysis.quantities.get(index)?;
    d.analysis.sentences.get(q.sentence)?;
    let own_frame = FigureFrame::of(d.analysis, index);
    if own_frame.not_a_claim.is_some() {
        return None;
    }
    let agrees = |doc: u32, src: &AnalyzedSource, qi: u32, need: Agreement| {
        frames_agree(corpus, d, q, &own_frame, (doc, src, qi), need)
    };
    let fig = Figure::new(corpus, d, q);
    let local = &fig.local;
    let key = QuantityKey::of(q);

    // 1. Figures of the same kind and unit in the most similar sentences; and the same
    //    figure under another noun ("870 infections" / "870 people ... infected").
    let mut rivals: Vec<Candidate> = Vec::new();
    let mut restated: Vec<Candidate> = Vec::new();
    let mut nearest: Option<Nearest> = None;
    let mut set_aside = |source, quantity, why: SetAside| {
        nearest.get_or_insert(Nearest { source, quantity, why });
    };
    let neighbours = corpus.similar_sentences(&fig.terms, NEIGHBOURS);
    corpus.prefetch_documents_of(&neighbours);
    for s in neighbours.iter().copied() {
        let Some(src) = corpus.get(s.at.doc) else { continue };
        let (first, in_sentence) = of_sentence(src, s.at.sentence as usize);
        let in_sentence =
            in_sentence.iter().enumerate().map(|(i, sq)| (first + i, sq)).filter(|(_, sq)| same_kind(q, sq));
        let claimed = claimed_by_others(&fig, src, s.at.sentence as usize);
        let states_ours = states_value(q, src, s.at.sentence as usize, &claimed);
        for (qi, sq) in in_sentence {
            let qi = qi as u32;
            let compatible = units_compatible(q, sq);
            if let Err(m) = agrees(s.at.doc, src, qi, Agreement::Supports) {
                if compatible {
                    set_aside(src, sq, SetAside::Frame(m));
                }
                continue;
            }
            let score = comparability(corpus, d, &fig, (s.at.doc, src), (qi, sq));
            if score < RELATED {
                if compatible {
                    set_aside(src, sq, SetAside::Distant);
                }
                continue;
            }
            let c = Candidate { source: src, quantity: sq, index: qi, score, doc: s.at.doc };
            // May a figure of the draft's unit contest the draft's (or support it)?
            let contests = || {
                if !may_contradict(corpus, q, local, (s.at.doc, src), (qi, sq)) {
                    Err(SetAside::UnitUnknown)
                } else if consistent(q, sq) {
                    Ok(())
                } else if states_ours {
                    Err(SetAside::StatesDraftFigure)
                } else if claimed.contains(&(qi as usize)) {
                    Err(SetAside::Claimed)
                } else if let Err(m) = agrees(s.at.doc, src, qi, Agreement::SameFact) {
                    Err(SetAside::Frame(m))
                } else if !anchored(d, &fig, (s.at.doc, src), sq) {
                    Err(SetAside::Unanchored)
                } else {
                    Ok(())
                }
            };
            match compatible.then(contests) {
                Some(Ok(())) => rivals.push(c),
                Some(Err(_)) if consistent(q, sq) => restated.push(c),
                Some(Err(why)) => set_aside(src, sq, why),
                // The same figure under another noun.
                None if (q.value - sq.value).abs() <= rounding(q).max(rounding(sq)) + 1e-9 * q.value.abs().max(1.0) => {
                    restated.push(c);
                }
                None => {}
            }
        }
    }
    // 2. Support: a comparable figure whose range overlaps, among those or anywhere by value.
    let best_any = rivals.iter().map(|c| c.score).fold(0.0f32, f32::max);
    let floor = SUPPORT.max(best_any - SUPPORT_MARGIN);
    let mut support: Vec<Candidate> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in rivals
        .iter()
        .filter(|c| c.score >= floor && consistent(q, c.quantity))
        .chain(restated.iter().filter(|c| c.score + UNIT_UNKNOWN_PENALTY >= floor))
    {
        seen.insert((c.doc, c.quantity.span.start));
        support.push(*c);
    }
    // A figure whose sentence shares no term with the draft's is not comparable (score 0):
    // left out before its document is read; the others' documents and terms are read
    // together.
    let mut their_terms = Vec::new();
    let by_value: Vec<_> = corpus
        .quantities_overlapping(&key, q.low, q.high, MAX_SUPPORT_CANDIDATES)
        .into_iter()
        .filter(|r| match corpus.sentence_terms(SentRef { doc: r.doc, sentence: r.sentence }) {
            Some(t) if terms::share_any(&fig.terms, &t) => {
                their_terms.extend_from_slice(&t);
                true
            }
            _ => false,
        })
        .collect();
    corpus.prefetch(&by_value.iter().map(|r| r.doc).collect::<Vec<_>>(), &their_terms);
    for r in by_value {
        let Some((src, sq)) = corpus.quantity(r) else { continue };
        if seen.contains(&(r.doc, sq.span.start))
            || !consistent(q, sq)
            || agrees(r.doc, src, r.quantity, Agreement::Supports).is_err()
        {
            continue;
        }
        let score = comparability(corpus, d, &fig, (r.doc, src), (r.quantity, sq));
        if score >= floor {
            support.push(Candidate { source: src, quantity: sq, index: r.quantity, score, doc: r.doc });
        }
    }
    if !support.is_empty() {
        support.sort_by(|a, b| b.score.total_cmp(&a.score));
        // One citation per source sentence, however many of its figures fit.
        let mut cited = std::collections::HashSet::new();
        let evidence: Vec<_> = support
            .iter()
            .filter(|c| cited.insert((c.doc, c.quantity.sentence)))
            .take(MAX_EVIDENCE)
            .map(|c| c.source.evidence(c.quantity.sentence, c.quantity.span))
            .collect();
        let best = &support[0];
        let reason = format!("A source figure of the same subject and time agrees; {}.", own_frame.describe(d.names()));
        return Some(Verdict {
            kind: ClaimKind::Quantity,
            span: q.span,
            status: Status::Supported,
            summary: format!("{} states {}.", evidence[0].cite(), figure_text(best.source, best.quantity)),
            evidence,
            finding: None,
            reason,
        });
    }

    // 3. Contradiction: the most comparable figure disagrees.
    rivals.sort_by(|a, b| b.score.total_cmp(&a.score));
    let draft_text = describe(q, d.text);
    // The only comparable figure in the document the draft is drawn from is its counterpart.
    let unique = |best: &Candidate| {
        d.affinity(best.doc) >= UNIQUE_AFFINITY && rivals.iter().filter(|c| c.doc == best.doc).count() == 1
    };
    match rivals.first() {
        Some(best) if best.score >= CONTRADICT || (best.score >= CONTRADICT_UNIQUE && unique(best)) => {
            // Do the best comparable sources agree among themselves?
            let disagreeing: Vec<&Candidate> = rivals
                .iter()
                .filter(|c| {
                    c.doc != best.doc
                        && c.score >= best.score - 0.05
                        && !consistent(c.quantity, best.quantity)
                        && sources_agree_on_frame(corpus, best, c)
                })
                .collect();
            let ev_best = best.source.evidence(best.quantity.sentence, best.quantity.span);
            let fig = figure_text(best.source, best.quantity);
            if !disagreeing.is_empty() {
                let mut evidence = vec![ev_best];
                evidence.extend(
                    disagreeing
                        .iter()
                        .take(MAX_EVIDENCE - 1)
                        .map(|c| c.source.evidence(c.quantity.sentence, c.quantity.span)),
                );
                let figures: Vec<(String, &crate::Evidence)> = std::iter::once(fig.clone())
                    .chain(disagreeing.iter().map(|c| figure_text(c.source, c.quantity)))
                    .zip(&evidence)
                    .collect();
                let message = messages::figures_disagree(&draft_text, &figures);
                let reason = format!(
                    "The most comparable source figures are about the same fact ({}) and disagree among \
                     themselves (comparability {:.2}).",
                    own_frame.describe(d.names()),
                    best.score
                );
                return Some(Verdict {
                    kind: ClaimKind::Quantity,
                    span: q.span,
                    status: Status::Disputed,
                    summary: message.clone(),
                    reason,
                    finding: Some(finding(Code::SourcesDisagree, d.text, q.span, message, evidence.clone(), None)),
                    evidence,
                });
            }
            let message = messages::number_mismatch(&draft_text, &fig, &ev_best);
            let suggestion =
                (best.quantity.kind != QuantityKind::Date || q.kind == QuantityKind::Date).then(|| fig.clone());
            let evidence = vec![ev_best];
            let threshold = if best.score >= CONTRADICT { CONTRADICT } else { CONTRADICT_UNIQUE };
            let reason = format!(
                "The most comparable source figure is about the same fact ({}) and disagrees (comparability \
                 {:.2}, at least {threshold:.2} needed); no source figure of that fact agrees.",
                own_frame.describe(d.names()),
                best.score
            );
            Some(Verdict {
                kind: ClaimKind::Quantity,
                span: q.span,
                status: Status::Contradicted,
                summary: message.clone(),
                reason,
                finding: Some(finding(Code::NumberMismatch, d.text, q.span, message, evidence.clone(), suggestion)),
                evidence,
            })
        }
        best => {
            let message = messages::unsourced_number(&draft_text);
            let countable = matches!(q.kind, QuantityKind::Amount | QuantityKind::Percent);
            let reason = match (best, nearest) {
                (Some(best), _) => format!(
                    "The most comparable source figure, {} ({}), is too far from this one's sentence to \
                     contradict it (comparability {:.2}, at least {CONTRADICT:.2} needed).",
                    figure_text(best.source, best.quantity),
                    best.source.evidence(best.quantity.sentence, best.quantity.span).cite(),
                    best.score
                ),
                (None, Some(n)) => format!(
                    "No source figure of the same fact. Nearest: {} ({}), {}.",
                    figure_text(n.source, n.quantity),
                    n.source.evidence(n.quantity.sentence, n.quantity.span).cite(),
                    n.why
                ),
                (None, None) => "No source sentence near this one states a figure of its kind.".to_string(),
            };
            Some(Verdict {
                kind: ClaimKind::Quantity,
                span: q.span,
                status: Status::Unsourced,
                summary: message.clone(),
                reason,
                evidence: Vec::new(),
                finding: countable.then(|| finding(Code::UnsourcedNumber, d.text, q.span, message, Vec::new(), None)),
            })
        }
    }
}
