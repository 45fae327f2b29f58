//! Claim frames: what a figure is about, beyond its value and unit.
//!
//! A figure's frame is its subject (the proper names of its clause, else of its
//! sentence, else of its story's lead: a wire table line "Net 2.1 mln vs 1.8 mln" is
//! about the company its story leads with), its time (the periods named next to it, and
//! its story's date) and, for a share, the whole it is a share of. Two figures are about
//! one fact only when their frames agree ([`same_subject`], [`same_time`], [`same_base`]).
//! A figure that is itself a period ("nine" in "the nine months to August"), a byline's
//! date, a date's year, a time of day or a cell of a table is no claim.

pub mod mismatch;
pub mod names;
pub mod role;
pub mod time;

use crate::text::Span;
use crate::{Analysis, Quantity, QuantityKind};
pub use mismatch::{Mismatch, NotAClaim};
pub use role::same_role;
pub use time::Period;

/// The proper names of a document: all of them, and those of its lead.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocNames {
    /// Every name word of the document, sorted.
    pub all: Vec<String>,
    /// The name words of its headline in capitals if it has one, else of the first sentence that has any.
    pub lead: Vec<String>,
    /// The lead is a headline's (a deliberate statement of the subject), not the names of a first sentence.
    pub headline: bool,
    /// The story's date, from its dateline or byline, as a day count (see [`time::day_number`]).
    pub date: Option<i64>,
}

impl DocNames {
    pub fn of(analysis: &Analysis) -> DocNames {
        let text = analysis.prose.masked.as_str();
        let mut all = Vec::new();
        let mut lead = Vec::new();
        // A headline names the story's subject, a wire table's often nowhere else.
        if let Some(first) = analysis.sentences.first() {
            names::headline_names(text, first.span, &mut lead);
            all.extend_from_slice(&lead);
        }
        let headline = !lead.is_empty();
        for s in &analysis.sentences {
            let before = all.len();
            names::names_in(text, s.span, s.span.start, &mut all);
            if lead.is_empty() && all.len() > before {
                lead.extend_from_slice(&all[before..]);
            }
        }
        DocNames { all: names::finish(all), lead: names::finish(lead), headline, date: time::story_date(analysis) }
    }
}

/// What a figure is about: whose it is and when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FigureFrame {
    /// Name words of the figure's clause or sentence, sorted; empty when it names nobody.
    pub subject: Vec<String>,
    /// The periods named next to the figure.
    pub periods: Vec<Period>,
    /// Why the figure is not a claim to check (a period itself, a byline's date, ...), if it is not.
    pub not_a_claim: Option<NotAClaim>,
    /// What a share is a share of ("58 percent of young people": "young", "people"), as
    /// stemmed content terms, sorted; empty when the text does not say.
    pub base: Vec<u64>,
    /// The figure a change is measured from ("up from six days", "to 14 from six",
    /// "2.1 mln vs 1.8 mln"): it holds at an earlier time than the figure it is compared
    /// with, whether or not that time is named.
    pub baseline: bool,
}

