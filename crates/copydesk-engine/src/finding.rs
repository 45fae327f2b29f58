//! The one result type every front end renders: a [`Finding`] with its evidence.

use crate::text::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a finding says is wrong (or unknown) about a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A figure that comparable source figures contradict.
    NumberMismatch,
    /// Words (a quote or a reported claim) given to a different speaker than the sources give them to.
    Misattribution,
    /// A quote whose words differ from the source's wording.
    Misquote,
    /// A figure no source states.
    UnsourcedNumber,
    /// A quote no source holds.
    UnsourcedQuote,
    /// The sources disagree among themselves about this claim.
    SourcesDisagree,
}

impl Code {
    pub const ALL: [Code; 6] = [
        Code::NumberMismatch,
        Code::Misattribution,
        Code::Misquote,
        Code::UnsourcedNumber,
        Code::UnsourcedQuote,
        Code::SourcesDisagree,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::NumberMismatch => "number-mismatch",
            Code::Misattribution => "misattribution",
            Code::Misquote => "misquote",
            Code::UnsourcedNumber => "unsourced-number",
            Code::UnsourcedQuote => "unsourced-quote",
            Code::SourcesDisagree => "sources-disagree",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Code::NumberMismatch | Code::Misattribution | Code::Misquote => Severity::Warning,
            Code::UnsourcedNumber | Code::UnsourcedQuote | Code::SourcesDisagree => Severity::Information,
        }
    }

    /// Contradictions are the codes that say the sources disagree with the draft.
    pub fn is_contradiction(self) -> bool {
        matches!(self, Code::NumberMismatch | Code::Misattribution | Code::Misquote)
    }

    /// Where the code is explained: its section of `docs/codes.md` in the repository.
    pub fn help_url(self) -> &'static str {
        macro_rules! page {
            ($anchor:literal) => {
                concat!("https://github.com/copydesk/copydesk/blob/main/docs/codes.md#", $anchor)
            };
        }
        match self {
            Code::NumberMismatch => page!("number-mismatch"),
            Code::Misattribution => page!("misattribution"),
            Code::Misquote => page!("misquote"),
            Code::UnsourcedNumber => page!("unsourced-number"),
            Code::UnsourcedQuote => page!("unsourced-quote"),
            Code::SourcesDisagree => page!("sources-disagree"),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Code::NumberMismatch => "a figure that comparable figures in the sources contradict",
            Code::Misattribution => "words given to a different speaker than the sources give them to",
            Code::Misquote => "a quote whose wording differs from the source",
            Code::UnsourcedNumber => "a figure no source states",
            Code::UnsourcedQuote => "a quote found in no source",
            Code::SourcesDisagree => "the sources disagree among themselves",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How loudly a finding is reported; `Off` drops it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
    Off,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
            Severity::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            "off" | "none" | "ignore" => Some(Severity::Off),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source sentence that bears on a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The source document's path as the corpus names it.
    pub path: String,
    /// 1-based line of the words in the source file; in a source read out of a PDF, the
    /// line within its page ([`Evidence::page`]).
    pub line: u32,
    /// 1-based page of the words, in a source read page by page (PDF).
    pub page: Option<u32>,
    /// Whether the source's text was read out of a document (PDF, DOCX): its lines are
    /// lines of that text, and the file is no text to open at one.
    pub extracted: bool,
    /// 1-based Unicode-character column of the relevant words in that line.
    pub column: u32,
    /// The source sentence, whitespace folded.
    pub text: String,
    /// Byte span of the relevant words (the figure, quote or speaker) in the source text.
    pub span: Span,
    /// Title and date of the source document where known.
    pub title: Option<String>,
    pub date: Option<String>,
}
impl Evidence {
    /// The source's path as the corpus names it, with forward slashes (a file name alone is
    /// ambiguous in an archive).
    pub fn source_path(&self) -> String {
        self.path.replace('\\', "/")
    }

    /// "news/clinic.md:5": the source's path and the line, as messages cite it; for a
    /// source read out of a document, its place in words ("filings/report.pdf, page 3,
    /// line 12", "memo.docx, line 4"), since `path:line` reads as a place to open in an editor.
    pub fn cite(&self) -> String {
        if self.extracted {
            format!("{}, {}", self.source_path(), self.place())
        } else {
            format!("{}:{}", self.source_path(), self.line)
        }
    }

    /// "page 3, line 12" in a source with pages, "line 12" in any other.
    pub fn place(&self) -> String {
        match self.page {
            Some(page) => format!("page {page}, line {}", self.line),
            None => format!("line {}", self.line),
        }
    }
}

/// A replacement the writer can accept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Byte span of the draft text to replace.
    pub span: Span,
    pub replacement: String,
}

/// One thing to tell the writer about one claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// Byte span of the flagged draft text.
    pub span: Span,
    /// The flagged draft text.
    pub text: String,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub suggestion: Option<Suggestion>,
}

/// What the sources say of one checked claim, found or not: the basis of hovers and findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Supported,
    Contradicted,
    Disputed,
    Unsourced,
}

/// Which kind of claim a verdict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    Quantity,
    Quote,
    Attribution,
}

/// The verdict on one draft claim: status, the sentences behind it, and the finding if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: ClaimKind,
    /// Byte span of the claim in the draft (the figure, the quote, or the speaker).
    pub span: Span,
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub finding: Option<Finding>,
    /// Why the verdict is what it is: the frames compared, the alignment, the speakers
    /// resolved; for an unsourced claim, why the nearest source was not comparable.
    #[serde(default)]
    pub reason: String,
}
