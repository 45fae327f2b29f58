//! Findings' messages, one style for every code: the draft's words in quotation marks,
//! a dash, what the sources have, and where (the source's path as the corpus names it,
//! and the line): “16 days” — the source has 14 (news/clinic.md:5).

use crate::finding::Evidence;

/// `s` in quotation marks, its whitespace folded.
pub(crate) fn quoted(s: &str) -> String {
    format!("\u{201C}{}\u{201D}", s.split_whitespace().collect::<Vec<_>>().join(" "))
}

pub(crate) fn number_mismatch(draft: &str, source: &str, at: &Evidence) -> String {
    format!("{} \u{2014} the source has {source} ({})", quoted(draft), at.cite())
}

pub(crate) fn figures_disagree(draft: &str, sources: &[(String, &Evidence)]) -> String {
    let each: Vec<String> = sources.iter().map(|(figure, at)| format!("{figure} ({})", at.cite())).collect();
    format!("{} \u{2014} the sources disagree: {}", quoted(draft), each.join(", "))
}

pub(crate) fn unsourced_number(draft: &str) -> String {
    format!("{} \u{2014} no source states this figure", quoted(draft))
}

/// The draft's quote and the source's wording, each cut to where they differ (with two
/// words either side) when they are long.
pub(crate) fn misquote(draft: &str, source: &str, at: &Evidence) -> String {
    let (ours, theirs) = differing(draft, source);
    format!("{ours} \u{2014} the source has {theirs} ({})", at.cite())
}

pub(crate) fn unsourced_quote(draft: &str) -> String {
    format!("{} \u{2014} no source holds these words", quoted(draft))
}

pub(crate) fn misattribution(draft_speaker: &str, source_speaker: &str, at: &Evidence) -> String {
    format!("{} \u{2014} the source gives these words to {source_speaker} ({})", quoted(draft_speaker), at.cite())
}

pub(crate) fn speakers_disagree(draft_speaker: &str, speakers: &[&str]) -> String {
    format!(
        "{} \u{2014} the sources give these words to different speakers: {}",
        quoted(draft_speaker),
        speakers.join(", ")
    )
}

/// Quotes up to this many words are shown whole.
const WHOLE_WORDS: usize = 12;
/// Words kept either side of where two long quotes differ.
const CONTEXT_WORDS: usize = 2;

/// Two wordings in quotation marks, cut to the words where they differ when either is long:
/// “…a warning, not a prediction, and we…” / “…a warning, not a forecast, and we…”.
fn differing(a: &str, b: &str) -> (String, String) {
    let (x, y): (Vec<&str>, Vec<&str>) = (a.split_whitespace().collect(), b.split_whitespace().collect());
    if x.len() <= WHOLE_WORDS && y.len() <= WHOLE_WORDS {
        return (quoted(a), quoted(b));
    }
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let shortest = x.len().min(y.len());
    let prefix = x.iter().zip(&y).take_while(|(p, q)| bare(p) == bare(q)).count();
    let suffix =
        x.iter().rev().zip(y.iter().rev()).take(shortest - prefix).take_while(|(p, q)| bare(p) == bare(q)).count();
    let cut = |w: &[&str]| {
        let from = prefix.saturating_sub(CONTEXT_WORDS);
        let to = (w.len() - suffix + CONTEXT_WORDS).min(w.len()).max(from);
        let lead = if from > 0 { "\u{2026}" } else { "" };
        let tail = if to < w.len() { "\u{2026}" } else { "" };
        format!("\u{201C}{lead}{}{tail}\u{201D}", w[from..to].join(" "))
    };
    (cut(&x), cut(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quotes_are_cut_to_where_they_differ() {
        let (a, b) = differing(
            "This is a warning, not a prediction, and we will act on it before the winter comes.",
            "This is a warning, not a forecast, and we will act on it before the winter comes.",
        );
        assert_eq!(a, "\u{201C}\u{2026}not a prediction, and we\u{2026}\u{201D}");
        assert_eq!(b, "\u{201C}\u{2026}not a forecast, and we\u{2026}\u{201D}");
        let (a, b) = differing("a warning, not a prediction", "a warning, not a forecast");
        assert_eq!(
            (a.as_str(), b.as_str()),
            ("\u{201C}a warning, not a prediction\u{201D}", "\u{201C}a warning, not a forecast\u{201D}")
        );
        // A word left out: the cut still shows both sides of the gap.
        let (a, b) = differing(
            "We will act on it before the winter comes and the roads close for months.",
            "We will act on it before the long winter comes and the roads close for months.",
        );
        assert_eq!(a, "\u{201C}\u{2026}before the winter comes\u{2026}\u{201D}");
        assert_eq!(b, "\u{201C}\u{2026}before the long winter comes\u{2026}\u{201D}");
    }
}
