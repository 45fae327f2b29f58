//! Where the index of a corpus lives, and the key of each file in it.

use crate::{Config, CorpusSpec};
use std::path::{Path, PathBuf};

pub(super) fn key_of(path: &Path) -> String {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().into_owned()
}

/// The user's cache folder (`$XDG_CACHE_HOME`, else the platform's).
fn user_cache_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|x| !x.is_empty()) {
        return Some(PathBuf::from(x));
    }
    if cfg!(windows) {
        return std::env::var_os("LOCALAPPDATA").map(PathBuf::from);
    }
    let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
    Some(if cfg!(target_os = "macos") { home.join("Library/Caches") } else { home.join(".cache") })
}

/// Hash of the canonical corpus paths: names the index of one corpus.
pub fn corpus_key(spec: &CorpusSpec) -> String {
    let mut paths: Vec<String> = spec
        .paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.clone())))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    let mut h = blake3::Hasher::new();
    for p in &paths {
        h.update(p.as_bytes());
        h.update(b"\0");
    }
    h.finalize().to_hex()[..16].to_string()
}

/// Where the index of this corpus lives: the `[index] path` folder when a
/// copydesk.toml is in force, else a per-corpus folder in the user's cache
/// (never inside the corpus folders unless configured so). Cache folders of
/// corpora that no longer exist are removed on the way.
pub fn index_dir(config: &Config, spec: &CorpusSpec) -> Option<PathBuf> {
    if config.file.is_some() {
        Some(config.index_dir())
    } else {
        let dir = user_cache_dir()?.join("copydesk").join(corpus_key(spec));
        tend_cache(&dir, spec);
        Some(dir)
    }
}

/// Name of the file, in a per-corpus cache folder, listing the corpus paths it indexes.
const CORPUS_LIST: &str = "corpus-paths.txt";

/// Puts a `.gitignore` that ignores everything in the index folder (`.copydesk/` beside a
/// copydesk.toml is inside a project), unless it has one: the index never shows up in a
/// user's commits. A folder that cannot be written to is left as it is.
pub(super) fn ignore_in_git(dir: &Path) {
    let file = dir.join(".gitignore");
    if !file.exists() {
        let _ = std::fs::write(file, "# copydesk's index: made by `copydesk index`, safe to delete\n*\n");
    }
}

/// Records which corpus a cache folder indexes, and removes the cache folders
/// of corpora whose paths are all gone (temporary folders, deleted projects).
fn tend_cache(dir: &Path, spec: &CorpusSpec) {
    let Some(parent) = dir.parent() else { return };
    if dir.join(CORPUS_LIST).exists() {
        return;
    }
    let _ = std::fs::create_dir_all(dir);
    let list: Vec<String> = spec.paths.iter().map(|p| key_of(p)).collect();
    let _ = std::fs::write(dir.join(CORPUS_LIST), list.join("\n") + "\n");
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let other = entry.path();
        let Ok(listed) = std::fs::read_to_string(other.join(CORPUS_LIST)) else { continue };
        if other != dir && listed.lines().filter(|l| !l.is_empty()).all(|l| !Path::new(l).exists()) {
            let _ = std::fs::remove_dir_all(&other);
        }
    }
}
