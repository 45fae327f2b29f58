//! How findings reach the client: pushed diagnostics and what they carry, pulled ones for a
//! client that supports them, and the one note a document too large to check gets.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

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
