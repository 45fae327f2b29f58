//! The acceptance scenario on the shared dev case d01 against the seed corpus.
//! Skips (with a note) when `<repo>/../shared` (or `$COPYDESK_SHARED`) is absent.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn d01_buildup_against_the_seeds() {
    let Some(shared) = shared_dir() else {
        eprintln!("skipped: ../shared not found next to the repository");
        return;
    };
    let draft_path = shared.join("eval/dev/cases/d01-buildup.md");
    let draft = std::fs::read_to_string(&draft_path).expect("read d01");
    // A workspace of our own whose copydesk.toml points at the seeds.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let seeds = shared.join("corpus/seeds");
    std::fs::write(
        root.join("copydesk.toml"),
        format!("[corpus]\npaths = [{:?}]\n[server]\ndebounce_ms = 0\n", seeds.display().to_string()),
    )
    .expect("toml");
    std::fs::write(root.join("d01-buildup.md"), &draft).expect("draft");
    let uri = file_uri(&root.join("d01-buildup.md"));

    let mut c = TestClient::start();
    c.initialize(&root, caps(), Value::Null).await;
    c.open(&uri, &draft).await;
    let d = c.diagnostics(&uri).await;

    // 1. the wrong troop figure is underlined
    let at = pos16(&draft, "84,300");
    let diag = d["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["range"]["start"] == position(at)))
        .cloned()
        .unwrap_or_else(|| {
            panic!("engine: no diagnostic on 84,300 in d01 (expected number-mismatch against 94,300): {d:#}")
        });
    assert_eq!(diag["code"], "number-mismatch", "{diag:#}");
    assert_eq!(diag["range"]["end"], position((at.0, at.1 + 6)));

    // 2. hover on "100,000" cites 003_407d2300018ae808.txt
    let h = c
        .call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(&draft, "100,000 personnel"))}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        md.contains("003_407d2300018ae808.txt"),
        "engine: hover on 100,000 does not cite 003_407d2300018ae808.txt: {h:#}"
    );

    // 3. go to source on the wrong figure lands in 000_704601e568000bf5.txt
    let r = c.call("textDocument/definition", json!({"textDocument": {"uri": uri}, "position": position(at)})).await;
    let locs: Vec<Value> = if r.is_array() { r.as_array().cloned().unwrap_or_default() } else { vec![r.clone()] };
    let target = file_uri(&seeds.join("000_704601e568000bf5.txt"));
    let hit = locs
        .iter()
        .find(|l| l["uri"] == json!(target))
        .unwrap_or_else(|| panic!("definition does not reach {target}: {r:#}"));
    let src = std::fs::read_to_string(seeds.join("000_704601e568000bf5.txt")).expect("source");
    assert_eq!(hit["range"]["start"], position(pos16(&src, "94,300")), "{hit:#}");

    // 4. the quick fix writes 94,300 ...
    let actions = c
        .call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        )
        .await;
    let fix = actions
        .as_array()
        .and_then(|a| a.iter().find(|x| x["title"].as_str().is_some_and(|t| t.starts_with("Replace with"))))
        .cloned()
        .unwrap_or_else(|| panic!("no replace fix: {actions:#}"));
    let edits = fix["edit"]["documentChanges"][0]["edits"].as_array().cloned().unwrap_or_default();
    let fixed = apply_edits(&draft, &edits);
    assert!(fixed.contains("told lawmakers that 94,300 Russian troops"), "{fixed}");
    // ... and after that edit the diagnostic is gone at the next publish
    let e = &edits[0];
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": e["range"], "text": e["newText"]}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["version"], 2);
    let still = d["diagnostics"].as_array().into_iter().flatten().any(|x| x["range"]["start"] == position(at));
    assert!(!still, "the finding on the fixed figure is still there: {d:#}");
    c.shutdown().await;
}
