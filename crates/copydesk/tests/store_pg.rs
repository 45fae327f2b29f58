//! `copydesk ingest`, `copydesk index` and `copydesk store` as processes against a live
//! PostgreSQL cluster (`scripts/pg-cluster.sh`; skipped with a message without
//! `COPYDESK_TEST_PG_URL`): a killed ingester, credentials in output, a reader's refusal, a
//! store that is down. All texts here are invented for these tests.

mod common;

use common::{command, stdout_and_stderr as text};
use copydesk_store::postgres::testing::{with_user, TestDb};
use copydesk_store::postgres::{PgReader, PgStore, StoreSettings};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

const HARBOURS: [&str; 5] = ["Kelby", "Lorn Sound", "Mirren", "Northgate", "Ullapane"];

fn story(n: usize) -> String {
    let town = HARBOURS[n % HARBOURS.len()];
    format!(
        "{town} harbour bulletin {n}\n\n\
         The {town} harbour authority said {a} fishing boats landed their catch on Monday, up from {b} a week earlier.\n\
         Dock fees rose {p} percent this season, the authority's treasurer said.\n\
         \"We expect {k} new moorings by the spring,\" the harbour master told reporters.\n",
        a = 30 + n % 70,
        b = 20 + n % 50,
        p = 2 + n % 9,
        k = 5 + n % 12,
    )
}

fn write_stories(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for n in 0..count {
        std::fs::write(dir.join(format!("bulletin-{n:05}.txt")), story(n)).unwrap();
    }
}

