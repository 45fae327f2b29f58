//! The PostgreSQL store against a live cluster (`scripts/pg-cluster.sh`; skipped with a
//! message without `COPYDESK_TEST_PG_URL`): the read API answers as the engine's in-memory
//! index of the same stories, after adds, updates and removals; two ingesters at once; live
//! updates; roles; a replica; re-extraction; a store that is down or silent.
//! All texts here are invented for these tests.

use copydesk_engine::corpus::{AnalyzedSource, CorpusIndex, QuantityKey};
use copydesk_store::load;
use copydesk_store::postgres::testing::{self, with_user, TestDb};
use copydesk_store::postgres::{PgReader, PgStore, StoreSettings};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TOWNS: [&str; 7] = ["Brackwater", "Corvel", "Dunmere", "Eastholm", "Fenwick Cross", "Galloway Reach", "Hestia"];
const PEOPLE: [&str; 6] =
    ["Ines Marrow", "Tobias Fenn", "Ruth Adebayo", "Pavel Lindqvist", "Noor Haddad", "Oskar Bellamy"];
const MONTHS: [&str; 4] = ["March", "June", "September", "November"];

/// An invented story; `n` varies its names, figures and length, `v` its version.
fn story(n: usize, v: usize) -> String {
    let town = TOWNS[n % TOWNS.len()];
    let who = PEOPLE[(n / 3) % PEOPLE.len()];
    let month = MONTHS[(n + v) % MONTHS.len()];
    let (a, b, p, k, w, c) = (12 + n % 40, 9 + n % 30, 40 + n % 50, 2 + n % 6, 100 + n * 3, 50 + n + v);
    let mut s = format!(
        "{town} water board report {n}\n\n\
         The {town} water board said it would spend {a} million dollars on new pipes, up from {b} million last year.\n\
         About {p} percent of households in {town} were metered by {month}, the board said.\n"
    );
    if n % 2 == 0 {
        s += &format!("\"We will finish {k} pumping stations before winter,\" said {who}, the board's engineer.\n");
    }
    if n % 3 == 0 {
        s += &format!("{who} told the council that {w} workers had been hired since {month}.\n");
    }
    if v > 0 {
        s += &format!("A revised estimate put the cost at {c} million dollars.\n");
    }
    for i in 0..(n % 4) {
        let r = 20 + i * 7 + n;
        s += &format!("Rainfall in {town} reached {r} millimetres in week {i}, the weather office reported.\n");
    }
    s
}

fn write_stories(dir: &Path, range: std::ops::Range<usize>, v: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for n in range {
        std::fs::write(dir.join(format!("story-{n:04}.txt")), story(n, v)).unwrap();
    }
}

fn settings(url: &str) -> StoreSettings {
    StoreSettings::new(url).unwrap()
}

/// The stories of `dir` as the store keys them (`<folder name>/<file>`), analyzed as the store does.
fn analyzed(dir: &Path) -> Vec<AnalyzedSource> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let (files, errors) = load::expand_paths(&[dir.to_path_buf()], load::FileKind::Source, &[]);
    assert!(errors.is_empty());
    files
        .iter()
        .map(|f| {
            let key = format!("{name}/{}", f.strip_prefix(dir).unwrap().to_string_lossy());
            AnalyzedSource::deferred(load::read_source(f, key).unwrap())
        })
        .collect()
}

