//! Checkpoints: once the server has settled, each open draft's diagnostics (published and
//! pulled) against `copydesk check --format json --no-index` of the client's text, compared
//! in one canonical form; the same before a draft is sent whole again; and for a failure, a
//! second opinion on where the difference comes from.

use super::fixtures::{NEVER_OPENED, PROBE};
use super::server::{file_uri, uri_path};
use super::text::{line_end, line_starts, pos_from, pos_json, position_of, utf16_of_char_column};
use super::{Draft, Soak, QUIET, SETTLE_TIMEOUT};
use crate::common::command;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

impl Soak {
    /// What `copydesk check` finds in the client's texts of the open drafts, as each
    /// draft's diagnostics would read (see `canonical_lsp`).
    pub fn fresh_check(&self, which: &[usize]) -> HashMap<String, Vec<Value>> {
        let open: Vec<&Draft> = which.iter().map(|i| &self.drafts[*i]).collect();
        let mut expected: HashMap<String, Vec<Value>> = HashMap::new();
        if open.is_empty() {
            return expected;
        }
        for d in &open {
            std::fs::write(self.root.join(d.file), &d.text).expect("write the draft");
            expected.insert(d.uri.clone(), Vec::new());
        }
        let out = command(&self.root, &["check", "--no-index", "--format", "json"])
            .args(open.iter().map(|d| d.file))
            .env("XDG_CACHE_HOME", self.root.join(".cache"))
            .output()
            .expect("copydesk check runs");
        if !matches!(out.status.code(), Some(0 | 1)) {
            self.fail(&format!("copydesk check failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let report: Value = serde_json::from_slice(&out.stdout).expect("copydesk check's JSON");
        for f in report["findings"].as_array().into_iter().flatten() {
            let Some(d) = open.iter().find(|d| f["path"] == d.file) else {
                self.fail(&format!("a finding for a file not checked: {f}"))
            };
            expected.get_mut(&d.uri).expect("an open draft").push(canonical_cli(&d.text, f));
        }
        expected
    }

    pub fn canonical_lsp(&self, d: &Value) -> Value {
        let evidence: Vec<Value> = d["relatedInformation"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let path = uri_path(r["location"]["uri"].as_str().unwrap_or_default())
                    .and_then(|p| p.strip_prefix(&self.root).ok().map(|p| p.to_string_lossy().into_owned()));
                json!([path, r["location"]["range"]["start"]["line"].as_u64().map(|l| l + 1), r["message"]])
            })
            .collect();
        let (a, b) = (pos_from(&d["range"]["start"]), pos_from(&d["range"]["end"]));
        json!({
            "range": [a.0, a.1, b.0, b.1],
            "code": d["code"],
            "severity": d["severity"],
            "source": d["source"],
            "message": d["message"],
            "text": d["data"]["text"],
            "suggestion": d["data"]["replacement"],
            "evidence": evidence,
        })
    }

    /// Waits until the server has settled, then compares each open draft's diagnostics
    /// (published, and pulled) with a fresh check of the client's text.
    pub fn checkpoint(&mut self, last: bool) {
        // A probe at the end of each open draft, through a position past its last line.
        for i in self.open_indices() {
            let lines = line_starts(&self.drafts[i].text).len() as u32;
            let end = (lines + self.rng.below(3) as u32, self.rng.below(9) as u32);
            self.send_changes(i, vec![(Some((end, end)), format!("\n\n{PROBE}\n"))]);
        }
        self.note(format!("checkpoint{}", if last { " (last)" } else { "" }));
        self.drain_requests();
        let expected = self.fresh_check(&self.open_indices());
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            self.pump(Duration::from_millis(20));
            let differs = self.first_difference(&expected);
            if differs.is_none() && self.last_publication.elapsed() >= QUIET {
                break;
            }
            if Instant::now() > deadline {
                let second = self.second_opinion(&expected);
                self.fail(&format!(
                    "the server did not settle on the diagnostics a fresh check gives within {SETTLE_TIMEOUT:?}:\n{}\n{second}",
                    differs.unwrap_or_else(|| "it kept publishing".to_string())
                ));
            }
        }
        // Pulled diagnostics (the latest result of each open draft) agree too.
        for i in self.open_indices() {
            let uri = self.drafts[i].uri.clone();
            let answer = self.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
            let pulled: Vec<Value> =
                answer["result"]["items"].as_array().into_iter().flatten().map(|d| self.canonical_lsp(d)).collect();
            if pulled != expected[&uri] {
                self.fail(&format!(
                    "pulled diagnostics of {} differ from a fresh check:\n{}",
                    self.drafts[i].file,
                    diff(&pulled, &expected[&uri])
                ));
            }
            // Each finding's hover covers it; its evidence is where definition goes. (Not for a
            // misattribution: it flags the speaker, while hover and definition are the quote's.)
            for d in self.published[&uri].diagnostics.clone() {
                if d["code"] == "misattribution" {
                    continue;
                }
                let at = pos_from(&d["range"]["start"]);
                let h =
                    self.call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos_json(at)}));
                let covers = h["result"]["range"].as_object().is_some_and(|_| {
                    pos_from(&h["result"]["range"]["start"]) <= at && at <= pos_from(&h["result"]["range"]["end"])
                });
                if !covers {
                    self.fail(&format!(
                        "the hover at {at:?} of {} does not cover its finding {d}: {h}",
                        self.drafts[i].file
                    ));
                }
                if d["relatedInformation"].as_array().is_some_and(|r| !r.is_empty()) {
                    let g = self.call(
                        "textDocument/definition",
                        json!({"textDocument": {"uri": uri}, "position": pos_json(at)}),
                    );
                    if g["result"].is_null() {
                        self.fail(&format!(
                            "no definition at {at:?} of {}, a finding with evidence: {d}",
                            self.drafts[i].file
                        ));
                    }
                }
            }
            self.tally.findings_compared += expected[&uri].len();
        }
        self.tally.checkpoints += 1;
    }

    /// Before the client sends open draft `i`'s whole text again (closing and opening it,
    /// replacing it), which would mend any difference between the server's copy and the
    /// client's: the diagnostics of the server's current text (pulled: the result of its
    /// latest check) must be a fresh check's of the client's text. A figure appended to
    /// each line first (at a position past the line's end) puts a finding at the end of
    /// every line, where the server's copy has it; it is taken out again after. A pull does
    /// not wait for a corpus change under way, so a difference is asked about again until
    /// it has lasted [`SETTLE_TIMEOUT`].
    pub fn verify_before_resync(&mut self, i: usize) {
        self.tally.resync_checks += 1;
        let probe = format!(" {PROBE}");
        let lines = line_starts(&self.drafts[i].text).len().min(100) as u32;
        let past_the_end = 1_000_000;
        let appended = (0..lines).map(|l| (Some(((l, past_the_end), (l, past_the_end))), probe.clone())).collect();
        self.send_changes(i, appended);
        self.compare_pulled(i);
        let text = &self.drafts[i].text;
        let starts = line_starts(text);
        let width = probe.encode_utf16().count() as u32;
        let taken_out = (0..lines)
            .map(|l| {
                let end = position_of(text, line_end(text, &starts, l as usize));
                (Some(((l, end.1 - width), end)), String::new())
            })
            .collect();
        self.send_changes(i, taken_out);
    }

    /// Open draft `i`'s pulled diagnostics must be a fresh check's of the client's text.
    pub fn compare_pulled(&mut self, i: usize) {
        let expected = self.fresh_check(&[i]);
        let uri = self.drafts[i].uri.clone();
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            let answer = self.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
            let pulled: Vec<Value> =
                answer["result"]["items"].as_array().into_iter().flatten().map(|d| self.canonical_lsp(d)).collect();
            if pulled == expected[&uri] {
                self.tally.findings_compared += pulled.len();
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "before {} is sent whole again, its diagnostics differ from a fresh check of the client's text (for {SETTLE_TIMEOUT:?}):\n{}",
                    self.drafts[i].file,
                    diff(&pulled, &expected[&uri])
                ));
            }
            self.pump(Duration::from_millis(50));
        }
    }

    /// For a failure's report: what the server finds in a copy of each open draft that
    /// differs, opened afresh (no edit history) — a stale corpus, or a stale document.
    pub fn second_opinion(&mut self, expected: &HashMap<String, Vec<Value>>) -> String {
        let mut out = String::new();
        for i in self.open_indices() {
            let d = &self.drafts[i];
            let published: Vec<Value> = self
                .published
                .get(&d.uri)
                .map_or(Vec::new(), |p| p.diagnostics.iter().map(|x| self.canonical_lsp(x)).collect());
            if published == expected[&d.uri] {
                continue;
            }
            let ext = d.file.rsplit('.').next().unwrap_or("md");
            let uri = file_uri(&self.root.join(format!("drafts/second-opinion-{i}.{ext}")));
            let params = json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": d.text}});
            let file = d.file;
            self.notify("textDocument/didOpen", params);
            let deadline = Instant::now() + Duration::from_secs(10);
            while !self.published.contains_key(&uri) && Instant::now() < deadline {
                self.pump(Duration::from_millis(20));
            }
            let fresh: Vec<Value> = self
                .published
                .get(&uri)
                .map_or(Vec::new(), |p| p.diagnostics.iter().map(|x| self.canonical_lsp(x)).collect());
            let verdict = if fresh == expected[&self.drafts[i].uri] {
                "agrees with the fresh check (the open draft's state is stale)"
            } else if fresh == published {
                "agrees with the open draft (the server's corpus differs from the files)"
            } else {
                "agrees with neither"
            };
            out.push_str(&format!("the same text of {file} opened afresh in the server {verdict}\n"));
        }
        out
    }

    /// The first way the published diagnostics differ from `expected` (None: they agree).
    pub fn first_difference(&self, expected: &HashMap<String, Vec<Value>>) -> Option<String> {
        for d in &self.drafts {
            let published = self.published.get(&d.uri);
            if !d.open {
                if let Some(p) = published.filter(|p| !p.diagnostics.is_empty()) {
                    return Some(format!("{} is closed but keeps {} diagnostics", d.file, p.diagnostics.len()));
                }
                continue;
            }
            let Some(p) = published else { return Some(format!("nothing published for {}", d.file)) };
            if p.version != Some(d.version as i64) {
                return Some(format!(
                    "{}: published for version {:?}, the client has {}",
                    d.file, p.version, d.version
                ));
            }
            let got: Vec<Value> = p.diagnostics.iter().map(|x| self.canonical_lsp(x)).collect();
            if got != expected[&d.uri] {
                return Some(format!("{} (version {}):\n{}", d.file, d.version, diff(&got, &expected[&d.uri])));
            }
        }
        for rel in NEVER_OPENED {
            if self.published.get(&self.uri_of(rel)).is_some_and(|p| !p.diagnostics.is_empty()) {
                return Some(format!("diagnostics published for {rel}, never opened"));
            }
        }
        None
    }
}

