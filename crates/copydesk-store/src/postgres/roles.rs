//! The two group roles a newsroom gives its people and feeds, each with the least rights it
//! needs: `copydesk_reader` (reporters' editors: read every table, LISTEN) and
//! `copydesk_ingest` (feeds: a reader that also writes stories). The schema's owner, who
//! creates and migrates the tables, is neither. Login roles are made members:
//! `CREATE ROLE alice LOGIN IN ROLE copydesk_reader;`.

use super::connect::Db;
use anyhow::Result;

pub const READER_ROLE: &str = "copydesk_reader";
pub const INGEST_ROLE: &str = "copydesk_ingest";

/// The SQL that creates both roles (when missing) and grants their rights on the schema as
/// it is; run by the schema's owner (with CREATEROLE, or after an administrator made the
/// roles) after every migration. Safe to run again.
pub const ROLES_SQL: &str = r#"
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'copydesk_reader') THEN
        BEGIN
            CREATE ROLE copydesk_reader NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'copydesk_ingest') THEN
        BEGIN
            CREATE ROLE copydesk_ingest NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
END
$$;
GRANT copydesk_reader TO copydesk_ingest;
GRANT USAGE ON SCHEMA copydesk TO copydesk_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA copydesk TO copydesk_reader;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA copydesk TO copydesk_ingest;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA copydesk TO copydesk_ingest;
ALTER DEFAULT PRIVILEGES IN SCHEMA copydesk GRANT SELECT ON TABLES TO copydesk_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA copydesk GRANT INSERT, UPDATE, DELETE ON TABLES TO copydesk_ingest;
ALTER DEFAULT PRIVILEGES IN SCHEMA copydesk GRANT USAGE, SELECT ON SEQUENCES TO copydesk_ingest;
"#;

/// Runs [`ROLES_SQL`] (the schema must exist: migrate first).
pub(crate) fn apply(db: &Db) -> Result<()> {
    db.run("creating the roles", async {
        let mut tx = db.pool.begin().await?;
        sqlx::raw_sql(ROLES_SQL).execute(&mut *tx).await?;
        tx.commit().await
    })
}

/// Whether this session may write stories; the refusal a reader gets otherwise.
pub(crate) fn check_may_write(db: &Db) -> Result<()> {
    if db.standby {
        anyhow::bail!(
            "the store at {} is a read-only replica: ingest writes to the primary ([store] url, not read_url)",
            db.shown
        );
    }
    let may: bool = db.run("checking the role's rights", async {
        sqlx::query_scalar(
            "SELECT has_table_privilege('copydesk.documents', 'INSERT')
                AND has_table_privilege('copydesk.postings', 'DELETE')
                AND has_table_privilege('copydesk.corpus_stats', 'UPDATE')",
        )
        .fetch_one(&*db.pool)
        .await
    })?;
    if !may {
        anyhow::bail!(
            "the store at {} refuses writes for role {}: ingest needs the {INGEST_ROLE} role",
            db.shown,
            db.role
        );
    }
    Ok(())
}
