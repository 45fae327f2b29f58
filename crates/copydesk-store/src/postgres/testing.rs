//! Throwaway databases for the store's tests, in the cluster `scripts/pg-cluster.sh` starts
//! (`COPYDESK_TEST_PG_URL`, a superuser's URL; `COPYDESK_TEST_PG_REPLICA_URL`, its streaming
//! replica). Without the variable, [`TestDb::create`] says the test is skipped and returns None.

use super::connect::block_on;
use anyhow::{anyhow, Result};
use sqlx::Connection;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const URL_VAR: &str = "COPYDESK_TEST_PG_URL";
pub const REPLICA_VAR: &str = "COPYDESK_TEST_PG_REPLICA_URL";

/// A database of its own for one test, dropped with it.
pub struct TestDb {
    /// The superuser's URL of this database.
    pub url: String,
    pub name: String,
    cluster: String,
}

/// `url` with its database replaced by `db` (and any query dropped).
pub fn with_database(url: &str, db: &str) -> String {
    let base = url.split('?').next().unwrap_or(url);
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let cut = base.len() - rest.len() + rest.find('/').unwrap_or(rest.len());
    format!("{}/{db}", &base[..cut])
}

/// `url` with `user` and `password` as its credentials.
pub fn with_user(url: &str, user: &str, password: Option<&str>) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    match password {
        Some(p) => format!("{scheme}://{user}:{p}@{host}"),
        None => format!("{scheme}://{user}@{host}"),
    }
}

/// Runs `sql` (one or more statements) at `url`.
pub fn execute(url: &str, sql: &str) -> Result<()> {
    block_on(async {
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql(sql).execute(&mut c).await?;
        c.close().await
    })?
    .map_err(|e| anyhow!("{}", super::scrub(&e.to_string())))
}

/// The first column of the first row of `sql` at `url`, as text.
pub fn query_text(url: &str, sql: &str) -> Result<Option<String>> {
    block_on(async {
        let mut c = sqlx::PgConnection::connect(url).await?;
        let v: Option<String> = sqlx::query_scalar(sql).fetch_one(&mut c).await?;
        c.close().await?;
        Ok::<_, sqlx::Error>(v)
    })?
    .map_err(|e| anyhow!("{}", super::scrub(&e.to_string())))
}

/// Makes the copydesk schema at `url` as the copydesk of schema `version` did (a store to
/// migrate from).
pub fn create_schema_at(url: &str, version: i32) -> Result<()> {
    execute(url, &super::schema::schema_at(version))
}

impl TestDb {
    /// A new database named for `tag`; None (after saying so) when no test cluster is set.
    pub fn create(tag: &str) -> Option<TestDb> {
        let Some(cluster) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) else {
            eprintln!("skipped: {URL_VAR} is not set (scripts/pg-cluster.sh start; see crates/copydesk-store/tests/README.md)");
            return None;
        };
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("t_{tag}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        execute(&cluster, &format!("CREATE DATABASE {name}")).expect("create a test database");
        Some(TestDb { url: with_database(&cluster, &name), name, cluster })
    }

    /// This database on the replica, when a replica is set.
    pub fn replica_url(&self) -> Option<String> {
        let r = std::env::var(REPLICA_VAR).ok().filter(|u| !u.is_empty())?;
        Some(with_database(&r, &self.name))
    }

    /// A login role of this test (made a member of `group` when given) with `password`;
    /// returns its URL for this database.
    pub fn login_role(&self, user: &str, password: &str, group: Option<&str>) -> String {
        let member = group.map(|g| format!(" IN ROLE {g}")).unwrap_or_default();
        let sql = format!(
            "DO $$ BEGIN
               IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN
                 ALTER ROLE {user} LOGIN PASSWORD '{password}';
               ELSE
                 CREATE ROLE {user} LOGIN PASSWORD '{password}'{member};
               END IF;
             END $$;"
        );
        execute(&self.cluster, &sql).expect("create a login role");
        if let Some(g) = group {
            execute(&self.cluster, &format!("GRANT {g} TO {user}")).expect("grant the group");
        }
        with_user(&self.url, user, Some(password))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = execute(&self.cluster, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

/// Holds an exclusive lock on `table` at `url` for `hold` on a thread of its own (a slow
/// store, as far as a statement on that table can tell); returns once the lock is taken.
pub fn lock_table_for(url: &str, table: &str, hold: std::time::Duration) -> std::thread::JoinHandle<()> {
    let (url, table) = (url.to_string(), table.to_string());
    let (taken_tx, taken_rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        let r = block_on(async {
            let mut c = sqlx::PgConnection::connect(&url).await?;
            let mut tx = c.begin().await?;
            sqlx::query(&format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")).execute(&mut *tx).await?;
            let _ = taken_tx.send(());
            tokio::time::sleep(hold).await;
            tx.commit().await?;
            c.close().await
        });
        if let Ok(Err(e)) = r {
            panic!("holding a lock: {e}");
        }
    });
    let _ = taken_rx.recv();
    t
}

impl TestDb {
    /// Waits (up to `timeout`) until no session is connected to this database: after a
    /// client is killed, the server has finished whatever it had received from it (a commit
    /// under way included). True when none is left.
    pub fn wait_for_no_sessions(&self, timeout: std::time::Duration) -> bool {
        let t = std::time::Instant::now();
        let sql = format!("SELECT count(*)::text FROM pg_stat_activity WHERE datname = '{}'", self.name);
        while t.elapsed() < timeout {
            if query_text(&self.cluster, &sql).ok().flatten().as_deref() == Some("0") {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }
}
