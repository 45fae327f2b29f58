//! The configuration in force: copydesk.toml, then `initializationOptions`,
//! then `workspace/configuration` (section `copydesk`), each layer overriding
//! the one before (see README.md).

use copydesk_engine::settings::Settings;
use copydesk_engine::{Code, Severity};
use copydesk_store::config::CONFIG_FILE;
use copydesk_store::postgres::StoreSettings;
use copydesk_store::Config;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The longest wait after an edit, from any layer: a larger one (a typo, or the same key
/// read from copydesk.toml and from a client) would leave documents unchecked for hours.
pub const MAX_DEBOUNCE_MS: u64 = 60_000;

/// Settings a client may override, parsed leniently from JSON.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub corpus_paths: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    /// (code or "*" for every code, severity)
    pub severity: Vec<(String, Severity)>,
    pub ignore: Vec<String>,
    pub debounce_ms: Option<u64>,
    pub max_document_bytes: Option<usize>,
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => Some(a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()),
        _ => None,
    }
}

fn get<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in dotted.split('.') {
        cur = cur.get(part)?;
    }
    (!cur.is_null()).then_some(cur)
}

fn first<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| get(v, k))
}

impl Overrides {
    /// Reads overrides from a client's JSON (`{"copydesk": {...}}` or the section itself).
    /// Problems are returned as messages; what can be read is kept.
    pub fn from_json(v: &Value) -> (Overrides, Vec<String>) {
        let v = v.get("copydesk").filter(|c| c.is_object()).unwrap_or(v);
        let mut o = Overrides::default();
        let mut problems = Vec::new();
        if !v.is_object() {
            if !v.is_null() {
                problems.push("copydesk settings must be an object".to_string());
            }
            return (o, problems);
        }
        if let Some(p) = first(v, &["corpusPaths", "corpus.paths"]) {
            match strings(p) {
                Some(s) => o.corpus_paths = Some(s),
                None => problems.push("corpusPaths must be a list of strings".into()),
            }
        }
        if let Some(p) = first(v, &["corpusExclude", "corpus.exclude"]) {
            match strings(p) {
                Some(s) => o.exclude = Some(s),
                None => problems.push("corpusExclude must be a list of strings".into()),
            }
        }
        match first(v, &["severity"]) {
            Some(Value::String(s)) => match Severity::parse(s) {
                Some(sev) => o.severity.push(("*".into(), sev)),
                None => problems.push(format!("severity \"{s}\": use error, warning, information, hint or off")),
            },
            Some(Value::Object(m)) => {
                for (code, sev) in m {
                    let sev_s = sev.as_str().unwrap_or("");
                    match (Code::parse(code), Severity::parse(sev_s)) {
                        (Some(_), Some(s)) => o.severity.push((code.clone(), s)),
                        (None, _) => problems.push(format!("severity: unknown code `{code}`")),
                        (_, None) => problems
                            .push(format!("severity.{code} = {sev}: use error, warning, information, hint or off")),
                    }
                }
            }
            Some(other) => problems.push(format!("severity must be a string or an object, not {other}")),
            None => {}
        }
        if let Some(p) = first(v, &["ignoreClaims", "ignore.claims"]) {
            match strings(p) {
                Some(s) => o.ignore = s,
                None => problems.push("ignoreClaims must be a list of strings".into()),
            }
        }
        if let Some(p) = first(v, &["debounceMs", "server.debounce_ms", "server.debounceMs"]) {
            match p.as_u64() {
                Some(n) => o.debounce_ms = Some(n.min(MAX_DEBOUNCE_MS)),
                None => problems.push(format!("debounceMs must be a whole number of milliseconds, not {p}")),
            }
        }
        if let Some(p) = first(v, &["maxDocumentBytes", "server.max_document_bytes", "server.maxDocumentBytes"]) {
            match p.as_u64() {
                Some(n) => o.max_document_bytes = Some(usize::try_from(n).unwrap_or(usize::MAX)),
                None => problems.push(format!("maxDocumentBytes must be a whole number, not {p}")),
            }
        }
        (o, problems)
    }
}

/// The configuration the server works with.
#[derive(Clone, Debug)]
pub struct Effective {
    /// Workspace root: corpus paths from the client are relative to it; evidence paths too.
    pub root: PathBuf,
    /// The copydesk.toml in force (existing), if any.
    pub file: Option<PathBuf>,
    pub corpus_paths: Vec<PathBuf>,
    pub exclude: Vec<String>,
    /// The shared PostgreSQL store (`[store]` in copydesk.toml, or `COPYDESK_STORE_URL`):
    /// when set, the corpus is what the store holds, and the corpus paths are not read.
    pub store: Option<StoreSettings>,
    pub settings: Settings,
    pub debounce_ms: u64,
    pub max_document_bytes: usize,
    /// Problems to tell the user about.
    pub problems: Vec<String>,
}

impl Effective {
    /// Where "ignore in project" writes: the file in force, else copydesk.toml at the root.
    pub fn toml_path(&self) -> PathBuf {
        self.file.clone().unwrap_or_else(|| self.root.join(CONFIG_FILE))
    }

