//! The read API over the store, for the engine's PostgreSQL backend: blocking calls, each one
//! statement (batched where a caller asks about many things), each answered from an index:
//! nothing here reads the archive whole.
//!
//! Ids are the store's story ids (`i64`): an id names one content for good (an update gives
//! the path a new id), so anything cached by id stays true for that id. Terms are the
//! engine's 64-bit term hashes, stored bit for bit as `int8`.
//!
//! Consistency: each call sees the store as one statement sees it (read committed); a caller
//! that needs several calls to agree checks [`PgReader::stats`]'s generation before and after,
//! or follows [`PgReader::changes_since`].

use super::connect::{connect, transient, Db, Purpose};
use super::schema;
use super::settings::StoreSettings;
use anyhow::Result;
use copydesk_engine::corpus::AnalyzedSource;
use copydesk_engine::QuantityKind;
use sqlx::Row;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

/// Connections a reader keeps at most.
const READER_CONNECTIONS: u32 = 4;

/// The store as a whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Live stories.
    pub documents: u64,
    /// Sentences of live stories (the `n` of term weights).
    pub sentences: u64,
    /// Bumped by every committed change (a transaction of an ingest).
    pub generation: i64,
}

/// A figure found by value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FigureHit {
    pub doc: i64,
    /// Index of the figure among its story's quantities.
    pub quantity: u32,
    pub sentence: u32,
    pub low: f64,
    pub high: f64,
}

/// A story read back.
pub struct StoredDocument {
    pub id: i64,
    pub path: String,
    /// The engine fingerprint that analyzed it.
    pub engine: String,
    /// True when `engine` is not this build's: `source` was analyzed again from the stored
    /// text, and the story's index rows (postings, figures) came from the other analysis.
    pub reanalyzed: bool,
    /// Its analysis, speakers unresolved (`AnalyzedSource::speakers` resolves them).
    pub source: AnalyzedSource,
}

/// A story's row without its analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSummary {
    pub id: i64,
    pub path: String,
    pub sentence_count: u32,
    pub engine: String,
}

/// A blocking reader of the store: the replica when `[store] read_url` names one, else the
/// primary. Its sessions are read-only; a restarted server costs one retried statement.
pub struct PgReader {
    pub(crate) db: Db,
    engine: String,
    pub(crate) listener: Mutex<Option<sqlx::postgres::PgListener>>,
}

impl Drop for PgReader {
    fn drop(&mut self) {
        let listener = self.listener.get_mut().map(Option::take).unwrap_or(None);
        super::connect::drop_in_runtime(listener);
    }
}

/// A reader is shared between threads (the language server's blocking tasks).
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<PgReader>();
};

/// The engine kinds by their stored number (`QuantityKind as i16`).
const KINDS: [QuantityKind; 5] =
    [QuantityKind::Amount, QuantityKind::Percent, QuantityKind::Year, QuantityKind::Date, QuantityKind::Ordinal];

/// The kind stored as `n`.
pub fn kind_of(n: i16) -> Option<QuantityKind> {
    KINDS.iter().copied().find(|k| *k as i16 == n)
}

impl PgReader {
    /// Connects to the store's reader URL and checks its schema.
    pub fn open(settings: &StoreSettings) -> Result<Self> {
        let db = connect(settings.reader_url(), settings, Purpose::Read, READER_CONNECTIONS)?;
        schema::ensure(&db, false)?;
        Ok(PgReader { db, engine: crate::index::engine_fingerprint().to_string(), listener: Mutex::new(None) })
    }

    /// The URL read from, password hidden.
    pub fn shown(&self) -> &str {
        &self.db.shown
    }

    /// The role the server knows this reader as.
    pub fn role(&self) -> &str {
        &self.db.role
    }

    /// Whether this reader reads a replica.
    pub fn on_replica(&self) -> bool {
        self.db.standby
    }

