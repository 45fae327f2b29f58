//! Reported speech: "X said Ukraine had amassed 125,000 troops" is a
//! `misattribution` when the sources give that claim to someone else.

use super::quotes::{source_speaker, speaker_replacement, MIN_WORDS_FOR_SPEAKER};
use super::{finding, messages, speaker_reading, Draft, MAX_EVIDENCE};
use crate::corpus::{AnalyzedSource, CorpusIndex};
use crate::extract::entities::same_entity;
use crate::finding::{ClaimKind, Code, Status, Verdict};
use crate::terms;
use crate::text::Span;

/// Share of the reported claim's term weight a source sentence must hold to be the same claim.
const SAME_CLAIM: f32 = 0.70;
/// Share of the claim's terms a contradicting speaker's words must hold.
const HELD_TERMS: f32 = 0.8;
const NEIGHBOURS: usize = 8;
/// A claim with fewer content terms than this is too vague to attribute.
const MIN_TERMS: usize = 4;

/// Words by which reported content points back at its own speaker.
const SELF_REFERENCE: &[&str] = &[
    "it",
    "its",
    "itself",
    "they",
    "their",
    "them",
    "themselves",
    "he",
    "his",
    "him",
    "himself",
    "she",
    "her",
    "herself",
    "we",
    "our",
    "us",
    "ourselves",
];

/// Does the content speak of its own speaker ("X said its board declared a dividend", "X said
/// he was pleased")? Then it is a claim about the speaker, and another speaker saying the same
/// words says something else.
/// A pronoun after a name in the content stands for that name ("Ukraine has massed troops on
/// its border"), so only one that comes before any name is read as the speaker.
fn about_its_speaker(text: &str, content: Span) -> bool {
    let mut previous = String::new();
    // A plural noun before "they" / "their" is what they stand for ("40 families had not
    // returned to their homes").
    let mut plural_before = false;
    for w in terms::words(text, content) {
        let raw = w.slice(text);
        let word = raw.to_lowercase();
        let word = word.trim_end_matches("'s").trim_end_matches("\u{2019}s");
        let plural_pronoun = matches!(word, "they" | "their" | "them" | "themselves");
        if (SELF_REFERENCE.contains(&word) && !(plural_pronoun && plural_before))
            || (previous == "the" && word == "company")
        {
            return true;
        }
        plural_before |= word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") && !terms::is_stopword(word);
        let named = raw.chars().next().is_some_and(char::is_uppercase) && !terms::is_stopword(word);
        if named {
            return false;
        }
        previous = word.to_string();
    }
    false
}

/// The words a source sentence gives to a speaker: the quote that opens in it, else the
/// reported speech that overlaps it.
fn attributed_words(src: &AnalyzedSource, sentence: Span) -> Option<Span> {
    let (quotes, attributions) = src.speakers();
    let quote = quotes.iter().find(|q| sentence.start <= q.outer.start && q.outer.start < sentence.end);
    quote.map(|q| q.span).or_else(|| attributions.iter().find(|r| r.content.overlaps(sentence)).map(|r| r.content))
}

/// Do the speaker's words hold the draft's claim, not only the rest of the sentence ("A
/// had held that X, while B said Y" does not give X to B)? Most of the claim's terms that
/// the sentence shares must be in the attributed words, and nearly all of the claim's terms
/// must be there: a short claim that shares three common words with a long sentence is not
/// the same claim.
fn speaker_holds_claim(query: &[u64], src: &AnalyzedSource, sentence: Span, words: Span) -> bool {
    let masked = &src.analysis.prose.masked;
    let shared = terms::intersect_sorted(query, &terms::content_terms(masked, sentence));
    let held = terms::intersect_sorted(&shared, &terms::content_terms(masked, words));
    held.len() as f32 >= SAME_CLAIM * shared.len() as f32 && held.len() as f32 >= HELD_TERMS * query.len() as f32
}

/// Does every figure of the draft's claim appear in the source sentence? A claim with another
/// figure is another claim (whether the figure is right is the number check's question).
fn same_figures(d: &Draft, content: Span, src: &AnalyzedSource, sentence: Span) -> bool {
    let theirs: Vec<f64> =
        src.analysis.quantities.iter().filter(|q| sentence.covers(q.span)).map(|q| q.value).collect();
    d.analysis
        .quantities
        .iter()
        .filter(|q| content.covers(q.span))
        .all(|q| theirs.iter().any(|v| (v - q.value).abs() <= f64::EPSILON * v.abs().max(1.0)))
}

