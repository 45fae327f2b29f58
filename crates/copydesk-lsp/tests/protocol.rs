//! The server over real LSP framing, one capability at a time.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

fn mismatch(diags: &Value) -> Option<&Value> {
    diags["diagnostics"].as_array()?.iter().find(|d| d["code"] == "number-mismatch")
}

fn expect_mismatch(diags: &Value) -> &Value {
    mismatch(diags)
        .unwrap_or_else(|| panic!("the engine reported no number-mismatch for 84,300 (source: 94,300): {diags:#}"))
}

fn range(p: (u32, u32), len: u32) -> Value {
    json!({"start": position(p), "end": position((p.0, p.1 + len))})
}

#[tokio::test]
async fn initialize_negotiates_position_encoding() {
    let ws = Workspace::standard();
    for (offered, expected) in
        [(json!(["utf-16", "utf-8"]), "utf-8"), (json!(["utf-16"]), "utf-16"), (Value::Null, "utf-16")]
    {
        let mut c = TestClient::start();
        let mut caps = caps();
        caps["general"]["positionEncodings"] = offered;
        let r = c.initialize(&ws.root, caps, Value::Null).await;
        assert_eq!(r["capabilities"]["positionEncoding"], expected);
        assert_eq!(r["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(r["capabilities"]["hoverProvider"], true);
        assert!(r["capabilities"]["diagnosticProvider"].is_null(), "no pull capability for a push client");
        c.shutdown().await;
    }
}

#[tokio::test]
async fn positions_in_utf8_and_utf16_with_non_ascii_text() {
    let ws = Workspace::standard();
    // "é" is 2 bytes / 1 unit, "😀" 4 bytes / 2 units.
    let draft = "# Frontier\n\nÉté 😀 report: the defence ministry counted 84,300 soldiers stationed near the northern frontier on Tuesday.\n";
    for (enc, expect) in [("utf-8", pos8(draft, "84,300")), ("utf-16", pos16(draft, "84,300"))] {
        let mut c = TestClient::start();
        let mut caps = caps();
        caps["general"]["positionEncodings"] = json!([enc]);
        c.initialize(&ws.root, caps, Value::Null).await;
        let uri = ws.uri("draft.md");
        c.open(&uri, draft).await;
        let d = c.diagnostics(&uri).await;
        let m = expect_mismatch(&d);
        assert_eq!(m["range"], range(expect, 6), "{enc}");
        // hover at the same position in the negotiated encoding finds the claim
        let h = c
            .call(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": position((expect.0, expect.1 + 2))}),
            )
            .await;
        assert_eq!(h["range"], range(expect, 6), "{enc}: {h}");
        c.shutdown().await;
    }
    assert_ne!(pos8(draft, "84,300"), pos16(draft, "84,300"));
}

#[tokio::test]
async fn incremental_edits_apply_in_order() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    let p = pos16(DRAFT, "84,300");
    assert_eq!(expect_mismatch(&d)["range"], range(p, 6));
    // Two changes in one notification, then more: prefix line 2 with "é😀 " and rewrite "84,300" to "94,300" digit by digit.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "é😀 "},
            {"range": {"start": {"line": 2, "character": p.1 + 4}, "end": {"line": 2, "character": p.1 + 5}}, "text": "9"},
        ]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["version"], 2);
    assert!(mismatch(&d).is_none(), "94,300 agrees with the source: {d:#}");
    // put the wrong figure back (delete "9", insert "8"): the finding returns, shifted by 4 UTF-16 units
    c.change(&uri, 3, ((2, p.1 + 4), (2, p.1 + 5)), "").await;
    c.change(&uri, 4, ((2, p.1 + 4), (2, p.1 + 4)), "8").await;
    let d = loop {
        let d = c.diagnostics(&uri).await;
        if d["version"] == 4 {
            break d;
        }
    };
    assert_eq!(expect_mismatch(&d)["range"], range((2, p.1 + 4), 6));
    c.shutdown().await;
}