    /// Runs a read, once more on a new connection when the first failed for a lost server.
    pub(crate) fn read<T, F, Fut>(&self, what: &str, f: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = std::result::Result<T, sqlx::Error>>,
    {
        match super::connect::block_on(f())? {
            Ok(v) => Ok(v),
            Err(e) if transient(&e) => super::connect::block_on(f())?.map_err(|e| self.db.error(what, &e)),
            Err(e) => Err(self.db.error(what, &e)),
        }
    }

    pub fn stats(&self) -> Result<StoreStats> {
        self.read("reading the store's counts", || async {
            let r = sqlx::query("SELECT documents, sentences, generation FROM copydesk.corpus_stats")
                .fetch_one(&*self.db.pool)
                .await?;
            Ok(StoreStats {
                documents: r.get::<i64, _>(0).max(0) as u64,
                sentences: r.get::<i64, _>(1).max(0) as u64,
                generation: r.get(2),
            })
        })
    }

    /// Live sentences holding each term, in the order asked.
    pub fn df(&self, terms: &[u64]) -> Result<Vec<u32>> {
        let ts: Vec<i64> = terms.iter().map(|t| *t as i64).collect();
        self.read("reading term frequencies", || async {
            // `= ANY` probes the primary key per term (a join with unnest may hash the table).
            let rows = sqlx::query("SELECT term, df FROM copydesk.term_df WHERE term = ANY($1)")
                .bind(&ts)
                .fetch_all(&*self.db.pool)
                .await?;
            let got: HashMap<i64, i32> = rows.into_iter().map(|r| (r.get(0), r.get(1))).collect();
            Ok(ts.iter().map(|t| got.get(t).map_or(0, |d| (*d).max(0) as u32)).collect())
        })
    }

    /// The (story, sentence) pairs holding `term`, in (story, sentence) order.
    pub fn postings(&self, term: u64) -> Result<Vec<(i64, u32)>> {
        Ok(self.postings_many(&[term])?.pop().unwrap_or_default())
    }

    /// [`Self::postings`] of several terms, in the order asked.
    pub fn postings_many(&self, terms: &[u64]) -> Result<Vec<Vec<(i64, u32)>>> {
        let packed = self.postings_packed(terms)?;
        Ok(packed.into_iter().map(|list| list.into_iter().map(|p| ((p >> 32) as i64, p as u32)).collect()).collect())
    }

    /// The postings of several terms, in the order asked, each posting packed as the engine
    /// packs a sentence's reference (`story << 32 | sentence`, `SentRef::pack`), in that
    /// order. Stories with ids past 2^32 - 1 are left out (a reader refuses a store with
    /// such ids when it opens).
    pub fn postings_packed(&self, terms: &[u64]) -> Result<Vec<Vec<u64>>> {
        let ts: Vec<i64> = terms.iter().map(|t| *t as i64).collect();
        let pool = &*self.db.pool;
        self.read("reading postings", || in_halves(&ts, PARALLEL_TERMS, |ts| postings_of(pool, ts)))
    }

    /// The sorted terms of each sentence asked for (None: no such story or sentence).
    pub fn sentence_terms(&self, at: &[(i64, u32)]) -> Result<Vec<Option<Vec<u64>>>> {
        let pool = &*self.db.pool;
        self.read("reading sentence terms", || in_halves(at, PARALLEL_SENTENCES, |at| terms_of(pool, at)))
    }

    /// The first `limit` figures of this kind and unit whose range overlaps `[low, high]`,
    /// by their low end (ties by story and figure).
    pub fn figures_overlapping(
        &self,
        kind: QuantityKind,
        unit: Option<&str>,
        low: f64,
        high: f64,
        limit: usize,
    ) -> Result<Vec<FigureHit>> {
        let k = kind as i16;
        self.read("reading figures", || async {
            // One bounded, ordered index-only range per width class (schema.rs), merged.
            // "unit IS NULL" and "unit = $2" are two statements: one that said both
            // ("IS NOT DISTINCT FROM") could not use the index.
            let unit_is = if unit.is_some() { "f.unit = $2" } else { "f.unit IS NULL AND $2::text IS NULL" };
            let sql = format!(
                "SELECT h.doc, h.quantity, h.sentence, h.low, h.high
                 FROM generate_series($6::int, $7::int) c(w)
                 CROSS JOIN LATERAL (
                    SELECT f.doc, f.quantity, f.sentence, f.low, f.high FROM copydesk.figures f
                    WHERE f.kind = $1 AND {unit_is} AND f.wclass = c.w
                      AND f.low >= $3 - copydesk.width_bound(c.w::smallint) AND f.low <= $4 AND f.high >= $3
                    ORDER BY f.low, f.doc, f.quantity
                    LIMIT $5) h
                 ORDER BY h.low, h.doc, h.quantity
                 LIMIT $5"
            );
            let rows = sqlx::query(&sql)
                .bind(k)
                .bind(unit)
                .bind(low)
                .bind(high)
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .bind(i32::from(super::schema::MIN_WIDTH_CLASS))
                .bind(i32::from(super::schema::MAX_WIDTH_CLASS))
                .fetch_all(&*self.db.pool)
                .await?;
            Ok(rows
                .into_iter()
                .map(|r| FigureHit {
                    doc: r.get(0),
                    quantity: r.get::<i32, _>(1) as u32,
                    sentence: r.get::<i32, _>(2) as u32,
                    low: r.get(3),
                    high: r.get(4),
                })
                .collect())
        })
    }

    /// The stories asked for, decoded (None: no such story, or removed).
    pub fn documents(&self, ids: &[i64]) -> Result<Vec<Option<StoredDocument>>> {
        let rows: Vec<(i64, String, String, Vec<u8>)> = self.read("reading stories", || async {
            let rows = sqlx::query("SELECT id, path, engine, analysis FROM copydesk.documents WHERE id = ANY($1)")
                .bind(ids)
                .fetch_all(&*self.db.pool)
                .await?;
            Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
        })?;
        let mut by_id: HashMap<i64, StoredDocument> = HashMap::new();
        for (id, path, engine, blob) in rows {
            let doc = if engine == self.engine {
                crate::stored::decode(&blob, path.clone()).map(|source| StoredDocument {
                    id,
                    path,
                    engine,
                    reanalyzed: false,
                    source,
                })
            } else {
                crate::stored::decode_document(&blob, path.clone()).map(|doc| StoredDocument {
                    id,
                    path,
                    engine,
                    reanalyzed: true,
                    source: AnalyzedSource::deferred(doc),
                })
            };
            match doc {
                Ok(d) => {
                    by_id.insert(id, d);
                }
                Err(e) => anyhow::bail!("story {id} in the store at {} cannot be read: {e:#}", self.db.shown),
            }
        }
        Ok(ids.iter().map(|id| by_id.remove(id)).collect())
    }

    /// The id of the story stored under `path` (its key).
    pub fn doc_by_path(&self, path: &str) -> Result<Option<i64>> {
        self.read("looking up a story", || async {
            sqlx::query_scalar("SELECT id FROM copydesk.documents WHERE path = $1")
                .bind(path)
                .fetch_optional(&*self.db.pool)
                .await
        })
    }

    /// The 64-bit hash of each story's path (the engine's FNV of the key).
    pub fn path_keys(&self, ids: &[i64]) -> Result<Vec<Option<u64>>> {
        let got: HashMap<i64, i64> = self.read("reading path keys", || async {
            let rows = sqlx::query("SELECT id, path_key FROM copydesk.documents WHERE id = ANY($1)")
                .bind(ids)
                .fetch_all(&*self.db.pool)
                .await?;
            Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
        })?;
        Ok(ids.iter().map(|id| got.get(id).map(|k| *k as u64)).collect())
    }

    /// The rows of the stories asked for, without their analyses, in the order asked.
    pub fn summaries(&self, ids: &[i64]) -> Result<Vec<Option<DocumentSummary>>> {
        let mut got: HashMap<i64, DocumentSummary> = self.read("reading stories' rows", || async {
            let rows =
                sqlx::query("SELECT id, path, sentence_count, engine FROM copydesk.documents WHERE id = ANY($1)")
                    .bind(ids)
                    .fetch_all(&*self.db.pool)
                    .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let d = DocumentSummary {
                        id: r.get(0),
                        path: r.get(1),
                        sentence_count: r.get::<i32, _>(2) as u32,
                        engine: r.get(3),
                    };
                    (d.id, d)
                })
                .collect())
        })?;
        Ok(ids.iter().map(|id| got.remove(id)).collect())
    }

    /// Stories by id, after `after`, `limit` at a time, without their analyses: a listing of
    /// the store in pages.
    pub fn document_page(&self, after: i64, limit: u32) -> Result<Vec<DocumentSummary>> {
        self.read("listing stories", || async {
            let rows = sqlx::query(
                "SELECT id, path, sentence_count, engine FROM copydesk.documents WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&*self.db.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| DocumentSummary {
                    id: r.get(0),
                    path: r.get(1),
                    sentence_count: r.get::<i32, _>(2) as u32,
                    engine: r.get(3),
                })
                .collect())
        })
    }
}

