//! The workspace around the documents: which files are the corpus, watching
//! them and copydesk.toml, and the configuration layers from the client.

use super::state::{lock, Shared};
use crate::config::{self, Effective, Overrides};
use copydesk_store::load;
use globset::{Glob, GlobSetBuilder};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use tower_lsp_server::ls_types::{
    ConfigurationItem, DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, MessageType,
    Registration, Unregistration, Uri,
};

/// A path as the corpus names it: canonical where the file (or its folder) exists.
pub(super) fn normalize(path: &Path) -> PathBuf {
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

/// Whether a file belongs to the configured corpus (never with a shared store: its stories
/// are what ingest put there, not the files).
pub(super) fn in_corpus(cfg: &Effective, path: &Path) -> bool {
    if cfg.store.is_some() {
        return false;
    }
    // The extensions a folder's walk takes (.txt, .md, .html, .pdf, .docx …).
    let source_ext = load::accepted(path, load::FileKind::Source);
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

impl Shared {
    /// (Re)registers the file watchers for the corpus and copydesk.toml.
    pub async fn register_watchers(&self) {
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

    /// The configuration from its layers (copydesk.toml, initializationOptions, the client's
    /// settings); its problems are shown to the user.
    pub async fn resolve_config(&self) -> Effective {
        let root = self.session().root;
        let init = lock(&self.init_overrides).clone();
        let ws = lock(&self.ws_overrides).clone();
        let cfg = config::resolve(&root, &[&init, &ws]);
        for p in &cfg.problems {
            self.client.show_message(MessageType::WARNING, format!("copydesk: {p}")).await;
        }
        cfg
    }

    /// Reads the configuration layers again; re-indexes when the corpus changed, else re-checks.
    pub async fn reconfigure(self: &Arc<Self>) {
        let new = self.resolve_config().await;
        let old = {
            let mut c = self.config.write().unwrap_or_else(PoisonError::into_inner);
            std::mem::replace(&mut *c, Arc::new(new.clone()))
        };
        if !old.same_corpus(&new) {
            self.register_watchers().await;
            let s = self.clone();
            tokio::spawn(async move { s.index().await });
        } else {
            self.recheck_all();
            self.refresh_pull().await;
        }
    }

    /// Asks the client for the `copydesk` section, when it can answer.
    pub async fn pull_configuration(&self) {
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
}
