//! The language server: the protocol handlers over the documents, the check
//! scheduler and the corpus.
//!
//! Threads of work:
//! - protocol handlers (async, short; they take std locks only for a few
//!   statements and never across an `.await`, and never check: a request
//!   answers from the document's latest result, or waits for the scheduler's
//!   check of its current text);
//! - the scheduler (`scheduler.rs`), which debounces edits and runs checks on
//!   the blocking pool, one per document at a time; it is the only sender of
//!   `publishDiagnostics`, so a stale result can never be published after a
//!   newer one;
//! - indexing on the blocking pool (rayon inside), reporting `$/progress`
//!   (`indexing.rs`); watching and configuration in `workspace.rs`;
//! - with a shared store, its follower (`store.rs`): new views of the store
//!   as stories land, reconnecting when it fails.
//!
//! Every document has a generation, bumped on each edit and on every change
//! that calls for a re-check (corpus, configuration). A check result is kept
//! and published only if its generation is still the document's.

mod indexing;
mod scheduler;
mod state;
mod store;
mod workspace;

use crate::actions;
use crate::config::{self, Overrides};
use crate::document::{self, Positions};
use crate::hover;
use crate::render::{self, FixData};
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::text::ColumnUnit;
use copydesk_engine::{Span, TextFormat, Verdict};
use ropey::Rope;
use state::{lock, Doc, DocResult, Session, Shared};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use tokio::sync::{mpsc, watch};
use tower_lsp_server::jsonrpc::Result as RpcResult;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// The server as tower-lsp-server drives it.
pub struct Backend {
    s: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Self::with_options(client, crate::Options::default(), Arc::default())
    }

    /// A server with test knobs; `shut_down` is set when the client asks for `shutdown`.
    pub(crate) fn with_options(client: Client, options: crate::Options, shut_down: Arc<AtomicBool>) -> Self {
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
                index_done: AtomicUsize::new(0),
                index_total: AtomicUsize::new(0),
                index_epoch: AtomicU64::new(0),
                docs: Mutex::new(HashMap::new()),
                gen: AtomicU64::new(0),
                jobs: tx,
                jobs_rx: Mutex::new(Some(rx)),
                watching: AtomicBool::new(false),
                watched: Mutex::new(Default::default()),
                applying: tokio::sync::Mutex::new(()),
                shut_down,
                store: Default::default(),
                options,
            }),
        }
    }
}

fn uri_path(uri: &Uri) -> String {
    uri.to_file_path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|| uri.as_str().to_string())
}

/// Verdicts whose claim covers `offset` (the position just after a claim counts too).
/// The verdicts whose claim, or whose finding (a misattribution's speaker name, away from
/// its quote), holds `offset`.
fn verdicts_at(r: &DocResult, offset: usize) -> Vec<usize> {
    let holds = |s: Span| s.start <= offset && offset <= s.end;
    (0..r.verdicts.len())
        .filter(|i| {
            let v = &r.verdicts[*i];
            holds(v.span) || v.finding.as_ref().is_some_and(|f| holds(f.span))
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
            hover_markdown: caps
                .text_document
                .as_ref()
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .and_then(|f| f.first())
                .is_none_or(|k| *k == MarkupKind::Markdown),
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
            tokio::spawn(scheduler::scheduler(self.s.clone(), rx));
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
            let cfg = s.resolve_config().await;
            *s.config.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(cfg);
            s.register_watchers().await;
            s.index().await;
        });
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.s.shut_down.store(true, Ordering::SeqCst);
        let _ = self.s.jobs.send(scheduler::Job::Stop);
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
                    memo: Default::default(),
                    edit: None,
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
                        let edit = document::apply_change(&mut doc.rope, c, unit);
                        doc.edited(edit);
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
        let _ = self.s.jobs.send(scheduler::Job::Clear(uri));
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
        // Taken before any await: changes are applied in the order they arrived.
        self.s.watched_files_changed(params.changes);
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
        let p = Positions { text: &r.checked.text, lines: &r.checked.lines, unit: self.s.session().unit };
        let at = verdicts_at(&r, p.offset(pos));
        if at.is_empty() {
            return Ok(None);
        }
        let vs: Vec<&Verdict> = at.iter().map(|i| &r.verdicts[*i]).collect();
        let markdown = self.s.session().hover_markdown;
        let offset = p.offset(pos);
        // The range hovered: the finding's own span where the position is in it (a speaker's name), else the claim's.
        let span = vs[0].finding.as_ref().map(|f| f.span).filter(|s| s.start <= offset && offset <= s.end);
        Ok(Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: if markdown { MarkupKind::Markdown } else { MarkupKind::PlainText },
                value: hover::hover_text(&vs, markdown),
            }),
            range: Some(p.range(span.unwrap_or(vs[0].span))),
        }))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> RpcResult<Option<GotoDefinitionResponse>> {
        let uri = params.text_document_position_params.text_document.uri;
        let pos = params.text_document_position_params.position;
        let Some(r) = self.s.current_result(&uri).await else { return Ok(None) };
        let p = Positions { text: &r.checked.text, lines: &r.checked.lines, unit: self.s.session().unit };
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
        let sent: Vec<(Diagnostic, FixData)> = params
            .context
            .diagnostics
            .iter()
            .filter(|d| d.source.as_deref() == Some(render::SOURCE))
            .filter_map(|d| {
                let data: FixData = serde_json::from_value(d.data.clone()?).ok()?;
                Some((d.clone(), data))
            })
            .collect();
        if sent.is_empty() && !params.context.diagnostics.is_empty() {
            return Ok(None); // other tools' diagnostics only
        }
        // Fixes are made on the result of the text as it is now: a client's diagnostics lag its
        // edits, and a range of an older text would write over whatever is there now.
        let Some(r) = self.s.current_result(&uri).await else { return Ok(None) };
        let current: Vec<(Diagnostic, FixData)> = r
            .diagnostics
            .iter()
            .filter_map(|d| Some((d.clone(), serde_json::from_value(d.data.clone()?).ok()?)))
            .collect();
        let diags = if sent.is_empty() {
            // Clients that send no diagnostics: ours under the range.
            let range = params.range;
            let before = |a: Position, b: Position| (a.line, a.character) <= (b.line, b.character);
            current
                .into_iter()
                .filter(|(d, _)| before(d.range.start, range.end) && before(range.start, d.range.end))
                .collect()
        } else {
            actions::current_for(&sent, &current)
        };
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
            version: r.version,
            text: &r.checked.text,
            lines: &r.checked.lines,
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
        let Some(r) = self.s.current_result(&uri).await else { return Ok(empty()) };
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
