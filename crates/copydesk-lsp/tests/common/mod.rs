//! A small LSP client for in-process protocol tests: the server runs on one
//! end of a `tokio::io::duplex`, the client speaks real `Content-Length`
//! framing on the other.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct TestClient {
    writer: WriteHalf<DuplexStream>,
    rx: mpsc::UnboundedReceiver<Value>,
    next_id: i64,
    /// Every message received from the server, in order.
    pub log: Vec<Value>,
    /// Messages not yet consumed by a `wait_for`.
    pending: std::collections::VecDeque<Value>,
    /// What `workspace/configuration` answers (one value per item).
    pub configuration: Value,
    /// Server requests with these methods are not answered automatically (see `respond`).
    pub hold: Vec<String>,
    pub server: JoinHandle<copydesk_lsp::Ending>,
}

async fn read_frame(r: &mut BufReader<ReadHalf<DuplexStream>>) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).await.ok()?;
    serde_json::from_slice(&buf).ok()
}

pub fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
}

impl TestClient {
    pub fn start() -> Self {
        Self::start_with(copydesk_lsp::Options::default())
    }

    /// A server with test knobs turned.
    pub fn start_with(options: copydesk_lsp::Options) -> Self {
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_side);
        let server = tokio::spawn(copydesk_lsp::serve_with(server_read, server_write, options));
        let (client_read, writer) = tokio::io::split(client_side);
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut r = BufReader::new(client_read);
            while let Some(v) = read_frame(&mut r).await {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        TestClient {
            writer,
            rx,
            next_id: 0,
            log: Vec::new(),
            pending: Default::default(),
            configuration: Value::Null,
            hold: Vec::new(),
            server,
        }
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("write to server");
        self.writer.flush().await.expect("flush");
    }

    pub async fn send(&mut self, v: &Value) {
        let body = v.to_string();
        self.send_raw(&frame(&body)).await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// Receives one message (answering server requests on the way); None on timeout or end.
    async fn recv(&mut self, timeout: Duration) -> Option<Value> {
        let v = tokio::time::timeout(timeout, self.rx.recv()).await.ok()??;
        self.log.push(v.clone());
        if let (Some(id), Some(method)) = (v.get("id"), v.get("method").and_then(Value::as_str)) {
            if self.hold.iter().any(|h| h == method) {
                return Some(v);
            }
            let result = match method {
                "workspace/configuration" => {
                    let n = v["params"]["items"].as_array().map_or(1, Vec::len);
                    Value::Array(vec![self.configuration.clone(); n])
                }
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result})).await;
        }
        Some(v)
    }

    /// Waits for a message matching `pred` (messages skipped stay available to later waits).
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(TIMEOUT, &pred)
            .await
            .unwrap_or_else(|| panic!("timed out waiting for {what}; received: {:#?}", self.log))
    }

    pub async fn try_wait_for(&mut self, timeout: Duration, pred: &impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.pending.iter().position(pred) {
            return self.pending.remove(i);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let v = self.recv(left).await?;
            if pred(&v) {
                return Some(v);
            }
            self.pending.push_back(v);
        }
    }

    /// Answers a held server request.
    pub async fn respond(&mut self, id: &Value, result: Value) {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result})).await;
    }

    /// Sends a request and returns the whole response message.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        self.wait_for(&format!("the response to {method}"), move |v| {
            v.get("id") == Some(&json!(id)) && v.get("method").is_none()
        })
        .await
    }

    /// Sends a request and returns its result, failing on an error response.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params).await;
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// `initialize` + `initialized`; returns the initialize result.
    pub async fn initialize(&mut self, root: &Path, capabilities: Value, options: Value) -> Value {
        let uri = file_uri(root);
        let r = self
            .call(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": uri,
                    "workspaceFolders": [{"uri": uri, "name": "ws"}],
                    "capabilities": capabilities,
                    "initializationOptions": options,
                }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        r
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        let lang = if uri.ends_with(".md") { "markdown" } else { "plaintext" };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": text}}),
        )
        .await;
    }

    /// One incremental change: replace `range` ((line, col), (line, col)) by `text`.
    pub async fn change(&mut self, uri: &str, version: i32, range: ((u32, u32), (u32, u32)), text: &str) {
        let ((a, b), (c, d)) = range;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": a, "character": b}, "end": {"line": c, "character": d}}, "text": text}],
            }),
        )
        .await;
    }

    /// The next publishDiagnostics for `uri` (its params).
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        let u = uri.to_string();
        let v = self
            .wait_for(&format!("diagnostics for {uri}"), move |v| {
                v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == json!(u)
            })
            .await;
        v["params"].clone()
    }

    /// Waits until the indexing progress ends.
    pub async fn indexed(&mut self) -> Value {
        self.wait_for("the end of indexing", |v| v["method"] == "$/progress" && v["params"]["value"]["kind"] == "end")
            .await
    }

    pub async fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null).await;
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null).await;
        let ending = tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server ends after exit")
            .expect("server task");
        assert_eq!(ending, copydesk_lsp::Ending::AfterShutdown);
    }
}

