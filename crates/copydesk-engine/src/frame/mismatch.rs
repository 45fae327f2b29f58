//! Why two figures are not about one fact, or why a figure is no claim: the reasons a
//! verdict records and `COPYDESK_EXPLAIN` and the hover show.

use super::time::{self, Period};
use std::fmt;

/// Why a figure is not a claim to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAClaim {
    /// "Jane Roe | December 6, 2021 | 4:22am EST".
    BylineDate,
    /// "HARBOR NET UP 5 PCT": restates the story's body.
    CapitalsHeadline,
    /// "Sept. 19 to 22": part of a date.
    DateRangeEnd,
    /// A cell of a table, which its row and column explain.
    TableRow,
    /// "1100 hrs", "0900 EST".
    TimeOfDay,
    /// "April 10, 1987": part of a date.
    YearOfDate,
    /// "Sep/Nov": a contract's label.
    SpreadLabel,
    /// "nine months to August": a period, not a figure.
    Period,
}

impl fmt::Display for NotAClaim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotAClaim::BylineDate => "the date of a byline",
            NotAClaim::CapitalsHeadline => "a figure of a headline in capitals",
            NotAClaim::DateRangeEnd => "the end of a range of days",
            NotAClaim::TableRow => "a cell of a table",
            NotAClaim::TimeOfDay => "a time of day",
            NotAClaim::YearOfDate => "the year of a date",
            NotAClaim::SpreadLabel => "a contract label",
            NotAClaim::Period => "a period of time",
        })
    }
}

/// Why a source figure is not about the draft figure's fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The source figure is no claim.
    NotAClaim(NotAClaim),
    /// Another subject: the names each figure is about.
    Subject { ours: Vec<String>, theirs: Vec<String> },
    /// Stories that lead with other subjects, neither naming the other's.
    Story { ours: Vec<String>, theirs: Vec<String> },
    /// Another period named next to the figures.
    Period { ours: Vec<Period>, theirs: Vec<Period> },
    /// Stories this many days apart, and no period both name.
    StoryDates { days: i64 },
    /// A share of another whole ("of young people" / "of those with jobs").
    Base,
    /// The other part of a comparison: the earlier figure ("up from six") where the draft's
    /// is the current one, or the other way round.
    Role { theirs_earlier: bool },
}

fn names(words: &[String]) -> String {
    if words.is_empty() {
        "nobody named".to_string()
    } else {
        words.join(" ")
    }
}

fn periods(ps: &[Period]) -> String {
    if ps.is_empty() {
        "no period".to_string()
    } else {
        ps.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::NotAClaim(why) => write!(f, "not a claim ({why})"),
            Mismatch::Subject { ours, theirs } => {
                write!(f, "another subject ({}, where the draft's is {})", names(theirs), names(ours))
            }
            Mismatch::Story { ours, theirs } => {
                write!(
                    f,
                    "a story about another subject ({}, where the draft's is about {})",
                    names(theirs),
                    names(ours)
                )
            }
            Mismatch::Period { ours, theirs } => {
                write!(f, "another period ({}, where the draft's is {})", periods(theirs), periods(ours))
            }
            Mismatch::StoryDates { days } => {
                write!(f, "another time (stories {days} days apart, and no period named on both sides)")
            }
            Mismatch::Base => f.write_str("a share of another whole"),
            Mismatch::Role { theirs_earlier: true } => f.write_str(
                "the earlier figure of a comparison (\"up from …\", \"vs …\"), where the draft's is a current one",
            ),
            Mismatch::Role { theirs_earlier: false } => {
                f.write_str("the current figure of a comparison, where the draft's is the earlier one")
            }
        }
    }
}

fn capitalized(f: &mut fmt::Formatter<'_>, w: &str) -> fmt::Result {
    let mut cs = w.chars();
    if let Some(c) = cs.next() {
        write!(f, "{}", c.to_uppercase())?;
    }
    f.write_str(cs.as_str())
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Month(m) => capitalized(f, time::month_name(m)),
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(q) => write!(f, "quarter {q}"),
            Period::Weekday(d) => capitalized(f, time::weekday_name(d)),
            Period::Months(n) => write!(f, "{n} months"),
            Period::Back(1) => f.write_str("a week before"),
            Period::Back(2) => f.write_str("a month before"),
            Period::Back(_) => f.write_str("a year before"),
            Period::This(1) => f.write_str("this week"),
            Period::This(2) => f.write_str("this month"),
            Period::This(_) => f.write_str("this year"),
            Period::Day(-1) => f.write_str("yesterday"),
            Period::Day(0) => f.write_str("today"),
            Period::Day(_) => f.write_str("tomorrow"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_plain_words() {
        let m = Mismatch::Subject { ours: vec!["Pakistan".into()], theirs: vec!["Uganda".into()] };
        assert_eq!(m.to_string(), "another subject (Uganda, where the draft's is Pakistan)");
        let m = Mismatch::Period { ours: vec![Period::Month(1)], theirs: vec![Period::Month(12), Period::Year(1986)] };
        assert_eq!(m.to_string(), "another period (December, 1986, where the draft's is January)");
        assert_eq!(Mismatch::NotAClaim(NotAClaim::TableRow).to_string(), "not a claim (a cell of a table)");
    }
}