impl FigureFrame {
    /// The frame of figure `index` of `analysis`.
    pub fn of(analysis: &Analysis, index: usize) -> FigureFrame {
        let Some(q) = analysis.quantities.get(index) else { return FigureFrame::default() };
        let text = analysis.prose.masked.as_str();
        let Some(sentence) = analysis.sentences.get(q.sentence).map(|s| window(text, s.span, q.span)) else {
            return FigureFrame::default();
        };
        let clause = clause(text, sentence, q.span);
        let mut subject = Vec::new();
        names::names_in(text, clause, sentence.start, &mut subject);
        if subject.is_empty() {
            names::names_in(text, sentence, sentence.start, &mut subject);
        }
        let mentions = time::periods_in(text, clause);
        // In order, and only until one holds, as each reads the text.
        let tests: [(NotAClaim, &dyn Fn() -> bool); 8] = [
            (NotAClaim::BylineDate, &|| is_byline_date(text, sentence, q)),
            (NotAClaim::CapitalsHeadline, &|| in_capitals_headline(text, sentence, q)),
            (NotAClaim::DateRangeEnd, &|| ends_date_range(text, &analysis.quantities, index)),
            (NotAClaim::TableRow, &|| in_table_row(text, q.span)),
            (NotAClaim::TimeOfDay, &|| is_time_of_day(text, q)),
            (NotAClaim::YearOfDate, &|| year_of_a_date(text, &analysis.quantities, index)),
            (NotAClaim::SpreadLabel, &|| is_spread_label(text, q)),
            (NotAClaim::Period, &|| {
                mentions.iter().any(|m| matches!(m.period, Period::Months(_)) && m.span.covers(q.span))
            }),
        ];
        let not_a_claim = tests.iter().find(|t| t.1()).map(|t| t.0);
        // The year of a month ("in December 1985") is the figure's period, not another figure.
        let siblings: Vec<Span> = near(&analysis.quantities, clause)
            .iter()
            .filter(|o| o.sentence == q.sentence && clause.covers(o.span))
            .filter(|o| !(o.kind == QuantityKind::Year && follows_a_month(text, o.span)))
            .map(|o| o.span)
            .collect();
        let periods = own_periods(&mentions, q.span, &siblings);
        let base = if q.kind == QuantityKind::Percent { share_base(text, sentence, q.span) } else { Vec::new() };
        let compared_after = |o: &&Quantity| {
            o.span.end <= q.span.start
                && o.kind == q.kind
                && (o.unit == q.unit || o.unit.is_none() || q.unit.is_none())
                && siblings.contains(&o.span)
        };
        let after_a_figure = near(&analysis.quantities, clause).iter().any(|o| compared_after(&o));
        let baseline = role::is_baseline(text, Span::new(clause.start, q.span.start), after_a_figure);
        FigureFrame { subject: names::finish(subject), periods, not_a_claim, base, baseline }
    }

