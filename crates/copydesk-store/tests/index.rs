//! The persistent index: incremental updates, removal, version and corruption
//! handling, crash safety, and the same findings with and without it (its snapshot:
//! `snapshot.rs`). All texts here are invented for these tests.

mod common;

use common::*;
use copydesk_store::index::FORMAT_VERSION;
use copydesk_store::{CorpusStore, MemoryStore, PersistentStore, QuickStart};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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
fn sqlite_is_built_without_the_global_mutexes_that_make_readers_wait_for_each_other() {
    // `.cargo/config.toml` (LIBSQLITE3_FLAGS): one page cache shared by every connection
    // behind one mutex, and memory statistics behind another on every allocation, would
    // make the reader threads of a check take turns.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let used = |option: &str| -> bool {
        conn.query_row("SELECT sqlite_compileoption_used(?1)", [option], |r| r.get(0)).unwrap()
    };
    assert!(!used("ENABLE_MEMORY_MANAGEMENT"));
    assert!(used("DEFAULT_MEMSTATUS=0"));
    assert!(used("THREADSAFE=1"), "still safe to use from many threads");
}
