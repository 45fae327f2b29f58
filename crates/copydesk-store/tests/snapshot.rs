//! The snapshot beside the persistent index: opened in place of the database when the
//! files are unchanged, stale after a sync, never used when damaged, read ahead when cold,
//! and every lookup through it the index built in memory's.
//! All texts here are invented for these tests.

mod common;

use common::*;
use copydesk_store::{CorpusStore, MemoryStore, PersistentStore, QuickStart};
use std::path::Path;

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

/// A corpus of `n` stories as the index built in memory and as the snapshot `open` wrote of it.
fn built_and_mapped(n: usize) -> (tempfile::TempDir, copydesk_engine::corpus::CorpusIndex, QuickStart) {
    let (tmp, _src, sp, store) = fixture(n);
    let built = MemoryStore.open(&sp, None).unwrap().index;
    store.open(&sp, None).unwrap();
    let quick = store.open_snapshot(&sp).unwrap().expect("a snapshot");
    (tmp, built, quick)
}

#[test]
fn every_lookup_of_a_mapped_snapshot_matches_the_index_built_in_memory() {
    use copydesk_engine::corpus::{QuantityKey, SentRef};
    let (_tmp, built, quick) = built_and_mapped(40);
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
    let (_tmp, built, quick) = built_and_mapped(40);
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
