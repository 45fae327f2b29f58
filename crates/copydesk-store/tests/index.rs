//! The persistent index: incremental updates, removal, version and corruption
//! handling, crash safety, and the same findings with and without it.
//! All texts here are invented for these tests.

use copydesk_engine::check;
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, TextFormat};
use copydesk_store::index::FORMAT_VERSION;
use copydesk_store::{CorpusSpec, CorpusStore, MemoryStore, PersistentStore, QuickStart};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const TOWNS: [&str; 6] = ["Marlow Bay", "Ostreva", "Pine Hollow", "Quarry Flats", "Redwater", "Sable Point"];
const PEOPLE: [&str; 5] = ["Ada Kellerman", "Bruno Vasquez", "Celia Okafor", "Dmitri Hale", "Elena Sorensen"];

/// An invented story; `n` varies its figures and names.
fn story(n: usize) -> String {
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

fn corpus(dir: &Path, n: usize) -> PathBuf {
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
fn fixture(n: usize) -> (tempfile::TempDir, PathBuf, CorpusSpec, PersistentStore) {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), n);
    let sp = spec(&src, tmp.path());
    let store = PersistentStore::new(tmp.path().join("idx"));
    (tmp, src, sp, store)
}

fn spec(src: &Path, base: &Path) -> CorpusSpec {
    CorpusSpec { paths: vec![src.to_path_buf()], exclude: vec![], base: base.to_path_buf() }
}

fn findings_of(index: &copydesk_engine::corpus::CorpusIndex, draft: &str) -> String {
    let analysis = analyze(draft, TextFormat::Markdown);
    let verdicts = check::check(index, draft, &analysis, &Settings::default());
    format!("{:#?}", check::findings(&verdicts))
}

const DRAFT: &str =
    "# Ferries\n\nThe Marlow Bay harbour office said 1,500 passengers crossed on the morning ferries last week, \
up 4.1 percent from a year earlier. Fuel costs rose to 9 million crowns, the office said.\n\n\
\"We have never carried so many bicycles in one season,\" said Ada Kellerman, the harbour master.\n\n\
Bruno Vasquez said the council approved 12 new berths on Tuesday.\n\n\
\"The queue at the north berth was short all week,\" said Ada Kellerman.\n";

#[test]
fn incremental_update_reextracts_only_changed_files() {
    let (_tmp, src, sp, store) = fixture(30);

    let (s, errors) = store.sync(&sp, None).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((s.added, s.changed, s.removed, s.unchanged), (31, 0, 0, 0));
    assert_eq!(s.stories, 31);
    assert!(s.quantities > 60 && s.quotes > 0, "{s:?}");
    assert!(s.rebuilt.is_none());

    let (s, _) = store.sync(&sp, None).unwrap();
    assert_eq!(s.extracted(), 0, "{s:?}");
    assert_eq!(s.unchanged, 31);

    // Two changed, one rewritten with the same text, one added.
    std::fs::write(src.join("story-0003.txt"), story(103)).unwrap();
    std::fs::write(src.join("story-0007.txt"), story(107) + "An extra line with 55 boats.\n").unwrap();
    std::fs::write(src.join("story-0009.txt"), story(9)).unwrap();
    std::fs::write(src.join("story-0100.txt"), story(100)).unwrap();
    let (s, _) = store.sync(&sp, None).unwrap();
    assert_eq!((s.added, s.changed, s.removed), (1, 2, 0), "{s:?}");
    assert_eq!(s.unchanged, 29);
    assert_eq!(s.stories, 32);

    // What is loaded is what was written last.
    let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
    assert_eq!(s.extracted(), 0);
    assert_eq!(loaded.index.len(), 32);
    let doc = loaded.index.by_path("sources/story-0007.txt").expect("relative display path");
    assert!(doc.doc.text.contains("55 boats"));
    assert_eq!(loaded.bytes, s.bytes);
    assert_stored(&store.db_path(&sp), 32);
}

/// Every document row has its analysis, and no analysis is left without a document.
fn assert_stored(db: &Path, docs: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM docs", [], |r| r.get(0)).unwrap();
    let blobs: i64 = conn.query_row("SELECT count(*) FROM blobs", [], |r| r.get(0)).unwrap();
    let joined: i64 =
        conn.query_row("SELECT count(*) FROM docs JOIN blobs ON blobs.id = docs.blob", [], |r| r.get(0)).unwrap();
    assert_eq!((n, blobs, joined), (docs, docs, docs));
}

