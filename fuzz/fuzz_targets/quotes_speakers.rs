//! Quotations and their speakers (`extract::quotes`, `extract::speakers`, through `analyze`).
//!
//! Properties: a quote's words lie inside its marks, both spans of the draft on char
//! boundaries, the opening mark inside the quote's sentence; quotes come in text order
//! and do not overlap; a speaker's span is a span of the draft whose masked text is the
//! speaker's `text`; reported speech has its content, cue and speaker on char boundaries;
//! and resolving speakers later (`analyze_deferred` + `resolve_speakers`, what an index
//! does) gives exactly what `analyze` gives.
#![no_main]

use copydesk_engine::{analyze, analyze_deferred, Speaker, TextFormat};
use copydesk_fuzz::{assert_span, utf8};
use libfuzzer_sys::fuzz_target;

fn check_speaker(text: &str, masked: &str, s: &Speaker) {
    assert_span(text, s.span, "speaker");
    assert!(!s.span.is_empty() && s.text == s.span.slice(masked), "speaker {s:?}");
    assert!(!s.entity.trim().is_empty(), "speaker without a name: {s:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = utf8(data) else { return };
    for format in [TextFormat::Markdown, TextFormat::Plain] {
        let a = analyze(text, format);
        let masked = a.prose.masked.as_str();
        let mut last_end = 0;
        for q in &a.quotes {
            assert_span(text, q.outer, "quote");
            assert_span(text, q.span, "quoted words");
            assert!(q.outer.covers(q.span), "{format:?}: words {:?} outside the marks {:?}", q.span, q.outer);
            assert!(q.outer.start >= last_end, "{format:?}: quote {:?} overlaps the one before", q.outer);
            last_end = q.outer.end;
            let sentence = a.sentences.get(q.sentence).unwrap_or_else(|| panic!("{format:?}: no sentence for {q:?}"));
            assert!(sentence.span.contains(q.outer.start), "{format:?}: {q:?} opens outside {:?}", sentence.span);
            if let Some(s) = &q.speaker {
                check_speaker(text, masked, s);
            }
        }
        for at in &a.attributions {
            assert_span(text, at.content, "reported content");
            assert_span(text, at.cue, "speech cue");
            assert!(at.sentence < a.sentences.len(), "{format:?}: no sentence for {at:?}");
            check_speaker(text, masked, &at.speaker);
        }
        let mut deferred = analyze_deferred(text, format);
        deferred.resolve_speakers();
        assert!(deferred == a, "{format:?}: deferred speakers differ from analyze's");
    }
});
