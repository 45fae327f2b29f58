//! The shared store (`[store]` in copydesk.toml, or `COPYDESK_STORE_URL`): the corpus is
//! what a newsroom's PostgreSQL store holds, read as checks ask (`PgBase`), never pulled into
//! memory. A follower task keeps the server's view current:
//! - a story ingested anywhere bumps the store's generation (NOTIFY on the primary, the
//!   generation polled on a replica): a new view is opened and the open drafts re-checked;
//! - a lookup that fails during a check (the store gone, timed out, restarted) leaves the
//!   draft's last diagnostics as they were (`scheduler.rs`), tells the user once, and wakes
//!   the follower, which reconnects with backoff and re-checks when the store answers again
//!   (to whichever server of a multi-host URL answers: a failover's promoted replica);
//! - a view that has read many stories is replaced by a fresh one, so the server's memory
//!   stays bounded however large the archive.

use super::state::Shared;
use copydesk_engine::corpus::{CorpusBase, CorpusIndex};
use copydesk_store::postgres::{PgBase, PgReader, StoreSettings};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tower_lsp_server::ls_types::MessageType;

/// Stories a view of the store keeps read (with their analyses) before it is replaced by a
/// fresh one: tens of megabytes at most, whatever the archive's size.
const STORIES_KEPT: usize = 4_000;

/// How long one wait for a change lasts before the follower looks at its other reasons to act.
const WAIT: Duration = Duration::from_millis(500);

/// The first and the longest pause between attempts to reach a store that does not answer.
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(5);

/// The server's link to a shared store.
#[derive(Default)]
pub(super) struct StoreLink {
    /// The store failed (unreachable, or a lookup failed): the drafts keep their last
    /// diagnostics until it answers again.
    pub down: AtomicBool,
    /// A check found the view in place stale: a lookup failed, or it grew past [`STORIES_KEPT`].
    pub renew: AtomicBool,
    /// Wakes the follower when `renew` is set.
    pub wake: Notify,
    /// The most stories of another engine a check left out (see [`Shared::tell_left_out`]).
    pub left_out: AtomicUsize,
    /// The user was told that stories of another engine were left out.
    pub told_left_out: AtomicBool,
}

/// Doubling pauses, from [`FIRST_RETRY`] up to [`LONGEST_RETRY`].
struct Backoff(Duration);

impl Backoff {
    fn new() -> Self {
        Backoff(FIRST_RETRY)
    }

    fn next(&mut self) -> Duration {
        let now = self.0;
        self.0 = (self.0 * 2).min(LONGEST_RETRY);
        now
    }
}

impl Shared {
    /// What a check through `corpus` tells the follower; called on the check's thread, under
    /// the read lock it holds already (an async task taking that lock could wait a whole check).
    /// A view that failed a lookup or has read [`STORIES_KEPT`] stories is to be replaced; the
    /// stories of another engine it left out are noted for [`Shared::tell_left_out`].
    pub(super) fn after_check(&self, corpus: &CorpusIndex) {
        if corpus.base_failure().is_some() || corpus.base_docs_read() > STORIES_KEPT {
            self.store.renew.store(true, Ordering::SeqCst);
            self.store.wake.notify_one();
        }
        self.store.left_out.fetch_max(corpus.base_left_out(), Ordering::Relaxed);
    }

    /// Checks against the shared store: connects, puts a view of the store in place, and
    /// follows the store in a task of its own for as long as this indexing run (`epoch`) is
    /// the latest. Returns once the first attempt to connect is over, answered or not.
    pub(super) async fn open_store(self: &Arc<Self>, epoch: u64, settings: StoreSettings) {
        let mut follower =
            Follower { epoch, settings, reader: None, generation: None, view: None, backoff: Backoff::new() };
        if let Err(e) = follower.open_view(self).await {
            self.store_failed(&follower.settings.shown(), &e).await;
        }
        let s = self.clone();
        tokio::spawn(async move { follower.run(&s).await });
    }

    /// Says once per outage that the store failed; the follower retries.
    pub(super) async fn store_failed(&self, shown: &str, why: &str) {
        if self.store.down.swap(true, Ordering::SeqCst) {
            return;
        }
        let msg = format!(
            "copydesk: the corpus store at {shown} does not answer ({why}). The last diagnostics stay as they were; copydesk keeps trying to reconnect."
        );
        self.client.log_message(MessageType::ERROR, msg.clone()).await;
        self.client.show_message(MessageType::ERROR, msg).await;
    }

