//! The language server: documents, the check scheduler, corpus indexing and
//! the protocol handlers.
//!
//! Threads of work:
//! - protocol handlers (async, short; they take std locks only for a few
//!   statements and never across an `.await`);
//! - one scheduler task that debounces edits and runs checks one at a time on
//!   the blocking pool; it is the only sender of `publishDiagnostics`, so a
//!   stale result can never be published after a newer one;
//! - indexing on the blocking pool (rayon inside), reporting `$/progress`.
//!
//! Every document has a generation, bumped on each edit and on every change
//! that calls for a re-check (corpus, configuration). A check result is kept
//! and published only if its generation is still the document's.

use crate::actions;
use crate::config::{self, Effective, Overrides};
use crate::document::{self, Positions};
use crate::render::{self, FixData};
use copydesk_engine::check::{self, CheckMemo};
use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex};
use copydesk_engine::text::{ColumnUnit, LineIndex};
use copydesk_engine::{Span, TextFormat, Verdict};
use copydesk_store::config::CONFIG_FILE;
use copydesk_store::load::{self, FileKind, LoadError};
use globset::{Glob, GlobSetBuilder};
use ropey::Rope;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tower_lsp_server::jsonrpc::Result as RpcResult;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the client can do, learned at `initialize`.
#[derive(Clone, Debug)]
struct Session {
    unit: ColumnUnit,
    pull: bool,
    dynamic_watch: bool,
    work_done: bool,
    config_pull: bool,
    refresh: bool,
    document_changes: bool,
    create_file: bool,
    root: PathBuf,
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
            root: PathBuf::from("."),
        }
    }
}

/// The outcome of checking one snapshot of a document.
pub struct DocResult {
    gen: u64,
    text: String,
    lines: LineIndex,
    verdicts: Vec<Verdict>,
    /// Evidence locations of each verdict (parallel to `verdicts`).
    locations: Vec<Vec<Location>>,
    diagnostics: Vec<Diagnostic>,
}

struct Doc {
    rope: Rope,
    version: i32,
    gen: u64,
    format: TextFormat,
    result: Option<Arc<DocResult>>,
    /// The generation of the latest result (for pull requests waiting on it).
    done: watch::Sender<u64>,
    /// Verdicts of the last check, for the claims the next edit leaves alone.
    memo: CheckMemo,
}

enum Job {
    Check(Uri),
    Clear(Uri),
    Stop,
}

struct Shared {
    client: Client,
    session: RwLock<Session>,
    init_overrides: Mutex<Overrides>,
    ws_overrides: Mutex<Overrides>,
    config: RwLock<Arc<Effective>>,
    corpus: RwLock<CorpusIndex>,
    ready: AtomicBool,
    indexing: AtomicBool,
    index_done: AtomicUsize,
    index_total: AtomicUsize,
    index_epoch: AtomicU64,
    docs: Mutex<HashMap<Uri, Doc>>,
    gen: AtomicU64,
    jobs: mpsc::UnboundedSender<Job>,
    jobs_rx: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
    watching: AtomicBool,
}

/// The server as tower-lsp-server drives it.
pub struct Backend {
    s: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Backend {
            s: Arc::new(Shared {
                client,
                session: RwLock::new(Session::default()),
                init_overrides: Mutex::new(Overrides::default()),
                ws_overrides: Mutex::new(Overrides::default()),
                config: RwLock::new(Arc::new(config::resolve(&root, &[]))),
                corpus: RwLock::new(CorpusIndex::new()),
                ready: AtomicBool::new(false),
                indexing: AtomicBool::new(false),
                index_done: AtomicUsize::new(0),
                index_total: AtomicUsize::new(0),
                index_epoch: AtomicU64::new(0),
                docs: Mutex::new(HashMap::new()),
                gen: AtomicU64::new(0),
                jobs: tx,
                jobs_rx: Mutex::new(Some(rx)),
                watching: AtomicBool::new(false),
            }),
        }
    }
}

