//! Attribution: who said each quote, and reported speech ("X said (that) ...").
//!
//! Works on a *frame* of the masked text in which every quote (marks included) is
//! overwritten with a placeholder byte, so the words around quotes can be read
//! without tripping over their contents; offsets do not move. For each quote the
//! attribution is looked for, in order: right after it (`"...," X said` / `said X`
//! / `― X`), right before it (`X said: "..."`), in a lead-in paragraph ending with
//! a colon, anywhere before it in its sentence (partial quotes), and finally the
//! previous quote of the paragraph (or of the previous paragraph, for a paragraph
//! that is nothing but a quote). Mentions are resolved to names document-wide:
//! surnames to full names, pronouns to the nearest person of matching gender,
//! roles ("the spokesman") through title–name pairs and appositions.

use super::entities::{canonical, entity_key, fold, is_org_word, is_particle, is_pronoun, name_words, same_entity};
use crate::claims::{Attribution, Quote, Speaker};
use crate::terms::WordList;
use crate::text::{Sentence, Span};
use std::collections::{HashMap, HashSet};

/// Placeholder byte written over quotes in the frame.
const Q: u8 = 0x07;

/// Speech verbs in every form that introduces an utterance.
const SPEECH_VERBS: &[&str] = &[
    "say",
    "says",
    "said",
    "saying",
    "tell",
    "tells",
    "told",
    "telling",
    "add",
    "adds",
    "added",
    "adding",
    "ask",
    "asks",
    "asked",
    "asking",
    "warn",
    "warns",
    "warned",
    "warning",
    "notes",
    "noted",
    "noting",
    "insist",
    "insists",
    "insisted",
    "insisting",
    "argue",
    "argues",
    "argued",
    "arguing",
    "explain",
    "explains",
    "explained",
    "explaining",
    "write",
    "writes",
    "wrote",
    "writing",
    "tweeted",
    "tweeting",
    "posted",
    "state",
    "stated",
    "stating",
    "declare",
    "declares",
    "declared",
    "declaring",
    "announce",
    "announces",
    "announced",
    "claimed",
    "claiming",
    "replies",
    "replied",
    "replying",
    "respond",
    "responds",
    "responded",
    "continue",
    "continues",
    "continued",
    "recall",
    "recalls",
    "recalled",
    "recalling",
    "acknowledge",
    "acknowledges",
    "acknowledged",
    "admit",
    "admits",
    "admitted",
    "predict",
    "predicts",
    "predicted",
    "caution",
    "cautions",
    "cautioned",
    "cautioning",
    "urge",
    "urges",
    "urged",
    "urging",
    "concede",
    "concedes",
    "conceded",
    "conclude",
    "concludes",
    "concluded",
    "observe",
    "observes",
    "observed",
    "complain",
    "complains",
    "complained",
    "complaining",
    "joked",
    "joking",
    "quips",
    "quipped",
    "shouts",
    "shouted",
    "shouting",
    "yells",
    "yelled",
    "yelling",
    "sings",
    "sang",
    "singing",
    "chanted",
    "chanting",
    "read",
    "reads",
    "reports",
    "reported",
    "commented",
    "boasts",
    "boasted",
    "boasting",
    "suggest",
    "suggests",
    "suggested",
    "stressed",
    "stressing",
    "emphasize",
    "emphasizes",
    "emphasized",
    "emphasised",
    "countered",
    "echoed",
    "mused",
    "wonders",
    "wondered",
    "testifies",
    "testified",
    "allege",
    "alleges",
    "alleged",
    "lamented",
    "remarked",
    "retorted",
    "scoff",
    "scoffed",
    "vowed",
    "promised",
    "pledged",
    "demanded",
    "charged",
    "contend",
    "contends",
    "contended",
    "maintain",
    "maintains",
    "maintained",
    "assert",
    "asserts",
    "asserted",
    "asserting",
    "affirmed",
    "confirm",
    "confirms",
    "confirmed",
    "deny",
    "denies",
    "denied",
    "disclose",
    "disclosed",
    "reveal",
    "reveals",
    "revealed",
    "exclaim",
    "exclaimed",
    "whisper",
    "whispered",
    "tweet",
    "recount",
    "recounted",
    "explains",
    "agreed",
    "agrees",
    "opined",
    "conceded",
    "thundered",
    "snapped",
    "fumed",
    "hailed",
    "proclaimed",
    "proclaims",
    "pleaded",
    "begged",
    "cried",
    "screamed",
    "wrote",
    "reiterated",
    "reiterates",
    "clarified",
    "elaborated",
    "interjected",
    "grumbled",
    "acknowledging",
    "adds",
    "telling",
    "told",
    "predicting",
    "asserting",
    "declaring",
    "announcing",
    "questioned",
    "summed",
];

/// Verbs that attribute a partial quote ("called it "a disgrace"") but not a whole utterance.
const WEAK_VERBS: &[&str] = &[
    "call",
    "calls",
    "called",
    "calling",
    "describe",
    "describes",
    "described",
    "describing",
    "dub",
    "dubbed",
    "label",
    "labeled",
    "labelled",
    "term",
    "termed",
    "brand",
    "branded",
    "hail",
    "praised",
    "praise",
    "criticized",
    "slammed",
    "blasted",
    "accused",
    "accusing",
    "promised",
    "vowed",
    "referred",
    "used",
    "uses",
    "cited",
    "cites",
    "quoted",
    "quotes",
    "characterized",
    "deemed",
];

/// Words that may stand between a subject and its verb ("he later said").
const AUX: &[&str] = &[
    "has",
    "had",
    "have",
    "also",
    "later",
    "then",
    "once",
    "often",
    "further",
    "recently",
    "again",
    "previously",
    "would",
    "will",
    "did",
    "does",
    "had",
    "first",
    "repeatedly",
    "publicly",
    "privately",
    "simply",
    "just",
    "only",
    "earlier",
    "reportedly",
    "famously",
    "even",
    "now",
    "still",
    "had",
    "then",
    "quickly",
    "flatly",
    "bluntly",
];

/// Capitalized words that begin a clause and are not names.
const CONNECTIVES: &[&str] = &[
    "but",
    "and",
    "so",
    "then",
    "yet",
    "also",
    "still",
    "now",
    "later",
    "meanwhile",
    "however",
    "instead",
    "earlier",
    "today",
    "here",
    "there",
    "in",
    "on",
    "at",
    "as",
    "when",
    "if",
    "while",
    "after",
    "before",
    "because",
    "though",
    "although",
    "since",
    "asked",
    "indeed",
    "moreover",
    "nonetheless",
    "separately",
    "finally",
    "first",
    "again",
    "during",
    "amid",
    "despite",
    "following",
    "under",
    "without",
    "within",
    "throughout",
    "across",
    "outside",
    "inside",
    "upon",
    "toward",
    "towards",
    "through",
    "for",
    "from",
    "with",
    "by",
    "to",
    "of",
    "about",
    "like",
    "unlike",
    "speaking",
];

