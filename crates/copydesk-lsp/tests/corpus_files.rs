//! The corpus's files as the server reads and watches them: changes announced by the client
//! re-indexed and re-checked, a file rewritten then deleted at once, broken and missing files
//! reported, deeply nested HTML, globs written with `./` and `//`.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

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
