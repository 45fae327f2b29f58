//! A consistency check of the whole store (`copydesk store verify`): what ingest keeps in
//! step, recomputed from the rows. Each query scans a table; for a health check after a
//! crash or in tests, not for every run.

use super::connect::Db;
use anyhow::Result;

/// Each check: what it means when it fails, and a query counting the rows that break it.
const CHECKS: &[(&str, &str)] = &[
    (
        "stories whose sentence rows do not match their sentence count",
        "SELECT count(*) FROM copydesk.documents d
         WHERE d.sentence_count <> (SELECT count(*) FROM copydesk.sentences s WHERE s.doc = d.id)",
    ),
    (
        "stories whose figure rows do not match their figure count",
        "SELECT count(*) FROM copydesk.documents d
         WHERE d.quantities <> (SELECT count(*) FROM copydesk.figures f WHERE f.doc = d.id)",
    ),
    (
        "postings that no sentence holds",
        "SELECT count(*) FROM (SELECT term, doc, sentence FROM copydesk.postings
            EXCEPT SELECT unnest(terms), doc, idx FROM copydesk.sentences) x",
    ),
    (
        "sentence terms without their posting",
        "SELECT count(*) FROM (SELECT unnest(terms), doc, idx FROM copydesk.sentences
            EXCEPT SELECT term, doc, sentence FROM copydesk.postings) x",
    ),
    (
        "terms whose sentence count differs from their postings",
        "SELECT count(*) FROM copydesk.term_df d
            FULL JOIN (SELECT term, count(*) AS n FROM copydesk.postings GROUP BY term) p USING (term)
         WHERE coalesce(d.df, 0) <> coalesce(p.n, 0)",
    ),
    (
        "store counts that differ from the stories",
        "SELECT count(*) FROM copydesk.corpus_stats c
         WHERE c.documents <> (SELECT count(*) FROM copydesk.documents)
            OR c.sentences <> (SELECT coalesce(sum(sentence_count), 0) FROM copydesk.documents)",
    ),
    (
        "figures wider than their width class",
        "SELECT count(*) FROM copydesk.figures f
         WHERE NOT f.high - f.low <= copydesk.width_bound(f.wclass)",
    ),
];

/// What is out of step, one line per broken rule (empty: consistent).
pub(crate) fn verify(db: &Db) -> Result<Vec<String>> {
    db.run("verifying the store", async {
        let mut tx = db.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut *tx).await?;
        let mut problems = Vec::new();
        for (what, sql) in CHECKS {
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut *tx).await?;
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        tx.commit().await?;
        Ok(problems)
    })
}
