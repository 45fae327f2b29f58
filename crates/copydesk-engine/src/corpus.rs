//! The corpus in memory: analyzed source documents and the indexes that find
//! evidence for a claim without scanning the corpus.

use crate::text::LineIndex;
use crate::{analyze, Analysis, TextFormat};
use serde::{Deserialize, Serialize};

/// A source document as the store hands it over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDoc {
    /// Path as shown to the user (relative to the workspace where possible).
    pub path: String,
    pub text: String,
    pub format: TextFormat,
    pub title: Option<String>,
    pub date: Option<String>,
}

/// A source document with its claims extracted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalyzedSource {
    pub doc: SourceDoc,
    pub analysis: Analysis,
    #[serde(skip)]
    pub lines: LineIndex,
}

impl AnalyzedSource {
    pub fn new(doc: SourceDoc) -> Self {
        let analysis = analyze(&doc.text, doc.format);
        let lines = LineIndex::new(&doc.text);
        AnalyzedSource { doc, analysis, lines }
    }

    /// Rebuilds what is not serialized (after loading from a persistent index).
    pub fn restore(doc: SourceDoc, analysis: Analysis) -> Self {
        let lines = LineIndex::new(&doc.text);
        AnalyzedSource { doc, analysis, lines }
    }
}

/// Identifies a document slot in a [`CorpusIndex`].
pub type DocId = u32;

/// Analyzed sources and the inverted indexes over their claims.
#[derive(Default)]
pub struct CorpusIndex {
    docs: Vec<Option<AnalyzedSource>>,
}

impl CorpusIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn build(sources: Vec<AnalyzedSource>) -> Self {
        let mut idx = Self::new();
        for s in sources {
            idx.insert(s);
        }
        idx
    }

    /// Adds a document, replacing any with the same path.
    pub fn insert(&mut self, source: AnalyzedSource) -> DocId {
        self.remove(&source.doc.path.clone());
        self.docs.push(Some(source));
        (self.docs.len() - 1) as DocId
    }

    /// Removes the document with this path; true when there was one.
    pub fn remove(&mut self, path: &str) -> bool {
        for slot in self.docs.iter_mut() {
            if slot.as_ref().is_some_and(|d| d.doc.path == path) {
                *slot = None;
                return true;
            }
        }
        false
    }

    pub fn len(&self) -> usize {
        self.docs.iter().filter(|d| d.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, id: DocId) -> Option<&AnalyzedSource> {
        self.docs.get(id as usize).and_then(Option::as_ref)
    }

    pub fn iter(&self) -> impl Iterator<Item = (DocId, &AnalyzedSource)> {
        self.docs.iter().enumerate().filter_map(|(i, d)| d.as_ref().map(|d| (i as DocId, d)))
    }
}
