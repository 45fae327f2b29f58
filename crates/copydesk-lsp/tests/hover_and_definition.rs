//! The hover on a claim (Markdown or plain text, a figure or a misattributed speaker's name)
//! and go-to-definition to the source sentence.

mod common;

use common::*;
use serde_json::{json, Value};

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