#[test]
fn removed_files_leave_the_index() {
    let (_tmp, src, sp, store) = fixture(10);
    store.sync(&sp, None).unwrap();
    std::fs::remove_file(src.join("story-0002.txt")).unwrap();
    std::fs::remove_file(src.join("notes.md")).unwrap();
    let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
    assert_eq!((s.removed, s.extracted(), s.stories), (2, 0, 9), "{s:?}");
    assert_eq!(loaded.index.len(), 9);
    assert!(loaded.index.by_path("sources/story-0002.txt").is_none());
    // An unreadable file is dropped too, with its reason.
    std::fs::write(src.join("story-0004.txt"), b"bad \xff\xfe bytes").unwrap();
    let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
    assert_eq!((s.removed, s.failed, s.stories), (1, 1, 8), "{s:?}");
    assert!(loaded.errors.iter().any(|e| e.reason.contains("UTF-8")), "{:?}", loaded.errors);
    assert_stored(&store.db_path(&sp), 8);
}

fn set_meta(db: &Path, key: &str, value: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("UPDATE meta SET value = ?2 WHERE key = ?1", [key, value]).unwrap();
}

#[test]
fn another_version_is_rebuilt_not_misread() {
    let (_tmp, _src, sp, store) = fixture(8);
    store.sync(&sp, None).unwrap();
    let db = store.db_path(&sp);
    for (key, value) in
        [("format", (FORMAT_VERSION + 1).to_string()), ("engine", "0.0.0-old".into()), ("fingerprint", "x".into())]
    {
        set_meta(&db, key, &value);
        let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
        assert!(s.rebuilt.as_deref().is_some_and(|r| r.contains(key)), "{key}: {s:?}");
        assert_eq!(s.added, 9, "{key}: every file extracted again");
        assert_eq!(loaded.index.len(), 9);
        let (_, s, _) = store.open_with_stats(&sp, None).unwrap();
        assert!(s.rebuilt.is_none() && s.extracted() == 0);
    }
}

#[test]
fn a_corrupt_database_is_moved_aside_and_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 12);
    let idx = tmp.path().join("idx");
    let store = PersistentStore::new(&idx);
    let sp = spec(&src, tmp.path());
    let expected = findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT);
    store.sync(&sp, None).unwrap();
    let db = store.db_path(&sp);

    // Not a database at all.
    std::fs::write(&db, vec![0x5a; 64 * 1024]).unwrap();
    let loaded = store.open(&sp, None).unwrap();
    assert_eq!(loaded.index.len(), 13);
    assert!(
        loaded.errors.iter().any(|e| e.reason.contains("corrupt") && e.reason.contains("rebuilt")),
        "{:?}",
        loaded.errors
    );
    assert_eq!(findings_of(&loaded.index, DRAFT), expected);
    let aside = std::fs::read_dir(&idx)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .count();
    assert_eq!(aside, 1);

    // A database whose pages were overwritten past the header.
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 8192);
    for b in &mut bytes[100..] {
        *b = 0xa5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
    assert!(s.rebuilt.is_some(), "{s:?}");
    assert_eq!(loaded.index.len(), 13);
    assert_eq!(findings_of(&loaded.index, DRAFT), expected);

    // A row whose analysis cannot be decoded is extracted again.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE blobs SET data = x'ffffffff' WHERE id = (SELECT blob FROM docs WHERE path LIKE '%story-0001.txt')",
        [],
    )
    .unwrap();
    drop(conn);
    let (loaded, _, _) = store.open_with_stats(&sp, None).unwrap();
    assert_eq!(loaded.index.len(), 13);
    assert_eq!(findings_of(&loaded.index, DRAFT), expected);
}

#[test]
fn an_update_that_fails_midway_leaves_the_previous_index() {
    let (_tmp, src, sp, store) = fixture(20);
    store.sync(&sp, None).unwrap();
    for i in 0..6 {
        std::fs::write(src.join(format!("story-{i:04}.txt")), story(500 + i)).unwrap();
    }
    std::fs::remove_file(src.join("story-0019.txt")).unwrap();
    let mut failing = store.clone();
    failing.fail_after_writes = Some(3);
    assert!(failing.sync(&sp, None).is_err());
    // Nothing of the failed update was kept: all six changes and the removal are still to do.
    let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
    assert_eq!((s.changed, s.removed, s.added), (6, 1, 0), "{s:?}");
    assert_eq!(loaded.index.len(), 20);
    assert_eq!(findings_of(&loaded.index, DRAFT), findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT));
}