    /// The frame in words: "about Harbor Freight (the story's lead), in January".
    pub fn describe(&self, doc: &DocNames) -> String {
        let subject = match (self.subject.is_empty(), doc.lead.is_empty()) {
            (false, _) => format!("about {}", self.subject.join(" ")),
            (true, false) => format!("about {} (the story's lead)", doc.lead.join(" ")),
            (true, true) => "no subject named".to_string(),
        };
        let time = if self.periods.is_empty() {
            "no period named".to_string()
        } else {
            format!("in {}", self.periods.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
        };
        format!("{subject}, {time}")
    }

    /// The figure's subject: the names of its clause or sentence, else its story's lead.
    fn subject_or<'a>(&'a self, doc: &'a DocNames) -> &'a [String] {
        if self.subject.is_empty() {
            &doc.lead
        } else {
            &self.subject
        }
    }
}

/// How far either side of a figure its sentence is read, in bytes. A sentence longer than
/// this is a run-on table or a list ("Shipments were 1,200 tonnes, 3.4 pct, ..." with no
/// full stop): what a figure is about is near it, and reading the whole sentence for
/// every one of its figures would cost the square of its length.
pub const WINDOW: usize = 600;

/// The part of `sentence` within [`WINDOW`] bytes of `figure`: the whole sentence unless it is very long.
pub fn window(text: &str, sentence: Span, figure: Span) -> Span {
    let start = crate::text::floor_char_boundary(text, figure.start.saturating_sub(WINDOW).max(sentence.start));
    let end = crate::text::floor_char_boundary(text, figure.end.saturating_add(WINDOW).min(sentence.end));
    Span::new(start.min(figure.start), end.max(figure.end))
}

/// The part of `sentence` that a figure's verdict reads: all of it, unless it is longer than
/// twice [`WINDOW`] (a run-on table), then the figure's [`window`].
pub fn reading(text: &str, sentence: Span, figure: Span) -> Span {
    if sentence.len() <= 2 * WINDOW {
        sentence
    } else {
        window(text, sentence, figure)
    }
}

/// The figures of `quantities` (in text order) that lie within `span`.
pub fn near(quantities: &[Quantity], span: Span) -> &[Quantity] {
    let from = quantities.partition_point(|o| o.span.start < span.start);
    let to = quantities.partition_point(|o| o.span.start < span.end);
    &quantities[from..to.max(from)]
}

/// The periods that belong to `figure` among its clause's `mentions`: those after it and
/// before the clause's next figure ("rose 5 pct in January from 4 pct in December"), else
/// those before it and after the previous figure.
fn own_periods(mentions: &[time::Mention], figure: Span, figures: &[Span]) -> Vec<Period> {
    let next = figures.iter().map(|f| f.start).filter(|s| *s >= figure.end).min().unwrap_or(usize::MAX);
    let prev = figures.iter().map(|f| f.end).filter(|e| *e <= figure.start).max().unwrap_or(0);
    let inside = |m: &&time::Mention| !m.span.overlaps(figure);
    let after: Vec<Period> = mentions
        .iter()
        .filter(inside)
        .filter(|m| m.span.start >= figure.end && m.span.start < next)
        .map(|m| m.period)
        .collect();
    if !after.is_empty() {
        return after;
    }
    mentions
        .iter()
        .filter(inside)
        .filter(|m| m.span.end <= figure.start && m.span.end > prev)
        .map(|m| m.period)
        .collect()
}

/// The content terms of the "of" phrase after a share ("a third of those with jobs": "job").
fn share_base(text: &str, sentence: Span, figure: Span) -> Vec<u64> {
    let rest = Span::new(figure.end.min(sentence.end), sentence.end);
    let after = rest.slice(text);
    // The phrase ends at the first punctuation mark.
    let end = after.find([',', ';', '.', ':', '(', ')', '"', '\u{201C}', '\u{201D}']).unwrap_or(after.len());
    let phrase = Span::new(rest.start, rest.start + end);
    let words = crate::terms::words(text, phrase);
    if !words.first().is_some_and(|w| w.slice(text).eq_ignore_ascii_case("of")) {
        return Vec::new();
    }
    let upto = Span::new(words[0].end, words.get(4).map_or(phrase.end, |w| w.end));
    crate::terms::content_terms(text, upto)
}

/// Are two shares of one whole, as far as the text says? ("74 percent of likely voters" and
/// "74 percent of voters" are; "a third of those with jobs" and "58 percent of the young" are not.)
pub fn same_base(a: &FigureFrame, b: &FigureFrame) -> Result<(), Mismatch> {
    agree(a.base.is_empty() || b.base.is_empty() || crate::terms::share_any(&a.base, &b.base), || Mismatch::Base)
}

fn agree(ok: bool, why: impl FnOnce() -> Mismatch) -> Result<(), Mismatch> {
    if ok {
        Ok(())
    } else {
        Err(why())
    }
}

/// "1100 hrs", "0900 EST", "10:30 GMT": a time of day stamps a report; it is no claim.
fn is_time_of_day(text: &str, q: &Quantity) -> bool {
    const ZONES: &[&str] = &["hrs", "gmt", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "bst", "cet", "jst"];
    let after = text.get(q.span.end..).unwrap_or("").trim_start();
    let next: String = after.chars().take_while(|c| c.is_alphabetic()).collect::<String>().to_lowercase();
    q.kind == QuantityKind::Amount
        && (q.unit.is_none() || q.unit.as_deref() == Some("hr"))
        && ZONES.contains(&next.as_str())
}

/// The figure stated before figure `index`, if any.
fn previous(quantities: &[Quantity], index: usize) -> Option<&Quantity> {
    index.checked_sub(1).and_then(|i| quantities.get(i))
}

/// "April 10, 1987": the year of a date is part of the date, not a claim of its own.
fn year_of_a_date(text: &str, quantities: &[Quantity], index: usize) -> bool {
    let Some(q) = quantities.get(index).filter(|q| q.kind == QuantityKind::Year) else { return false };
    let prev = previous(quantities, index);
    let after_date = prev.is_some_and(|p| {
        p.kind == QuantityKind::Date && matches!(text.get(p.span.end..q.span.start).map(str::trim), Some(","))
    });
    // "Feb One, 1987": a month two words or fewer before the comma.
    let before = text.get(q.span.start.saturating_sub(24)..q.span.start).unwrap_or("").trim_end();
    let after_month = before.ends_with(',') && {
        let words: Vec<&str> = before.trim_end_matches(',').split_whitespace().rev().take(2).collect();
        words.iter().any(|w| names_a_month(w.trim_end_matches('.')))
    };
    after_date || after_month
}

/// Does a year follow a month's name ("December 1985", "Dec. 1985")?
fn follows_a_month(text: &str, year: Span) -> bool {
    let before = text.get(..year.start).unwrap_or("").trim_end();
    names_a_month(before.rsplit(|c: char| !c.is_alphabetic() && c != '.').next().unwrap_or("").trim_end_matches('.'))
}

/// Is `word` a month's name ("December", "Dec")?
fn names_a_month(word: &str) -> bool {
    time::periods_in(word, Span::new(0, word.len())).iter().any(|m| matches!(m.period, Period::Month(_)))
}

/// "Sep/Nov 2" in a table of spreads: a month after a slash names a contract, not a date.
fn is_spread_label(text: &str, q: &Quantity) -> bool {
    q.kind == QuantityKind::Date && text.get(..q.span.start).is_some_and(|t| t.ends_with('/'))
}

/// "Sept. 19 to 22", "May 2-4": the bare number that ends a range of days is part of the date.
fn ends_date_range(text: &str, quantities: &[Quantity], index: usize) -> bool {
    let (Some(q), Some(prev)) = (quantities.get(index), previous(quantities, index)) else { return false };
    let between = text.get(prev.span.end..q.span.start).unwrap_or("").trim();
    q.kind == QuantityKind::Amount
        && q.unit.is_none()
        && prev.kind == QuantityKind::Date
        && prev.sentence == q.sentence
        && matches!(between, "to" | "-" | "\u{2013}" | "through" | "and")
        && q.value >= 1.0
        && q.value <= 31.0
}

/// A figure in a row of a table ("Start Stcks  0.32  0.28  0.24  0.24", "HARD RED WINTER
/// 1639 1635 54"): what it states is given by its row and its column, which a sentence
/// reader cannot see, so it is neither a claim nor evidence against one.
fn in_table_row(text: &str, figure: Span) -> bool {
    let (mut figures, mut words) = (0usize, 0usize);
    let line = line_around(text, window(text, Span::new(0, text.len()), figure), figure);
    crate::terms::for_each_word(text, line, |w| {
        if crate::terms::is_numeric(w.slice(text)) {
            figures += 1;
        } else {
            words += 1;
        }
    });
    figures >= 3 && figures >= words
}

/// A figure of a headline in capitals ("HARBOR NET UP 5 PCT") restates the story's body.
fn in_capitals_headline(text: &str, sentence: Span, q: &Quantity) -> bool {
    let start = Span::new(q.span.start, q.span.start);
    q.sentence == 0 && names::is_upper_case(text, line_around(text, sentence, start))
}

/// The line of `within` that holds `at` (from the newline before its start to the one after its end).
fn line_around(text: &str, within: Span, at: Span) -> Span {
    let s = within.slice(text);
    let from = at.start.saturating_sub(within.start).min(s.len());
    let to = at.end.saturating_sub(within.start).clamp(from, s.len());
    let start = s[..from].rfind('\n').map_or(0, |i| i + 1);
    let end = s[to..].find('\n').map_or(s.len(), |i| to + i);
    Span::new(within.start + start, within.start + end)
}

/// A date in a byline ("Jane Roe | December 6, 2021 | 4:22am EST") dates the story; it is no claim.
fn is_byline_date(text: &str, sentence: Span, q: &Quantity) -> bool {
    if q.kind != QuantityKind::Date && q.kind != QuantityKind::Year {
        return false;
    }
    let s = sentence.slice(text);
    s.contains(" | ") || has_clock_time(s)
}

/// "4:22am", "10:05 p.m.", "4:04pm EST".
fn has_clock_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && {
            let rest = s[i + 3..].trim_start_matches(|c: char| c.is_ascii_digit()).trim_start().to_ascii_lowercase();
            rest.starts_with("am") || rest.starts_with("pm") || rest.starts_with("a.m") || rest.starts_with("p.m")
        }
    })
}