/// Words that end a subject going backwards: a new clause starts after them.
const SUBORDINATORS: &[&str] = &[
    "that", "which", "when", "because", "while", "if", "as", "after", "before", "but", "since", "although", "though",
    "where", "whom", "whose", "than", "so", "until", "unless", "whether", "what", "how", "why", "to", "for", "by",
    "with", "from", "of", "on", "in", "at", "about", "into", "over", "under", "against",
];

/// Focus adverbs and quantifiers that open a sentence and are not names ("Just 40 voters said").
const FOCUS_WORDS: &[&str] = &[
    "just",
    "only",
    "even",
    "also",
    "not",
    "nearly",
    "almost",
    "roughly",
    "about",
    "around",
    "some",
    "all",
    "most",
    "many",
    "few",
    "every",
    "no",
    "each",
    "both",
    "more",
    "less",
    "fewer",
    "perhaps",
    "maybe",
    "especially",
    "particularly",
    "including",
    "among",
    "barely",
    "merely",
    "fully",
    "exactly",
    "precisely",
    "mostly",
    "largely",
];

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "another", "one", "his", "her", "their", "its", "our", "my", "your", "this", "that", "these",
    "those", "some", "several", "many", "two", "three", "both", "each", "other", "most", "few", "any",
];

const MALE_NAMES: &[&str] = &[
    "john",
    "james",
    "robert",
    "michael",
    "william",
    "david",
    "richard",
    "joseph",
    "thomas",
    "charles",
    "donald",
    "george",
    "mark",
    "paul",
    "steven",
    "andrew",
    "kenneth",
    "joshua",
    "kevin",
    "brian",
    "edward",
    "ronald",
    "timothy",
    "jason",
    "jeffrey",
    "ryan",
    "jacob",
    "gary",
    "eric",
    "jonathan",
    "stephen",
    "larry",
    "justin",
    "scott",
    "brandon",
    "benjamin",
    "frank",
    "gregory",
    "samuel",
    "raymond",
    "patrick",
    "alexander",
    "jack",
    "dennis",
    "jerry",
    "tyler",
    "aaron",
    "jose",
    "adam",
    "henry",
    "nathan",
    "douglas",
    "zachary",
    "peter",
    "kyle",
    "walter",
    "ethan",
    "jeremy",
    "harold",
    "keith",
    "christian",
    "roger",
    "noah",
    "gerald",
    "carl",
    "terry",
    "sean",
    "austin",
    "arthur",
    "lawrence",
    "jesse",
    "dylan",
    "bryan",
    "joe",
    "jordan",
    "billy",
    "bruce",
    "albert",
    "willie",
    "gabriel",
    "logan",
    "alan",
    "juan",
    "wayne",
    "roy",
    "ralph",
    "randy",
    "eugene",
    "vincent",
    "russell",
    "elijah",
    "louis",
    "bobby",
    "philip",
    "johnny",
    "mike",
    "bill",
    "bob",
    "jim",
    "tom",
    "tim",
    "dan",
    "dave",
    "steve",
    "ted",
    "tony",
    "chuck",
    "mitch",
    "newt",
    "barack",
    "bernie",
    "mitt",
    "marco",
    "rand",
    "ben",
    "vladimir",
    "dmitry",
    "dmitri",
    "sergei",
    "sergey",
    "volodymyr",
    "oleksii",
    "oleksiy",
    "emmanuel",
    "boris",
    "olaf",
    "xi",
    "recep",
    "jens",
    "antony",
    "lloyd",
    "jake",
    "kim",
    "hunter",
    "lindsey",
    "reince",
    "rudy",
    "rudolph",
    "chris",
    "nick",
    "matt",
    "jeff",
    "greg",
    "ken",
    "josh",
    "pat",
    "ed",
    "sam",
    "al",
    "hank",
    "vince",
    "rex",
    "sergio",
    "carlos",
    "luis",
    "jorge",
    "miguel",
    "ali",
    "mohammed",
    "muhammad",
    "ahmed",
    "hassan",
    "ivan",
    "alexei",
    "alexey",
    "yuri",
    "mikhail",
    "nikolai",
    "andrei",
    "viktor",
    "igor",
    "pierre",
    "jean",
    "jacques",
    "francois",
    "angelo",
    "giuseppe",
    "matteo",
    "hans",
    "klaus",
    "wolfgang",
    "friedrich",
    "tucker",
    "sean",
    "corey",
];

const FEMALE_NAMES: &[&str] = &[
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "nancy",
    "lisa",
    "betty",
    "margaret",
    "sandra",
    "ashley",
    "kimberly",
    "emily",
    "donna",
    "michelle",
    "dorothy",
    "carol",
    "amanda",
    "melissa",
    "deborah",
    "stephanie",
    "rebecca",
    "sharon",
    "laura",
    "cynthia",
    "kathleen",
    "amy",
    "shirley",
    "angela",
    "helen",
    "anna",
    "brenda",
    "pamela",
    "nicole",
    "emma",
    "samantha",
    "katherine",
    "christine",
    "debra",
    "rachel",
    "catherine",
    "carolyn",
    "janet",
    "ruth",
    "maria",
    "heather",
    "diane",
    "virginia",
    "julie",
    "joyce",
    "victoria",
    "olivia",
    "kelly",
    "christina",
    "lauren",
    "joan",
    "evelyn",
    "judith",
    "megan",
    "cheryl",
    "andrea",
    "hannah",
    "martha",
    "jacqueline",
    "frances",
    "gloria",
    "ann",
    "teresa",
    "kathryn",
    "sara",
    "janice",
    "jean",
    "alice",
    "madison",
    "doris",
    "abigail",
    "julia",
    "judy",
    "grace",
    "denise",
    "amber",
    "marilyn",
    "beverly",
    "danielle",
    "theresa",
    "sophia",
    "marie",
    "diana",
    "brittany",
    "natalie",
    "isabella",
    "charlotte",
    "rose",
    "alexis",
    "kayla",
    "hillary",
    "chelsea",
    "ivanka",
    "melania",
    "kellyanne",
    "sarah",
    "nikki",
    "kamala",
    "nancy",
    "loretta",
    "condoleezza",
    "madeleine",
    "angela",
    "theresa",
    "ursula",
    "marine",
    "liz",
    "elise",
    "tulsi",
    "jill",
    "huma",
    "donna",
    "valerie",
    "debbie",
    "maxine",
    "dianne",
    "susan",
    "lisa",
    "kirsten",
    "amy",
    "elena",
    "maria",
    "olga",
    "svetlana",
    "natalia",
    "irina",
    "tatiana",
    "anastasia",
    "yulia",
    "iryna",
    "oksana",
    "giorgia",
    "jacinda",
    "sanna",
    "kaja",
    "annalena",
    "christiane",
    "anne",
    "ana",
    "carmen",
    "lucia",
    "sofia",
    "gwen",
    "mia",
    "ava",
    "ella",
    "zoe",
    "melanie",
    "michele",
    "gennifer",
    "monica",
    "paula",
    "janet",
    "condoleeza",
    "hope",
    "kate",
    "katie",
    "kathy",
    "liza",
    "beth",
    "meghan",
];

