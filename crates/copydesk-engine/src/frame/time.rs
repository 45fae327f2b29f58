//! When a figure holds: the period expressions of its clause ("in January", "the fourth
//! quarter", "nine months to August", "on Tuesday", "last year").
//!
//! Two figures hold at compatible times unless both name a period of the same sort
//! (month, year, quarter, weekday, length, relative step) and no period of that sort agrees.

use crate::terms;
use crate::text::Span;

/// A period named in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// A calendar month, 1-12 ("in January").
    Month(u8),
    /// A calendar year ("in 1986").
    Year(u16),
    /// A quarter of a year, 1-4 ("fourth quarter", "4th qtr").
    Quarter(u8),
    /// A day of the week, 1-7 ("on Tuesday").
    Weekday(u8),
    /// A stretch of months ("nine months to August", "first half" = 6, "the year" = 12).
    Months(u16),
    /// A step back from the story's own time: 1 week, 2 month, 3 year ("last year", "a year ago").
    Back(u8),
    /// The story's own week, month or year (1, 2, 3): "this year", "so far this month".
    This(u8),
    /// A day counted from the story's own: -1 yesterday, 0 today, 1 tomorrow.
    Day(i8),
}

impl Period {
    fn sort(self) -> u8 {
        match self {
            Period::Month(_) => 0,
            Period::Year(_) => 1,
            Period::Quarter(_) => 2,
            Period::Weekday(_) => 3,
            Period::Months(_) => 4,
            // "this year" and "last year" are steps of one sort: they disagree.
            Period::Back(_) | Period::This(_) => 5,
            Period::Day(_) => 6,
        }
    }
}

pub(crate) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
pub(crate) const MONTH_ABBR: &[&str] =
    &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
pub(crate) const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/// The name of month `m` (1-12), in lower case.
pub fn month_name(m: u8) -> &'static str {
    MONTHS[usize::from(m.clamp(1, 12)) - 1]
}

/// The name of weekday `d` (1 = Monday), in lower case.
pub fn weekday_name(d: u8) -> &'static str {
    WEEKDAYS[usize::from(d.clamp(1, 7)) - 1]
}

const ORDINALS: &[&str] = &["first", "second", "third", "fourth"];
const ORDINAL_DIGITS: &[&str] = &["1st", "2nd", "3rd", "4th"];
const COUNTS: &[&str] =
    &["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

/// Is `w` (lower case) a month, a month's abbreviation or a weekday?
pub fn is_calendar_word(w: &str) -> bool {
    static CALENDAR: terms::WordList = terms::WordList::union(&[MONTHS, MONTH_ABBR, &["sept"], WEEKDAYS]);
    CALENDAR.contains(w.trim_end_matches('.'))
}

fn month(w: &str, lower: &str) -> Option<u8> {
    // "end-March", "mid-January": the month of a point in it.
    if let Some((head, rest)) = lower.split_once('-').filter(|(h, _)| matches!(*h, "end" | "mid" | "early" | "late")) {
        return month(w.get(head.len() + 1..).unwrap_or(""), rest);
    }
    // Month names are capitalized; "may" in lower case is a verb.
    if !w.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    let l = lower.trim_end_matches('.');
    let i = MONTHS
        .iter()
        .position(|m| *m == l)
        .or_else(|| MONTH_ABBR.iter().position(|m| *m == l).or_else(|| (l == "sept").then_some(8)))?;
    Some(i as u8 + 1)
}

fn count(lower: &str) -> Option<u16> {
    COUNTS
        .iter()
        .position(|c| *c == lower)
        .map(|i| i as u16 + 1)
        .or_else(|| lower.parse::<u16>().ok().filter(|n| *n <= 60))
}

/// A period expression and the span of its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mention {
    pub period: Period,
    pub span: Span,
}

