//! Indexing the corpus: progress reported while requests are answered, a pull during indexing
//! answered at once then refreshed, and a restart that starts from the index snapshot.

mod common;

use common::*;
use serde_json::{json, Value};

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
    assert_eq!(ws.index_as_another_process(), 1, "one source changed");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    snapshot_log(&mut c).await;
    c.open(&uri, DRAFT).await;
    diagnostics_until(&mut c, &uri, |d| mismatch(d).is_some()).await;
    c.shutdown().await;
}
