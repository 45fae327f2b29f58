//! What checking reads of a document beyond its claims, worked out on first use and kept
//! with its analysis: the content terms of each sentence and the document's proper names.
//! Neither depends on the corpus, so a draft checked again (a corpus change, a hover
//! waiting on a check, a batch run) does not read its text again.

use crate::frame::DocNames;
use crate::terms;
use crate::Analysis;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::OnceLock;

/// The derived readings of one analysis.
#[derive(Debug)]
pub struct Derived {
    /// Content terms of each sentence (sorted), as [`terms::content_terms`] gives them.
    pub sentence_terms: Vec<Vec<u64>>,
    /// The document's proper names.
    pub names: DocNames,
    /// A fingerprint of `names`: a verdict that read them holds while it is unchanged.
    pub names_fingerprint: u64,
}

impl Derived {
    fn of(analysis: &Analysis) -> Derived {
        let sentence_terms =
            analysis.sentences.iter().map(|s| terms::content_terms(&analysis.prose.masked, s.span)).collect();
        Derived::with_terms(analysis, sentence_terms)
    }

    /// The readings of `analysis`, given its sentences' terms.
    fn with_terms(analysis: &Analysis, sentence_terms: Vec<Vec<u64>>) -> Derived {
        let names = DocNames::of(analysis);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&names.all, &names.lead).hash(&mut h);
        Derived { sentence_terms, names, names_fingerprint: h.finish() }
    }
}

/// The cache of [`Derived`] an [`Analysis`] carries: empty until first read, never
/// serialized, and no part of the analysis's value (two analyses are equal whatever
/// their caches hold).
#[derive(Clone, Debug, Default)]
pub struct DerivedCache(OnceLock<std::sync::Arc<Derived>>);

impl PartialEq for DerivedCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Analysis {
    /// The derived readings of this analysis, worked out on first use.
    pub fn derived(&self) -> &Derived {
        self.derived.0.get_or_init(|| std::sync::Arc::new(Derived::of(self)))
    }

    /// After an edit replaced sentences `replaced` of the analysis before it with sentences
    /// `read` of this one (every other sentence is the same text, moved): the derived
    /// readings again, the terms of the sentences kept taken from `before` (the cache of the
    /// analysis before the edit) rather than worked out anew. Nothing is worked out if
    /// `before` held nothing: the readings are left to their first use.
    pub(crate) fn rederive(&mut self, before: DerivedCache, replaced: Range<usize>, read: Range<usize>) {
        let Some(old) = before.0.into_inner() else {
            self.derived = DerivedCache::default();
            return;
        };
        let mut sentence_terms = match std::sync::Arc::try_unwrap(old) {
            Ok(d) => d.sentence_terms,
            Err(shared) => shared.sentence_terms.clone(),
        };
        let masked = &self.prose.masked;
        sentence_terms.splice(replaced, self.sentences[read].iter().map(|s| terms::content_terms(masked, s.span)));
        let derived = Derived::with_terms(self, sentence_terms);
        self.derived = DerivedCache::default();
        let _ = self.derived.0.set(std::sync::Arc::new(derived));
    }
}
