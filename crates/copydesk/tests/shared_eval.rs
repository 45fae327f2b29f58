//! The acceptance figures, measured with the shared scorers on the shared data.
//! Every test skips (passing, with a note on stderr) when `../shared` (or `$COPYDESK_SHARED`)
//! is absent.
//! Run in release mode: `cargo test --release -p copydesk --test shared_eval`.

mod common;

use common::{bin, shared_with};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> Option<PathBuf> {
    shared_with("eval/score.py")
}

fn python(args: &[&str]) -> (bool, String) {
    let out = Command::new("python3").args(args).output().expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("copydesk-eval-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Runs `copydesk check --format json` and writes the output to `out`; returns the exit code.
fn check_json(corpora: &[PathBuf], drafts: &[PathBuf], out: &Path) -> i32 {
    let mut cmd = Command::new(bin());
    cmd.arg("check").arg("--format").arg("json");
    for c in corpora {
        cmd.arg("--corpus").arg(c);
    }
    cmd.args(drafts);
    let o = cmd.output().expect("copydesk runs");
    std::fs::write(out, &o.stdout).expect("write findings");
    let code = o.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "copydesk check exited {code}: {}", String::from_utf8_lossy(&o.stderr));
    code
}

fn drafts_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read drafts")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    v.sort();
    v
}

fn score(labels: &Path, findings: &Path, min_p: &str, min_r: &str) {
    let (ok, text) = python(&[
        shared_path("eval/score.py").to_str().unwrap_or_default(),
        labels.to_str().unwrap_or_default(),
        findings.to_str().unwrap_or_default(),
        "--min-precision",
        min_p,
        "--min-recall",
        min_r,
    ]);
    eprintln!("{text}");
    assert!(ok, "below precision {min_p} / recall {min_r}:\n{text}");
}

/// Builds drafts and labels with a shared generator (`SCRIPT INPUT OUT_DIR`), checks the
/// drafts against `corpora`, and scores them at the given minimums.
fn generate_and_score(name: &str, script: &Path, input: &Path, corpora: &[PathBuf], min_p: &str, min_r: &str) {
    let dir = tmp(name);
    let (ok, text) = python(&[
        script.to_str().unwrap_or_default(),
        input.to_str().unwrap_or_default(),
        dir.to_str().unwrap_or_default(),
    ]);
    assert!(ok, "{text}");
    let out = dir.join("out.json");
    check_json(corpora, &drafts_in(&dir), &out);
    score(&dir.join("labels.json"), &out, min_p, min_r);
}

fn shared_path(rel: &str) -> PathBuf {
    shared().map(|s| s.join(rel)).unwrap_or_default()
}

#[test]
fn dev_drafts_against_the_seeds() {
    let Some(s) = shared() else { return };
    let out = tmp("dev").join("out.json");
    check_json(&[s.join("corpus/seeds")], &drafts_in(&s.join("eval/dev/cases")), &out);
    score(&s.join("eval/dev/cases/labels.json"), &out, "1.0", "0.9");
}

#[test]
fn own_cases_against_the_seeds() {
    let Some(s) = shared() else { return };
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/cases/src");
    generate_and_score("own", &s.join("eval/build_cases.py"), &cases, &[s.join("corpus/seeds")], "0.9", "0.8");
}

#[test]
fn dev_drafts_against_seeds_and_reuters() {
    let Some(s) = shared() else { return };
    let out = tmp("dev-reuters").join("out.json");
    check_json(&[s.join("corpus/seeds"), s.join("data/reuters21578")], &drafts_in(&s.join("eval/dev/cases")), &out);
    score(&s.join("eval/dev/cases/labels.json"), &out, "1.0", "0.9");
}

#[test]
fn reuters_stories_checked_against_themselves_raise_no_contradiction() {
    let Some(s) = shared() else { return };
    let reuters = s.join("data/reuters21578");
    let mut stories: Vec<PathBuf> = std::fs::read_dir(&reuters).expect("reuters").flatten().map(|e| e.path()).collect();
    stories.sort();
    // 300 stories spread over the collection.
    let step = (stories.len() / 300).max(1);
    let picked: Vec<PathBuf> = stories.iter().step_by(step).take(300).cloned().collect();
    let out = tmp("self").join("out.json");
    check_json(&[reuters], &picked, &out);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    let contradictions: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| matches!(f["code"].as_str(), Some("number-mismatch" | "misattribution" | "misquote")))
        .collect();
    assert!(contradictions.is_empty(), "{} contradictions, first: {}", contradictions.len(), contradictions[0]);
}

#[test]
fn polnear_quotes_given_to_the_wrong_speaker() {
    let Some(s) = shared() else { return };
    let split = s.join("data/polnear/dev");
    generate_and_score("swaps", &s.join("eval/make_swaps.py"), &split, &[split.join("text")], "0.95", "0.85");
}

#[test]
fn reuters_figures_changed() {
    let Some(s) = shared() else { return };
    let reuters = s.join("data/reuters21578");
    generate_and_score(
        "numswaps",
        &s.join("eval/make_numswaps.py"),
        &reuters,
        std::slice::from_ref(&reuters),
        "0.95",
        "0.85",
    );
}

fn last_line_figure(text: &str, key: &str) -> Vec<f64> {
    let line = text.lines().rev().find(|l| l.contains(key)).unwrap_or_default();
    line.split(|c: char| !(c.is_ascii_digit() || c == '.')).filter_map(|t| t.parse::<f64>().ok()).collect()
}

