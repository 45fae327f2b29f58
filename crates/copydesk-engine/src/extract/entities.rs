//! Names of people and organizations: resolving mentions, comparing names across documents.

use crate::terms::WordList;
use std::borrow::Cow;

/// Honorifics and titles that may stand before a name and are not part of it.
pub(crate) const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "rev",
    "reverend",
    "fr",
    "father",
    "president",
    "vice",
    "pres",
    "sen",
    "senator",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "gov",
    "governor",
    "lt",
    "gen",
    "general",
    "col",
    "colonel",
    "maj",
    "major",
    "capt",
    "captain",
    "cmdr",
    "commander",
    "adm",
    "admiral",
    "sgt",
    "sergeant",
    "secretary",
    "minister",
    "prime",
    "premier",
    "chancellor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "chief",
    "chairman",
    "chairwoman",
    "chair",
    "speaker",
    "leader",
    "mayor",
    "judge",
    "justice",
    "ambassador",
    "attorney",
    "deputy",
    "foreign",
    "defense",
    "defence",
    "interior",
    "finance",
    "state",
    "former",
    "acting",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "del",
    "delegate",
    "sheriff",
    "officer",
    "director",
    "ceo",
    "the",
    "of",
    "host",
    "adviser",
    "advisor",
    "aide",
    "envoy",
    "commissioner",
    "counselor",
    "negotiator",
    "coordinator",
    "strategist",
    "anchor",
    "editor",
    "st",
    "saint",
    "sheikh",
    "ayatollah",
    "emir",
    "crown",
    "presidential",
    "candidate",
    "nominee",
    "dem",
    "gop",
    "democratic",
    "republican",
    "chancellor",
    "mr.",
    "ms.",
    "mrs.",
    "dr.",
    // descriptions written before a name: "rival Jane Roe", "Democratic nominee Jane Roe"
    "rival",
    "challenger",
    "opponent",
    "incumbent",
    "outgoing",
    "incoming",
    "embattled",
    "hopeful",
    "frontrunner",
    "front-runner",
    "businessman",
    "businesswoman",
    "billionaire",
    "lawmaker",
    "then",
    "ex",
];

/// Suffixes dropped from the end of a name: "Jr.", and a company's legal form ("Corp", "Inc").
const SUFFIXES: &[&str] = &[
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "esq",
    "phd",
    "md",
    "inc",
    "corp",
    "corporation",
    "incorporated",
    "co",
    "ltd",
    "plc",
    "llc",
    "ag",
    "nv",
    "lp",
];

/// Given-name variants that denote the same person.
const NICKNAMES: &[&[&str]] = &[
    &["joe", "joseph", "joey"],
    &["bill", "william", "will", "billy", "willie"],
    &["bob", "robert", "rob", "bobby", "robbie"],
    &["mike", "michael", "mick"],
    &["jim", "james", "jimmy", "jamie"],
    &["tom", "thomas", "tommy"],
    &["dick", "richard", "rick", "ricky", "rich"],
    &["chuck", "charles", "charlie"],
    &["ted", "edward", "ed", "eddie", "ned", "theodore"],
    &["tony", "anthony"],
    &["dan", "daniel", "danny"],
    &["dave", "david"],
    &["steve", "steven", "stephen"],
    &["chris", "christopher", "christine", "christina"],
    &["liz", "elizabeth", "beth", "betsy", "lizzie"],
    &["kate", "katherine", "catherine", "kathy", "katie"],
    &["jon", "jonathan", "john", "johnny", "jack"],
    &["alex", "alexander", "alexandra", "sasha", "aleksandr", "alexandr"],
    &["sam", "samuel", "samantha"],
    &["nick", "nicholas", "nikolai"],
    &["andy", "andrew", "drew"],
    &["matt", "matthew"],
    &["pat", "patrick", "patricia"],
    &["jeff", "jeffrey", "geoffrey"],
    &["larry", "lawrence"],
    &["jerry", "gerald", "jerome"],
    &["ben", "benjamin", "bibi"],
    &["don", "donald"],
    &["ron", "ronald"],
    &["hank", "henry", "harry"],
    &["peggy", "margaret", "maggie"],
    &["vladimir", "vlad"],
    &["volodymyr", "vladimir"],
    &["dmitry", "dmitri", "dmitriy"],
    &["sergei", "sergey"],
    &["mohammed", "muhammad", "mohammad", "mohamed", "mohamad"],
];