/// Every answer of the read API against the in-memory index of `sources`.
fn assert_same_as_memory(reader: &PgReader, sources: Vec<AnalyzedSource>) {
    let docs: HashMap<String, AnalyzedSource> = sources.iter().map(|s| (s.doc.path.clone(), s.clone())).collect();
    let index = CorpusIndex::build(sources);
    let frozen = index.freeze().expect("a fresh index freezes");
    let stats = reader.stats().unwrap();
    assert_eq!(stats.documents as usize, index.len());
    assert_eq!(stats.sentences as usize, index.sentence_count());

    // The store's ids and paths.
    let mut path_of: HashMap<i64, String> = HashMap::new();
    let mut after = 0;
    loop {
        let page = reader.document_page(after, 50).unwrap();
        let Some(last) = page.last() else { break };
        after = last.id;
        for d in page {
            path_of.insert(d.id, d.path);
        }
    }
    assert_eq!(path_of.len(), index.len());
    let id_of: HashMap<&str, i64> = path_of.iter().map(|(id, p)| (p.as_str(), *id)).collect();

    // Term frequencies and postings, term by term.
    let df = reader.df(&frozen.terms).unwrap();
    let postings = reader.postings_many(&frozen.terms).unwrap();
    for (i, term) in frozen.terms.iter().enumerate() {
        let want: BTreeSet<(String, u32)> = frozen.postings
            [frozen.term_starts[i] as usize..frozen.term_starts[i + 1] as usize]
            .iter()
            .map(|p| (frozen.paths[(p >> 32) as usize].clone(), *p as u32))
            .collect();
        let got: Vec<(String, u32)> = postings[i].iter().map(|(d, s)| (path_of[d].clone(), *s)).collect();
        assert_eq!(df[i] as usize, want.len(), "df of term {term}");
        assert_eq!(got.len(), want.len(), "postings of term {term}");
        assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), want, "postings of term {term}");
        assert!(postings[i].windows(2).all(|w| w[0] < w[1]), "postings in (story, sentence) order");
    }
    assert_eq!(reader.df(&[0x5eed]).unwrap(), vec![0], "an unknown term");
    assert!(reader.postings(0x5eed).unwrap().is_empty());

    // Sentence terms.
    let mut asked = Vec::new();
    let mut want = Vec::new();
    for (path, s) in &docs {
        for (i, terms) in s.sentence_terms.iter().enumerate() {
            asked.push((id_of[path.as_str()], i as u32));
            want.push(Some(terms.clone()));
        }
    }
    asked.push((-1, 0));
    want.push(None);
    assert_eq!(reader.sentence_terms(&asked).unwrap(), want);

    // Figures: every (kind, unit) whole, then ranges against the index's own lookup.
    for (kind, unit, entries) in &frozen.figures {
        let want: BTreeSet<(String, u32, u32)> =
            entries.iter().map(|e| (frozen.paths[e.2 as usize].clone(), e.3, e.4)).collect();
        let got =
            reader.figures_overlapping(*kind, unit.as_deref(), f64::NEG_INFINITY, f64::INFINITY, usize::MAX).unwrap();
        let got_set: BTreeSet<(String, u32, u32)> =
            got.iter().map(|h| (path_of[&h.doc].clone(), h.quantity, h.sentence)).collect();
        assert_eq!(got.len(), want.len(), "figures of {kind:?} {unit:?}");
        assert_eq!(got_set, want, "figures of {kind:?} {unit:?}");
        // A limit takes the first figures by low end.
        let first = reader.figures_overlapping(*kind, unit.as_deref(), f64::NEG_INFINITY, f64::INFINITY, 2).unwrap();
        assert_eq!(first.len(), got.len().min(2), "figures of {kind:?} {unit:?}, limited");
        assert!(first.iter().zip(&got).all(|(a, b)| a.low == b.low), "figures of {kind:?} {unit:?}, limited");
        for e in entries.iter().step_by(3) {
            let (low, high) = (e.0 * 0.95, e.1 * 1.02 + 1.0);
            let key = QuantityKey { kind: *kind, unit: unit.clone() };
            let want: BTreeSet<(String, u32)> = index
                .quantities_overlapping(&key, low, high, usize::MAX)
                .into_iter()
                .map(|r| (index.get(r.doc).unwrap().doc.path.clone(), r.quantity))
                .collect();
            let got: BTreeSet<(String, u32)> = reader
                .figures_overlapping(*kind, unit.as_deref(), low, high, usize::MAX)
                .unwrap()
                .into_iter()
                .map(|h| (path_of[&h.doc].clone(), h.quantity))
                .collect();
            assert_eq!(got, want, "figures of {kind:?} {unit:?} in [{low}, {high}]");
        }
    }

    // Stories read back whole, by id and by path.
    let ids: Vec<i64> = path_of.keys().copied().collect();
    for d in reader.documents(&ids).unwrap() {
        let d = d.expect("every listed story reads back");
        let s = &docs[&d.path];
        assert!(!d.reanalyzed);
        assert_eq!(d.source.doc, s.doc);
        assert_eq!(d.source.sentence_terms, s.sentence_terms);
        assert_eq!(d.source.analysis.quantities.len(), s.analysis.quantities.len());
        assert_eq!(reader.doc_by_path(&d.path).unwrap(), Some(d.id));
    }
    assert!(reader.documents(&[-1]).unwrap()[0].is_none());
    let rows = reader.summaries(&[ids[0], -1]).unwrap();
    assert_eq!(rows[0].as_ref().map(|r| r.sentence_count as usize), Some(docs[&path_of[&ids[0]]].sentence_terms.len()));
    assert!(rows[1].is_none());
    let keys = reader.path_keys(&ids).unwrap();
    for (id, k) in ids.iter().zip(keys) {
        assert_eq!(k, Some(copydesk_engine::terms::hash_str(&path_of[id])));
    }
}