static SPEECH_SET: WordList = WordList::new(SPEECH_VERBS);
static WEAK_SET: WordList = WordList::new(WEAK_VERBS);
static AUX_SET: WordList = WordList::new(AUX);
static CONNECTIVE_SET: WordList = WordList::new(CONNECTIVES);
static SUBORDINATOR_SET: WordList = WordList::new(SUBORDINATORS);
static DETERMINER_SET: WordList = WordList::new(DETERMINERS);
static FOCUS_SET: WordList = WordList::new(FOCUS_WORDS);
static MALE_SET: WordList = WordList::new(MALE_NAMES);
static FEMALE_SET: WordList = WordList::new(FEMALE_NAMES);

/// Is `word` (lower case) a verb that introduces speech ("said", "told", "warned")?
pub fn is_speech_verb(word: &str) -> bool {
    SPEECH_SET.contains(word)
}

fn is_participle(word: &str) -> bool {
    word.ends_with("ing")
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// A whitespace-separated word of the frame.
#[derive(Clone, Copy, Debug)]
struct Tok {
    start: usize,
    end: usize,
}

struct Doc<'a> {
    /// Masked text.
    text: &'a str,
    /// Masked text with quotes overwritten by [`Q`].
    frame: String,
    /// The words of the whole frame, in order ([`Doc::tokens`] takes a range of them).
    toks: Vec<Tok>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str, frame: String) -> Self {
        let toks = tokenize(&frame, 0, frame.len());
        Doc { text, frame, toks }
    }
}

/// The words of `frame[from..to]`: whitespace-separated, a run of quote placeholders a word of its own.
fn tokenize(frame: &str, from: usize, to: usize) -> Vec<Tok> {
    let to = to.min(frame.len());
    let mut out = Vec::new();
    let Some(seg) = frame.get(from..to) else { return out };
    let mut start: Option<usize> = None;
    for (i, c) in seg.char_indices() {
        // a quote placeholder run is a token of its own
        let is_q = c == Q as char;
        if c.is_whitespace() || c == '\u{a0}' {
            if let Some(s) = start.take() {
                out.push(Tok { start: from + s, end: from + i });
            }
        } else if is_q {
            if let Some(s) = start {
                if !seg[s..i].starts_with(Q as char) {
                    out.push(Tok { start: from + s, end: from + i });
                    start = Some(i);
                }
            } else {
                start = Some(i);
            }
        } else if let Some(s) = start {
            if seg[s..i].ends_with(Q as char) {
                out.push(Tok { start: from + s, end: from + i });
                start = Some(i);
            }
        } else {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Tok { start: from + s, end: to });
    }
    out
}

impl Doc<'_> {
    fn word(&self, t: Tok) -> &str {
        self.frame.get(t.start..t.end).unwrap_or("")
    }
    /// The word without surrounding punctuation, lower-cased.
    fn bare(&self, t: Tok) -> String {
        bare(self.word(t))
    }
    /// The words of `frame[from..to]`, as [`tokenize`] would find them there: the words of
    /// the whole frame that overlap the range, cut to it (words never span a quote's edge,
    /// so a cut word splits where a fresh scan would).
    fn tokens(&self, from: usize, to: usize) -> Vec<Tok> {
        let to = to.min(self.frame.len());
        if from >= to || !self.frame.is_char_boundary(from) || !self.frame.is_char_boundary(to) {
            return Vec::new();
        }
        let first = self.toks.partition_point(|t| t.end <= from);
        self.toks[first..]
            .iter()
            .take_while(|t| t.start < to)
            .map(|t| Tok { start: t.start.max(from), end: t.end.min(to) })
            .collect()
    }
}

fn bare(w: &str) -> String {
    w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

fn is_quote_tok(w: &str) -> bool {
    w.as_bytes().first() == Some(&Q)
}

fn capitalized(w: &str) -> bool {
    let w = w.trim_start_matches(['(', '"', '\'', '\u{201C}', '\u{2018}']);
    w.chars().next().is_some_and(|c| c.is_uppercase())
}

/// Does a word end its sentence or clause ("said.", "Friday,")? Abbreviations and initials do not.
fn ends_clause(w: &str) -> bool {
    if w.starts_with('(') && w.trim_end_matches([',', ';', ':']).ends_with(')') && !w.ends_with([',', ';', ':']) {
        return false;
    }
    let w = w.trim_end_matches(['"', '\'', ')', '\u{201D}', '\u{2019}']);
    if w.ends_with([',', ';', ':', '?', '!']) {
        return true;
    }
    if let Some(stem) = w.strip_suffix('.') {
        return !is_abbrev(stem);
    }
    false
}

fn is_abbrev(stem: &str) -> bool {
    let s = stem.trim_start_matches(|c: char| !c.is_alphanumeric());
    if s.is_empty() {
        return false;
    }
    let letters: Vec<char> = s.chars().filter(|c| *c != '.').collect();
    if letters.len() <= 1 && letters.first().is_some_and(|c| c.is_uppercase()) {
        return true;
    }
    if s.contains('.') && s.split('.').all(|p| p.chars().count() <= 1) {
        return true;
    }
    matches!(
        s.to_lowercase().as_str(),
        "mr" | "mrs"
            | "ms"
            | "dr"
            | "rep"
            | "sen"
            | "gov"
            | "gen"
            | "lt"
            | "col"
            | "maj"
            | "capt"
            | "sgt"
            | "rev"
            | "st"
            | "jr"
            | "sr"
            | "prof"
            | "adm"
            | "cmdr"
            | "pres"
            | "del"
            | "atty"
            | "supt"
            | "insp"
            | "cpl"
            | "pvt"
            | "hon"
    )
}

fn ends_with_comma(w: &str) -> bool {
    w.trim_end_matches(['"', '\'', ')', '\u{201D}', '\u{2019}']).ends_with(',')
}

// ---------------------------------------------------------------------------------------------
// Mentions

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pronoun,
    Relative,
    Name,
    Nominal,
}

#[derive(Clone, Copy, Debug)]
struct Mention {
    span: Span,
    kind: Kind,
    /// Where the noun phrase holding the mention starts (role words included).
    from: usize,
}

/// "Industry analysts", "Harbour board officials": capitalized words before a lower-case
/// head noun that ends the phrase modify it; the phrase names a group, not the capitalized words.
fn modifies_common_noun(doc: &Doc, toks: &[Tok], run_end: usize) -> bool {
    let (Some(last), Some(next)) = (toks.last(), toks.get(run_end)) else { return false };
    let next = doc.bare(*next);
    let head = doc.bare(*last);
    let adverb = head.ends_with("ly") || [&AUX_SET, &CONNECTIVE_SET, &FOCUS_SET].iter().any(|l| l.contains(&head));
    !capitalized(doc.word(*last))
        && !adverb
        && !SUBORDINATOR_SET.contains(next.as_str())
        && !matches!(next.as_str(), "and" | "or" | "himself" | "herself" | "themselves" | "itself")
        && toks[run_end..].iter().all(|t| !ends_with_comma(doc.word(*t)) || t.start == last.start)
}