#[tokio::test]
async fn push_diagnostics_carry_code_source_severity_related_information_and_data() {
    let ws = Workspace::standard();
    let (c, _uri, d) = start(&ws, caps(), Value::Null).await;
    let m = expect_mismatch(&d);
    assert_eq!(m["source"], "copydesk");
    assert_eq!(m["severity"], 2, "warning by default");
    let related = &m["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], json!(ws.uri("sources/ministry.txt")));
    let src_pos = pos16(SOURCE_A, "94,300");
    assert_eq!(related["location"]["range"], range(src_pos, 6));
    assert!(related["message"].as_str().unwrap_or("").contains("94,300 soldiers"), "{related}");
    assert_eq!(m["data"]["replacement"], "94,300");
    assert_eq!(m["data"]["text"], "84,300");
    // exactly the engine's findings: the supported figure is not flagged
    let codes: Vec<&Value> =
        d["diagnostics"].as_array().map(|a| a.iter().map(|d| &d["code"]).collect()).unwrap_or_default();
    assert_eq!(codes, vec![&json!("number-mismatch")], "{d:#}");
    c.shutdown().await;
}

#[tokio::test]
async fn pull_diagnostics_replace_push_when_the_client_supports_them() {
    let ws = Workspace::standard();
    let mut caps = caps();
    merge(
        &mut caps,
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}, "workspace": {"diagnostics": {"refreshSupport": true}}}),
    );
    let mut c = TestClient::start();
    let r = c.initialize(&ws.root, caps, Value::Null).await;
    assert_eq!(r["capabilities"]["diagnosticProvider"]["identifier"], "copydesk");
    c.indexed().await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    let rep = c.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}})).await;
    assert_eq!(rep["kind"], "full");
    let items = json!({"diagnostics": rep["items"].clone()});
    assert_eq!(expect_mismatch(&items)["range"], range(pos16(DRAFT, "84,300"), 6));
    let id = rep["resultId"].clone();
    let again = c.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}, "previousResultId": id})).await;
    assert_eq!(again["kind"], "unchanged");
    // an edit: the next pull reflects it
    let p = pos16(DRAFT, "84,300");
    c.change(&uri, 2, ((p.0, p.1), (p.0, p.1 + 1)), "9").await;
    let rep = c.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}, "previousResultId": id})).await;
    assert_eq!(rep["kind"], "full");
    assert!(mismatch(&json!({"diagnostics": rep["items"].clone()})).is_none(), "{rep:#}");
    // and nothing was ever pushed
    let pushed =
        c.try_wait_for(Duration::from_millis(300), &|v: &Value| v["method"] == "textDocument/publishDiagnostics").await;
    assert!(pushed.is_none(), "a pull client got a push: {pushed:?}");
    c.shutdown().await;
}

#[tokio::test]
async fn hover_on_contradicted_and_supported_claims() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    let h = c
        .call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "84,300"))}))
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert_eq!(h["contents"]["kind"], "markdown");
    assert!(md.starts_with("**copydesk: Contradicted (number-mismatch)**\n\n\u{201C}84,300 soldiers\u{201D} \u{2014} the source has 94,300 (sources/ministry.txt:4)\n"), "{md}");
    // Each thing once: the message, the sentence.
    assert_eq!(md.matches("the source has").count(), 1, "{md}");
    assert_eq!(md.matches("The defence ministry counted 94,300 soldiers").count(), 1, "{md}");
    assert!(md.contains("> The defence ministry counted 94,300 soldiers"), "{md}");
    assert!(
        md.contains("sources/ministry.txt, line 4 \u{b7} Defence ministry tallies border forces \u{b7} 2021-12-03"),
        "{md}"
    );
    assert!(md.contains("Why: The most comparable source figure is about the same fact"), "{md}");
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "12 million"))}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.starts_with("**copydesk: Supported**"), "hover on a supported figure: {h}");
    assert_eq!(md.matches("Supported").count(), 1, "{md}");
    assert!(md.contains("sources/harbour.txt, line 3"), "{md}");
    // nothing to say about plain words
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "Frontier"))}),
        )
        .await;
    assert!(h.is_null(), "{h}");
    c.shutdown().await;
}

#[tokio::test]
async fn definition_goes_to_the_source_sentence() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    let r = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "84,300"))}),
        )
        .await;
    let loc = if r.is_array() { r[0].clone() } else { r.clone() };
    assert_eq!(loc["uri"], json!(ws.uri("sources/ministry.txt")), "{r}");
    assert_eq!(loc["range"], range(pos16(SOURCE_A, "94,300"), 6));
    c.shutdown().await;
}

/// The code actions offered for the draft's mismatch diagnostic.
async fn actions_for(c: &mut TestClient, uri: &str, diag: &Value) -> Vec<Value> {
    let r = c
        .call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        )
        .await;
    r.as_array().cloned().unwrap_or_default()
}

