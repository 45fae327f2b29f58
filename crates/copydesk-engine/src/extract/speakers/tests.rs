//! Attribution tests: invented sentences, one behaviour each.

use super::tokens::{tokenize, Doc};
use crate::markdown::TextFormat;

fn run(t: &str) -> crate::Analysis {
    crate::analyze(t, TextFormat::Plain)
}

/// (quote text, speaker mention, speaker entity)
fn speakers(t: &str) -> Vec<(String, Option<String>, Option<String>)> {
    run(t)
        .quotes
        .into_iter()
        .map(|q| {
            (
                q.span.slice(t).to_string(),
                q.speaker.as_ref().map(|s| s.span.slice(t).to_string()),
                q.speaker.as_ref().map(|s| s.entity.clone()),
            )
        })
        .collect()
}

fn who(t: &str) -> Vec<Option<String>> {
    speakers(t).into_iter().map(|s| s.2).collect()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn quote_then_name_said() {
    let t = "Marta Ilves runs the harbour office.\n\n\u{201C}The ferries will run on Sunday,\u{201D} Ilves said.";
    let s = speakers(t);
    assert_eq!(s[0].1, some("Ilves"));
    assert_eq!(s[0].2, some("Marta Ilves"));
}

#[test]
fn said_name_title() {
    let t = "\"We expect delays,\" said Tomas Berg, the port director of the city.";
    assert_eq!(speakers(t)[0].1, some("Tomas Berg"));
    assert_eq!(who(t), vec![some("Tomas Berg")]);
}

#[test]
fn name_said_colon() {
    let t = "Port director Tomas Berg said: \u{201C}We expect delays.\u{201D}";
    assert_eq!(who(t), vec![some("Tomas Berg")]);
    let t = "Tomas Berg told reporters, \"Nothing is settled.\"";
    assert_eq!(who(t), vec![some("Tomas Berg")]);
}

#[test]
fn title_with_of_before_the_name() {
    let t = "Secretary of State Ines Varga said the talks had gone \u{201C}very well.\u{201D}";
    assert_eq!(speakers(t)[0].1, some("Ines Varga"));
    let t = "\u{201C}The trains will run,\u{201D} said Minister of Transport Ines Varga.";
    assert_eq!(speakers(t)[0].1, some("Ines Varga"));
    // a plain "of" after the name still ends it
    let t = "\u{201C}The trains will run,\u{201D} said Ines Varga of the transport ministry.";
    assert_eq!(speakers(t)[0].1, some("Ines Varga"));
}

#[test]
fn a_condition_inside_a_reported_clause_keeps_the_speaker() {
    let t = "Deputy Mayor Ines Varga told the council that if the strike went ahead, the city would \
             respond with \u{201C}emergency timetables.\u{201D}";
    assert_eq!(who(t), vec![some("Ines Varga")]);
}

#[test]
fn pronoun_resolution_with_gender() {
    let t = "Anna Kowalski met Peter Lind on Monday.\n\n\u{201C}The talks went well,\u{201D} she said.\n\n\u{201C}We will meet again,\u{201D} he said.";
    let s = speakers(t);
    assert_eq!(s[0].1, some("she"));
    assert_eq!(s[0].2, some("Anna Kowalski"));
    assert_eq!(s[1].2, some("Peter Lind"));
}

#[test]
fn pronoun_skips_people_named_in_the_speakers_own_sentence() {
    let t = "Harbour Master Jonas Berg was asked whether the council had offered \u{201C}any kind of \
             money\u{201D} to Peter Lund.\n\nHe said the council had \u{201C}offered nothing at all.\u{201D}";
    assert_eq!(who(t)[1], some("Harbour Master Jonas Berg"));
    // named in a sentence of their own after the speaker, they are meant
    let t = "\u{201C}We sail at noon,\u{201D} Jonas Berg said.\n\nPeter Lund arrived an hour later.\n\n\
             \u{201C}Nobody told me,\u{201D} he said.";
    assert_eq!(who(t), vec![some("Jonas Berg"), some("Peter Lund")]);
}

#[test]
fn pronoun_takes_the_subject_of_the_sentence_before_when_it_names_several() {
    let t = "When he spoke to reporters in Oslo about the budget, Finance Minister Tor Holm was asked \
             if Lars Berg had offered \u{201C}any relief\u{201D} to farmers.\n\n\
             He said Berg had \u{201C}offered nothing at all to anyone.\u{201D}";
    assert_eq!(who(t), vec![None, some("Tor Holm")]);
}

#[test]
fn headlines_are_not_names() {
    let t =
        "Mayor Wants Lund\u{2019}s Written Promise on Harbour Fees\n\nThe council met President Lund on Monday.\n\n\
             \u{201C}We need it in writing,\u{201D} Lund said.";
    assert_eq!(who(t), vec![some("Lund")]);
}

#[test]
fn no_speaker_after_a_preposition() {
    let t = "Lund, asked about Berg\u{2019}s \u{201C}harbour plan,\u{201D} replied, \u{201C}We will see.\u{201D}";
    assert!(who(t).iter().all(|w| w.as_deref() != Some("Berg")), "{:?}", who(t));
}

#[test]
fn pronoun_follows_previous_speaker() {
    let t = "\u{201C}Prices will fall,\u{201D} Mr. Okafor said.\n\nMarkets rose.\n\n\u{201C}I was right,\u{201D} he said later.";
    assert_eq!(who(t), vec![some("Okafor"), some("Okafor")]);
}

#[test]
fn unresolved_pronoun() {
    let t = "\u{201C}It is over,\u{201D} they said.";
    let q = &run(t).quotes[0];
    let s = q.speaker.as_ref().unwrap();
    assert!(s.unresolved);
    assert_eq!(s.entity, "they");
}

#[test]
fn continuation_paragraph() {
    let t = "\u{201C}We tried everything,\u{201D} said coach Lena Park.\n\n\u{201C}Next season we will be ready. The team knows it.\u{201D}\n\nThe club declined to comment.";
    assert_eq!(who(t), vec![some("Lena Park"), some("Lena Park")]);
}

#[test]
fn multi_paragraph_quote() {
    let t = "Ravi Menon said:\n\n\u{201C}The river rose overnight.\n\n\u{201C}By morning the road was gone.\u{201D}";
    assert_eq!(who(t), vec![some("Ravi Menon"), some("Ravi Menon")]);
}

#[test]
fn second_quote_in_paragraph() {
    let t = "\u{201C}It was close,\u{201D} said Hugo Brandt. \u{201C}Too close.\u{201D}";
    let s = speakers(t);
    assert_eq!(s[1].1, some("Hugo Brandt"));
}

#[test]
fn an_organization_of_a_place_is_one_name() {
    // "X of Y" without a title before it names one organization (its suffixes are no part of
    // its name as an entity: "Co Inc" is no speaker); after a
    // title the last two words are the person ("Secretary of State Antony Blinken").
    let t = "\u{201C}Demand is strong,\u{201D} Bank of Eastport Co Inc said in a statement.";
    assert_eq!(who(t), vec![some("Bank of Eastport")]);
    let t = "\u{201C}The talks went well,\u{201D} Secretary of State Mara Quint said.";
    assert_eq!(who(t), vec![some("Mara Quint")]);
}

#[test]
fn surname_resolves_to_full_name() {
    let t =
        "Kremlin aide Ivan Sorokin spoke on Tuesday.\n\n\u{201C}Nothing has changed,\u{201D} Sorokin told reporters.";
    assert_eq!(who(t), vec![some("Ivan Sorokin")]);
}

#[test]
fn role_resolves_through_title() {
    let t = "Fisheries Minister Ola Dahl visited the coast.\n\n\u{201C}The quota stays,\u{201D} the minister said.";
    assert_eq!(who(t), vec![some("Ola Dahl")]);
    let t =
        "Ola Dahl, the fisheries minister, visited the coast.\n\n\u{201C}The quota stays,\u{201D} the minister said.";
    assert_eq!(who(t), vec![some("Ola Dahl")]);
}

#[test]
fn organizations_speak() {
    let t = "\u{201C}The ban is unlawful,\u{201D} the Kremlin said.";
    assert_eq!(who(t), vec![some("Kremlin")]);
    let t = "The Daily Courier reported that \u{201C}two ministers resigned.\u{201D}";
    assert_eq!(speakers(t)[0].1, some("The Daily Courier"));
}

#[test]
fn according_to() {
    let t = "According to Maria Costa, the budget is \u{201C}simply not enough.\u{201D}";
    assert_eq!(who(t), vec![some("Maria Costa")]);
    let a = &run(t).attributions[0];
    assert_eq!(a.speaker.entity, "Maria Costa");
    assert!(a.content.slice(t).starts_with("the budget"));
}

#[test]
fn reported_speech() {
    let t = "Maria Costa said that the budget would rise by a tenth.";
    let a = &run(t).attributions[0];
    assert_eq!(a.content.slice(t), "the budget would rise by a tenth");
    assert_eq!(a.cue.slice(t), "said");
    let t = "The budget will rise, the finance ministry said.";
    let a = &run(t).attributions[0];
    assert_eq!(a.content.slice(t), "The budget will rise");
    assert_eq!(a.speaker.text, "the finance ministry");
    let t = "Jan Novak warned that prices would climb.";
    let a = &run(t).attributions[0];
    assert_eq!(a.content.slice(t), "prices would climb");
    let t = "Jan Novak told reporters the plan was dead.";
    let a = &run(t).attributions[0];
    assert_eq!(a.cue.slice(t), "told reporters");
    assert_eq!(a.content.slice(t), "the plan was dead");
}

#[test]
fn apposition_before_verb() {
    let t = "\u{201C}Rates stay low,\u{201D} Ann Voss, an economist at a bank, told the paper.";
    assert_eq!(speakers(t)[0].1, some("Ann Voss"));
}

#[test]
fn title_of_organization_then_name() {
    let t = "Secretary of Commerce Dana Whitfield said the mill had made \"no promises at all to anyone.\"\n";
    assert_eq!(who(t), vec![Some("Dana Whitfield".to_string())]);
}

#[test]
fn partial_quote_speaker() {
    let t = "Lars Holm called the proposal \u{201C}a dead end\u{201D} on Friday.";
    assert_eq!(who(t), vec![some("Lars Holm")]);
}

#[test]
fn no_speaker_when_nothing_attributes() {
    let t = "The film \u{201C}Northern Lights\u{201D} opened in May.";
    assert_eq!(who(t), vec![None]);
}

#[test]
fn wrote_in_a_post() {
    let t = "\u{201C}See you in court,\u{201D} Dana Reyes wrote in a post on Sunday.";
    assert_eq!(who(t), vec![some("Dana Reyes")]);
}

#[test]
fn garbage_never_panics() {
    for t in [
        "\u{201C},\u{201D} said",
        "said \u{201C}",
        "\u{201D} he said \u{201C}",
        ", said , , said",
        "according to",
        "\"\" said \"\"",
        "He said: ",
        "\u{201C}x\u{201D} \u{2015}",
    ] {
        let _ = run(t);
    }
}

proptest::proptest! {
    #[test]
    fn spans_are_char_boundaries(t in "[A-Za-z .,:\n\"\u{201C}\u{201D}\u{2019}é]{0,60}( said| he said| according to)?[A-Za-z .\"]{0,20}") {
        let a = run(&t);
        for q in &a.quotes {
            if let Some(s) = &q.speaker {
                proptest::prop_assert!(s.span.end <= t.len() && t.is_char_boundary(s.span.start) && t.is_char_boundary(s.span.end));
            }
        }
        for at in &a.attributions {
            for s in [at.content, at.cue, at.speaker.span] {
                proptest::prop_assert!(s.end <= t.len() && s.start <= s.end && t.is_char_boundary(s.start) && t.is_char_boundary(s.end));
            }
        }
    }

    /// A range of the words found once is what scanning the range itself finds.
    #[test]
    fn token_ranges_match_a_fresh_scan(t in "[ab \u{7}\u{a0}\u{e9}\n]{0,40}", a in 0usize..48, b in 0usize..48) {
        let doc = Doc::new("", &t);
        let got: Vec<(usize, usize)> = doc.tokens(a, b).iter().map(|k| (k.start, k.end)).collect();
        let want: Vec<(usize, usize)> = tokenize(&t, a, b).iter().map(|k| (k.start, k.end)).collect();
        proptest::prop_assert_eq!(got, want);
    }

    /// The words of a stretch scanned on its own (the blocks an edit reads again) are the
    /// whole frame's there, each word's bare form included, and a read inside it does not overflow.
    #[test]
    fn a_stretch_scanned_alone_has_the_whole_frames_words(t in "[aB ,\u{7}\u{a0}\u{e9}\n]{0,40}", c in 0usize..48, d in 0usize..48, a in 0usize..48, b in 0usize..48) {
        let floor = |mut i: usize| { i = i.min(t.len()); while !t.is_char_boundary(i) { i -= 1; } i };
        let (c, d) = (floor(c.min(d)), floor(c.max(d)));
        let (a, b) = (floor(a).clamp(c, d), floor(b).clamp(c, d));
        let whole = Doc::new("", &t);
        let part = Doc::over("", &t, crate::text::Span::new(c, d));
        let words = |doc: &Doc| doc.tokens(a, b).iter().map(|k| (k.start, k.end, doc.bare(*k).into_owned())).collect::<Vec<_>>();
        proptest::prop_assert_eq!(words(&part), words(&whole));
        proptest::prop_assert!(!part.overflowed());
    }
}

#[test]
fn an_empty_range_inside_a_word_has_no_words() {
    let doc = Doc::new("", " \u{e9}\u{7}\u{7}\u{7}\u{7}");
    assert!(doc.tokens(4, 4).is_empty());
    assert_eq!(doc.tokens(4, 5).iter().map(|k| (k.start, k.end)).collect::<Vec<_>>(), vec![(4, 5)]);
}

/// (entity, resolved) of each reported-speech attribution.
fn reporters(t: &str) -> Vec<(String, bool)> {
    run(t).attributions.into_iter().map(|a| (a.speaker.entity, !a.speaker.unresolved)).collect()
}

fn resolved_reporters(t: &str) -> Vec<String> {
    reporters(t).into_iter().filter(|r| r.1).map(|r| r.0).collect()
}

#[test]
fn focus_words_and_coordinations_name_nobody() {
    let t = "Only 40 percent of the dock workers said the new rota was fair to everyone involved.";
    assert!(resolved_reporters(t).is_empty(), "{:?}", reporters(t));
    let t = "Neither Holm nor Berg said the ferry contract had been signed before the summer.";
    assert!(resolved_reporters(t).is_empty(), "{:?}", reporters(t));
}

#[test]
fn capitalized_words_before_a_common_noun_are_a_group() {
    let t = "Shipping analysts said the harbour would lose its biggest customer next year.";
    assert!(resolved_reporters(t).is_empty(), "{:?}", reporters(t));
}

#[test]
fn a_word_capitalized_only_at_the_start_of_a_sentence_is_no_name() {
    let t = "The tender was published on Monday. Published estimates said the bridge would cost far more.";
    assert!(resolved_reporters(t).is_empty(), "{:?}", reporters(t));
    // a surname never written in lower case is a name even where it opens a sentence
    let t = "Holm said the bridge would cost far more than the council had planned for.";
    assert_eq!(resolved_reporters(t), vec!["Holm".to_string()]);
    let t = "The report came from T and R. T said the bridge would cost far more than planned.";
    assert!(resolved_reporters(t).is_empty(), "{:?}", reporters(t));
}

#[test]
fn a_pronoun_with_two_candidates_and_no_subject_among_them_stays_unresolved() {
    let t = "After the vote the council thanked Peter Lund and Jonas Berg.\n\n\
             \u{201C}We did what we could for the harbour,\u{201D} he said.";
    assert_eq!(who(t), vec![some("he")]);
    assert!(run(t).quotes[0].speaker.as_ref().is_some_and(|s| s.unresolved));
}

#[test]
fn a_name_in_the_pronouns_own_opening_phrase_is_not_taken_alone() {
    let t = "\u{201C}The budget is a fraud,\u{201D} Peter Lund told the radio.\n\n\
             Of the chairman, Jonas Berg, he said, \u{201C}He has never once read the accounts.\u{201D}";
    assert_eq!(who(t)[1], some("Peter Lund"));
}

#[test]
fn a_name_of_unknown_gender_is_no_candidate_for_he_alone() {
    let t = "Funding went to Harbour Grants last spring.\n\n\u{201C}We need another round soon,\u{201D} she said.";
    assert!(run(t).quotes[0].speaker.as_ref().is_some_and(|s| s.unresolved), "{:?}", who(t));
}

#[test]
fn a_shared_surname_is_read_with_the_pronouns_gender() {
    let t = "Anna Lund and Peter Lund ran the yard for decades.\n\nLund retired in May.\n\n\
             \u{201C}I miss the noise of the cranes,\u{201D} she said.";
    assert_eq!(who(t), vec![some("Anna Lund")]);
    // a bare shared surname is not one of them in particular
    let t = "Anna Lund and Peter Lund ran the yard.\n\n\u{201C}We sold it at a loss,\u{201D} Lund said.";
    assert_eq!(who(t), vec![some("Lund")]);
}

#[test]
fn who_stands_for_the_name_before_its_apposition() {
    let t = "\u{201C}The port is full,\u{201D} said Jonas Berg, head of the Harbour Board, who argued \
             that ships must \u{201C}wait their turn like everyone else.\u{201D}";
    assert_eq!(who(t), vec![some("Jonas Berg"), some("Jonas Berg")]);
}

#[test]
fn it_and_the_company_are_not_settled_speakers() {
    let t = "Nordic Freight Inc said profits rose. It said costs would fall next year as well.\n\n\
             The company said it would hire more drivers.";
    assert_eq!(reporters(t).iter().filter(|r| r.1).count(), 1, "{:?}", reporters(t));
}

#[test]
fn a_role_with_other_modifiers_is_not_whoever_last_held_the_head_word() {
    let t = "Republican nominee Jane Roe spoke first. The Democratic nominee said the plan would fail.";
    assert!(resolved_reporters(t).is_empty(), "{:?}", reporters(t));
}

#[test]
fn asked_and_will_announce_report_nothing() {
    let t = "Harbour Master Jonas Berg was asked whether the fees would rise next year.";
    assert!(reporters(t).is_empty(), "{:?}", reporters(t));
    let t = "Nordic Freight Inc will announce a large order for new trucks on Monday.";
    assert!(reporters(t).is_empty(), "{:?}", reporters(t));
}

#[test]
fn said_in_an_interview_is_not_what_was_said() {
    let t = "Prices will ease soon, Jonas Berg said in an interview at the trade fair.";
    let a = &run(t).attributions[0];
    assert_eq!(a.content.slice(t), "Prices will ease soon");
    // role words before the name belong to the subject, not to the claim
    let t = "Prices will ease soon, transport official Jonas Berg said in an interview.";
    let a = &run(t).attributions[0];
    assert_eq!(a.content.slice(t), "Prices will ease soon");
}

#[test]
fn a_name_before_an_organization_word_is_no_person() {
    let t = "The Anna Lund campaign raised money fast.\n\n\u{201C}We are winning,\u{201D} she said.";
    assert!(run(t).quotes[0].speaker.as_ref().is_some_and(|s| s.unresolved), "{:?}", who(t));
}

#[test]
fn appositions_that_open_with_a_possessive() {
    let t = "Jane Roe, Lund\u{2019}s press secretary, said Lund \u{201C}never saw the letter at all.\u{201D}";
    assert_eq!(who(t), vec![some("Jane Roe")]);
    assert_eq!(resolved_reporters(t), vec!["Jane Roe".to_string()]);
}

#[test]
fn a_possessive_phrase_that_ends_in_a_name_is_that_name() {
    let t = "Lund\u{2019}s campaign manager Jane Roe said as much, arguing that Berg \u{201C}broke every \
             promise he made.\u{201D}";
    assert_eq!(who(t), vec![some("Jane Roe")]);
}

#[test]
fn but_that_continues_the_same_report() {
    let t = "Jonas Berg said he wanted the tapes out but that \u{201C}the timing is the question.\u{201D}";
    assert_eq!(who(t), vec![some("Jonas Berg")]);
}

#[test]
fn a_retort_after_a_quote_is_a_cue() {
    let t = "\u{201C}Nobody asked the harbour board anything,\u{201D} Jonas Berg shot back.";
    assert_eq!(who(t), vec![some("Jonas Berg")]);
}

#[test]
fn said_at_least_begins_what_was_said() {
    let t = "Jonas Berg said at least 40 boats had not come back to the harbour.";
    let a = &run(t).attributions[0];
    assert_eq!(a.content.slice(t), "at least 40 boats had not come back to the harbour");
    assert_eq!(reporters(t).len(), 1);
}

#[test]
fn a_name_in_apposition_to_a_role_is_the_speaker() {
    let t = "The harbour master, Marta Ilves, said: \u{201C}The ferries will run on Sunday.\u{201D}";
    assert_eq!(who(t), vec![some("Marta Ilves")]);
    let t = "\u{201C}The ferries will run on Sunday,\u{201D} the harbour master, Marta Ilves, said.";
    assert_eq!(who(t), vec![some("Marta Ilves")]);
    let t = "Her spokesman, Tom Hale, said the plan \u{201C}will be revised before the vote in March.\u{201D}";
    assert_eq!(who(t), vec![some("Tom Hale")]);
    // Two names between commas are a list, not a role and its holder.
    let t = "Ilves, Hale, said the plan \u{201C}will be revised before the vote in March.\u{201D}";
    assert_ne!(who(t), vec![some("Hale")]);
}