/// Lookups in one request at least this long are split in two requests sent at once (see
/// [`in_halves`]): terms whose postings are read, sentences whose terms are read.
const PARALLEL_TERMS: usize = 16;
const PARALLEL_SENTENCES: usize = 1_024;

/// `lookup` of `items`, in their order; from `min` items on, as two lookups of their halves
/// at once, on two connections, so that the server reads both halves on two cores. At
/// 1,000,000 stories a first check reads 871,197 postings in one request of 174 ms.
async fn in_halves<'a, T, R, F, Fut>(items: &'a [T], min: usize, lookup: F) -> std::result::Result<Vec<R>, sqlx::Error>
where
    F: Fn(&'a [T]) -> Fut,
    Fut: Future<Output = std::result::Result<Vec<R>, sqlx::Error>>,
{
    if items.len() < min.max(2) {
        return lookup(items).await;
    }
    let (a, b) = items.split_at(items.len() / 2);
    let (mut first, second) = tokio::try_join!(lookup(a), lookup(b))?;
    first.extend(second);
    Ok(first)
}

/// The postings of `ts` in one statement, in the order asked (see [`PgReader::postings_packed`]).
async fn postings_of(pool: &sqlx::PgPool, ts: &[i64]) -> std::result::Result<Vec<Vec<u64>>, sqlx::Error> {
    // `= ANY` reads each term's range of the postings' key (a join with unnest may hash the
    // table). One row per term, its postings one array: at 1,000,000 stories a check reads
    // 871,197 postings, and decoding them a row each took more of the client's time than
    // anything else.
    let rows = sqlx::query(
        "SELECT p.term, array_agg((p.doc << 32) | p.sentence) FROM copydesk.postings p
         WHERE p.term = ANY($1) AND p.doc <= 4294967295 GROUP BY p.term",
    )
    .bind(ts)
    .fetch_all(pool)
    .await?;
    let mut by_term: HashMap<i64, Vec<u64>> = rows
        .into_iter()
        .map(|r| {
            let mut list: Vec<u64> = r.get::<Vec<i64>, _>(1).into_iter().map(|p| p as u64).collect();
            // In the order of the index, as read; not promised by the aggregate.
            list.sort_unstable();
            (r.get::<i64, _>(0), list)
        })
        .collect();
    // A term asked twice gets its list each time: moved out at its last asking.
    let mut asked: HashMap<i64, usize> = HashMap::new();
    for t in ts {
        *asked.entry(*t).or_default() += 1;
    }
    Ok(ts
        .iter()
        .map(|t| {
            let left = asked.get_mut(t).map(|n| {
                *n -= 1;
                *n
            });
            if left == Some(0) { by_term.remove(t) } else { by_term.get(t).cloned() }.unwrap_or_default()
        })
        .collect())
}

/// The terms of the sentences `at` in one statement, in the order asked.
async fn terms_of(pool: &sqlx::PgPool, at: &[(i64, u32)]) -> std::result::Result<Vec<Option<Vec<u64>>>, sqlx::Error> {
    let docs: Vec<i64> = at.iter().map(|a| a.0).collect();
    let idx: Vec<i32> = at.iter().map(|a| a.1 as i32).collect();
    let rows = sqlx::query(
        "SELECT x.n, s.terms FROM unnest($1::int8[], $2::int4[]) WITH ORDINALITY AS x(doc, idx, n)
         JOIN copydesk.sentences s ON s.doc = x.doc AND s.idx = x.idx",
    )
    .bind(&docs)
    .bind(&idx)
    .fetch_all(pool)
    .await?;
    let mut out = vec![None; docs.len()];
    for r in rows {
        let n: i64 = r.get(0);
        out[(n - 1) as usize] = Some(r.get::<Vec<i64>, _>(1).into_iter().map(|t| t as u64).collect());
    }
    Ok(out)
}