/// The period expressions of `span`, in order.
pub fn periods_in(text: &str, span: Span) -> Vec<Mention> {
    let words = terms::words(text, span);
    // Every word in lower case, one after another in one string (not a string each).
    let mut lower = String::with_capacity(span.len());
    let mut ends = Vec::with_capacity(words.len());
    for w in &words {
        let raw = w.slice(text);
        if raw.is_ascii() {
            let from = lower.len();
            lower.push_str(raw);
            lower[from..].make_ascii_lowercase();
        } else {
            lower.push_str(&raw.to_lowercase());
        }
        ends.push(lower.len());
    }
    let at = |i: usize| match ends.get(i) {
        Some(&end) => &lower[if i == 0 { 0 } else { ends[i - 1] }..end],
        None => "",
    };
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let raw = w.slice(text);
        let l = at(i);
        let one = |period| Mention { period, span: *w };
        let through = |j: usize, period| Mention { period, span: Span::new(w.start, words[j].end) };
        if let Some(m) = month(raw, l) {
            out.push(one(Period::Month(m)));
        } else if let Some(d) = WEEKDAYS.iter().position(|x| *x == l) {
            out.push(one(Period::Weekday(d as u8 + 1)));
        } else if l.len() == 4 && l.bytes().all(|b| b.is_ascii_digit()) && (l.starts_with("19") || l.starts_with("20"))
        {
            out.push(one(Period::Year(l.parse().unwrap_or(0))));
        } else if let Some(q) =
            ORDINALS.iter().position(|x| *x == l).or_else(|| ORDINAL_DIGITS.iter().position(|x| *x == l))
        {
            match at(i + 1) {
                "quarter" | "qtr" | "quarters" => out.push(through(i + 1, Period::Quarter(q as u8 + 1))),
                "half" => out.push(through(i + 1, Period::Months(6))),
                _ => {}
            }
        } else if let Some(n) = count(l) {
            let unit = at(i + 1);
            let months = match unit {
                "months" | "month" | "mths" => Some(n),
                "weeks" => None,
                "quarters" => Some(3 * n),
                _ => None,
            };
            // "nine months to August", "the first nine months", "six months ended": a period, not a count.
            let framed = matches!(at(i + 2), "to" | "ended" | "ending" | "through" | "thru")
                || matches!(i.checked_sub(1).map_or("", at), "first" | "last" | "past");
            if let (Some(m), true) = (months, framed) {
                out.push(through(i + 1, Period::Months(m)));
            }
        } else if let Some(d) = ["yesterday", "today", "tomorrow"].iter().position(|x| *x == l) {
            out.push(one(Period::Day(d as i8 - 1)));
        } else if matches!(l, "last" | "previous" | "prior" | "past") {
            if let Some(b) = step(at(i + 1)) {
                out.push(through(i + 1, Period::Back(b)));
            }
        } else if l == "this" {
            if let Some(b) = step(at(i + 1)) {
                out.push(through(i + 1, Period::This(b)));
            }
        } else if l == "ago" || l == "earlier" || l == "before" {
            // "a year ago", "a month earlier", "the year before"
            if let Some(b) = i.checked_sub(1).and_then(|j| step(at(j))) {
                out.push(Mention { period: Period::Back(b), span: Span::new(words[i - 1].start, w.end) });
            }
        } else if let Some(rest) = l.strip_suffix("-ago") {
            if let Some(b) = step(rest.trim_start_matches("a-")) {
                out.push(one(Period::Back(b)));
            }
        }
    }
    out
}

/// A day count for a calendar date: exact within a month, a day or three off across one
/// (every month is taken as 31 days), which is all a window of days needs.
pub fn day_number(year: i64, month: i64, day: i64) -> i64 {
    (year * 12 + month - 1) * 31 + day - 1
}

/// The date of a story: its wire dateline ("19-MAR-1987 11:30:57.56") or the date of its
/// byline ("Jane Roe | December 6, 2021 | 4:22am EST"), in its first lines.
pub fn story_date(analysis: &crate::Analysis) -> Option<i64> {
    let text = analysis.prose.masked.as_str();
    let head = &text[..crate::text::floor_char_boundary(text, text.len().min(400))];
    dateline(head).or_else(|| byline(analysis))
}

