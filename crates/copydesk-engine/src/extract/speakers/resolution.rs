//! Resolution: what a mention stands for, document-wide (surnames, pronouns, roles, relatives),
//! read against the name tables ([`NameTables`]) and the speakers resolved before it. Reads
//! no words: what a mention needs of the text (the antecedent a relative pronoun's commas
//! give, each sentence's opening subject) was read with the mention ([`super::reading`]).

use super::known::Gender;
use super::mentions::*;
use super::reading::ReadMention;
use super::tables::{folded_key, NameTables, SentenceStarts};
use super::tokens::*;
use super::words::*;
use crate::claims::Speaker;
use crate::extract::entities::{fold, is_org_word, same_entity};
use crate::text::Span;

#[derive(Clone, Debug)]
pub(super) struct Recent {
    pub(super) pos: usize,
    pub(super) entity: String,
    pub(super) org: bool,
}

pub(super) struct Resolver<'a> {
    pub(super) tables: NameTables<'a>,
    /// The masked text.
    text: &'a str,
    starts: &'a SentenceStarts,
    /// The subject that opens each sentence ([`clause_subject`] of its opening clause).
    subjects: Vec<Option<Mention>>,
    /// speakers resolved so far, in document order
    pub(super) recent: Vec<Recent>,
}

/// How many sentences before a pronoun's own are searched for the person it stands for.
const PRONOUN_SENTENCES: usize = 4;

impl<'a> Resolver<'a> {
    pub(super) fn new(
        tables: NameTables<'a>,
        text: &'a str,
        starts: &'a SentenceStarts,
        subjects: Vec<Option<Mention>>,
    ) -> Self {
        Resolver { tables, text, starts, subjects, recent: Vec::new() }
    }

    /// A one-word name whose capital only says that it opens a sentence (a word the text
    /// also writes in lower case, never capitalized inside a sentence: "Published reports
    /// put ..."), or a lone initial, is not known to be anybody.
    fn doubtful_name(&self, mention: Span, full: &str) -> bool {
        let words = &self.tables.known.get(full).words;
        let initial = words.iter().all(|w| w.trim_matches('.').chars().count() <= 1);
        let lone_opener = words.len() == 1
            && !is_org_word(&words[0])
            && self.starts.opens_sentence(mention.start)
            && !self.tables.capitalized_inside.contains(&folded_key(&words[0]))
            && self.tables.lower_case.contains(&bare_key(&words[0]));
        initial || lone_opener
    }

    /// A given name says more than a surname, which relatives of either gender share.
    fn gender_of(&self, entity: &str) -> Option<Gender> {
        let facts = self.tables.known.get(entity);
        facts.given.or_else(|| self.tables.genders.get(&facts.surname).copied().flatten())
    }

    /// The full name a name mention stands for ("Peskov" → "Dmitry Peskov").
    fn full_name(&self, mention: &str, pos: usize) -> String {
        let c = self.tables.known.get(mention).words.join(" ");
        let c = if c.is_empty() { mention.trim().to_string() } else { c };
        if self.tables.known.get(&c).words.len() >= 2 {
            return c;
        }
        self.tables.full_before(&c, pos).or_else(|| self.tables.full_before(&c, usize::MAX)).unwrap_or(c)
    }

    pub(super) fn resolve(&mut self, read: &ReadMention) -> Speaker {
        let m = read.mention;
        let text = m.span.slice(self.text).to_string();
        let pos = m.span.start;
        let (entity, unresolved, org) = match m.kind {
            Kind::Name => {
                let full = self.full_name(&text, pos);
                let org = self.tables.known.get(&full).org;
                if self.doubtful_name(m.span, &full) {
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
                        match self.pronoun(pos, want) {
                            Some(e) => {
                                self.tables
                                    .genders
                                    .entry(self.tables.known.get(&e).surname.clone())
                                    .or_insert(Some(want));
                                (e, false, false)
                            }
                            None => (text.clone(), true, false),
                        }
                    }
                    // "it said": which company is meant is not settled well enough to warn on
                    _ => (text.clone(), true, false),
                }
            }
            Kind::Relative => match self.antecedent(read.antecedent, fold(&text) == "who") {
                Some(name) => {
                    let org = self.tables.known.get(&name).org;
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

    /// The person a pronoun stands for: the sentences before it are searched nearest first,
    /// and the first that names people of a compatible gender must name exactly one of
    /// them, or have one of them as its subject; otherwise the pronoun stays unresolved.
    fn pronoun(&self, pos: usize, want: Gender) -> Option<String> {
        let here = self.starts.sentence_of(pos).checked_sub(1)?;
        // The pronoun's own sentence is read with the one before: in "Of the moderator, Lee
        // Holt, he said", a name in an opening phrase is seldom the speaker.
        for si in (here.saturating_sub(PRONOUN_SENTENCES)..here.max(1)).rev() {
            let (people, unknown) = self.people_between(self.starts.starts[si], pos, want);
            match (people.len(), unknown.len()) {
                (0, 0) => continue,
                (1, 0) => return people.into_iter().next(),
                _ => {
                    let all: Vec<String> = people.iter().chain(&unknown).cloned().collect();
                    return self.subject_among(si, &all);
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
        for n in self.tables.names.iter().filter(|n| !n.org && (from..to).contains(&n.pos)) {
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
        let name = self.tables.known.get(name);
        if name.words.len() != 1 {
            return None;
        }
        let family = self.tables.by_key.get(&name.key)?;
        let fits = family.fitting(&name.entity);
        let wanted: Vec<bool> =
            family.names.iter().zip(fits).map(|(n, f)| f && self.gender_of(&n.name) == Some(want)).collect();
        let mut member: Option<usize> = None;
        for &(_, i) in family.named.iter().filter(|(_, i)| wanted[*i]) {
            if member.is_some_and(|m| !family.same(m, i)) {
                return None;
            }
            member = Some(i);
        }
        member.map(|m| (family.names[m].name.clone(), want))
    }

    /// The one of `people` that is the subject of sentence `si` ("Lee was asked whether Roe ...").
    fn subject_among(&self, si: usize, people: &[String]) -> Option<String> {
        let from = self.starts.starts[si];
        let to = self.starts.starts.get(si + 1).copied().unwrap_or(self.text.len());
        let subject = match self.subjects[si] {
            Some(m) if m.kind == Kind::Name => self.full_name(m.span.slice(self.text), m.span.start),
            Some(m) => self.recent.iter().find(|r| r.pos == m.span.start)?.entity.clone(),
            // a sentence that opens with a quote: its speaker
            None => self.recent.iter().find(|r| (from..to).contains(&r.pos))?.entity.clone(),
        };
        people.iter().find(|p| same_entity(p, &subject)).cloned()
    }

    /// What a relative pronoun stands for: the name its commas point to ([`antecedent_mention`]).
    fn antecedent(&self, m: Option<Mention>, person: bool) -> Option<String> {
        let m = m?;
        let name = self.full_name(m.span.slice(self.text), m.span.start);
        let org = self.tables.known.get(&name).org;
        (m.kind == Kind::Name && !(person && org)).then_some(name)
    }

    fn nominal(&self, text: &str, pos: usize) -> (String, bool, bool) {
        let words: Vec<String> = text.split_whitespace().map(|w| fold(&bare(w))).filter(|w| !w.is_empty()).collect();
        let Some(head) = words.last().cloned() else { return (text.to_string(), true, false) };
        if let Some(list) = self.tables.roles.get(&head) {
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
