//! A guard in front of tower-lsp-server's framing.
//!
//! tower-lsp-server stops reading after the first frame it cannot decode (bad
//! JSON, a missing `Content-Length`), which ends the session. This layer reads
//! the client's frames itself, answers malformed ones with a JSON-RPC error
//! (`-32700` parse error, `-32600` invalid request, id null when unknown), and
//! passes only well-formed messages on. Output frames from the server and
//! these error responses go out through one writer, whole frames at a time.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Frames larger than this are refused (and skipped).
const MAX_FRAME: usize = 256 << 20;

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let v = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    frame(v.to_string().as_bytes())
}

fn valid_id(v: &Value) -> bool {
    v.is_null() || v.is_string() || v.as_i64().is_some()
}

/// Whether a JSON value is a message tower-lsp-server can decode; else the error to answer with.
fn check_message(v: &Value) -> Result<(), (Value, &'static str)> {
    let id = v.get("id").cloned().filter(valid_id).unwrap_or(Value::Null);
    let Some(obj) = v.as_object() else { return Err((Value::Null, "a message must be a JSON object")) };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((id, "missing or wrong \"jsonrpc\": \"2.0\""));
    }
    if obj.get("id").is_some_and(|i| !valid_id(i)) {
        return Err((Value::Null, "\"id\" must be a number or a string"));
    }
    match obj.get("method") {
        Some(Value::String(_)) => {
            if obj.get("params").is_some_and(|p| !(p.is_object() || p.is_array() || p.is_null())) {
                return Err((id, "\"params\" must be an object or an array"));
            }
            Ok(())
        }
        Some(_) => Err((id, "\"method\" must be a string")),
        None if obj.contains_key("id") && (obj.contains_key("result") || obj.contains_key("error")) => Ok(()),
        None => Err((id, "neither a request, a notification nor a response")),
    }
}

/// Reads one frame's header block (blank lines before it are skipped). `None` at the end
/// of input; otherwise the Content-Length: `None` when absent, `Some(None)` when unreadable.
async fn read_headers<R: AsyncRead + Unpin>(r: &mut BufReader<R>, line: &mut Vec<u8>) -> Option<Option<Option<usize>>> {
    let mut len = None;
    let mut saw_header = false;
    loop {
        line.clear();
        match r.read_until(b'\n', line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(line);
        let t = text.trim();
        if t.is_empty() {
            if saw_header {
                return Some(len);
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = t.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                len = Some(value.trim().parse::<usize>().ok());
            }
        }
    }
}

/// Reads the client's frames from `input`; forwards good ones to `to_server`, answers bad ones through `errors`.
pub async fn pump_input<R, W>(input: R, mut to_server: W, errors: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut r = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        let Some(len) = read_headers(&mut r, &mut line).await else { return };
        let n = match len {
            Some(Some(n)) => n,
            Some(None) => {
                let _ = errors.send(error_frame(Value::Null, -32700, "invalid Content-Length header"));
                continue;
            }
            None => {
                let _ = errors.send(error_frame(Value::Null, -32700, "missing Content-Length header"));
                continue;
            }
        };
        if n > MAX_FRAME {
            let _ = errors.send(error_frame(Value::Null, -32600, "message too large"));
            let mut skip = (&mut r).take(n as u64);
            if tokio::io::copy(&mut skip, &mut tokio::io::sink()).await.is_err() {
                return;
            }
            continue;
        }
        let mut body = vec![0u8; n];
        if r.read_exact(&mut body).await.is_err() {
            return;
        }
        match serde_json::from_slice::<Value>(&body) {
            Err(e) => {
                let _ = errors.send(error_frame(Value::Null, -32700, &format!("parse error: {e}")));
            }
            Ok(v) => match check_message(&v) {
                Err((id, why)) => {
                    let _ = errors.send(error_frame(id, -32600, &format!("invalid request: {why}")));
                }
                Ok(()) => {
                    if to_server.write_all(&frame(&body)).await.is_err() || to_server.flush().await.is_err() {
                        return;
                    }
                }
            },
        }
    }
}

/// Reads the server's (well-formed) frames from `from_server` and hands them to the writer whole.
pub async fn pump_output<R>(from_server: R, frames: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
{
    let mut r = BufReader::new(from_server);
    let mut line = Vec::new();
    loop {
        let Some(len) = read_headers(&mut r, &mut line).await else { return };
        let Some(Some(n)) = len else { continue };
        let mut body = vec![0u8; n];
        if r.read_exact(&mut body).await.is_err() {
            return;
        }
        if frames.send(frame(&body)).is_err() {
            return;
        }
    }
}

/// Writes whole frames to the client until every sender is gone.
pub async fn write_frames<W>(mut output: W, mut frames: mpsc::UnboundedReceiver<Vec<u8>>)
where
    W: AsyncWrite + Unpin,
{
    while let Some(f) = frames.recv().await {
        if output.write_all(&f).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shapes() {
        assert!(check_message(&json!({"jsonrpc": "2.0", "method": "x"})).is_ok());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": 1, "result": null})).is_ok());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": "a", "method": "x", "params": {}})).is_ok());
        assert_eq!(check_message(&json!({"jsonrpc": "2.0", "id": 4, "method": 3})).unwrap_err().0, json!(4));
        assert!(check_message(&json!([1, 2])).is_err());
        assert!(check_message(&json!({"method": "x"})).is_err());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "x"})).is_err());
        assert!(check_message(&json!({"jsonrpc": "2.0", "method": "x", "params": 5})).is_err());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": 2})).is_err());
    }
}