/// "19-MAR-1987": day, month abbreviation in capitals, year.
fn dateline(head: &str) -> Option<i64> {
    head.split_whitespace().find_map(|tok| {
        let mut parts = tok.split('-');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || m.len() != 3 || !m.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let month = MONTH_ABBR.iter().position(|x| x.eq_ignore_ascii_case(m))? as i64 + 1;
        let (day, year) = (d.parse::<i64>().ok()?, y.parse::<i64>().ok()?);
        ((1..=31).contains(&day) && (1800..=2200).contains(&year)).then(|| day_number(year, month, day))
    })
}

/// The date figure of a byline among the first sentences, with its year.
fn byline(analysis: &crate::Analysis) -> Option<i64> {
    let text = analysis.prose.masked.as_str();
    analysis.quantities.iter().take_while(|q| q.sentence < 4).find_map(|q| {
        let sentence = analysis.sentences.get(q.sentence)?.span.slice(text);
        if q.kind != crate::QuantityKind::Date || !sentence.contains(" | ") {
            return None;
        }
        // value is month * 100 + day (see extract::quantities)
        let (month, day) = ((q.value as i64) / 100, (q.value as i64) % 100);
        let after = text.get(q.span.end..q.span.end.saturating_add(8).min(text.len()))?;
        let year = after.trim_start_matches([',', ' ']).get(..4)?.parse::<i64>().ok()?;
        Some(day_number(year, month, day))
    })
}

fn step(w: &str) -> Option<u8> {
    match w {
        "week" => Some(1),
        "month" => Some(2),
        "year" => Some(3),
        _ => None,
    }
}

/// The day a figure names relative to its story ("yesterday"), as a day count, when the story is dated.
pub fn day_of(periods: &[Period], story: Option<i64>) -> Option<i64> {
    let offset = periods.iter().find_map(|p| if let Period::Day(d) = p { Some(i64::from(*d)) } else { None })?;
    Some(story? + offset)
}

/// The calendar months (as `year * 12 + month - 1`) that the months named in `periods`
/// stand for: in the year named beside them ("December 1985"), else the latest such month
/// up to the story's date ("in December" of a story of March 1987 is December 1986).
/// Empty when no month is named or no year can be told.
pub fn absolute_months(periods: &[Period], story: Option<i64>) -> Vec<i64> {
    let year = periods.iter().find_map(|p| if let Period::Year(y) = p { Some(i64::from(*y)) } else { None });
    let now = story.map(|d| d.div_euclid(31));
    periods
        .iter()
        .filter_map(|p| if let Period::Month(m) = p { Some(i64::from(*m) - 1) } else { None })
        .filter_map(|m| match (year, now) {
            (Some(y), _) => Some(y * 12 + m),
            (None, Some(now)) => {
                let this_year = now.div_euclid(12) * 12 + m;
                Some(if this_year > now { this_year - 12 } else { this_year })
            }
            (None, None) => None,
        })
        .collect()
}

/// Do the two name a calendar period of one sort (both a month, both a year, ...)? A period
/// counted from a story's own time ("a year ago", "yesterday", "on Tuesday") is not one:
/// in two stories of different dates it names different times.
pub fn shared_sort(a: &[Period], b: &[Period]) -> bool {
    let calendar =
        |p: &&Period| matches!(p, Period::Month(_) | Period::Year(_) | Period::Quarter(_) | Period::Months(_));
    a.iter().filter(calendar).any(|p| b.iter().filter(calendar).any(|q| p.sort() == q.sort()))
}