/// Is the sentence's attribution a relay ("according to", "reported") of words that a
/// speech verb earlier in the sentence gives to someone?
fn relayed(src: &AnalyzedSource, sentence: Span) -> bool {
    let masked = &src.analysis.prose.masked;
    src.speakers().1.iter().filter(|r| sentence.covers(r.cue)).any(|r| {
        let cue = r.cue.slice(masked).to_lowercase();
        let relay = cue.starts_with("according") || cue.contains("report");
        let before = Span::new(sentence.start, r.cue.start.min(r.content.start).max(sentence.start));
        relay
            && terms::words(masked, before)
                .iter()
                .chain(terms::words(masked, r.content).iter())
                .any(|w| matches!(w.slice(masked), "said" | "says" | "told" | "added" | "stated"))
    })
}

/// Does the sentence name `entity` (by its last name) outside quotation marks?
fn names_outside_quotes(src: &AnalyzedSource, sentence: Span, entity: &str) -> bool {
    let Some(surname) = entity.split_whitespace().last().filter(|s| s.chars().next().is_some_and(char::is_uppercase))
    else {
        return false;
    };
    let masked = &src.analysis.prose.masked;
    terms::words(masked, sentence).into_iter().any(|w| {
        w.slice(masked).trim_end_matches("'s").trim_end_matches("\u{2019}s") == surname
            && !src.analysis.quotes.iter().any(|q| q.span.contains(w.start))
    })
}

/// Is the source sentence another speaker making the draft's claim: the same figures, held
/// by that speaker's words, which do not speak of that speaker?
fn other_speakers_claim(query: &[u64], d: &Draft, content: Span, src: &AnalyzedSource, sentence: Span) -> bool {
    let Some(words) = attributed_words(src, sentence) else { return false };
    !about_its_speaker(&src.analysis.prose.masked, words)
        && speaker_holds_claim(query, src, sentence, words)
        && same_figures(d, content, src, sentence)
}

