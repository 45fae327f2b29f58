//! Resolution: what a mention stands for, document-wide (surnames, pronouns, roles, relatives).

use super::mentions::*;
use super::tokens::*;
use super::words::*;
use crate::claims::Speaker;
use crate::extract::entities::{canonical, entity_key, fold, is_org_word, is_particle, name_words, same_entity};
use crate::text::{Sentence, Span};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gender {
    Male,
    Female,
}

#[derive(Clone, Debug)]
pub(super) struct Named {
    pub(super) pos: usize,
    pub(super) name: String,
    pub(super) org: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Recent {
    pub(super) pos: usize,
    pub(super) entity: String,
    pub(super) org: bool,
}

#[derive(Default)]
pub(super) struct Resolver {
    /// Names of two or more words (and single words that match one), in document order.
    pub(super) names: Vec<Named>,
    /// role head ("spokesman") → (position, role words, name)
    pub(super) roles: HashMap<String, Vec<(usize, String, String)>>,
    /// folded surname → gender (`None` when people of both genders share the surname)
    pub(super) genders: HashMap<String, Option<Gender>>,
    /// folded words written capitalized somewhere other than at the start of a sentence
    pub(super) capitalized_inside: HashSet<String>,
    /// words written in lower case somewhere
    pub(super) lower_case: HashSet<u64>,
    /// speakers resolved so far, in document order
    pub(super) recent: Vec<Recent>,
    /// entity key of each full (two-word or longer) person name → indexes into `names`
    pub(super) by_key: HashMap<String, Vec<usize>>,
    /// where each sentence starts, in order
    pub(super) sentence_starts: Vec<usize>,
}

/// How many sentences before a pronoun's own are searched for the person it stands for.
const PRONOUN_SENTENCES: usize = 4;

/// The tokens of the phrase that ends with a comma right before token `k`, back to the
/// previous comma, clause end or quote.
fn comma_phrase_before(doc: &Doc, k: usize) -> Option<std::ops::Range<usize>> {
    let end = k.checked_sub(1)?;
    if !ends_with_comma(doc.word(doc.toks[end])) {
        return None;
    }
    let mut start = end;
    while start > 0 && end - start < 12 {
        let w = doc.word(doc.toks[start - 1]);
        if is_quote_tok(w) || ends_clause(w) {
            break;
        }
        start -= 1;
    }
    Some(start..end + 1)
}

/// Title case (a headline, a byline): at least three longer words, every one capitalized.
fn title_case(doc: &Doc, toks: &[Tok]) -> bool {
    let mut long = 0;
    for t in toks {
        let w = doc.word(*t);
        if w.chars().filter(|c| c.is_alphabetic()).count() >= 4 {
            if !capitalized(w) {
                return false;
            }
            long += 1;
        }
    }
    long >= 3
}

fn surname_key(name: &str) -> String {
    name_words(name).last().map(|w| fold(w).trim_matches('.').to_string()).unwrap_or_default()
}

impl Resolver {
    pub(super) fn build(doc: &Doc, blocks: &[Span], sentences: &[Sentence]) -> Resolver {
        let mut r =
            Resolver { sentence_starts: sentences.iter().map(|s| s.span.start).collect(), ..Default::default() };
        for block in blocks {
            let toks = doc.tokens(block.start, block.end);
            let unfinished = !doc
                .text
                .get(block.start..block.end)
                .unwrap_or_default()
                .trim_end()
                .ends_with(['.', '!', '?', '"', ':', '\u{201D}', '\u{2019}', ')']);
            if unfinished && title_case(doc, &toks) {
                continue; // a headline without a full stop: "Mayor Wants Lund's Promise" holds no names to learn
            }
            for t in &toks {
                let w = doc.word(*t);
                if !capitalized(w) {
                    r.lower_case.insert(bare_key(w));
                } else if !r.opens_sentence(doc, t.start) {
                    r.capitalized_inside.insert(fold(&doc.bare(*t)));
                }
            }
            let mut i = 0;
            while i < toks.len() {
                let w = doc.word(toks[i]);
                if !capitalized(w) || is_quote_tok(w) {
                    i += 1;
                    continue;
                }
                // a capitalized run, with particles inside
                let mut j = i;
                while j < toks.len() {
                    let wj = doc.word(toks[j]);
                    let ok = capitalized(wj)
                        || (j > i
                            && is_particle(&bare(wj))
                            && toks.get(j + 1).is_some_and(|t| capitalized(doc.word(*t))));
                    if !ok || is_quote_tok(wj) {
                        break;
                    }
                    j += 1;
                    if ends_clause(wj) || wj.ends_with("'s") || wj.ends_with("\u{2019}s") {
                        break;
                    }
                }
                let mut a = i;
                while a < j
                    && (CONNECTIVE_SET.contains(doc.bare(toks[a]).as_str())
                        || DETERMINER_SET.contains(doc.bare(toks[a]).as_str()))
                {
                    a += 1;
                }
                if a < j {
                    let span = tidy(doc.text, Span::new(toks[a].start, toks[j - 1].end));
                    let raw = span.slice(doc.text);
                    let words = name_words(raw);
                    // "the Lee campaign", "the Roe administration": a name that modifies an organization
                    let modifies_org =
                        toks.get(j).is_some_and(|t| !capitalized(doc.word(*t)) && is_org_word(&doc.bare(*t)));
                    let org = modifies_org || words.iter().any(|w| is_org_word(w));
                    let name = words.join(" ");
                    // honorifics give gender
                    let first = fold(doc.word(toks[a]).trim_end_matches('.'));
                    let g = match first.as_str() {
                        "mr" | "sen" if first == "mr" => Some(Gender::Male),
                        "mrs" | "ms" | "miss" => Some(Gender::Female),
                        _ => words.first().and_then(|f| gender_of_first(&fold(f))).filter(|_| words.len() >= 2),
                    };
                    if let Some(g) = g {
                        if !org {
                            r.learn_gender(&name, g);
                        }
                    }
                    // title + name: "Kremlin spokesman Dmitry Peskov", "President Jane Roe"
                    if words.len() >= 2 && !org {
                        let pre_title = toks[a..j]
                            .iter()
                            .take_while(|t| !words.first().is_some_and(|f| doc.word(**t).starts_with(f.as_str())))
                            .count();
                        if pre_title > 0 {
                            let head = doc.bare(toks[a + pre_title - 1]);
                            r.add_role(&head, raw, toks[a].start, &name);
                        } else if a > 0 || i > 0 {
                            // lowercase role words right before: "press secretary Jane Roe"
                            let k = a;
                            if k > 0 {
                                let prev = doc.word(toks[k - 1]);
                                let pb = bare(prev);
                                if !capitalized(prev)
                                    && pb.len() > 2
                                    && !ends_clause(prev)
                                    && !SUBORDINATOR_SET.contains(pb.as_str())
                                    && !DETERMINER_SET.contains(pb.as_str())
                                    && !is_speech_verb(&pb)
                                    && !WEAK_SET.contains(pb.as_str())
                                {
                                    let mut s = k - 1;
                                    while s > 0
                                        && k - s < 4
                                        && !ends_clause(doc.word(toks[s - 1]))
                                        && !is_quote_tok(doc.word(toks[s - 1]))
                                        && !DETERMINER_SET.contains(doc.bare(toks[s - 1]).as_str())
                                    {
                                        s -= 1;
                                    }
                                    let role_words: Vec<String> = toks[s..k].iter().map(|t| doc.bare(*t)).collect();
                                    r.add_role(&pb, &role_words.join(" "), toks[a].start, &name);
                                }
                            }
                        }
                    }
                    // apposition after the name: "Jane Roe, the Kremlin spokeswoman,"
                    if words.len() >= 2 && ends_with_comma(doc.word(toks[j - 1])) && !org {
                        let mut role_words = Vec::new();
                        let mut head = String::new();
                        if toks.get(j).is_some_and(|t| {
                            matches!(doc.bare(*t).as_str(), "the" | "a" | "an" | "its" | "his" | "her")
                        }) {
                            for t in toks.iter().skip(j + 1).take(8) {
                                let wt = doc.word(*t);
                                let bt = bare(wt);
                                if matches!(bt.as_str(), "of" | "at" | "for" | "who" | "with" | "in" | "from" | "and")
                                    || is_quote_tok(wt)
                                {
                                    break;
                                }
                                role_words.push(bt.clone());
                                head = bt;
                                if ends_clause(wt) {
                                    break;
                                }
                            }
                        }
                        if !head.is_empty() {
                            r.add_role(&head, &role_words.join(" "), toks[a].start, &name);
                        }
                    }
                    if !name.is_empty() {
                        let multi = words.len() >= 2 || org;
                        if multi {
                            if !org && words.len() >= 2 {
                                r.by_key.entry(entity_key(&name)).or_default().push(r.names.len());
                            }
                            r.names.push(Named { pos: toks[a].start, name, org });
                        } else if let Some(full) = r.full_before(&name, usize::MAX) {
                            r.names.push(Named { pos: toks[a].start, name: full, org: false });
                        } else if r.by_key.contains_key(&entity_key(&name)) {
                            // a surname that two people share stays bare
                            r.names.push(Named { pos: toks[a].start, name, org: false });
                        }
                    }
                }
                i = j.max(i + 1);
            }
        }
        r
    }

