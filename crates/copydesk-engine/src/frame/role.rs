//! A figure's part in a comparison: the current figure, or the one a change is measured
//! from ("up from six days", "to 14 from six", "2.1 mln vs 1.8 mln"). The earlier figure
//! holds at another time than the current one, whether or not that time is named.

use super::{agree, FigureFrame, Mismatch};
use crate::text::Span;

/// Words of change before "from": "up from six", "rose from six to 14".
#[rustfmt::skip]
const CHANGES: &[&str] = &[
    "up", "down", "rose", "risen", "rise", "rises", "rising", "fell", "fallen", "fall", "falls", "falling",
    "increased", "increase", "increases", "increasing", "decreased", "decrease", "decreases", "declined", "decline",
    "declines", "declining", "dropped", "drop", "drops", "climbed", "climbs", "jumped", "jumps", "grew", "grown",
    "grows", "growing", "slipped", "eased", "gained", "gains", "slid", "plunged", "soared", "surged", "edged",
    "widened", "narrowed", "improved", "shrank", "shrunk", "raised", "lowered", "revised", "reduced", "cut",
    "boosted", "changed", "unchanged",
];

/// Words between a comparison's marker and its figure: "up from about six", "vs an estimated 1.8".
#[rustfmt::skip]
const APPROXIMATE: &[&str] = &[
    "a", "an", "the", "about", "some", "nearly", "around", "roughly", "almost", "just", "only", "approximately",
    "estimated", "over", "under", "more", "less", "fewer", "than",
];

/// Is the figure after `before` (its clause up to the figure) the one a change is measured
/// from? After "vs" or "versus"; after "compared with/to"; after "from" that follows a word
/// of change ("up from", "rose from") or another figure of the clause ("to 14 from six");
/// after "against" that follows another figure ("1.2 mln against 0.9 mln").
pub(super) fn is_baseline(text: &str, before: Span, after_a_figure: bool) -> bool {
    let words = crate::terms::words(text, before);
    let lower: Vec<String> = words.iter().rev().take(8).map(|w| w.slice(text).to_lowercase()).collect();
    let mut rest = lower.iter().map(String::as_str).skip_while(|w| APPROXIMATE.contains(w));
    match rest.next() {
        Some("vs" | "versus") => true,
        Some("with" | "to") => matches!(rest.next(), Some("compared" | "compares" | "comparing")),
        Some("from") => after_a_figure || rest.next().is_some_and(|w| CHANGES.contains(&w)),
        Some("against") => after_a_figure,
        _ => false,
    }
}

/// Could two figures play one part in their sentences? The figure a change is measured
/// from ("six" of "14 days, up from six days") holds at an earlier time than the one it is
/// compared with, so it is not the fact a draft's current figure states, nor the other
/// way round; where both name their periods, the periods decide.
pub fn same_role(a: &FigureFrame, b: &FigureFrame) -> Result<(), Mismatch> {
    agree(a.baseline == b.baseline || (!a.periods.is_empty() && !b.periods.is_empty()), || Mismatch::Role {
        theirs_earlier: b.baseline,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::frame;
    use super::*;

    #[test]
    fn the_figure_a_change_is_measured_from_is_a_baseline() {
        let text = "The clinic counted 14 days of shortages, up from six days, its director said.";
        assert!(!frame(text, "14 days").0.baseline);
        assert!(frame(text, "six days").0.baseline);
        let text = "Net profit rose to 2.1 mln dlrs from about 1.8 mln dlrs.";
        assert!(!frame(text, "2.1 mln").0.baseline && frame(text, "1.8 mln").0.baseline);
        assert!(frame("Shares rose from 12 dlrs to 15 dlrs.", "12 dlrs").0.baseline);
        assert!(!frame("Shares rose from 12 dlrs to 15 dlrs.", "15 dlrs").0.baseline);
        assert!(frame("Net 2.1 mln vs 1.8 mln.", "1.8 mln").0.baseline);
        assert!(frame("Output was 40 tonnes, compared with 35 tonnes.", "35 tonnes").0.baseline);
        // "from" without a change or an earlier figure is no comparison.
        assert!(!frame("Revenue from 14 stores was steady.", "14 stores").0.baseline);
        assert!(!frame("The range runs from six to 14 days.", "six").0.baseline);
        // A current figure and an earlier one are two facts (where neither names its period).
        let (now, was) = (frame(text, "2.1 mln").0, frame(text, "1.8 mln").0);
        assert!(same_role(&now, &was).is_err() && same_role(&was, &was).is_ok());
    }
}
