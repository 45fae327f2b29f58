//! `copydesk lsp` as a process: how it ends.

mod common;

use common::command;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

fn start(dir: &std::path::Path) -> (Child, BufReader<ChildStdout>) {
    let mut child = command(dir, &["lsp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start copydesk lsp");
    let out = BufReader::new(child.stdout.take().expect("stdout"));
    (child, out)
}

fn send(child: &mut Child, v: &Value) {
    let body = v.to_string();
    let stdin = child.stdin.as_mut().expect("stdin");
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
    stdin.flush().expect("flush");
}

/// Reads messages until the answer to request `id`.
fn answer(out: &mut BufReader<ChildStdout>, id: i64) -> Value {
    loop {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(out.read_line(&mut line).expect("read") > 0, "the server closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                len = v.trim().parse().expect("length");
            }
        }
        let mut body = vec![0; len];
        out.read_exact(&mut body).expect("body");
        let v: Value = serde_json::from_slice(&body).expect("json");
        if v["id"] == json!(id) && v.get("method").is_none() {
            return v;
        }
    }
}

/// Runs a session (`initialize`, then `shutdown` if asked, then `exit`) and returns the exit code.
fn session(shutdown: bool) -> Option<i32> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, mut out) = start(dir.path());
    send(&mut child, &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    answer(&mut out, 1);
    send(&mut child, &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    if shutdown {
        send(&mut child, &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
        answer(&mut out, 2);
    }
    send(&mut child, &json!({"jsonrpc": "2.0", "method": "exit"}));
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("copydesk lsp did not end within 10 s of exit");
}

#[test]
fn exit_after_shutdown_ends_with_0_and_without_it_with_1() {
    assert_eq!(session(true), Some(0), "exit after shutdown");
    assert_eq!(session(false), Some(1), "exit without shutdown (LSP: code 1)");
}