fn edits_for(action: &Value, uri: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for ch in action["edit"]["documentChanges"].as_array().into_iter().flatten() {
        if ch["textDocument"]["uri"] == json!(uri) {
            out.extend(ch["edits"].as_array().cloned().unwrap_or_default());
        }
    }
    out
}

#[tokio::test]
async fn quick_fix_writes_the_source_figure_and_the_finding_goes() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    let diag = expect_mismatch(&d).clone();
    let actions = actions_for(&mut c, &uri, &diag).await;
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Replace with")))
        .expect("a replace fix");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["edit"]["documentChanges"][0]["textDocument"]["version"], 1);
    let edits = edits_for(fix, &uri);
    let fixed = apply_edits(DRAFT, &edits);
    assert!(fixed.contains("counted 94,300 soldiers"), "{fixed}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["version"], 2);
    assert!(mismatch(&d).is_none(), "{d:#}");
    c.shutdown().await;
}

/// A client's diagnostics lag its edits: a quick fix asked for with the diagnostic of the text
/// before an edit (typed, then the fix asked for before the server checked it again) writes the
/// source's figure where the figure is now, in the version it is now; a finding the edit
/// resolved gets no fix.
#[tokio::test]
async fn quick_fix_for_a_diagnostic_of_the_previous_text_edits_the_text_as_it_is_now() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    let diag = expect_mismatch(&d).clone();
    // Words typed before the figure, on its line: the figure moves right.
    let at = pos16(DRAFT, "The defence ministry counted");
    c.change(&uri, 2, (at, at), "By Friday, ").await;
    let text = DRAFT.replacen("The defence", "By Friday, The defence", 1);
    let actions = actions_for(&mut c, &uri, &diag).await;
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Replace with")))
        .unwrap_or_else(|| panic!("a replace fix: {actions:#?}"));
    assert_eq!(fix["edit"]["documentChanges"][0]["textDocument"]["version"], 2, "{fix}");
    assert_eq!(apply_edits(&text, &edits_for(fix, &uri)), text.replacen("84,300", "94,300", 1), "{fix}");
    // The ignore comment goes above the figure's line as it is now.
    let ignore = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Ignore this claim")))
        .unwrap_or_else(|| panic!("an ignore fix: {actions:#?}"));
    let ignored = apply_edits(&text, &edits_for(ignore, &uri));
    assert!(ignored.contains("<!-- copydesk-ignore-next-line -->\nBy Friday, The defence"), "{ignored}");
    // The figure corrected by hand: the old diagnostic's fix would write over the new text.
    let fig = pos16(&text, "84,300");
    c.change(&uri, 3, (fig, (fig.0, fig.1 + 6)), "94,300").await;
    let actions = actions_for(&mut c, &uri, &diag).await;
    assert!(actions.is_empty(), "no fix for a finding that is gone: {actions:#?}");
    c.shutdown().await;
}

#[tokio::test]
async fn quick_fix_ignore_this_claim_inserts_the_comment_above() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    let diag = expect_mismatch(&d).clone();
    let actions = actions_for(&mut c, &uri, &diag).await;
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Ignore this claim")))
        .expect("ignore fix");
    let fixed = apply_edits(DRAFT, &edits_for(fix, &uri));
    assert!(fixed.contains("\n<!-- copydesk-ignore-next-line -->\nThe defence ministry counted 84,300"), "{fixed}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    assert!(mismatch(&d).is_none(), "the engine honours the comment: {d:#}");
    c.shutdown().await;
}

#[tokio::test]
async fn quick_fix_ignore_in_project_edits_copydesk_toml() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    let diag = expect_mismatch(&d).clone();
    let actions = actions_for(&mut c, &uri, &diag).await;
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.contains("in this project")))
        .expect("project fix");
    let toml_uri = ws.uri("copydesk.toml");
    let toml_path = ws.root.join("copydesk.toml");
    let before = std::fs::read_to_string(&toml_path).unwrap_or_default();
    let after = apply_edits(&before, &edits_for(fix, &toml_uri));
    assert!(after.contains("[ignore]\nclaims = [\"84,300\"]"), "{after}");
    assert_eq!(std::fs::read_to_string(&toml_path).unwrap_or_default(), before, "the server writes no file");
    // the client applies it; the watcher reports it; the finding goes
    std::fs::write(&toml_path, &after).expect("write toml");
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": toml_uri, "type": 2}]})).await;
    let d = c.diagnostics(&uri).await;
    assert!(mismatch(&d).is_none(), "{d:#}");
    c.shutdown().await;
}

