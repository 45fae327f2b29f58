//! Name tables: what each block names (read from its words once: names, titles, appositions,
//! genders, the words it writes capitalized or in lower case), and the document's tables
//! merged from the blocks' in document order. A name of one word is matched to a full name
//! only in the merge, against the full names of every block before it: that is the one
//! thing here that reads across blocks.

use super::known::{Family, Gender, NameMemo};
use super::mentions::*;
use super::tokens::*;
use super::words::*;
use crate::extract::entities::{fold, is_org_word, is_particle};
use crate::text::{Sentence, Span};
use std::collections::{HashMap, HashSet};

/// A set of word hashes (they need hashing no further).
pub(super) type KeySet = HashSet<u64, std::hash::BuildHasherDefault<crate::terms::PassThrough>>;

/// Where each sentence starts and where its first letter or digit is.
#[derive(Default)]
pub(super) struct SentenceStarts {
    /// where each sentence starts, in order
    pub(super) starts: Vec<usize>,
    /// where each sentence's first letter or digit is (`usize::MAX` for none)
    pub(super) openers: Vec<usize>,
}

impl SentenceStarts {
    pub(super) fn new(text: &str, sentences: &[Sentence]) -> Self {
        let opener = |start: usize| {
            text.get(start..).and_then(|s| s.find(char::is_alphanumeric)).map_or(usize::MAX, |i| start + i)
        };
        SentenceStarts {
            starts: sentences.iter().map(|s| s.span.start).collect(),
            openers: sentences.iter().map(|s| opener(s.span.start)).collect(),
        }
    }

    /// How many sentences start at or before `pos`.
    pub(super) fn sentence_of(&self, pos: usize) -> usize {
        self.starts.partition_point(|&s| s <= pos)
    }

    /// Is `pos` the first word of its sentence (where every word is capitalized)?
    pub(super) fn opens_sentence(&self, pos: usize) -> bool {
        self.openers.get(self.sentence_of(pos).wrapping_sub(1)).is_none_or(|&first| first >= pos)
    }

    /// [`SentenceStarts::opens_sentence`], the text it reads noted in `doc`.
    fn opens_sentence_read(&self, doc: &Doc, pos: usize) -> bool {
        match self.sentence_of(pos).checked_sub(1) {
            Some(k) => doc.note_text_read(self.starts[k], self.openers[k].min(doc.text.len()).max(pos)),
            // no sentence starts before it: one that did would be read
            None => doc.note_text_read(0, pos),
        }
        self.opens_sentence(pos)
    }
}

/// A name as a block writes it, in the order the block names them.
#[derive(Clone, Debug)]
pub(super) enum NameEvent {
    /// Two or more words, or an organization's: `family` when a person's full name.
    Full { pos: usize, name: String, org: bool, family: bool },
    /// One word, which the merge matches to a full name named before it, if any.
    Single { pos: usize, name: String },
}

/// What one block names.
#[derive(Clone, Debug, Default)]
pub(super) struct BlockNames {
    /// words written in lower case ([`bare_key`])
    lower_case: Vec<u64>,
    /// words written capitalized other than at the start of a sentence ([`folded_key`])
    capitalized_inside: Vec<u64>,
    /// the gender a name gives its surname (folded surname)
    genders: Vec<(String, Gender)>,
    /// (role head, position, role words, name)
    roles: Vec<(String, usize, String, String)>,
    names: Vec<NameEvent>,
}

