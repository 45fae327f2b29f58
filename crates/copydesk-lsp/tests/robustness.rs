//! A hostile or unlucky client (issue 15): broken frames, slow documents, very
//! long lines, lone-CR line endings. Each test is the shape the issue's probe used.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A request sent by hand (the client's own ids start at 1; these are far from them).
fn hover_request(id: i64, uri: &str, at: (u32, u32)) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
           "params": {"textDocument": {"uri": uri}, "position": position(at)}})
}

/// Waits at most `secs` for the answer to request `id`.
async fn answer(c: &mut TestClient, id: i64, secs: u64) -> Value {
    c.try_wait_for(Duration::from_secs(secs), &|v: &Value| v["id"] == json!(id) && v.get("method").is_none())
        .await
        .unwrap_or_else(|| panic!("request {id} was not answered within {secs} s; received: {:#?}", c.log))
}

#[tokio::test]
async fn after_a_frame_with_a_bad_content_length_the_next_requests_are_answered() {
    let ws = Workspace::standard();
    let body = hover_request(1000, &ws.uri("draft.md"), (2, 0)).to_string();
    let bad_frames: [(&str, Vec<u8>); 3] = [
        ("unreadable", format!("Content-Length: abc\r\n\r\n{body}").into_bytes()),
        ("shorter than the body", format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10).into_bytes()),
        ("longer than the body", format!("Content-Length: {}\r\n\r\n{body}", body.len() + 40).into_bytes()),
    ];
    for (kind, bad) in bad_frames {
        let (mut c, uri, d) = start(&ws, caps(), Value::Null).await;
        assert!(mismatch(&d).is_some(), "{d:#}");
        c.send_raw(&bad).await;
        // five good requests, one after the other: each is answered (a length too long is
        // only known to be wrong once the next frame comes)
        for i in 0..5 {
            let id = 2000 + i;
            c.send(&hover_request(id, &uri, pos16(DRAFT, "84,300"))).await;
            let r = answer(&mut c, id, 10).await;
            let md = r["result"]["contents"]["value"].as_str().unwrap_or_default();
            assert!(md.starts_with("**copydesk: Contradicted"), "{kind}: request {i}: {r}");
        }
        // the bad frame is answered with one parse error
        let errors: Vec<&Value> = c.log.iter().filter(|v| v.get("error").is_some()).collect();
        assert_eq!(errors.len(), 1, "{kind}: one error for one bad frame: {errors:#?}");
        assert_eq!(errors[0]["error"]["code"], -32700, "{kind}: {errors:#?}");
        c.shutdown().await;
    }
}

#[tokio::test]
async fn bad_frames_sent_together_with_good_ones_lose_only_themselves() {
    let ws = Workspace::standard();
    let (mut c, uri, _) = start(&ws, caps(), Value::Null).await;
    let at = pos16(DRAFT, "84,300");
    let good = |id: i64| frame(&hover_request(id, &uri, at).to_string());
    let body = hover_request(1, &uri, at).to_string();
    let mut bytes = Vec::new();
    for (i, bad) in [
        format!("Content-Length: abc\r\n\r\n{body}"),
        format!("Content-Length: {}\r\n\r\n{body}", body.len() - 3),
        format!("Content-Length: {}\r\n\r\n{body}", body.len() + 7),
        "X-Nonsense: 1\r\n\r\n".to_string(),
        "garbage without any header".to_string(),
    ]
    .into_iter()
    .enumerate()
    {
        bytes.extend_from_slice(bad.as_bytes());
        bytes.extend(good(3000 + i as i64));
    }
    c.send_raw(&bytes).await;
    for i in 0..5 {
        let r = answer(&mut c, 3000 + i, 10).await;
        assert!(r["result"]["contents"]["value"].is_string(), "{r}");
    }
    c.shutdown().await;
}

fn contradicted(hover: &Value) -> bool {
    hover["result"]["contents"]["value"].as_str().is_some_and(|md| md.starts_with("**copydesk: Contradicted"))
}

