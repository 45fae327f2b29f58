//! `copydesk ingest`: files into the shared store, idempotently by content hash.
//!
//! **Keys.** A story's key (its path in the store, and in every message that cites it) must
//! be the same on every reporter's machine, so it is not an absolute path: it is the name of
//! the folder given, then the path inside it (`copydesk ingest /data/wire` stores
//! `/data/wire/2024/a.txt` as `wire/2024/a.txt`), or `--prefix NAME` instead of the folder's
//! name (`--prefix desk/notes` gives `desk/notes/2024/a.txt`). A file given alone is keyed
//! by its name (or `PREFIX/name`); a glob by the folder its pattern starts in.
//!
//! **Removals.** A story is removed only when it is under a *folder* this ingest was given
//! (keys starting with that folder's key and a `/`) and the folder no longer holds it: a
//! reporter ingesting a notes folder never removes the wire's stories, and files and globs
//! remove nothing. A file that cannot be read is reported and its stored story left as it is.
//!
//! **Work.** Files are read and hashed in parallel; a file whose content hash and engine
//! fingerprint are stored already costs nothing more. Others are analyzed in parallel
//! (rayon, `AnalyzedSource::deferred` as the embedded index stores) while the batch before
//! is written ([`write_batch`]: one transaction per batch of stories).

use super::connect::Db;
use super::write::{write_batch, BatchOutcome, NewStory};
use crate::load::{self, FileKind, LoadError, PathGlob};
use crate::ProgressFn;
use anyhow::{bail, Result};
use copydesk_engine::corpus::AnalyzedSource;
use rayon::prelude::*;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Files read and analyzed per parallel batch.
const READ_BATCH: usize = 512;
/// Stories per transaction, and bytes of stored analyses at most (256 ingested Reuters at
/// 1,776 stories/s, 64 at about three quarters of that: README).
const WRITE_BATCH: usize = 256;
const WRITE_BYTES: usize = 8 << 20;

/// What an ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Files found.
    pub files: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Files that could not be read (named among the errors).
    pub failed: usize,
    /// Bytes of the files read.
    pub bytes: u64,
    /// The store's generation after the last batch this ingest committed.
    pub generation: Option<i64>,
    /// Stories in the store written by another engine (see `copydesk store reextract`).
    pub other_engine: u64,
}

impl IngestStats {
    fn add(&mut self, o: &BatchOutcome) {
        self.added += o.added;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.removed += o.removed;
        if o.generation.is_some() {
            self.generation = o.generation;
        }
    }
}

/// One PATH of an ingest: its files and their keys.
struct Root {
    /// Key prefix of its files ("wire/"), or the key of the file given alone.
    prefix: String,
    /// The folder that keys are relative to.
    base: PathBuf,
    /// Whether stories under `prefix` that it no longer holds are removed (folders only).
    removes: bool,
    files: Vec<PathBuf>,
    single_file: bool,
}

/// A key's parts joined by '/', whatever the platform's separator.
fn key_of(prefix: &str, base: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(base).unwrap_or(file);
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    format!("{prefix}{}", parts.join("/"))
}

/// A prefix as given: no leading or trailing slash, '/'-separated.
fn clean_prefix(p: &str) -> Result<String> {
    let p = p.trim_matches('/');
    if p.is_empty() || p.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
        bail!("--prefix {p:?}: give a name such as `wire` or `desk/notes`");
    }
    Ok(p.to_string())
}

fn folder_name(dir: &Path) -> Result<String> {
    let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match canon.file_name() {
        Some(n) => Ok(n.to_string_lossy().into_owned()),
        None => bail!("{}: a folder without a name cannot key its stories: give --prefix NAME", dir.display()),
    }
}