impl Shared {
    fn session(&self) -> Session {
        self.session.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn config(&self) -> Arc<Effective> {
        self.config.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn next_gen(&self) -> u64 {
        self.gen.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn schedule(&self, uri: Uri) {
        let _ = self.jobs.send(Job::Check(uri));
    }

    /// Marks every open document for a re-check.
    fn recheck_all(&self) {
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
    async fn refresh_pull(&self) {
        let sess = self.session();
        if sess.pull && sess.refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    fn indexing_message(&self) -> String {
        let done = self.index_done.load(Ordering::Relaxed);
        let total = self.index_total.load(Ordering::Relaxed);
        if total == 0 {
            "copydesk: indexing the corpus; claims are checked when it is done.".to_string()
        } else {
            format!("copydesk: indexing the corpus ({done} of {total} sources); claims are checked when it is done.")
        }
    }

    /// A snapshot of a document: (text, generation, version, format).
    fn snapshot(&self, uri: &Uri) -> Option<(String, u64, i32, TextFormat)> {
        let docs = lock(&self.docs);
        let d = docs.get(uri)?;
        Some((d.rope.to_string(), d.gen, d.version, d.format))
    }

    /// Checks a snapshot on the blocking pool.
    async fn compute(
        self: &Arc<Self>,
        uri: &Uri,
        text: String,
        gen: u64,
        format: TextFormat,
    ) -> Option<Arc<DocResult>> {
        let cfg = self.config();
        let sess = self.session();
        if text.len() > cfg.max_document_bytes {
            let lines = LineIndex::new("");
            let d = render::oversize(text.len(), cfg.max_document_bytes);
            return Some(Arc::new(DocResult {
                gen,
                text: String::new(),
                lines,
                verdicts: Vec::new(),
                locations: Vec::new(),
                diagnostics: vec![d],
            }));
        }
        let s = self.clone();
        let uri = uri.clone();
        let job = tokio::task::spawn_blocking(move || {
            // A newer edit arrived while this job waited for a thread: skip the work.
            let mut memo = {
                let mut docs = lock(&s.docs);
                match docs.get_mut(&uri) {
                    Some(d) if d.gen == gen => std::mem::take(&mut d.memo),
                    _ => return None,
                }
            };
            let corpus = s.corpus.read().unwrap_or_else(PoisonError::into_inner);
            let result = check_text(&corpus, text, gen, format, &cfg, sess.unit, &mut memo);
            if let Some(d) = lock(&s.docs).get_mut(&uri) {
                d.memo = memo;
            }
            Some(result)
        });
        match job.await {
            Ok(r) => r.map(Arc::new),
            Err(e) => {
                self.client.log_message(MessageType::ERROR, format!("copydesk: the check failed: {e}")).await;
                None
            }
        }
    }

    /// The scheduler's step: check a document's current text and publish (push) or keep (pull) the result.
    async fn check_and_publish(self: &Arc<Self>, uri: Uri) {
        if !self.ready.load(Ordering::SeqCst) {
            return;
        }
        let Some((text, gen, version, format)) = self.snapshot(&uri) else { return };
        let result = self.compute(&uri, text, gen, format).await;
        let publish = {
            let mut docs = lock(&self.docs);
            let Some(doc) = docs.get_mut(&uri) else { return };
            if doc.gen != gen {
                return; // stale: a newer edit is already scheduled
            }
            let result = result.unwrap_or_else(|| {
                Arc::new(DocResult {
                    gen,
                    text: String::new(),
                    lines: LineIndex::new(""),
                    verdicts: Vec::new(),
                    locations: Vec::new(),
                    diagnostics: Vec::new(),
                })
            });
            doc.result = Some(result.clone());
            doc.done.send_replace(gen);
            result.diagnostics.clone()
        };
        if !self.session().pull {
            self.client.publish_diagnostics(uri, publish, Some(version)).await;
        }
    }

    /// The result for the document's current text: the kept one, or a fresh check.
    async fn current_result(self: &Arc<Self>, uri: &Uri) -> Option<Arc<DocResult>> {
        let (text, gen, _, format) = {
            let docs = lock(&self.docs);
            let d = docs.get(uri)?;
            if let Some(r) = d.result.as_ref().filter(|r| r.gen == d.gen) {
                return Some(r.clone());
            }
            (d.rope.to_string(), d.gen, d.version, d.format)
        };
        if !self.ready.load(Ordering::SeqCst) {
            return None;
        }
        self.compute(uri, text, gen, format).await
    }
}

fn check_text(
    corpus: &CorpusIndex,
    text: String,
    gen: u64,
    format: TextFormat,
    cfg: &Effective,
    unit: ColumnUnit,
    memo: &mut CheckMemo,
) -> DocResult {
    let analysis = copydesk_engine::analyze(&text, format);
    let verdicts = check::check_with_memo(corpus, &text, &analysis, &cfg.settings, memo);
    let findings = check::findings(&verdicts);
    let lines = LineIndex::new(&text);
    let pos = Positions { text: &text, lines: &lines, unit };
    let diagnostics = findings.iter().map(|f| render::diagnostic(f, &pos, corpus, &cfg.root)).collect();
    let locations = verdicts
        .iter()
        .map(|v| v.evidence.iter().filter_map(|e| render::evidence_location(e, corpus, &cfg.root, unit)).collect())
        .collect();
    DocResult { gen, text, lines, verdicts, locations, diagnostics }
}

/// Debounces edits and runs checks one at a time; the only publisher of diagnostics.
async fn scheduler(s: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut due: HashMap<Uri, Instant> = HashMap::new();
    loop {
        let next = due.values().min().copied();
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
                    if !s.session().pull {
                        s.client.publish_diagnostics(uri, Vec::new(), None).await;
                    }
                }
            },
            _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {
                let now = Instant::now();
                let ready: Vec<Uri> = due.iter().filter(|(_, t)| **t <= now).map(|(u, _)| u.clone()).collect();
                for u in ready {
                    due.remove(&u);
                    s.check_and_publish(u).await;
                }
            }
        }
    }
}

/// A path as the corpus names it: canonical where the file (or its folder) exists.
fn normalize(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            std::fs::canonicalize(dir).map(|d| d.join(name)).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// Whether a file belongs to the configured corpus.
fn in_corpus(cfg: &Effective, path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let source_ext = matches!(ext.as_deref(), Some("txt" | "md" | "markdown" | "html" | "htm"));
    let named = cfg.corpus_paths.iter().any(|p| {
        let s = p.to_string_lossy();
        if load::is_glob(&s) {
            source_ext && load::PathGlob::new(p).is_ok_and(|g| g.is_match(path))
        } else {
            let p = normalize(p);
            path == p || (source_ext && path.starts_with(&p))
        }
    });
    if !named {
        return false;
    }
    let mut ex = GlobSetBuilder::new();
    for e in &cfg.exclude {
        if let Ok(g) = Glob::new(e) {
            ex.add(g);
        }
    }
    !ex.build().map(|set| set.is_match(path)).unwrap_or(false)
}

fn watchers(cfg: &Effective) -> Vec<FileSystemWatcher> {
    let mut globs = vec![cfg.toml_path().to_string_lossy().into_owned()];
    for p in &cfg.corpus_paths {
        let s = p.to_string_lossy().into_owned();
        if load::is_glob(&s) {
            globs.push(load::PathGlob::new(p).map(|g| g.pattern().to_string()).unwrap_or(s));
        } else if p.is_dir() {
            globs.push(format!("{}/**/*", s.trim_end_matches('/')));
        } else {
            globs.push(s);
        }
    }
    globs.into_iter().map(|g| FileSystemWatcher { glob_pattern: GlobPattern::String(g), kind: None }).collect()
}

const WATCH_ID: &str = "copydesk-watched-files";

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
    /// (Re)registers the file watchers for the corpus and copydesk.toml.
    async fn register_watchers(&self) {
        if !self.session().dynamic_watch {
            return;
        }
        if self.watching.swap(false, Ordering::SeqCst) {
            let _ = self
                .client
                .unregister_capability(vec![Unregistration {
                    id: WATCH_ID.into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                }])
                .await;
        }
        let opts = DidChangeWatchedFilesRegistrationOptions { watchers: watchers(&self.config()) };
        let reg = Registration {
            id: WATCH_ID.into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(opts).ok(),
        };
        match self.client.register_capability(vec![reg]).await {
            Ok(()) => self.watching.store(true, Ordering::SeqCst),
            Err(e) => {
                self.client.log_message(MessageType::WARNING, format!("copydesk: cannot watch the corpus: {e}")).await
            }
        }
    }

    /// Reads the configuration layers again; re-indexes when the corpus changed, else re-checks.
    async fn reconfigure(self: &Arc<Self>) {
        let root = self.session().root;
        let init = lock(&self.init_overrides).clone();
        let ws = lock(&self.ws_overrides).clone();
        let new = config::resolve(&root, &[&init, &ws]);
        for p in &new.problems {
            self.client.show_message(MessageType::WARNING, format!("copydesk: {p}")).await;
        }
        let old = {
            let mut c = self.config.write().unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *c, Arc::new(new.clone()))
        };
        if old.corpus_key() != new.corpus_key() {
            self.register_watchers().await;
            let s = self.clone();
            tokio::spawn(async move { s.index().await });
        } else {
            self.recheck_all();
            self.refresh_pull().await;
        }
    }

    /// Asks the client for the `copydesk` section, when it can answer.
    async fn pull_configuration(&self) {
        let sess = self.session();
        if !sess.config_pull {
            return;
        }
        let item = ConfigurationItem { scope_uri: Uri::from_file_path(&sess.root), section: Some("copydesk".into()) };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                let v = values.into_iter().next().unwrap_or(serde_json::Value::Null);
                let (o, problems) = Overrides::from_json(&v);
                for p in problems {
                    self.client.show_message(MessageType::WARNING, format!("copydesk: settings: {p}")).await;
                }
                *lock(&self.ws_overrides) = o;
            }
            Err(e) => {
                self.client
                    .log_message(MessageType::WARNING, format!("copydesk: workspace/configuration failed: {e}"))
                    .await
            }
        }
    }

    /// Reads and indexes the whole corpus in the background, with `$/progress`.
    async fn index(self: &Arc<Self>) {
        let epoch = self.index_epoch.fetch_add(1, Ordering::SeqCst) + 1;
        let cfg = self.config();
        let (paths, exclude) = cfg.corpus_key();
        let root = cfg.root.clone();
        self.indexing.store(true, Ordering::SeqCst);
        if paths.is_empty() {
            self.install(epoch, CorpusIndex::new()).await;
            self.client
                .show_message(
                    MessageType::INFO,
                    "copydesk: no corpus configured; set [corpus] paths in copydesk.toml (or corpusPaths in the client settings) to check drafts.",
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
            tokio::task::spawn_blocking(move || copydesk_store::index::open_snapshot(&c, &sp)).await.ok().flatten()
        };
        let quick = match quick {
            Some((index, current)) => {
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
                Some(current)
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
            if let Some(current) = quick {
                // Started from the snapshot: it stands if it was current and the files did not
                // change since; else the index is loaded again (and a new snapshot written).
                match copydesk_store::index::sync_listed(&store_config, &spec, &files, Some(&report)) {
                    Some(Ok((stats, errors))) if current && stats.added + stats.changed + stats.removed == 0 => {
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
                    "copydesk: the corpus is empty: no readable .txt, .md or .html file; nothing is checked.",
                )
                .await;
        }
    }

    async fn install(self: &Arc<Self>, epoch: u64, index: CorpusIndex) {
        if self.index_epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        let s = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            *s.corpus.write().unwrap_or_else(PoisonError::into_inner) = index;
        })
        .await;
        self.indexing.store(false, Ordering::SeqCst);
        self.ready.store(true, Ordering::SeqCst);
        self.recheck_all();
        self.refresh_pull().await;
    }

    /// Applies watched-file events: copydesk.toml reloads the configuration; corpus files are re-indexed one by one.
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
            if self.config().corpus_key() != cfg.corpus_key() {
                return; // re-indexing from scratch
            }
        }
        if updates.is_empty() {
            return;
        }
        if !self.ready.load(Ordering::SeqCst) || self.indexing.load(Ordering::SeqCst) {
            let s = self.clone();
            tokio::spawn(async move { s.index().await });
            return;
        }
        let s = self.clone();
        let root = cfg.root.clone();
        let errors = tokio::task::spawn_blocking(move || {
            let mut errors = Vec::new();
            let mut prepared = Vec::new();
            for (path, deleted) in updates {
                let display = load::display_path(&path, &root);
                if deleted || !path.exists() {
                    prepared.push((display, None));
                } else {
                    match load::read_source(&path, display.clone()) {
                        Ok(doc) => prepared.push((display, Some(AnalyzedSource::new(doc)))),
                        Err(e) => {
                            errors.push(e);
                            prepared.push((display, None));
                        }
                    }
                }
            }
            let mut idx = s.corpus.write().unwrap_or_else(PoisonError::into_inner);
            for (display, src) in prepared {
                match src {
                    Some(src) => {
                        idx.insert(src);
                    }
                    None => {
                        idx.remove(&display);
                    }
                }
            }
            errors
        })
        .await
        .unwrap_or_default();
        if !errors.is_empty() {
            self.client.show_message(MessageType::WARNING, describe_errors(&errors)).await;
        }
        self.recheck_all();
        self.refresh_pull().await;
    }
}

