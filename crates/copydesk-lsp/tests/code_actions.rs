//! Quick fixes: the source's figure written in, a claim ignored by a comment above it or in
//! `copydesk.toml` (created when missing), and fixes asked for with a diagnostic of an older text.

mod common;

use common::*;
use serde_json::{json, Value};

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
