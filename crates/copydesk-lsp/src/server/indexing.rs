//! The corpus: indexed in the background (from the persistent index and its
//! snapshot when there is one, with `$/progress`), and kept up to date file by
//! file as watched files change; or, with a shared store, the store's (`store.rs`).

use super::state::{lock, Shared};
use super::workspace::{in_corpus, normalize};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex};
use copydesk_store::config::CONFIG_FILE;
use copydesk_store::load::{self, FileKind, LoadError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;
use tower_lsp_server::ls_types::{FileChangeType, FileEvent, MessageType, NumberOrString};

/// Watched-file changes not applied yet, in the order they came.
#[derive(Default)]
pub(super) struct WatchedChanges {
    pending: Vec<FileEvent>,
    /// An indexing run is under way: the corpus it puts in place would replace one the
    /// changes were applied to (its files were listed before they came), so they wait for it.
    held: bool,
}

fn describe_errors(errors: &[LoadError]) -> String {
    let mut msg = format!(
        "copydesk: {} corpus {} could not be used: {}",
        errors.len(),
        if errors.len() == 1 { "file" } else { "files" },
        errors.iter().take(3).map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
    );
    if errors.len() > 3 {
        msg.push_str(&format!("; and {} more (see the log)", errors.len() - 3));
    }
    msg
}

impl Shared {
    /// Reads and indexes the whole corpus in the background, with `$/progress`. Watched-file
    /// changes that come meanwhile are held, and applied once its corpus is in place.
    pub async fn index(self: &Arc<Self>) {
        let epoch = {
            // Under the lock that holds the changes: a run's epoch and its hold go together.
            let mut watched = lock(&self.watched);
            watched.held = true;
            self.index_epoch.fetch_add(1, Ordering::SeqCst) + 1
        };
        self.index_run(epoch).await;
        let latest = {
            let mut watched = lock(&self.watched);
            let latest = self.index_epoch.load(Ordering::SeqCst) == epoch;
            if latest {
                watched.held = false;
            }
            latest
        };
        // A newer run releases the changes when its own corpus is in place.
        if latest {
            self.apply_watched_later();
        }
    }

    /// One indexing run, numbered `epoch`: its corpus is put in place unless a newer run started meanwhile.
    async fn index_run(self: &Arc<Self>, epoch: u64) {
        let cfg = self.config();
        if let Some(settings) = cfg.store.clone() {
            // A shared store: its stories are the corpus (`store.rs`).
            self.open_store(epoch, settings).await;
            return;
        }
        let (paths, exclude) = cfg.corpus_key();
        let root = cfg.root.clone();
        if paths.is_empty() {
            self.install(epoch, CorpusIndex::new()).await;
            self.client
                .show_message(
                    MessageType::INFO,
                    "copydesk: no corpus configured, so nothing is checked; set [corpus] paths in copydesk.toml, or the editor setting copydesk.corpus.paths.",
                )
                .await;
            return;
        }
        // The persistent index ([index] in copydesk.toml) when enabled: only changed files are re-extracted.
        let store_config = cfg
            .file
            .as_ref()
            .and_then(|f| copydesk_store::Config::load(f).ok())
            .unwrap_or_else(|| copydesk_store::Config::empty(&root));
        let spec = copydesk_store::CorpusSpec { paths: paths.clone(), exclude: exclude.clone(), base: root.clone() };
        // A quick start: the index as the last snapshot left it (even one older than the
        // database), checked against the files and the database right after; drafts are
        // checked meanwhile.
        let quick = {
            let (c, sp) = (store_config.clone(), spec.clone());
            tokio::task::spawn_blocking(move || copydesk_store::index::open_snapshot(&c, &sp)).await
        };
        let quick = match quick {
            Ok(Ok(quick)) => quick,
            Ok(Err(e)) => {
                // The load behind it says so too, as a warning, if it finds the snapshot unusable.
                let why = format!(
                    "copydesk: the index snapshot cannot be used ({e:#}); the corpus is loaded from the database"
                );
                self.client.log_message(MessageType::WARNING, why).await;
                None
            }
            Err(_) => None,
        };
        let quick = match quick {
            Some(copydesk_store::QuickStart { index, generation, snapshot, .. }) => {
                let n = index.len();
                self.install(epoch, index).await;
                self.client
                    .log_message(
                        MessageType::INFO,
                        format!("copydesk: {n} sources opened from the index snapshot; looking for changed files"),
                    )
                    .await;
                // The open drafts are checked first; the files are looked at after (or after 2 s).
                let waits: Vec<_> = lock(&self.docs).values().map(|d| (d.gen, d.done.subscribe())).collect();
                for (gen, mut rx) in waits {
                    let _ = tokio::time::timeout(Duration::from_secs(2), rx.wait_for(|g| *g >= gen)).await;
                }
                Some((generation, snapshot))
            }
            None => None,
        };
        let listed = tokio::task::spawn_blocking(move || load::expand_paths(&paths, FileKind::Source, &exclude)).await;
        let Ok((files, mut errors)) = listed else { return };
        let total = files.len();
        self.index_total.store(total, Ordering::SeqCst);
        self.index_done.store(0, Ordering::SeqCst);
        let title = format!("copydesk: indexing {total} sources");
        let mut progress = None;
        if self.session().work_done {
            let token = NumberOrString::String(format!("copydesk-indexing-{epoch}"));
            if self.client.create_work_done_progress(token.clone()).await.is_ok() {
                progress = Some(self.client.progress(token, title.clone()).with_percentage(0).begin().await);
            }
        }
        let (ptx, mut prx) = mpsc::unbounded_channel::<usize>();
        let s = self.clone();
        let mut task = tokio::task::spawn_blocking(move || {
            let last = AtomicUsize::new(usize::MAX);
            let report = |done: usize, total: usize| {
                s.index_done.store(done, Ordering::Relaxed);
                let pct = done * 100 / total.max(1);
                if last.swap(pct, Ordering::Relaxed) != pct {
                    let _ = ptx.send(done);
                }
            };
            // A stand-in for a large corpus, in tests: changes announced now come during the sync.
            std::thread::sleep(s.options.sync_delay);
            if let Some((generation, snapshot)) = quick {
                // Started from the snapshot: it stands if the sync leaves the database as the
                // snapshot was made for it (the files did not change, nor did another process
                // change the database since the snapshot was opened) and all of it matches its
                // digests (the first checks checked only the blocks they read); else the index
                // is loaded again (a damaged snapshot named in a warning, and a new one written).
                match copydesk_store::index::sync_listed(&store_config, &spec, &files, Some(&report)) {
                    Some(Ok((stats, errors))) if stats.generation == generation && snapshot.check_all().is_ok() => {
                        return (None, errors)
                    }
                    _ => {}
                }
            }
            let (index, errors) = copydesk_store::index::open_listed(&store_config, &spec, files, Some(&report));
            (Some(index), errors)
        });
        let built = loop {
            tokio::select! {
                r = &mut task => break r,
                Some(done) = prx.recv() => {
                    if let Some(p) = &progress {
                        let pct = (done * 100 / total.max(1)) as u32;
                        p.report_with_message(format!("{done}/{total}"), pct).await;
                    }
                }
            }
        };
        let Ok((index, read_errors)) = built else {
            if let Some(p) = progress {
                p.finish_with_message("failed").await;
            }
            self.client.show_message(MessageType::ERROR, "copydesk: indexing the corpus failed (see the log)").await;
            return;
        };
        errors.extend(read_errors);
        // The index is in place before progress ends: a client that waits for the end finds it ready.
        let current = self.index_epoch.load(Ordering::SeqCst) == epoch;
        let sources = match index {
            Some(index) => {
                let n = index.len();
                if current {
                    self.install(epoch, index).await;
                }
                n
            }
            None => self.corpus.read().unwrap_or_else(PoisonError::into_inner).len(),
        };
        if let Some(p) = progress {
            p.finish_with_message(format!("{sources} sources indexed")).await;
        }
        if !current {
            return; // a newer indexing run replaces this one
        }
        if !errors.is_empty() {
            for e in &errors {
                self.client.log_message(MessageType::WARNING, format!("copydesk: corpus: {e}")).await;
            }
            self.client.show_message(MessageType::WARNING, describe_errors(&errors)).await;
        }
        if sources == 0 {
            self.client
                .show_message(
                    MessageType::WARNING,
                    "copydesk: the corpus is empty: no readable .txt, .md, .html, .pdf or .docx file; nothing is checked.",
                )
                .await;
        }
    }

    pub(super) async fn install(self: &Arc<Self>, epoch: u64, index: CorpusIndex) {
        if self.index_epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        let s = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            *s.corpus.write().unwrap_or_else(PoisonError::into_inner) = index;
        })
        .await;
        self.ready.store(true, Ordering::SeqCst);
        self.recheck_all();
        self.refresh_pull().await;
    }

    /// Takes watched-file changes (before any await: in the order they arrived) and applies
    /// them in the background, in that order.
    pub fn watched_files_changed(self: &Arc<Self>, changes: Vec<FileEvent>) {
        lock(&self.watched).pending.extend(changes);
        self.apply_watched_later();
    }

    /// Applies the watched-file changes not applied yet, in a task of its own.
    fn apply_watched_later(self: &Arc<Self>) {
        let s = self.clone();
        tokio::spawn(async move { s.apply_watched().await });
    }

    /// Applies the watched-file changes not applied yet, one batch at a time in the order they
    /// came; none while an indexing run holds them.
    async fn apply_watched(self: &Arc<Self>) {
        let _one_at_a_time = self.applying.lock().await;
        loop {
            let changes = {
                let mut watched = lock(&self.watched);
                if watched.held {
                    return;
                }
                std::mem::take(&mut watched.pending)
            };
            if changes.is_empty() {
                return;
            }
            self.files_changed(changes).await;
        }
    }

    /// Applies watched-file events: copydesk.toml reloads the configuration; corpus files are
    /// re-indexed one by one (a file rewritten with the content the corpus holds changes nothing).
    async fn files_changed(self: &Arc<Self>, changes: Vec<FileEvent>) {
        let cfg = self.config();
        let toml = normalize(&cfg.toml_path());
        let mut reconfig = false;
        let mut updates = Vec::new();
        for ch in changes {
            let Some(path) = ch.uri.to_file_path().map(|p| normalize(&p)) else { continue };
            if path == toml
                || (path.file_name().is_some_and(|n| n == CONFIG_FILE) && path.parent() == Some(cfg.root.as_path()))
            {
                reconfig = true;
            } else if in_corpus(&cfg, &path) {
                updates.push((path, ch.typ == FileChangeType::DELETED));
            }
        }
        if reconfig {
            self.reconfigure().await;
            if !self.config().same_corpus(&cfg) {
                return; // re-indexing from scratch
            }
        }
        if updates.is_empty() {
            return;
        }
        let s = self.clone();
        let root = cfg.root.clone();
        let (errors, changed) = tokio::task::spawn_blocking(move || {
            // Each file is read and applied under the corpus lock, as the disk is now (whatever
            // the event said): a file deleted and created again in quick succession ends as
            // the disk has it, and no older read is applied after a newer one.
            let mut idx = s.corpus.write().unwrap_or_else(PoisonError::into_inner);
            let mut errors = Vec::new();
            let mut prepared = Vec::new();
            for (path, _deleted) in updates {
                let display = load::display_path(&path, &root);
                if !path.exists() {
                    prepared.push((display, None));
                } else {
                    match load::read_source(&path, display.clone()) {
                        // Rewritten with the content the corpus holds: nothing to do.
                        Ok(doc) if idx.holds(&doc) => {}
                        Ok(doc) => prepared.push((display, Some(AnalyzedSource::new(doc)))),
                        Err(e) => {
                            errors.push(e);
                            prepared.push((display, None));
                        }
                    }
                }
            }
            let mut changed = false;
            for (display, src) in prepared {
                match src {
                    Some(src) => {
                        idx.insert(src);
                        changed = true;
                    }
                    None => changed |= idx.remove(&display),
                }
            }
            (errors, changed)
        })
        .await
        .unwrap_or_default();
        if !errors.is_empty() {
            self.client.show_message(MessageType::WARNING, describe_errors(&errors)).await;
        }
        if changed {
            self.recheck_all();
            self.refresh_pull().await;
        }
    }
}
