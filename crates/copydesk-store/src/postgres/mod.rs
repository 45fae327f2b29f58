//! The corpus in a shared PostgreSQL store (a newsroom's archive, fed by the wire and read by
//! every reporter), beside the embedded SQLite index.
//!
//! Code map: `settings.rs` (which store, timeouts: `[store]`, the environment, `--store`),
//! `redact.rs` (no credential in any output), `connect.rs` (the runtime behind blocking
//! calls, timeouts, errors said plainly), `schema.rs` (tables and migrations), `roles.rs`
//! (`copydesk_reader`, `copydesk_ingest`), `write.rs` (a batch of stories in one
//! transaction; the concurrency rules), `ingest.rs` (files into the store: keys, removals),
//! `reextract.rs` (after an engine change), `read.rs` (the read API), `base.rs` (the store as the
//! engine's `CorpusBase`: what a check asks, asked of the database and kept), `live.rs` (changes
//! since a generation, waiting for the next), `verify.rs` (the store's consistency, recomputed),
//! `testing.rs` (throwaway databases for tests).
//!
//! Connections read the libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
//! `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`, ...) and the pgpass file (`PGPASSFILE` or
//! `~/.pgpass`) for whatever the URL leaves out; every sslmode is honoured (TLS by rustls).

mod base;
mod connect;
mod ingest;
mod live;
mod read;
mod redact;
mod reextract;
mod roles;
mod schema;
mod settings;
#[doc(hidden)]
pub mod testing;
mod verify;
mod write;

pub use base::{left_out_message, PgBase, PgCorpusStore};
pub use connect::Purpose;
pub use ingest::IngestStats;
pub use live::{Change, Changes};
pub use read::{kind_of, DocumentSummary, FigureHit, PgReader, StoreStats, StoredDocument};
pub use redact::{redact, remember_secrets_of, scrub};
pub use reextract::ReextractStats;
pub use roles::{INGEST_ROLE, READER_ROLE, ROLES_SQL};
pub use schema::SCHEMA_VERSION;
pub use settings::{is_postgres_url, StoreSettings, READ_URL_ENV, URL_ENV};
pub use write::{path_key, CHANNEL};

use crate::load::LoadError;
use crate::ProgressFn;
use anyhow::Result;
use connect::{connect, Db};
use std::path::PathBuf;

/// Connections an ingester keeps at most (one writes; one reads ahead).
const WRITER_CONNECTIONS: u32 = 2;

/// The store's primary, for ingest and administration.
pub struct PgStore {
    db: Db,
    engine: String,
}

impl PgStore {
    /// Connects to the primary (`settings.url`).
    pub fn connect(settings: &StoreSettings) -> Result<Self> {
        let db = connect(&settings.url, settings, Purpose::Write, WRITER_CONNECTIONS)?;
        Ok(PgStore { db, engine: crate::index::engine_fingerprint().to_string() })
    }

    /// The primary's URL, password hidden.
    pub fn shown(&self) -> &str {
        &self.db.shown
    }

    /// The role the server knows this session as.
    pub fn role(&self) -> &str {
        &self.db.role
    }

    /// Creates or migrates the schema; the versions applied.
    pub fn migrate(&self) -> Result<Vec<i32>> {
        schema::migrate(&self.db)
    }

    /// The schema's version (None: no copydesk schema yet).
    pub fn schema_version(&self) -> Result<Option<i32>> {
        self.db.run("reading the schema version", async {
            let mut conn = self.db.pool.acquire().await?;
            schema::version(&mut conn).await
        })
    }

    /// Creates the reader and ingest roles and grants their rights ([`ROLES_SQL`]), migrating first.
    pub fn create_roles(&self) -> Result<()> {
        schema::migrate(&self.db)?;
        roles::apply(&self.db)
    }

    /// Ingests files, folders or globs (see `ingest.rs` for keys and removals). The schema is
    /// created or migrated first when this role may; a role that may not write is refused.
    pub fn ingest(
        &self,
        paths: &[PathBuf],
        prefix: Option<&str>,
        exclude: &[String],
        progress: Option<ProgressFn<'_>>,
    ) -> Result<(IngestStats, Vec<LoadError>)> {
        self.ready_to_write()?;
        ingest::ingest(&self.db, &self.engine, paths, prefix, exclude, progress)
    }

    /// Re-analyzes the stories written by another engine, a batch per transaction.
    pub fn reextract(&self, progress: Option<ProgressFn<'_>>) -> Result<ReextractStats> {
        self.ready_to_write()?;
        reextract::reextract(&self.db, &self.engine, progress)
    }

    fn ready_to_write(&self) -> Result<()> {
        if self.db.standby {
            roles::check_may_write(&self.db)?;
        }
        schema::ensure(&self.db, true)?;
        roles::check_may_write(&self.db)
    }

    /// Stories written by another engine than this build's.
    pub fn other_engine_count(&self) -> Result<u64> {
        ingest::other_engine_count(&self.db, &self.engine)
    }

    /// What is out of step in the store (empty: consistent); see `verify.rs`.
    pub fn verify(&self) -> Result<Vec<String>> {
        verify::verify(&self.db)
    }

    #[doc(hidden)]
    /// Marks every story as written by `engine` (tests of re-extraction).
    pub fn set_engine_for_tests(&self, engine: &str) -> Result<u64> {
        self.db.run("marking stories", async {
            let r =
                sqlx::query("UPDATE copydesk.documents SET engine = $1").bind(engine).execute(&*self.db.pool).await?;
            Ok(r.rows_affected())
        })
    }
}