#[test]
fn a_first_build_is_put_in_place_only_when_complete() {
    let (tmp, _src, sp, store) = fixture(20);
    let db = store.db_path(&sp);
    let files_in_idx = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("idx"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".sqlite"))
            .collect();
        names.sort();
        names
    };
    let mut failing = store.clone();
    failing.fail_after_writes = Some(3);
    assert!(failing.sync(&sp, None).is_err());
    assert_eq!(files_in_idx(), Vec::<String>::new(), "a failed first build leaves no database and no part of one");

    // What a first build killed midway leaves behind (its process is gone) is removed by the next.
    let left = db.with_file_name(format!("{}.building-999999999-0", db.file_name().unwrap().to_string_lossy()));
    std::fs::write(&left, b"half a database").unwrap();
    let (s, errors) = store.sync(&sp, None).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((s.added, s.stories), (21, 21), "{s:?}");
    assert!(!left.exists(), "the abandoned build was removed");
    assert_eq!(files_in_idx(), vec![db.file_name().unwrap().to_string_lossy().into_owned()]);
    // The database is in WAL mode for the updates that follow, and complete.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(conn);
    let loaded = store.open(&sp, None).unwrap();
    assert_eq!(findings_of(&loaded.index, DRAFT), findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT));
}

#[test]
fn two_first_builds_at_once_leave_one_complete_index() {
    // The server can sync while it reloads: two first builds in one process, each in a
    // file of its own; one is put in place, the other syncs with it.
    let (_tmp, _src, sp, store) = fixture(400);
    std::thread::scope(|sc| {
        let a = sc.spawn(|| store.sync(&sp, None));
        let b = sc.spawn(|| store.sync(&sp, None));
        for r in [a.join().unwrap(), b.join().unwrap()] {
            let (s, errors) = r.unwrap();
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(s.stories, 401, "{s:?}");
        }
    });
    let (s, _) = store.sync(&sp, None).unwrap();
    assert_eq!((s.extracted(), s.removed, s.stories), (0, 0, 401), "{s:?}");
    let leftovers: Vec<_> = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".building-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Run in a child process by `a_killed_indexer_leaves_a_usable_index`.
#[test]
#[ignore = "run as a child process by a_killed_indexer_leaves_a_usable_index"]
fn child_indexer() {
    let Some(dir) = std::env::var_os("COPYDESK_TEST_CHILD_DIR") else { return };
    let dir = PathBuf::from(dir);
    let store = PersistentStore::new(dir.join("idx"));
    let sp = spec(&dir.join("sources"), &dir);
    let report = |done: usize, _total: usize| {
        if done == 2500 {
            std::fs::write(dir.join("started"), b"1").unwrap();
        }
    };
    store.sync(&sp, Some(&report)).unwrap();
    std::fs::write(dir.join("finished"), b"1").unwrap();
}

#[test]
fn a_killed_indexer_leaves_a_usable_index() {
    let (tmp, src, sp, store) = fixture(40);
    store.sync(&sp, None).unwrap();
    let before = findings_of(&store.open(&sp, None).unwrap().index, DRAFT);
    // A large change: many new files, long enough to kill the indexer in the middle.
    for i in 40..6000 {
        std::fs::write(src.join(format!("story-{i:04}.txt")), story(i).repeat(4)).unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_indexer", "--ignored", "--nocapture"])
        .env("COPYDESK_TEST_CHILD_DIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !tmp.path().join("started").exists() && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!tmp.path().join("finished").exists(), "the indexer finished before it was killed; make the corpus larger");
    // The index is as before the killed update...
    let conn = rusqlite::Connection::open(store.db_path(&sp)).unwrap();
    let rows: i64 = conn.query_row("SELECT count(*) FROM docs", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 41);
    drop(conn);
    // ...and the next open completes the update.
    for i in 40..6000 {
        std::fs::remove_file(src.join(format!("story-{i:04}.txt"))).unwrap();
    }
    let (loaded, s, _) = store.open_with_stats(&sp, None).unwrap();
    assert!(s.rebuilt.is_none(), "{s:?}");
    assert_eq!((s.extracted(), s.removed, loaded.index.len()), (0, 0, 41), "{s:?}");
    assert_eq!(findings_of(&loaded.index, DRAFT), before);
}

#[test]
fn checks_give_the_same_findings_with_and_without_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 60);
    std::fs::write(
        src.join("page.html"),
        "<html><head><title>Berths</title></head><body><p>Officials said 14 berths opened and 2,300 passengers \
         waited.</p><p>\"The queue at the north berth was short all week,\" said Dmitri Hale.</p></body></html>",
    )
    .unwrap();
    let sp = spec(&src, tmp.path());
    let memory = MemoryStore.open(&sp, None).unwrap();
    let expected = findings_of(&memory.index, DRAFT);
    assert!(expected.contains("code"), "the draft has findings: {expected}");
    // The quote is Dmitri Hale's: found only once the index has resolved the source's speakers.
    assert!(expected.contains("the source gives these words to Dmitri Hale"), "a misattribution: {expected}");
    let store = PersistentStore::new(tmp.path().join("idx"));
    let cold = store.open(&sp, None).unwrap();
    assert_eq!(findings_of(&cold.index, DRAFT), expected, "cold index");
    let warm = store.open(&sp, None).unwrap();
    assert_eq!(findings_of(&warm.index, DRAFT), expected, "warm index");
    assert_eq!((warm.index.len(), warm.bytes, warm.files), (memory.index.len(), memory.bytes, memory.files));
    assert_eq!(warm.index.sentence_count(), memory.index.sentence_count());
    for (_, a) in memory.index.iter() {
        let b = warm.index.by_path(&a.doc.path).expect("same documents");
        assert_eq!(a.doc, b.doc);
        let parts = |s: &copydesk_engine::corpus::AnalyzedSource| {
            (s.analysis.prose.clone(), s.analysis.sentences.clone(), s.analysis.quantities.clone())
        };
        assert_eq!(parts(a), parts(b));
        // The index stores no speakers: they are resolved on first use, to the same.
        assert_eq!(a.speakers(), b.speakers());
        assert_eq!(a.sentence_terms, b.sentence_terms);
    }
}

fn cli() -> Option<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let bin = target.join(profile).join(if cfg!(windows) { "copydesk.exe" } else { "copydesk" });
    bin.is_file().then_some(bin)
}

