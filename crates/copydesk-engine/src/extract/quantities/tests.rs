//! Quantity extraction tests: invented sentences, one behaviour each, and property tests
//! that no text makes extraction panic.

use super::*;
use crate::text::split_sentences;
use proptest::prelude::*;

fn run(t: &str) -> Vec<Quantity> {
    let sentences: Vec<Sentence> =
        split_sentences(t, Span::new(0, t.len())).into_iter().map(|span| Sentence { span, block: 0 }).collect();
    extract(t, &sentences)
}

fn one(t: &str) -> Quantity {
    let qs = run(t);
    assert_eq!(qs.len(), 1, "{t}: {qs:#?}");
    qs.into_iter().next().unwrap_or_else(|| unreachable!())
}

fn text<'a>(t: &'a str, q: &Quantity) -> &'a str {
    q.span.slice(t)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn plain_count_with_unit() {
    let t = "The army moved 94,300 troops to the border.";
    let q = one(t);
    assert_eq!(text(t, &q), "94,300");
    assert_eq!(q.value, 94300.0);
    assert_eq!((q.low, q.high), (94250.0, 94350.0));
    assert_eq!(q.unit.as_deref(), Some("troop"));
    assert_eq!(q.unit_text.as_deref(), Some("troops"));
    assert_eq!(q.kind, QuantityKind::Amount);
    assert_eq!(q.modifier, Modifier::Exact);
}

#[test]
fn adjectives_before_head_noun_are_skipped() {
    assert_eq!(one("It massed 84,300 Russian troops nearby.").unit.as_deref(), Some("troop"));
    assert_eq!(one("About 1,500 personnel from armored units left.").unit.as_deref(), Some("personnel"));
    assert_eq!(one("Some 14,000 people fled.").unit.as_deref(), Some("person"));
    assert_eq!(one("It covers 15 countries formerly under its rule.").unit.as_deref(), Some("country"));
    assert_eq!(one("It sold 100,000 tons of wheat.").unit.as_deref(), Some("tonne"));
    assert_eq!(one("Arrivals were 5,000 bags.").unit.as_deref(), Some("bag"));
}

#[test]
fn scale_words() {
    let t = "The firm issued 5 mln shares.";
    let q = one(t);
    assert_eq!(text(t, &q), "5 mln");
    assert_eq!(q.value, 5e6);
    assert_eq!(q.unit.as_deref(), Some("share"));
    let t = "The city has 1.2 million residents.";
    let q = one(t);
    assert_eq!(text(t, &q), "1.2 million");
    assert!(close(q.low, 1.15e6) && close(q.high, 1.25e6));
    assert!(close(one("Output hit 5.93 mln.").value, 5.93e6));
    assert_eq!(one("The fund has 100k members.").value, 1e5);
}

#[test]
fn paraphrases_extract_alike() {
    let a = one("The region has 5.6 million voters.");
    let b = one("The region has 5,600,000 voters.");
    assert!(close(a.value, b.value) && close(a.low, b.low) && close(a.high, b.high), "{a:?} {b:?}");
    assert_eq!(a.unit, b.unit);
    let a = one("Two ships sank.");
    let b = one("2 ships sank.");
    assert_eq!((a.value, a.unit.clone()), (b.value, b.unit.clone()));
    let a = one("Prices rose 3.5% in May.");
    let b = one("Prices rose 3.5 percent in May.");
    assert_eq!((a.value, a.low, a.high, a.unit.clone()), (b.value, b.low, b.high, b.unit.clone()));
    let a = one("Sales were $1.2bn last year.");
    let b = one("Sales were 1.2 billion dollars last year.");
    assert_eq!((a.value, a.low, a.high, a.unit.clone()), (b.value, b.low, b.high, b.unit.clone()));
    assert_eq!(a.unit.as_deref(), Some("usd"));
}

