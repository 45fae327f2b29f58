//! Resolution: what a mention stands for, document-wide (surnames, pronouns, roles, relatives).

use super::known::{Family, Gender, NameMemo};
use super::mentions::*;
use super::tokens::*;
use super::words::*;
use crate::claims::Speaker;
use crate::extract::entities::{fold, is_org_word, is_particle, same_entity};
use crate::text::{Sentence, Span};
use std::collections::{HashMap, HashSet};

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
    /// folded words written capitalized somewhere other than at the start of a sentence ([`folded_key`])
    pub(super) capitalized_inside: HashSet<u64>,
    /// words written in lower case somewhere
    pub(super) lower_case: HashSet<u64>,
    /// speakers resolved so far, in document order
    pub(super) recent: Vec<Recent>,
    /// entity key of each full (two-word or longer) person name → the names of that key
    pub(super) by_key: HashMap<String, Family>,
    /// what each name string met says
    pub(super) known: NameMemo,
    /// where each sentence starts, in order
    pub(super) sentence_starts: Vec<usize>,
    /// where each sentence's first letter or digit is (`usize::MAX` for none)
    pub(super) sentence_openers: Vec<usize>,
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

/// A hash of [`fold`]`(`[`bare`]`(w))`, without building the string when `w` is plain ASCII.
fn folded_key(w: &str) -> u64 {
    if w.bytes().all(|b| b.is_ascii() && b != b'`') {
        bare_key(w)
    } else {
        crate::terms::hash_str(&fold(&bare(w)))
    }
}