/// The built CLI and a project for it: 25 stories in `sources/`, a copydesk.toml naming
/// them, and the draft. None (with a note) when the CLI is not built.
fn cli_project() -> Option<(PathBuf, tempfile::TempDir)> {
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
fn run_cli(bin: &Path, dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(bin).current_dir(dir).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_check_json_is_the_same_with_and_without_the_index() {
    let Some((bin, tmp)) = cli_project() else { return };
    let run = |args: &[&str]| run_cli(&bin, tmp.path(), args);
    let without = run(&["check", "--format", "json", "--no-index", "draft.md"]);
    assert!(!tmp.path().join(".copydesk").exists(), "--no-index writes no index");
    let cold = run(&["check", "--format", "json", "draft.md"]);
    let warm = run(&["check", "--format", "json", "draft.md"]);
    assert!(without.1.contains("\"code\""), "{without:?}");
    assert_eq!(cold, without);
    assert_eq!(warm, without);
    assert!(tmp.path().join(".copydesk").is_dir(), "the index is beside copydesk.toml");

    let index = run(&["index"]);
    assert_eq!(index.0, Some(0), "{index:?}");
    assert!(index.1.contains("26 stories: 0 added, 0 changed, 0 removed, 26 unchanged"), "{}", index.1);
    std::fs::write(tmp.path().join("sources/story-0001.txt"), story(901)).unwrap();
    let index = run(&["index"]);
    assert!(index.1.contains("0 added, 1 changed, 0 removed, 25 unchanged"), "{}", index.1);
    // `copydesk index` leaves the index ready to open: a snapshot of what it just stored,
    // so that the next start (the language server's) reads no stored analysis.
    let sp = spec(&tmp.path().join("sources"), tmp.path());
    let store = PersistentStore::new(tmp.path().join(".copydesk"));
    let QuickStart { index: quick, current, .. } = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    assert!(current, "the snapshot is of the database as `copydesk index` left it");
    assert_eq!(findings_of(&quick, DRAFT), findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT));
}

/// The snapshot file beside the one database in `idx`.
fn snapshot_in(idx: &Path) -> PathBuf {
    let db = std::fs::read_dir(idx)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sqlite"))
        .expect("a database");
    copydesk_store::snapshot::path_for(&db)
}

#[test]
fn an_unchanged_corpus_opens_from_its_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 80);
    let sp = spec(&src, tmp.path());
    let expected = findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT);
    let store = PersistentStore::new(tmp.path().join("idx"));
    assert!(store.open_snapshot(&sp).unwrap().is_none(), "no snapshot before the first open");
    store.open(&sp, None).unwrap();
    assert!(snapshot_in(&tmp.path().join("idx")).is_file());
    // Without looking at the files, and through a sync that finds nothing to do.
    let QuickStart { index: quick, current, .. } = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    assert!(current);
    assert_eq!(findings_of(&quick, DRAFT), expected);
    assert!(quick.freeze().is_none(), "a thawed index, whose documents are read as needed");
    let (warm, stats, _) = store.open_with_stats(&sp, None).unwrap();
    assert_eq!(stats.extracted(), 0);
    assert!(warm.index.freeze().is_none(), "the warm open used the snapshot");
    assert_eq!(findings_of(&warm.index, DRAFT), expected);
}

