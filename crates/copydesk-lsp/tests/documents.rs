//! PDF and DOCX sources under the server: the hover cites page and line, go-to-source and
//! related information point at the file (no line of a binary file to open), and a
//! document that appears while the server runs is read like any source.

mod common;

use common::*;
use copydesk_store::fixtures;
use serde_json::{json, Value};

const PAGE_1: &str = "Kessock Harbour Trust\n\nQuarterly maintenance report\n\n\
    The trust inspected every berth on the quay during\nthe first quarter of the year.";
const PAGE_2: &str = "Maintenance report, continued\n\n\
    Crews from the Kessock Harbour Trust repaired 41\n\
    moorings at the north quay in March, the trust's\n\
    director, Moira Tennant, said on Friday.";

const MEMO: [&str; 3] = [
    "Statement from the Kessock ferry board",
    "The board met on Thursday to agree the summer timetable.",
    "\u{201C}The new timetable will add two crossings every evening from June,\u{201D} \
     said Callum Reid, the board\u{2019}s chair.",
];

const HARBOUR_DRAFT: &str = "# Harbour news\n\n\
    Crews from the Kessock Harbour Trust repaired 14 moorings at the north quay in March, the trust said.\n\n\
    \u{201C}The new timetable will add two crossings every weekend from June,\u{201D} said Callum Reid, \
    the ferry board\u{2019}s chair.\n";

fn find<'a>(diags: &'a Value, code: &str) -> Option<&'a Value> {
    diags["diagnostics"].as_array()?.iter().find(|d| d["code"] == code)
}

async fn hover(c: &mut TestClient, uri: &str, at: &str) -> String {
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(HARBOUR_DRAFT, at))}),
        )
        .await;
    h["contents"]["value"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn hover_and_go_to_source_on_pdf_and_docx_evidence() {
    let ws = Workspace::standard();
    std::fs::write(ws.root.join("sources/report.pdf"), fixtures::pdf(&[PAGE_1, PAGE_2])).unwrap();
    std::fs::write(ws.root.join("sources/memo.docx"), fixtures::docx(&MEMO)).unwrap();
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("harbour.md");
    c.open(&uri, HARBOUR_DRAFT).await;
    let d = c.diagnostics(&uri).await;
    let figure = find(&d, "number-mismatch").unwrap_or_else(|| panic!("no number-mismatch: {d:#}"));
    assert!(
        figure["message"].as_str().unwrap().ends_with("the source has 41 (sources/report.pdf, page 2, line 2)"),
        "{figure:#}"
    );
    // Related information: the file, and the place in the text.
    let related = &figure["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], json!(ws.uri("sources/report.pdf")), "{related:#}");
    assert_eq!(
        related["location"]["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}})
    );
    assert!(related["message"].as_str().unwrap().starts_with("page 2, line 2: Crews from the Kessock"), "{related:#}");

    let md = hover(&mut c, &uri, "14 moorings").await;
    assert!(md.starts_with("**copydesk: Contradicted (number-mismatch)**"), "{md}");
    assert!(md.contains("> Crews from the Kessock Harbour Trust repaired 41 moorings"), "{md}");
    assert!(md.contains("\u{2014} sources/report.pdf, page 2, line 2 \u{b7} Kessock Harbour Trust\n"), "{md}");

    let quote = find(&d, "misquote").unwrap_or_else(|| panic!("no misquote: {d:#}"));
    assert!(quote["message"].as_str().unwrap().ends_with("(sources/memo.docx, line 3)"), "{quote:#}");
    let md = hover(&mut c, &uri, "every weekend").await;
    assert!(md.contains("\u{2014} sources/memo.docx, line 3"), "{md}");

    // Go to source: the document itself, at its start.
    let r = c
        .call(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(HARBOUR_DRAFT, "14 moorings"))}),
        )
        .await;
    let loc = if r.is_array() { r[0].clone() } else { r.clone() };
    assert_eq!(loc["uri"], json!(ws.uri("sources/report.pdf")), "{r}");
    assert_eq!(loc["range"]["start"], json!({"line": 0, "character": 0}), "{r}");
    c.shutdown().await;
}

#[tokio::test]
async fn a_pdf_added_while_the_server_runs_is_read() {
    let ws = Workspace::standard();
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), Value::Null).await;
    let uri = ws.uri("harbour.md");
    c.open(&uri, HARBOUR_DRAFT).await;
    let d = c.diagnostics(&uri).await;
    assert!(find(&d, "number-mismatch").is_none(), "{d:#}");
    std::fs::write(ws.root.join("sources/report.pdf"), fixtures::pdf(&[PAGE_1, PAGE_2])).unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": ws.uri("sources/report.pdf"), "type": 1}]}))
        .await;
    let d = c
        .wait_for("diagnostics citing the new PDF", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == json!(uri)
                && find(&m["params"], "number-mismatch").is_some()
        })
        .await;
    let figure = find(&d["params"], "number-mismatch").unwrap();
    assert!(figure["message"].as_str().unwrap().contains("(sources/report.pdf, page 2, line 2)"), "{figure:#}");
    c.shutdown().await;
}
