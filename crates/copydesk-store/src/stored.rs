//! A source's analysis as stored: the same bytes in the embedded SQLite index and in the
//! PostgreSQL store (postcard of the document, its analysis and its sentence terms).

use anyhow::{Context, Result};
use copydesk_engine::corpus::{AnalyzedSource, SourceDoc};
use copydesk_engine::Analysis;

/// Serializes a source (its masked prose is stored once when it is the text itself).
pub fn encode(source: &mut AnalyzedSource) -> Result<Vec<u8>> {
    // Plain text is usually its own masked prose: stored once.
    let same = source.analysis.prose.masked == source.doc.text;
    let masked = if same { std::mem::take(&mut source.analysis.prose.masked) } else { String::new() };
    let r = postcard::to_allocvec(&(same, &source.doc, &source.analysis, &source.sentence_terms));
    if same {
        source.analysis.prose.masked = masked;
    }
    r.context("cannot serialize an analysis")
}

/// Decodes a stored source. Its sentence terms are stored too (computing them
/// is most of the cost of [`AnalyzedSource::restore`]); the line index is built on first use.
pub fn decode(blob: &[u8], path: String) -> Result<AnalyzedSource> {
    type Stored = (bool, SourceDoc, Analysis, Vec<Vec<u64>>);
    let (same, mut doc, mut analysis, sentence_terms): Stored = postcard::from_bytes(blob)?;
    if same {
        analysis.prose.masked = doc.text.clone();
    }
    anyhow::ensure!(sentence_terms.len() == analysis.sentences.len(), "sentence terms do not match the sentences");
    doc.path = path;
    Ok(AnalyzedSource::from_parts(doc, analysis, sentence_terms))
}

/// The document alone (path, text, format, title, date) of a stored analysis, read without
/// the analysis after it: what a build whose engine differs from the one that wrote it can
/// still use, to analyze the text again. Its path is set to `path`.
pub fn decode_document(blob: &[u8], path: String) -> Result<SourceDoc> {
    let ((_, mut doc), _rest): ((bool, SourceDoc), _) = postcard::take_from_bytes(blob)?;
    doc.path = path;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_engine::TextFormat;

    #[test]
    fn the_document_reads_back_alone_and_whole() {
        for text in ["Plain text. It said 5 workers left.\n", "# Title\n\n*Marked* text, 12 percent.\n"] {
            let doc = SourceDoc {
                path: "a".into(),
                text: text.into(),
                format: TextFormat::Markdown,
                title: Some("T".into()),
                date: None,
                layout: Default::default(),
            };
            let mut source = AnalyzedSource::deferred(doc.clone());
            let blob = encode(&mut source).unwrap();
            assert_eq!(decode_document(&blob, "b".into()).unwrap(), SourceDoc { path: "b".into(), ..doc.clone() });
            let back = decode(&blob, "a".into()).unwrap();
            assert_eq!(back.doc, doc);
            assert_eq!(back.sentence_terms, source.sentence_terms);
        }
    }
}