/// Evicts `path`'s pages from the page cache; false where they stay (a file system
/// without a page cache of its own, as tmpfs).
#[cfg(target_os = "linux")]
fn evict(path: &Path) -> bool {
    use std::os::unix::io::AsRawFd;
    let f = std::fs::File::open(path).unwrap();
    // Written back first: dirty pages are not dropped.
    f.sync_all().unwrap();
    // SAFETY: a valid descriptor; the call only drops clean cached pages.
    unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) == 0 }
}

#[cfg(target_os = "linux")]
#[test]
fn a_snapshot_not_in_the_page_cache_is_read_ahead_and_gives_the_same_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 80);
    let sp = spec(&src, tmp.path());
    let store = PersistentStore::new(tmp.path().join("idx"));
    store.open(&sp, None).unwrap();
    let warm = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    assert!(!warm.snapshot.is_cold(), "just written: in the page cache");
    let expected = findings_of(&warm.index, DRAFT);
    drop(warm);
    if !evict(&snapshot_in(&tmp.path().join("idx"))) {
        eprintln!("skipped: the page cache keeps the snapshot here");
        return;
    }
    let cold = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    if !cold.snapshot.is_cold() {
        eprintln!("skipped: the page cache keeps the snapshot here (tmpfs?)");
        return;
    }
    assert_eq!(findings_of(&cold.index, DRAFT), expected, "read ahead, the same findings");
    cold.snapshot.check_all().expect("and the same bytes");
}

#[test]
fn snapshots_left_half_written_by_killed_processes_are_removed() {
    let (tmp, _src, sp, store) = fixture(10);
    store.open(&sp, None).unwrap();
    let snap = snapshot_in(&tmp.path().join("idx"));
    let temp = |pid: u32| snap.with_file_name(format!("{}.tmp-{pid}", snap.file_name().unwrap().to_string_lossy()));
    // A process that is gone (no such pid), and one that is running (init) and may still be writing.
    std::fs::write(temp(999_999_999), b"half a snapshot").unwrap();
    std::fs::write(temp(1), b"a snapshot being written").unwrap();
    let (stats, errors) = store.sync(&sp, None).unwrap();
    assert!(errors.is_empty() && stats.extracted() == 0, "{stats:?} {errors:?}");
    assert!(!temp(999_999_999).exists(), "the abandoned snapshot was removed by the sync");
    assert!(temp(1).exists(), "a running process's snapshot is left to it");
    std::fs::write(temp(999_999_998), b"half a snapshot").unwrap();
    store.open(&sp, None).unwrap();
    assert!(!temp(999_999_998).exists(), "and by an open");
    assert!(snap.is_file());
}

#[test]
fn a_sync_that_changes_the_corpus_makes_the_snapshot_stale() {
    let (_tmp, src, sp, store) = fixture(30);
    store.open(&sp, None).unwrap();
    assert!(store.open_snapshot(&sp).unwrap().is_some_and(|q| q.current));
    std::fs::write(src.join("story-0003.txt"), story(3).replace("harbour office said", "harbour office said 77"))
        .unwrap();
    std::fs::remove_file(src.join("story-0004.txt")).unwrap();
    let (stats, _) = store.sync(&sp, None).unwrap();
    assert_eq!((stats.changed, stats.removed), (1, 1), "{stats:?}");
    // The snapshot predates the sync: it still opens, as not current, without the stories
    // changed or removed since (their content no longer matches what it indexed).
    let QuickStart { index: stale, current, .. } = store.open_snapshot(&sp).unwrap().expect("the old snapshot");
    assert!(!current, "the snapshot predates the sync");
    assert!(stale.by_path("sources/story-0003.txt").is_none());
    assert!(stale.by_path("sources/story-0004.txt").is_none());
    assert!(stale.by_path("sources/story-0005.txt").is_some());
    // The next open loads from the database, and leaves a snapshot of what it loaded.
    let (loaded, _, _) = store.open_with_stats(&sp, None).unwrap();
    assert!(loaded.index.by_path("sources/story-0004.txt").is_none() && loaded.index.len() == 30);
    let QuickStart { index: quick, current, .. } =
        store.open_snapshot(&sp).unwrap().expect("a snapshot of the new state");
    assert!(current);
    let expected = findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT);
    assert_eq!(findings_of(&quick, DRAFT), expected);
    assert_eq!(quick.len(), 30);
}

