//! The corpus changing under a running server (issue 15): files rewritten again and again,
//! files announced while the start-up sync runs, the index updated by another process.
//! Each ends with the server's findings those of a fresh check.

mod common;

use common::*;
use serde_json::{json, Value};

/// The ministry's story with a quote, which the draft gets wrong: a quote is looked up by its
/// words, among the first few sentences that share the most of them.
fn ministry(soldiers: &str) -> String {
    SOURCE_A.replace("94,300", soldiers)
        + "\n\"Every post on the northern frontier will stay manned through the winter,\" said General Ilse Varga, \
           the garrison commander.\n"
}

/// The standard draft, the quote misquoted, and a figure no source states until [`BARRIER`] is written.
const DRAFT_WITH_MUSEUM: &str =
    "# Frontier\n\nThe defence ministry counted 84,300 soldiers stationed near the northern frontier on Tuesday.\n\n\
\"Every post on the northern frontier will stay empty through the winter,\" said General Ilse Varga.\n\n\
The harbour authority spent 12 million euros on the new pier.\n\n\
The town museum sold 4,100 tickets on Sunday, the curator said.\n";

/// A source that contradicts the museum figure: once a publish shows that, every change
/// announced before it has been applied.
const BARRIER: &str = "Museum news\n\nThe town museum sold 4,600 tickets on Sunday, the curator said.\n";

fn has_code(diags: &Value, code: &str) -> bool {
    diags["diagnostics"].as_array().into_iter().flatten().any(|d| d["code"] == code)
}

fn number_mismatch_on(diags: &Value, figure: &str) -> bool {
    diags["diagnostics"].as_array().into_iter().flatten().any(|d| {
        d["code"] == "number-mismatch"
            && d["message"].as_str().is_some_and(|m| m.starts_with(&format!("\u{201C}{figure}")))
    })
}

async fn announce(c: &mut TestClient, ws: &Workspace, rel: &str, typ: u8) {
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": ws.uri(rel), "type": typ}]})).await;
}

/// Writes and announces the barrier source; returns the first diagnostics of `uri` that show it.
async fn after_a_barrier(c: &mut TestClient, ws: &Workspace, uri: &str) -> Value {
    std::fs::write(ws.root.join("sources/museum.txt"), BARRIER).expect("write");
    announce(c, ws, "sources/museum.txt", 1).await;
    loop {
        let d = c.diagnostics(uri).await;
        if number_mismatch_on(&d, "4,100") {
            return d;
        }
    }
}

/// The diagnostics of `draft` from a server started afresh on the workspace as it is on
/// disk, with no persistent index (as `check --no-index`).
async fn fresh_check(ws: &Workspace, draft: &str) -> Value {
    std::fs::write(
        ws.root.join("copydesk.toml"),
        "[corpus]\npaths = [\"sources\"]\n[server]\ndebounce_ms = 0\n[index]\nenabled = false\n",
    )
    .expect("write");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, draft).await;
    let d = c.diagnostics(&uri).await;
    c.shutdown().await;
    d["diagnostics"].clone()
}

/// Rewrites `sources/ministry.txt` with each text in turn, announcing each rewrite, then
/// compares the draft's diagnostics with a fresh check's.
async fn rewrites_leave_a_fresh_check(texts: impl Iterator<Item = String>) {
    let ws = Workspace::standard();
    std::fs::write(ws.root.join("sources/ministry.txt"), ministry("94,300")).expect("write");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, DRAFT_WITH_MUSEUM).await;
    let first = c.diagnostics(&uri).await;
    assert!(number_mismatch_on(&first, "84,300") && has_code(&first, "misquote"), "{first:#}");
    for text in texts {
        std::fs::write(ws.root.join("sources/ministry.txt"), text).expect("write");
        announce(&mut c, &ws, "sources/ministry.txt", 2).await;
    }
    let after = after_a_barrier(&mut c, &ws, &uri).await;
    c.shutdown().await;
    let fresh = fresh_check(&ws, DRAFT_WITH_MUSEUM).await;
    let fresh_diags = json!({ "diagnostics": fresh });
    assert!(number_mismatch_on(&fresh_diags, "84,300") && has_code(&fresh_diags, "misquote"), "{fresh:#}");
    assert_eq!(after["diagnostics"], fresh, "the server after the rewrites, and a fresh check");
}

#[tokio::test]
async fn fifty_identical_rewrites_leave_the_findings_of_a_fresh_check() {
    rewrites_leave_a_fresh_check((0..50).map(|_| ministry("94,300"))).await;
}

#[tokio::test]
async fn fifty_rewrites_alternating_two_texts_leave_the_findings_of_a_fresh_check() {
    // Odd rewrites give another figure; the 50th puts the original back.
    rewrites_leave_a_fresh_check((1..=50).map(|i| ministry(if i % 2 == 1 { "97,300" } else { "94,300" }))).await;
}

/// A server whose indexing runs wait `secs` seconds after listing the files, before syncing them.
fn slow_sync(secs: u64) -> TestClient {
    TestClient::start_with(copydesk_lsp::Options {
        sync_delay: std::time::Duration::from_secs(secs),
        ..Default::default()
    })
}