/// A test database holding the invented stories `range` as the folder `wire`, ingested:
/// the database, the folder's temp dir (kept while the test runs), the folder, the store.
fn stored(tag: &str, range: std::ops::Range<usize>) -> Option<(TestDb, tempfile::TempDir, PathBuf, PgStore)> {
    let db = TestDb::create(tag)?;
    let tmp = tempfile::tempdir().unwrap();
    let wire = tmp.path().join("wire");
    write_stories(&wire, range, 0);
    let store = PgStore::connect(&settings(&db.url)).unwrap();
    store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    Some((db, tmp, wire, store))
}

fn assert_consistent(store: &PgStore) {
    let problems = store.verify().unwrap();
    assert!(problems.is_empty(), "the store is out of step: {problems:?}");
}

#[test]
fn read_api_answers_as_the_in_memory_index_through_adds_updates_and_removals() {
    let Some(db) = TestDb::create("read_api") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let wire = tmp.path().join("wire");
    write_stories(&wire, 0..40, 0);
    let store = PgStore::connect(&settings(&db.url)).unwrap();
    let (stats, errors) = store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    assert!(errors.is_empty());
    assert_eq!((stats.added, stats.updated, stats.unchanged, stats.removed), (40, 0, 0, 0));
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    assert_same_as_memory(&reader, analyzed(&wire));
    assert_consistent(&store);
    let g1 = reader.stats().unwrap().generation;

    // Again: nothing changes, not even the generation.
    let (stats, _) = store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    assert_eq!((stats.added, stats.updated, stats.unchanged, stats.removed), (0, 0, 40, 0));
    assert_eq!(reader.stats().unwrap().generation, g1);

    // Five rewritten, three removed, two new.
    write_stories(&wire, 5..10, 1);
    for n in [11, 12, 13] {
        std::fs::remove_file(wire.join(format!("story-{n:04}.txt"))).unwrap();
    }
    write_stories(&wire, 40..42, 0);
    let old = reader.doc_by_path("wire/story-0005.txt").unwrap().unwrap();
    let (stats, _) = store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    assert_eq!((stats.added, stats.updated, stats.unchanged, stats.removed), (2, 5, 32, 3));
    assert_same_as_memory(&reader, analyzed(&wire));
    assert_consistent(&store);
    let new = reader.doc_by_path("wire/story-0005.txt").unwrap().unwrap();
    assert_ne!(old, new, "a new content gets a new id");
    assert!(reader.documents(&[old]).unwrap()[0].is_none());

    // What changed, for a reader catching up.
    let changes = reader.changes_since(g1).unwrap();
    assert!(changes.complete);
    assert_eq!(changes.generation, reader.stats().unwrap().generation);
    let by_path: HashMap<&str, (Option<i64>, Option<i64>)> =
        changes.changes.iter().map(|c| (c.path.as_str(), (c.doc, c.old_doc))).collect();
    assert_eq!(by_path.len(), 10);
    assert_eq!(by_path["wire/story-0005.txt"], (Some(new), Some(old)));
    assert!(by_path["wire/story-0012.txt"].0.is_none() && by_path["wire/story-0012.txt"].1.is_some());
    assert!(by_path["wire/story-0041.txt"].0.is_some() && by_path["wire/story-0041.txt"].1.is_none());
    assert!(reader.changes_since(changes.generation).unwrap().changes.is_empty());
}