#[tokio::test]
async fn quick_fix_ignore_in_project_creates_a_missing_copydesk_toml() {
    let ws = Workspace::new("");
    let (mut c, uri, d) = start(&ws, caps(), json!({"corpusPaths": ["sources"], "debounceMs": 0})).await;
    let diag = expect_mismatch(&d).clone();
    let actions = actions_for(&mut c, &uri, &diag).await;
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.contains("in this project")))
        .expect("project fix");
    let ops = fix["edit"]["documentChanges"].as_array().cloned().unwrap_or_default();
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], json!(ws.uri("copydesk.toml")));
    let text = apply_edits("", &edits_for(fix, &ws.uri("copydesk.toml")));
    assert_eq!(text, "[ignore]\nclaims = [\"84,300\"]\n");
    assert!(!ws.root.join("copydesk.toml").exists());
    c.shutdown().await;
}

#[tokio::test]
async fn configuration_precedence_toml_then_init_options_then_workspace_configuration() {
    let toml = "[corpus]\npaths = [\"sources\"]\n[severity]\nnumber-mismatch = \"hint\"\n[server]\ndebounce_ms = 0\n";
    let ws = Workspace::new(toml);
    // toml alone
    let (c, _, d) = start(&ws, caps(), Value::Null).await;
    assert_eq!(expect_mismatch(&d)["severity"], 4);
    c.shutdown().await;
    // initializationOptions override the file
    let (c, _, d) = start(&ws, caps(), json!({"severity": {"number-mismatch": "information"}})).await;
    assert_eq!(expect_mismatch(&d)["severity"], 3);
    c.shutdown().await;
    // workspace/configuration overrides both
    let mut c = TestClient::start();
    c.configuration = json!({"severity": {"number-mismatch": "error"}});
    c.initialize(&ws.root, caps(), json!({"severity": {"number-mismatch": "information"}})).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(expect_mismatch(&d)["severity"], 1);
    // didChangeConfiguration pulls it again
    c.configuration = json!({"severity": "off"});
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}})).await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["diagnostics"], json!([]));
    c.shutdown().await;
    // corpus paths from the client when the file has none
    let ws2 = Workspace::new("");
    let (c, _, d) = start(&ws2, caps(), json!({"corpus": {"paths": ["sources"]}, "debounceMs": 0})).await;
    expect_mismatch(&d);
    c.shutdown().await;
}

#[tokio::test]
async fn watched_corpus_changes_are_reindexed_and_rechecked() {
    let ws = Workspace::standard();
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let reg = c.wait_for("registerCapability", |v| v["method"] == "client/registerCapability").await;
    let reg = &reg["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<String> = reg["registerOptions"]["watchers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["globPattern"].as_str().map(str::to_string))
        .collect();
    assert!(globs.contains(&format!("{}/sources/**/*", ws.root.display())), "{globs:?}");
    assert!(globs.contains(&format!("{}/copydesk.toml", ws.root.display())), "{globs:?}");
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    expect_mismatch(&c.diagnostics(&uri).await);
    // the source now agrees with the draft
    let src = ws.root.join("sources/ministry.txt");
    std::fs::write(&src, SOURCE_A.replace("94,300", "84,300")).expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": ws.uri("sources/ministry.txt"), "type": 2}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    assert!(mismatch(&d).is_none(), "{d:#}");
    // deleted, then a new file says 94,300 again
    move_the_figure_to(&mut c, &ws, &uri, "sources/new.txt", SOURCE_A).await;
    c.shutdown().await;
}

#[tokio::test]
async fn a_source_rewritten_then_deleted_at_once_ends_deleted() {
    // Two announcements of one file, handled side by side: the first reads a long file
    // (slow to analyze), the second finds it gone. The long read must not be applied last.
    let ws = Workspace::standard();
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    expect_mismatch(&c.diagnostics(&uri).await);
    let src = ws.root.join("sources/ministry.txt");
    let filler: String =
        (0..20_000).map(|i| format!("The lighthouse keeper logged {i} passing boats on day {i}.\n\n")).collect();
    std::fs::write(&src, format!("{SOURCE_A}\n{filler}")).expect("write");
    let changed = |typ: u32| json!({"changes": [{"uri": ws.uri("sources/ministry.txt"), "type": typ}]});
    c.notify("workspace/didChangeWatchedFiles", changed(2)).await;
    tokio::time::sleep(Duration::from_millis(50)).await; // the long file is being read
    std::fs::remove_file(&src).expect("rm");
    c.notify("workspace/didChangeWatchedFiles", changed(3)).await;
    let u = json!(uri);
    c.wait_for("the diagnostics without the deleted source's figure", |v| {
        v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == u && mismatch(&v["params"]).is_none()
    })
    .await;
    // Nothing brings the deleted file back.
    for d in publishes_until_quiet(&mut c, &uri, Duration::from_secs(5)).await {
        assert!(mismatch(&d).is_none(), "the deleted source came back: {d:#}");
    }
    c.shutdown().await;
}

/// Removes `sources/ministry.txt`, writes its figure (in `text`) to the new file `name`,
/// announces both changes, and checks that the draft's mismatch now cites `name`.
async fn move_the_figure_to(c: &mut TestClient, ws: &Workspace, uri: &str, name: &str, text: &str) {
    std::fs::remove_file(ws.root.join("sources/ministry.txt")).expect("rm");
    std::fs::write(ws.root.join(name), text).expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": ws.uri("sources/ministry.txt"), "type": 3}, {"uri": ws.uri(name), "type": 1}]}),
    )
    .await;
    let d = c.diagnostics(uri).await;
    let m = expect_mismatch(&d);
    assert_eq!(m["relatedInformation"][0]["location"]["uri"], json!(ws.uri(name)));
}

