//! Writing stories: one transaction per batch, so that a killed ingester leaves every story
//! either as it was or as it is now, never half of one.
//!
//! Concurrency rules (several ingesters at once neither lose nor duplicate a story):
//! - a batch first takes a transaction-scoped advisory lock on each of its keys, in one
//!   global order (the keys' 64-bit hashes, ascending), then reads the stored rows: whatever
//!   another ingester committed before is seen, and nobody changes these keys until commit;
//! - a story whose stored hash and engine are this one's is left alone (the other ingester
//!   wrote the same content); another content replaces it (the last to commit wins, whole);
//! - shared counters are updated after the keys, in one order too: `term_df` rows by term,
//!   `corpus_stats` last (its row lock orders commits, so generations number them in commit
//!   order). One order for every lock: no deadlock.

use super::connect::{transient, Db};
use anyhow::Result;
use copydesk_engine::corpus::AnalyzedSource;
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Notification channel of every committed change; the payload is the new generation.
pub const CHANNEL: &str = "copydesk_changes";

/// Changes kept in `copydesk.changes` for readers catching up: older ones are pruned, and a
/// reader further behind reloads.
const CHANGES_KEPT: i64 = 100_000;

/// A figure as the store keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFigure {
    pub quantity: i32,
    pub sentence: i32,
    pub kind: i16,
    pub unit: Option<String>,
    pub low: f64,
    pub high: f64,
}

/// A story ready to be written.
#[derive(Clone, Debug)]
pub struct NewStory {
    pub key: String,
    pub hash: [u8; 32],
    pub bytes: i64,
    pub blob: Vec<u8>,
    pub sentence_terms: Vec<Vec<u64>>,
    pub figures: Vec<StoredFigure>,
    pub quantities: i32,
    pub quotes: i32,
    /// Replace only the story with this id (a re-extraction: if the story changed since it
    /// was read, the change stands).
    pub replaces: Option<i64>,
}

impl NewStory {
    /// A story from an analyzed source (its path is the key).
    pub fn of(source: &mut AnalyzedSource, hash: [u8; 32]) -> Result<Self> {
        let blob = crate::stored::encode(source)?;
        let a = &source.analysis;
        let figures = a
            .quantities
            .iter()
            .enumerate()
            .map(|(i, q)| StoredFigure {
                quantity: i as i32,
                sentence: q.sentence as i32,
                kind: q.kind as i16,
                unit: q.unit.clone(),
                low: q.low,
                high: q.high,
            })
            .collect();
        Ok(NewStory {
            key: source.doc.path.clone(),
            hash,
            bytes: source.doc.text.len() as i64,
            blob,
            sentence_terms: source.sentence_terms.clone(),
            figures,
            quantities: a.quantities.len() as i32,
            quotes: a.quotes.len() as i32,
            replaces: None,
        })
    }
}

/// The 64-bit key of a story's path: its advisory lock and `path_key`.
pub fn path_key(key: &str) -> i64 {
    copydesk_engine::terms::hash_str(key) as i64
}

/// What one batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The generation this batch committed, if it changed anything.
    pub generation: Option<i64>,
}

/// Writes `stories` and removes the stories with keys `remove`, in one transaction (retried
/// when the server cancels it for a deadlock or a lost connection).
pub fn write_batch(db: &Db, engine: &str, stories: &[NewStory], remove: &[String]) -> Result<BatchOutcome> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let r = super::connect::block_on(write_once(db, engine, stories, remove))?;
        match r {
            Ok(o) => return Ok(o),
            Err(e) if attempt < 4 && (retryable(&e) || transient(&e)) => {
                std::thread::sleep(std::time::Duration::from_millis(50 * attempt));
            }
            Err(e) => return Err(db.error("writing stories", &e)),
        }
    }
}

fn retryable(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40P01") | Some("40001")))
}

