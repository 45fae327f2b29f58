//! What the process tests of the `copydesk` binary share: the binary run in a folder, its
//! output read as text, the example newsroom, `../shared` when it is there; and the soak's
//! scripted editor (`soak/`). Not every test uses all of it.
#![allow(dead_code)]

pub mod soak;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `copydesk` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_copydesk")
}

/// `copydesk ARGS` to be run in `dir`; its environment is the caller's to set.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(dir);
    cmd
}

/// Runs `copydesk ARGS` in `dir` without colours (`NO_COLOR`), its cache (where the persistent
/// index of a corpus goes) under `cache`.
pub fn run(dir: &Path, args: &[&str], cache: &Path) -> Output {
    command(dir, args).env("NO_COLOR", "1").env("XDG_CACHE_HOME", cache).output().expect("copydesk runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output, then standard error: all a run said.
pub fn stdout_and_stderr(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The example newsroom of the repository (`examples/newsroom`): sources and a draft.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/newsroom")
}

/// The shared data (`../shared` beside the repository, or `$COPYDESK_SHARED` as the editor tests
/// read it) when it holds `rel`; otherwise None, and a note on stderr that the test is skipped.
pub fn shared_with(rel: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("COPYDESK_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    match dir.canonicalize() {
        Ok(dir) if dir.join(rel).exists() => Some(dir),
        _ => {
            eprintln!("skipped: ../shared is absent ({} has no {rel})", dir.display());
            None
        }
    }
}
