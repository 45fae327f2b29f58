//! Which PostgreSQL store to use and how long to wait for it: `[store]` in copydesk.toml,
//! overridden by the environment (`COPYDESK_STORE_URL`, `COPYDESK_STORE_READ_URL`,
//! libpq's `PGCONNECT_TIMEOUT`), overridden by `--store` on the command line.

use super::redact::{redact, remember_secrets_of};
use crate::Config;
use anyhow::{bail, Result};
use std::time::Duration;

/// Environment variable naming the primary (overrides `[store] url`).
pub const URL_ENV: &str = "COPYDESK_STORE_URL";
/// Environment variable naming a replica for readers (overrides `[store] read_url`).
pub const READ_URL_ENV: &str = "COPYDESK_STORE_READ_URL";

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL store: where it is, and the timeouts every connection gets.
#[derive(Clone)]
pub struct StoreSettings {
    /// The primary (ingest, and reads when no `read_url`). May carry credentials: show it
    /// only through [`StoreSettings::shown`].
    pub url: String,
    /// A streaming replica for readers.
    pub read_url: Option<String>,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
}

impl std::fmt::Debug for StoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreSettings")
            .field("url", &redact(&self.url))
            .field("read_url", &self.read_url.as_deref().map(redact))
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

/// Whether `url` names a PostgreSQL server.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl StoreSettings {
    /// A store at `url` with the default timeouts.
    pub fn new(url: &str) -> Result<Self> {
        remember_secrets_of(url);
        if !is_postgres_url(url) {
            bail!("the store URL {} is not a postgres:// URL", redact(url));
        }
        Ok(StoreSettings {
            url: url.to_string(),
            read_url: None,
            connect_timeout: connect_timeout_from_env().unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        })
    }

    /// The store in force: `flag` (`--store`), else `COPYDESK_STORE_URL`, else `[store] url`;
    /// None when none names one (the embedded index is used).
    pub fn resolve(config: &Config, flag: Option<&str>) -> Result<Option<Self>> {
        let section = &config.values.store;
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(url) = flag.map(str::to_string).or_else(|| env(URL_ENV)).or_else(|| section.url.clone()) else {
            return Ok(None);
        };
        let mut s = StoreSettings::new(&url)?;
        if let Some(read) = env(READ_URL_ENV).or_else(|| section.read_url.clone()) {
            remember_secrets_of(&read);
            if !is_postgres_url(&read) {
                bail!("the store's read URL {} is not a postgres:// URL", redact(&read));
            }
            s.read_url = Some(read);
        }
        if let Some(ms) = section.connect_timeout_ms {
            s.connect_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = section.statement_timeout_ms {
            s.statement_timeout = Duration::from_millis(ms.max(1));
        }
        Ok(Some(s))
    }

    /// The primary's URL as it may be shown (password hidden).
    pub fn shown(&self) -> String {
        redact(&self.url)
    }

    /// The URL readers use: the replica when there is one.
    pub fn reader_url(&self) -> &str {
        self.read_url.as_deref().unwrap_or(&self.url)
    }
}

/// libpq's `PGCONNECT_TIMEOUT` (seconds), honoured as libpq does.
fn connect_timeout_from_env() -> Option<Duration> {
    let secs: u64 = std::env::var("PGCONNECT_TIMEOUT").ok()?.trim().parse().ok()?;
    (secs > 0).then(|| Duration::from_secs(secs.max(2)))
}