#[test]
fn an_ingest_removes_only_under_the_folders_it_was_given() {
    let Some(db) = TestDb::create("scope") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (wire, notes) = (tmp.path().join("wire"), tmp.path().join("notes"));
    write_stories(&wire, 0..6, 0);
    write_stories(&notes, 100..103, 0);
    let store = PgStore::connect(&settings(&db.url)).unwrap();
    store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    store.ingest(std::slice::from_ref(&notes), None, &[], None).unwrap();
    // A reporter's notes folder loses a note: only that note goes.
    std::fs::remove_file(notes.join("story-0100.txt")).unwrap();
    let (stats, _) = store.ingest(std::slice::from_ref(&notes), None, &[], None).unwrap();
    assert_eq!((stats.removed, stats.unchanged), (1, 2));
    // A single file and a glob remove nothing.
    let one = wire.join("story-0001.txt");
    let (stats, _) = store.ingest(&[one], None, &[], None).unwrap();
    assert_eq!((stats.added, stats.removed), (1, 0), "a file given alone is keyed by its name");
    let glob = PathBuf::from(format!("{}/story-000[0-2].txt", wire.display()));
    let (stats, _) = store.ingest(&[glob], None, &[], None).unwrap();
    assert_eq!((stats.unchanged, stats.removed), (3, 0));
    // --prefix keys a folder under another name.
    let (stats, _) = store.ingest(std::slice::from_ref(&notes), Some("desk/notes"), &[], None).unwrap();
    assert_eq!(stats.added, 2);
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    assert!(reader.doc_by_path("desk/notes/story-0101.txt").unwrap().is_some());
    assert_eq!(reader.stats().unwrap().documents, 6 + 2 + 1 + 2);
    assert_consistent(&store);
}

#[test]
fn two_ingesters_at_once_neither_lose_nor_duplicate_a_story() {
    let Some(db) = TestDb::create("concurrent") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let wire = tmp.path().join("wire");
    write_stories(&wire, 0..300, 0);
    // The second ingester's view: the same folder, half of it rewritten (another machine's
    // copy), and some files only it has.
    let other = tmp.path().join("other").join("wire");
    write_stories(&other, 0..150, 0);
    write_stories(&other, 150..300, 2);
    write_stories(&other, 300..340, 0);
    let run = |dir: PathBuf| {
        let url = db.url.clone();
        std::thread::spawn(move || {
            let store = PgStore::connect(&settings(&url)).unwrap();
            store.ingest(&[dir], None, &[], None).unwrap().0
        })
    };
    let (a, b) = (run(wire.clone()), run(other.clone()));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert!(a.failed == 0 && b.failed == 0);
    let store = PgStore::connect(&settings(&db.url)).unwrap();
    assert_consistent(&store);
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    let stats = reader.stats().unwrap();
    // Every key once. The first ingester removes the keys under wire/ that it found stored
    // when it started and does not hold: the second's 300..340 only if they were committed
    // before it listed the store (they are the second's last files, so seldom, and then some or all of them).
    assert!((300..=340).contains(&stats.documents), "{stats:?}");
    let page = reader.document_page(0, 1000).unwrap();
    let unique: BTreeSet<&str> = page.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(unique.len(), page.len());
    assert_eq!(page.len() as u64, stats.documents);
    for n in 0..300 {
        assert!(unique.contains(format!("wire/story-{n:04}.txt").as_str()), "story {n} lost");
    }
    // Each story is one ingester's version, whole: a last ingest of either folder makes the
    // store answer exactly as that folder's in-memory index.
    let (s, _) = store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    assert_eq!(s.added + s.updated + s.unchanged, 300);
    assert_same_as_memory(&reader, analyzed(&wire));
    assert_consistent(&store);
}

