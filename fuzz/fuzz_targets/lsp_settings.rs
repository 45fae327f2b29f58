//! The language server's settings (`initializationOptions`, `workspace/configuration`):
//! `Overrides::from_json` on any JSON, and `config::resolve` layering them.
//!
//! Properties: reading never fails, whatever the shape; the section may be sent bare or
//! under `copydesk` to the same effect; a debounce is at most a minute; severities name a
//! known code (or `*`); layered over no copydesk.toml, what a layer sets is what is in
//! force (paths joined to the root, claims added once, the last severity for a code).
#![no_main]

use copydesk_engine::settings::Settings;
use copydesk_engine::Code;
use copydesk_fuzz::utf8;
use copydesk_lsp::config::{resolve, Overrides};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// An empty folder with no copydesk.toml in it or above it.
fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("copydesk-fuzz-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        assert!(copydesk_store::Config::discover(&dir).is_none(), "a copydesk.toml above {}", dir.display());
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = utf8(data) else { return };
    let Ok(v) = serde_json::from_str::<Value>(text) else { return };
    let (o, _problems) = Overrides::from_json(&v);
    assert!(o.debounce_ms.is_none_or(|d| d <= 60_000), "{o:?}");
    assert!(o.severity.iter().all(|(c, _)| c == "*" || Code::parse(c).is_some()), "{o:?}");
    if v.is_object() && v.get("copydesk").is_none_or(|c| !c.is_object()) {
        let wrapped = Overrides::from_json(&json!({ "copydesk": v }));
        assert_eq!(wrapped, Overrides::from_json(&v), "bare and under \"copydesk\" differ");
    }

    let root = root();
    let eff = resolve(root, &[&o]);
    let defaults = resolve(root, &[]);
    assert_eq!(eff.debounce_ms, o.debounce_ms.unwrap_or(defaults.debounce_ms));
    assert_eq!(eff.max_document_bytes, o.max_document_bytes.unwrap_or(defaults.max_document_bytes));
    let paths: Option<Vec<PathBuf>> = o.corpus_paths.as_ref().map(|p| p.iter().map(|s| root.join(s)).collect());
    assert_eq!(eff.corpus_paths, paths.unwrap_or(defaults.corpus_paths));
    assert_eq!(eff.exclude, o.exclude.clone().unwrap_or(defaults.exclude));
    let mut claims = Vec::new();
    for c in &o.ignore {
        if !claims.contains(c) {
            claims.push(c.clone());
        }
    }
    assert_eq!(eff.settings.ignore, claims);
    for code in Code::ALL {
        let set = o.severity.iter().rev().find(|(c, _)| c == "*" || c == code.as_str()).map(|(_, s)| *s);
        assert_eq!(eff.settings.severity_of(code), set.unwrap_or(Settings::default().severity_of(code)), "{code}");
    }
    // Twice the same layer is that layer.
    let twice = resolve(root, &[&o, &o]);
    assert_eq!((twice.settings, twice.debounce_ms), (eff.settings, eff.debounce_ms));
});