/// Could two figures be about one subject? A figure's subject is the names of its clause or
/// sentence; for a figure that names nobody (a wire table line), its story's lead. One of
/// the two subjects must be named, every word of it, in the other's story: a summary may
/// say "the company" where its source names it, but "Ford sold 120,000" in one story and
/// "Toyota sold 150,000" in another, or two tables headed "CHICAGO WHEAT STOCKS" and
/// "TOLEDO WHEAT STOCKS", are about two subjects.
pub fn same_subject(a: &FigureFrame, a_doc: &DocNames, b: &FigureFrame, b_doc: &DocNames) -> Result<(), Mismatch> {
    let (sa, sb) = (a.subject_or(a_doc), b.subject_or(b_doc));
    agree(
        sa.is_empty() || sb.is_empty() || names::all_named_in(sa, &b_doc.all) || names::all_named_in(sb, &a_doc.all),
        || Mismatch::Subject { ours: sa.to_vec(), theirs: sb.to_vec() },
    )?;
    same_story_subject(a_doc, b_doc)
}

/// Could two stories be about one subject? Where each leads with names, one story must
/// name the other's lead: all of a headline's names, most of a first sentence's (which
/// names whoever it mentions). A story headed "World Bank loans Pakistan" and one headed
/// "World Bank loans Uganda", neither naming the other country, are about two loans,
/// whatever their sentences share ("the International Development Association").
pub fn same_story_subject(a: &DocNames, b: &DocNames) -> Result<(), Mismatch> {
    let named = |x: &DocNames, y: &DocNames| {
        if x.headline {
            names::all_named_in(&x.lead, &y.all)
        } else {
            names::mostly_named_in(&x.lead, &y.all)
        }
    };
    agree(a.lead.is_empty() || b.lead.is_empty() || named(a, b) || named(b, a), || Mismatch::Story {
        ours: a.lead.clone(),
        theirs: b.lead.clone(),
    })
}

