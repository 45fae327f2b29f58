//! Documents kept in step with the client: positions in UTF-8 and UTF-16 on non-ASCII text,
//! incremental edits applied in order, a burst of edits debounced into one check, and no stale
//! result published last.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;

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