#[tokio::test]
async fn indexing_reports_progress_and_requests_are_answered_meanwhile() {
    let ws = Workspace::standard();
    let mut c = TestClient::start();
    c.hold = vec!["window/workDoneProgress/create".into()];
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    // indexing waits for our answer: the server is mid-indexing now
    let create = c.wait_for("workDoneProgress/create", |v| v["method"] == "window/workDoneProgress/create").await;
    let h = c
        .call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "84,300"))}))
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("indexing the corpus"), "{h}");
    let def = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "84,300"))}),
        )
        .await;
    assert!(def.is_null());
    c.respond(&create["id"], Value::Null).await;
    let token = create["params"]["token"].clone();
    let begin =
        c.wait_for("progress begin", |v| v["method"] == "$/progress" && v["params"]["value"]["kind"] == "begin").await;
    assert_eq!(begin["params"]["token"], token);
    assert_eq!(begin["params"]["value"]["title"], "copydesk: indexing 2 sources");
    let end = c.indexed().await;
    assert_eq!(end["params"]["token"], token);
    assert_eq!(end["params"]["value"]["message"], "2 sources indexed");
    // diagnostics come once ready
    expect_mismatch(&c.diagnostics(&uri).await);
    c.shutdown().await;
}

#[tokio::test]
async fn pull_during_indexing_answers_at_once_then_refreshes() {
    let ws = Workspace::standard();
    let mut caps = caps();
    merge(
        &mut caps,
        json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}}),
    );
    let mut c = TestClient::start();
    c.hold = vec!["window/workDoneProgress/create".into()];
    c.initialize(&ws.root, caps, Value::Null).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    let create = c.wait_for("workDoneProgress/create", |v| v["method"] == "window/workDoneProgress/create").await;
    let rep = c.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}})).await;
    assert_eq!(rep["items"], json!([]));
    c.respond(&create["id"], Value::Null).await;
    c.wait_for("diagnostic refresh", |v| v["method"] == "workspace/diagnostic/refresh").await;
    let rep = c.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}})).await;
    expect_mismatch(&json!({"diagnostics": rep["items"].clone()}));
    c.shutdown().await;
}

/// Publishes for `uri` received until the server has been quiet for `quiet`.
async fn publishes_until_quiet(c: &mut TestClient, uri: &str, quiet: Duration) -> Vec<Value> {
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

#[tokio::test]
async fn racing_edits_never_publish_a_stale_result_last() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    let p = pos16(DRAFT, "84,300");
    // debounce 0: 40 edits flip the first digit between 8 (wrong) and 9 (right); the last one leaves 9.
    for v in 2..=41 {
        let digit = if v % 2 == 0 { "8" } else { "9" };
        let digit = if v == 41 { "9" } else { digit };
        c.change(&uri, v, ((p.0, p.1), (p.0, p.1 + 1)), digit).await;
    }
    let pubs = publishes_until_quiet(&mut c, &uri, Duration::from_millis(1500)).await;
    let last = pubs.last().expect("a publish after the edits");
    assert_eq!(last["version"], 41, "the last publish is for the final text");
    assert!(mismatch(last).is_none(), "final text agrees with the source: {last:#}");
    let versions: Vec<i64> = pubs.iter().filter_map(|p| p["version"].as_i64()).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "publishes go forward only: {versions:?}");
    // every publish matches its version's text: odd versions hold 9 (no finding), even ones 8
    for p in &pubs {
        let v = p["version"].as_i64().unwrap_or(0);
        assert_eq!(mismatch(p).is_some(), v % 2 == 0 && v != 41, "version {v}: {p:#}");
    }
    c.shutdown().await;
}