    /// Says once that a check left out stories another version of copydesk analyzed.
    pub(super) async fn tell_left_out(&self) {
        let n = self.store.left_out.load(Ordering::Relaxed);
        if n > 0 && !self.store.told_left_out.swap(true, Ordering::SeqCst) {
            let msg = format!("copydesk: {}", copydesk_store::postgres::left_out_message(n));
            self.client.log_message(MessageType::WARNING, msg.clone()).await;
            self.client.show_message(MessageType::WARNING, msg).await;
        }
    }

    /// Whether the follower of run `epoch` is to go on.
    fn following(&self, epoch: u64) -> bool {
        self.index_epoch.load(Ordering::SeqCst) == epoch && !self.shut_down.load(Ordering::SeqCst)
    }
}

/// The follower of one store, for one indexing run.
struct Follower {
    epoch: u64,
    settings: StoreSettings,
    reader: Option<Arc<PgReader>>,
    /// The generation of the view in place; None when a new view is to be opened.
    generation: Option<i64>,
    /// The view in place, which the next one follows ([`PgBase::open_after`]).
    view: Option<Arc<PgBase>>,
    backoff: Backoff,
}

impl Follower {
    async fn run(&mut self, s: &Arc<Shared>) {
        while s.following(self.epoch) {
            let failed = match (self.reader.clone(), self.generation) {
                (Some(reader), Some(generation)) => self.wait(s, reader, generation).await,
                _ => self.open_view(s).await,
            };
            match failed {
                Ok(()) => self.backoff = Backoff::new(),
                Err(e) => {
                    // Connect afresh: a URL naming several servers finds the one that answers
                    // now (a replica promoted after a failover).
                    self.reader = None;
                    self.generation = None;
                    s.store_failed(&self.settings.shown(), &e).await;
                    let pause = self.backoff.next();
                    // A new reason to try (a check that failed) does not cut the pause short.
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    /// Waits for a change in the store, or for the scheduler's call; opens a new view when
    /// the store changed or the view in place is stale.
    async fn wait(&mut self, s: &Arc<Shared>, reader: Arc<PgReader>, generation: i64) -> Result<(), String> {
        let waiting = tokio::task::spawn_blocking(move || reader.wait_for_change(generation, WAIT));
        let changed = tokio::select! {
            r = waiting => match r {
                Ok(Ok(g)) => g.is_some(),
                Ok(Err(e)) => return Err(format!("{e:#}")),
                Err(e) => return Err(format!("the wait for changes failed: {e}")),
            },
            () = s.store.wake.notified() => false,
        };
        if changed || s.store.renew.swap(false, Ordering::SeqCst) {
            self.open_view(s).await?;
        }
        Ok(())
    }

    /// Connects when not connected, opens a view of the store as it is now, and puts it in
    /// place (the open drafts are re-checked).
    async fn open_view(&mut self, s: &Arc<Shared>) -> Result<(), String> {
        let reader = self.reader.clone();
        let settings = self.settings.clone();
        let previous = self.view.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let reader = match reader {
                Some(r) => r,
                None => Arc::new(PgReader::open(&settings)?),
            };
            let base = PgBase::open_after(reader.clone(), previous.as_deref())?;
            Ok::<_, anyhow::Error>((reader, base))
        })
        .await
        .map_err(|e| format!("opening the store failed: {e}"))?;
        let (reader, base) = opened.map_err(|e| format!("{e:#}"))?;
        let first = self.reader.is_none();
        self.reader = Some(reader);
        let (generation, stories) = (base.generation(), base.docs());
        self.generation = Some(generation);
        if !s.following(self.epoch) {
            return Ok(());
        }
        let base = Arc::new(base);
        self.view = Some(base.clone());
        s.install(self.epoch, CorpusIndex::over(base)).await;
        let shown = self.settings.shown();
        if s.store.down.swap(false, Ordering::SeqCst) {
            let msg = format!("copydesk: the corpus store at {shown} answers again; the drafts are checked again.");
            s.client.log_message(MessageType::INFO, msg.clone()).await;
            s.client.show_message(MessageType::INFO, msg).await;
        } else if first {
            let msg = format!("copydesk: checking against the shared store at {shown}: {stories} stories");
            s.client.log_message(MessageType::INFO, msg).await;
            if stories == 0 {
                let msg = format!(
                    "copydesk: the shared store at {shown} holds no stories, so nothing is checked (copydesk ingest adds them)."
                );
                s.client.show_message(MessageType::WARNING, msg).await;
            }
        }
        Ok(())
    }
}