#[test]
fn a_reader_waiting_for_changes_wakes_on_an_ingest() {
    let Some((db, _tmp, wire, store)) = stored("listen", 0..3) else { return };
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    let g = reader.stats().unwrap().generation;
    assert_eq!(reader.wait_for_change(g, Duration::from_millis(300)).unwrap(), None, "nothing changed");
    let waiter = std::thread::spawn(move || {
        let t = Instant::now();
        (reader.wait_for_change(g, Duration::from_secs(20)).unwrap(), t.elapsed(), reader)
    });
    std::thread::sleep(Duration::from_millis(300));
    write_stories(&wire, 3..4, 0);
    store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    let (woke, waited, reader) = waiter.join().unwrap();
    assert_eq!(woke, Some(g + 1));
    assert!(waited < Duration::from_secs(5), "woke after {waited:?}");
    let changes = reader.changes_since(g).unwrap();
    assert_eq!(changes.changes.len(), 1);
    assert_eq!(changes.changes[0].path, "wire/story-0003.txt");
}

#[test]
fn roles_give_readers_reads_and_ingesters_writes() {
    let Some(db) = TestDb::create("roles") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let wire = tmp.path().join("wire");
    write_stories(&wire, 0..4, 0);
    let owner = PgStore::connect(&settings(&db.url)).unwrap();
    owner.create_roles().unwrap();
    owner.create_roles().unwrap(); // again: no error
    let reader_url = db.login_role("cd_test_reader", "rd-Secret-7731", Some("copydesk_reader"));
    let ingest_url = db.login_role("cd_test_ingest", "in-Secret-5527", Some("copydesk_ingest"));

    let feed = PgStore::connect(&settings(&ingest_url)).unwrap();
    let (stats, _) = feed.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    assert_eq!(stats.added, 4);

    let refused =
        PgStore::connect(&settings(&reader_url)).unwrap().ingest(std::slice::from_ref(&wire), None, &[], None);
    let e = format!("{:#}", refused.expect_err("a reader cannot ingest"));
    assert!(e.contains("refuses writes for role cd_test_reader") && e.contains("copydesk_ingest"), "{e}");
    assert!(!e.contains("rd-Secret-7731"), "{e}");

    let reader = PgReader::open(&settings(&reader_url)).unwrap();
    assert_eq!(reader.stats().unwrap().documents, 4);
    assert_eq!(reader.role(), "cd_test_reader");
    assert!(reader.wait_for_change(0, Duration::from_millis(100)).unwrap().is_some());
    // Even a role that may write reads through a read-only session.
    let owner_reader = PgReader::open(&settings(&db.url)).unwrap();
    assert_eq!(owner_reader.stats().unwrap().documents, 4);
    // The ingest role cannot migrate or change the roles.
    let e = format!("{:#}", feed.create_roles().expect_err("only the owner grants"));
    assert!(e.contains("cd_test_ingest"), "{e}");
}