impl Resolver {
    pub(super) fn build(doc: &Doc, blocks: &[Span], sentences: &[Sentence]) -> Resolver {
        let opener = |start: usize| {
            doc.text.get(start..).and_then(|s| s.find(char::is_alphanumeric)).map_or(usize::MAX, |i| start + i)
        };
        let mut r = Resolver {
            sentence_starts: sentences.iter().map(|s| s.span.start).collect(),
            sentence_openers: sentences.iter().map(|s| opener(s.span.start)).collect(),
            ..Default::default()
        };
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
                } else if !r.opens_sentence(t.start) {
                    r.capitalized_inside.insert(folded_key(w));
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
                            && is_particle(&doc.bare(toks[j]))
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
                    && (CONNECTIVE_SET.contains(&doc.bare(toks[a])) || DETERMINER_SET.contains(&doc.bare(toks[a])))
                {
                    a += 1;
                }
                if a < j {
                    let span = tidy(doc.text, Span::new(toks[a].start, toks[j - 1].end));
                    let raw = span.slice(doc.text);
                    let facts = r.known.get(raw);
                    let words = &facts.words;
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
                        _ => facts.given,
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
                                let pb = doc.bare(toks[k - 1]);
                                if !capitalized(prev)
                                    && pb.len() > 2
                                    && !ends_clause(prev)
                                    && !SUBORDINATOR_SET.contains(&pb)
                                    && !DETERMINER_SET.contains(&pb)
                                    && !is_speech_verb(&pb)
                                    && !WEAK_SET.contains(&pb)
                                {
                                    let mut s = k - 1;
                                    while s > 0
                                        && k - s < 4
                                        && !ends_clause(doc.word(toks[s - 1]))
                                        && !is_quote_tok(doc.word(toks[s - 1]))
                                        && !DETERMINER_SET.contains(&doc.bare(toks[s - 1]))
                                    {
                                        s -= 1;
                                    }
                                    let role_words: Vec<_> = toks[s..k].iter().map(|t| doc.bare(*t)).collect();
                                    r.add_role(&pb, &role_words.join(" "), toks[a].start, &name);
                                }
                            }
                        }
                    }
                    // apposition after the name: "Jane Roe, the Kremlin spokeswoman,"
                    if words.len() >= 2 && ends_with_comma(doc.word(toks[j - 1])) && !org {
                        let mut role_words = Vec::new();
                        let mut head = String::new();
                        if toks
                            .get(j)
                            .is_some_and(|t| matches!(&*doc.bare(*t), "the" | "a" | "an" | "its" | "his" | "her"))
                        {
                            for t in toks.iter().skip(j + 1).take(8) {
                                let wt = doc.word(*t);
                                let bt = doc.bare(*t).into_owned();
                                if matches!(&*bt, "of" | "at" | "for" | "who" | "with" | "in" | "from" | "and")
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
                                let named = r.known.get(&name);
                                r.by_key.entry(named.key.clone()).or_default().add(toks[a].start, &named);
                            }
                            r.names.push(Named { pos: toks[a].start, name, org });
                        } else if let Some(full) = r.full_before(&name, usize::MAX) {
                            r.names.push(Named { pos: toks[a].start, name: full, org: false });
                        } else if r.by_key.contains_key(&r.known.get(&name).key) {
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
        let seen = self.genders.entry(self.known.get(name).surname.clone()).or_insert(Some(g));
        if *seen != Some(g) {
            *seen = None;
        }
    }

    /// Is `pos` the first word of its sentence (where every word is capitalized)?
    fn opens_sentence(&self, pos: usize) -> bool {
        self.sentence_openers.get(self.sentence_of(pos).wrapping_sub(1)).is_none_or(|&first| first >= pos)
    }

    /// A one-word name whose capital only says that it opens a sentence (a word the text
    /// also writes in lower case, never capitalized inside a sentence: "Published reports
    /// put ..."), or a lone initial, is not known to be anybody.
    fn doubtful_name(&self, mention: Span, full: &str) -> bool {
        let words = &self.known.get(full).words;
        let initial = words.iter().all(|w| w.trim_matches('.').chars().count() <= 1);
        let lone_opener = words.len() == 1
            && !is_org_word(&words[0])
            && self.opens_sentence(mention.start)
            && !self.capitalized_inside.contains(&folded_key(&words[0]))
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
        let name = self.known.get(name);
        let family = self.by_key.get(&name.key)?;
        let fits = family.fitting(&name.entity);
        let first = fits.iter().position(|&f| f)?;
        if (0..fits.len()).any(|i| fits[i] && !family.same(i, first)) {
            return None;
        }
        let (_, i) = family.named.iter().rev().filter(|(p, _)| *p <= pos).find(|(_, i)| fits[*i])?;
        Some(family.names[*i].name.clone())
    }

    /// A given name says more than a surname, which relatives of either gender share.
    fn gender_of(&self, entity: &str) -> Option<Gender> {
        let facts = self.known.get(entity);
        facts.given.or_else(|| self.genders.get(&facts.surname).copied().flatten())
    }

    /// The full name a name mention stands for ("Peskov" → "Dmitry Peskov").
    fn full_name(&self, mention: &str, pos: usize) -> String {
        let c = self.known.get(mention).words.join(" ");
        let c = if c.is_empty() { mention.trim().to_string() } else { c };
        if self.known.get(&c).words.len() >= 2 {
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
                let org = self.known.get(&full).org;
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
                        match self.pronoun(doc, pos, want) {
                            Some(e) => {
                                self.genders.entry(self.known.get(&e).surname.clone()).or_insert(Some(want));
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
                    let org = self.known.get(&name).org;
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
        let name = self.known.get(name);
        if name.words.len() != 1 {
            return None;
        }
        let family = self.by_key.get(&name.key)?;
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
        let describes = !capitalized(first) || (person && DETERMINER_SET.contains(&doc.bare(doc.toks[phrase.start])));
        let phrase = if describes { comma_phrase_before(doc, phrase.start)? } else { phrase };
        let toks = &doc.toks[phrase];
        let run =
            toks.iter().rposition(|t| !capitalized(doc.word(*t)) && !is_particle(&doc.bare(*t))).map_or(0, |p| p + 1);
        let m = mention_from(doc, toks.get(run..).filter(|r| !r.is_empty())?)?;
        let name = self.full_name(m.span.slice(doc.text), m.span.start);
        let org = self.known.get(&name).org;
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
