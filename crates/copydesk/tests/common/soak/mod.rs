//! The scripted editor of the soak test (`tests/soak.rs`): a client of `copydesk lsp` as a
//! process that keeps drafts open, edits them at random, sends requests, changes the corpus
//! underneath, and compares the server's diagnostics with `copydesk check`'s at checkpoints.
//!
//! Here: its state, opening and closing drafts, failing with what a replay needs, and the end
//! of a session. `text` is the client's copy of a text (LSP positions read as the server reads
//! them), `server` the process and its framing, `messages` what goes to it and comes back,
//! `edits`, `requests` and `corpus` the random steps, `checkpoints` the comparisons, and
//! `fixtures` the drafts and sources (our own sentences).

mod checkpoints;
mod corpus;
mod edits;
pub mod fixtures;
mod messages;
mod requests;
pub mod rng;
pub mod server;
pub mod text;

use fixtures::{ANCHOR, DRAFTS, SOURCES};
use rng::Rng;
use serde_json::{json, Value};
use server::{file_uri, Server};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Edits of the default run (fewer in a debug build, whose checks are slower).
pub const DEFAULT_EDITS: usize = if cfg!(debug_assertions) { 500 } else { 2_500 };
/// How long a request may wait for its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to settle at a checkpoint.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);
/// No publication for this long (and the right diagnostics published) counts as settled.
pub const QUIET: Duration = Duration::from_millis(300);
/// A request older than this makes the client stop typing until every answer is in
/// (a request waits for the check of the text it was sent on, and a check waits for a pause).
pub const TYPING_PAUSE_AFTER: Duration = Duration::from_secs(2);

pub struct Draft {
    uri: String,
    /// Where the fresh check reads the client's text (relative to the workspace).
    file: &'static str,
    template: &'static str,
    text: String,
    version: i32,
    pub open: bool,
    ever_opened: bool,
}

pub struct Pending {
    what: String,
    pub sent: Instant,
    /// Sent on a document that was not open: the answer must be empty, unless the
    /// document was opened before it came (a pull waits while the corpus is first indexed).
    not_open: Option<(String, usize)>,
    /// Kept for the caller (`call`).
    keep: bool,
}

/// The last `publishDiagnostics` of a document.
pub struct Published {
    version: Option<i64>,
    diagnostics: Vec<Value>,
}

#[derive(Default)]
pub struct Tally {
    pub edits: usize,
    pub changes: usize,
    pub hostile_positions: usize,
    pub requests: usize,
    pub requests_not_open: usize,
    pub closes: usize,
    pub opens: usize,
    pub corpus_events: usize,
    pub fixes_applied: usize,
    pub checkpoints: usize,
    pub resync_checks: usize,
    pub findings_compared: usize,
    pub slowest_answer: Duration,
}

pub struct Soak {
    seed: u64,
    pub rng: Rng,
    pub root: PathBuf,
    server: Server,
    pub drafts: Vec<Draft>,
    /// Which variant each corpus file holds (None: absent).
    sources: Vec<Option<usize>>,
    next_id: i64,
    pub pending: HashMap<i64, Pending>,
    answers: HashMap<i64, Value>,
    published: HashMap<String, Published>,
    last_publication: Instant,
    /// The last steps, for a failure's report.
    history: VecDeque<String>,
    /// Every change to the corpus (with the edit count it came at), for a failure's report.
    corpus_log: Vec<String>,
    /// How many times each document has been opened.
    opens: HashMap<String, usize>,
    pub tally: Tally,
    _dir: tempfile::TempDir,
}

pub fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim().replace('_', "");
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// A short, escaped rendering of inserted text for the history.
pub fn show(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect::<String>().escape_debug().to_string();
    if s.chars().count() > 24 {
        out.push('…');
    }
    format!("\"{out}\"")
}

