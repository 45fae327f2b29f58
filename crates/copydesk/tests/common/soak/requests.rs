//! Random requests (hover, definition, code actions, diagnostic pulls) on open, closed and
//! never-opened documents, and quick fixes applied as an editor applies them.

use super::fixtures::{NEVER_OPENED, PORT_DRAFT};
use super::text::{pos_from, pos_json};
use super::Soak;
use serde_json::json;
use std::time::{Duration, Instant};

impl Soak {
    pub fn random_request(&mut self) {
        let open = self.open_indices();
        let closed: Vec<usize> = (0..self.drafts.len()).filter(|i| !self.drafts[*i].open).collect();
        let roll = self.rng.below(100);
        let (uri, text, not_open) = if roll < 75 && !open.is_empty() {
            let d = &self.drafts[*self.rng.pick(&open)];
            (d.uri.clone(), d.text.clone(), false)
        } else if roll < 90 && !closed.is_empty() {
            let d = &self.drafts[*self.rng.pick(&closed)];
            (d.uri.clone(), d.text.clone(), true)
        } else {
            (
                {
                    let rel = *self.rng.pick(&NEVER_OPENED);
                    self.uri_of(rel)
                },
                PORT_DRAFT.to_string(),
                true,
            )
        };
        let at = self.position(&text);
        let doc = json!({"uri": uri});
        match self.rng.below(100) {
            0..=34 => {
                self.request("textDocument/hover", json!({"textDocument": doc, "position": pos_json(at)}), not_open)
            }
            35..=54 => self.request(
                "textDocument/definition",
                json!({"textDocument": doc, "position": pos_json(at)}),
                not_open,
            ),
            55..=79 => {
                let end = self.position(&text);
                let mut diagnostics = self.published.get(&uri).map(|p| p.diagnostics.clone()).unwrap_or_default();
                if self.rng.chance(0.5) {
                    diagnostics.clear();
                }
                let params = json!({"textDocument": doc, "range": {"start": pos_json(at), "end": pos_json(end)},
                                    "context": {"diagnostics": diagnostics}});
                self.request("textDocument/codeAction", params, not_open)
            }
            _ => self.request("textDocument/diagnostic", json!({"textDocument": doc}), not_open),
        };
    }

    /// Asks for the quick fixes of an open draft's current diagnostics and applies one, as an editor does.
    pub fn apply_quick_fix(&mut self) {
        let open = self.open_indices();
        if open.is_empty() {
            return;
        }
        let i = *self.rng.pick(&open);
        let (uri, version) = (self.drafts[i].uri.clone(), self.drafts[i].version);
        // The editor shows the diagnostics of the text it has (a pause in typing).
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.published.get(&uri).is_none_or(|p| p.version != Some(version as i64)) && Instant::now() < deadline {
            self.pump(Duration::from_millis(5));
        }
        let Some(diags) =
            self.published.get(&uri).filter(|p| p.version == Some(version as i64)).map(|p| &p.diagnostics)
        else {
            return;
        };
        if diags.is_empty() {
            return;
        }
        let diag = diags[self.rng.below(diags.len())].clone();
        let params = json!({"textDocument": {"uri": uri}, "range": diag["range"],
                            "context": {"diagnostics": [diag]}});
        let answer = self.call("textDocument/codeAction", params);
        // Only the draft's own edits, made for the version it has (an editor drops the others).
        let mut fixes = Vec::new();
        for action in answer["result"].as_array().into_iter().flatten() {
            for change in action["edit"]["documentChanges"].as_array().into_iter().flatten() {
                let for_draft = change["textDocument"]["uri"] == json!(uri)
                    && change["textDocument"]["version"] == json!(version)
                    && change["edits"].as_array().is_some_and(|e| e.len() == 1);
                if for_draft {
                    fixes.push(change["edits"][0].clone());
                }
            }
        }
        if fixes.is_empty() || self.drafts[i].version != version || !self.drafts[i].open {
            return;
        }
        let fix = fixes[self.rng.below(fixes.len())].clone();
        let range = (pos_from(&fix["range"]["start"]), pos_from(&fix["range"]["end"]));
        self.send_changes(i, vec![(Some(range), fix["newText"].as_str().unwrap_or_default().to_string())]);
        self.tally.fixes_applied += 1;
    }
}