    fn learn_gender(&mut self, name: &str, g: Gender) {
        let seen = self.genders.entry(surname_key(name)).or_insert(Some(g));
        if *seen != Some(g) {
            *seen = None;
        }
    }

    /// Is `pos` the first word of its sentence (where every word is capitalized)?
    fn opens_sentence(&self, doc: &Doc, pos: usize) -> bool {
        let Some(&start) = self.sentence_starts.get(self.sentence_of(pos).wrapping_sub(1)) else { return true };
        doc.text.get(start..pos).is_none_or(|s| !s.chars().any(char::is_alphanumeric))
    }

    /// A one-word name whose capital only says that it opens a sentence (a word the text
    /// also writes in lower case, never capitalized inside a sentence: "Published reports
    /// put ..."), or a lone initial, is not known to be anybody.
    fn doubtful_name(&self, doc: &Doc, mention: Span, full: &str) -> bool {
        let words = name_words(full);
        let initial = words.iter().all(|w| w.trim_matches('.').chars().count() <= 1);
        let lone_opener = words.len() == 1
            && !is_org_word(&words[0])
            && self.opens_sentence(doc, mention.start)
            && !self.capitalized_inside.contains(&fold(&bare(&words[0])))
            && self.lower_case.contains(&bare_key(&words[0]));
        initial || lone_opener
    }