pub fn canonical_cli(text: &str, f: &Value) -> Value {
    let a = utf16_of_char_column(text, f["line"].as_u64().unwrap_or(0), f["column"].as_u64().unwrap_or(0));
    let b = utf16_of_char_column(text, f["end_line"].as_u64().unwrap_or(0), f["end_column"].as_u64().unwrap_or(0));
    let severity = match f["severity"].as_str() {
        Some("error") => 1,
        Some("information") => 3,
        Some("hint") => 4,
        _ => 2,
    };
    let evidence: Vec<Value> =
        f["evidence"].as_array().into_iter().flatten().map(|e| json!([e["path"], e["line"], e["text"]])).collect();
    json!({
        "range": [a.0, a.1, b.0, b.1],
        "code": f["code"],
        "severity": severity,
        "source": "copydesk",
        "message": f["message"],
        "text": f["text"],
        "suggestion": f["suggestion"],
        "evidence": evidence,
    })
}

pub fn diff(got: &[Value], want: &[Value]) -> String {
    let mut out = String::new();
    for g in got.iter().filter(|g| !want.contains(g)) {
        out.push_str(&format!("  server only: {g}\n"));
    }
    for w in want.iter().filter(|w| !got.contains(w)) {
        out.push_str(&format!("  fresh check only: {w}\n"));
    }
    if out.is_empty() {
        out = format!("  the same findings in another order:\n  server: {got:?}\n  check: {want:?}\n");
    }
    out
}