impl Soak {
    pub fn new(seed: u64) -> Soak {
        let mut dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical tempdir");
        if std::env::var_os("COPYDESK_SOAK_KEEP").is_some() {
            dir.disable_cleanup(true);
            eprintln!("soak: the workspace is kept at {}", root.display());
        }
        std::fs::create_dir_all(root.join("sources")).expect("mkdir");
        std::fs::create_dir_all(root.join("drafts")).expect("mkdir");
        // The persistent index as by default ([index] enabled): the server builds it at start-up.
        std::fs::write(root.join("copydesk.toml"), "[corpus]\npaths = [\"sources\"]\n[server]\ndebounce_ms = 5\n")
            .expect("copydesk.toml");
        std::fs::write(root.join("sources/anchor.txt"), ANCHOR).expect("anchor");
        let mut sources = Vec::new();
        for s in &SOURCES {
            if let Some(v) = s.initial {
                write_source(&root, s.rel, s.variants[v]);
            }
            sources.push(s.initial);
        }
        let drafts = DRAFTS
            .iter()
            .map(|(uri, file, text)| Draft {
                uri: if uri.starts_with("untitled:") { uri.to_string() } else { file_uri(&root.join(uri)) },
                file,
                template: text,
                text: text.to_string(),
                version: 0,
                open: false,
                ever_opened: false,
            })
            .collect();
        let server = Server::start(&root);
        Soak {
            seed,
            rng: Rng(seed),
            root,
            server,
            drafts,
            sources,
            next_id: 0,
            pending: HashMap::new(),
            answers: HashMap::new(),
            published: HashMap::new(),
            last_publication: Instant::now(),
            history: VecDeque::new(),
            corpus_log: Vec::new(),
            opens: HashMap::new(),
            tally: Tally::default(),
            _dir: dir,
        }
    }

    pub fn note(&mut self, step: String) {
        if self.history.len() == 60 {
            self.history.pop_front();
        }
        self.history.push_back(step);
    }

    /// Fails the test with what is needed to replay and read it.
    pub fn fail(&self, what: &str) -> ! {
        let _ = std::fs::write(self.root.join("corpus-log.txt"), self.corpus_log.join("\n"));
        let stderr = self.server.stderr();
        let tail: String = stderr.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
        panic!(
            "soak failed (seed {seed}; replay with COPYDESK_SOAK_SEED={seed}) after {edits} edits:\n{what}\n\nlast steps:\n  {steps}\n\nthe corpus's last changes (all of them: corpus-log.txt in a workspace kept with COPYDESK_SOAK_KEEP=1):\n  {corpus}\n\nserver stderr (tail):\n{tail}",
            seed = self.seed,
            edits = self.tally.edits,
            steps = self.history.iter().cloned().collect::<Vec<_>>().join("\n  "),
            corpus = self.corpus_log[self.corpus_log.len().saturating_sub(40)..].join("\n  "),
        )
    }

    pub fn open_indices(&self) -> Vec<usize> {
        (0..self.drafts.len()).filter(|i| self.drafts[*i].open).collect()
    }

    pub fn open(&mut self, i: usize, fresh: bool) {
        if self.drafts[i].open {
            self.verify_before_resync(i);
        }
        let reopen = self.drafts[i].ever_opened;
        let version = self.rng.below(5) as i32;
        let d = &mut self.drafts[i];
        if fresh {
            d.text = d.template.to_string();
        }
        d.version = version;
        d.open = true;
        d.ever_opened = true;
        let lang = if d.file.ends_with(".md") { "markdown" } else { "plaintext" };
        let params = json!({"textDocument": {"uri": d.uri, "languageId": lang, "version": version, "text": d.text}});
        let step = format!("open {} v{version}{}", d.file, if reopen { " (again)" } else { "" });
        *self.opens.entry(self.drafts[i].uri.clone()).or_default() += 1;
        self.notify("textDocument/didOpen", params);
        self.note(step);
        self.tally.opens += 1;
    }

    pub fn close(&mut self, i: usize) {
        self.verify_before_resync(i);
        let d = &mut self.drafts[i];
        d.open = false;
        let params = json!({"textDocument": {"uri": d.uri}});
        let step = format!("close {}", d.file);
        self.notify("textDocument/didClose", params);
        self.note(step);
        self.tally.closes += 1;
    }

    pub fn uri_of(&self, rel: &str) -> String {
        if rel.starts_with("untitled:") {
            rel.to_string()
        } else {
            file_uri(&self.root.join(rel))
        }
    }

    pub fn shutdown(mut self) {
        self.drain_requests();
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.server.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                self.fail("copydesk lsp did not end within 10 s of exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if status.code() != Some(0) {
            self.fail(&format!("copydesk lsp ended with {status} after shutdown and exit"));
        }
        let stderr = self.server.stderr();
        if stderr.contains("panicked") {
            self.fail("the server panicked (see its stderr)");
        }
    }
}

pub fn write_source(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write a source");
}