fn uri_path(uri: &Uri) -> String {
    uri.to_file_path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|| uri.as_str().to_string())
}

/// Verdicts whose claim covers `offset` (the position just after a claim counts too).
fn verdicts_at(r: &DocResult, offset: usize) -> Vec<usize> {
    (0..r.verdicts.len())
        .filter(|i| {
            let s: Span = r.verdicts[*i].span;
            s.start <= offset && offset <= s.end
        })
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> RpcResult<InitializeResult> {
        let caps = &params.capabilities;
        let utf8 = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let ws = caps.workspace.as_ref();
        let edit = ws.and_then(|w| w.workspace_edit.as_ref());
        #[allow(deprecated)]
        let root_uri = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or_else(|| params.root_uri.clone());
        let root = root_uri
            .as_ref()
            .and_then(|u| u.to_file_path().map(|p| p.into_owned()))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        let sess = Session {
            unit: if utf8 { ColumnUnit::Utf8 } else { ColumnUnit::Utf16 },
            pull: caps.text_document.as_ref().is_some_and(|t| t.diagnostic.is_some()),
            dynamic_watch: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            config_pull: ws.and_then(|w| w.configuration).unwrap_or(false),
            refresh: ws.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support).unwrap_or(false),
            document_changes: edit.and_then(|e| e.document_changes).unwrap_or(false),
            create_file: edit
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|r| r.contains(&ResourceOperationKind::Create)),
            root: root.clone(),
        };
        let pull = sess.pull;
        let encoding = if utf8 { PositionEncodingKind::UTF8 } else { PositionEncodingKind::UTF16 };
        *self.s.session.write().unwrap_or_else(PoisonError::into_inner) = sess;
        if let Some(opts) = &params.initialization_options {
            let (o, problems) = Overrides::from_json(opts);
            *lock(&self.s.init_overrides) = o;
            for p in problems {
                self.s.client.log_message(MessageType::WARNING, format!("copydesk: initializationOptions: {p}")).await;
            }
        }
        let init = lock(&self.s.init_overrides).clone();
        *self.s.config.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(config::resolve(&root, &[&init]));
        if let Some(rx) = lock(&self.s.jobs_rx).take() {
            tokio::spawn(scheduler(self.s.clone(), rx));
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..Default::default()
                })),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("copydesk".into()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..Default::default()
                    })
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo { name: "copydesk".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Requests to the client are awaited in a task: a handler waiting on the client
        // would hold up `exit` when the client stops answering.
        let s = self.s.clone();
        tokio::spawn(async move {
            s.pull_configuration().await;
            let root = s.session().root;
            let init = lock(&s.init_overrides).clone();
            let ws = lock(&s.ws_overrides).clone();
            let cfg = config::resolve(&root, &[&init, &ws]);
            for p in &cfg.problems {
                s.client.show_message(MessageType::WARNING, format!("copydesk: {p}")).await;
            }
            *s.config.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(cfg);
            s.register_watchers().await;
            s.index().await;
        });
    }

    async fn shutdown(&self) -> RpcResult<()> {
        let _ = self.s.jobs.send(Job::Stop);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        let format = TextFormat::for_path(&uri_path(&d.uri));
        {
            let mut docs = lock(&self.s.docs);
            let (done, _) = watch::channel(0);
            let gen = self.s.next_gen();
            docs.insert(
                d.uri.clone(),
                Doc {
                    rope: Rope::from_str(&d.text),
                    version: d.version,
                    gen,
                    format,
                    result: None,
                    done,
                    memo: CheckMemo::default(),
                },
            );
        }
        self.s.schedule(d.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let unit = self.s.session().unit;
        let uri = params.text_document.uri;
        // Applied before any await: edits land in the order they arrived.
        let known = {
            let mut docs = lock(&self.s.docs);
            match docs.get_mut(&uri) {
                Some(doc) => {
                    for c in &params.content_changes {
                        document::apply_change(&mut doc.rope, c, unit);
                    }
                    doc.version = params.text_document.version;
                    doc.gen = self.s.next_gen();
                    true
                }
                None => false,
            }
        };
        if known {
            self.s.schedule(uri);
        } else {
            self.s
                .client
                .log_message(
                    MessageType::WARNING,
                    format!("copydesk: change to a document that is not open: {}", uri.as_str()),
                )
                .await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        lock(&self.s.docs).remove(&uri);
        let _ = self.s.jobs.send(Job::Clear(uri));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let s = self.s.clone();
        tokio::spawn(async move {
            if s.session().config_pull {
                s.pull_configuration().await;
            } else {
                let (o, problems) = Overrides::from_json(&params.settings);
                for p in problems {
                    s.client.show_message(MessageType::WARNING, format!("copydesk: settings: {p}")).await;
                }
                *lock(&s.ws_overrides) = o;
            }
            s.reconfigure().await;
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let s = self.s.clone();
        tokio::spawn(async move { s.files_changed(params.changes).await });
    }

    async fn hover(&self, params: HoverParams) -> RpcResult<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        if !lock(&self.s.docs).contains_key(&uri) {
            return Ok(None);
        }
        if !self.s.ready.load(Ordering::SeqCst) {
            return Ok(Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: self.s.indexing_message(),
                }),
                range: None,
            }));
        }
        let Some(r) = self.s.current_result(&uri).await else { return Ok(None) };
        let p = Positions { text: &r.text, lines: &r.lines, unit: self.s.session().unit };
        let at = verdicts_at(&r, p.offset(pos));
        if at.is_empty() {
            return Ok(None);
        }
        let vs: Vec<&Verdict> = at.iter().map(|i| &r.verdicts[*i]).collect();
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: render::hover_markdown(&vs),
            }),
            range: Some(p.range(vs[0].span)),
        }))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> RpcResult<Option<GotoDefinitionResponse>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        let Some(r) = self.s.current_result(&uri).await else { return Ok(None) };
        let p = Positions { text: &r.text, lines: &r.lines, unit: self.s.session().unit };
        let mut locs: Vec<Location> = Vec::new();
        for i in verdicts_at(&r, p.offset(pos)) {
            for l in &r.locations[i] {
                if !locs.contains(l) {
                    locs.push(l.clone());
                }
            }
        }
        Ok(match locs.len() {
            0 => None,
            1 => locs.pop().map(GotoDefinitionResponse::Scalar),
            _ => Some(GotoDefinitionResponse::Array(locs)),
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> RpcResult<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some((text, _, version, _)) = self.s.snapshot(&uri) else { return Ok(None) };
        let mut diags: Vec<(Diagnostic, FixData)> = params
            .context
            .diagnostics
            .iter()
            .filter(|d| d.source.as_deref() == Some(render::SOURCE))
            .filter_map(|d| {
                let data: FixData = serde_json::from_value(d.data.clone()?).ok()?;
                Some((d.clone(), data))
            })
            .collect();
        if diags.is_empty() && params.context.diagnostics.is_empty() {
            // Clients that send no diagnostics: use ours under the range.
            if let Some(r) = self.s.current_result(&uri).await {
                let range = params.range;
                let before = |a: Position, b: Position| (a.line, a.character) <= (b.line, b.character);
                diags = r
                    .diagnostics
                    .iter()
                    .filter(|d| before(d.range.start, range.end) && before(range.start, d.range.end))
                    .filter_map(|d| Some((d.clone(), serde_json::from_value(d.data.clone()?).ok()?)))
                    .collect();
            }
        }
        if diags.is_empty() {
            return Ok(None);
        }
        let sess = self.s.session();
        let toml_path = self.s.config().toml_path();
        let toml_uri = Uri::from_file_path(&toml_path);
        let open_toml = toml_uri.as_ref().and_then(|u| {
            let docs = lock(&self.s.docs);
            docs.get(u).map(|d| (d.rope.to_string(), d.version))
        });
        let (toml_text, toml_version) = match open_toml {
            Some((t, v)) => (Some(t), Some(v)),
            None => {
                let p = toml_path.clone();
                let t = tokio::task::spawn_blocking(move || std::fs::read_to_string(p).ok()).await.ok().flatten();
                (t, None)
            }
        };
        let ctx = actions::Context {
            uri: &uri,
            version,
            text: &text,
            toml_uri,
            toml_text,
            toml_version,
            document_changes: sess.document_changes,
            create_file: sess.create_file,
            unit: sess.unit,
        };
        let out = actions::code_actions(&ctx, &diags);
        Ok((!out.is_empty()).then_some(out))
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> RpcResult<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let empty = || {
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items: Vec::new(),
                    },
                },
            ))
        };
        if !self.s.ready.load(Ordering::SeqCst) {
            if self.s.session().refresh {
                return Ok(empty()); // a refresh follows when the corpus is ready
            }
            // A client that cannot be asked to pull again (Neovim 0.11) gets its answer
            // once indexing is done; other requests are served meanwhile.
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(300);
            while !self.s.ready.load(Ordering::SeqCst) && tokio::time::Instant::now() < deadline {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            if !self.s.ready.load(Ordering::SeqCst) {
                return Ok(empty());
            }
        }
        let Some((gen, mut rx)) = ({
            let docs = lock(&self.s.docs);
            docs.get(&uri).map(|d| (d.gen, d.done.subscribe()))
        }) else {
            return Ok(empty());
        };
        if rx.wait_for(|g| *g >= gen).await.is_err() {
            return Ok(empty()); // closed meanwhile
        }
        let result = {
            let docs = lock(&self.s.docs);
            docs.get(&uri).and_then(|d| d.result.clone())
        };
        let Some(r) = result else { return Ok(empty()) };
        let id = r.gen.to_string();
        if params.previous_result_id.as_deref() == Some(id.as_str()) {
            return Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(
                RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id: id },
                },
            )));
        }
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(id),
                    items: r.diagnostics.clone(),
                },
            },
        )))
    }
}