#[test]
fn a_reader_on_the_replica_sees_what_was_ingested_on_the_primary() {
    let Some(db) = TestDb::create("replica") else { return };
    let Some(replica) = db.replica_url() else {
        eprintln!("skipped: COPYDESK_TEST_PG_REPLICA_URL is not set (scripts/pg-cluster.sh replica DIR)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let wire = tmp.path().join("wire");
    write_stories(&wire, 0..10, 0);
    let mut s = settings(&db.url);
    s.read_url = Some(replica.clone());
    let primary = PgStore::connect(&s).unwrap();
    primary.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    // The database and its schema reach the replica by replay: wait for them (bounded).
    let t = Instant::now();
    let reader = loop {
        match PgReader::open(&s) {
            Ok(r) if r.stats().map(|st| st.documents).unwrap_or(0) == 10 => break r,
            _ if t.elapsed() < Duration::from_secs(30) => std::thread::sleep(Duration::from_millis(100)),
            Ok(r) => panic!("the replica has {:?} after 30 s", r.stats()),
            Err(e) => panic!("no reader on the replica after 30 s: {e:#}"),
        }
    };
    assert!(reader.on_replica());
    assert_same_as_memory(&reader, analyzed(&wire));
    // A story ingested now reaches the replica's reader, which polls (no LISTEN on a standby).
    let g = reader.stats().unwrap().generation;
    write_stories(&wire, 10..11, 0);
    primary.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    let woke = reader.wait_for_change(g, Duration::from_secs(30)).unwrap();
    assert_eq!(woke, Some(g + 1));
    assert!(reader.doc_by_path("wire/story-0010.txt").unwrap().is_some());
    // Ingest never goes to the replica.
    let mut on_replica = s.clone();
    on_replica.url = replica;
    let e = format!("{:#}", PgStore::connect(&on_replica).unwrap().ingest(&[wire], None, &[], None).unwrap_err());
    assert!(e.contains("read-only replica"), "{e}");
}

#[test]
fn an_engine_change_is_re_extracted_while_readers_read() {
    let Some((db, _tmp, wire, store)) = stored("reextract", 0..150) else { return };
    // As if an older copydesk had written them.
    assert_eq!(store.set_engine_for_tests("an-older-engine").unwrap(), 150);
    assert_eq!(store.other_engine_count().unwrap(), 150);
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    let id = reader.doc_by_path("wire/story-0007.txt").unwrap().unwrap();
    let d = reader.documents(&[id]).unwrap().pop().flatten().unwrap();
    assert!(d.reanalyzed, "another engine's analysis is not decoded but redone from the text");
    assert_eq!(d.source.doc.text, story(7, 0));
    // Re-extraction runs while a reader keeps reading: every answer is a whole store.
    let url = db.url.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let reading = std::thread::spawn(move || {
        let reader = PgReader::open(&settings(&url)).unwrap();
        let mut reads = 0;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            assert_eq!(reader.stats().unwrap().documents, 150);
            assert_eq!(reader.document_page(0, 1000).unwrap().len(), 150);
            reads += 1;
        }
        reads
    });
    let s = store.reextract(None).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reading.join().unwrap() > 0);
    assert_eq!((s.found, s.reextracted, s.skipped, s.failed), (150, 150, 0, 0));
    assert_eq!(store.other_engine_count().unwrap(), 0);
    assert_same_as_memory(&reader, analyzed(&wire));
    assert_consistent(&store);
}

#[test]
fn a_store_that_is_down_or_silent_fails_fast_and_says_so() {
    // Nobody listens: refused at once.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("postgres://someone:pw-Hidden-4410@127.0.0.1:{port}/news");
    let t = Instant::now();
    let e = format!("{:#}", PgReader::open(&settings(&url)).err().expect("nothing listens"));
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(e.contains("cannot connect to the store at postgres://someone:***@127.0.0.1"), "{e}");
    assert!(!e.contains("pw-Hidden-4410"), "{e}");
    // A server that accepts and never answers: the connect timeout ends the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let _conns: Vec<_> = silent.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(3));
    });
    let mut s = settings(&format!("postgres://someone@127.0.0.1:{port}/news?sslmode=disable"));
    s.connect_timeout = Duration::from_millis(700);
    let t = Instant::now();
    let e = format!("{:#}", PgStore::connect(&s).err().expect("no answer"));
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(600) && took < Duration::from_secs(3), "{took:?}");
    assert!(e.contains("no answer within 0.7 s"), "{e}");
    held.join().unwrap();
}

#[test]
fn a_restarted_connection_is_replaced() {
    let Some((db, _tmp, _wire, _store)) = stored("reconnect", 0..3) else { return };
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    assert_eq!(reader.stats().unwrap().documents, 3);
    // The server ends every session of this database (as a restart does).
    let admin = with_user(&db.url, "copydesk_admin", None);
    copydesk_store::postgres::testing::execute(
        &admin,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            db.name
        ),
    )
    .unwrap();
    assert_eq!(reader.stats().unwrap().documents, 3, "the reader reconnects");
}