/// Trims a span to its first and last alphanumeric-ish characters (keeps "Mr." dots and closing brackets).
fn tidy(text: &str, s: Span) -> Span {
    let seg = s.slice(text);
    let lead = seg.len() - seg.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    let body = &seg[lead..];
    let mut end = body.len();
    let trimmed = body.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')');
    end = end.min(trimmed.len());
    let mut body = &body[..end];
    // drop a sentence-final period but keep abbreviations ("Mr.", "Jr.", "G.K.")
    if let Some(stem) = body.strip_suffix('.') {
        let last = stem.rsplit(char::is_whitespace).next().unwrap_or("");
        if !is_abbrev(last) {
            body = stem;
        }
    }
    // unmatched closing bracket
    if body.ends_with(')') && body.matches('(').count() < body.matches(')').count() {
        body = &body[..body.len() - 1];
    }
    Span::new(s.start + lead, s.start + lead + body.len())
}

/// Builds a mention from the noun-phrase tokens `toks` (in order), preferring the name part.
fn mention_from(doc: &Doc, toks: &[Tok]) -> Option<Mention> {
    let phrase_from = toks.first()?.start;
    let mut toks: Vec<Tok> = toks.to_vec();
    // "Neither Lee nor Roe", "Either the mayor or ...": a coordination names no one speaker
    if toks.iter().any(|t| matches!(doc.bare(*t).as_str(), "neither" | "nor" | "either")) {
        return None;
    }
    // strip leading connectives ("But he said") and focus adverbs ("Just 40 voters said")
    while toks.len() > 1 && {
        let b = doc.bare(toks[0]);
        CONNECTIVE_SET.contains(b.as_str()) || FOCUS_SET.contains(b.as_str())
    } {
        toks.remove(0);
    }
    if toks.len() == 1 && FOCUS_SET.contains(doc.bare(toks[0]).as_str()) {
        return None;
    }
    // strip trailing bracketed tags "(D-Ohio)"
    while toks.len() > 1 && doc.word(toks[toks.len() - 1]).starts_with('(') {
        toks.pop();
    }
    let first = *toks.first()?;
    let last = *toks.last()?;
    let words: Vec<&str> = toks.iter().map(|t| doc.word(*t)).collect();
    if words.iter().any(|w| w.as_bytes().contains(&Q)) {
        return None;
    }
    let span = |a: Tok, b: Tok| tidy(doc.text, Span::new(a.start, b.end));
    if toks.len() == 1 {
        let b = doc.bare(first);
        if is_pronoun(&b) {
            let kind = if matches!(b.as_str(), "who" | "which") { Kind::Relative } else { Kind::Pronoun };
            if matches!(b.as_str(), "him" | "them" | "us" | "me" | "you") {
                return None;
            }
            return Some(Mention { span: span(first, first), kind, from: phrase_from });
        }
    }
    let b0 = doc.bare(first);
    if toks.len() == 1 && DETERMINER_SET.contains(b0.as_str()) {
        return None;
    }
    if SUBORDINATOR_SET.contains(b0.as_str()) && !DETERMINER_SET.contains(b0.as_str()) {
        return None;
    }
    // A capitalized word inside the phrase is part of a name or title ("Secretary of State"),
    // not a speech verb.
    if toks.iter().enumerate().any(|(i, t)| {
        let b = doc.bare(*t);
        (is_pronoun(&b) && toks.len() > 1 && !matches!(b.as_str(), "her" | "his"))
            || (is_speech_verb(&b) && (i == 0 || !capitalized(doc.word(*t))))
    }) {
        return None;
    }
    if toks.len() == 1 && (CONNECTIVE_SET.contains(b0.as_str()) || SUBORDINATOR_SET.contains(b0.as_str())) {
        return None;
    }
    if capitalized(words[0]) && !DETERMINER_SET.contains(b0.as_str()) {
        // Starts with a name: "Mr. Morgan of the Sierra Club", "Tulsa police Chief Ann Lee", "Obama's former aide"
        let run_end =
            toks.iter().position(|t| !capitalized(doc.word(*t)) && !is_particle(&doc.bare(*t))).unwrap_or(toks.len());
        if run_end == toks.len() {
            return Some(Mention { span: span(first, last), kind: Kind::Name, from: phrase_from });
        }
        let possessive = {
            let w = doc.word(toks[run_end - 1]);
            w.ends_with("'s") || w.ends_with("\u{2019}s") || w.ends_with('\'') || w.ends_with('\u{2019}')
        };
        // "Lee's former aide" is a role; "Lee's campaign manager Jo Roe" ends with the name
        if (possessive && !capitalized(doc.word(last))) || modifies_common_noun(doc, &toks, run_end) {
            return Some(Mention { span: span(first, last), kind: Kind::Nominal, from: phrase_from });
        }
        // role words, then a name at the end: take the final run
        if capitalized(doc.word(last)) {
            let start = toks.iter().rposition(|t| !capitalized(doc.word(*t))).map_or(0, |p| p + 1);
            let pre = doc.bare(toks[start.saturating_sub(1)]);
            if !matches!(pre.as_str(), "of" | "the" | "at" | "for" | "from" | "in" | "with" | "and") {
                return Some(Mention { span: span(toks[start], last), kind: Kind::Name, from: phrase_from });
            }
            // "Secretary of State Antony Blinken", "Minister of Foreign Affairs Sergey Lavrov":
            // after "of" the organization runs into the name; a run of three or more
            // capitalized words ends with a given name and a surname.
            if pre == "of" && toks.len() - start >= 3 {
                return Some(Mention { span: span(toks[toks.len() - 2], last), kind: Kind::Name, from: phrase_from });
            }
        }
        return Some(Mention { span: span(first, toks[run_end - 1]), kind: Kind::Name, from: phrase_from });
    }
    if toks.len() > 9 {
        return None;
    }
    // determiner or role words first
    let lowercase_start = !capitalized(words[0]);
    if lowercase_start && !DETERMINER_SET.contains(b0.as_str()) && !b0.chars().next().is_some_and(|c| c.is_numeric()) {
        // "panel chairman Jane Roe": role words are fine when a name ends the phrase
        if !capitalized(doc.word(last)) {
            return None;
        }
    }
    if capitalized(doc.word(last)) {
        let start = toks.iter().rposition(|t| !capitalized(doc.word(*t))).map_or(0, |p| p + 1);
        let pre = doc.bare(toks[start.saturating_sub(1)]);
        if start > 0 && !matches!(pre.as_str(), "of" | "at" | "for" | "from" | "in" | "with" | "and") {
            if pre == "the" || pre == "a" {
                // "the Kremlin", "the Washington Post"
                return Some(Mention { span: span(toks[start - 1], last), kind: Kind::Name, from: phrase_from });
            }
            return Some(Mention { span: span(toks[start], last), kind: Kind::Name, from: phrase_from });
        }
    }
    Some(Mention { span: span(first, last), kind: Kind::Nominal, from: phrase_from })
}

