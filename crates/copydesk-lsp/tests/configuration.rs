//! Configuration: `copydesk.toml`, then initialization options, then `workspace/configuration`;
//! no corpus, or a broken `copydesk.toml`, is a message, not a failure.

mod common;

use common::*;
use serde_json::{json, Value};

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
