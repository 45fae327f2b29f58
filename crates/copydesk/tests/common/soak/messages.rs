//! What the soak sends the server and what it makes of each message back: requests answered
//! in time, without an error, empty for a document that is not open; diagnostics published;
//! no error logged.

use super::{Pending, Published, Soak, REQUEST_TIMEOUT};
use serde_json::{json, Value};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

impl Soak {
    pub fn notify(&self, method: &str, params: Value) {
        self.server.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request whose answer is only checked (see `handle`).
    pub fn request(&mut self, method: &str, params: Value, not_open: bool) {
        self.send_request(method, params, not_open, false);
    }

    /// Sends a request and waits for its answer.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params, false, true);
        loop {
            if let Some(v) = self.answers.remove(&id) {
                return v;
            }
            self.pump(Duration::from_millis(20));
        }
    }

    pub fn send_request(&mut self, method: &str, params: Value, not_open: bool, keep: bool) -> i64 {
        let uri = params["textDocument"]["uri"].as_str().unwrap_or_default().to_string();
        let not_open = not_open.then(|| {
            let opens = self.opens.get(&uri).copied().unwrap_or(0);
            (uri, opens)
        });
        self.next_id += 1;
        let id = self.next_id;
        self.server.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let what = format!("{method} #{id}");
        self.note(format!("request {what}{}", if not_open.is_some() { " (not open)" } else { "" }));
        self.tally.requests += 1;
        if not_open.is_some() {
            self.tally.requests_not_open += 1;
        }
        self.pending.insert(id, Pending { what, sent: Instant::now(), not_open, keep });
        id
    }

    /// Handles one message from the server.
    pub fn handle(&mut self, v: Value) {
        if let Some(method) = v.get("method").and_then(Value::as_str) {
            if v.get("id").is_some() {
                return; // a request to the client: the reader thread answered it
            }
            match method {
                "textDocument/publishDiagnostics" => {
                    let uri = v["params"]["uri"].as_str().unwrap_or_default().to_string();
                    let diagnostics = v["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                    let version = v["params"]["version"].as_i64();
                    self.published.insert(uri, Published { version, diagnostics });
                    self.last_publication = Instant::now();
                }
                "window/logMessage" | "window/showMessage" if v["params"]["type"] == 1 => {
                    self.fail(&format!("the server reported an error: {}", v["params"]["message"]))
                }
                _ => {}
            }
            return;
        }
        let Some(id) = v.get("id").and_then(Value::as_i64) else {
            self.fail(&format!("a message that is neither a request, a notification nor an answer: {v}"))
        };
        let Some(p) = self.pending.remove(&id) else { self.fail(&format!("an answer to no request: {v}")) };
        if v.get("error").is_some() {
            self.fail(&format!("{} was answered with an error: {v}", p.what));
        }
        let result = &v["result"];
        let opened_since = p.not_open.as_ref().is_some_and(|(uri, n)| self.opens.get(uri).copied().unwrap_or(0) != *n);
        if p.not_open.is_some() && !opened_since {
            let empty =
                result.is_null() || (result["kind"] == "full" && result["items"].as_array().is_some_and(Vec::is_empty));
            if !empty {
                self.fail(&format!("{} on a document that is not open was answered with {result}", p.what));
            }
        }
        self.tally.slowest_answer = self.tally.slowest_answer.max(p.sent.elapsed());
        if p.keep {
            self.answers.insert(id, v);
        }
    }

    /// Handles the messages that come within `wait` (at least the ones already there).
    pub fn pump(&mut self, wait: Duration) {
        match self.server.from_server.recv_timeout(wait) {
            Ok(v) => self.handle(v),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => self.fail("the server closed its output (it ended or crashed)"),
        }
        while let Ok(v) = self.server.from_server.try_recv() {
            self.handle(v);
        }
        if let Some(p) = self.pending.values().find(|p| p.sent.elapsed() > REQUEST_TIMEOUT) {
            let what = p.what.clone();
            self.fail(&format!("{what} was not answered within {REQUEST_TIMEOUT:?}"));
        }
    }

    /// Waits until every request sent has been answered.
    pub fn drain_requests(&mut self) {
        while !self.pending.is_empty() {
            self.pump(Duration::from_millis(20));
        }
    }
}