async fn write_once(
    db: &Db,
    engine: &str,
    stories: &[NewStory],
    remove: &[String],
) -> std::result::Result<BatchOutcome, sqlx::Error> {
    let mut out = BatchOutcome::default();
    let mut conn = db.pool.acquire().await?;
    let mut tx = conn.begin().await?;

    // 1. The keys, locked in one global order.
    let mut locks: Vec<i64> =
        stories.iter().map(|s| path_key(&s.key)).chain(remove.iter().map(|k| path_key(k))).collect();
    locks.sort_unstable();
    locks.dedup();
    sqlx::query("SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::int8[]) AS k")
        .bind(&locks)
        .execute(&mut *tx)
        .await?;

    // 2. What is stored under them now.
    let keys: Vec<&str> = stories.iter().map(|s| s.key.as_str()).chain(remove.iter().map(String::as_str)).collect();
    let stored: HashMap<String, (i64, Vec<u8>, String)> =
        sqlx::query("SELECT path, id, hash, engine FROM copydesk.documents WHERE path = ANY($1)")
            .bind(&keys)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.get::<String, _>(0), (r.get::<i64, _>(1), r.get::<Vec<u8>, _>(2), r.get::<String, _>(3))))
            .collect();

    // 3. What to write and what to drop.
    let mut old_ids: Vec<i64> = Vec::new();
    let mut writes: Vec<&NewStory> = Vec::new();
    let mut change_rows: BTreeMap<String, (Option<i64>, Option<i64>)> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for s in stories {
        if !seen.insert(s.key.as_str()) {
            continue; // the same key twice in one batch: the first stands
        }
        match stored.get(&s.key) {
            Some((id, _, _)) if s.replaces.is_some_and(|r| r != *id) => out.unchanged += 1,
            None if s.replaces.is_some() => out.unchanged += 1, // removed since it was read
            Some((_, hash, e)) if hash[..] == s.hash[..] && e == engine => out.unchanged += 1,
            Some((id, _, _)) => {
                old_ids.push(*id);
                change_rows.insert(s.key.clone(), (None, Some(*id)));
                writes.push(s);
                out.updated += 1;
            }
            None => {
                change_rows.insert(s.key.clone(), (None, None));
                writes.push(s);
                out.added += 1;
            }
        }
    }
    for k in remove {
        if seen.contains(k.as_str()) {
            continue;
        }
        if let Some((id, _, _)) = stored.get(k) {
            old_ids.push(*id);
            change_rows.insert(k.clone(), (None, Some(*id)));
            out.removed += 1;
        }
    }
    if writes.is_empty() && old_ids.is_empty() {
        tx.commit().await?;
        return Ok(out);
    }

    // 4. The old stories out: their sentences tell which postings and counts to take back.
    let mut df: BTreeMap<i64, i32> = BTreeMap::new();
    let mut sentence_delta: i64 = 0;
    if !old_ids.is_empty() {
        let gone = sqlx::query("DELETE FROM copydesk.sentences WHERE doc = ANY($1) RETURNING doc, terms")
            .bind(&old_ids)
            .fetch_all(&mut *tx)
            .await?;
        let (mut terms, mut docs): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
        for r in &gone {
            let doc: i64 = r.get(0);
            for t in r.get::<Vec<i64>, _>(1) {
                *df.entry(t).or_default() -= 1;
                terms.push(t);
                docs.push(doc);
            }
        }
        sentence_delta -= gone.len() as i64;
        let mut pairs: Vec<(i64, i64)> = terms.into_iter().zip(docs).collect();
        pairs.sort_unstable();
        pairs.dedup();
        let (terms, docs): (Vec<i64>, Vec<i64>) = pairs.into_iter().unzip();
        sqlx::query(
            "DELETE FROM copydesk.postings p USING unnest($1::int8[], $2::int8[]) AS x(term, doc)
             WHERE p.term = x.term AND p.doc = x.doc",
        )
        .bind(&terms)
        .bind(&docs)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM copydesk.documents WHERE id = ANY($1)").bind(&old_ids).execute(&mut *tx).await?;
    }

    // 5. The new stories in.
    if !writes.is_empty() {
        let paths: Vec<&str> = writes.iter().map(|s| s.key.as_str()).collect();
        let pkeys: Vec<i64> = writes.iter().map(|s| path_key(&s.key)).collect();
        let hashes: Vec<Vec<u8>> = writes.iter().map(|s| s.hash.to_vec()).collect();
        let bytes: Vec<i64> = writes.iter().map(|s| s.bytes).collect();
        let blobs: Vec<&[u8]> = writes.iter().map(|s| s.blob.as_slice()).collect();
        let nsent: Vec<i32> = writes.iter().map(|s| s.sentence_terms.len() as i32).collect();
        let nq: Vec<i32> = writes.iter().map(|s| s.quantities).collect();
        let nquo: Vec<i32> = writes.iter().map(|s| s.quotes).collect();
        let ids: HashMap<String, i64> = sqlx::query(
            "INSERT INTO copydesk.documents
                 (path, path_key, hash, bytes, engine, analysis, sentence_count, quantities, quotes)
             SELECT p, k, h, b, $5, a, n, q, u
             FROM unnest($1::text[], $2::int8[], $3::bytea[], $4::int8[], $6::bytea[], $7::int4[], $8::int4[], $9::int4[])
                  AS x(p, k, h, b, a, n, q, u)
             RETURNING path, id",
        )
        .bind(&paths)
        .bind(&pkeys)
        .bind(&hashes)
        .bind(&bytes)
        .bind(engine)
        .bind(&blobs)
        .bind(&nsent)
        .bind(&nq)
        .bind(&nquo)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect();

        let (mut sentences, mut postings, mut figures) = (String::new(), String::new(), String::new());
        for s in &writes {
            let id = ids[&s.key];
            change_rows.entry(s.key.clone()).or_default().0 = Some(id);
            for (i, terms) in s.sentence_terms.iter().enumerate() {
                let _ = write!(sentences, "{id}\t{i}\t{{");
                for (j, t) in terms.iter().enumerate() {
                    let t = *t as i64;
                    let _ = write!(sentences, "{}{t}", if j > 0 { "," } else { "" });
                    let _ = writeln!(postings, "{t}\t{id}\t{i}");
                    *df.entry(t).or_default() += 1;
                }
                sentences.push_str("}\n");
            }
            sentence_delta += s.sentence_terms.len() as i64;
            for f in &s.figures {
                let unit = f.unit.as_deref().map_or_else(|| "\\N".to_string(), copy_text);
                let (low, high) = (copy_float(f.low), copy_float(f.high));
                let _ = writeln!(figures, "{id}\t{}\t{}\t{}\t{unit}\t{low}\t{high}", f.quantity, f.sentence, f.kind);
            }
        }
        for (table, data) in [
            ("copydesk.sentences(doc, idx, terms)", sentences),
            ("copydesk.postings(term, doc, sentence)", postings),
            ("copydesk.figures(doc, quantity, sentence, kind, unit, low, high)", figures),
        ] {
            if data.is_empty() {
                continue;
            }
            let mut copy = tx.copy_in_raw(&format!("COPY {table} FROM STDIN")).await?;
            copy.send(data.into_bytes()).await?;
            copy.finish().await?;
        }
    }

    // 6. Sentences per term, in term order.
    let (terms, deltas): (Vec<i64>, Vec<i32>) = df.into_iter().filter(|(_, d)| *d != 0).unzip();
    if !terms.is_empty() {
        sqlx::query(
            "INSERT INTO copydesk.term_df(term, df) SELECT * FROM unnest($1::int8[], $2::int4[])
             ON CONFLICT (term) DO UPDATE SET df = copydesk.term_df.df + excluded.df",
        )
        .bind(&terms)
        .bind(&deltas)
        .execute(&mut *tx)
        .await?;
        let fallen: Vec<i64> = terms.iter().zip(&deltas).filter(|(_, d)| **d < 0).map(|(t, _)| *t).collect();
        if !fallen.is_empty() {
            sqlx::query("DELETE FROM copydesk.term_df WHERE term = ANY($1) AND df <= 0")
                .bind(&fallen)
                .execute(&mut *tx)
                .await?;
        }
    }

    // 7. A new generation, what it changed, and a word to listeners (sent on commit).
    let doc_delta = out.added as i64 - out.removed as i64;
    let generation: i64 = sqlx::query_scalar(
        "UPDATE copydesk.corpus_stats SET generation = generation + 1,
             documents = documents + $1, sentences = sentences + $2
         RETURNING generation",
    )
    .bind(doc_delta)
    .bind(sentence_delta)
    .fetch_one(&mut *tx)
    .await?;
    let (paths, news, olds): (Vec<String>, Vec<Option<i64>>, Vec<Option<i64>>) = {
        let mut v = (Vec::new(), Vec::new(), Vec::new());
        for (p, (new, old)) in change_rows {
            v.0.push(p);
            v.1.push(new);
            v.2.push(old);
        }
        v
    };
    sqlx::query(
        "INSERT INTO copydesk.changes(generation, path, doc, old_doc)
         SELECT $1, * FROM unnest($2::text[], $3::int8[], $4::int8[])",
    )
    .bind(generation)
    .bind(&paths)
    .bind(&news)
    .bind(&olds)
    .execute(&mut *tx)
    .await?;
    if generation % 1000 == 0 {
        let start = generation - CHANGES_KEPT;
        sqlx::query("DELETE FROM copydesk.changes WHERE generation < $1").bind(start).execute(&mut *tx).await?;
        sqlx::query("UPDATE copydesk.corpus_stats SET log_start = greatest(log_start, $1)")
            .bind(start)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(generation.to_string()).execute(&mut *tx).await?;
    tx.commit().await?;
    out.generation = Some(generation);
    Ok(out)
}

/// A text value in COPY's text format.
fn copy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A float in COPY's text format, exactly (Rust's shortest round-trip form).
fn copy_float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x == f64::INFINITY {
        "Infinity".into()
    } else if x == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{x:?}")
    }
}