/// Waits for the `$/progress` begin of indexing: the files have been listed, and the sync
/// (held up by [`slow_sync`]) is under way.
async fn sync_under_way(c: &mut TestClient) {
    c.wait_for("progress begin", |v| v["method"] == "$/progress" && v["params"]["value"]["kind"] == "begin").await;
}

#[tokio::test]
async fn a_file_announced_during_the_start_up_sync_reaches_the_draft() {
    let ws = Workspace::standard();
    let (c, uri, d) = start(&ws, caps(), Value::Null).await;
    assert!(number_mismatch_on(&d, "84,300"), "{d:#}");
    c.shutdown().await;
    // A source changed while no server ran: the next start opens the snapshot, then its
    // sync reloads the corpus and puts it in place of the snapshot's.
    std::fs::write(ws.root.join("sources/harbour.txt"), format!("{SOURCE_B}\nThe pier opened in May.\n"))
        .expect("write");
    let mut c = slow_sync(2);
    c.initialize(&ws.root, caps(), Value::Null).await;
    c.open(&uri, DRAFT_WITH_MUSEUM).await;
    sync_under_way(&mut c).await;
    // A new file, announced while the sync runs (it listed the files before it came).
    std::fs::write(ws.root.join("sources/museum.txt"), BARRIER).expect("write");
    announce(&mut c, &ws, "sources/museum.txt", 1).await;
    c.indexed().await;
    // Checked after the sync's corpus is in place, the draft sees the new file.
    c.change(&uri, 2, ((0, 0), (0, 0)), "").await;
    let u = json!(uri);
    let seen = c
        .try_wait_for(std::time::Duration::from_secs(20), &|v: &Value| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == u
                && v["params"]["version"] == 2
                && number_mismatch_on(&v["params"], "4,100")
        })
        .await;
    assert!(seen.is_some(), "the file announced during the sync is in the corpus: {:#?}", c.log);
    c.shutdown().await;
}

#[tokio::test]
async fn an_index_updated_by_another_process_during_the_start_up_sync_is_loaded() {
    let ws = Workspace::standard();
    let (c, uri, d) = start(&ws, caps(), Value::Null).await;
    assert!(number_mismatch_on(&d, "84,300"), "{d:#}");
    c.shutdown().await;
    // The next start opens the snapshot, which is current, and checks the draft against it.
    let mut c = slow_sync(2);
    c.initialize(&ws.root, caps(), Value::Null).await;
    c.open(&uri, DRAFT).await;
    sync_under_way(&mut c).await;
    // Meanwhile another process (`copydesk index`) syncs a changed source: the server's own
    // sync finds nothing left to do, but the snapshot it started from no longer stands.
    std::fs::write(ws.root.join("sources/ministry.txt"), SOURCE_A.replace("94,300", "84,300")).expect("write");
    assert_eq!(ws.index_as_another_process(), 1, "one source changed");
    c.indexed().await;
    let u = json!(uri);
    let caught_up = c
        .try_wait_for(std::time::Duration::from_secs(20), &|v: &Value| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == u
                && !number_mismatch_on(&v["params"], "84,300")
        })
        .await;
    assert!(caught_up.is_some(), "the draft is checked against the index as the other process left it: {:#?}", c.log);
    c.shutdown().await;
}

/// Flips every byte of the postings of the snapshot in `dir`: every
/// length and offset still fits, only its digest tells.
fn add_noise_to_the_snapshot(dir: &std::path::Path) -> std::path::PathBuf {
    let snap = std::fs::read_dir(dir)
        .expect("the index folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "snapshot"))
        .expect("a snapshot");
    let mut bytes = std::fs::read(&snap).expect("read");
    let postings = {
        use copydesk_store::snapshot::{MappedSnapshot, Section};
        MappedSnapshot::open(&snap).expect("readable").expect("of this format").file_range(Section::Postings)
    };
    for b in &mut bytes[postings] {
        *b ^= 0x5a;
    }
    std::fs::write(&snap, bytes).expect("write");
    snap
}

#[tokio::test]
async fn a_damaged_snapshot_is_reported_and_the_draft_checked_as_without_the_index() {
    let ws = Workspace::standard();
    std::fs::write(ws.root.join("sources/ministry.txt"), ministry("94,300")).expect("write");
    let (c, uri, _) = start(&ws, caps(), Value::Null).await;
    c.shutdown().await;
    let snap = add_noise_to_the_snapshot(&ws.root.join(".copydesk"));
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    c.open(&uri, DRAFT_WITH_MUSEUM).await;
    let name = snap.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let warning = c
        .wait_for("a warning naming the snapshot", |v| {
            v["method"] == "window/showMessage"
                && v["params"]["type"] == 2
                && v["params"]["message"].as_str().is_some_and(|m| m.contains(&name) && m.contains("digest"))
        })
        .await;
    assert!(warning["params"]["message"].as_str().unwrap_or("").contains("loaded from the database"), "{warning}");
    let d = c.diagnostics(&uri).await;
    c.shutdown().await;
    assert_eq!(d["diagnostics"], fresh_check(&ws, DRAFT_WITH_MUSEUM).await);
}
