//! Writing a snapshot: the sections streamed to a temporary file with a digest per block,
//! the header (with those digests) written in front of them, then the file renamed into place.

use super::{block_digest, temp_path, Bucket, Header, Stamp, StoredDoc, BLOCK, DIGEST, MAGIC, PAGE, SECTIONS};
use anyhow::{ensure, Context, Result};
use copydesk_engine::corpus::FrozenCorpus;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

/// Writes a snapshot of `frozen` (whose documents are `docs`, by id) atomically.
pub fn write(path: &Path, stamp: Stamp, docs: &[StoredDoc], frozen: &FrozenCorpus) -> Result<()> {
    ensure!(docs.len() == frozen.paths.len(), "snapshot: {} documents for {} paths", docs.len(), frozen.paths.len());
    let tmp = temp_path(path, std::process::id());
    let result = (|| -> Result<()> {
        let lens = section_lengths(docs, frozen);
        let mut sections = Vec::with_capacity(SECTIONS);
        let mut at = 0u64;
        for len in lens {
            sections.push((at, len));
            at += len;
        }
        let data_len = at as usize;
        let mut start = 0u64;
        let buckets = frozen
            .figures
            .iter()
            .map(|(kind, unit, entries)| {
                let end = start + entries.len() as u64;
                // As the figure index's bucket works it out.
                let widest = entries.iter().map(|e| e.1 - e.0).fold(0.0, f64::max);
                let b = Bucket { kind: *kind, unit: unit.clone(), start, end, widest };
                start = end;
                b
            })
            .collect();
        let Stamp { fingerprint, generation, base } = stamp;
        let header = Header {
            fingerprint: fingerprint.to_string(),
            generation: generation.to_string(),
            base: base.to_string(),
            docs: docs.len() as u64,
            sections,
            buckets,
            blocks: data_len.div_ceil(BLOCK) as u64,
        };
        let head = postcard::to_allocvec(&header).context("cannot serialize the snapshot header")?;
        let head_len = head.len() as u64;
        // The block table follows the header; the sections start at the next page.
        let table_end = 48 + head.len() + header.blocks as usize * DIGEST;
        let data_start = table_end.next_multiple_of(PAGE);
        let mut file = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        file.seek(SeekFrom::Start(data_start as u64))?;
        let mut w = Blocks {
            inner: BufWriter::with_capacity(1 << 20, file),
            digests: Vec::new(),
            block: Vec::with_capacity(BLOCK),
        };
        write_sections(&mut w, docs, frozen)?;
        let (mut file, digests) = w.into_file()?;
        ensure!(
            digests.len() as u64 == header.blocks,
            "snapshot: {} blocks written for {}",
            digests.len(),
            header.blocks
        );
        let mut front = head;
        for d in &digests {
            front.extend_from_slice(d);
        }
        file.seek(SeekFrom::Start(0))?;
        file.write_all(MAGIC)?;
        file.write_all(blake3::hash(&front).as_bytes())?;
        file.write_all(&head_len.to_le_bytes())?;
        file.write_all(&front)?;
        file.write_all(&vec![0; data_start - table_end])?;
        file.sync_all()?;
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot move the snapshot into place", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The length in bytes of each section, in [`Section`] order (bytes padded to a multiple of 8).
fn section_lengths(docs: &[StoredDoc], f: &FrozenCorpus) -> [u64; SECTIONS] {
    let words = |n: usize| n as u64 * 8;
    let text = |strings: &mut dyn Iterator<Item = usize>| strings.sum::<usize>().next_multiple_of(8) as u64;
    let figures: usize = f.figures.iter().map(|b| b.2.len()).sum();
    [
        words(f.doc_sentences.len()),
        words(f.sentence_starts.len()),
        words(f.sentence_terms.len()),
        words(f.terms.len()),
        words(f.term_starts.len()),
        words(f.postings.len()),
        words(docs.len() + 1),
        text(&mut f.paths.iter().map(String::len)),
        words(docs.len() + 1),
        text(&mut docs.iter().map(|d| d.key.len())),
        words(docs.len() * 4),
        words(figures),
        words(figures),
        words(figures),
        words(figures),
    ]
}

fn write_sections(w: &mut Blocks<impl Write>, docs: &[StoredDoc], f: &FrozenCorpus) -> Result<()> {
    for array in [&f.doc_sentences, &f.sentence_starts, &f.sentence_terms, &f.terms, &f.term_starts, &f.postings] {
        w.u64s(array.iter().copied())?;
    }
    w.strings(f.paths.iter().map(String::as_str))?;
    w.strings(docs.iter().map(|d| d.key.as_str()))?;
    for d in docs {
        w.put(&d.hash)?;
    }
    let figures = || f.figures.iter().flat_map(|b| b.2.iter());
    w.u64s(figures().map(|e| e.0.to_bits()))?;
    w.u64s(figures().map(|e| e.1.to_bits()))?;
    w.u64s(figures().map(|e| (u64::from(e.2) << 32) | u64::from(e.3)))?;
    w.u64s(figures().map(|e| u64::from(e.4)))?;
    Ok(())
}

/// A writer of the sections that hashes them block by block.
struct Blocks<W: Write> {
    inner: W,
    digests: Vec<[u8; DIGEST]>,
    /// The current block's bytes.
    block: Vec<u8>,
}

impl<W: Write> Blocks<W> {
    fn put(&mut self, mut bytes: &[u8]) -> Result<()> {
        self.inner.write_all(bytes)?;
        while !bytes.is_empty() {
            let n = bytes.len().min(BLOCK - self.block.len());
            self.block.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.block.len() == BLOCK {
                self.digests.push(block_digest(&self.block));
                self.block.clear();
            }
        }
        Ok(())
    }

    fn u64s(&mut self, values: impl Iterator<Item = u64>) -> Result<()> {
        let mut buf = Vec::with_capacity(1 << 16);
        for v in values {
            buf.extend_from_slice(&v.to_le_bytes());
            if buf.len() >= 1 << 16 {
                self.put(&buf)?;
                buf.clear();
            }
        }
        self.put(&buf)
    }

    /// Strings as their start offsets (one more than the strings) and their bytes, padded to 8.
    fn strings<'a>(&mut self, strings: impl Iterator<Item = &'a str> + Clone) -> Result<()> {
        let mut at = 0u64;
        self.u64s(std::iter::once(0).chain(strings.clone().map(|s| {
            at += s.len() as u64;
            at
        })))?;
        let mut len = 0;
        for s in strings {
            self.put(s.as_bytes())?;
            len += s.len();
        }
        self.put(&[0; 8][..len.next_multiple_of(8) - len])
    }

    fn finish(mut self) -> Result<(W, Vec<[u8; DIGEST]>)> {
        if !self.block.is_empty() {
            self.digests.push(block_digest(&self.block));
        }
        self.inner.flush()?;
        Ok((self.inner, self.digests))
    }
}

impl<W: Write> Blocks<BufWriter<W>> {
    fn into_file(self) -> Result<(W, Vec<[u8; DIGEST]>)> {
        let (w, d) = self.finish()?;
        Ok((w.into_inner().map_err(|e| e.into_error())?, d))
    }
}
