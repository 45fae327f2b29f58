//! The language server on a shared PostgreSQL store (`[store]` in copydesk.toml): it finds
//! what it finds through the files, a story ingested while a draft is open reaches that
//! draft's diagnostics, and a store that stops mid-session leaves the last diagnostics in
//! place, keeps the server answering, and is reconnected to when it returns; after a failover
//! the server finds the promoted replica through a multi-host URL.
//!
//! Skipped, with a message, without `COPYDESK_TEST_PG_URL` (scripts/pg-cluster.sh; CI starts one).

mod common;

use common::*;
use copydesk_store::postgres::testing::{query_text, TestDb, REPLICA_VAR, URL_VAR};
use copydesk_store::postgres::{PgStore, StoreSettings};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Ingests a folder (a blocking call, off the test's runtime).
async fn ingest(url: &str, folder: &Path) {
    let (url, folder) = (url.to_string(), folder.to_path_buf());
    tokio::task::spawn_blocking(move || {
        let store = PgStore::connect(&StoreSettings::new(&url).expect("settings")).expect("connect");
        let (_, errors) = store.ingest(&[folder], None, &[], None).expect("ingest");
        assert!(errors.is_empty(), "{errors:?}");
    })
    .await
    .expect("ingest");
}

/// The store's own calls block: its databases are made and dropped outside the test's runtime.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime")
}

fn store_toml(url: &str) -> String {
    format!("[store]\nurl = \"{url}\"\n[server]\ndebounce_ms = 0\n")
}

fn codes_on(diags: &Value, code: &str, figure: &str) -> bool {
    diags["diagnostics"].as_array().into_iter().flatten().any(|d| {
        d["code"] == code && d["message"].as_str().is_some_and(|m| m.starts_with(&format!("\u{201C}{figure}")))
    })
}

fn message_of(kind: u8, words: &'static str) -> impl Fn(&Value) -> bool {
    move |v: &Value| {
        v["method"] == "window/showMessage"
            && v["params"]["type"] == kind
            && v["params"]["message"].as_str().is_some_and(|m| m.contains(words))
    }
}

/// A draft's diagnostics from a server on `ws` as its copydesk.toml is now.
async fn first_diagnostics(ws: &Workspace, draft: &str) -> (TestClient, String, Value) {
    let mut c = TestClient::start();
    c.initialize(&ws.root, caps(), json!({})).await;
    let uri = ws.uri("draft.md");
    c.open(&uri, draft).await;
    let d = c.diagnostics(&uri).await;
    (c, uri, d)
}

const MUSEUM_DRAFT: &str = "\n\nThe town museum sold 4,100 tickets on Sunday, the curator said.\n";
const MUSEUM_STORY: &str = "Museum news\n\nThe town museum sold 4,600 tickets on Sunday, the curator said.\n";

#[test]
fn the_server_reads_the_store_as_the_files_and_follows_what_lands_in_it() {
    let Some(db) = TestDb::create("lsp_store") else { return };
    runtime().block_on(reads_and_follows(&db.url));
}

async fn reads_and_follows(url: &str) {
    let ws = Workspace::standard();
    ingest(url, &ws.root.join("sources")).await;
    let draft = format!("{DRAFT}{MUSEUM_DRAFT}");

    let (files, _, through_files) = first_diagnostics(&ws, &draft).await;
    files.shutdown().await;
    std::fs::write(ws.root.join("copydesk.toml"), store_toml(url)).unwrap();
    let (mut c, uri, through_store) = first_diagnostics(&ws, &draft).await;
    assert!(codes_on(&through_store, "number-mismatch", "84,300"), "{through_store:#}");
    assert_eq!(through_store, through_files, "the store's findings differ from the files'");
    assert!(!codes_on(&through_store, "number-mismatch", "4,100"), "no source states the museum's figure yet");

    // A story lands in the store (the wire feed, another reporter): the open draft is
    // checked again against it, with no edit and no restart.
    let wire = ws.dir.path().join("wire");
    std::fs::create_dir_all(&wire).unwrap();
    std::fs::write(wire.join("museum.txt"), MUSEUM_STORY).unwrap();
    let landed = Instant::now();
    ingest(url, &wire).await;
    let d = c
        .try_wait_for(Duration::from_secs(20), &|v: &Value| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == json!(uri)
                && codes_on(&v["params"], "number-mismatch", "4,100")
        })
        .await
        .expect("the story ingested reaches the open draft");
    eprintln!("a story ingested reached the open draft's diagnostics {:?} after its ingest", landed.elapsed());
    assert!(codes_on(&d["params"], "number-mismatch", "84,300"), "{d:#}");
    c.shutdown().await;
}

/// A cluster of this test's own (`scripts/pg-cluster.sh`), to stop and start; removed on drop.
struct OwnCluster {
    dir: PathBuf,
    url: String,
}

fn cluster_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-cluster.sh")
}

