//! The store's tables, created and migrated by copydesk: each migration is applied once, in
//! a transaction, under an advisory lock (two ingesters starting at once apply it once), and
//! recorded in `copydesk.migrations`; the highest applied is the schema's version.
//!
//! Everything lives in the `copydesk` schema:
//! - `documents`: one row per story (its key, content hash, engine fingerprint, the analysis
//!   as the embedded index stores it). A new content gets a new `id`: an id names one
//!   content for good, so a reader's cache keyed by id is never stale, only unused.
//! - `sentences` (a story's sentences' sorted terms), `postings` (term → (story, sentence),
//!   a btree in that order: a term's postings are one index range, and its count an
//!   index-only scan), `term_df` (sentences per term, kept by ingest), `figures` (each
//!   figure's range as a box over (its (kind, unit) key, [low, high]) in a GiST index: "this
//!   kind and unit, overlapping [a, b]" is one index probe. Measured on the 19,043 Reuters
//!   stories, amounts without a unit between 0.9 and 1.1 million: 1.8 ms, against 13 ms
//!   for a btree on (kind, unit, low) bounded by the widest range of the key, as the
//!   in-memory index is, whose widest range there is 9e11, and 72 ms for a scan).
//! - `corpus_stats` (one row: generation, live stories and sentences), `changes` (what each
//!   generation changed, for readers catching up).

use super::connect::Db;
use anyhow::{bail, Result};
use sqlx::Connection;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: i32 = 1;

/// Advisory lock key under which migrations run (a constant of our own: "copydesk" in ASCII).
const MIGRATION_LOCK: i64 = 0x636f_7079_6465_736b;

/// Each migration: version, what it does, its statements.
const MIGRATIONS: &[(i32, &str, &str)] = &[(1, "stories, sentences, postings, figures, generations", V1)];

const V1: &str = r#"
CREATE TABLE copydesk.corpus_stats (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation bigint NOT NULL,
    documents bigint NOT NULL,
    sentences bigint NOT NULL,
    -- Changes before this generation have been pruned from `changes`.
    log_start bigint NOT NULL
);
INSERT INTO copydesk.corpus_stats VALUES (true, 0, 0, 0, 0);

CREATE TABLE copydesk.documents (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The story's key (see the ingest's rule); byte order, so that a folder's stories are one range.
    path text COLLATE "C" NOT NULL UNIQUE,
    path_key bigint NOT NULL,
    hash bytea NOT NULL,
    bytes bigint NOT NULL,
    engine text NOT NULL,
    analysis bytea NOT NULL,
    sentence_count integer NOT NULL,
    quantities integer NOT NULL,
    quotes integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE copydesk.documents ALTER COLUMN analysis SET STORAGE EXTERNAL;

CREATE TABLE copydesk.sentences (
    doc bigint NOT NULL REFERENCES copydesk.documents(id) ON DELETE CASCADE,
    idx integer NOT NULL,
    terms bigint[] NOT NULL,
    PRIMARY KEY (doc, idx)
);

-- No foreign key (a check per row would double the cost of the largest table): a story's
-- postings are written and removed with its sentences, in one transaction.
CREATE TABLE copydesk.postings (
    term bigint NOT NULL,
    doc bigint NOT NULL,
    sentence integer NOT NULL,
    PRIMARY KEY (term, doc, sentence)
);

CREATE TABLE copydesk.term_df (
    term bigint PRIMARY KEY,
    df integer NOT NULL
);

CREATE TABLE copydesk.figures (
    doc bigint NOT NULL REFERENCES copydesk.documents(id) ON DELETE CASCADE,
    quantity integer NOT NULL,
    sentence integer NOT NULL,
    kind smallint NOT NULL,
    unit text COLLATE "C",
    low double precision NOT NULL,
    high double precision NOT NULL,
    -- ((key, low), (key, high)): key is the figure's (kind, unit) hashed to 52 bits (exact
    -- in a float8); a collision costs a recheck of kind and unit, never a wrong answer.
    span box NOT NULL,
    PRIMARY KEY (doc, quantity)
);
CREATE INDEX figures_by_value ON copydesk.figures USING gist (span);

CREATE TABLE copydesk.changes (
    generation bigint NOT NULL,
    path text COLLATE "C" NOT NULL,
    -- The story's id after the change (null: removed) and before it (null: added).
    doc bigint,
    old_doc bigint,
    PRIMARY KEY (generation, path)
);
"#;

/// The schema's version, or None when there is no copydesk schema in this database.
pub(crate) async fn version(conn: &mut sqlx::PgConnection) -> std::result::Result<Option<i32>, sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('copydesk.migrations') IS NOT NULL").fetch_one(&mut *conn).await?;
    if !exists {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT max(version) FROM copydesk.migrations").fetch_one(&mut *conn).await
}

/// Brings the schema to [`SCHEMA_VERSION`]; returns the versions applied. Needs the right to
/// create in the database (the schema's owner); a role without it gets a message that says so.
pub(crate) fn migrate(db: &Db) -> Result<Vec<i32>> {
    let applied = db.run("migrating the schema", async {
        let mut conn = db.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        // Creating an index on a large table may take longer than a statement may.
        sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut *tx).await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await?;
        sqlx::query("CREATE SCHEMA IF NOT EXISTS copydesk").execute(&mut *tx).await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS copydesk.migrations (
                version integer PRIMARY KEY,
                description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )",
        )
        .execute(&mut *tx)
        .await?;
        let have: Option<i32> =
            sqlx::query_scalar("SELECT max(version) FROM copydesk.migrations").fetch_one(&mut *tx).await?;
        let mut applied = Vec::new();
        for (v, description, sql) in MIGRATIONS {
            if have.is_some_and(|h| h >= *v) {
                continue;
            }
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO copydesk.migrations(version, description) VALUES ($1, $2)")
                .bind(v)
                .bind(description)
                .execute(&mut *tx)
                .await?;
            applied.push(*v);
        }
        tx.commit().await?;
        Ok(applied)
    });
    match applied {
        Err(e) if format!("{e:#}").contains("refuses writes") => bail!(
            "the store at {} cannot be migrated by role {}: run `copydesk store migrate` as the schema's owner",
            db.shown,
            db.role
        ),
        r => r,
    }
}

/// Checks that the schema is the one this build reads; migrates it first when `may_migrate`
/// and it is older (or missing).
pub(crate) fn ensure(db: &Db, may_migrate: bool) -> Result<()> {
    let have = db.run("reading the schema version", async {
        let mut conn = db.pool.acquire().await?;
        version(&mut conn).await
    })?;
    match have {
        Some(v) if v == SCHEMA_VERSION => Ok(()),
        Some(v) if v > SCHEMA_VERSION => bail!(
            "the store at {} has schema version {v}, newer than this copydesk's {SCHEMA_VERSION}: upgrade copydesk",
            db.shown
        ),
        _ if may_migrate => migrate(db).map(|_| ()),
        None => bail!(
            "the store at {} has no copydesk schema yet: run `copydesk store migrate` (as the schema's owner) or `copydesk ingest` first",
            db.shown
        ),
        Some(v) => bail!(
            "the store at {} has schema version {v}, older than this copydesk's {SCHEMA_VERSION}: run `copydesk store migrate` as the schema's owner",
            db.shown
        ),
    }
}