/// The subject of the verb at `toks[k]`, read backwards within its clause.
fn subject_before(doc: &Doc, toks: &[Tok], k: usize, cross_preps: bool) -> Option<Mention> {
    let mut j = k;
    let mut skipped = 0;
    while j > 0 && skipped < 3 {
        let b = doc.bare(toks[j - 1]);
        if AUX_SET.contains(b.as_str()) || (b.ends_with("ly") && b.len() > 4 && !capitalized(doc.word(toks[j - 1]))) {
            if ends_clause(doc.word(toks[j - 1])) {
                break;
            }
            j -= 1;
            skipped += 1;
        } else {
            break;
        }
    }
    if j == 0 {
        return None;
    }
    // Appositions closed by a comma right before the verb: "Ann Lee, an economist, said",
    // "Ann Lee, the attorney general of Ohio, one of the states suing, said"
    let mut end = j;
    let mut rounds = 0;
    while ends_with_comma(doc.word(toks[end - 1])) && rounds < 3 {
        let mut i = end - 1;
        let mut found = None;
        while i > 0 && end - i < 30 {
            i -= 1;
            let w = doc.word(toks[i]);
            if is_quote_tok(w) || (ends_clause(w) && !ends_with_comma(w)) {
                break;
            }
            if ends_with_comma(w) {
                found = Some(i + 1);
                break;
            }
        }
        let looks_apposition = found.is_some_and(|f| {
            let a = doc.bare(toks[f]);
            let w = doc.word(toks[f]);
            // a party tag: "R-Ky.,"
            let tag = f + 1 == end && w.contains('-') && w.chars().count() <= 8;
            // "Jane Roe, Lee's spokeswoman, said": whose role it is, then the role
            let whose = (w.ends_with("'s") || w.ends_with("\u{2019}s"))
                && toks[f + 1..end].iter().any(|t| !capitalized(doc.word(*t)));
            DETERMINER_SET.contains(a.as_str())
                || whose
                || a.chars().next().is_some_and(|c| c.is_numeric())
                || tag
                || (!capitalized(w) && !matches!(a.as_str(), "that" | "which" | "and" | "but" | "or" | "so"))
        });
        match found {
            Some(f) if looks_apposition => end = f,
            _ if rounds == 0 => return None,
            _ => break,
        }
        rounds += 1;
    }
    let mut i = end;
    while i > 0 && end - i < 12 {
        let w = doc.word(toks[i - 1]);
        if is_quote_tok(w) || (i < end && ends_clause(w)) {
            break;
        }
        let b = bare(w);
        let prep = matches!(b.as_str(), "of" | "in" | "at" | "for" | "from" | "with" | "on");
        // "Mr. Morgan of the Sierra Club said", "one of the officials said"
        let of_phrase = b == "of" && i < end && i > 1;
        let keep_going = of_phrase || (b == "that" && i == end) || (prep && cross_preps);
        if SUBORDINATOR_SET.contains(b.as_str()) && !keep_going {
            break;
        }
        if w.ends_with(['\u{2014}', '\u{2015}', '-']) && w.chars().count() == 1 {
            break;
        }
        i -= 1;
    }
    if i == end {
        return None;
    }
    let phrase = &toks[i..end];
    if matches!(doc.bare(toks[end - 1]).as_str(), "and" | "or" | "but" | "nor") {
        return None;
    }
    if phrase.len() > 9 {
        // too long to be a subject: take the name or pronoun right before the verb
        let run = phrase.iter().rposition(|t| !capitalized(doc.word(*t))).map_or(0, |p| p + 1);
        if run < phrase.len() {
            return mention_from(doc, &phrase[run..]);
        }
        return None;
    }
    let m = mention_from(doc, phrase)?;
    // "NAME, who said" — the relative pronoun stands for the name
    Some(m)
}

/// The subject after an inverted verb ("said Jane Roe, an economist").
fn subject_after(doc: &Doc, toks: &[Tok], k: usize) -> Option<Mention> {
    let mut out = Vec::new();
    for (n, &t) in toks.iter().enumerate().skip(k + 1).take(12) {
        let w = doc.word(t);
        if is_quote_tok(w) {
            break;
        }
        let b = bare(w);
        // "said Secretary of State Antony Blinken": a title's "of" before a capitalized word
        let title_of = b == "of" && toks.get(n + 1).is_some_and(|t| capitalized(doc.word(*t)));
        if !out.is_empty()
            && !capitalized(w)
            && !title_of
            && matches!(
                b.as_str(),
                "on" | "in"
                    | "at"
                    | "during"
                    | "after"
                    | "before"
                    | "who"
                    | "that"
                    | "when"
                    | "while"
                    | "as"
                    | "to"
                    | "about"
                    | "of"
            )
        {
            break;
        }
        out.push(t);
        if ends_clause(w) || w.ends_with(['\u{2014}', ')']) {
            break;
        }
    }
    if out.is_empty() {
        return None;
    }
    let first = doc.word(out[0]);
    let b0 = bare(first);
    // "asked about Russia's ...": what follows a preposition is not who spoke
    if matches!(b0.as_str(), "about" | "of" | "on" | "in" | "at" | "to" | "for" | "with" | "from" | "over") {
        return None;
    }
    let role_then_name = out.iter().take(5).any(|t| capitalized(doc.word(*t)));
    if !(capitalized(first)
        || DETERMINER_SET.contains(b0.as_str())
        || b0.chars().next().is_some_and(|c| c.is_numeric())
        || role_then_name)
    {
        return None;
    }
    if is_pronoun(&b0) && !matches!(b0.as_str(), "he" | "she" | "they" | "it" | "we" | "i") {
        return None;
    }
    mention_from(doc, &out)
}

// ---------------------------------------------------------------------------------------------
// Resolution

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
}

#[derive(Clone, Debug)]
struct Named {
    pos: usize,
    name: String,
    org: bool,
}

#[derive(Clone, Debug)]
struct Recent {
    pos: usize,
    entity: String,
    org: bool,
}

