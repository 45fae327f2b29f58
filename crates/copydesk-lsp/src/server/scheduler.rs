//! The check scheduler: it debounces edits, checks documents on the blocking
//! pool, keeps each result for the requests and publishes it. It is the only
//! place a check runs and the only sender of `publishDiagnostics`.
//!
//! One check per document runs at a time (so a stale result is never published
//! after a newer one), and documents are checked side by side, so a slow
//! document holds up no other. A check that a newer edit overtakes before it
//! starts is skipped; one already running finishes and its result is dropped.

use super::state::{lock, DocResult, Kept, Shared};
use crate::checked::CheckedText;
use crate::config::Effective;
use crate::document::Positions;
use crate::render;
use copydesk_engine::check;
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::incremental::LiveAnalysis;
use copydesk_engine::text::ColumnUnit;
use copydesk_engine::TextFormat;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower_lsp_server::ls_types::{MessageType, Uri};

pub(super) enum Job {
    /// The document changed (or what it is checked against did): check it once the debounce has passed.
    Check(Uri),
    /// The document was closed: clear its diagnostics.
    Clear(Uri),
    Stop,
}

impl Shared {
    /// Checks generation `gen` of a document on the blocking pool; `None` when a newer
    /// edit came before the check started, or the check failed; `Some(Err(why))` when the
    /// shared store failed a lookup of the check (its result cannot be trusted).
    async fn compute(self: &Arc<Self>, uri: &Uri, gen: u64) -> Option<Result<DocResult, String>> {
        let cfg = self.config();
        let unit = self.session().unit;
        let s = self.clone();
        let uri = uri.clone();
        let job = tokio::task::spawn_blocking(move || {
            let (rope, format, mut memo) = {
                let mut docs = lock(&s.docs);
                let d = docs.get_mut(&uri).filter(|d| d.gen == gen)?;
                let size = d.rope.len_bytes();
                if size > cfg.max_document_bytes {
                    return Some(Ok(DocResult::empty(gen, vec![render::oversize(size, cfg.max_document_bytes)])));
                }
                // A rope's clone shares its text (no copy); the text the check reads is
                // brought up to it by the edits since (`CheckedTexts`).
                (d.rope.clone(), d.format, d.take_memo())
            };
            let checked = memo.texts.next(&rope, memo.edit);
            drop(rope);
            std::thread::sleep(s.options.check_delay);
            let corpus = s.corpus.read().unwrap_or_else(PoisonError::into_inner);
            let result = check_text(&corpus, checked, gen, format, &cfg, unit, &mut memo);
            s.after_check(&corpus);
            if let Some(why) = corpus.base_failure() {
                // Its verdicts were made on empty answers; the memo of them is dropped.
                return Some(Err(why));
            }
            if let Some(d) = lock(&s.docs).get_mut(&uri) {
                d.memo = memo;
            }
            Some(Ok(result))
        });
        match job.await {
            Ok(r) => r,
            Err(e) => {
                self.client.log_message(MessageType::ERROR, format!("copydesk: the check failed: {e}")).await;
                None
            }
        }
    }

    /// The scheduler's step: check a document's current text and publish (push) or keep (pull) the result.
    async fn check_and_publish(self: &Arc<Self>, uri: &Uri) {
        if !self.ready.load(Ordering::SeqCst) {
            return;
        }
        let Some((gen, version)) = lock(&self.docs).get(uri).map(|d| (d.gen, d.version)) else { return };
        let (result, store_failure) = match self.compute(uri, gen).await {
            Some(Ok(r)) => (Some(r), None),
            Some(Err(why)) => (None, Some(why)),
            None => (None, None),
        };
        let publish = {
            let mut docs = lock(&self.docs);
            let Some(doc) = docs.get_mut(uri) else { return };
            if doc.gen != gen {
                return; // stale: a newer edit is already scheduled
            }
            let mut result = match (result, &store_failure) {
                (Some(r), _) => r,
                // The store failed: the last diagnostics stay (a pull client is given them
                // again), and nothing else of the old text is offered for the new one.
                (None, Some(_)) => {
                    DocResult::empty(gen, doc.result.as_ref().map(|r| r.diagnostics.clone()).unwrap_or_default())
                }
                (None, None) => DocResult::empty(gen, Vec::new()),
            };
            result.version = version;
            let result = Arc::new(result);
            doc.result = Some(result.clone());
            doc.done.send_replace(gen);
            store_failure.is_none().then(|| result.diagnostics.clone())
        };
        if let Some(why) = store_failure {
            match self.config().store.as_ref().map(|s| s.shown()) {
                Some(shown) => self.store_failed(&shown, &why).await,
                // A block of the index snapshot that did not match its digest: the sync behind
                // the start checks the whole snapshot, finds it too, and loads the corpus from
                // the database (with a warning naming the file).
                None => {
                    let msg =
                        format!("copydesk: {why}; nothing is reported until the corpus is loaded from the database");
                    self.client.log_message(MessageType::WARNING, msg).await;
                }
            }
        } else if let Some(publish) = publish.filter(|_| !self.session().pull) {
            self.client.publish_diagnostics(uri.clone(), publish, Some(version)).await;
        }
        self.tell_left_out().await;
    }