    fn add_role(&mut self, head: &str, role: &str, pos: usize, name: &str) {
        let head = fold(head.trim_end_matches(['.', ',']));
        if head.is_empty() || head.chars().count() < 3 {
            return;
        }
        self.roles.entry(head).or_default().push((pos, fold(role), name.to_string()));
    }

    /// The latest full person name at or before `pos` that `name` can stand for.
    /// None when the name fits two people ("Clinton" after both Bill and Hillary Clinton).
    fn full_before(&self, name: &str, pos: usize) -> Option<String> {
        let list = self.by_key.get(&entity_key(name))?;
        let mut fitting = list.iter().map(|&i| &self.names[i]).filter(|n| same_entity(&n.name, name));
        let first = fitting.next()?;
        if fitting.any(|n| !same_entity(&n.name, &first.name)) {
            return None;
        }
        list.iter()
            .rev()
            .map(|&i| &self.names[i])
            .filter(|n| n.pos <= pos)
            .find(|n| same_entity(&n.name, name))
            .map(|n| n.name.clone())
    }

    /// A given name says more than a surname, which relatives of either gender share.
    fn gender_of(&self, entity: &str) -> Option<Gender> {
        let words = name_words(entity);
        let given = words.first().filter(|_| words.len() >= 2).and_then(|f| gender_of_first(&fold(f)));
        given.or_else(|| self.genders.get(&surname_key(entity)).copied().flatten())
    }

    /// The full name a name mention stands for ("Peskov" → "Dmitry Peskov").
    fn full_name(&self, mention: &str, pos: usize) -> String {
        let c = canonical(mention);
        let c = if c.is_empty() { mention.trim().to_string() } else { c };
        if name_words(&c).len() >= 2 {
            return c;
        }
        self.full_before(&c, pos).or_else(|| self.full_before(&c, usize::MAX)).unwrap_or(c)
    }