/// Pronouns and relative words that name nobody by themselves.
pub fn is_pronoun(w: &str) -> bool {
    const PRONOUNS: &[&str] =
        &["he", "she", "they", "it", "we", "i", "you", "who", "which", "him", "her", "them", "us", "me"];
    // No other character lower-cases to the ASCII letters of these words.
    w.len() <= 5 && PRONOUNS.iter().any(|p| w.eq_ignore_ascii_case(p))
}

/// Calls `f` with [`fold`]`(s)`, folded in a buffer on the stack when `s` is short plain ASCII.
pub fn with_fold<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if s.len() <= buf.len() && s.bytes().all(|b| b.is_ascii() && b != b'`') {
        let buf = &mut buf[..s.len()];
        buf.copy_from_slice(s.as_bytes());
        buf.make_ascii_lowercase();
        return f(std::str::from_utf8(buf).unwrap_or_default());
    }
    f(&fold(s))
}

/// Lowercase and fold Latin diacritics to ASCII; other characters are kept as they are.
pub fn fold(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii() && b != b'`') {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let f: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => {
                "a"
            }
            'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
            'ď' | 'đ' | 'Ď' | 'Đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ě' => "e",
            'ğ' | 'Ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'İ' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
            'ł' | 'Ł' => "l",
            'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'ō' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ő' => {
                "o"
            }
            'ř' | 'Ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' | 'Ś' | 'Š' | 'Ş' | 'Ș' => "s",
            'ť' | 'ţ' | 'ț' | 'Ť' | 'Ţ' | 'Ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ů' | 'Ű' => "u",
            'ý' | 'ÿ' | 'Ý' => "y",
            'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
            'ß' => "ss",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            '\u{2019}' | '\u{2018}' | '`' => "'",
            _ => {
                for l in c.to_lowercase() {
                    out.push(l);
                }
                continue;
            }
        };
        out.push_str(f);
    }
    out
}

pub(crate) static TITLE_SET: WordList = WordList::new(TITLES);

/// Is `w` a title or a description before a name ("Sen.", "rival", "then-Governor")?
pub fn is_title(w: &str) -> bool {
    with_fold(w.trim_end_matches('.'), |f| {
        TITLE_SET.contains(f.strip_prefix("then-").or_else(|| f.strip_prefix("ex-")).unwrap_or(f))
    })
}

/// Name particles that stay lowercase inside a name.
pub fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "de" | "da"
            | "del"
            | "der"
            | "di"
            | "du"
            | "dos"
            | "van"
            | "von"
            | "bin"
            | "ibn"
            | "al"
            | "la"
            | "le"
            | "el"
            | "ter"
            | "den"
    )
}