#[test]
fn a_damaged_snapshot_is_not_used_and_is_written_again() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 30);
    let sp = spec(&src, tmp.path());
    let expected = findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT);
    let store = PersistentStore::new(tmp.path().join("idx"));
    store.open(&sp, None).unwrap();
    let snap = snapshot_in(&tmp.path().join("idx"));
    let good = std::fs::read(&snap).unwrap();
    // The header's length claims more than the file holds.
    let claims_too_much = {
        let mut b = good.clone();
        let n = b.len() as u64;
        b[40..48].copy_from_slice(&n.to_le_bytes());
        b
    };
    let header_flipped = {
        let mut b = good.clone();
        b[60] ^= 0xff;
        b
    };
    for damage in [
        good[..good.len() / 2].to_vec(),
        b"CDSNAP03garbage".to_vec(),
        b"not a snapshot".to_vec(),
        claims_too_much,
        header_flipped,
    ] {
        std::fs::write(&snap, &damage).unwrap();
        assert!(store.open_snapshot(&sp).is_err() || store.open_snapshot(&sp).unwrap().is_none());
        let loaded = store.open(&sp, None).unwrap();
        assert_eq!(findings_of(&loaded.index, DRAFT), expected);
        assert_eq!(std::fs::read(&snap).unwrap(), good, "the snapshot is written again");
    }
    // Damage inside a section: the quick start opens (nothing of the sections is read), and
    // the check of the whole snapshot finds it; an open through the database does not use it.
    let mut last_posting = good.clone();
    let n = last_posting.len();
    last_posting[n - 3] ^= 0xff;
    std::fs::write(&snap, &last_posting).unwrap();
    let quick = store.open_snapshot(&sp).unwrap().expect("the header is sound");
    assert!(quick.snapshot.check_all().is_err());
    drop(quick);
    let loaded = store.open(&sp, None).unwrap();
    assert_eq!(findings_of(&loaded.index, DRAFT), expected);
    assert_eq!(std::fs::read(&snap).unwrap(), good, "the snapshot is written again");
}

#[test]
fn a_snapshot_shows_paths_relative_to_the_folder_it_was_made_for() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 12);
    let store = PersistentStore::new(tmp.path().join("idx"));
    let from_top = spec(&src, tmp.path());
    let from_sources = spec(&src, &src);
    store.open(&from_top, None).unwrap();
    let quick = store.open_snapshot(&from_top).unwrap().expect("a current snapshot").index;
    assert!(quick.by_path("sources/story-0003.txt").is_some());
    // The same corpus seen from another folder: its paths would be wrong, so it is not used...
    assert!(store.open_snapshot(&from_sources).unwrap().is_none());
    // ...and an open from there shows its own paths.
    let loaded = store.open(&from_sources, None).unwrap();
    assert!(loaded.index.by_path("story-0003.txt").is_some());
    assert!(store.open_snapshot(&from_sources).unwrap().unwrap().index.by_path("story-0003.txt").is_some());
}

/// Where the sentence terms and the postings of the snapshot at `path` lie in the file.
fn terms_and_postings(path: &Path) -> [std::ops::Range<usize>; 2] {
    use copydesk_store::snapshot::{MappedSnapshot, Section};
    let snap = MappedSnapshot::open(path).unwrap().expect("a snapshot of this format");
    [snap.file_range(Section::SentenceTerms), snap.file_range(Section::Postings)]
}

