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
//!   figure's kind, unit and range [low, high], with its width class: see below).
//! - `corpus_stats` (one row: generation, live stories and sentences), `changes` (what each
//!   generation changed, for readers catching up).
//!
//! Version 2 finds figures by width class. "Of this kind and unit, overlapping [a, b], the
//! first n by low end" is a range of a btree on (kind, unit, low) only if the ranges are
//! about as wide: a figure [low, high] overlaps when low <= b and high >= a, and a btree can
//! bound low from below only by a - (the widest range). Newswire ranges run from points to
//! 6e13 wide (rounding intervals, "between 1 and 60 trillion"), so version 1 kept a GiST
//! index over boxes instead; but the GiST index returns every overlapping figure before any
//! limit, and its boxes overlap so much that "the amount 2" read 9,370 index pages and
//! 28,336 table pages at 1,000,000 stories (39,289 figures; 126 ms warm, 2.5 s cold).
//! Version 2 gives each figure a width class, the least c with high - low <= 2^c (points
//! and tiny and huge widths each in a class of their own, `copydesk.width_class` in [`V2`]),
//! and a btree on (kind, unit, class, low, doc, quantity) that holds every column a lookup
//! returns. A lookup probes each class with low in [a - 2^c, b]: every probe is a bounded,
//! ordered index-only range that stops at the limit; the 102 probes' rows are then merged
//! and cut. The same answers (compared on the 6.8 million figures of the 1M store), 4-14
//! ms warm, 18 ms cold.

use super::connect::Db;
use anyhow::{bail, Result};
use sqlx::Connection;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: i32 = 2;

/// Advisory lock key under which migrations run (a constant of our own: "copydesk" in ASCII).
const MIGRATION_LOCK: i64 = 0x636f_7079_6465_736b;

/// Each migration: version, what it does, its statements.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "stories, sentences, postings, figures, generations", V1),
    (2, "figures found by width class in a btree, not by box in a GiST index", V2),
];

/// The first and last width class ([`V2`]'s `copydesk.width_class`): points are class
/// `MIN_WIDTH_CLASS`, widths up to 2^-40 the next, and widths over 2^59 (infinite and NaN
/// included) `MAX_WIDTH_CLASS`, whose bound is infinite.
pub(crate) const MIN_WIDTH_CLASS: i16 = -41;
pub(crate) const MAX_WIDTH_CLASS: i16 = 60;

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

/// Version 2: figures by width class (see the module's notes). Rewrites `figures` once (at
/// 1,000,000 stories, 6.8 million figures, 42 s, during which it is locked).
const V2: &str = r#"
-- The least c with w <= 2^c, clamped to [-40, 59]; points -41, wider than 2^59 (or NaN) 60.
-- ln() may round either way: the class is raised when 2^c < w, so the bound always holds.
CREATE FUNCTION copydesk.width_class(w float8) RETURNS smallint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT (CASE WHEN w <= 0 THEN -41
                 WHEN w > 2::float8 ^ 59 OR w = 'NaN'::float8 THEN 60
                 WHEN w <= 2::float8 ^ -40 THEN -40
                 ELSE c + (2::float8 ^ c < w)::int END)::smallint
    FROM (SELECT ceil(ln(least(greatest(w, 2::float8 ^ -41), 2::float8 ^ 60)) / ln(2::float8))::int AS c) s
$$;
-- The widest range of a class.
CREATE FUNCTION copydesk.width_bound(c smallint) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN c <= -41 THEN 0::float8 WHEN c >= 60 THEN 'infinity'::float8 ELSE 2::float8 ^ c END
$$;
DROP INDEX copydesk.figures_by_value;
ALTER TABLE copydesk.figures
    DROP COLUMN span,
    ADD COLUMN wclass smallint NOT NULL GENERATED ALWAYS AS (copydesk.width_class(high - low)) STORED;
CREATE INDEX figures_by_width ON copydesk.figures (kind, unit, wclass, low, doc, quantity) INCLUDE (high, sentence);
"#;

/// The record of the migrations applied.
const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS copydesk.migrations (
    version integer PRIMARY KEY,
    description text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)";

/// The statements that make a new database's schema as an older copydesk left it, at
/// `version` (for tests of the migrations: [`super::testing::create_schema_at`]).
pub(crate) fn schema_at(version: i32) -> String {
    let mut sql = format!("CREATE SCHEMA copydesk;\n{MIGRATIONS_TABLE};\n");
    for (v, description, statements) in MIGRATIONS.iter().filter(|(v, ..)| *v <= version) {
        sql += statements;
        sql += &format!(
            "\nINSERT INTO copydesk.migrations(version, description) VALUES ({v}, '{}');\n",
            description.replace('\'', "''")
        );
    }
    sql
}

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
        sqlx::query(MIGRATIONS_TABLE).execute(&mut *tx).await?;
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
        if applied.contains(&2) && have.is_some() {
            // Version 2 rewrote the figures: until they are vacuumed, a lookup's index-only
            // scan visits the table too (autovacuum would get there, in its own time).
            sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
            let vacuumed = sqlx::query("VACUUM (ANALYZE) copydesk.figures").execute(&mut *conn).await;
            sqlx::query("RESET statement_timeout").execute(&mut *conn).await?;
            vacuumed?;
        }
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