#[tokio::test]
async fn debounce_coalesces_a_burst_of_edits_into_one_check() {
    let ws = Workspace::new("[corpus]\npaths = [\"sources\"]\n[server]\ndebounce_ms = 400\n");
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    let p = pos16(DRAFT, "84,300");
    let sent = std::time::Instant::now();
    for v in 2..=9 {
        c.change(&uri, v, ((p.0, p.1), (p.0, p.1 + 1)), if v == 9 { "9" } else { "7" }).await;
    }
    let pubs = publishes_until_quiet(&mut c, &uri, Duration::from_millis(1500)).await;
    assert_eq!(pubs.len(), 1, "one check for the burst: {pubs:#?}");
    assert_eq!(pubs[0]["version"], 9);
    assert!(mismatch(&pubs[0]).is_none());
    assert!(sent.elapsed() >= Duration::from_millis(400));
    c.shutdown().await;
}

#[tokio::test]
async fn an_oversize_document_gets_one_information_diagnostic() {
    let ws = Workspace::standard();
    let (c, _, d) = start(&ws, caps(), json!({"maxDocumentBytes": 64})).await;
    let items = d["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{d:#}");
    assert_eq!(items[0]["severity"], 3);
    assert_eq!(items[0]["code"], "document-too-large");
    assert!(items[0]["message"].as_str().unwrap_or("").contains("over 64 bytes"));
    c.shutdown().await;
}

#[tokio::test]
async fn malformed_and_unknown_messages_get_errors_not_crashes() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    c.send_raw(&frame("{this is not json")).await;
    let e = c.wait_for("parse error", |v| v["error"]["code"] == -32700).await;
    assert_eq!(e["id"], Value::Null);
    c.send_raw(b"X-Nonsense: 1\r\n\r\n").await;
    let e = c
        .wait_for("missing Content-Length", |v| {
            v["error"]["message"].as_str().is_some_and(|m| m.contains("Content-Length"))
        })
        .await;
    assert_eq!(e["error"]["code"], -32700);
    c.send(&json!({"jsonrpc": "2.0", "id": 77, "method": 12})).await;
    let e = c.wait_for("invalid request", |v| v["id"] == 77).await;
    assert_eq!(e["error"]["code"], -32600, "{e}");
    c.send(&json!([1, 2, 3])).await;
    c.wait_for("invalid batch", |v| v["error"]["code"] == -32600 && v["id"].is_null()).await;
    let r = c.request("copydesk/noSuchMethod", json!({})).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    c.notify("copydesk/noSuchNotification", json!({"x": 1})).await;
    let r = c.request("textDocument/hover", json!({"textDocument": 5})).await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // positions far outside the document, and an unknown document
    let r = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 9999, "character": 9999}}),
        )
        .await;
    assert!(r.is_null());
    c.change(&uri, 2, ((999, 5), (0, 999)), "").await; // nonsense range: clamped, not a panic
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ws.uri("nope.md"), "version": 1}, "contentChanges": [{"text": "x"}]}),
    )
    .await;
    let r = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": ws.uri("nope.md")}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(r.is_null());
    // still serving
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["version"], 2);
    c.shutdown().await;
}

#[tokio::test]
async fn broken_and_missing_corpus_files_are_reported() {
    let ws = Workspace::new("[corpus]\npaths = [\"sources\", \"missing-folder\"]\n[server]\ndebounce_ms = 0\n");
    std::fs::write(ws.root.join("sources/binary.txt"), b"GIF89a\x00\x01\x02").expect("write");
    std::fs::write(ws.root.join("sources/latin1.txt"), b"Caf\xe9 prices rose 5 percent.\n").expect("write");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let m = c.wait_for("a warning", |v| v["method"] == "window/showMessage" && v["params"]["type"] == 2).await;
    let text = m["params"]["message"].as_str().unwrap_or_default().to_string();
    assert!(text.contains("3 corpus files could not be used"), "{text}");
    assert!(text.contains("binary.txt") && text.contains("binary file"), "{text}");
    assert!(text.contains("latin1.txt") && text.contains("UTF-8"), "{text}");
    assert!(text.contains("missing-folder"), "{text}");
    // the readable sources still work
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    expect_mismatch(&c.diagnostics(&uri).await);
    c.shutdown().await;
}

