//! `copydesk check` through the shared PostgreSQL store finds what it finds through the
//! files themselves: the same findings, evidence and messages, byte for byte (skipped with a
//! message without `COPYDESK_TEST_PG_URL`, see `scripts/pg-cluster.sh`; the Reuters one also
//! without `../shared`). A store that fails during a check reports nothing but the failure.

mod common;

use common::{command, example, shared_with, stdout_and_stderr as text};
use copydesk_store::postgres::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn copydesk(dir: &Path, args: &[&str], store: Option<&str>) -> Output {
    let mut cmd = command(dir, args);
    cmd.env_remove("COPYDESK_STORE_URL").env_remove("COPYDESK_STORE_READ_URL");
    if let Some(url) = store {
        cmd.env("COPYDESK_STORE_URL", url);
    }
    cmd.stdin(Stdio::null()).output().unwrap()
}

/// Ingests `folders` (under `dir`) into the store at `url`, then checks `drafts` through it
/// and through the files, and asserts the two JSON reports are the same; returns it.
fn same_through_the_store(dir: &Path, url: &str, folders: &[&str], drafts: &[&str]) -> String {
    let mut ingest = vec!["ingest", "--store", url];
    ingest.extend(folders);
    let o = copydesk(dir, &ingest, None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut args = vec!["check", "--format", "json"];
    for f in folders {
        args.extend(["--corpus", f]);
    }
    args.extend(drafts);
    let mut files = args.clone();
    files.insert(1, "--no-index");
    let through_files = copydesk(dir, &files, None);
    let through_store = copydesk(dir, &args, Some(url));
    assert!(matches!(through_files.status.code(), Some(0 | 1)), "{}", text(&through_files));
    assert_eq!(through_store.status.code(), through_files.status.code(), "{}", text(&through_store));
    let (a, b) =
        (String::from_utf8_lossy(&through_store.stdout), String::from_utf8_lossy(&through_files.stdout).into_owned());
    assert_eq!(a, b, "the store's findings differ from the files'");
    b
}

#[test]
fn a_check_through_the_store_finds_what_the_files_give() {
    let Some(db) = TestDb::create("check_same") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let example = example();
    let sources = tmp.path().join("sources");
    std::fs::create_dir_all(&sources).unwrap();
    for e in std::fs::read_dir(example.join("sources")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, sources.join(p.file_name().unwrap())).unwrap();
    }
    // Other stories with competing figures, in our own words.
    for n in 0..60 {
        std::fs::write(
            sources.join(format!("wire-{n:03}.txt")),
            format!(
                "The Kelby harbour authority said {} fishing boats landed their catch on Monday.\n\n\
                 Dock fees rose {} percent this season, the authority said.\n",
                30 + n % 70,
                2 + n % 9
            ),
        )
        .unwrap();
    }
    std::fs::copy(example.join("draft.md"), tmp.path().join("draft.md")).unwrap();
    let json = same_through_the_store(tmp.path(), &db.url, &["sources"], &["draft.md"]);
    for code in ["number-mismatch", "misquote", "misattribution"] {
        assert!(json.contains(&format!("\"{code}\"")), "the example's planted {code} is found: {json}");
    }

    // Stories analyzed by another version of copydesk are left out until re-extracted, and
    // the check says so rather than finding less in silence.
    let settings = copydesk_store::postgres::StoreSettings::new(&db.url).unwrap();
    copydesk_store::postgres::PgStore::connect(&settings).unwrap().set_engine_for_tests("an-older-engine").unwrap();
    let o = copydesk(tmp.path(), &["check", "--format", "json", "draft.md"], Some(&db.url));
    assert!(text(&o).contains("analyzed by another version of copydesk"), "{}", text(&o));
    assert_ne!(String::from_utf8_lossy(&o.stdout), json, "the stories left out were not consulted");
    let o = copydesk(tmp.path(), &["store", "reextract", "--store", &db.url], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = copydesk(tmp.path(), &["check", "--format", "json", "draft.md"], Some(&db.url));
    assert!(!text(&o).contains("another version"), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), json, "re-extracted, the stories are consulted again");

    // A store that fails during the check (here a table it reads is gone): nothing is
    // reported but the failure, with exit 2, rather than findings the store did not back.
    copydesk_store::postgres::testing::execute(&db.url, "ALTER TABLE copydesk.postings RENAME TO postings_gone")
        .unwrap();
    let o = copydesk(tmp.path(), &["check", "--format", "json", "draft.md"], Some(&db.url));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(o.stdout.is_empty(), "no report: {}", text(&o));
    assert!(text(&o).contains("the corpus store failed during the check"), "{}", text(&o));
}

#[test]
fn seeds_and_reuters_through_the_store_give_what_the_files_give() {
    let Some(shared) = shared_with("data/reuters21578") else { return };
    let Some(db) = TestDb::create("check_reuters") else { return };
    let tmp = tempfile::tempdir().unwrap();
    // The folders under their own names, as a newsroom would ingest them.
    std::os::unix::fs::symlink(shared.join("corpus/seeds"), tmp.path().join("seeds")).unwrap();
    std::os::unix::fs::symlink(shared.join("data/reuters21578"), tmp.path().join("reuters21578")).unwrap();
    let cases = shared.join("eval/dev/cases");
    let mut drafts: Vec<PathBuf> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    drafts.sort();
    for d in &drafts {
        std::fs::copy(d, tmp.path().join(d.file_name().unwrap())).unwrap();
    }
    let names: Vec<String> = drafts.iter().map(|d| d.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let json = same_through_the_store(tmp.path(), &db.url, &["seeds", "reuters21578"], &names);
    assert!(json.contains("\"code\""), "findings: {json}");
}
