//! Output whose size is set by the draft: tens of thousands of findings, and
//! findings on a 1 MiB line. Every format streams finding by finding, so a run's
//! memory does not grow with its output, and the human format shows a window of a
//! long line, so its cost does not grow with the line's length.

mod common;

use common::command;
use std::path::Path;
#[cfg(unix)]
use std::process::Stdio;

/// A corpus of one story and a draft of `lines` paragraphs, each with four figures
/// the story does not have (unsourced) or contradicts.
fn fixture(dir: &Path, lines: usize) {
    std::fs::create_dir_all(dir.join("corpus")).unwrap();
    std::fs::write(dir.join("corpus/story.txt"), "Northwind Ltd said on Tuesday it built 410 barges in June.\n")
        .unwrap();
    let mut draft = String::new();
    for i in 0..lines {
        draft.push_str(&format!(
            "Northwind Ltd said it built {} barges and {} tugs, while Eastport Co counted {} docks and {} cranes in July.\n\n",
            1000 + i % 7919,
            10 + i % 89,
            20 + i % 61,
            30 + i % 53
        ));
    }
    std::fs::write(dir.join("draft.md"), draft).unwrap();
}

/// Peak resident memory (KiB) of `copydesk check --format FORMAT` on the fixture,
/// the least of two runs (a run's peak varies by a few MB), and how many bytes it wrote.
#[cfg(unix)]
fn peak_kib(dir: &Path, format: &str) -> (i64, usize) {
    let (a, bytes) = one_peak_kib(dir, format);
    let (b, _) = one_peak_kib(dir, format);
    (a.min(b), bytes)
}

#[cfg(unix)]
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its rusage
fn one_peak_kib(dir: &Path, format: &str) -> (i64, usize) {
    use std::io::Read;
    let mut child = command(dir, &["check", "--no-index", "--corpus", "corpus", "--format", format, "draft.md"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("copydesk runs");
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 is given a child of ours.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 1, "{format}: status {status}");
    (usage.ru_maxrss, out.len())
}

#[cfg(unix)]
#[test]
fn json_and_sarif_stream_their_findings() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path(), 24_000);
    // The GitHub format writes a line per finding and holds nothing: the baseline.
    let (github, github_bytes) = peak_kib(dir.path(), "github");
    assert!(github_bytes > 2_000_000, "the fixture makes tens of thousands of findings ({github_bytes} bytes)");
    for format in ["json", "sarif"] {
        let (peak, bytes) = peak_kib(dir.path(), format);
        // Collected whole, the output's values took several times its size (JSON's
        // 16 MB took 62 MB more than the baseline, its 32 MB about 120 MB); streamed, the peak is the
        // baseline's, give or take a few MB of noise between runs.
        let excess = (peak - github) * 1024;
        assert!(
            excess < bytes as i64,
            "{format}: peak {peak} KiB for {bytes} bytes of output, against {github} KiB for the streamed baseline"
        );
    }
}

#[test]
fn human_output_shows_a_window_of_a_long_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("corpus")).unwrap();
    std::fs::write(dir.path().join("corpus/story.txt"), "Northwind Ltd said on Tuesday it built 410 barges in June.\n")
        .unwrap();
    // One 1 MiB line (no line break) with a contradicted figure every ~50 bytes.
    let mut line = String::new();
    let mut i = 0;
    while line.len() < 1 << 20 {
        line.push_str(&format!("Northwind Ltd built {} barges in June, ", 1000 + i % 8000));
        i += 1;
    }
    line.push('\n');
    std::fs::write(dir.path().join("draft.md"), &line).unwrap();
    let start = std::time::Instant::now();
    let o = command(dir.path(), &["check", "--no-index", "--corpus", "corpus", "draft.md"])
        .env("NO_COLOR", "1")
        .output()
        .expect("copydesk runs");
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    let findings = out.matches("warning[number-mismatch]").count();
    assert!(findings > 10_000, "{findings} findings");
    // Each finding shows at most a few hundred bytes of its line, cut with an ellipsis.
    let longest = out.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 600, "a line of {longest} bytes in the report");
    assert!(out.contains("\n1 | ..."), "the cut is marked");
    // Printing the whole line per finding took minutes (a window: about three seconds,
    // JSON's time); the bound only catches that regression on a loaded machine.
    assert!(secs < 60.0, "{secs:.1} s for the human report of a 1 MiB line");
}
