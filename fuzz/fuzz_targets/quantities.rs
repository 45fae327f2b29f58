//! Figures in prose (`extract::quantities`, through `analyze_deferred`), Markdown and plain.
//!
//! Properties: every figure and its modifier are spans of the draft on char boundaries,
//! inside the sentence the figure names, the modifier before the figure; figures come in
//! text order (lookups find siblings by position); a value is finite and not negative
//! and lies inside its `low..=high` range, which is not reversed; a unit is never empty.
#![no_main]

use copydesk_engine::{analyze_deferred, QuantityKind, TextFormat};
use copydesk_fuzz::{assert_span, utf8};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = utf8(data) else { return };
    for format in [TextFormat::Plain, TextFormat::Markdown] {
        let a = analyze_deferred(text, format);
        let mut last = None;
        for q in &a.quantities {
            assert_span(text, q.span, "figure");
            assert!(!q.span.is_empty(), "{format:?}: empty figure {q:?}");
            let sentence = a.sentences.get(q.sentence).unwrap_or_else(|| panic!("{format:?}: no sentence for {q:?}"));
            assert!(sentence.span.covers(q.span), "{format:?}: {q:?} outside its sentence {:?}", sentence.span);
            if let Some(m) = q.modifier_span {
                assert_span(text, m, "modifier");
                assert!(m.end <= q.span.start && sentence.span.covers(m), "{format:?}: modifier {m:?} of {q:?}");
            }
            assert!(q.value.is_finite() && q.value >= 0.0, "{format:?}: value of {q:?}");
            assert!(!q.low.is_nan() && !q.high.is_nan() && q.low <= q.high, "{format:?}: range of {q:?}");
            if !matches!(q.kind, QuantityKind::Year | QuantityKind::Date | QuantityKind::Ordinal) {
                assert!(q.low <= q.value && q.value <= q.high, "{format:?}: {q:?} outside its own range");
            }
            assert!(q.unit.as_ref().is_none_or(|u| !u.is_empty()), "{format:?}: empty unit in {q:?}");
            assert!(q.unit_text.as_ref().is_none_or(|u| !u.trim().is_empty()), "{format:?}: {q:?}");
            let key = (q.sentence, q.span.start);
            assert!(last < Some(key), "{format:?}: figures out of order at {q:?}");
            last = Some(key);
        }
    }
});