    async fn clear_diagnostics(&self, uri: Uri) {
        if !self.session().pull {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }
}

fn check_text(
    corpus: &CorpusIndex,
    checked: Arc<CheckedText>,
    gen: u64,
    format: TextFormat,
    cfg: &Effective,
    unit: ColumnUnit,
    memo: &mut Kept,
) -> DocResult {
    let text = checked.text.as_str();
    // The last check's analysis brought up to this text (only what the edits touched is read again).
    let analysis = match (memo.analysis.as_mut(), memo.edit.take()) {
        (Some(live), Some(edit)) => {
            live.update(text, edit, format);
            live
        }
        (Some(live), None) if live.text() == text && live.format() == format => live,
        _ => memo.analysis.insert(LiveAnalysis::new(text, format)),
    };
    let analysis = analysis.analysis();
    let verdicts = check::check_with_memo(corpus, text, analysis, &cfg.settings, &mut memo.verdicts);
    let findings = check::findings(&verdicts);
    let pos = Positions { text, lines: &checked.lines, unit };
    let diagnostics = findings.iter().map(|f| render::diagnostic(f, &pos, corpus, &cfg.root)).collect();
    let locations = verdicts
        .iter()
        .map(|v| v.evidence.iter().filter_map(|e| render::evidence_location(e, corpus, &cfg.root, unit)).collect())
        .collect();
    DocResult { gen, version: 0, checked, verdicts, locations, diagnostics }
}

/// Debounces edits and runs the checks: one per document at a time, up to one per core side by side.
pub(super) async fn scheduler(s: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Job>) {
    let parallel = std::thread::available_parallelism().map_or(2, usize::from).max(2);
    // When each document with a check to run is due.
    let mut due: HashMap<Uri, Instant> = HashMap::new();
    let mut running: JoinSet<()> = JoinSet::new();
    let mut checking: HashMap<tokio::task::Id, Uri> = HashMap::new();
    // Documents closed while their check ran: cleared once it is done, so that its publish comes first.
    let mut closed: HashSet<Uri> = HashSet::new();
    let busy = |checking: &HashMap<tokio::task::Id, Uri>, u: &Uri| checking.values().any(|c| c == u);
    loop {
        let next = due.iter().filter(|(u, _)| !busy(&checking, u)).map(|(_, t)| *t).min();
        let room = checking.len() < parallel;
        tokio::select! {
            biased;
            job = rx.recv() => match job {
                None | Some(Job::Stop) => break,
                Some(Job::Check(uri)) => {
                    let wait = Duration::from_millis(s.config().debounce_ms);
                    due.insert(uri, Instant::now() + wait);
                }
                Some(Job::Clear(uri)) => {
                    due.remove(&uri);
                    if busy(&checking, &uri) {
                        closed.insert(uri);
                    } else {
                        s.clear_diagnostics(uri).await;
                    }
                }
            },
            Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                if let Some(uri) = checking.remove(&id).filter(|u| closed.remove(u)) {
                    s.clear_diagnostics(uri).await;
                }
            }
            _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() && room => {
                let now = Instant::now();
                let ready: Vec<Uri> = due
                    .iter()
                    .filter(|(u, t)| **t <= now && !busy(&checking, u))
                    .map(|(u, _)| u.clone())
                    .take(parallel - checking.len())
                    .collect();
                for uri in ready {
                    due.remove(&uri);
                    let s = s.clone();
                    let task = uri.clone();
                    let handle = running.spawn(async move { s.check_and_publish(&task).await });
                    checking.insert(handle.id(), uri);
                }
            }
        }
    }
}