#[test]
fn money() {
    let t = "It raised $4bn from investors.";
    let q = one(t);
    assert_eq!((text(t, &q), q.value, q.unit.as_deref()), ("$4bn", 4e9, Some("usd")));
    let t = "Profit was 4 billion dlrs.";
    let q = one(t);
    assert_eq!((text(t, &q), q.value, q.unit.as_deref()), ("4 billion dlrs", 4e9, Some("usd")));
    assert_eq!(one("It paid 20 mln stg for it.").unit.as_deref(), Some("gbp"));
    assert_eq!(one("A ticket costs 300 yen there.").unit.as_deref(), Some("jpy"));
    assert_eq!(one("He owes US$5 to her.").unit.as_deref(), Some("usd"));
    let t = "They spent €3m on it.";
    let q = one(t);
    assert_eq!((text(t, &q), q.value, q.unit.as_deref()), ("€3m", 3e6, Some("eur")));
    assert_eq!(one("The deal is worth £2.5 million.").unit.as_deref(), Some("gbp"));
    let t = "It issued 75 mln Canadian dlrs of notes.";
    let q = one(t);
    assert_eq!((q.unit.as_deref(), q.value), (Some("cad"), 75e6));
    assert_eq!(one("The bond raised 300 mln Swiss francs.").unit.as_deref(), Some("chf"));
    assert_eq!(one("The target is 68 mln N.Z. Dlrs now.").unit.as_deref(), Some("nzd"));
    assert_eq!(one("It earned 45 cts a share.").unit.as_deref(), Some("cent"));
    assert_eq!(one("They sold 5 mln pounds of beef.").unit.as_deref(), Some("pound"));
}

#[test]
fn percent_forms() {
    for t in ["Costs rose 40 percent.", "Costs rose 40 pct.", "Costs rose 40 per cent.", "Costs rose 40%."] {
        let q = one(t);
        assert_eq!((q.kind, q.value, q.unit.as_deref()), (QuantityKind::Percent, 40.0, Some("%")), "{t}");
        assert_eq!((q.low, q.high), (39.0, 41.0), "{t}");
    }
    let t = "Rates fell 1.5 percentage points.";
    assert_eq!(text(t, &one(t)), "1.5 percentage points");
    assert_eq!(one("Unemployment hit 3.9%.").low, 3.85);
}

#[test]
fn fractions() {
    let q = one("Half of the voters stayed home.");
    assert_eq!((q.kind, q.value, q.low, q.high), (QuantityKind::Percent, 50.0, 48.0, 52.0));
    assert!(close(one("A third of the crop was lost.").value, 100.0 / 3.0));
    assert!(close(one("Two-thirds of members agreed.").value, 200.0 / 3.0));
    assert_eq!(one("A quarter of the staff quit.").value, 25.0);
    assert_eq!(one("The stock lost more than half its value.").modifier, Modifier::MoreThan);
    assert!(run("Profit rose in the second half.").iter().all(|q| q.kind != QuantityKind::Percent));
    assert_eq!(one("They hired half a million workers.").value, 5e5);
}

#[test]
fn number_words() {
    let q = one("Fourteen miners were trapped.");
    assert_eq!((q.value, q.unit.as_deref()), (14.0, Some("miner")));
    assert_eq!(one("Police held twenty-one suspects.").value, 21.0);
    assert_eq!(one("It employs ten thousand workers.").value, 10_000.0);
    assert_eq!(one("She bought a dozen eggs.").value, 12.0);
    assert_eq!(one("A hundred guests came.").value, 100.0);
    assert_eq!(one("It lasted two and a half years.").value, 2.5);
}

#[test]
fn vague_plurals_are_not_figures() {
    assert!(run("Dozens of people and hundreds of cars were there.").is_empty());
    assert!(run("Thousands marched.").is_empty());
    assert!(run("A few hundred thousand bags remain.").is_empty());
    assert!(run("Several hundred people came.").is_empty());
}

#[test]
fn one_is_conservative() {
    assert!(run("One of the men left.").is_empty());
    assert!(run("No one was hurt.").is_empty());
    assert!(run("One day they will return.").is_empty());
    assert!(run("He is the one who knows.").is_empty());
    let q = one("Only one soldier was hurt.");
    assert_eq!((q.value, q.unit.as_deref()), (1.0, Some("soldier")));
    assert_eq!(one("It marked the one-year anniversary.").unit.as_deref(), Some("year"));
    assert_eq!(one("It costs one billion dlrs.").value, 1e9);
}

