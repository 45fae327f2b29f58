//! The CLI as a user runs it: a process, its output and its exit status.
//! Golden files (insta) hold the human-facing output.

mod common;

use common::{command, example, run, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// `copydesk ARGS` in `dir`, its cache in a folder of these tests' own (the example's folder is
/// the repository's).
fn copydesk(dir: &Path, args: &[&str]) -> Output {
    run(dir, args, &std::env::temp_dir().join("copydesk-cli-test-cache"))
}

#[test]
fn human_report_of_the_example() {
    let o = copydesk(&example(), &["check", "--no-index", "draft.md"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("human", stdout(&o));
}

#[test]
fn explain_prints_every_verdict_with_its_reason() {
    let o = command(&example(), &["check", "--no-index", "draft.md"])
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
    std::fs::write(dir.path().join("src/bad.txt"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
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

/// A folder with `src/mill.txt` (the mill employs 340 workers) and a draft `d.md` that says 430.
fn mill(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/mill.txt"), "The mill employs 340 workers, the owner said.\n").unwrap();
    std::fs::write(dir.join("d.md"), "The mill employs 430 workers.\n").unwrap();
}

/// The codes of a JSON report's findings.
fn codes(o: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)));
    v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn deeply_nested_html_in_the_corpus_is_read_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    // 6,000 nested elements of each kind (18 KB and more), the figure deep inside.
    for (name, open, close) in [
        ("b", "<b>", "</b>"),
        ("div", "<div>", "</div>"),
        ("span", "<span>", "</span>"),
        ("table", "<table><tr><td>", "</td></tr></table>"),
    ] {
        let html = format!(
            "<html><body>{}The mill employs 340 workers, the owner said.{}</body></html>",
            open.repeat(6000),
            close.repeat(6000)
        );
        std::fs::write(dir.path().join(format!("src/deep-{name}.html")), html).unwrap();
    }
    std::fs::write(dir.path().join("d.md"), "The mill employs 430 workers.\n").unwrap();
    let cache = dir.path().join("cache");
    let run = |args: &[&str]| {
        let o = command(dir.path(), args).env("XDG_CACHE_HOME", &cache).output().expect("copydesk runs");
        assert!(o.status.code().is_some(), "{args:?} was killed: {:?}\n{}", o.status, stderr(&o));
        o
    };
    let o = run(&["check", "--no-index", "--corpus", "src", "--format", "json", "d.md"]);
    assert_eq!((o.status.code(), codes(&o)), (Some(1), vec!["number-mismatch".to_string()]), "{}", stderr(&o));
    let o = run(&["index", "--corpus", "src"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("4 stories: 4 added"), "{}", stdout(&o));
    let o = run(&["check", "--corpus", "src", "--format", "json", "d.md"]);
    assert_eq!((o.status.code(), codes(&o)), (Some(1), vec!["number-mismatch".to_string()]), "{}", stderr(&o));
}

#[test]
fn corpus_globs_written_the_ordinary_way() {
    // `--corpus '*.txt'` from the current folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mill.txt"), "The mill employs 340 workers, the owner said.\n").unwrap();
    std::fs::write(dir.path().join("d.md"), "The mill employs 430 workers.\n").unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--corpus", "*.txt", "--format", "json", "d.md"]);
    assert_eq!((o.status.code(), codes(&o)), (Some(1), vec!["number-mismatch".to_string()]), "{}", stderr(&o));
    assert!(!stderr(&o).contains("no file matches"), "{}", stderr(&o));
    // `./sources/*.txt` and `sources//*.txt` in copydesk.toml, run from another folder.
    for pattern in ["./src/*.txt", "src//*.txt"] {
        let dir = tempfile::tempdir().unwrap();
        mill(dir.path());
        std::fs::write(dir.path().join("copydesk.toml"), format!("[corpus]\npaths = [\"{pattern}\"]\n")).unwrap();
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        for no_index in [true, false] {
            let mut args = vec!["check", "--format", "json", "--config", "../copydesk.toml", "../d.md"];
            if no_index {
                args.insert(1, "--no-index");
            }
            let o = copydesk(&dir.path().join("elsewhere"), &args);
            assert_eq!(
                (o.status.code(), codes(&o)),
                (Some(1), vec!["number-mismatch".to_string()]),
                "{pattern}: {}",
                stderr(&o)
            );
            assert!(!stderr(&o).contains("no file matches"), "{pattern}: {}", stderr(&o));
        }
    }
}

#[test]
fn no_terminal_escape_from_a_file_reaches_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    // Clear screen, window title, bell, an OSC 52 clipboard write, an 8-bit CSI; in a .txt
    // (and in its name), and as character references in an .html.
    std::fs::write(
        dir.path().join("src/\x1b]0;name\x07mill.txt"),
        "\x1b[2J\x1b]0;pwned\x07The mill employs 340 \x1b]52;c;cm0gLXJmIH4=\x07workers, \u{9b}31mthe owner said.\n\n\
         \"We will not close the \x1b[5mplant\x07 this year,\" said Ana Ruiz, the owner.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("src/bakery.html"),
        "<html><body><p>The bakery sold 1,200 &#27;]0;x&#7;loaves&#27;[2J, its owner said.</p></body></html>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.md"),
        "The mill employs 430 workers. \x1b[2J\u{9b}31m\n\n\"We will not close the factory this year,\" said Ana Ruiz.\n\n\
         The bakery sold 1,500 loaves.\n",
    )
    .unwrap();
    for env in [None, Some("COPYDESK_EXPLAIN")] {
        let mut cmd = command(dir.path(), &["check", "--no-index", "--corpus", "src", "d.md"]);
        cmd.env("NO_COLOR", "1");
        if let Some(var) = env {
            cmd.env(var, "1");
        }
        let o = cmd.output().expect("copydesk runs");
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("mismatch") && out.contains("misquote"), "{out}");
        assert!(out.contains("␛]0;pwned␇") && out.contains("loaves␛[2J"), "shown, escaped: {out}");
        for (name, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            for bad in [0x1b, 0x07] {
                assert!(!bytes.contains(&bad), "{name} holds byte {bad:#x}:\n{}", String::from_utf8_lossy(bytes));
            }
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains('\u{9b}'), "{name} holds a C1 CSI:\n{text}");
        }
    }
}

