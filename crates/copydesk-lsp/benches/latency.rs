//! Edit-to-diagnostics latency of the language server, over real LSP framing.
//!
//!   cargo bench -p copydesk-lsp --bench latency
//!
//! Draft: ../shared/eval/bench/draft-2000.md; corpus: ../shared/corpus/seeds +
//! ../shared/data/reuters21578 (override with COPYDESK_BENCH_CORPUS, a
//! colon-separated list of paths). Debounce 0. Reports indexing time, the time
//! from opening the draft to its first diagnostics, and the median and p95 of
//! edit → publishDiagnostics over COPYDESK_BENCH_EDITS edits (default 60).
//! Skips when ../shared is absent.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

struct Client {
    w: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    rx: mpsc::UnboundedReceiver<Value>,
    id: i64,
}

impl Client {
    fn start() -> Self {
        let (a, b) = tokio::io::duplex(1 << 20);
        let (sr, sw) = tokio::io::split(b);
        tokio::spawn(copydesk_lsp::serve(sr, sw));
        let (r, w) = tokio::io::split(a);
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut r = BufReader::new(r);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let t = line.trim();
                    if t.is_empty() {
                        break;
                    }
                    if let Some(v) = t.strip_prefix("Content-Length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Client { w, rx, id: 0 }
    }

    async fn send(&mut self, v: Value) {
        let body = v.to_string();
        let _ = self.w.write_all(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes()).await;
        let _ = self.w.flush().await;
    }

    /// Next message matching `pred`, answering server requests on the way.
    async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let v = tokio::time::timeout(Duration::from_secs(1800), self.rx.recv())
                .await
                .expect("server silent for 30 minutes")
                .expect("server gone");
            if v.get("id").is_some() && v.get("method").is_some() {
                let id = v["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null})).await;
            }
            if pred(&v) {
                return v;
            }
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = self.id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        self.until(|v| v["id"] == json!(id) && v.get("method").is_none()).await
    }
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let draft_path = shared.join("eval/bench/draft-2000.md");
    let Ok(draft) = std::fs::read_to_string(&draft_path) else {
        eprintln!("latency bench skipped: {} not found", draft_path.display());
        return;
    };
    let corpus: Vec<PathBuf> = match std::env::var("COPYDESK_BENCH_CORPUS") {
        Ok(s) => s.split(':').map(PathBuf::from).collect(),
        Err(_) => vec![shared.join("corpus/seeds"), shared.join("data/reuters21578")],
    };
    let corpus: Vec<String> =
        corpus.iter().map(|p| std::fs::canonicalize(p).unwrap_or(p.clone()).display().to_string()).collect();
    let edits: usize = std::env::var("COPYDESK_BENCH_EDITS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("root");
        let draft_file = root.join("draft-2000.md");
        std::fs::write(&draft_file, &draft).expect("write draft");
        let mut c = Client::start();
        let caps = json!({"window": {"workDoneProgress": true}, "general": {"positionEncodings": ["utf-16"]}});
        let opts = json!({"corpusPaths": corpus, "debounceMs": 0});
        let t0 = Instant::now();
        c.request("initialize", json!({"processId": null, "rootUri": uri(&root), "capabilities": caps, "initializationOptions": opts})).await;
        c.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})).await;
        let end = c.until(|v| v["method"] == "$/progress" && v["params"]["value"]["kind"] == "end").await;
        let indexing = t0.elapsed();
        println!("corpus: {} ({})", corpus.join(", "), end["params"]["value"]["message"].as_str().unwrap_or("?"));
        println!("indexing (initialized → progress end): {:.2} s", indexing.as_secs_f64());

        let u = uri(&draft_file);
        let t1 = Instant::now();
        c.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": u, "languageId": "markdown", "version": 1, "text": draft}}})).await;
        let first = c.until(|v| v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == 1).await;
        let first_time = t1.elapsed();
        let n = first["params"]["diagnostics"].as_array().map_or(0, Vec::len);
        println!("first diagnostics after didOpen: {} ({n} diagnostics)", ms(first_time));

        // Edits: type and delete a character at the end of the first paragraph line, alternately.
        let (line, ch) = {
            let l = draft.lines().position(|l| l.trim().len() > 20).unwrap_or(0);
            (l, draft.lines().nth(l).map_or(0, |s| s.encode_utf16().count()))
        };
        let mut times = Vec::with_capacity(edits);
        for i in 0..edits {
            let version = i as i64 + 2;
            let change = if i % 2 == 0 {
                json!({"range": {"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch}}, "text": " 7"})
            } else {
                json!({"range": {"start": {"line": line, "character": ch}, "end": {"line": line, "character": ch + 2}}, "text": ""})
            };
            let t = Instant::now();
            c.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": u, "version": version}, "contentChanges": [change]}})).await;
            c.until(|v| v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == json!(version)).await;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "edit → diagnostics over {edits} edits (debounce 0): median {}, p95 {}, min {}, max {}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(times[0]),
            ms(times[times.len() - 1])
        );
        c.request("shutdown", Value::Null).await;
        c.send(json!({"jsonrpc": "2.0", "method": "exit"})).await;
    });
    rt.shutdown_timeout(Duration::from_secs(1));
}