#[test]
fn modifiers() {
    use Modifier::*;
    let cases = [
        ("It has about 500 staff.", Approximate, "about"),
        ("It has around 500 staff.", Approximate, "around"),
        ("It has some 500 staff.", Approximate, "some"),
        ("It has an estimated 500 staff.", Approximate, "an estimated"),
        ("It has nearly 500 staff.", Nearly, "nearly"),
        ("It has close to 500 staff.", Nearly, "close to"),
        ("It has just under 500 staff.", Nearly, "just under"),
        ("It has more than 500 staff.", MoreThan, "more than"),
        ("It has over 500 staff.", MoreThan, "over"),
        ("It has in excess of 500 staff.", MoreThan, "in excess of"),
        ("It has at least 500 staff.", AtLeast, "at least"),
        ("It has no fewer than 500 staff.", AtLeast, "no fewer than"),
        ("It has fewer than 500 staff.", LessThan, "fewer than"),
        ("It has under 500 staff.", LessThan, "under"),
        ("It has up to 500 staff.", AtMost, "up to"),
        ("It has as many as 500 staff.", AtMost, "as many as"),
        ("It has no more than 500 staff.", AtMost, "no more than"),
    ];
    for (t, m, ms) in cases {
        let q = one(t);
        assert_eq!(q.modifier, m, "{t}");
        assert_eq!(q.modifier_span.map(|s| s.slice(t)), Some(ms), "{t}");
        assert_eq!(text(t, &q), "500", "{t}");
    }
}

#[test]
fn modifier_bounds() {
    let q = one("Over 10 years it grew.");
    assert_eq!((q.modifier, q.unit.as_deref()), (Modifier::MoreThan, Some("year")));
    let q = one("It has about 94,300 staff.");
    assert!(close(q.low, 0.9 * 94300.0 - 50.0) && close(q.high, 1.1 * 94300.0 + 50.0));
    let q = one("It has nearly 200 staff.");
    assert!(close(q.low, 184.0 - 5.0) && close(q.high, 205.0));
    let q = one("It has more than 200 staff.");
    assert!(close(q.low, 195.0) && close(q.high, 285.0));
    let q = one("It has fewer than 200 staff.");
    assert!(close(q.low, 135.0) && close(q.high, 205.0));
}

#[test]
fn years() {
    let q = one("The law passed in 2014.");
    assert_eq!((q.kind, q.value, q.low, q.high, q.unit.clone()), (QuantityKind::Year, 2014.0, 2014.0, 2014.0, None));
    assert_eq!(one("Prices have risen since 1999.").kind, QuantityKind::Year);
    assert_eq!(one("It expects 1987 earnings to rise.").kind, QuantityKind::Year);
    let q = one("Police detained about 2000 protesters.");
    assert_eq!((q.kind, q.unit.as_deref()), (QuantityKind::Amount, Some("protester")));
    assert_eq!(one("Sales hit 2,014 units.").kind, QuantityKind::Amount);
    assert_eq!(one("It was built in the mid-1990s era and in mid-1987.").kind, QuantityKind::Year);
}

#[test]
fn dates() {
    let t = "The vote is on June 16.";
    let q = one(t);
    assert_eq!((q.kind, q.value, text(t, &q)), (QuantityKind::Date, 616.0, "June 16"));
    let t = "It opened on 16 June.";
    assert_eq!(one(t).value, 616.0);
    let t = "It began on June 16, 2014, in Kiev.";
    let qs = run(t);
    assert_eq!(qs.len(), 2);
    assert_eq!((qs[0].kind, qs[0].value), (QuantityKind::Date, 616.0));
    assert_eq!((qs[1].kind, qs[1].value), (QuantityKind::Year, 2014.0));
    assert!(run("It happened in January.").is_empty());
    assert_eq!(one("Trading resumes Feb. 26.").value, 226.0);
}

#[test]
fn ordinals() {
    let q = one("It was his third visit.");
    assert_eq!((q.kind, q.value, q.unit.clone()), (QuantityKind::Ordinal, 3.0, None));
    assert_eq!(one("The 21st edition opened.").value, 21.0);
    assert!(run("For the first time, it fell.").is_empty());
}

