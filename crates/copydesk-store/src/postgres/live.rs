//! Live updates: what changed since a generation, and waiting for the next change.
//!
//! Every ingest transaction that changes something bumps the store's generation, records
//! each story it added, replaced or removed in `copydesk.changes`, and sends
//! `NOTIFY copydesk_changes` with the new generation (delivered on commit). A reader waits
//! with LISTEN on the primary; a replica cannot LISTEN (notifications are not replicated),
//! so there the reader polls the generation, which replication carries like any row.

use super::read::PgReader;
use super::write::CHANNEL;
use anyhow::Result;
use sqlx::Row;
use std::time::{Duration, Instant};

/// How often a wait looks at the generation itself: on a replica, and as a guard against a
/// notification lost while a listener reconnected.
const POLL: Duration = Duration::from_millis(250);

/// One story's change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub generation: i64,
    pub path: String,
    /// Its id after the change; None: removed.
    pub doc: Option<i64>,
    /// Its id before; None: added.
    pub old_doc: Option<i64>,
}

/// What changed after a generation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// The generation these changes bring a reader to.
    pub generation: i64,
    /// In generation order, then path order.
    pub changes: Vec<Change>,
    /// False when the log no longer reaches back that far: reload everything instead.
    pub complete: bool,
}

impl PgReader {
    /// The changes committed after generation `after`.
    pub fn changes_since(&self, after: i64) -> Result<Changes> {
        self.read("reading changes", || async {
            let mut tx = self.db.pool.begin().await?;
            // One snapshot for the generation and the log (repeatable read).
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
            let (generation, log_start): (i64, i64) =
                sqlx::query_as("SELECT generation, log_start FROM copydesk.corpus_stats").fetch_one(&mut *tx).await?;
            let rows = sqlx::query(
                "SELECT generation, path, doc, old_doc FROM copydesk.changes
                 WHERE generation > $1 ORDER BY generation, path",
            )
            .bind(after)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Changes {
                generation,
                changes: rows
                    .into_iter()
                    .map(|r| Change { generation: r.get(0), path: r.get(1), doc: r.get(2), old_doc: r.get(3) })
                    .collect(),
                complete: after >= log_start,
            })
        })
    }

    /// Waits until the store's generation is past `after`, or `timeout` passes; returns the
    /// new generation, or None on time-out.
    pub fn wait_for_change(&self, after: i64, timeout: Duration) -> Result<Option<i64>> {
        let deadline = Instant::now() + timeout;
        let mut guard = self.listener.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() && !self.db.standby {
            let pool = self.db.pool.clone();
            let listener = super::connect::block_on(async move {
                let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
                l.listen(CHANNEL).await?;
                Ok::<_, sqlx::Error>(l)
            })?;
            // Without LISTEN (refused, or a proxy that drops it), the wait polls.
            *guard = listener.ok();
        }
        loop {
            let now = self.stats()?.generation;
            if now > after {
                return Ok(Some(now));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            let slice = left.min(POLL);
            match guard.as_mut() {
                Some(l) => {
                    let got = super::connect::block_on(async { tokio::time::timeout(slice, l.recv()).await })?;
                    match got {
                        Ok(Ok(n)) => {
                            if let Ok(g) = n.payload().parse::<i64>() {
                                if g > after {
                                    return Ok(Some(g));
                                }
                            }
                        }
                        Ok(Err(_)) => {
                            // The listener lost its connection: poll until the next wait.
                            *guard = None;
                        }
                        Err(_) => {}
                    }
                }
                None => std::thread::sleep(slice),
            }
        }
    }
}