/// Starts a server on `ws`, opens the draft and returns its first diagnostics.
pub async fn start(ws: &Workspace, caps: Value, options: Value) -> (TestClient, String, Value) {
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps, options).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    let d = c.diagnostics(&uri).await;
    (c, uri, d)
}

pub fn file_uri(p: &Path) -> String {
    let s = p.to_string_lossy();
    let mut out = String::from("file://");
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Capabilities of a typical client: UTF-16, push diagnostics, progress, dynamic watching, document changes.
pub fn caps() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {
            "configuration": true,
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]},
        },
        "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true}},
    })
}

/// Merges `extra` into `base` (objects recursively).
pub fn merge(base: &mut Value, extra: Value) {
    match (base, extra) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b,
    }
}

/// A workspace with a corpus of our own sentences and copydesk.toml pointing at it.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub const SOURCE_A: &str = "Defence ministry tallies border forces\n2021-12-03\n\nThe defence ministry counted 94,300 soldiers stationed near the northern frontier on Tuesday, an official said.\n\nThe harbour authority expects the new pier to open in the spring.\n";
pub const SOURCE_B: &str =
    "Harbour works\n\nThe harbour authority spent 12 million euros on the new pier, officials said.\n";
pub const DRAFT: &str = "# Frontier\n\nThe defence ministry counted 84,300 soldiers stationed near the northern frontier on Tuesday.\n\nThe harbour authority spent 12 million euros on the new pier.\n";

impl Workspace {
    pub fn new(toml: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical tempdir");
        std::fs::create_dir_all(root.join("sources")).expect("mkdir");
        std::fs::write(root.join("sources/ministry.txt"), SOURCE_A).expect("write");
        std::fs::write(root.join("sources/harbour.txt"), SOURCE_B).expect("write");
        if !toml.is_empty() {
            std::fs::write(root.join("copydesk.toml"), toml).expect("write");
        }
        Workspace { dir, root }
    }

    pub fn standard() -> Self {
        Self::new("[corpus]\npaths = [\"sources\"]\n[server]\ndebounce_ms = 0\n")
    }

    pub fn uri(&self, rel: &str) -> String {
        file_uri(&self.root.join(rel))
    }

    /// Syncs the workspace's index of `sources` as another process (`copydesk index`) would;
    /// the stories it changed.
    pub fn index_as_another_process(&self) -> usize {
        let config = copydesk_store::Config::load(&self.root.join("copydesk.toml")).expect("config");
        let spec = copydesk_store::CorpusSpec {
            paths: vec![self.root.join("sources")],
            exclude: vec![],
            base: self.root.clone(),
        };
        let dir = copydesk_store::index::index_dir(&config, &spec).expect("an index folder");
        let (stats, _) = copydesk_store::PersistentStore::new(dir).sync(&spec, None).expect("sync");
        stats.changed
    }
}

/// Position of the `nth` occurrence of `needle` in `text`, in UTF-16 units (line, character).
pub fn pos16(text: &str, needle: &str) -> (u32, u32) {
    let off = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..off].matches('\n').count() as u32;
    (line, text[line_start..off].encode_utf16().count() as u32)
}

/// The same in UTF-8 bytes.
pub fn pos8(text: &str, needle: &str) -> (u32, u32) {
    let off = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    (text[..off].matches('\n').count() as u32, (off - line_start) as u32)
}

pub fn position(p: (u32, u32)) -> Value {
    json!({"line": p.0, "character": p.1})
}

/// The range of `len` UTF-16 units from `p` on one line.
pub fn range(p: (u32, u32), len: u32) -> Value {
    json!({"start": position(p), "end": position((p.0, p.1 + len))})
}

/// The `number-mismatch` among published (or pulled, wrapped as `{"diagnostics": …}`) diagnostics.
pub fn mismatch(diags: &Value) -> Option<&Value> {
    diags["diagnostics"].as_array()?.iter().find(|d| d["code"] == "number-mismatch")
}

/// The draft's `number-mismatch` (84,300 against the source's 94,300); fails without one.
pub fn expect_mismatch(diags: &Value) -> &Value {
    mismatch(diags)
        .unwrap_or_else(|| panic!("the engine reported no number-mismatch for 84,300 (source: 94,300): {diags:#}"))
}

/// Publishes for `uri` received until the server has been quiet for `quiet`.
pub async fn publishes_until_quiet(c: &mut TestClient, uri: &str, quiet: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    let u = json!(uri);
    while let Some(v) = c
        .try_wait_for(quiet, &|v: &Value| v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == u)
        .await
    {
        out.push(v["params"].clone());
    }
    out
}

/// `../shared` next to the repository (or `$COPYDESK_SHARED`, as the editor tests read it), if present.
pub fn shared_dir() -> Option<PathBuf> {
    let p = match std::env::var_os("COPYDESK_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join("../shared"),
    };
    p.join("corpus/seeds").is_dir().then(|| std::fs::canonicalize(&p).unwrap_or(p))
}

/// Applies LSP text edits (UTF-16 positions) to `text`.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| -> usize {
        let line = p["line"].as_u64().unwrap_or(0) as usize;
        let ch = p["character"].as_u64().unwrap_or(0) as usize;
        let mut start = 0;
        for _ in 0..line {
            start = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
        }
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap_or("").to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}