fn copydesk(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(dir, args);
    cmd.env_remove("COPYDESK_STORE_URL").env_remove("COPYDESK_STORE_READ_URL");
    cmd.env_remove("PGPASSWORD").env_remove("PGUSER").env_remove("PGHOST").env_remove("PGDATABASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).output().unwrap()
}

fn settings(url: &str) -> StoreSettings {
    StoreSettings::new(url).unwrap()
}

#[test]
fn a_killed_ingest_leaves_every_story_whole_and_the_next_one_completes() {
    let Some(db) = TestDb::create("kill9") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let wire = tmp.path().join("wire");
    const COUNT: usize = 4000;
    write_stories(&wire, COUNT);
    let mut child = command(tmp.path(), &["ingest", "--store", &db.url, "wire"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait (bounded) until some batches are committed, then kill it mid-ingest.
    let reader = {
        let t = Instant::now();
        loop {
            match PgReader::open(&settings(&db.url)) {
                Ok(r) => break r,
                Err(_) if t.elapsed() < Duration::from_secs(30) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("no schema after 30 s: {e:#}"),
            }
        }
    };
    let t = Instant::now();
    while reader.stats().unwrap().documents < 200 {
        assert!(t.elapsed() < Duration::from_secs(60), "the ingest wrote nothing in 60 s");
        assert!(child.try_wait().unwrap().is_none(), "the ingest ended before it was killed");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // A commit the server had received before the kill still completes: count after it.
    drop(reader);
    assert!(db.wait_for_no_sessions(Duration::from_secs(30)), "the killed ingester's sessions linger");
    let reader = PgReader::open(&settings(&db.url)).unwrap();
    let left = reader.stats().unwrap().documents;
    assert!(left > 0 && (left as usize) < COUNT, "killed mid-ingest: {left} of {COUNT} stored");
    let store = PgStore::connect(&settings(&db.url)).unwrap();
    let problems = store.verify().unwrap();
    assert!(problems.is_empty(), "after kill -9: {problems:?}");

    let o = copydesk(tmp.path(), &["ingest", "--store", &db.url, "wire"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        summary.starts_with(&format!(
            "{COUNT} files: {} added, 0 updated, {left} unchanged, 0 removed, 0 failed",
            COUNT - left as usize
        )),
        "{summary}"
    );
    assert_eq!(reader.stats().unwrap().documents as usize, COUNT);
    assert!(store.verify().unwrap().is_empty());
}

#[test]
fn no_credential_appears_in_any_output_and_a_reader_is_refused() {
    let Some(db) = TestDb::create("secrets") else { return };
    let tmp = tempfile::tempdir().unwrap();
    write_stories(&tmp.path().join("wire"), 5);
    PgStore::connect(&settings(&db.url)).unwrap().create_roles().unwrap();
    const FEED_PW: &str = "Feed-pw-8d31Xq";
    const READER_PW: &str = "Read-pw-77fKz2";
    const WRONG_PW: &str = "Wrong-pw-1c9Vb0";
    let feed = db.login_role("cd_cli_feed", FEED_PW, Some("copydesk_ingest"));
    let reader = db.login_role("cd_cli_reader", READER_PW, Some("copydesk_reader"));
    let no_pw = |url: &str| {
        let (user, _) = url.split_once("://").unwrap().1.split_once(':').unwrap();
        with_user(url, user, None)
    };
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tmp.path();
    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut run = |what: &str, args: &[&str], env: &[(&str, &str)]| {
        let o = copydesk(dir, args, env);
        outputs.push((what.to_string(), o));
        outputs.last().unwrap().1.status.code()
    };
    assert_eq!(run("ingest, password in the URL", &["ingest", "--store", &feed, "wire"], &[]), Some(0));
    assert_eq!(
        run("ingest, PGPASSWORD", &["ingest", "--store", &no_pw(&feed), "wire"], &[("PGPASSWORD", FEED_PW)]),
        Some(0)
    );
    assert_eq!(run("status, COPYDESK_STORE_URL", &["store", "status"], &[("COPYDESK_STORE_URL", &reader)]), Some(0));
    assert_eq!(run("a reader ingests", &["ingest", "--store", &reader, "wire"], &[]), Some(2));
    let wrong = with_user(&feed, "cd_cli_feed", Some(WRONG_PW));
    assert_eq!(run("wrong password", &["ingest", "--store", &wrong, "wire"], &[]), Some(2));
    assert_eq!(
        run(
            "wrong password in PGPASSWORD",
            &["store", "status", "--store", &no_pw(&feed)],
            &[("PGPASSWORD", WRONG_PW)]
        ),
        Some(2)
    );
    let missing_db = copydesk_store::postgres::testing::with_database(&feed, "no_such_db");
    assert_eq!(run("no such database", &["store", "status", "--store", &missing_db], &[]), Some(2));
    let down = format!("postgres://cd_cli_feed:{FEED_PW}@127.0.0.1:{closed_port}/news");
    assert_eq!(run("store down", &["ingest", "--store", &down, "wire"], &[]), Some(2));
    std::fs::write(dir.join("copydesk.toml"), format!("[store]\nurl = \"{reader}\"\nread_urll = \"x\"\n")).unwrap();
    assert_eq!(run("a bad copydesk.toml", &["store", "status"], &[]), Some(2));
    std::fs::write(dir.join("copydesk.toml"), format!("[corpus]\npaths = [\"wire\"]\n[store]\nurl = \"{feed}\"\n"))
        .unwrap();
    assert_eq!(run("index into the store from copydesk.toml", &["index"], &[]), Some(0));

    for (what, o) in &outputs {
        let all = text(o);
        for pw in [FEED_PW, READER_PW, WRONG_PW] {
            assert!(!all.contains(pw), "{what}: the output shows a password:\n{all}");
        }
    }
    let said = |what: &str| text(&outputs.iter().find(|(w, _)| w == what).unwrap().1);
    let refused = said("a reader ingests");
    assert!(
        refused.contains("refuses writes for role cd_cli_reader: ingest needs the copydesk_ingest role"),
        "{refused}"
    );
    assert!(said("ingest, password in the URL").contains("5 files: 5 added"));
    assert!(said("ingest, password in the URL").contains(":***@127.0.0.1"));
    assert!(said("wrong password").contains("password authentication failed"), "{}", said("wrong password"));
    assert!(said("store down").contains("cannot connect to the store at postgres://cd_cli_feed:***@127.0.0.1"));
    assert!(said("a bad copydesk.toml").contains("read_urll"), "{}", said("a bad copydesk.toml"));
    assert!(said("index into the store from copydesk.toml").contains("5 files: 0 added, 0 updated, 5 unchanged"));
}

#[test]
fn a_store_that_is_down_ends_the_command_with_exit_2_at_once() {
    // Needs no cluster: nothing listens on this port.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let tmp = tempfile::tempdir().unwrap();
    write_stories(&tmp.path().join("wire"), 2);
    let t = Instant::now();
    let o =
        copydesk(tmp.path(), &["ingest", "--store", &format!("postgres://news@127.0.0.1:{port}/archive"), "wire"], &[]);
    assert!(t.elapsed() < Duration::from_secs(8));
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.starts_with("copydesk: error: cannot connect to the store at postgres://news@127.0.0.1:"), "{e}");
    let o = copydesk(tmp.path(), &["ingest", "--store", "mysql://x/y", "wire"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a postgres:// URL"));
}

#[test]
fn a_slow_store_ends_the_command_with_exit_2_at_the_statement_timeout() {
    let Some(db) = TestDb::create("slowcli") else { return };
    let tmp = tempfile::tempdir().unwrap();
    write_stories(&tmp.path().join("wire"), 2);
    let o = copydesk(tmp.path(), &["ingest", "--store", &db.url, "wire"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    std::fs::write(tmp.path().join("copydesk.toml"), "[store]\nstatement_timeout_ms = 500\n").unwrap();
    let held =
        copydesk_store::postgres::testing::lock_table_for(&db.url, "copydesk.corpus_stats", Duration::from_secs(4));
    let t = Instant::now();
    let o = copydesk(tmp.path(), &["store", "status"], &[("COPYDESK_STORE_URL", &db.url)]);
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("did not answer within the statement timeout (0.5 s)"), "{}", text(&o));
    held.join().unwrap();
}

#[test]
fn the_libpq_environment_and_the_pgpass_file_are_read() {
    let Some(db) = TestDb::create("libpq") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    PgStore::connect(&settings(&db.url)).unwrap().create_roles().unwrap();
    const PW: &str = "Env-pw-41aQz";
    let url = db.login_role("cd_env_reader", PW, Some("copydesk_reader"));
    let host_db = url.split_once('@').unwrap().1.to_string(); // 127.0.0.1:PORT/db
    let bare = format!("postgres://{host_db}"); // no user, no password
    let (hostport, dbname) = host_db.split_once('/').unwrap();
    let port = hostport.split_once(':').unwrap().1;

    // PGUSER and PGPASSWORD fill in what the URL leaves out.
    let o = copydesk(dir, &["store", "status", "--store", &bare], &[("PGUSER", "cd_env_reader"), ("PGPASSWORD", PW)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("role cd_env_reader"), "{}", text(&o));

    // A pgpass file (PGPASSFILE), and a wrong one.
    let pgpass = dir.join("pgpass");
    for (line, code) in
        [(format!("127.0.0.1:{port}:{dbname}:cd_env_reader:{PW}\n"), 0), ("*:*:*:*:not-it\n".to_string(), 2)]
    {
        std::fs::write(&pgpass, line).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&pgpass, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        let o = copydesk(
            dir,
            &["store", "status", "--store", &bare],
            &[("PGUSER", "cd_env_reader"), ("PGPASSFILE", pgpass.to_str().unwrap())],
        );
        assert_eq!(o.status.code(), Some(code), "{}", text(&o));
        assert!(!text(&o).contains(PW) && !text(&o).contains("not-it"), "{}", text(&o));
    }

    // PGSSLMODE and PGSSLROOTCERT, when the cluster has TLS.
    if let Some(ca) = std::env::var_os("COPYDESK_TEST_PG_CA") {
        let ca = std::path::PathBuf::from(ca);
        let wrong = ca.with_file_name("server.crt");
        for (root, code) in [(&ca, 0), (&wrong, 2)] {
            let o = copydesk(
                dir,
                &["store", "status", "--store", &bare],
                &[
                    ("PGUSER", "cd_env_reader"),
                    ("PGPASSWORD", PW),
                    ("PGSSLMODE", "verify-full"),
                    ("PGSSLROOTCERT", root.to_str().unwrap()),
                ],
            );
            assert_eq!(o.status.code(), Some(code), "{}", text(&o));
            if code == 2 {
                assert!(text(&o).contains("check sslmode and the server's certificate"), "{}", text(&o));
            }
        }
    } else {
        eprintln!("TLS part skipped: COPYDESK_TEST_PG_CA is not set");
    }
}
