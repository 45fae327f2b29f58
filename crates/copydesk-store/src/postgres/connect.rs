//! Connections: a small tokio runtime of the process's own drives sqlx, behind blocking
//! calls; every connection gets the connect and statement timeouts; errors say what failed,
//! where (the URL with its password hidden) and what to do, never a credential.
//!
//! Callers are blocking threads (the CLI's, or the language server's `spawn_blocking`):
//! calling from inside an async task of another runtime would block that runtime's thread.

use super::redact::{redact, scrub};
use super::settings::StoreSettings;
use anyhow::{anyhow, Result};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};
use std::future::Future;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

/// The runtime every store connection runs on: one worker thread, made on first use.
fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    static RT: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("copydesk-store")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| anyhow!("cannot start the store's runtime: {e}"))
}

/// Runs `f` to completion on the store's runtime, from a blocking thread.
pub(crate) fn block_on<F: Future>(f: F) -> Result<F::Output> {
    Ok(runtime()?.block_on(f))
}

/// What a connection is for: readers' sessions are read-only (a write is refused by the
/// server even for a role that could write).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Read,
    Write,
}

/// A pool that is dropped inside the store's runtime (sqlx hands connections back to the
/// pool on a task of the runtime, and a drop outside one would panic).
#[derive(Clone)]
pub(crate) struct Pool(Option<PgPool>);

impl std::ops::Deref for Pool {
    type Target = PgPool;
    fn deref(&self) -> &PgPool {
        self.0.as_ref().expect("a pool is taken only when dropped")
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        drop_in_runtime(self.0.take());
    }
}

/// Drops `value` with the store's runtime entered.
pub(crate) fn drop_in_runtime<T>(value: T) {
    match runtime() {
        Ok(rt) => {
            let _entered = rt.enter();
            drop(value);
        }
        Err(_) => drop(value),
    }
}

/// A pool of connections to one server.
#[derive(Clone)]
pub(crate) struct Db {
    pub pool: Pool,
    /// The URL, password hidden: what messages name.
    pub shown: String,
    pub statement_timeout: Duration,
    pub connect_timeout: Duration,
    /// The role the server knows this session as.
    pub role: String,
    /// Whether the server is a standby (a replica: no LISTEN, no writes).
    pub standby: bool,
}

/// Connect options for `url`: the libpq environment (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE,
/// PGSSLROOTCERT, ...) and pgpass fill in what the URL leaves out; the statement timeout is
/// set at connection start.
fn options(url: &str, settings: &StoreSettings, purpose: Purpose) -> Result<PgConnectOptions> {
    let opts = PgConnectOptions::from_str(url)
        .map_err(|e| anyhow!("the store URL {} cannot be read: {}", redact(url), scrub(&e.to_string())))?;
    let ms = settings.statement_timeout.as_millis().to_string();
    let mut params: Vec<(&str, &str)> =
        vec![("statement_timeout", &ms), ("idle_in_transaction_session_timeout", "60000")];
    if purpose == Purpose::Read {
        params.push(("default_transaction_read_only", "on"));
    }
    Ok(opts.application_name("copydesk").options(params))
}

/// The servers a URL names, each as a URL of its own, in order: libpq's multi-host form
/// (`postgres://user@h1:5432,h2:5433/db`) names several, a plain URL one.
pub(crate) fn servers_of(url: &str) -> Vec<String> {
    let Some((scheme, rest)) = url.split_once("://") else { return vec![url.to_string()] };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    if !hosts.contains(',') {
        return vec![url.to_string()];
    }
    hosts.split(',').filter(|h| !h.is_empty()).map(|h| format!("{scheme}://{userinfo}{h}{tail}")).collect()
}

/// Whether only a primary will do among several servers: for writing, or when the URL asks
/// for one as libpq does (`target_session_attrs=read-write` or `primary`).
fn wants_primary(url: &str, purpose: Purpose) -> bool {
    let query = url.split_once('?').map_or("", |(_, q)| q.split('#').next().unwrap_or(""));
    let asked = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .any(|(k, v)| k == "target_session_attrs" && matches!(v, "read-write" | "primary"));
    purpose == Purpose::Write || asked
}

/// Connects to the store at `url`. A URL naming several servers (libpq's multi-host form) is
/// connected to the first of them that answers (and is a primary, when only a primary will
/// do), so that after a failover a new connection finds the promoted replica.
pub(crate) fn connect(url: &str, settings: &StoreSettings, purpose: Purpose, max: u32) -> Result<Db> {
    let servers = servers_of(url);
    if servers.len() < 2 {
        return connect_one(url, settings, purpose, max);
    }
    let primary_only = wants_primary(url, purpose);
    let mut refused = Vec::new();
    for server in &servers {
        match connect_one(server, settings, purpose, max) {
            Ok(db) if primary_only && db.standby => refused.push(format!("{} is a standby", db.shown)),
            Ok(db) => return Ok(db),
            Err(e) => refused.push(format!("{e:#}")),
        }
    }
    Err(anyhow!("no server of the store at {} will do: {}", redact(url), refused.join("; ")))
}