    /// The corpus as the store wants it.
    pub fn corpus_key(&self) -> (Vec<PathBuf>, Vec<String>) {
        (self.corpus_paths.clone(), self.exclude.clone())
    }

    /// Whether `other` checks against the same corpus: the same files, or the same shared store.
    pub fn same_corpus(&self, other: &Effective) -> bool {
        let store = |e: &Effective| e.store.as_ref().map(|s| (s.url.clone(), s.read_url.clone()));
        self.corpus_key() == other.corpus_key() && store(self) == store(other)
    }
}

/// Reads copydesk.toml (found from `root` upwards, as the CLI does from its folder) and applies the layers.
pub fn resolve(root: &Path, layers: &[&Overrides]) -> Effective {
    let mut problems = Vec::new();
    let config = match Config::discover(root) {
        Some(f) => match Config::load(&f) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{e:#}"));
                Config {
                    root: f.parent().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf()),
                    file: Some(f),
                    values: Default::default(),
                }
            }
        },
        None => Config::empty(root),
    };
    let store = StoreSettings::resolve(&config, None).unwrap_or_else(|e| {
        problems.push(format!("{e:#}"));
        None
    });
    let mut eff = Effective {
        root: root.to_path_buf(),
        file: config.file.clone(),
        corpus_paths: config.corpus_paths(),
        exclude: config.values.corpus.exclude.clone(),
        store,
        settings: config.settings(),
        debounce_ms: config.values.server.debounce_ms.min(MAX_DEBOUNCE_MS),
        max_document_bytes: config.values.server.max_document_bytes,
        problems,
    };
    for o in layers {
        apply(&mut eff, o);
    }
    eff
}

fn apply(eff: &mut Effective, o: &Overrides) {
    if let Some(p) = &o.corpus_paths {
        eff.corpus_paths = p.iter().map(|s| eff.root.join(s)).collect();
    }
    if let Some(e) = &o.exclude {
        eff.exclude = e.clone();
    }
    for (code, sev) in &o.severity {
        if code == "*" {
            for c in Code::ALL {
                eff.settings.severity.insert(c, *sev);
            }
        } else if let Some(c) = Code::parse(code) {
            eff.settings.severity.insert(c, *sev);
        }
    }
    for i in &o.ignore {
        if !eff.settings.ignore.contains(i) {
            eff.settings.ignore.push(i.clone());
        }
    }
    if let Some(d) = o.debounce_ms {
        eff.debounce_ms = d;
    }
    if let Some(m) = o.max_document_bytes {
        eff.max_document_bytes = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_layers_win_and_ignores_add_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[corpus]\npaths=[\"a\"]\n[severity]\nmisquote=\"error\"\nnumber-mismatch=\"hint\"\n[ignore]\nclaims=[\"x\"]\n[server]\ndebounce_ms=10\n",
        )
        .unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let (init, p1) = Overrides::from_json(
            &json!({"corpus": {"paths": ["b"]}, "severity": {"misquote": "hint"}, "debounceMs": 20, "ignoreClaims": ["y"]}),
        );
        let (ws, p2) = Overrides::from_json(&json!({"copydesk": {"corpusPaths": ["c"], "debounceMs": 0}}));
        assert!(p1.is_empty() && p2.is_empty(), "{p1:?} {p2:?}");
        let e = resolve(&root, &[]);
        assert_eq!(e.corpus_paths, vec![root.join("a")]);
        assert_eq!(e.debounce_ms, 10);
        let e = resolve(&root, &[&init]);
        assert_eq!(e.corpus_paths, vec![root.join("b")]);
        assert_eq!(e.settings.severity_of(Code::Misquote), Severity::Hint);
        assert_eq!(e.settings.severity_of(Code::NumberMismatch), Severity::Hint);
        assert_eq!(e.debounce_ms, 20);
        let e = resolve(&root, &[&init, &ws]);
        assert_eq!(e.corpus_paths, vec![root.join("c")]);
        assert_eq!(e.debounce_ms, 0);
        assert_eq!(e.settings.ignore, vec!["x".to_string(), "y".to_string()]);
    }

    /// Found by the config fuzz target: copydesk.toml's `debounce_ms` was used as written while
    /// the same key from a client was capped at a minute (`debounce_ms = 90000000` in the
    /// file: a document checked a day after its last edit).
    #[test]
    fn the_file_and_a_client_cap_the_debounce_alike() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "[server]\ndebounce_ms = 90000000\n").unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolve(&root, &[]).debounce_ms, MAX_DEBOUNCE_MS);
        let (client, problems) = Overrides::from_json(&json!({"server": {"debounce_ms": 90_000_000}}));
        assert!(problems.is_empty());
        assert_eq!(resolve(&root, &[&client]).debounce_ms, MAX_DEBOUNCE_MS);
    }

    #[test]
    fn bad_values_are_reported_not_fatal() {
        let (o, p) = Overrides::from_json(
            &json!({"severity": {"nope": "error", "misquote": "loud"}, "debounceMs": "soon", "corpusPaths": 3}),
        );
        assert_eq!(p.len(), 4, "{p:?}");
        assert_eq!(o, Overrides::default());
        let (_, p) = Overrides::from_json(&json!("text"));
        assert_eq!(p.len(), 1);
    }
}