#[test]
fn codes_and_times_are_skipped() {
    assert!(run("The F-16 and the A320 flew.").is_empty());
    assert!(run("COVID-19 spread.").is_empty());
    assert!(run("They watched it in 3D.").is_empty());
    assert!(run("Call 555-1234 now.").is_empty());
    assert!(run("It was issued at 15:02:20.").is_empty());
    assert!(run("REUTER 26-FEB-1987 report.").is_empty());
    assert!(run("1. Introduction").is_empty());
    assert!(run("It grew in the 1980s.").is_empty());
    assert!(run("The meeting is at 10am.").is_empty());
}

#[test]
fn ranges() {
    let t = "It will cut between 10 and 20 jobs.";
    let q = one(t);
    assert_eq!((q.low, q.high, q.value, q.unit.as_deref()), (10.0, 20.0, 15.0, Some("job")));
    assert_eq!(text(t, &q), "10 and 20");
    let q = one("Growth of 10-20 pct is seen.");
    assert_eq!((q.low, q.high, q.kind), (10.0, 20.0, QuantityKind::Percent));
    let q = one("Growth of 10 to 20 pct is seen.");
    assert_eq!((q.low, q.high, q.unit.as_deref()), (10.0, 20.0, Some("%")));
    let q = one("Sales were booked at 1,750 to 1,780 dlrs per tonne.");
    assert_eq!((q.low, q.high, q.unit.as_deref()), (1750.0, 1780.0, Some("usd")));
}

#[test]
fn changes_are_two_figures_with_shared_unit() {
    let qs = run("Profit rose from 4.2 to 5.9 mln dlrs.");
    assert_eq!(qs.len(), 2);
    assert!(close(qs[0].value, 4.2e6) && close(qs[1].value, 5.9e6));
    assert_eq!(qs[0].unit.as_deref(), Some("usd"));
    assert_eq!(qs[1].unit.as_deref(), Some("usd"));
    let qs = run("The rate fell to 3.71 pct from 6.34 a week ago.");
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[1].unit.as_deref(), Some("%"));
    let qs = run("Output was 5.93 mln bags against 5.81 a year earlier.");
    assert!(close(qs[1].value, 5.81e6));
    assert_eq!(qs[1].unit.as_deref(), Some("bag"));
}

#[test]
fn unit_before_figure() {
    let t = "The number of Russian troops near the border is estimated at 94,300.";
    let q = one(t);
    assert_eq!((q.unit.as_deref(), q.modifier), (Some("troop"), Modifier::Approximate));
    assert_eq!(one("Rebel troops numbering 90,000 advanced.").unit.as_deref(), Some("troop"));
    assert_eq!(one("The death toll rose to 14,000.").unit.as_deref(), Some("death"));
}

#[test]
fn others_is_no_unit() {
    let qs = run("The blast killed three miners and injured 40 others.");
    assert_eq!((qs[0].unit.as_deref(), qs[1].unit.as_deref()), (Some("miner"), None));
    assert_eq!(one("About 60 others were missing.").unit, None);
}

#[test]
fn sentence_index() {
    let qs = run("It sold 5 cars. It then sold 7 trucks.");
    assert_eq!(qs.iter().map(|q| q.sentence).collect::<Vec<_>>(), vec![0, 1]);
}

#[test]
fn huge_and_weird_numbers_do_not_panic() {
    let big = format!("It has {} cats and ٣ dogs and １２ birds.", "9".repeat(400));
    let qs = run(&big);
    assert!(qs.iter().all(|q| q.value.is_finite()));
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(t in "\\PC{0,80}") {
        for q in run(&t) {
            prop_assert!(q.span.end <= t.len() && t.is_char_boundary(q.span.start) && t.is_char_boundary(q.span.end));
            prop_assert!(q.span.start < q.span.end);
            prop_assert!(q.low <= q.high);
        }
    }

    #[test]
    fn numberish_text_never_panics(t in "[0-9a-zA-Z$%,.\\- ]{0,80}") {
        for q in run(&t) {
            prop_assert!(q.span.end <= t.len() && q.span.start < q.span.end);
            prop_assert!(q.value.is_finite() && q.low <= q.high);
        }
    }
}