/// `text` as an HTML page, inside `depth` nested `<open>` elements.
fn nested_html(open: &str, depth: usize, text: &str) -> String {
    let close = open.replace('<', "</");
    format!("<html><body>{}{text}{}</body></html>", open.repeat(depth), close.repeat(depth))
}

#[tokio::test]
async fn deeply_nested_html_at_start_or_announced_later_is_read() {
    let ws = Workspace::standard();
    std::fs::write(ws.root.join("sources/deep.html"), nested_html("<b>", 6000, "Harbour news.")).expect("write");
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    // The figure now comes only from a page announced by the client, nested as deep.
    move_the_figure_to(&mut c, &ws, &uri, "sources/deeper.html", &nested_html("<div>", 6000, SOURCE_A)).await;
    c.shutdown().await;
}

#[tokio::test]
async fn corpus_globs_with_dot_and_doubled_slashes_are_read_and_watched() {
    let ws = Workspace::new("[corpus]\npaths = [\"./sources//*.txt\"]\n[server]\ndebounce_ms = 0\n");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let reg = c.wait_for("registerCapability", |v| v["method"] == "client/registerCapability").await;
    let globs = reg["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(globs.contains(&format!("\"{}/sources/*.txt\"", ws.root.display())), "{globs}");
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    expect_mismatch(&c.diagnostics(&uri).await);
    // A file the pattern names, announced by the client, is in the corpus.
    move_the_figure_to(&mut c, &ws, &uri, "sources/new.txt", SOURCE_A).await;
    c.shutdown().await;
}

#[tokio::test]
async fn no_corpus_is_a_message_not_a_failure() {
    let ws = Workspace::new("");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let m = c.wait_for("an info message", |v| v["method"] == "window/showMessage").await;
    assert!(m["params"]["message"].as_str().unwrap_or("").contains("no corpus configured"), "{m}");
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    assert_eq!(c.diagnostics(&uri).await["diagnostics"], json!([]));
    let h = c
        .call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "84,300"))}))
        .await;
    assert!(h.is_null());
    c.shutdown().await;
}

#[tokio::test]
async fn a_broken_copydesk_toml_is_reported() {
    let ws = Workspace::new("[corpus\npaths = 3\n");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), json!({"corpusPaths": ["sources"]})).await;
    let m = c.wait_for("a warning", |v| v["method"] == "window/showMessage" && v["params"]["type"] == 2).await;
    assert!(m["params"]["message"].as_str().unwrap_or("").contains("copydesk.toml"), "{m}");
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT).await;
    expect_mismatch(&c.diagnostics(&uri).await);
    c.shutdown().await;
}

#[tokio::test]
async fn close_clears_diagnostics_and_exit_ends_the_server() {
    let ws = Workspace::standard();
    let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}})).await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["diagnostics"], json!([]));
    c.shutdown().await;
}

#[tokio::test]
async fn requests_after_shutdown_are_refused() {
    let ws = Workspace::standard();
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    c.call("shutdown", Value::Null).await;
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": ws.uri("draft.md")}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert_eq!(r["error"]["code"], -32600, "{r}");
    c.notify("exit", Value::Null).await;
    tokio::time::timeout(Duration::from_secs(10), c.server).await.expect("exit ends the server").expect("join");
}

/// Waits for the server's log line saying it started from the index snapshot; returns it.
async fn snapshot_log(c: &mut TestClient) -> Value {
    c.wait_for("the snapshot log line", |v| {
        v["method"] == "window/logMessage"
            && v["params"]["message"].as_str().is_some_and(|m| m.contains("opened from the index snapshot"))
    })
    .await
}

/// Reads the diagnostics published for `uri` until `until` holds for them.
async fn diagnostics_until(c: &mut TestClient, uri: &str, until: impl Fn(&Value) -> bool) {
    while !until(&c.diagnostics(uri).await) {}
}