impl OwnCluster {
    fn start() -> Option<Self> {
        if std::env::var(URL_VAR).map_or(true, |u| u.is_empty()) {
            eprintln!("skipped: {URL_VAR} is not set (scripts/pg-cluster.sh start; see crates/copydesk-store/tests/README.md)");
            return None;
        }
        let out = Command::new("bash").arg(cluster_script()).arg("start").output().expect("run pg-cluster.sh");
        assert!(out.status.success(), "pg-cluster.sh start: {}", String::from_utf8_lossy(&out.stderr));
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).lines().last().expect("its dir").trim());
        let env = std::fs::read_to_string(dir.join("env")).expect("its env file");
        let url = env.lines().find_map(|l| l.strip_prefix(&format!("{URL_VAR}="))).expect("its URL").to_string();
        Some(OwnCluster { dir, url })
    }

    /// Adds a streaming replica; returns its URL.
    fn replica(&self) -> String {
        self.run("replica");
        let env = std::fs::read_to_string(self.dir.join("env")).expect("its env file");
        env.lines().find_map(|l| l.strip_prefix(&format!("{REPLICA_VAR}="))).expect("the replica's URL").to_string()
    }

    fn run(&self, what: &str) {
        let out = Command::new("bash").arg(cluster_script()).arg(what).arg(&self.dir).output().expect("pg-cluster.sh");
        assert!(out.status.success(), "pg-cluster.sh {what}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(cluster_script()).arg("stop").arg(&self.dir).output();
    }
}

#[test]
fn a_store_that_stops_leaves_the_last_diagnostics_and_is_reconnected_to() {
    let Some(cluster) = OwnCluster::start() else { return };
    runtime().block_on(stops_and_returns(&cluster));
}

async fn stops_and_returns(cluster: &OwnCluster) {
    let ws = Workspace::new(&store_toml(&cluster.url));
    ingest(&cluster.url, &ws.root.join("sources")).await;
    let (mut c, uri, d) = first_diagnostics(&ws, DRAFT).await;
    assert!(codes_on(&d, "number-mismatch", "84,300"), "{d:#}");

    cluster.run("pause");
    c.wait_for("the message that the store does not answer", message_of(1, "does not answer")).await;

    // An edit the caches cannot answer: its check fails, and the last diagnostics stay
    // (nothing is published for it) while the server goes on answering.
    let added = "\nThe harbour authority said it had spent 15 million euros building the new pier.\n";
    let end = (DRAFT.lines().count() as u32, 0);
    c.change(&uri, 2, (end, end), added).await;
    let text = format!("{DRAFT}{added}");
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(pos16(&text, "15 million"))}),
        )
        .await;
    assert!(hover.get("error").is_none(), "{hover}");
    let published = c
        .try_wait_for(Duration::from_secs(2), &|v: &Value| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == json!(uri)
        })
        .await;
    assert!(published.is_none(), "diagnostics published while the store was down: {published:#?}");

    cluster.run("resume");
    c.wait_for("the message that the store answers again", message_of(3, "answers again")).await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["version"], 2, "{d:#}");
    assert!(codes_on(&d, "number-mismatch", "84,300"), "{d:#}");
    assert!(codes_on(&d, "number-mismatch", "15 million"), "{d:#}");
    c.shutdown().await;
}

/// `postgres://u@h1:p1/db` and `postgres://u@h2:p2/db` as one libpq multi-host URL.
fn both(primary: &str, replica: &str) -> String {
    let host = |u: &str| u.split_once('@').map(|(_, r)| r.split('/').next().unwrap_or("").to_string()).unwrap();
    primary.replacen(&host(primary), &format!("{},{}", host(primary), host(replica)), 1)
}

#[test]
fn a_failover_to_a_promoted_replica_is_survived_by_reconnecting() {
    let Some(cluster) = OwnCluster::start() else { return };
    let replica = cluster.replica();
    runtime().block_on(fails_over(&cluster, &replica));
}

async fn fails_over(cluster: &OwnCluster, replica: &str) {
    let url = both(&cluster.url, replica);
    let ws = Workspace::new(&store_toml(&url));
    ingest(&url, &ws.root.join("sources")).await;
    // The replica has what the primary has before the primary goes.
    let stories = |url: &str| {
        let url = url.to_string();
        tokio::task::spawn_blocking(move || {
            query_text(&url, "SELECT count(*)::text FROM copydesk.documents").ok().flatten()
        })
    };
    let on_primary = stories(&cluster.url).await.unwrap();
    let t = Instant::now();
    while stories(replica).await.unwrap() != on_primary {
        assert!(t.elapsed() < Duration::from_secs(30), "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let draft = format!("{DRAFT}{MUSEUM_DRAFT}");
    let (mut c, uri, d) = first_diagnostics(&ws, &draft).await;
    assert!(codes_on(&d, "number-mismatch", "84,300"), "{d:#}");

    cluster.run("pause");
    cluster.run("promote");
    c.wait_for("the message that the store does not answer", message_of(1, "does not answer")).await;
    c.wait_for("the message that the store answers again", message_of(3, "answers again")).await;

    // A story ingested on the promoted replica (the ingest finds it by the same URL) reaches the draft.
    let wire = ws.dir.path().join("wire");
    std::fs::create_dir_all(&wire).unwrap();
    std::fs::write(wire.join("museum.txt"), MUSEUM_STORY).unwrap();
    ingest(&url, &wire).await;
    c.try_wait_for(Duration::from_secs(20), &|v: &Value| {
        v["method"] == "textDocument/publishDiagnostics"
            && v["params"]["uri"] == json!(uri)
            && codes_on(&v["params"], "number-mismatch", "4,100")
    })
    .await
    .expect("a story ingested after the failover reaches the open draft");
    c.shutdown().await;
}