    pub(super) fn resolve(&mut self, doc: &Doc, m: Mention) -> Speaker {
        let text = m.span.slice(doc.text).to_string();
        let pos = m.span.start;
        let (entity, unresolved, org) = match m.kind {
            Kind::Name => {
                let full = self.full_name(&text, pos);
                let org = name_words(&full).iter().any(|w| is_org_word(w));
                if self.doubtful_name(doc, m.span, &full) {
                    (text.clone(), true, org)
                } else {
                    (full, false, org)
                }
            }
            Kind::Pronoun => {
                let p = fold(&text);
                match p.as_str() {
                    "he" | "she" => {
                        let want = if p == "he" { Gender::Male } else { Gender::Female };
                        match self.pronoun(doc, pos, want) {
                            Some(e) => {
                                self.genders.entry(surname_key(&e)).or_insert(Some(want));
                                (e, false, false)
                            }
                            None => (text.clone(), true, false),
                        }
                    }
                    // "it said": which company is meant is not settled well enough to warn on
                    _ => (text.clone(), true, false),
                }
            }
            Kind::Relative => match self.antecedent(doc, pos, fold(&text) == "who") {
                Some(name) => {
                    let org = name_words(&name).iter().any(|w| is_org_word(w));
                    (name, false, org)
                }
                None => (text.clone(), true, false),
            },
            Kind::Nominal => self.nominal(&text, pos),
        };
        if !unresolved {
            self.recent.push(Recent { pos, entity: entity.clone(), org });
        }
        Speaker { span: m.span, text, entity, unresolved }
    }

    fn sentence_of(&self, pos: usize) -> usize {
        self.sentence_starts.partition_point(|&s| s <= pos)
    }

    /// The person a pronoun stands for: the sentences before it are searched nearest first,
    /// and the first that names people of a compatible gender must name exactly one of
    /// them, or have one of them as its subject; otherwise the pronoun stays unresolved.
    fn pronoun(&self, doc: &Doc, pos: usize, want: Gender) -> Option<String> {
        let here = self.sentence_of(pos).checked_sub(1)?;
        // The pronoun's own sentence is read with the one before: in "Of the moderator, Lee
        // Holt, he said", a name in an opening phrase is seldom the speaker.
        for si in (here.saturating_sub(PRONOUN_SENTENCES)..here.max(1)).rev() {
            let (people, unknown) = self.people_between(self.sentence_starts[si], pos, want);
            match (people.len(), unknown.len()) {
                (0, 0) => continue,
                (1, 0) => return people.into_iter().next(),
                _ => {
                    let all: Vec<String> = people.iter().chain(&unknown).cloned().collect();
                    return self.subject_among(doc, si, &all);
                }
            }
        }
        None
    }

    /// People of a gender compatible with `want` named or speaking in `from..to`, and people
    /// of unknown gender named there, one entry each. A speaker of unknown gender is taken as
    /// compatible; a name only when its gender is known ("Pell Grants" may be nobody).
    fn people_between(&self, from: usize, to: usize, want: Gender) -> (Vec<String>, Vec<String>) {
        let mut people: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let add = |list: &mut Vec<String>, name: &String| {
            if !list.iter().any(|p| same_entity(p, name)) {
                list.push(name.clone());
            }
        };
        for r in self.recent.iter().filter(|r| !r.org && (from..to).contains(&r.pos)) {
            if self.gender_of(&r.entity).is_none_or(|g| g == want) {
                add(&mut people, &r.entity);
            }
        }
        for n in self.names.iter().filter(|n| !n.org && (from..to).contains(&n.pos)) {
            match self.gendered(&n.name, want) {
                Some((name, g)) if g == want => add(&mut people, &name),
                Some(_) => {}
                None if !people.iter().any(|p| same_entity(p, &n.name)) => add(&mut unknown, &n.name),
                None => {}
            }
        }
        (people, unknown)
    }