#[test]
fn a_snapshot_damaged_inside_its_arrays_is_not_used_and_the_database_is() {
    let tmp = tempfile::tempdir().unwrap();
    let src = corpus(tmp.path(), 40);
    let sp = spec(&src, tmp.path());
    let expected = findings_of(&MemoryStore.open(&sp, None).unwrap().index, DRAFT);
    assert!(expected.contains("Misquote"), "the draft misquotes the corpus: {expected}");
    let store = PersistentStore::new(tmp.path().join("idx"));
    store.open(&sp, None).unwrap();
    let snap = snapshot_in(&tmp.path().join("idx"));
    let good = std::fs::read(&snap).unwrap();
    // Noise over the sentence terms and the postings: every length and offset still fits,
    // the terms are still sorted; only the digest tells.
    let mut noisy = good.clone();
    for range in terms_and_postings(&snap) {
        for b in &mut noisy[range] {
            *b ^= 0x5a;
        }
    }
    std::fs::write(&snap, &noisy).unwrap();

    // The quick start maps it (its header is sound); a check through it reads damaged
    // blocks, which fail it (it reports nothing), and the check of the whole file names it.
    let quick = store.open_snapshot(&sp).unwrap().expect("the header is sound");
    let _ = findings_of(&quick.index, DRAFT);
    let why = quick.index.base_failure().unwrap_or_default();
    assert!(why.contains("does not match its digest"), "the check through it fails: {why}");
    let why = quick.snapshot.check_all().err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(why.contains("does not match its digest") && why.contains(&snap.display().to_string()), "{why}");
    drop(quick);
    let loaded = store.open(&sp, None).unwrap();
    let warnings: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
    assert_eq!(loaded.errors.len(), 1, "{warnings:?}");
    assert_eq!(loaded.errors[0].path, snap, "the warning names the snapshot");
    assert!(warnings[0].contains("loaded from the database"), "{warnings:?}");
    assert_eq!(findings_of(&loaded.index, DRAFT), expected, "the same findings as without the index");
    // The snapshot was written again, and the next open uses it without a warning.
    assert_eq!(std::fs::read(&snap).unwrap(), good);
    let again = store.open(&sp, None).unwrap();
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(findings_of(&again.index, DRAFT), expected);
}

#[test]
fn a_snapshot_of_an_older_format_is_stale_not_damaged() {
    let (tmp, _src, sp, store) = fixture(10);
    store.open(&sp, None).unwrap();
    let snap = snapshot_in(&tmp.path().join("idx"));
    let good = std::fs::read(&snap).unwrap();
    let mut older = good.clone();
    older[..8].copy_from_slice(b"CDSNAP01");
    std::fs::write(&snap, &older).unwrap();
    assert!(store.open_snapshot(&sp).unwrap().is_none());
    let loaded = store.open(&sp, None).unwrap();
    assert!(loaded.errors.is_empty(), "no warning for a snapshot of another format: {:?}", loaded.errors);
    assert_eq!(std::fs::read(&snap).unwrap(), good, "it is written again in this format");
}

#[test]
fn cli_check_through_a_damaged_snapshot_warns_and_finds_what_no_index_finds() {
    let Some((bin, tmp)) = cli_project() else { return };
    let run = |args: &[&str]| run_cli(&bin, tmp.path(), args);
    let without = run(&["check", "--format", "json", "--no-index", "draft.md"]);
    let warm = run(&["check", "--format", "json", "draft.md"]);
    assert_eq!(warm, without);
    let snap = snapshot_in(&tmp.path().join(".copydesk"));
    let mut bytes = std::fs::read(&snap).unwrap();
    let [_, postings] = terms_and_postings(&snap);
    for b in &mut bytes[postings] {
        *b ^= 0xa5;
    }
    std::fs::write(&snap, &bytes).unwrap();
    let damaged = run(&["check", "--format", "json", "draft.md"]);
    assert_eq!((damaged.0, &damaged.1), (without.0, &without.1), "the same findings as --no-index");
    assert!(
        damaged.2.contains(&snap.display().to_string()) && damaged.2.contains("does not match its digest"),
        "a warning naming the snapshot: {}",
        damaged.2
    );
}

#[test]
fn a_sync_tells_the_generation_it_leaves_the_database_at() {
    let (_tmp, src, sp, store) = fixture(10);
    store.open(&sp, None).unwrap();
    let quick = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    assert!(quick.current);
    let (same, _) = store.sync(&sp, None).unwrap();
    assert_eq!(same.generation, quick.generation, "nothing changed: the snapshot stands");
    // Another process's sync changes the database: one with nothing left to do tells.
    std::fs::write(src.join("story-0003.txt"), story(303)).unwrap();
    let (changed, _) = store.sync(&sp, None).unwrap();
    assert_ne!(changed.generation, quick.generation);
    let (after, _) = store.sync(&sp, None).unwrap();
    assert_eq!((after.extracted(), &after.generation), (0, &changed.generation));
}

