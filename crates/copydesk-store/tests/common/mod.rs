//! What the persistent-index and snapshot tests share: invented stories and a corpus of
//! them, a store over it, the draft checked against it, and the built CLI.
//! All texts here are invented for these tests.
// Each test file uses some of these.
#![allow(dead_code)]

use copydesk_engine::check;
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat};
use copydesk_store::{CorpusSpec, PersistentStore};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TOWNS: [&str; 6] = ["Marlow Bay", "Ostreva", "Pine Hollow", "Quarry Flats", "Redwater", "Sable Point"];

pub const PEOPLE: [&str; 5] = ["Ada Kellerman", "Bruno Vasquez", "Celia Okafor", "Dmitri Hale", "Elena Sorensen"];

/// An invented story; `n` varies its figures and names.
pub fn story(n: usize) -> String {
    let town = TOWNS[n % TOWNS.len()];
    let who = PEOPLE[n % PEOPLE.len()];
    format!(
        "{town} ferry traffic report {n}\n\n\
         The {town} harbour office said {a} passengers crossed on the morning ferries last week, \
         up {p}.{q} percent from a year earlier. Fuel costs rose to {c} million crowns, the office said.\n\n\
         \"We have never carried so many cyclists in one season,\" said {who}, the harbour master. \
         The council approved {b} new berths on Tuesday, according to the minutes.\n",
        a = 1000 + n * 37,
        p = 2 + n % 9,
        q = n % 10,
        c = 3 + n % 17,
        b = 4 + n % 5,
    )
}

pub fn corpus(dir: &Path, n: usize) -> PathBuf {
    let src = dir.join("sources");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..n {
        std::fs::write(src.join(format!("story-{i:04}.txt")), story(i)).unwrap();
    }
    // One Markdown source, to cover the masked-prose path.
    std::fs::write(
        src.join("notes.md"),
        "# Council notes\n\nThe council said **4,800** residents signed the petition. `code 12` is not prose.\n",
    )
    .unwrap();
    src
}

/// A temporary folder with `n` invented stories (and the Markdown notes) in `sources/`,
/// their corpus spec, and a store with its index in `idx/`.
pub fn fixture(n: usize) -> (tempfile::TempDir, PathBuf, CorpusSpec, PersistentStore) {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), n);
    let sp = spec(&src, tmp.path());
    let store = PersistentStore::new(tmp.path().join("idx"));
    (tmp, src, sp, store)
}

pub fn spec(src: &Path, base: &Path) -> CorpusSpec {
    CorpusSpec { paths: vec![src.to_path_buf()], exclude: vec![], base: base.to_path_buf() }
}

pub fn findings_of(index: &copydesk_engine::corpus::CorpusIndex, draft: &str) -> String {
    let analysis = analyze(draft, TextFormat::Markdown);
    let verdicts = check::check(index, draft, &analysis, &Settings::default());
    format!("{:#?}", check::findings(&verdicts))
}

pub const DRAFT: &str =
    "# Ferries\n\nThe Marlow Bay harbour office said 1,500 passengers crossed on the morning ferries last week, \
up 4.1 percent from a year earlier. Fuel costs rose to 9 million crowns, the office said.\n\n\
\"We have never carried so many bicycles in one season,\" said Ada Kellerman, the harbour master.\n\n\
Bruno Vasquez said the council approved 12 new berths on Tuesday.\n\n\
\"The queue at the north berth was short all week,\" said Ada Kellerman.\n";

pub fn cli() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let bin = target.join(profile).join(if cfg!(windows) { "copydesk.exe" } else { "copydesk" });
    bin.is_file().then_some(bin)
}

/// The built CLI and a project for it: 25 stories in `sources/`, a copydesk.toml naming
/// them, and the draft. None (with a note) when the CLI is not built.
pub fn cli_project() -> Option<(PathBuf, tempfile::TempDir)> {
    let Some(bin) = cli() else {
        eprintln!("skipped: build the CLI first (cargo build -p copydesk)");
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    corpus(tmp.path(), 25);
    std::fs::write(tmp.path().join("copydesk.toml"), "[corpus]\npaths = [\"sources\"]\n").unwrap();
    std::fs::write(tmp.path().join("draft.md"), DRAFT).unwrap();
    Some((bin, tmp))
}

/// Runs the CLI in `dir`: its exit code, standard output and standard error.
pub fn run_cli(bin: &Path, dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(bin).current_dir(dir).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The snapshot file beside the one database in `idx`.
pub fn snapshot_in(idx: &Path) -> PathBuf {
    let db = std::fs::read_dir(idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sqlite"))
        .expect("a database");
    copydesk_store::snapshot::path_for(&db)
}