#[tokio::test]
async fn a_restart_starts_from_the_snapshot_and_catches_up_with_changed_sources() {
    let ws = Workspace::standard();
    let (c, uri, d) = start(&ws, caps(), Value::Null).await;
    expect_mismatch(&d);
    c.shutdown().await;
    let snapshots = std::fs::read_dir(ws.root.join(".copydesk"))
        .expect("the index folder")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "snapshot"))
        .count();
    assert_eq!(snapshots, 1, "the first run left a snapshot of its index");

    // Unchanged sources: the restarted server answers from the snapshot, with the same finding.
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let log = snapshot_log(&mut c).await;
    assert!(log["params"]["message"].as_str().unwrap_or("").contains("2 sources"), "{log}");
    c.open(&uri, DRAFT).await;
    expect_mismatch(&c.diagnostics(&uri).await);
    c.shutdown().await;

    // A source changed while no server ran: whatever comes first, the diagnostics catch up.
    std::fs::write(ws.root.join("sources/ministry.txt"), SOURCE_A.replace("94,300", "84,300")).expect("write");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    c.open(&uri, DRAFT).await;
    diagnostics_until(&mut c, &uri, |d| mismatch(d).is_none()).await;
    c.shutdown().await;

    // The index updated by another process (`copydesk index`) while no server ran: the server
    // still starts from the older snapshot, then loads the index again.
    std::fs::write(ws.root.join("sources/ministry.txt"), SOURCE_A).expect("write");
    let config = copydesk_store::Config::load(&ws.root.join("copydesk.toml")).expect("config");
    let spec =
        copydesk_store::CorpusSpec { paths: vec![ws.root.join("sources")], exclude: vec![], base: ws.root.clone() };
    let dir = copydesk_store::index::index_dir(&config, &spec).expect("an index folder");
    let (stats, _) = copydesk_store::PersistentStore::new(dir).sync(&spec, None).expect("sync");
    assert_eq!(stats.changed, 1, "{stats:?}");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    snapshot_log(&mut c).await;
    c.open(&uri, DRAFT).await;
    diagnostics_until(&mut c, &uri, |d| mismatch(d).is_some()).await;
    c.shutdown().await;
}

#[tokio::test]
async fn hover_in_plain_text_for_a_client_without_markdown() {
    let ws = Workspace::standard();
    let mut caps = caps();
    merge(&mut caps, json!({"textDocument": {"hover": {"contentFormat": ["plaintext"]}}}));
    let (mut c, uri, d) = start(&ws, caps, Value::Null).await;
    expect_mismatch(&d);
    let h = c
        .call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(pos16(DRAFT, "84,300"))}))
        .await;
    assert_eq!(h["contents"]["kind"], "plaintext", "{h}");
    let text = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.starts_with("copydesk: Contradicted (number-mismatch)\n"), "{text}");
    assert!(!text.contains('`') && !text.contains("**") && !text.contains('\\'), "{text}");
    c.shutdown().await;
}

#[tokio::test]
async fn hover_on_a_misattributed_speakers_name() {
    let ws = Workspace::standard();
    std::fs::write(
        ws.root.join("sources/council.txt"),
        "Council votes on the harbour\n\nMayor Ana Ruiz said: \"This is a warning, not a forecast, and we will act on it.\"\n",
    )
    .expect("write");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let draft =
        "# Council\n\nCouncillor Ben Cole said: \"This is a warning, not a forecast, and we will act on it.\"\n";
    let uri = ws.uri("council-draft.md");
    c.open(&uri, draft).await;
    let d = c.diagnostics(&uri).await;
    let diag = d["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == "misattribution"))
        .cloned()
        .unwrap_or_else(|| panic!("a misattribution: {d:#}"));
    assert_eq!(
        diag["codeDescription"]["href"],
        "https://github.com/copydesk/copydesk/blob/main/docs/codes.md#misattribution"
    );
    // The diagnostic underlines the name; a hover there explains it.
    let at = pos16(draft, "Councillor Ben Cole");
    assert_eq!(diag["range"]["start"], position(at), "{diag}");
    let h = c
        .call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position((at.0, at.1 + 13))}))
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.starts_with("**copydesk: Contradicted (misattribution)**"), "{h}");
    assert!(md.contains("the source gives these words to Ana Ruiz (sources/council.txt:3)"), "{md}");
    assert_eq!(h["range"]["start"], position(at), "{h}");
    c.shutdown().await;
}
