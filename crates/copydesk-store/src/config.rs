//! `copydesk.toml`: found by walking up from a directory, shared by the CLI and the server.
//!
//! ```toml
//! [corpus]
//! paths = ["sources"]        # files, folders or globs, relative to this file
//! exclude = ["**/drafts/**"] # globs of corpus files to leave out
//!
//! [severity]                 # per-code severity: error, warning, information, hint, off
//! unsourced-number = "off"
//!
//! [ignore]
//! claims = ["1.2 million"]   # flagged texts never to report
//!
//! [server]
//! debounce_ms = 150          # wait after an edit before checking (0 allowed)
//! max_document_bytes = 1048576
//!
//! [index]
//! enabled = true             # keep a persistent index of the corpus
//! path = ".copydesk"         # where, relative to this file
//!
//! [store]                    # a shared PostgreSQL store instead of the embedded index
//! url = "postgres://db.newsroom/copydesk?sslmode=verify-full"  # or COPYDESK_STORE_URL
//! read_url = "postgres://replica.newsroom/copydesk"           # or COPYDESK_STORE_READ_URL
//! connect_timeout_ms = 5000
//! statement_timeout_ms = 10000
//! ```

use anyhow::{bail, Context, Result};
use copydesk_engine::settings::Settings;
use copydesk_engine::{Code, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "copydesk.toml";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusSection {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreSection {
    #[serde(default)]
    pub claims: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    #[serde(default = "default_debounce")]
    pub debounce_ms: u64,
    #[serde(default = "default_max_doc")]
    pub max_document_bytes: usize,
}

fn default_debounce() -> u64 {
    150
}
fn default_max_doc() -> usize {
    1 << 20
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection { debounce_ms: default_debounce(), max_document_bytes: default_max_doc() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSection {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "default_index_path")]
    pub path: String,
}

fn yes() -> bool {
    true
}
fn default_index_path() -> String {
    ".copydesk".to_string()
}

impl Default for IndexSection {
    fn default() -> Self {
        IndexSection { enabled: true, path: default_index_path() }
    }
}

/// `[store]`: a shared PostgreSQL store (see `crate::postgres`). Credentials belong in the
/// libpq environment or a pgpass file, not here; a password written in a URL is accepted but
/// never shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// The primary: ingest writes here, and readers read here unless `read_url` is set.
    pub url: Option<String>,
    /// A streaming replica for readers.
    pub read_url: Option<String>,
    /// How long a connection attempt may take (default 5,000 ms).
    pub connect_timeout_ms: Option<u64>,
    /// How long one statement may run (default 10,000 ms).
    pub statement_timeout_ms: Option<u64>,
}

/// The contents of a copydesk.toml.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub corpus: CorpusSection,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub ignore: IgnoreSection,
    #[serde(default)]
    pub server: ServerSection,
    #[serde(default)]
    pub index: IndexSection,
    #[serde(default)]
    pub store: StoreSection,
}

/// A configuration and the folder its relative paths are relative to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub root: PathBuf,
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    pub values: ConfigFile,
}

impl Config {
    /// A configuration with defaults, rooted at `root`.
    pub fn empty(root: &Path) -> Self {
        Config { root: root.to_path_buf(), file: None, values: ConfigFile::default() }
    }

    /// Parses TOML text; errors name the file and the key.
    pub fn parse(text: &str, file: &Path) -> Result<Self> {
        let values: ConfigFile =
            toml::from_str(text).with_context(|| format!("{}: invalid configuration", file.display()))?;
        // Read as TOML has it too: a number the settings would take as unsigned is refused
        // past TOML's integers (signed 64-bit), as every other TOML reader (an editor
        // sending the same table as settings) refuses it.
        toml::from_str::<toml::Table>(text).with_context(|| format!("{}: invalid configuration", file.display()))?;
        for (code, sev) in &values.severity {
            if Code::parse(code).is_none() {
                let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                bail!("{}: [severity] has unknown code `{code}` (known: {})", file.display(), known.join(", "));
            }
            if Severity::parse(sev).is_none() {
                bail!(
                    "{}: [severity] {code} = \"{sev}\": use error, warning, information, hint or off",
                    file.display()
                );
            }
        }
        for (key, url) in [("url", &values.store.url), ("read_url", &values.store.read_url)] {
            if let Some(url) = url {
                crate::postgres::remember_secrets_of(url);
                if !crate::postgres::is_postgres_url(url) {
                    bail!(
                        "{}: [store] {key} = \"{}\": use a postgres:// URL",
                        file.display(),
                        crate::postgres::redact(url)
                    );
                }
            }
        }
        for pattern in &values.corpus.exclude {
            if let Err(e) = globset::Glob::new(pattern) {
                bail!("{}: [corpus] exclude \"{pattern}\" is not a valid glob: {}", file.display(), e.kind());
            }
        }
        let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Config { root, file: Some(file.to_path_buf()), values })
    }

    pub fn load(file: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("{}: cannot read configuration", file.display()))?;
        Self::parse(&text, file)
    }

    /// Finds copydesk.toml in `start` or the nearest folder above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        start.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file())
    }

    /// The engine's settings: severities and ignored claims.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::default();
        for (code, sev) in &self.values.severity {
            if let (Some(c), Some(v)) = (Code::parse(code), Severity::parse(sev)) {
                s.severity.insert(c, v);
            }
        }
        s.ignore = self.values.ignore.claims.clone();
        s
    }

    /// Corpus paths (files, folders or globs) resolved against the root.
    pub fn corpus_paths(&self) -> Vec<PathBuf> {
        self.values.corpus.paths.iter().map(|p| self.root.join(p)).collect()
    }

    pub fn index_dir(&self) -> PathBuf {
        self.root.join(&self.values.index.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_key() {
        let c = Config::parse(
            "[corpus]\npaths=[\"s\"]\nexclude=[\"x\"]\n[severity]\nmisquote=\"error\"\n[ignore]\nclaims=[\"5\"]\n[server]\ndebounce_ms=0\nmax_document_bytes=10\n[index]\nenabled=false\npath=\"i\"\n",
            Path::new("/w/copydesk.toml"),
        )
        .unwrap();
        assert_eq!(c.corpus_paths(), vec![PathBuf::from("/w/s")]);
        assert_eq!(c.settings().severity_of(Code::Misquote), Severity::Error);
        assert_eq!(c.values.server.debounce_ms, 0);
        assert!(!c.values.index.enabled);
    }

    #[test]
    fn errors_name_the_problem() {
        let e = Config::parse("[severity]\nmisqoute=\"error\"\n", Path::new("c.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("misqoute"));
        let e = Config::parse("[corpus]\npath=[1]\n", Path::new("c.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("c.toml"));
        let e = Config::parse("[server]\ndebounce_ms=\"x\"", Path::new("c.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("debounce_ms"), "{e:#}");
        // Past TOML's integers (a fuzzed file): refused, naming the file and the value.
        let e = Config::parse("[server]\ndebounce_ms = 10000000000000000085\n", Path::new("c.toml")).unwrap_err();
        assert!(format!("{e:#}").contains("c.toml") && format!("{e:#}").contains("too large"), "{e:#}");
        let e = Config::parse("[corpus]\nexclude=[\"**/drafts/**\", \"notes/[a\"]\n", Path::new("c.toml")).unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("c.toml") && e.contains("[corpus] exclude") && e.contains("notes/[a"), "{e}");
    }
}