#[test]
fn the_index_folder_never_shows_up_in_a_commit() {
    let (tmp, _src, sp, store) = fixture(3);
    store.sync(&sp, None).unwrap();
    let ignore = std::fs::read_to_string(tmp.path().join("idx/.gitignore")).expect("the index folder has a .gitignore");
    assert!(ignore.lines().any(|l| l.trim() == "*"), "{ignore}");
    // With git: a project holding its index has nothing of it to commit.
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(tmp.path()).output();
    if git(&["init", "-q"]).is_ok_and(|o| o.status.success()) {
        let status = git(&["status", "--porcelain", "--untracked-files=all"]).unwrap();
        let listed = String::from_utf8_lossy(&status.stdout);
        assert!(listed.contains("sources/"), "{listed}");
        assert!(!listed.contains("idx/"), "the index shows up in git status: {listed}");
    }
    // A .gitignore of the user's own is left as it is.
    std::fs::write(tmp.path().join("idx/.gitignore"), "# mine\n").unwrap();
    store.sync(&sp, None).unwrap();
    assert_eq!(std::fs::read_to_string(tmp.path().join("idx/.gitignore")).unwrap(), "# mine\n");
}

#[test]
fn every_lookup_of_a_mapped_snapshot_matches_the_index_built_in_memory() {
    use copydesk_engine::corpus::{QuantityKey, SentRef};
    let (_tmp, _src, sp, store) = fixture(40);
    let built = MemoryStore.open(&sp, None).unwrap().index;
    store.open(&sp, None).unwrap();
    let quick = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    let mapped = &quick.index;
    assert_eq!((mapped.len(), mapped.sentence_count()), (built.len(), built.sentence_count()));
    for (id, doc) in built.iter() {
        // Found by its path, and read back from the database as it was indexed.
        let read = mapped.by_path(&doc.doc.path).map(|d| (&d.doc.text, d.analysis.quantities.len()));
        assert_eq!(read, Some((&doc.doc.text, doc.analysis.quantities.len())), "{}", doc.doc.path);
        for (i, terms) in doc.sentence_terms.iter().enumerate() {
            let r = SentRef { doc: id, sentence: i as u32 };
            assert_eq!(mapped.sentence_terms(r).as_deref(), Some(terms.as_slice()));
            for t in terms {
                assert_eq!(mapped.weight(*t).to_bits(), built.weight(*t).to_bits());
            }
            assert_eq!(*mapped.similar_sentences(terms, 10), *built.similar_sentences(terms, 10));
        }
        for q in &doc.analysis.quantities {
            let key = QuantityKey::of(q);
            for (low, high) in [(q.low, q.high), (q.low * 0.5, q.high * 2.0), (0.0, f64::MAX), (f64::MIN, 0.0)] {
                for limit in [usize::MAX, 2] {
                    assert_eq!(
                        mapped.quantities_overlapping(&key, low, high, limit),
                        built.quantities_overlapping(&key, low, high, limit)
                    );
                }
            }
        }
    }
    assert!(mapped.sentence_terms(SentRef { doc: built.len() as u32, sentence: 0 }).is_none());
    assert!(mapped.base_failure().is_none());
    quick.snapshot.check_all().expect("a sound snapshot checks whole");
}

#[test]
fn documents_read_together_from_a_snapshot_are_each_the_one_asked_for() {
    let (_tmp, _src, sp, store) = fixture(40);
    let built = MemoryStore.open(&sp, None).unwrap().index;
    store.open(&sp, None).unwrap();
    let quick = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    let mapped = &quick.index;
    // Asked for together (side by side on the I/O threads), in an order of their own.
    let mut ids: Vec<u32> = (0..built.len() as u32).collect();
    ids.reverse();
    ids.swap(3, 17);
    mapped.prefetch(&ids, &[]);
    assert_eq!(mapped.base_docs_read(), built.len());
    for (id, doc) in built.iter() {
        let read = mapped.get(id).map(|d| (&d.doc.path, &d.doc.text, d.sentence_terms.len()));
        assert_eq!(read, Some((&doc.doc.path, &doc.doc.text, doc.sentence_terms.len())));
    }
}