/// Could two figures be about one subject, as far as support goes? A figure that agrees
/// with a source's needs less: where both sentences name someone, some name of one named
/// in the other's story.
pub fn subject_overlaps(a: &FigureFrame, a_doc: &DocNames, b: &FigureFrame, b_doc: &DocNames) -> Result<(), Mismatch> {
    // A subject inherited from a story's lead is too weak a reading to withhold support.
    let (sa, sb) = (&a.subject, &b.subject);
    agree(sa.is_empty() || sb.is_empty() || names::named_in(sa, &b_doc.all) || names::named_in(sb, &a_doc.all), || {
        Mismatch::Subject { ours: sa.clone(), theirs: sb.clone() }
    })
}

/// Stories further apart than this are about different times, for figures that name no period.
const UNDATED_FIGURE_DAYS: i64 = 1;

/// Are two stories close enough in time that what they state without a period is of one
/// time? (Undated stories, such as a reporter's draft, are close to any.)
pub fn close_in_time(a: &DocNames, b: &DocNames) -> bool {
    match (a.date, b.date) {
        (Some(x), Some(y)) => (x - y).abs() <= UNDATED_FIGURE_DAYS,
        _ => true,
    }
}

/// Could two figures hold at one time? No period of one sort may disagree; "yesterday" is
/// read against each story's date; and a figure holds at its story's date unless it names
/// its period, so figures of two dated stories more than [`UNDATED_FIGURE_DAYS`] apart are
/// of one time only when both name a calendar period of one sort that agrees (last week's
/// figure is not this week's; "in 1986" is "in 1986").
pub fn same_time(a: &FigureFrame, a_doc: &DocNames, b: &FigureFrame, b_doc: &DocNames) -> Result<(), Mismatch> {
    let other_period = || Mismatch::Period { ours: a.periods.clone(), theirs: b.periods.clone() };
    if let (Some(x), Some(y)) = (time::day_of(&a.periods, a_doc.date), time::day_of(&b.periods, b_doc.date)) {
        // "yesterday" in two stories: the same day only if the stories are a day apart the same way.
        return agree(x == y, other_period);
    }
    agree(time::compatible(&a.periods, &b.periods), other_period)?;
    // "in December" of a March 1987 story and "in December 1985": two Decembers.
    let (x, y) = (time::absolute_months(&a.periods, a_doc.date), time::absolute_months(&b.periods, b_doc.date));
    agree(x.is_empty() || y.is_empty() || x.iter().any(|m| y.contains(m)), other_period)?;
    // Stories far apart agree on a time only by naming the same period.
    agree(close_in_time(a_doc, b_doc) || time::shared_sort(&a.periods, &b.periods), || stories_apart(a_doc, b_doc))
}