impl BlockNames {
    pub(super) fn shift(&mut self, delta: isize) {
        let moved = |p: &mut usize| *p = p.wrapping_add_signed(delta);
        self.roles.iter_mut().for_each(|r| moved(&mut r.1));
        for n in &mut self.names {
            match n {
                NameEvent::Full { pos, .. } | NameEvent::Single { pos, .. } => moved(pos),
            }
        }
    }
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
pub(super) fn folded_key(w: &str) -> u64 {
    if w.bytes().all(|b| b.is_ascii() && b != b'`') {
        bare_key(w)
    } else {
        crate::terms::hash_str(&fold(&bare(w)))
    }
}

/// A role's head and words as the tables keep them; none for a head under three letters.
fn role(head: &str, role: &str, pos: usize, name: &str) -> Option<(String, usize, String, String)> {
    let head = fold(head.trim_end_matches(['.', ',']));
    if head.is_empty() || head.chars().count() < 3 {
        return None;
    }
    Some((head, pos, fold(role), name.to_string()))
}

/// What `block` names.
pub(super) fn read_names(doc: &Doc, block: Span, starts: &SentenceStarts, known: &NameMemo) -> BlockNames {
    let mut out = BlockNames::default();
    let toks = doc.tokens(block.start, block.end);
    let unfinished = !doc
        .text
        .get(block.start..block.end)
        .unwrap_or_default()
        .trim_end()
        .ends_with(['.', '!', '?', '"', ':', '\u{201D}', '\u{2019}', ')']);
    if unfinished && title_case(doc, &toks) {
        return out; // a headline without a full stop: "Mayor Wants Lund's Promise" holds no names to learn
    }
    for t in &toks {
        let w = doc.word(*t);
        if !capitalized(w) {
            out.lower_case.push(bare_key(w));
        } else if !starts.opens_sentence_read(doc, t.start) {
            out.capitalized_inside.push(folded_key(w));
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
        while a < j && (CONNECTIVE_SET.contains(&doc.bare(toks[a])) || DETERMINER_SET.contains(&doc.bare(toks[a]))) {
            a += 1;
        }
        if a < j {
            let span = tidy(doc.text, Span::new(toks[a].start, toks[j - 1].end));
            let raw = span.slice(doc.text);
            let facts = known.get(raw);
            let words = &facts.words;
            // "the Lee campaign", "the Roe administration": a name that modifies an organization
            let modifies_org = toks.get(j).is_some_and(|t| !capitalized(doc.word(*t)) && is_org_word(&doc.bare(*t)));
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
                    out.genders.push((known.get(&name).surname.clone(), g));
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
                    out.roles.extend(role(&head, raw, toks[a].start, &name));
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
                            out.roles.extend(role(&pb, &role_words.join(" "), toks[a].start, &name));
                        }
                    }
                }
            }
            // apposition after the name: "Jane Roe, the Kremlin spokeswoman,"
            if words.len() >= 2 && ends_with_comma(doc.word(toks[j - 1])) && !org {
                let mut role_words = Vec::new();
                let mut head = String::new();
                if toks.get(j).is_some_and(|t| matches!(&*doc.bare(*t), "the" | "a" | "an" | "its" | "his" | "her")) {
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
                    out.roles.extend(role(&head, &role_words.join(" "), toks[a].start, &name));
                }
            }
            if !name.is_empty() {
                let pos = toks[a].start;
                if words.len() >= 2 || org {
                    out.names.push(NameEvent::Full { pos, name, org, family: !org && words.len() >= 2 });
                } else {
                    out.names.push(NameEvent::Single { pos, name });
                }
            }
        }
        i = j.max(i + 1);
    }
    out
}

#[derive(Clone, Debug)]
pub(super) struct Named {
    pub(super) pos: usize,
    pub(super) name: String,
    pub(super) org: bool,
}

/// The document's name tables.
pub(super) struct NameTables<'m> {
    /// Names of two or more words (and single words that match one), in document order.
    pub(super) names: Vec<Named>,
    /// role head ("spokesman") → (position, role words, name)
    pub(super) roles: HashMap<String, Vec<(usize, String, String)>>,
    /// folded surname → gender (`None` when people of both genders share the surname)
    pub(super) genders: HashMap<String, Option<Gender>>,
    /// folded words written capitalized somewhere other than at the start of a sentence ([`folded_key`])
    pub(super) capitalized_inside: KeySet,
    /// words written in lower case somewhere
    pub(super) lower_case: KeySet,
    /// entity key of each full (two-word or longer) person name → the names of that key
    pub(super) by_key: HashMap<String, Family>,
    /// what each name string met says
    pub(super) known: &'m NameMemo,
}

impl<'m> NameTables<'m> {
    /// The tables of the blocks that name `blocks`, in document order.
    pub(super) fn merge<'b>(blocks: impl Iterator<Item = &'b BlockNames>, known: &'m NameMemo) -> Self {
        let mut t = NameTables {
            names: Vec::new(),
            roles: HashMap::new(),
            genders: HashMap::new(),
            capitalized_inside: KeySet::default(),
            lower_case: KeySet::default(),
            by_key: HashMap::new(),
            known,
        };
        for b in blocks {
            t.lower_case.extend(&b.lower_case);
            t.capitalized_inside.extend(&b.capitalized_inside);
            for (surname, g) in &b.genders {
                let seen = t.genders.entry(surname.clone()).or_insert(Some(*g));
                if *seen != Some(*g) {
                    *seen = None;
                }
            }
            for (head, pos, role, name) in &b.roles {
                t.roles.entry(head.clone()).or_default().push((*pos, role.clone(), name.clone()));
            }
            for n in &b.names {
                match n {
                    NameEvent::Full { pos, name, org, family } => {
                        if *family {
                            let named = known.get(name);
                            t.by_key.entry(named.key.clone()).or_default().add(*pos, &named);
                        }
                        t.names.push(Named { pos: *pos, name: name.clone(), org: *org });
                    }
                    NameEvent::Single { pos, name } => {
                        if let Some(full) = t.full_before(name, usize::MAX) {
                            t.names.push(Named { pos: *pos, name: full, org: false });
                        } else if t.by_key.contains_key(&known.get(name).key) {
                            // a surname that two people share stays bare
                            t.names.push(Named { pos: *pos, name: name.clone(), org: false });
                        }
                    }
                }
            }
        }
        t
    }

    /// The latest full person name at or before `pos` that `name` can stand for.
    /// None when the name fits two people ("Clinton" after both Bill and Hillary Clinton).
    pub(super) fn full_before(&self, name: &str, pos: usize) -> Option<String> {
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
}
