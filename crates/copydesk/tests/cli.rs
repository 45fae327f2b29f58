//! The CLI as a user runs it: a process, its output and its exit status.
//! Golden files (insta) hold the human-facing output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/newsroom")
}

fn copydesk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", std::env::temp_dir().join("copydesk-cli-test-cache"))
        .output()
        .expect("copydesk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn human_report_of_the_example() {
    let o = copydesk(&example(), &["check", "--no-index", "draft.md"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("human", stdout(&o));
}

#[test]
fn explain_prints_every_verdict_with_its_reason() {
    let o = Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(["check", "--no-index", "draft.md"])
        .current_dir(example())
        .env("NO_COLOR", "1")
        .env("COPYDESK_EXPLAIN", "1")
        .output()
        .expect("copydesk runs");
    let err = stderr(&o);
    assert!(err.contains("Quantity Contradicted"), "{err}");
    assert!(err.contains("    why: The most comparable source figure is about the same fact"), "{err}");
    assert!(
        err.contains("Quantity Supported") && err.contains("    why: A source figure of the same subject"),
        "{err}"
    );
}

#[test]
fn json_report_of_the_example() {
    let o = copydesk(&example(), &["check", "--no-index", "--format", "json", "draft.md"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["version"], 1);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(
        codes.contains(&"number-mismatch") && codes.contains(&"misattribution") && codes.contains(&"misquote"),
        "{codes:?}"
    );
    insta::assert_snapshot!("json", stdout(&o));
}

#[test]
fn sarif_and_github_reports() {
    let o = copydesk(&example(), &["check", "--no-index", "--format", "sarif", "draft.md"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid SARIF JSON");
    assert_eq!(v["version"], "2.1.0");
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
    insta::assert_snapshot!("sarif", stdout(&o));
    let o = copydesk(&example(), &["check", "--no-index", "--format", "github", "draft.md"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("github", stdout(&o));
}

#[test]
fn claims_json_uses_character_offsets() {
    let dir = tempfile::tempdir().unwrap();
    // "é" is two bytes: a byte offset would be off by one after it.
    std::fs::write(dir.path().join("d.md"), "Café owner Ana Ruiz said: \"We sold 1,200 cups.\"\n").unwrap();
    let o = copydesk(dir.path(), &["claims", "--format", "json", "d.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let claims = v["documents"][0]["claims"].as_array().unwrap();
    let text: Vec<char> = "Café owner Ana Ruiz said: \"We sold 1,200 cups.\"\n".chars().collect();
    let quote = claims.iter().find(|c| c["kind"] == "quote").expect("a quote");
    let (s, e) = (quote["span"][0].as_u64().unwrap() as usize, quote["span"][1].as_u64().unwrap() as usize);
    assert_eq!(text[s..e].iter().collect::<String>(), quote["text"].as_str().unwrap());
    assert_eq!(quote["speaker"]["entity"], "Ana Ruiz");
    let fig = claims.iter().find(|c| c["kind"] == "quantity").expect("a figure");
    assert_eq!(fig["value"], 1200.0);
    let (s, e) = (fig["span"][0].as_u64().unwrap() as usize, fig["span"][1].as_u64().unwrap() as usize);
    assert_eq!(text[s..e].iter().collect::<String>(), "1,200");
}

#[test]
fn a_clean_draft_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/a.txt"), "The mill employs 340 workers, the owner said.\n").unwrap();
    std::fs::write(dir.path().join("d.md"), "The mill employs 340 workers.\n").unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--corpus", "src", "--format", "json", "d.md"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn usage_and_input_errors_exit_two_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.md"), "Text.\n").unwrap();
    // no corpus anywhere
    let o = copydesk(dir.path(), &["check", "d.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no corpus"), "{}", stderr(&o));
    // unknown flag
    let o = copydesk(dir.path(), &["check", "--bogus", "d.md"]);
    assert_eq!(o.status.code(), Some(2));
    // broken configuration names the file
    std::fs::write(dir.path().join("copydesk.toml"), "[corpus\npaths = 3").unwrap();
    let o = copydesk(dir.path(), &["check", "d.md"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("copydesk.toml"), "{}", stderr(&o));
}

#[test]
fn unreadable_drafts_are_named_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/a.txt"), "The mill employs 340 workers, the owner said.\n").unwrap();
    std::fs::write(dir.path().join("good.md"), "The mill employs 430 workers.\n").unwrap();
    std::fs::write(dir.path().join("binary.md"), b"abc\x00def").unwrap();
    std::fs::write(dir.path().join("latin1.txt"), b"caf\xe9 workers\n").unwrap();
    // a corpus file that is not text is skipped with a warning, not fatal
    std::fs::write(dir.path().join("src/bad.txt"), b"\xff\xfe\x00\x01").unwrap();
    let o = copydesk(
        dir.path(),
        &["check", "--no-index", "--corpus", "src", "--format", "json", "good.md", "binary.md", "latin1.txt"],
    );
    assert_eq!(o.status.code(), Some(2), "input errors exit 2");
    let err = stderr(&o);
    assert!(err.contains("binary.md") && err.contains("binary"), "{err}");
    assert!(err.contains("latin1.txt") && err.contains("UTF-8"), "{err}");
    assert!(err.contains("bad.txt"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "number-mismatch");
    assert_eq!(f["text"], "430");
    assert_eq!(f["suggestion"], "340");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64(), f["end_column"].as_u64()), (Some(1), Some(18), Some(21)));
}

#[test]
fn config_sets_severity_and_ignores() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/a.txt"), "The mill employs 340 workers, the owner said.\n").unwrap();
    std::fs::write(
        dir.path().join("d.md"),
        "The mill employs 430 workers.\n\n<!-- copydesk-ignore-next-line -->\nThe mill employs 431 workers.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("copydesk.toml"),
        "[corpus]\npaths = [\"src\"]\n[severity]\nnumber-mismatch = \"error\"\n",
    )
    .unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--format", "json", "d.md"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "the ignore comment hides line 4: {findings:?}");
    assert_eq!(findings[0]["severity"], "error");
    std::fs::write(dir.path().join("copydesk.toml"), "[corpus]\npaths = [\"src\"]\n[ignore]\nclaims = [\"430\"]\n")
        .unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--format", "json", "d.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}