#[tokio::test]
async fn hovers_on_a_slow_document_do_not_hold_up_another_document() {
    let ws = Workspace::standard();
    // Every check takes 3 s more (on its blocking thread), as a very long draft would.
    let mut c =
        TestClient::start_with(copydesk_lsp::Options { check_delay: Duration::from_secs(3), ..Default::default() });
    c.initialize(&ws.root, caps(), Value::Null).await;
    let fast = ws.uri("fast.md");
    c.open(&fast, DRAFT).await;
    assert!(mismatch(&c.diagnostics(&fast).await).is_some());
    // The slow document is opened and hovered four times while its check runs.
    let slow = ws.uri("slow.md");
    c.open(&slow, DRAFT).await;
    let at = pos16(DRAFT, "84,300");
    for id in 4001..=4004 {
        c.send(&hover_request(id, &slow, at)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = Instant::now();
    c.send(&hover_request(4005, &fast, at)).await;
    let r = answer(&mut c, 4005, 30).await;
    let took = sent.elapsed();
    assert!(contradicted(&r), "{r}");
    assert!(took < Duration::from_secs(1), "the other document's hover took {took:?}");
    // The slow document's hovers are answered from its check once it is done.
    for id in 4001..=4004 {
        let r = answer(&mut c, id, 30).await;
        assert!(contradicted(&r), "{r}");
    }
    c.shutdown().await;
}

#[tokio::test]
async fn a_one_mebibyte_line_is_rechecked_quickly_after_an_edit() {
    let ws = Workspace::standard();
    let sentence = "The defence ministry counted 84,300 soldiers stationed near the northern frontier on Tuesday. ";
    let draft = sentence.repeat((1 << 20) / sentence.len());
    let claims = draft.matches("84,300").count();
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("long.md");
    c.open(&uri, &draft).await;
    let d = c.diagnostics(&uri).await;
    let ranges: Vec<&Value> = d["diagnostics"].as_array().into_iter().flatten().map(|d| &d["range"]).collect();
    assert_eq!(ranges.len(), claims, "every copy of the figure is contradicted");
    let last = draft.rfind("84,300").unwrap_or_default() as u32;
    assert_eq!(ranges[claims - 1]["start"], position((0, last)));
    // The last figure made right: one finding fewer, soon.
    let sent = Instant::now();
    c.change(&uri, 2, ((0, last), (0, last + 1)), "9").await;
    let d = c.diagnostics(&uri).await;
    let took = sent.elapsed();
    assert_eq!(d["diagnostics"].as_array().map_or(0, Vec::len), claims - 1);
    // Under a second in release on a quiet machine; the bound leaves room for a busy one.
    let bound = Duration::from_secs(if cfg!(debug_assertions) { 120 } else { 5 });
    assert!(took < bound, "re-check of a 1 MiB line took {took:?}");
    c.shutdown().await;
}

#[tokio::test]
async fn lone_carriage_returns_end_lines_as_in_the_editor() {
    let ws = Workspace::standard();
    // "\r" alone ends a line for LSP (and editors) as "\n" and "\r\n" do.
    let draft = DRAFT.replace('\n', "\r");
    let at = pos16(DRAFT, "84,300");
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, &draft).await;
    let d = c.diagnostics(&uri).await;
    let m = mismatch(&d).unwrap_or_else(|| panic!("{d:#}"));
    assert_eq!(m["range"], json!({"start": position(at), "end": position((at.0, at.1 + 6))}));
    let h = c.call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position(at)})).await;
    assert!(h["contents"]["value"].as_str().is_some_and(|v| v.contains("Contradicted")), "{h}");
    // An edit at the editor's position: "84,300" becomes "94,300", as in the source.
    c.change(&uri, 2, (at, (at.0, at.1 + 1)), "9").await;
    let d = c.diagnostics(&uri).await;
    assert!(mismatch(&d).is_none(), "{d:#}");
    // Mixed endings: "\r\n" is one break, "\r" and "\n" one each.
    let mixed = "# Frontier\r\n\rThe defence ministry counted 84,300 soldiers stationed near the northern frontier on Tuesday.\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": mixed}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    let m = mismatch(&d).unwrap_or_else(|| panic!("{d:#}"));
    assert_eq!(m["range"]["start"], position((2, 29)), "{m}");
    c.shutdown().await;
}