#[test]
fn a_slow_store_ends_a_statement_at_the_statement_timeout() {
    let Some((db, _tmp, _wire, _store)) = stored("slow", 0..2) else { return };
    let mut s = settings(&db.url);
    s.statement_timeout = Duration::from_millis(500);
    let reader = PgReader::open(&s).unwrap();
    let held =
        copydesk_store::postgres::testing::lock_table_for(&db.url, "copydesk.corpus_stats", Duration::from_secs(4));
    let t = Instant::now();
    let e = format!("{:#}", reader.stats().expect_err("the table is locked"));
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(400) && took < Duration::from_secs(3), "{took:?}");
    assert!(e.contains("did not answer within the statement timeout (0.5 s)"), "{e}");
    held.join().unwrap();
    assert_eq!(reader.stats().unwrap().documents, 2, "and it answers again once the store does");
}

#[test]
fn sslmode_is_honoured_verify_full_included() {
    let Some(db) = TestDb::create("tls") else { return };
    let Some(ca) = std::env::var_os("COPYDESK_TEST_PG_CA") else {
        eprintln!("skipped: COPYDESK_TEST_PG_CA is not set (scripts/pg-cluster.sh makes one when openssl is there)");
        return;
    };
    let ca = PathBuf::from(ca);
    // Not the cluster's CA: the server's own certificate, which issued nothing.
    let wrong = ca.with_file_name("server.crt");
    let with = |url: &str, query: &str| format!("{url}?{query}");
    PgStore::connect(&settings(&db.url)).unwrap().migrate().unwrap();
    for (query, ok) in [
        (format!("sslmode=verify-full&sslrootcert={}", ca.display()), true),
        (format!("sslmode=verify-ca&sslrootcert={}", ca.display()), true),
        ("sslmode=require".to_string(), true),
        ("sslmode=disable".to_string(), true),
        (format!("sslmode=verify-full&sslrootcert={}", wrong.display()), false),
        (format!("sslmode=verify-ca&sslrootcert={}", wrong.display()), false),
    ] {
        let url = with(&db.url, &query);
        let r = PgReader::open(&settings(&url));
        assert_eq!(r.is_ok(), ok, "{query}: {:?}", r.as_ref().err().map(|e| format!("{e:#}")));
        if let Err(e) = r {
            let e = format!("{e:#}");
            assert!(e.contains("check sslmode and the server's certificate"), "{e}");
        }
    }
    // verify-full checks the name too: localhost is in the certificate, so it passes.
    let url =
        with(&db.url.replace("127.0.0.1", "localhost"), &format!("sslmode=verify-full&sslrootcert={}", ca.display()));
    assert!(PgReader::open(&settings(&url)).is_ok());
}