fn list(paths: &[PathBuf], prefix: Option<&str>, exclude: &[String]) -> Result<(Vec<Root>, Vec<LoadError>)> {
    if prefix.is_some() && paths.len() > 1 {
        bail!("--prefix names one PATH's stories: give one PATH, or ingest each with its own prefix");
    }
    let prefix = prefix.map(clean_prefix).transpose()?;
    let mut roots = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let (files, errs) = load::expand_paths(std::slice::from_ref(p), FileKind::Source, exclude);
        errors.extend(errs);
        let s = p.to_string_lossy();
        let root = if load::is_glob(&s) {
            let glob = PathGlob::new(p).map_err(|e| anyhow::anyhow!("{s}: not a valid glob: {}", e.kind()))?;
            let name = match &prefix {
                Some(x) => x.clone(),
                None => folder_name(&glob.root)?,
            };
            Root { prefix: format!("{name}/"), base: glob.root.clone(), removes: false, files, single_file: false }
        } else if p.is_dir() {
            let name = match &prefix {
                Some(x) => x.clone(),
                None => folder_name(p)?,
            };
            Root { prefix: format!("{name}/"), base: p.clone(), removes: true, files, single_file: false }
        } else {
            let base = p.parent().map(Path::to_path_buf).unwrap_or_default();
            let prefix = prefix.as_ref().map(|x| format!("{x}/")).unwrap_or_default();
            Root { prefix, base, removes: false, files, single_file: true }
        };
        roots.push(root);
    }
    Ok((roots, errors))
}

/// A file read and, unless its content is stored already, analyzed.
enum Read {
    Same,
    Fresh(Box<NewStory>),
    Failed(LoadError),
}

