//! `copydesk lsp` as a process, over its standard input and output (real `Content-Length`
//! framing), and `file://` URIs.

use crate::common::command;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

pub fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

pub fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
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
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The server process. A writer thread feeds its input and a reader thread drains its
/// output (answering its requests), so neither side can block the other.
pub struct Server {
    pub child: Child,
    pub to_server: Sender<Vec<u8>>,
    pub from_server: Receiver<Value>,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path) -> Server {
        let mut child = command(root, &["lsp"])
            .env("XDG_CACHE_HOME", root.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start copydesk lsp");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let (to_server, frames) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for bytes in frames {
                if stdin.write_all(&bytes).and_then(|()| stdin.flush()).is_err() {
                    break;
                }
            }
        });
        let (tx, from_server) = mpsc::channel();
        let answer = to_server.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_frame(&mut r) {
                if let (Some(id), Some(method)) = (v.get("id"), v.get("method").and_then(Value::as_str)) {
                    let result = match method {
                        "workspace/configuration" => {
                            let n = v["params"]["items"].as_array().map_or(1, Vec::len);
                            Value::Array(vec![Value::Null; n])
                        }
                        _ => Value::Null,
                    };
                    let _ = answer.send(frame(&json!({"jsonrpc": "2.0", "id": id, "result": result})));
                }
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap_or_else(|e| e.into_inner()).push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Server { child, to_server, from_server, stderr }
    }

    pub fn send(&self, v: &Value) {
        let _ = self.to_server.send(frame(v));
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn file_uri(p: &Path) -> String {
    let mut out = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The path of a `file://` URI, percent-decoded.
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let hex = rest.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        if let Some(b) = hex.filter(|_| rest[i] == b'%').and_then(|h| u8::from_str_radix(h, 16).ok()) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(rest[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}