/// A store made by a copydesk of schema version 1 (figures in a GiST index of boxes) is
/// migrated to version 2 (a btree by width class) with its figures, and lookups then answer
/// as a scan of the rows does: the first `limit` overlapping figures by low end, for points,
/// narrow and wide ranges, negative, tiny and infinite ones.
#[test]
fn a_version_1_store_is_migrated_and_figures_are_found_by_width_class() {
    use copydesk_engine::claims::QuantityKind;
    let Some(db) = TestDb::create("v1") else { return };
    testing::create_schema_at(&db.url, 1).unwrap();
    // A small generator of our own (xorshift): the same figures on every run.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let units = [None, Some("usd"), Some("%")];
    let kinds = [QuantityKind::Amount, QuantityKind::Percent];
    let mut figures = Vec::new();
    for q in 0..3000u32 {
        let (kind, unit) = (kinds[(next() % 2) as usize], units[(next() % 3) as usize]);
        let magnitude = 10f64.powi((next() % 21) as i32 - 6) * (1 + next() % 9) as f64;
        let low = if next() % 10 == 0 { -magnitude } else { magnitude };
        let high = match next() % 8 {
            0..=2 => low,
            3 => low + magnitude * 0.05,
            4 => low + magnitude * (next() % 100) as f64,
            5 => low + magnitude * 1e-14,
            6 => low + 6e13,
            _ => f64::INFINITY,
        };
        figures.push((q, kind, unit, low, high));
    }
    let float = |x: f64| if x.is_infinite() { "'infinity'::float8".to_string() } else { format!("{x:e}::float8") };
    let mut sql = format!(
        "INSERT INTO copydesk.documents(path, path_key, hash, bytes, engine, analysis, sentence_count, quantities, quotes)
         VALUES ('wire/one.txt', 1, '\\x00', 1, 'v1 engine', '\\x00', 0, {}, 0);
         UPDATE copydesk.corpus_stats SET documents = 1;\n",
        figures.len()
    );
    for (q, kind, unit, low, high) in &figures {
        let unit = unit.map_or("NULL".to_string(), |u| format!("'{u}'"));
        let (l, h) = (float(*low), float(*high));
        let key = *kind as i16;
        sql += &format!(
            "INSERT INTO copydesk.figures(doc, quantity, sentence, kind, unit, low, high, span)
             SELECT id, {q}, 0, {key}, {unit}, {l}, {h}, box(point({key}, {l}), point({key}, {h}))
             FROM copydesk.documents;\n"
        );
    }
    testing::execute(&db.url, &sql).unwrap();

    let store = PgStore::connect(&settings(&db.url)).unwrap();
    assert_eq!(store.migrate().unwrap(), vec![2], "version 1 is migrated to 2");
    assert_consistent(&store);
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    for probe in 0..300 {
        let (kind, unit) = (kinds[probe % 2], units[(probe / 2) % 3]);
        let (_, _, _, at, _) = figures[(next() % figures.len() as u64) as usize];
        let a = if probe % 5 == 0 { at * 0.5 } else { at };
        let b = if probe % 3 == 0 { a } else { a + a.abs() * (next() % 4) as f64 };
        let limit = [1, 7, 50, 4000][probe % 4];
        let mut want: Vec<_> = figures
            .iter()
            .filter(|(_, k, u, low, high)| *k == kind && *u == unit && *low <= b && *high >= a)
            .map(|(q, _, _, low, _)| (*low, *q))
            .collect();
        want.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        want.truncate(limit);
        let got: Vec<_> =
            reader.figures_overlapping(kind, unit, a, b, limit).unwrap().iter().map(|h| (h.low, h.quantity)).collect();
        assert_eq!(got, want, "{kind:?} {unit:?} overlapping [{a}, {b}], first {limit}");
    }
}

/// A view opened after another ([`PgBase::open_after`], as the language server opens one
/// when the store changes) knows the sentences' terms the other asked for: a story that
/// changes gets a new id, so they cannot have changed. With the sentences locked, it still
/// answers them, where a view of its own has to ask, and fails at the statement timeout.
#[test]
fn a_view_opened_after_another_knows_the_sentence_terms_it_asked_for() {
    use copydesk_engine::corpus::{CorpusBase, SentRef};
    use copydesk_store::postgres::PgBase;
    use std::sync::Arc;
    let Some((db, _tmp, wire, store)) = stored("after", 0..4) else { return };
    let mut s = settings(&db.url);
    s.statement_timeout = Duration::from_millis(500);
    let reader = Arc::new(PgReader::open(&s).unwrap());
    let id = reader.doc_by_path("wire/story-0001.txt").unwrap().unwrap();
    let at = SentRef { doc: id.try_into().unwrap(), sentence: 1 };
    let first = PgBase::open(reader.clone()).unwrap();
    let want = first.sentence_terms(at).expect("a sentence of the story").into_owned();
    assert!(!want.is_empty());

    // A story lands (a new generation), then the sentences are locked.
    write_stories(&wire, 4..5, 0);
    store.ingest(std::slice::from_ref(&wire), None, &[], None).unwrap();
    let held = testing::lock_table_for(&db.url, "copydesk.sentences", Duration::from_secs(3));
    let after = PgBase::open_after(reader.clone(), Some(&first)).unwrap();
    assert!(after.generation() > first.generation());
    assert_eq!(after.sentence_terms(at).as_deref(), Some(&want[..]), "known from the view before");
    assert_eq!(after.failure(), None);
    let own = PgBase::open(reader.clone()).unwrap();
    assert_eq!(own.sentence_terms(at), None, "a view of its own asks, and the table is locked");
    assert!(own.failure().is_some_and(|e| e.contains("statement timeout")), "{:?}", own.failure());
    held.join().unwrap();
}