/// The words of a name as written, without titles, roles, appositions, party tags or suffixes:
/// "Kremlin spokesman Dmitry Peskov" → ["Dmitry", "Peskov"]; "Rep. Jane Roe (D-Ohio), a member" → ["Jane", "Roe"].
pub fn name_words(name: &str) -> Vec<String> {
    let cut = without_asides(name);
    let mut raw: Vec<&str> = cut.split_whitespace().collect();
    // "NBC's Jane Roe", "the Post's Jane Roe": whose she is, not her name
    if let Some(p) = raw.iter().rposition(|w| w.ends_with("'s") || w.ends_with("\u{2019}s")) {
        let rest = &raw[p + 1..];
        if rest.len() >= 2 && rest.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase)) {
            raw.drain(..=p);
        }
    }
    let mut words: Vec<&str> = raw
        .iter()
        .map(|w| {
            let w =
                w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '\'' && c != '\u{2019}' && c != '-');
            let w = w.strip_suffix("'s").or_else(|| w.strip_suffix("\u{2019}s")).unwrap_or(w);
            w.trim_end_matches(['\'', '\u{2019}'])
        })
        .filter(|w| !w.is_empty())
        .collect();
    // Drop role words: everything up to the last lowercase (non-particle) word, when a name of two or more words remains.
    if let Some(last_lower) =
        words.iter().rposition(|w| w.chars().next().is_some_and(|c| c.is_lowercase()) && !is_particle(w))
    {
        let remaining = words.len() - last_lower - 1;
        let preposition =
            matches!(words[last_lower], "of" | "for" | "and" | "on" | "in" | "the" | "at" | "to" | "a" | "an");
        // "Bank of Eastport Co Inc": a capitalized word before "of" that is no title makes
        // the whole phrase one organization's name ("Secretary of State Ann Lee" is a title's).
        let organization = last_lower > 0
            && words[last_lower] == "of"
            && words[..last_lower].iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
            && !words[..last_lower].iter().any(|w| is_title(w));
        if !organization && (remaining >= 2 || (remaining == 1 && !preposition)) {
            words.drain(..=last_lower);
        }
    }
    // Role words ending in a title before a name of two words or more: "Fisheries Minister Ola Dahl".
    if let Some(t) = words.iter().rposition(|w| {
        with_fold(w.trim_end_matches('.'), |f| TITLE_SET.contains(f) && (w.ends_with('.') || (f != "the" && f != "of")))
    }) {
        if words.len() - t > 2 && words[t + 1..].iter().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase())) {
            words.drain(..=t);
        }
    }
    // Leading titles, also as "then-Governor" and "ex-President".
    let titles = words.iter().take(words.len().saturating_sub(1)).take_while(|w| is_title(w)).count();
    words.drain(..titles);
    // Trailing suffixes.
    while words.len() > 1 && with_fold(words[words.len() - 1].trim_end_matches('.'), |f| SUFFIXES.contains(&f)) {
        words.pop();
    }
    words.into_iter().map(str::to_string).collect()
}

/// `name` without its bracketed tags and anything after its first comma or semicolon
/// outside brackets (an apposition).
fn without_asides(name: &str) -> Cow<'_, str> {
    if !name.contains(['(', '[', ')', ']']) {
        return Cow::Borrowed(name.split([',', ';']).next().unwrap_or(name));
    }
    let mut s = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => break,
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    Cow::Owned(s)
}

/// Words of organizations' names ("Bank", "Ministry"), and of where something was said.
pub(crate) const ORG_WORDS: &[&str] = &[
    "house",
    "department",
    "ministry",
    "party",
    "committee",
    "times",
    "post",
    "news",
    "journal",
    "campaign",
    "university",
    "institute",
    "center",
    "centre",
    "council",
    "congress",
    "senate",
    "court",
    "agency",
    "bank",
    "fund",
    "inc",
    "corp",
    "association",
    "union",
    "foundation",
    "service",
    "office",
    "police",
    "army",
    "commission",
    "kremlin",
    "pentagon",
    "government",
    "administration",
    "press",
    "tass",
    "reuters",
    "network",
    "group",
    "company",
    "caucus",
    "board",
    "cnn",
    "bbc",
    "ap",
    "afp",
    "nato",
    "un",
    "eu",
    "fbi",
    "cia",
    "imf",
    "guardian",
    "telegraph",
    "herald",
    "tribune",
    "review",
    "magazine",
    "report",
    "radio",
    "television",
    "tv",
    "channel",
    "organization",
    "organisation",
    "coalition",
    "federation",
    "alliance",
    "assembly",
    "parliament",
    "duma",
    "cabinet",
    "embassy",
    "navy",
    "military",
    "staff",
    "command",
    "forces",
    "force",
    "guard",
    "authority",
    "authorities",
    "club",
    "league",
    "politifact",
    "ria",
    "interfax",
    "mail",
    "sun",
    "express",
    "gazette",
    "monitor",
    "observer",
    "daily",
    "weekly",
    "today",
    "wire",
    "media",
    "bureau",
    // where something was said, not who said it
    "show",
    "program",
    "programme",
    "podcast",
    "broadcast",
    "newspaper",
];