/// Two stories' dates too far apart for what they state without a period to be of one time.
pub fn stories_apart(a: &DocNames, b: &DocNames) -> Mismatch {
    Mismatch::StoryDates { days: a.date.zip(b.date).map_or(0, |(x, y)| (x - y).abs()) }
}

/// The clause of `sentence` holding `figure`: bounded by semicolons, dashes,
/// ", but" / ", while" / ", and" joins, and "and" / "but" before a verb in the past
/// tense ("sales fell and guided for ...": two predicates of one subject).
pub fn clause(text: &str, sentence: Span, figure: Span) -> Span {
    const BREAKS: [&str; 9] =
        [";", " - ", " \u{2013} ", " \u{2014} ", "\u{2014}", ", but ", ", while ", ", and ", ", with "];
    const JOINS: [&str; 2] = [" and ", " but "];
    let s = sentence.slice(text);
    let rel = figure.start.saturating_sub(sentence.start).min(s.len());
    let mut start = 0;
    let mut end = s.len();
    let mut cut = |i: usize, len: usize| {
        if i + len <= rel {
            start = start.max(i + len);
        } else if i >= rel {
            end = end.min(i);
        }
    };
    // One pass over the sentence for every pattern, where `match_indices` would find each
    // (left to right, not overlapping itself: `next[k]` is where pattern `k` may match
    // next). A pattern is tried only where its first two bytes are.
    let bytes = s.as_bytes();
    let mut next = [0usize; BREAKS.len() + JOINS.len()];
    for i in memchr::memchr3_iter(b';', b' ', b',', bytes).chain(memchr::memchr_iter(0xE2, bytes)) {
        let ks: &[usize] = match (bytes[i], bytes.get(i + 1)) {
            (b';', _) => &[0],
            (b' ', Some(b'-')) => &[1],
            (b' ', Some(0xE2)) => &[2, 3],
            (0xE2, _) => &[4],
            (b',', Some(b' ')) => &[5, 6, 7, 8],
            (b' ', Some(b'a')) => &[9],
            (b' ', Some(b'b')) => &[10],
            _ => &[],
        };
        for &k in ks {
            let p = if k < BREAKS.len() { BREAKS[k] } else { JOINS[k - BREAKS.len()] };
            if i < next[k] || !bytes[i..].starts_with(p.as_bytes()) {
                continue;
            }
            next[k] = i + p.len();
            if k < BREAKS.len() {
                cut(i, p.len());
                continue;
            }
            let after = s[i + p.len()..].split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
            if after.len() > 4 && after.ends_with("ed") && after.starts_with(|c: char| c.is_lowercase()) {
                cut(i, p.len());
            }
        }
    }
    if start >= end {
        return sentence;
    }
    Span::new(sentence.start + start, sentence.start + end)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::{analyze, TextFormat};

    pub(super) fn frame(text: &str, figure: &str) -> (FigureFrame, DocNames) {
        let a = analyze(text, TextFormat::Plain);
        let at = text.find(figure).expect("figure in text");
        let i = a.quantities.iter().position(|q| q.span.start == at).expect("figure extracted");
        (FigureFrame::of(&a, i), DocNames::of(&a))
    }

    #[test]
    fn a_table_line_is_about_its_stories_lead() {
        let a = frame("Harbor Freight Corp said its profit rose.\n\nNet 2.1 mln vs 1.8 mln.", "2.1 mln");
        let b = frame("Lakeside Mills Inc said its profit fell.\n\nNet 3.4 mln vs 1.8 mln.", "3.4 mln");
        assert!(a.0.subject.is_empty());
        assert!(same_subject(&a.0, &a.1, &b.0, &b.1).is_err());
        let c = frame("Harbor Freight Corp posted results.\n\nNet 2.2 mln vs 1.8 mln.", "2.2 mln");
        assert!(same_subject(&a.0, &a.1, &c.0, &c.1).is_ok());
        // A draft of excerpts that names the source's people but not its lead.
        let d = frame("Excerpts.\n\nGasoline rose 2 cts.\n\nTraders Lee and Ruiz said prices could rise.", "2 cts");
        let s = frame(
            "Supplies in Rotterdam were short.\n\nGasoline rose 2 cts.\n\nTraders Lee and Ruiz said prices could rise.",
            "2 cts",
        );
        assert!(same_subject(&d.0, &d.1, &s.0, &s.1).is_ok());
    }

    #[test]
    fn a_subject_absent_from_the_other_story_is_another_subject() {
        let a = frame("In March, Ford sold 120,000 cars, the company said.", "120,000");
        let b = frame("In March, Toyota sold 150,000 cars, the company said.", "150,000");
        assert!(same_subject(&a.0, &a.1, &b.0, &b.1).is_err());
        let c = frame("Sales by Ford and Toyota were reported. In March, Ford sold 150,000 cars.", "150,000");
        assert!(same_subject(&a.0, &a.1, &c.0, &c.1).is_ok());
    }

    #[test]
    fn each_figure_takes_the_period_named_after_it() {
        let (f, _) = frame("Money supply rose 19.6 pct in January from 17.8 pct in December.", "17.8");
        assert_eq!(f.periods, vec![Period::Month(12)]);
        let (f, _) = frame("Money supply rose 19.6 pct in January from 17.8 pct in December.", "19.6");
        assert_eq!(f.periods, vec![Period::Month(1)]);
    }

    #[test]
    fn a_year_beside_a_month_is_the_figures_period() {
        let text = "M-3 rose to 27.1 billion dlrs from 25.5 billion in December 1985, the bank said.";
        let (f, _) = frame(text, "25.5");
        assert_eq!(f.periods, vec![Period::Month(12), Period::Year(1985)]);
    }

    #[test]
    fn a_month_is_read_against_its_storys_date() {
        let a = frame("N.Z. MONEY\n26-FEB-1987\n\nIt fell to 25.5 billion in December 1985.", "25.5");
        let b = frame("N.Z. MONEY\n25-MAR-1987\n\nIt rose to 30.1 billion in December.", "30.1");
        assert!(same_time(&a.0, &a.1, &b.0, &b.1).is_err());
        let c = frame("N.Z. MONEY\n25-MAR-1987\n\nIt rose to 30.1 billion in December 1985.", "30.1");
        assert!(same_time(&a.0, &a.1, &c.0, &c.1).is_ok());
    }

    #[test]
    fn a_share_is_of_the_whole_its_of_phrase_names() {
        let (a, _) = frame("Nearly a third of those with jobs live in poverty.", "a third");
        let (b, _) = frame("Some 58 percent of young people are unemployed, he said.", "58 percent");
        let (c, _) = frame("About 40 percent of people with jobs are poor.", "40 percent");
        assert!(same_base(&a, &b).is_err());
        assert!(same_base(&a, &c).is_ok());
        let (d, _) = frame("Support rose to 40 percent, the poll found.", "40 percent");
        assert!(d.base.is_empty() && same_base(&a, &d).is_ok());
    }

    #[test]
    fn periods_and_bylines_are_not_claims() {
        let (f, _) = frame("Profit rose in the nine months to August, the company said.", "nine");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("Jane Roe | December 6, 2021 | 4:22am EST", "December 6");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("HARBOR NET UP 5 PCT\n19-MAR-1987 11:30:57.56\n\nHarbor said net rose 5 pct.", "5 PCT");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("The strike lasted nine months, the union said.", "nine");
        assert!(f.not_a_claim.is_none());
        let (f, _) = frame("The poll was taken Sept. 19 to 22 by phone.", "22");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("Interest runs to April 10, 1987, the company said.", "1987");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("The company was founded in 1987, it said.", "1987");
        assert!(f.not_a_claim.is_none());
        let (f, _) = frame("Spreads at 1100 hrs were steady.", "1100");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("Interest runs from Feb One, 1987 to April 10, the company said.", "1987");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("Spreads were steady, with Sep/Nov 2 under.", "Nov 2");
        assert!(f.not_a_claim.is_some());
        let (f, _) =
            frame("Stocks by class, in tonnes:\n Hard red   1639   1635   54\n Soft red   0   0   25\n", "1635");
        assert!(f.not_a_claim.is_some());
        let (f, _) = frame("Net rose to 1.2 mln from 1.1 mln and 0.9 mln in the years before, it said.", "1.1 mln");
        assert!(f.not_a_claim.is_none());
    }

    /// [`clause`] as it was written first: each pattern searched for on its own.
    fn clause_by_searches(text: &str, sentence: Span, figure: Span) -> Span {
        const BREAKS: [&str; 9] =
            [";", " - ", " \u{2013} ", " \u{2014} ", "\u{2014}", ", but ", ", while ", ", and ", ", with "];
        const JOINS: [&str; 2] = [" and ", " but "];
        let s = sentence.slice(text);
        let rel = figure.start.saturating_sub(sentence.start).min(s.len());
        let (mut start, mut end) = (0, s.len());
        let mut cut = |i: usize, len: usize| {
            if i + len <= rel {
                start = start.max(i + len);
            } else if i >= rel {
                end = end.min(i);
            }
        };
        for b in BREAKS {
            for (i, _) in s.match_indices(b) {
                cut(i, b.len());
            }
        }
        for j in JOINS {
            for (i, _) in s.match_indices(j) {
                let next = s[i + j.len()..].split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
                if next.len() > 4 && next.ends_with("ed") && next.starts_with(|c: char| c.is_lowercase()) {
                    cut(i, j.len());
                }
            }
        }
        if start >= end {
            return sentence;
        }
        Span::new(sentence.start + start, sentence.start + end)
    }

    proptest::proptest! {
        /// One pass finds the clause that a search for each pattern finds, patterns next to
        /// and inside one another included (" - - ", ", and and ", two dashes).
        #[test]
        fn clause_in_one_pass_is_that_of_a_search_per_pattern(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    " ", ";", "-", " - ", "- ", ",", ", and", "and", "but", "while", "with", "\u{2013}", "\u{2014}", "rose",
                    "climbed", "Named", "ed", "é", "7", "x",
                ]),
                0..40,
            ),
            at in 0usize..200,
        ) {
            let text: String = pieces.concat();
            let sentence = Span::new(0, text.len());
            let at = (0..=at.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            let figure = Span::new(at, at);
            proptest::prop_assert_eq!(clause(&text, sentence, figure), clause_by_searches(&text, sentence, figure));
        }
    }
}