pub(super) fn check(corpus: &CorpusIndex, d: &Draft, index: usize, flagged: &[Span]) -> Option<Verdict> {
    let a = d.analysis.attributions.get(index)?;
    if a.speaker.unresolved || flagged.iter().any(|f| a.content.overlaps(*f)) {
        return None;
    }
    // A reported claim that is mostly a quote is the quote check's.
    let quoted: usize = d.analysis.quotes.iter().filter(|q| a.content.covers(q.span)).map(|q| q.span.len()).sum();
    if quoted * 2 > a.content.len() {
        return None;
    }
    let masked = d.masked();
    let query = terms::content_terms(masked, a.content);
    if query.len() < MIN_TERMS || terms::words(masked, a.content).len() < MIN_WORDS_FOR_SPEAKER {
        return None;
    }
    let self_referring = about_its_speaker(masked, a.content);
    let mut agree = Vec::new();
    let mut disagree = Vec::new();
    let neighbours = corpus.similar_sentences(&query, NEIGHBOURS);
    // Sorted by coverage: those below the bar are not read.
    let same_claim = neighbours.partition_point(|s| s.coverage >= SAME_CLAIM);
    corpus.prefetch_documents_of(&neighbours[..same_claim]);
    for s in neighbours[..same_claim].iter().copied() {
        let Some(src) = corpus.get(s.at.doc) else { continue };
        let Some(sent) = src.analysis.sentences.get(s.at.sentence as usize) else { continue };
        let Some(speaker) = source_speaker(src, sent.span) else { continue };
        if relayed(src, sent.span) {
            // "He said X, according to the AP": the agency relays someone's words; who
            // said them is not settled by this sentence.
            continue;
        }
        // "Putin said X, the agency reported": a source sentence that names the draft's
        // speaker outside its quotes may well give them the claim; not a contradiction.
        if names_outside_quotes(src, sent.span, &a.speaker.entity) {
            agree.push(src.evidence(s.at.sentence as usize, sent.span));
            continue;
        }
        let ev = src.evidence(s.at.sentence as usize, speaker.span);
        if same_entity(&a.speaker.entity, &speaker.entity) {
            agree.push(ev);
        } else if !self_referring && other_speakers_claim(&query, d, a.content, src, sent.span) {
            let named = src.naming_evidence(s.at.sentence as usize, speaker);
            disagree.push((s.coverage, speaker, ev, named));
        }
    }
    if !agree.is_empty() {
        return Some(Verdict {
            kind: ClaimKind::Attribution,
            span: a.speaker.span,
            status: Status::Supported,
            summary: format!("{} is reported saying this in {}.", a.speaker.entity, agree[0].cite()),
            evidence: agree.into_iter().take(MAX_EVIDENCE).collect(),
            finding: None,
            reason: format!(
                "A source sentence saying this gives it to the draft's speaker, {}.",
                speaker_reading(&a.speaker)
            ),
        });
    }
    let (_, speaker, ev, named) = disagree.into_iter().next()?;
    let message = messages::misattribution(&a.speaker.text, &speaker.entity, &ev);
    let replacement = speaker_replacement(&a.speaker.text, speaker);
    // Where the source says "she" or "the minister", the sentence that names the speaker too.
    let evidence: Vec<_> = std::iter::once(ev).chain(named).collect();
    let reason = format!(
        "A source sentence saying this, with the same figures, gives it to {}, in that speaker's own words; the \
         draft's speaker is {}.",
        speaker_reading(speaker),
        speaker_reading(&a.speaker)
    );
    Some(Verdict {
        kind: ClaimKind::Attribution,
        span: a.speaker.span,
        status: Status::Contradicted,
        summary: message.clone(),
        reason,
        finding: Some(finding(
            Code::Misattribution,
            d.text,
            a.speaker.span,
            message,
            evidence.clone(),
            Some(replacement),
        )),
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use crate::corpus::{AnalyzedSource, CorpusIndex, SourceDoc};
    use crate::finding::Code;
    use crate::settings::Settings;
    use crate::{analyze, TextFormat};

    fn source(story: &str) -> AnalyzedSource {
        AnalyzedSource::new(SourceDoc {
            path: "story.txt".into(),
            text: story.into(),
            format: TextFormat::Plain,
            title: None,
            date: None,
            layout: Default::default(),
        })
    }

    /// How many misattributions a one-line draft gets against a one-story corpus.
    fn misattributions(story: &str, draft: &str) -> usize {
        let corpus = CorpusIndex::build(vec![source(story)]);
        let verdicts = crate::check::check(&corpus, draft, &analyze(draft, TextFormat::Markdown), &Settings::default());
        verdicts.iter().filter(|v| v.finding.as_ref().is_some_and(|f| f.code == Code::Misattribution)).count()
    }

    const DIVIDEND: &str = "Harbor Freight Lines said its board declared a special payout of forty cents a share \
                            to holders of record in March.\n\nThe shipping line runs ferries on six routes.";

    #[test]
    fn the_same_claim_by_another_named_speaker_is_a_misattribution() {
        let story = "Port director Jonas Berg said the northern quay would close for dredging repairs \
                     throughout the autumn season.\n\nShips will use the southern quay.";
        let draft =
            "Mayor Ana Ruiz said the northern quay would close for dredging repairs throughout the autumn season.\n";
        assert_eq!(misattributions(story, draft), 1);
    }

    #[test]
    fn they_after_a_plural_noun_is_that_noun_not_the_speaker() {
        let span = |t: &str| crate::Span::new(0, t.len());
        let t = "at least 40 families had still not returned to their homes";
        assert!(!super::about_its_speaker(t, span(t)));
        let t = "they would appeal the ruling";
        assert!(super::about_its_speaker(t, span(t)));
    }

    #[test]
    fn a_claim_about_its_own_speaker_is_not_anothers() {
        let draft = "Coastal Shipping Co said its board declared a special payout of forty cents a share to \
                     holders of record in March.\n";
        assert_eq!(misattributions(DIVIDEND, draft), 0);
    }

    #[test]
    fn a_source_speaker_must_hold_the_claim_in_their_own_words() {
        let story = "The port authority had long held that dredging work damaged the northern fishing grounds \
                     every autumn, while Fisheries Minister Ola Dahl said new permits should be issued.\n\n\
                     Boats stayed in harbour.";
        let draft = "Mayor Ana Ruiz said dredging work damaged the northern fishing grounds every autumn.\n";
        assert_eq!(misattributions(story, draft), 0);
    }

    #[test]
    fn a_short_claim_sharing_some_words_with_a_long_sentence_is_another_claim() {
        let story = "Rising fuel costs, higher harbour fees and stronger ferry demand make a new winter \
                     timetable less likely, transport official Jonas Berg said in an interview.";
        let src = source(story);
        let sentence = src.analysis.sentences[0].span;
        let words = super::attributed_words(&src, sentence).expect("reported speech");
        let claim = "northern ferry demand was rising";
        let query = crate::terms::content_terms(claim, crate::text::Span::new(0, claim.len()));
        assert!(!super::speaker_holds_claim(&query, &src, sentence, words));
        let claim = "stronger ferry demand makes a new winter timetable less likely";
        let query = crate::terms::content_terms(claim, crate::text::Span::new(0, claim.len()));
        assert!(super::speaker_holds_claim(&query, &src, sentence, words));
    }

    #[test]
    fn a_claim_with_other_figures_is_another_claim() {
        let story = "Finance Minister Tor Holm said the government would seek to refinance 1.4 billion crowns \
                     of debt owed to foreign banks.\n\nTalks start in May.";
        let draft = "Deputy Minister Lars Vik said the government would seek to refinance 2 billion crowns of \
                     debt owed to foreign banks.\n";
        assert_eq!(misattributions(story, draft), 0);
    }
}