#[derive(Default)]
struct Resolver {
    /// Names of two or more words (and single words that match one), in document order.
    names: Vec<Named>,
    /// role head ("spokesman") → (position, role words, name)
    roles: HashMap<String, Vec<(usize, String, String)>>,
    /// folded surname → gender (`None` when people of both genders share the surname)
    genders: HashMap<String, Option<Gender>>,
    /// folded words written capitalized somewhere other than at the start of a sentence
    capitalized_inside: HashSet<String>,
    /// words written in lower case somewhere
    lower_case: HashSet<String>,
    /// speakers resolved so far, in document order
    recent: Vec<Recent>,
    /// entity key of each full (two-word or longer) person name → indexes into `names`
    by_key: HashMap<String, Vec<usize>>,
    /// where each sentence starts, in order
    sentence_starts: Vec<usize>,
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
    fn build(doc: &Doc, blocks: &[Span], sentences: &[Sentence]) -> Resolver {
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
                    r.lower_case.insert(doc.bare(*t));
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
            && self.lower_case.contains(&bare(&words[0]));
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

    fn resolve(&mut self, doc: &Doc, m: Mention) -> Speaker {
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

// ---------------------------------------------------------------------------------------------
// Finding the attribution of a quote

/// Where a speech verb was found: its subject.
struct Cue {
    mention: Mention,
}

/// `"...," X said` / `"...," said X` / `"..." ― X` right after a quote.
fn after_quote(doc: &Doc, q: &Quote, block: Span) -> Option<Cue> {
    let inner = q.span.slice(doc.text).trim_end();
    let closed_sentence = inner.ends_with('.') || inner.ends_with('\u{2026}');
    let limit = (q.outer.end + 400).min(block.end);
    let toks = doc.tokens(q.outer.end, limit);
    let toks: Vec<Tok> = toks.into_iter().take_while(|t| !is_quote_tok(doc.word(*t))).take(40).collect();
    let first = *toks.first()?;
    let mut k0 = 0;
    let w0 = doc.word(first);
    // dash attribution: "..." ― Jane Roe
    if matches!(w0, "\u{2015}" | "\u{2014}" | "\u{2013}" | "--" | "-") || w0.starts_with('\u{2015}') {
        let rest: Vec<Tok> = toks[1..].iter().copied().take_while(|t| capitalized(doc.word(*t))).take(5).collect();
        let cut = rest.iter().position(|t| ends_clause(doc.word(*t))).map_or(rest.len(), |p| p + 1);
        if cut > 0 {
            let m = mention_from(doc, &rest[..cut])?;
            return Some(Cue { mention: m });
        }
        return None;
    }
    if w0 == "," || w0 == "\u{2014}" {
        k0 = 1;
    }
    let tk0 = *toks.get(k0)?;
    if closed_sentence && capitalized(doc.word(tk0)) {
        // a new sentence starts after the quote
        let b = doc.bare(tk0);
        if !(is_speech_verb(&b) && toks.get(k0 + 1).is_some_and(|t| capitalized(doc.word(*t)))) {
            return None;
        }
    }
    // inverted: said X
    let bk = doc.bare(tk0);
    if is_speech_verb(&bk) && !is_participle(&bk) {
        let m = subject_after(doc, &toks, k0)?;
        return Some(Cue { mention: m });
    }
    // X [, apposition,] said
    for k in k0 + 1..toks.len().min(k0 + 36) {
        let w = doc.word(toks[k]);
        let b = bare(w);
        if is_speech_verb(&b) && !is_participle(&b) && !capitalized(w) {
            let m = subject_before(doc, &toks[k0..], k - k0, true)?;
            // the subject must open right after the quote, or after a comma: "" of the plan, Ann Lee said"
            let p = toks.iter().position(|t| t.start == m.from)?;
            if p != k0 && !ends_with_comma(doc.word(toks[p - 1])) {
                return None;
            }
            return Some(Cue { mention: m });
        }
        if ends_clause(w) && !ends_with_comma(w) {
            break;
        }
    }
    None
}

/// The end of the cue phrase starting at the verb: "told reporters", "said in a statement".
fn cue_end(doc: &Doc, toks: &[Tok], k: usize) -> usize {
    let v = doc.bare(toks[k]);
    if matches!(v.as_str(), "told" | "tells" | "tell" | "telling") {
        if let Some(t) = toks.get(k + 1) {
            if !is_quote_tok(doc.word(*t)) {
                return t.end - (doc.word(*t).len() - doc.word(*t).trim_end_matches([',', ':', '.']).len());
            }
        }
    }
    toks[k].end
}

/// `X said: "..."`, `X said, "..."`, `Said X: "..."`, `according to X, "..."`,
/// or (for partial quotes) any speech verb with a subject earlier in the clause.
fn before_quote(doc: &Doc, from: usize, to: usize, partial: bool) -> Option<Cue> {
    // A speech verb wins over a nearer weak verb: in "Ushakov said Putin will demand a
    // "binding" pact", the words are reported by Ushakov.
    before_quote_with(doc, from, to, partial, false).or_else(|| {
        if partial {
            before_quote_with(doc, from, to, true, true)
        } else {
            None
        }
    })
}

fn before_quote_with(doc: &Doc, from: usize, to: usize, partial: bool, weak: bool) -> Option<Cue> {
    let toks = doc.tokens(from, to);
    if toks.is_empty() {
        return None;
    }
    let n = toks.len();
    let last = doc.word(toks[n - 1]);
    if is_quote_tok(last) {
        return None;
    }
    // according to X,
    for k in (0..n).rev().take(10) {
        if doc.bare(toks[k]) == "according" && toks.get(k + 1).is_some_and(|t| doc.bare(*t) == "to") {
            let m = subject_after(doc, &toks, k + 1)?;
            return Some(Cue { mention: m });
        }
    }
    let window = if partial { 24 } else { 10 };
    let mut k = n;
    while k > 0 && n - k < window {
        k -= 1;
        let w = doc.word(toks[k]);
        if is_quote_tok(w) {
            return None;
        }
        if k + 1 < n && ends_clause(w) && !ends_with_comma(w) && !w.ends_with(':') {
            return None;
        }
        if matches!(w, "--" | "\u{2014}" | "\u{2015}" | "\u{2013}") {
            return None;
        }
        let b = bare(w);
        // another clause begins here: what lies further left is not this quote's frame
        let new_clause = matches!(
            b.as_str(),
            "but"
                | "as"
                | "when"
                | "while"
                | "because"
                | "although"
                | "though"
                | "after"
                | "before"
                | "if"
                | "until"
                | "unless"
                | "whereas"
        ) || (b == "and" && k > 0 && ends_with_comma(doc.word(toks[k - 1])));
        // "said A but that B" is a second clause of the same report; "said as much" begins none
        let next = toks.get(k + 1).map(|t| doc.bare(*t)).unwrap_or_default();
        let new_clause = new_clause && next != "that" && !(b == "as" && matches!(next.as_str(), "much" | "well"));
        // "X told them that if ..., Y would ...": the condition sits inside X's reported clause
        let inside_that = k > 0 && doc.bare(toks[k - 1]) == "that";
        if new_clause && !inside_that {
            return None;
        }
        let put_it = b == "put" && toks.get(k + 1).is_some_and(|t| doc.bare(*t) == "it");
        let verb = is_speech_verb(&b) || put_it || (weak && WEAK_SET.contains(b.as_str()));
        // "Washington would respond with "..."": a hypothetical act, not an utterance
        let hypothetical =
            k > 0 && matches!(doc.bare(toks[k - 1]).as_str(), "would" | "could" | "might" | "should" | "may" | "must");
        if !verb || hypothetical {
            continue;
        }
        if capitalized(w) && k == 0 {
            // "Said Jane Roe: "
            if let Some(m) = subject_after(doc, &toks, k) {
                return Some(Cue { mention: m });
            }
            continue;
        }
        if is_participle(&b) {
            // "..., adding, "..."" — the subject is that of the main clause: keep looking left
            if k > 0 && ends_with_comma(doc.word(toks[k - 1])) {
                if let Some(m) = (0..k)
                    .rev()
                    .any(|j| is_speech_verb(&doc.bare(toks[j])))
                    .then_some(())
                    .map_or_else(|| clause_subject(doc, &toks[..k]), |_| None)
                {
                    return Some(Cue { mention: m });
                }
                continue;
            }
            if let Some(m) = subject_before(doc, &toks, k, false) {
                return Some(Cue { mention: m });
            }
            continue;
        }
        if let Some(m) = subject_before(doc, &toks, k, false) {
            return Some(Cue { mention: m });
        }
        // "said X:" inverted at the end: only the name stands between the verb and the quote
        // (in "A said Biden had made "..."", Biden is the subject of another clause)
        let only_name_follows =
            |m: &Mention| doc.frame.get(m.span.end..to).is_some_and(|s| s.chars().all(|c| !c.is_alphanumeric()));
        if let Some(m) = subject_after(doc, &toks, k).filter(|m| m.kind == Kind::Name && only_name_follows(m)) {
            return Some(Cue { mention: m });
        }
    }
    None
}

/// The subject that opens a clause: "[In a speech,] Trump attacked ...", "He then defended ...",
/// "Dean, a former chairman, poked ..." — a name or pronoun followed by a lower-case verb or an apposition.
fn clause_subject(doc: &Doc, toks: &[Tok]) -> Option<Mention> {
    let start = toks
        .iter()
        .rposition(|t| is_quote_tok(doc.word(*t)) || (ends_clause(doc.word(*t)) && !ends_with_comma(doc.word(*t))))
        .map_or(0, |p| p + 1);
    let mut i = start;
    // an introductory phrase: "In an August speech,"
    if let Some(t) = toks.get(i) {
        let b = doc.bare(*t);
        if CONNECTIVE_SET.contains(b.as_str()) || SUBORDINATOR_SET.contains(b.as_str()) {
            let comma = toks[i..].iter().take(10).position(|t| ends_with_comma(doc.word(*t)))?;
            i += comma + 1;
        }
    }
    let first = *toks.get(i)?;
    let b = doc.bare(first);
    if matches!(b.as_str(), "he" | "she" | "they" | "i" | "we") {
        return mention_from(doc, &toks[i..=i]);
    }
    if !capitalized(doc.word(first)) || DETERMINER_SET.contains(b.as_str()) {
        return None;
    }
    let mut j = i;
    while j < toks.len() && j - i < 5 && capitalized(doc.word(toks[j])) {
        j += 1;
        if ends_with_comma(doc.word(toks[j - 1])) {
            break;
        }
    }
    let next = toks.get(j).map(|t| doc.word(*t))?;
    let last = doc.word(toks[j - 1]);
    if ends_with_comma(last) || next.chars().next().is_some_and(|c| c.is_lowercase()) {
        return mention_from(doc, &toks[i..j]);
    }
    None
}

fn make_frame(text: &str, quotes: &[Quote]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for q in quotes {
        if q.outer.end <= bytes.len() && text.is_char_boundary(q.outer.start) && text.is_char_boundary(q.outer.end) {
            for b in &mut bytes[q.outer.start..q.outer.end] {
                *b = Q;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

fn block_of(blocks: &[Span], offset: usize) -> usize {
    let i = blocks.partition_point(|b| b.end <= offset);
    i.min(blocks.len().saturating_sub(1))
}

/// Fills in each quote's speaker and returns the reported-speech attributions.
pub fn attribute(text: &str, blocks: &[Span], sentences: &[Sentence], quotes: &mut [Quote]) -> Vec<Attribution> {
    if blocks.is_empty() || sentences.is_empty() {
        return Vec::new();
    }
    let doc = Doc::new(text, make_frame(text, quotes));
    let mut resolver = Resolver::build(&doc, blocks, sentences);
    let mut attributions = Vec::new();
    let mut qi = 0;
    // speaker of the last quote, and the block it was in
    let mut last_quote: Option<(usize, Speaker, usize)> = None; // (block, speaker, quote index)
    for (si, sent) in sentences.iter().enumerate() {
        while qi < quotes.len() && quotes[qi].sentence <= si {
            let bi = block_of(blocks, quotes[qi].outer.start);
            let speaker = quote_speaker(&doc, blocks, sentences, quotes, qi, bi, &mut resolver, last_quote.as_ref());
            if let Some(s) = &speaker {
                last_quote = Some((bi, s.clone(), qi));
            }
            quotes[qi].speaker = speaker;
            qi += 1;
        }
        if let Some(a) = reported(&doc, sent, si, quotes, &mut resolver) {
            attributions.push(a);
        }
    }
    attributions
}

#[allow(clippy::too_many_arguments)]
fn quote_speaker(
    doc: &Doc,
    blocks: &[Span],
    sentences: &[Sentence],
    quotes: &[Quote],
    qi: usize,
    bi: usize,
    resolver: &mut Resolver,
    last: Option<&(usize, Speaker, usize)>,
) -> Option<Speaker> {
    let q = &quotes[qi];
    let block = blocks[bi];
    let sent = sentences.get(q.sentence).map_or(block, |s| s.span);
    let from = sent.start.max(block.start).min(q.outer.start);
    let from = crate::text::floor_char_boundary(&doc.frame, from.max(q.outer.start.saturating_sub(400)));
    // a partial quote belongs to the clause that holds it: look left first
    let cue = if q.partial {
        before_quote(doc, from, q.outer.start, true).or_else(|| after_quote(doc, q, block))
    } else {
        after_quote(doc, q, block).or_else(|| before_quote(doc, from, q.outer.start, false))
    };
    if let Some(c) = cue {
        return Some(resolver.resolve(doc, c.mention));
    }
    // same paragraph: the previous quote's speaker
    let block_start = doc.frame.get(block.start..q.outer.start).is_some_and(|s| s.trim().is_empty());
    if let Some((lb, s, lq)) = last {
        if *lb == bi && !q.partial {
            return Some(s.clone());
        }
        // a continuation piece, or a paragraph that is only a quote after a quoted paragraph
        if block_start && *lb + 1 == bi && !q.partial {
            let prev = &quotes[*lq];
            let prev_block = blocks[*lb];
            let prev_at_end = doc.frame.get(prev.outer.end..prev_block.end).is_some_and(|s| s.trim().len() <= 1)
                || doc.frame.get(prev.outer.end..prev_block.end).is_some_and(after_is_attribution_only);
            let rest_is_quotes = doc
                .frame
                .get(q.outer.end..block.end)
                .is_some_and(|s| s.chars().all(|c| c as u32 == Q as u32 || c.is_whitespace() || !c.is_alphanumeric()));
            if prev_at_end && rest_is_quotes {
                return Some(s.clone());
            }
        }
    }
    // lead-in paragraph ending with a colon: "The minister continued:"
    if block_start && bi > 0 {
        let prev = blocks[bi - 1];
        if doc.frame.get(prev.start..prev.end).is_some_and(|s| s.trim_end().ends_with(':')) {
            let from = prev.end.saturating_sub(300).max(prev.start);
            let from = crate::text::floor_char_boundary(&doc.frame, from);
            if let Some(c) = before_quote(doc, from, prev.end, false) {
                return Some(resolver.resolve(doc, c.mention));
            }
        }
    }
    None
}

/// `", she said."` — nothing but an attribution follows the quote.
fn after_is_attribution_only(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() <= 6 && words.iter().any(|w| is_speech_verb(&bare(w)))
}

/// Reported speech in one sentence.
fn reported(doc: &Doc, sent: &Sentence, si: usize, quotes: &[Quote], resolver: &mut Resolver) -> Option<Attribution> {
    let toks = doc.tokens(sent.span.start, sent.span.end);
    if toks.len() < 3 {
        return None;
    }
    let n = toks.len();
    let trim_end = |e: usize| {
        let seg = doc.text.get(sent.span.start..e).unwrap_or("");
        sent.span.start
            + seg.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | ';' | ':' | '!' | '?')).len()
    };
    let content_span = |a: usize, b: usize| -> Option<Span> {
        let s = tidy_content(doc, Span::new(a, b), quotes);
        (s.len() >= 3).then_some(s)
    };
    // according to X, CONTENT / CONTENT, according to X
    for k in 0..n.saturating_sub(2) {
        if doc.bare(toks[k]) == "according" && doc.bare(toks[k + 1]) == "to" {
            let m = subject_after(doc, &toks, k + 1)?;
            let cue = Span::new(toks[k].start, toks[k + 1].end);
            let content = if k == 0 || (k == 1 && CONNECTIVE_SET.contains(doc.bare(toks[0]).as_str())) {
                let after =
                    toks.iter().position(|t| t.end >= m.span.end && ends_with_comma(doc.word(*t))).map(|p| p + 1);
                let start = after.and_then(|p| toks.get(p)).map(|t| t.start)?;
                content_span(start, trim_end(sent.span.end))?
            } else {
                content_span(sent.span.start, trim_end(toks[k].start))?
            };
            let speaker = resolver.resolve(doc, m);
            return Some(Attribution { content, cue, speaker, sentence: si });
        }
    }
    for k in 1..n {
        let w = doc.word(toks[k]);
        let b = bare(w);
        if !is_speech_verb(&b) || is_participle(&b) || capitalized(w) || unspoken(&doc.bare(toks[k - 1])) {
            continue;
        }
        let Some(m) = subject_before(doc, &toks, k, false) else {
            // CONTENT, said X.
            if k >= 2 && ends_with_comma(doc.word(toks[k - 1])) {
                // the name must end the sentence or open an apposition: in "..., said Lee
                // would go", Lee is the subject of the reported clause
                let closes =
                    |m: &Mention| toks.iter().find(|t| t.end >= m.span.end).is_some_and(|t| ends_clause(doc.word(*t)));
                if let Some(m) = subject_after(doc, &toks, k).filter(|m| m.kind == Kind::Name && closes(m)) {
                    let content = content_span(sent.span.start, trim_end(toks[k - 1].end))?;
                    let cue = Span::new(toks[k].start, toks[k].end);
                    let speaker = resolver.resolve(doc, m);
                    return Some(Attribution { content, cue, speaker, sentence: si });
                }
            }
            continue;
        };
        let cue_to = cue_end(doc, &toks, k);
        let mut c = toks.iter().position(|t| t.start >= cue_to).unwrap_or(n);
        // skip "that", and "reporters that" / "Reuters on Friday that"
        let that = toks[c.min(n)..].iter().take(6).position(|t| doc.bare(*t) == "that");
        if let Some(p) = that {
            c += p + 1;
        }
        // "X said in an interview", "X said as arranger": a phrase about the telling, not what was told
        let about_telling =
            that.is_none() && toks.get(c).is_some_and(|t| PREPOSITIONS.contains(&doc.bare(*t).as_str()));
        let before_subject = m.span.start;
        let content = if c < n && !ends_clause(doc.word(toks[k])) && !about_telling {
            content_span(toks[c].start, trim_end(sent.span.end))
        } else {
            None
        };
        let content = content.or_else(|| {
            // CONTENT, X said.
            let prev = toks.iter().rposition(|t| t.end <= before_subject)?;
            if !ends_with_comma(doc.word(toks[prev])) {
                return None;
            }
            content_span(sent.span.start, trim_end(toks[prev].end))
        })?;
        let cue = Span::new(toks[k].start, cue_to);
        let speaker = resolver.resolve(doc, m);
        return Some(Attribution { content, cue, speaker, sentence: si });
    }
    None
}

/// Words that open a phrase about the telling rather than what was told.
const PREPOSITIONS: &[&str] =
    &["in", "at", "on", "during", "after", "before", "as", "to", "for", "with", "from", "by", "of", "about", "via"];

/// A speech verb after these was not (yet) said by its subject: "X was asked", "X will
/// announce", "X is expected to say".
fn unspoken(before_verb: &str) -> bool {
    matches!(
        before_verb,
        "was"
            | "were"
            | "is"
            | "are"
            | "be"
            | "been"
            | "being"
            | "will"
            | "would"
            | "could"
            | "can"
            | "may"
            | "might"
            | "should"
            | "must"
            | "shall"
            | "to"
    )
}

/// A content span: the inner span of a quote when the content is wholly that quote.
fn tidy_content(doc: &Doc, s: Span, quotes: &[Quote]) -> Span {
    let s = {
        let seg = s.slice(doc.text);
        let lead = seg.len() - seg.trim_start().len();
        Span::new(s.start + lead, s.start + lead + seg.trim().len())
    };
    let i = quotes.partition_point(|q| q.outer.end <= s.start);
    if let Some(q) = quotes.get(i) {
        if q.outer.start <= s.start && s.end <= q.outer.end + 1 && q.outer.len() + 1 >= s.len() {
            return q.span;
        }
    }
    s
}

#[cfg(test)]
mod tests {
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
        let t = "Mayor Wants Lund\u{2019}s Written Promise on Harbour Fees\n\nThe council met President Lund on Monday.\n\n\
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
        let t =
            "Ravi Menon said:\n\n\u{201C}The river rose overnight.\n\n\u{201C}By morning the road was gone.\u{201D}";
        assert_eq!(who(t), vec![some("Ravi Menon"), some("Ravi Menon")]);
    }

    #[test]
    fn second_quote_in_paragraph() {
        let t = "\u{201C}It was close,\u{201D} said Hugo Brandt. \u{201C}Too close.\u{201D}";
        let s = speakers(t);
        assert_eq!(s[1].1, some("Hugo Brandt"));
    }

    #[test]
    fn surname_resolves_to_full_name() {
        let t = "Kremlin aide Ivan Sorokin spoke on Tuesday.\n\n\u{201C}Nothing has changed,\u{201D} Sorokin told reporters.";
        assert_eq!(who(t), vec![some("Ivan Sorokin")]);
    }

    #[test]
    fn role_resolves_through_title() {
        let t = "Fisheries Minister Ola Dahl visited the coast.\n\n\u{201C}The quota stays,\u{201D} the minister said.";
        assert_eq!(who(t), vec![some("Ola Dahl")]);
        let t = "Ola Dahl, the fisheries minister, visited the coast.\n\n\u{201C}The quota stays,\u{201D} the minister said.";
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
            let doc = super::Doc::new("", t.clone());
            let got: Vec<(usize, usize)> = doc.tokens(a, b).iter().map(|k| (k.start, k.end)).collect();
            let want: Vec<(usize, usize)> = super::tokenize(&t, a, b).iter().map(|k| (k.start, k.end)).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn an_empty_range_inside_a_word_has_no_words() {
        let doc = super::Doc::new("", " \u{e9}\u{7}\u{7}\u{7}\u{7}".to_string());
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
}