/// Could figures with these periods hold at one time?
pub fn compatible(a: &[Period], b: &[Period]) -> bool {
    (0..7u8).all(|sort| {
        let mut x = a.iter().filter(|p| p.sort() == sort).peekable();
        let mut y = b.iter().filter(|p| p.sort() == sort).peekable();
        if x.peek().is_none() || y.peek().is_none() {
            return true;
        }
        let ys: Vec<&Period> = y.collect();
        x.any(|p| ys.contains(&p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn periods(s: &str) -> Vec<Period> {
        periods_in(s, Span::new(0, s.len())).into_iter().map(|m| m.period).collect()
    }

    #[test]
    fn months_years_quarters_and_weekdays_are_read() {
        assert_eq!(
            periods("sales rose in January from December 1986"),
            vec![Period::Month(1), Period::Month(12), Period::Year(1986)]
        );
        assert_eq!(periods("net fell in the fourth quarter"), vec![Period::Quarter(4)]);
        assert_eq!(periods("the fire started on Tuesday"), vec![Period::Weekday(2)]);
        assert_eq!(periods("unemployment at end-March"), vec![Period::Month(3)]);
        assert_eq!(periods("the rally of mid-may"), vec![]);
        // "may" in lower case is a verb, not a month
        assert_eq!(periods("prices may rise"), vec![]);
    }

    #[test]
    fn a_stretch_of_months_is_a_period_only_where_it_frames_a_figure() {
        assert_eq!(periods("profit in the nine months to August"), vec![Period::Months(9), Period::Month(8)]);
        assert_eq!(periods("in the first half"), vec![Period::Months(6)]);
        assert_eq!(periods("the strike lasted nine months"), vec![]);
    }

    #[test]
    fn days_are_read_against_the_story_date() {
        assert_eq!(periods("averaged 6.1 pct yesterday"), vec![Period::Day(-1)]);
        assert_eq!(day_of(&[Period::Day(-1)], Some(100)), Some(99));
        assert_eq!(day_of(&[Period::Day(-1)], None), None);
    }

    #[test]
    fn steps_back_are_read() {
        assert_eq!(periods("up from a year ago"), vec![Period::Back(3)]);
        assert_eq!(periods("compared with last month"), vec![Period::Back(2)]);
        assert_eq!(
            periods("14 days so far this year, up from six the year before"),
            vec![Period::This(3), Period::Back(3)]
        );
        assert!(!compatible(&[Period::This(3)], &[Period::Back(3)]));
        assert!(compatible(&[Period::This(3)], &[Period::This(3), Period::Month(5)]));
        assert_eq!(periods("the year-ago quarter"), vec![Period::Back(3)]);
    }

    #[test]
    fn a_story_is_dated_by_its_dateline_or_byline() {
        let a = crate::analyze("HARBOR NET UP\n19-MAR-1987 11:30:57.56\n\nNet rose.", crate::TextFormat::Plain);
        assert_eq!(story_date(&a), Some(day_number(1987, 3, 19)));
        let b = crate::analyze("Title\n\nJane Roe | December 6, 2021 | 4:22am EST\n\nText.", crate::TextFormat::Plain);
        assert_eq!(story_date(&b), Some(day_number(2021, 12, 6)));
        let c = crate::analyze("The plan was adopted on December 6, 2021.", crate::TextFormat::Plain);
        assert_eq!(story_date(&c), None);
    }

    #[test]
    fn only_calendar_periods_tie_stories_of_different_dates() {
        use Period::*;
        assert!(shared_sort(&[Month(3)], &[Month(3), Back(3)]));
        assert!(!shared_sort(&[Back(3)], &[Back(3)]));
        assert!(!shared_sort(&[Weekday(2)], &[Weekday(2)]));
    }

    #[test]
    fn periods_are_compatible_unless_one_sort_disagrees() {
        use Period::*;
        assert!(compatible(&[Month(1)], &[Month(1), Year(1987)]));
        assert!(compatible(&[Month(1)], &[Quarter(1)]));
        assert!(compatible(&[], &[Month(3)]));
        assert!(!compatible(&[Month(1)], &[Month(12)]));
        assert!(!compatible(&[Months(9)], &[Months(3)]));
        assert!(!compatible(&[Weekday(2)], &[Weekday(3)]));
    }
}