/// Connects to one server (one connection first, so that a failure is reported as it is, then a
/// pool that reconnects as needed: a restarted server costs the statement under way).
fn connect_one(url: &str, settings: &StoreSettings, purpose: Purpose, max: u32) -> Result<Db> {
    let shown = redact(url);
    let opts = options(url, settings, purpose)?;
    let timeout = settings.connect_timeout;
    block_on(async {
        let mut first = match tokio::time::timeout(timeout, opts.connect()).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return Err(unreachable_error(&shown, &e)),
            Err(_) => {
                return Err(anyhow!(
                    "cannot connect to the store at {shown}: no answer within {:.1} s",
                    timeout.as_secs_f64()
                ))
            }
        };
        let (role, standby): (String, bool) = sqlx::query_as("SELECT current_user::text, pg_is_in_recovery()")
            .fetch_one(&mut first)
            .await
            .map_err(|e| anyhow!("the store at {shown} did not answer: {}", scrub(&e.to_string())))?;
        let _ = first.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(max.max(1))
            .min_connections(0)
            .acquire_timeout(timeout)
            .idle_timeout(Some(Duration::from_secs(60)))
            .test_before_acquire(true)
            .connect_lazy_with(opts);
        Ok(Db {
            pool: Pool(Some(pool)),
            shown,
            statement_timeout: settings.statement_timeout,
            connect_timeout: timeout,
            role,
            standby,
        })
    })?
}

/// A failed connection attempt, said plainly.
fn unreachable_error(shown: &str, e: &sqlx::Error) -> anyhow::Error {
    let detail = scrub(&e.to_string());
    let hint = match e {
        sqlx::Error::Database(d) if d.code().as_deref() == Some("28P01") => {
            " (check the password in PGPASSWORD or the pgpass file)"
        }
        sqlx::Error::Database(d) if d.code().as_deref() == Some("3D000") => " (create the database first)",
        sqlx::Error::Tls(_) => " (check sslmode and the server's certificate)",
        // rustls' refusals of a certificate come back as I/O errors.
        _ if ["certificate", "TLS", "tls", "SSL"].iter().any(|w| detail.contains(w)) => {
            " (check sslmode and the server's certificate)"
        }
        _ => "",
    };
    anyhow!("cannot connect to the store at {shown}: {detail}{hint}")
}

impl Db {
    /// Runs `f` on the store's runtime; an error names the store and what was being done.
    pub fn run<T, F>(&self, what: &str, f: F) -> Result<T>
    where
        F: Future<Output = std::result::Result<T, sqlx::Error>>,
    {
        block_on(f)?.map_err(|e| self.error(what, &e))
    }

    /// A failed statement, said plainly.
    pub fn error(&self, what: &str, e: &sqlx::Error) -> anyhow::Error {
        describe(&self.shown, &self.role, self.statement_timeout, self.connect_timeout, what, e)
    }
}

/// What a failed statement means, for a person: a refused write, a timeout, a lost server.
pub(crate) fn describe(
    shown: &str,
    role: &str,
    statement_timeout: Duration,
    connect_timeout: Duration,
    what: &str,
    e: &sqlx::Error,
) -> anyhow::Error {
    let detail = scrub(&e.to_string());
    match e {
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("42501") | Some("25006") => anyhow!(
                "the store at {shown} refuses writes for role {role}: {what} needs the copydesk_ingest role ({detail})"
            ),
            Some("57014") => anyhow!(
                "{what}: the store at {shown} did not answer within the statement timeout ({:.1} s)",
                statement_timeout.as_secs_f64()
            ),
            Some(c) if c.starts_with("57P") || c.starts_with("08") => {
                anyhow!("{what}: the store at {shown} went away ({detail}); try again when it is back")
            }
            _ => anyhow!("{what}: the store at {shown} answered: {detail}"),
        },
        sqlx::Error::PoolTimedOut => anyhow!(
            "{what}: cannot connect to the store at {shown}: no connection within {:.1} s",
            connect_timeout.as_secs_f64()
        ),
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::PoolClosed => {
            anyhow!("{what}: lost the store at {shown} ({detail}); try again when it is back")
        }
        _ => anyhow!("{what}: the store at {shown}: {detail}"),
    }
}

/// Whether an error is one a retry on a new connection may cure (the server restarted).
pub(crate) fn transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_host_url_names_each_server_with_the_same_user_database_and_parameters() {
        assert_eq!(servers_of("postgres://u:pw@db/x?sslmode=require"), vec!["postgres://u:pw@db/x?sslmode=require"]);
        assert_eq!(
            servers_of("postgresql://u:pw@h1:5432,h2:5433/news?target_session_attrs=read-write"),
            vec![
                "postgresql://u:pw@h1:5432/news?target_session_attrs=read-write",
                "postgresql://u:pw@h2:5433/news?target_session_attrs=read-write",
            ]
        );
        assert_eq!(servers_of("postgres://[::1]:5432,h2/db"), vec!["postgres://[::1]:5432/db", "postgres://h2/db"]);
        assert!(wants_primary("postgres://h1,h2/db?x=1&target_session_attrs=primary", Purpose::Read));
        assert!(!wants_primary("postgres://h1,h2/db?target_session_attrs=any", Purpose::Read));
        assert!(wants_primary("postgres://h1,h2/db", Purpose::Write));
    }
}
