//! The server's life over real LSP framing: `initialize` and what it negotiates, messages it
//! cannot serve (answered with errors, never a crash), `didClose`, `shutdown` and `exit`.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

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
