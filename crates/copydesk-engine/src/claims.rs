//! What the extractors find: quantities, quotes and attributions, with spans
//! into the original text. Plain data, serializable for the persistent index.

use crate::text::Span;
use serde::{Deserialize, Serialize};

/// How a modifier bounds a figure ("about", "more than", "up to", ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Modifier {
    /// The figure as stated, no qualifier.
    #[default]
    Exact,
    /// about, around, roughly, some, approximately, an estimated, nearly-or-over
    Approximate,
    /// more than, over, above, upwards of (strictly greater)
    MoreThan,
    /// at least, no fewer than (greater or equal)
    AtLeast,
    /// fewer than, less than, under, below (strictly less)
    LessThan,
    /// up to, as many as, at most, no more than (less or equal)
    AtMost,
    /// nearly, almost, close to, just under (a little below)
    Nearly,
}

/// What sort of quantity a figure is; only quantities of one kind are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantityKind {
    /// A count or amount of something (troops, people, tonnes, dollars).
    Amount,
    /// A percentage or share ("40 percent", "a third").
    Percent,
    /// A calendar year ("in 2014").
    Year,
    /// A day of a month ("June 16").
    Date,
    /// An ordinal ("the third", "21st").
    Ordinal,
}

/// A figure stated in a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quantity {
    /// The figure as written, without its modifier: "94,300", "1.2 million", "a third".
    pub span: Span,
    /// The modifier as written ("more than"), if any.
    pub modifier_span: Option<Span>,
    pub modifier: Modifier,
    pub kind: QuantityKind,
    /// The stated value in base units (1.2 million → 1_200_000; 40 percent → 40; a third → 33.33).
    pub value: f64,
    /// The range the statement allows once its modifier and ordinary rounding are applied.
    pub low: f64,
    pub high: f64,
    /// What it counts, normalized to a singular lower-case head noun ("troop", "dlr", "pct"),
    /// or a currency ("usd") for money; None when nothing could be found.
    pub unit: Option<String>,
    /// The unit as written in the text, for messages ("troops").
    pub unit_text: Option<String>,
    /// Index of the sentence holding the figure.
    pub sentence: usize,
}

/// A person or organization to whom words are attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The mention as written: "he", "the newspaper", "Peskov".
    pub span: Span,
    pub text: String,
    /// The resolved name ("Dmitry Peskov"), or the mention itself when nothing resolves it.
    pub entity: String,
    /// True when `entity` is only the mention (an unresolved pronoun or role).
    pub unresolved: bool,
}

/// Words inside quotation marks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words, without the quotation marks.
    pub span: Span,
    /// The span including the quotation marks (for reports).
    pub outer: Span,
    /// Sentence holding the opening mark.
    pub sentence: usize,
    pub speaker: Option<Speaker>,
    /// True when the quote is part of a sentence (a partial quote), not the whole utterance.
    pub partial: bool,
}

/// Reported speech: "X said (that) CONTENT", "according to X, CONTENT".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// The reported content.
    pub content: Span,
    /// The speech verb or phrase ("said", "told reporters", "according to").
    pub cue: Span,
    pub speaker: Speaker,
    pub sentence: usize,
}