#[test]
fn a_link_to_a_folder_out_of_the_corpus_folder_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    // The figure is outside the corpus folder, reached only through links to folders inside it.
    std::fs::write(dir.path().join("outside.txt"), "The mill employs 340 workers, the owner said.\n").unwrap();
    std::fs::create_dir_all(dir.path().join("archive/2024")).unwrap();
    std::fs::write(dir.path().join("archive/2024/mill.txt"), "The mill employs 340 workers, it said.\n").unwrap();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::write(dir.path().join("corpus/rain.txt"), "Rain is expected on Tuesday, forecasters said.\n").unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("corpus/up")).unwrap();
    std::os::unix::fs::symlink("../archive", dir.path().join("corpus/archive")).unwrap();
    std::fs::write(dir.path().join("d.md"), "The mill employs 430 workers.\n").unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--corpus", "corpus", "--format", "json", "d.md"]);
    assert_eq!((o.status.code(), codes(&o)), (Some(0), vec!["unsourced-number".to_string()]), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("corpus/up") && err.contains("corpus/archive") && err.contains("not followed"), "{err}");
    // A link to a file is the file it names, wherever it is (a folder of chosen files).
    std::os::unix::fs::symlink("../outside.txt", dir.path().join("corpus/mill.txt")).unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--corpus", "corpus", "--format", "json", "d.md"]);
    assert_eq!((o.status.code(), codes(&o)), (Some(1), vec!["number-mismatch".to_string()]), "{}", stderr(&o));
}

#[test]
fn utf16_sources_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    mill(dir.path());
    let text = std::fs::read_to_string(dir.path().join("src/mill.txt")).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(dir.path().join("src/mill.txt"), utf16).unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--corpus", "src", "--format", "json", "d.md"]);
    assert_eq!((o.status.code(), codes(&o)), (Some(1), vec!["number-mismatch".to_string()]), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn an_invalid_exclude_glob_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    mill(dir.path());
    std::fs::write(dir.path().join("copydesk.toml"), "[corpus]\npaths = [\"src\"]\nexclude = [\"drafts/[a\"]\n")
        .unwrap();
    let o = copydesk(dir.path(), &["check", "--no-index", "--format", "json", "d.md"]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("copydesk.toml") && err.contains("[corpus] exclude") && err.contains("drafts/[a"), "{err}");
    assert!(stdout(&o).is_empty(), "nothing is checked: {}", stdout(&o));
}