    /// A name with its gender; a bare surname of a family ("Clinton") is the one member of
    /// the gender wanted.
    fn gendered(&self, name: &str, want: Gender) -> Option<(String, Gender)> {
        if let Some(g) = self.gender_of(name) {
            return Some((name.to_string(), g));
        }
        if name_words(name).len() != 1 {
            return None;
        }
        let list = self.by_key.get(&entity_key(name))?;
        let mut family = list.iter().map(|&i| &self.names[i].name).filter(|n| same_entity(n, name));
        let mut member: Option<&String> = None;
        for n in family.by_ref() {
            if self.gender_of(n) == Some(want) {
                if member.is_some_and(|m| !same_entity(m, n)) {
                    return None;
                }
                member = Some(n);
            }
        }
        member.map(|m| (m.clone(), want))
    }

    /// The one of `people` that is the subject of sentence `si` ("Lee was asked whether Roe ...").
    fn subject_among(&self, doc: &Doc, si: usize, people: &[String]) -> Option<String> {
        let from = self.sentence_starts[si];
        let to = self.sentence_starts.get(si + 1).copied().unwrap_or(doc.text.len());
        // the opening clause (clause_subject reads on from the last quote or full stop it is given)
        let toks = doc.tokens(from, to);
        let open = toks
            .iter()
            .position(|t| is_quote_tok(doc.word(*t)) || (ends_clause(doc.word(*t)) && !ends_with_comma(doc.word(*t))))
            .unwrap_or(toks.len());
        let subject = match clause_subject(doc, &toks[..open]) {
            Some(m) if m.kind == Kind::Name => self.full_name(m.span.slice(doc.text), m.span.start),
            Some(m) => self.recent.iter().find(|r| r.pos == m.span.start)?.entity.clone(),
            // a sentence that opens with a quote: its speaker
            None => self.recent.iter().find(|r| (from..to).contains(&r.pos))?.entity.clone(),
        };
        people.iter().find(|p| same_entity(p, &subject)).cloned()
    }

    /// What a relative pronoun at `pos` stands for: the name right before its comma, or, after
    /// an apposition ("Jane Roe, the mayor, who said"), the name the apposition describes.
    fn antecedent(&self, doc: &Doc, pos: usize, person: bool) -> Option<String> {
        let k = doc.toks.partition_point(|t| t.end <= pos);
        let phrase = comma_phrase_before(doc, k)?;
        let first = doc.word(doc.toks[phrase.start]);
        let describes =
            !capitalized(first) || (person && DETERMINER_SET.contains(doc.bare(doc.toks[phrase.start]).as_str()));
        let phrase = if describes { comma_phrase_before(doc, phrase.start)? } else { phrase };
        let toks = &doc.toks[phrase];
        let run =
            toks.iter().rposition(|t| !capitalized(doc.word(*t)) && !is_particle(&doc.bare(*t))).map_or(0, |p| p + 1);
        let m = mention_from(doc, toks.get(run..).filter(|r| !r.is_empty())?)?;
        let name = self.full_name(m.span.slice(doc.text), m.span.start);
        let org = name_words(&name).iter().any(|w| is_org_word(w));
        (m.kind == Kind::Name && !(person && org)).then_some(name)
    }

    fn nominal(&self, text: &str, pos: usize) -> (String, bool, bool) {
        let words: Vec<String> = text.split_whitespace().map(|w| fold(&bare(w))).filter(|w| !w.is_empty()).collect();
        let Some(head) = words.last().cloned() else { return (text.to_string(), true, false) };
        if let Some(list) = self.roles.get(&head) {
            let mods: Vec<&String> =
                words.iter().filter(|w| !DETERMINER_SET.contains(w.as_str()) && **w != head).collect();
            let fits = |role: &str| mods.iter().all(|m| role.contains(m.as_str()));
            // "the Democratic nominee" is not whoever was last called a nominee
            if let Some((_, _, name)) = list.iter().rev().filter(|(p, _, _)| *p <= pos).find(|(_, r, _)| fits(r)) {
                return (name.clone(), false, false);
            }
        }
        // "the company said": which company is not settled well enough to warn on
        (text.to_string(), true, false)
    }
}

fn gender_of_first(first: &str) -> Option<Gender> {
    if MALE_SET.contains(first) {
        Some(Gender::Male)
    } else if FEMALE_SET.contains(first) {
        Some(Gender::Female)
    } else {
        None
    }
}