/// Words that usually end an organization's name.
pub fn is_org_word(w: &str) -> bool {
    static ORG_SET: WordList = WordList::new(ORG_WORDS);
    with_fold(w, |f| ORG_SET.contains(f.trim_end_matches('.')))
}

/// The canonical form of a resolved name: "Mr. Peskov" → "Peskov", "the Kremlin" → "Kremlin".
pub fn canonical(name: &str) -> String {
    name_words(name).join(" ")
}

/// The folded words of a name: its [`name_words`] folded, without periods.
fn fold_keys(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            let f = fold(w);
            match f.trim_matches('.') {
                t if t.len() == f.len() => f,
                t => t.to_string(),
            }
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Collapses spelling variants of a surname: doubled letters and -iy/-yy/-ij endings.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = None;
    for c in s.chars().filter(|c| c.is_alphanumeric()) {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    for (from, to) in [("iy", "y"), ("ij", "y"), ("yi", "y"), ("ii", "y")] {
        if let Some(stem) = out.strip_suffix(from) {
            return format!("{stem}{to}");
        }
    }
    out
}

/// A key for indexing: two names that are [`same_entity`] usually share it (folded surname).
pub fn entity_key(name: &str) -> String {
    EntityName::new(name).key()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn surnames_match(a: &str, b: &str) -> bool {
    if a == b || squash(a) == squash(b) {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let min = la.min(lb);
    if min < 5 || a.chars().next() != b.chars().next() {
        return false;
    }
    let d = edit_distance(a, b);
    d <= 1 || (min >= 7 && d <= 2)
}

fn given_names_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // initials: "J." vs "Joe"
    if (a.chars().count() == 1 || b.chars().count() == 1) && a.chars().next() == b.chars().next() {
        return true;
    }
    if NICKNAMES.iter().any(|g| g.contains(&a) && g.contains(&b)) {
        return true;
    }
    let min = a.chars().count().min(b.chars().count());
    min >= 5 && a.chars().next() == b.chars().next() && edit_distance(a, b) <= 1
}

/// Do two resolved names denote the same entity? ("Dmitry Peskov" ~ "Peskov", "Zelensky" ~ "Zelenskyy")
pub fn same_entity(a: &str, b: &str) -> bool {
    EntityName::new(a).same(&EntityName::new(b))
}

/// A name made ready for many [`same_entity`] tests: trimmed, its key words computed once.
#[derive(Clone, Debug)]
pub struct EntityName<'a> {
    text: Cow<'a, str>,
    pronoun: bool,
    /// The name's folded words ([`fold_keys`]).
    keys: Vec<String>,
}

impl<'a> EntityName<'a> {
    pub fn new(name: &'a str) -> Self {
        Self::with_words(name, &name_words(name))
    }

    /// [`EntityName::new`] of `name`, whose [`name_words`] are `words`.
    pub fn with_words(name: &'a str, words: &[String]) -> Self {
        let text = name.trim();
        EntityName { text: Cow::Borrowed(text), pronoun: is_pronoun(text), keys: fold_keys(words) }
    }

    /// The name's [`entity_key`].
    pub fn key(&self) -> String {
        match self.keys.last() {
            Some(w) => squash(w),
            None => fold(&self.text),
        }
    }

    /// The same name, owning its text.
    pub fn into_owned(self) -> EntityName<'static> {
        EntityName { text: Cow::Owned(self.text.into_owned()), pronoun: self.pronoun, keys: self.keys }
    }

    /// Do the two names denote the same entity ([`same_entity`])?
    pub fn same(&self, other: &EntityName) -> bool {
        let (ta, tb) = (&*self.text, &*other.text);
        if ta.is_empty() || tb.is_empty() {
            return false;
        }
        let (ka, kb) = (&self.keys, &other.keys);
        if self.pronoun || other.pronoun || ka.is_empty() || kb.is_empty() {
            return fold(ta) == fold(tb);
        }
        if ka == kb {
            return true;
        }
        let (sa, sb) = (&ka[ka.len() - 1], &kb[kb.len() - 1]);
        if !surnames_match(sa, sb) {
            return false;
        }
        if ka.len() == 1 || kb.len() == 1 {
            return true;
        }
        given_names_match(&ka[0], &kb[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surname_against_full_name() {
        assert!(same_entity("Peskov", "Dmitry Peskov"));
        assert!(same_entity("Mr. Peskov", "Dmitry Peskov"));
        assert!(same_entity("dmitry peskov", "Dmitry Peskov"));
    }

    #[test]
    fn spelling_variants() {
        assert!(same_entity("Zelensky", "Volodymyr Zelenskyy"));
        assert!(same_entity("Zelenskiy", "Zelenskyy"));
        assert!(same_entity("Dmitri Peskov", "Dmitry Peskov"));
        assert!(same_entity("José Álvarez", "Jose Alvarez"));
        assert_eq!(entity_key("Zelenskiy"), entity_key("Volodymyr Zelenskyy"));
        assert_eq!(entity_key("Zelensky"), entity_key("President Zelenskyy"));
    }

    #[test]
    fn given_names_must_agree() {
        assert!(same_entity("Joe Biden", "Joseph Biden"));
        assert!(same_entity("Biden", "Joe Biden"));
        assert!(!same_entity("Hunter Biden", "Joe Biden"));
        assert!(!same_entity("Anna Smith", "Peter Smith"));
        assert!(!same_entity("Peskov", "Lavrov"));
        assert!(!same_entity("Shoigu", "Shmyhal"));
    }

    #[test]
    fn titles_and_roles_are_stripped() {
        assert!(same_entity("President Joe Biden", "Biden"));
        assert!(same_entity("Kremlin spokesman Dmitry Peskov", "Dmitry Peskov"));
        assert!(same_entity("Secretary of State Jane Roe", "Jane Roe"));
        assert!(same_entity("Sen. Mary Major (D-Ore.), a member of the panel", "Mary Major"));
        assert_eq!(canonical("White House press secretary Tom Lark"), "Tom Lark");
        // capitalized role words before a title: the name is what follows
        assert_eq!(canonical("National Security Adviser Mara Holt"), "Mara Holt");
        assert_eq!(canonical("EU Trade Commissioner Lars Vik"), "Lars Vik");
        assert_eq!(canonical("Special Envoy Ana Ruiz"), "Ana Ruiz");
    }

    #[test]
    fn organizations() {
        assert!(same_entity("the Kremlin", "Kremlin"));
        assert!(same_entity("The Daily Courier", "Daily Courier"));
        assert!(!same_entity("the Kremlin", "the Pentagon"));
        assert_eq!(canonical("Ministry of Defense"), "Ministry of Defense");
    }

    #[test]
    fn pronouns_only_match_themselves() {
        assert!(!same_entity("he", "Dmitry Peskov"));
        assert!(same_entity("he", "He"));
        assert!(!same_entity("", ""));
    }

    #[test]
    fn descriptions_before_a_name_are_stripped() {
        assert!(same_entity("Rival Jane Roe", "Jane Roe"));
        assert_eq!(canonical("then-Governor Jane Roe"), "Jane Roe");
        assert_eq!(canonical("ex-President Jane Roe"), "Jane Roe");
    }

    #[test]
    fn a_companys_legal_form_is_not_its_name() {
        assert!(same_entity("Nordic Freight Inc", "Nordic Freight"));
        assert!(same_entity("Harbor Corp", "Harbor"));
        assert!(!same_entity("Harbor Corp", "Anchor Corp"));
    }

    #[test]
    fn a_possessive_before_a_name_is_an_affiliation() {
        assert_eq!(canonical("the Courier\u{2019}s Jane Roe"), "Jane Roe");
        assert!(same_entity("Radio North's Tom Lark", "Tom Lark"));
        // a possessive name on its own stays
        assert_eq!(canonical("Lark's"), "Lark");
    }

    #[test]
    fn shows_and_programs_are_organizations() {
        assert!(is_org_word("Show"));
        assert!(is_org_word("program"));
    }
}