#[test]
fn polnear_quote_speakers() {
    let Some(s) = shared() else { return };
    let (ok, text) = python(&[
        s.join("eval/score_polnear.py").to_str().unwrap_or_default(),
        bin(),
        s.join("data/polnear/dev").to_str().unwrap_or_default(),
    ]);
    eprintln!("{text}");
    assert!(ok, "{text}");
    let f = last_line_figure(&text, "quote speaker recall");
    assert!(f.len() >= 2 && f[0] >= 0.85 && f[1] >= 0.97, "recall/precision below 0.85/0.97: {f:?}");
}

#[test]
fn summedits_false_alarms_and_catches() {
    let Some(s) = shared() else { return };
    let (ok, text) = python(&[s.join("eval/score_summedits.py").to_str().unwrap_or_default(), bin()]);
    eprintln!("{text}");
    assert!(ok, "{text}");
    // "false alarms A/B (rate); digit-edit catches C/D (rate)"
    let f = last_line_figure(&text, "false alarms");
    assert!(f.len() >= 6, "unexpected scorer output: {text}");
    // At most 1% false alarms and at least 80% of the wrong-number edits caught.
    assert!(f[2] <= 0.01, "false-alarm rate {} (max 0.01)", f[2]);
    assert!(f[5] >= 0.80, "catch rate {} (min 0.80)", f[5]);
}

/// Runs `score_loo.py` on a corpus and returns its closing counts: contradictions and sources-disagree.
fn leave_out(corpus: &Path, args: &[&str]) -> (f64, f64, String) {
    let script = shared_path("eval/score_loo.py");
    let mut all = vec![script.to_str().unwrap_or_default(), bin(), corpus.to_str().unwrap_or_default()];
    all.extend_from_slice(args);
    let (ok, text) = python(&all);
    assert!(ok, "{text}");
    let f = last_line_figure(&text, "contradictions");
    // "contradictions N on D drafts (number-mismatch a, misattribution b, misquote c, sources-disagree d)"
    assert!(f.len() >= 6, "unexpected scorer output: {text}");
    (f[0], f[5], text)
}

// Real stories checked against the rest of their corpus: every contradiction is a real
// disagreement or a false alarm (eval/loo-readings.md lists and reads the ones left).
// Both at the bounds: PolNeAR 5, Reuters 15 contradictions and 30 sources-disagree.

#[test]
fn polnear_articles_against_the_other_83() {
    let Some(s) = shared() else { return };
    let (n, disagree, text) = leave_out(&s.join("data/polnear/dev/text"), &["--batch", "1"]);
    eprintln!("{text}");
    assert!(n <= 5.0 && disagree <= 5.0, "{n} contradictions, {disagree} sources-disagree (max 5, 5):\n{text}");
}

#[test]
fn reuters_stories_against_the_rest_of_reuters() {
    let Some(s) = shared() else { return };
    let (n, disagree, text) = leave_out(&s.join("data/reuters21578"), &["--every", "60", "--batch", "320"]);
    eprintln!("{text}");
    assert!(n <= 15.0 && disagree <= 30.0, "{n} contradictions, {disagree} sources-disagree (max 15, 30):\n{text}");
}

#[test]
fn seeds_against_each_other_find_the_real_disagreements_only() {
    let Some(s) = shared() else { return };
    let (_, _, text) = leave_out(&s.join("corpus/seeds"), &["--batch", "1"]);
    eprintln!("{text}");
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" misquote ") || l.contains(" number-mismatch ") || l.contains(" misattribution "))
        .collect();
    // Two translations of one Zelensky quote, of one Ushakov quote, and "anybody's" / "anyone's red line".
    for words in ["tell the truth", "expansion eastward", "red line"] {
        assert!(rows.iter().any(|r| r.contains(" misquote ") && r.contains(words)), "not found: {words}\n{text}");
    }
    assert!(rows.iter().all(|r| r.contains(" misquote ")), "a false alarm among:\n{text}");
}

#[test]
fn dev_polnear_drafts_in_a_reporters_words() {
    let Some(s) = shared() else { return };
    generate_and_score(
        "dev-polnear",
        &s.join("eval/build_cases.py"),
        &s.join("eval/dev-polnear/src"),
        &[s.join("data/polnear/dev/text")],
        "0.95",
        "0.85",
    );
}

/// Bidi marks, overrides and invisible spaces pasted around a figure (a reporter copying
/// from a web page) do not turn a contradicted figure into an unsourced one.
#[test]
fn invisible_characters_around_a_figure_against_the_seeds() {
    let Some(s) = shared() else { return };
    let dir = tmp("bidi");
    let mut drafts = Vec::new();
    for (i, (open, close)) in
        [("", ""), ("\u{200F}", "\u{200F}"), ("\u{202E}", "\u{202C}"), ("\u{2067}", "\u{2069}"), ("\u{200B}", "\u{A0}")]
            .iter()
            .enumerate()
    {
        let path = dir.join(format!("d{i}.md"));
        let text = format!(
            "Reznikov told lawmakers that {open}84,300{close} Russian troops were gathered near Ukraine and in Crimea.\n"
        );
        std::fs::write(&path, text).expect("draft written");
        drafts.push(path);
    }
    let out = dir.join("out.json");
    check_json(&[s.join("corpus/seeds")], &drafts, &out);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("output")).expect("JSON");
    for d in &drafts {
        let name = d.to_string_lossy();
        let codes: Vec<&str> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["path"].as_str() == Some(&name))
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert_eq!(codes, ["number-mismatch"], "{name}: {codes:?}");
    }
}
