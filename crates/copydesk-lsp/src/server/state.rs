//! What the server holds: the client's capabilities, the open documents with
//! their latest check results, the configuration and the corpus.

use super::indexing::WatchedChanges;
use super::scheduler::Job;
use super::store::StoreLink;
use crate::checked::{CheckedText, CheckedTexts};
use crate::config::{Effective, Overrides};
use copydesk_engine::check::CheckMemo;
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::incremental::{Edit, LiveAnalysis};
use copydesk_engine::text::ColumnUnit;
use copydesk_engine::{TextFormat, Verdict};
use ropey::Rope;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use tokio::sync::{mpsc, watch};
use tower_lsp_server::ls_types::{Diagnostic, Location, Uri};
use tower_lsp_server::Client;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the client can do, learned at `initialize`.
#[derive(Clone, Debug)]
pub(super) struct Session {
    pub unit: ColumnUnit,
    pub pull: bool,
    pub dynamic_watch: bool,
    pub work_done: bool,
    pub config_pull: bool,
    pub refresh: bool,
    pub document_changes: bool,
    pub create_file: bool,
    /// Hovers in Markdown (the client's first choice of hover format), else plain text.
    pub hover_markdown: bool,
    pub root: PathBuf,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            unit: ColumnUnit::Utf16,
            pull: false,
            dynamic_watch: false,
            work_done: false,
            config_pull: false,
            refresh: false,
            document_changes: false,
            create_file: false,
            hover_markdown: true,
            root: PathBuf::from("."),
        }
    }
}

/// The outcome of checking one snapshot of a document.
pub struct DocResult {
    pub(super) gen: u64,
    /// The client's version of `text` (the scheduler stamps it: the version of generation `gen`).
    pub(super) version: i32,
    /// The text checked and its line index (shared with the document's [`CheckedTexts`]).
    pub(super) checked: Arc<CheckedText>,
    pub(super) verdicts: Vec<Verdict>,
    /// Evidence locations of each verdict (parallel to `verdicts`).
    pub(super) locations: Vec<Vec<Location>>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl DocResult {
    /// A result with nothing to show (a check that failed, or an oversize document's).
    pub(super) fn empty(gen: u64, diagnostics: Vec<Diagnostic>) -> Self {
        let (checked, verdicts, locations) = (Arc::default(), Vec::new(), Vec::new());
        DocResult { gen, version: 0, checked, verdicts, locations, diagnostics }
    }
}

pub(super) struct Doc {
    pub rope: Rope,
    pub version: i32,
    pub gen: u64,
    pub format: TextFormat,
    pub result: Option<Arc<DocResult>>,
    /// The generation of the latest result (for requests waiting on it).
    pub done: watch::Sender<u64>,
    /// What the last check leaves for the next: its analysis and verdicts.
    pub memo: Kept,
    /// The change from the text the last check took (`memo`'s analysis) to the current one.
    pub edit: Option<Edit>,
}

impl Doc {
    /// Takes what the last check left, with the edit since, for the check of the current text.
    pub fn take_memo(&mut self) -> Kept {
        let mut memo = std::mem::take(&mut self.memo);
        memo.edit = self.edit.take();
        memo
    }

    /// Records one change of the text.
    pub fn edited(&mut self, edit: Edit) {
        self.edit = Some(self.edit.map_or(edit, |before| before.then(edit)));
    }
}

/// What one check of a document leaves for the next: the analysis (brought up to the next
/// text by the edit between, re-reading only what it touched), the verdicts (for the
/// claims the edit leaves alone) and the texts checked (updated in place by the edit).
#[derive(Default)]
pub(super) struct Kept {
    pub analysis: Option<LiveAnalysis>,
    pub texts: CheckedTexts,
    /// The change from `analysis`'s text (and the last of `texts`) to the text checked next.
    pub edit: Option<Edit>,
    pub verdicts: CheckMemo,
}

pub(super) struct Shared {
    pub client: Client,
    pub session: RwLock<Session>,
    pub init_overrides: Mutex<Overrides>,
    pub ws_overrides: Mutex<Overrides>,
    pub config: RwLock<Arc<Effective>>,
    pub corpus: RwLock<CorpusIndex>,
    pub ready: AtomicBool,
    pub index_done: AtomicUsize,
    pub index_total: AtomicUsize,
    pub index_epoch: AtomicU64,
    pub docs: Mutex<HashMap<Uri, Doc>>,
    pub gen: AtomicU64,
    pub jobs: mpsc::UnboundedSender<Job>,
    pub jobs_rx: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
    pub watching: AtomicBool,
    /// Watched-file changes not applied yet, in the order they came (`indexing.rs`).
    pub watched: Mutex<WatchedChanges>,
    /// Held while watched-file changes are applied: one batch at a time, in order.
    pub applying: tokio::sync::Mutex<()>,
    /// Set by `shutdown`: an `exit` after it ends the process with 0, else 1.
    pub shut_down: Arc<AtomicBool>,
    /// The shared store, when the corpus is one (`store.rs`).
    pub store: StoreLink,
    pub options: crate::Options,
}

impl Shared {
    pub fn session(&self) -> Session {
        self.session.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn config(&self) -> Arc<Effective> {
        self.config.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn next_gen(&self) -> u64 {
        self.gen.fetch_add(1, Ordering::SeqCst) + 1
    }

    pub fn schedule(&self, uri: Uri) {
        let _ = self.jobs.send(Job::Check(uri));
    }

    /// Marks every open document for a re-check.
    pub fn recheck_all(&self) {
        let uris: Vec<Uri> = {
            let mut docs = lock(&self.docs);
            docs.iter_mut()
                .map(|(u, d)| {
                    d.gen = self.next_gen();
                    u.clone()
                })
                .collect()
        };
        for u in uris {
            self.schedule(u);
        }
    }

    /// After results changed without an edit: pull clients are asked to pull again.
    pub async fn refresh_pull(&self) {
        let sess = self.session();
        if sess.pull && sess.refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    pub fn indexing_message(&self) -> String {
        if self.store.down.load(Ordering::SeqCst) {
            return "copydesk: the corpus store does not answer; claims are checked when it does again.".to_string();
        }
        let done = self.index_done.load(Ordering::Relaxed);
        let total = self.index_total.load(Ordering::Relaxed);
        if total == 0 {
            "copydesk: indexing the corpus; claims are checked when it is done.".to_string()
        } else {
            format!("copydesk: indexing the corpus ({done} of {total} sources); claims are checked when it is done.")
        }
    }

    /// The result for the document's current text: the kept one when it is current, else
    /// the one the scheduler's next check of it gives (every change schedules one). A
    /// request never checks: it waits, without a thread, and a cancelled request stops
    /// waiting. `None` for a document not open (or closed meanwhile) or before the corpus is ready.
    pub async fn current_result(&self, uri: &Uri) -> Option<Arc<DocResult>> {
        if !self.ready.load(Ordering::SeqCst) {
            return None;
        }
        let (gen, mut done) = {
            let docs = lock(&self.docs);
            let d = docs.get(uri)?;
            if let Some(r) = d.result.as_ref().filter(|r| r.gen == d.gen) {
                return Some(r.clone());
            }
            (d.gen, d.done.subscribe())
        };
        done.wait_for(|g| *g >= gen).await.ok()?;
        lock(&self.docs).get(uri).and_then(|d| d.result.clone())
    }
}
