//! Re-extraction after an engine change, while the store stays in use.
//!
//! Every story records the engine fingerprint that analyzed it. When the engine changes
//! (a new copydesk whose extraction differs), `copydesk store reextract` re-analyzes the
//! stories of other engines from their stored text, a batch per transaction, oldest first:
//! readers keep reading throughout, each story being either its old analysis or its new
//! one. A story re-ingested meanwhile is left as that ingest wrote it.
//!
//! What a reader makes of a story of another engine: its postings, sentence terms and
//! figures are read as they are (plain numbers: FNV term hashes, sentence and figure
//! indexes of that story's own analysis), and [`super::PgReader::documents`] decodes the
//! stored analysis only when it was written by the reader's engine; otherwise it analyzes
//! the stored text again and says so (`reanalyzed`), so that a reader never misreads bytes
//! of another engine's layout, and knows the story's index rows came from another analysis.

use super::connect::Db;
use super::write::{write_batch, NewStory};
use crate::ProgressFn;
use anyhow::Result;
use copydesk_engine::corpus::AnalyzedSource;
use rayon::prelude::*;
use sqlx::Row;

/// Stories re-analyzed per transaction.
const BATCH: i64 = 64;

/// What a re-extraction did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReextractStats {
    /// Stories of another engine found at the start.
    pub found: u64,
    pub reextracted: usize,
    /// Changed or removed by an ingest meanwhile (left as it wrote them).
    pub skipped: usize,
    /// Stories whose stored text could not be read back (left as they were).
    pub failed: usize,
}

/// Re-analyzes every story written by another engine than `engine`.
pub(crate) fn reextract(db: &Db, engine: &str, progress: Option<ProgressFn<'_>>) -> Result<ReextractStats> {
    let mut stats = ReextractStats { found: super::ingest::other_engine_count(db, engine)?, ..Default::default() };
    let mut after: i64 = 0;
    let mut done = 0usize;
    loop {
        let rows: Vec<(i64, String, Vec<u8>, Vec<u8>)> = db.run("reading stories to re-extract", async {
            let rows = sqlx::query(
                "SELECT id, path, hash, analysis FROM copydesk.documents
                 WHERE engine <> $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(engine)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&*db.pool)
            .await?;
            Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
        })?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let analyzed: Vec<Option<NewStory>> = rows
            .par_iter()
            .map(|(id, path, hash, blob)| {
                let doc = crate::stored::decode_document(blob, path.clone()).ok()?;
                let mut source = AnalyzedSource::deferred(doc);
                let mut s = NewStory::of(&mut source, hash.as_slice().try_into().ok()?).ok()?;
                s.replaces = Some(*id);
                Some(s)
            })
            .collect();
        stats.failed += analyzed.iter().filter(|s| s.is_none()).count();
        let stories: Vec<NewStory> = analyzed.into_iter().flatten().collect();
        let o = write_batch(db, engine, &stories, &[])?;
        stats.reextracted += o.updated;
        stats.skipped += o.unchanged;
        done += rows.len();
        if let Some(p) = progress {
            p(done.min(stats.found as usize), stats.found as usize);
        }
    }
    Ok(stats)
}