/// Ingests `paths` (files, folders, globs) into the store; `prefix` replaces the folder's
/// name in the keys (one PATH only). Returns what it did and the files it could not read.
pub(crate) fn ingest(
    db: &Db,
    engine: &str,
    paths: &[PathBuf],
    prefix: Option<&str>,
    exclude: &[String],
    progress: Option<ProgressFn<'_>>,
) -> Result<(IngestStats, Vec<LoadError>)> {
    let (roots, mut errors) = list(paths, prefix, exclude)?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut listed: HashSet<String> = HashSet::new();
    for r in &roots {
        for f in &r.files {
            let key = if r.single_file {
                format!("{}{}", r.prefix, f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            } else {
                key_of(&r.prefix, &r.base, f)
            };
            if listed.insert(key.clone()) {
                files.push((key, f.clone()));
            }
        }
    }
    let mut stats = IngestStats { files: files.len(), ..Default::default() };

    // What is stored under these roots: unchanged files are skipped before any analysis.
    let stored = stored_under(db, &roots, &files)?;
    let total = files.len();
    let counter = crate::Progress::new(total, progress);
    let tick = |n: usize| counter.tick(n);
    if let Some(p) = progress {
        p(0, total);
    }

    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Read>>(1);
    let files_ref = &files;
    let stored_ref = &stored;
    let tick_ref = &tick;
    let produce = move || {
        for chunk in files_ref.chunks(READ_BATCH) {
            let reads: Vec<Read> = chunk
                .par_iter()
                .map(|(key, path)| {
                    let r = read_one(key, path, stored_ref.get(key), engine);
                    tick_ref(1);
                    r
                })
                .collect();
            if tx.send(reads).is_err() {
                return;
            }
        }
    };
    std::thread::scope(|sc| -> Result<()> {
        sc.spawn(produce);
        let mut batch: Vec<NewStory> = Vec::new();
        let mut batch_bytes = 0usize;
        for reads in rx {
            for r in reads {
                match r {
                    Read::Same => stats.unchanged += 1,
                    Read::Failed(e) => {
                        stats.failed += 1;
                        errors.push(e);
                    }
                    Read::Fresh(s) => {
                        stats.bytes += s.bytes as u64;
                        batch_bytes += s.blob.len();
                        batch.push(*s);
                        if batch.len() >= WRITE_BATCH || batch_bytes >= WRITE_BYTES {
                            stats.add(&write_batch(db, engine, &batch, &[])?);
                            batch.clear();
                            batch_bytes = 0;
                        }
                    }
                }
            }
        }
        if !batch.is_empty() {
            stats.add(&write_batch(db, engine, &batch, &[])?);
        }
        Ok(())
    })?;

    // Stories gone from the folders given.
    let gone: Vec<String> = stored
        .keys()
        .filter(|k| !listed.contains(*k) && roots.iter().any(|r| r.removes && k.starts_with(&r.prefix)))
        .cloned()
        .collect();
    let mut gone = gone;
    gone.sort();
    for chunk in gone.chunks(WRITE_BATCH * 4) {
        stats.add(&write_batch(db, engine, &[], chunk)?);
    }
    stats.other_engine = other_engine_count(db, engine)?;
    Ok((stats, errors))
}

/// Reads one file; analyzes it unless `stored` holds its content from this engine.
fn read_one(key: &str, path: &Path, stored: Option<&(Vec<u8>, String)>, engine: &str) -> Read {
    let bytes = match load::read_bytes(path) {
        Ok(b) => b,
        Err(e) => return Read::Failed(e),
    };
    let hash: [u8; 32] = *blake3::hash(&bytes).as_bytes();
    if stored.is_some_and(|(h, e)| h[..] == hash[..] && e == engine) {
        return Read::Same;
    }
    match load::source_from_bytes(path, key.to_string(), bytes) {
        Ok(doc) => {
            let mut source = AnalyzedSource::deferred(doc);
            match NewStory::of(&mut source, hash) {
                Ok(s) => Read::Fresh(Box::new(s)),
                Err(e) => Read::Failed(LoadError { path: path.to_path_buf(), reason: format!("{e:#}") }),
            }
        }
        Err(e) => Read::Failed(e),
    }
}

/// The stored hash and engine of every story under the roots (a folder's or glob's prefix
/// range, and single files' keys).
fn stored_under(db: &Db, roots: &[Root], files: &[(String, PathBuf)]) -> Result<HashMap<String, (Vec<u8>, String)>> {
    let mut out = HashMap::new();
    let singles: Vec<String> = roots
        .iter()
        .filter(|r| r.single_file)
        .flat_map(|r| files.iter().filter(move |(k, _)| r.prefix.is_empty() || k.starts_with(&r.prefix)))
        .map(|(k, _)| k.clone())
        .collect();
    let mut prefixes: Vec<&str> = roots.iter().filter(|r| !r.single_file).map(|r| r.prefix.as_str()).collect();
    prefixes.sort();
    prefixes.dedup();
    db.run("reading the stored stories", async {
        for p in prefixes {
            // Keys are compared bytewise (COLLATE "C"): the prefix's range ends where '/' would be '0'.
            let end = format!("{}0", &p[..p.len() - 1]);
            let rows = sqlx::query("SELECT path, hash, engine FROM copydesk.documents WHERE path >= $1 AND path < $2")
                .bind(p)
                .bind(&end)
                .fetch_all(&*db.pool)
                .await?;
            for r in rows {
                out.insert(r.get::<String, _>(0), (r.get::<Vec<u8>, _>(1), r.get::<String, _>(2)));
            }
        }
        if !singles.is_empty() {
            let rows = sqlx::query("SELECT path, hash, engine FROM copydesk.documents WHERE path = ANY($1)")
                .bind(&singles)
                .fetch_all(&*db.pool)
                .await?;
            for r in rows {
                out.insert(r.get::<String, _>(0), (r.get::<Vec<u8>, _>(1), r.get::<String, _>(2)));
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// Stories written by another engine than `engine`.
pub(crate) fn other_engine_count(db: &Db, engine: &str) -> Result<u64> {
    let n: i64 = db.run("counting stories of another engine", async {
        sqlx::query_scalar("SELECT count(*) FROM copydesk.documents WHERE engine <> $1")
            .bind(engine)
            .fetch_one(&*db.pool)
            .await
    })?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_folder_name_and_the_path_inside() {
        let dir = tempfile::tempdir().unwrap();
        let wire = dir.path().join("wire");
        std::fs::create_dir_all(wire.join("2024")).unwrap();
        std::fs::write(wire.join("2024/a.txt"), "A story.\n").unwrap();
        std::fs::write(dir.path().join("note.txt"), "A note.\n").unwrap();
        let (roots, errors) = list(std::slice::from_ref(&wire), None, &[]).unwrap();
        assert!(errors.is_empty());
        assert_eq!(roots[0].prefix, "wire/");
        assert_eq!(key_of(&roots[0].prefix, &roots[0].base, &roots[0].files[0]), "wire/2024/a.txt");
        let (roots, _) = list(std::slice::from_ref(&wire), Some("/desk/notes/"), &[]).unwrap();
        assert_eq!(key_of(&roots[0].prefix, &roots[0].base, &roots[0].files[0]), "desk/notes/2024/a.txt");
        let (roots, _) = list(&[dir.path().join("note.txt")], None, &[]).unwrap();
        assert!(roots[0].single_file && !roots[0].removes && roots[0].prefix.is_empty());
        assert!(list(&[wire.clone(), wire], Some("x"), &[]).is_err());
        assert!(clean_prefix("a/../b").is_err());
    }
}
