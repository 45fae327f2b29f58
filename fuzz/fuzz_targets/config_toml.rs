//! copydesk.toml as the store reads it (`Config::parse`), as the language server reads the
//! same settings sent as JSON (`Overrides::from_json`), and as "ignore in project" edits it
//! (`actions::add_ignore_claim`).
//!
//! Input: the file's text, then optionally a NUL and a claim to ignore.
//!
//! Properties: an error names the file; a configuration read is written back as TOML and
//! read again unchanged; the same table sent by a client as settings is read without
//! problems, and the configuration the server resolves from it is the one it resolves
//! from the file (corpus paths, excludes, severities, ignored claims, the server keys);
//! adding an ignored claim edits the text at a char boundary into a file that reads as
//! before with that one claim more.
#![no_main]

use copydesk_fuzz::utf8;
use copydesk_lsp::actions::add_ignore_claim;
use copydesk_lsp::config::{resolve, Effective, Overrides};
use copydesk_store::config::CONFIG_FILE;
use copydesk_store::Config;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Two empty folders with no copydesk.toml above them: one for the file, one without.
fn folders() -> &'static (PathBuf, PathBuf) {
    static FOLDERS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    FOLDERS.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("copydesk-fuzz-config-{}", std::process::id()));
        let (a, b) = (base.join("with-file"), base.join("without"));
        for d in [&a, &b] {
            std::fs::create_dir_all(d).expect("a temporary folder");
        }
        assert!(Config::discover(&base).is_none(), "a copydesk.toml above {}", base.display());
        (std::fs::canonicalize(a).expect("made"), std::fs::canonicalize(b).expect("made"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = utf8(data) else { return };
    let (text, claim) = input.split_once('\0').unwrap_or((input, "1.2 million"));
    let file = Path::new("/w/copydesk.toml");
    let config = match Config::parse(text, file) {
        Ok(c) => c,
        Err(e) => {
            assert!(format!("{e:#}").contains("copydesk.toml"), "an error that does not name the file: {e:#}");
            return;
        }
    };
    let values = &config.values;

    // Written back and read again.
    let written = toml::to_string(values).expect("a configuration read can be written");
    let again = Config::parse(&written, file).unwrap_or_else(|e| panic!("{written:?} does not read back: {e:#}"));
    assert_eq!(&again.values, values, "{written:?}");

    // The same table as a client's settings: what the server then works with is what it
    // works with when the file says it.
    let table: toml::Table = toml::from_str(text).expect("read once, read again");
    let json = serde_json::to_value(&table).expect("a TOML table is JSON");
    let (o, problems) = Overrides::from_json(&json);
    assert!(problems.is_empty(), "settings the file accepts, refused as JSON: {problems:?}");
    let (with_file, without) = folders();
    std::fs::write(with_file.join(CONFIG_FILE), text).expect("a temporary copydesk.toml");
    let from_file = resolve(with_file, &[]);
    let from_client = resolve(without, &[&o]);
    assert!(from_file.problems.is_empty(), "{:?}", from_file.problems);
    let relative = |e: &Effective| -> Vec<PathBuf> {
        e.corpus_paths.iter().map(|p| p.strip_prefix(&e.root).unwrap_or(p).to_path_buf()).collect()
    };
    assert_eq!(relative(&from_file), relative(&from_client), "corpus paths");
    assert_eq!(from_file.exclude, from_client.exclude, "corpus exclude");
    assert_eq!(from_file.settings.severity, from_client.settings.severity, "severity");
    // A client's repeated claim is kept once, the file's as written: the same claims ignored.
    let mut once: Vec<&String> = Vec::new();
    for c in &from_file.settings.ignore {
        if !once.contains(&c) {
            once.push(c);
        }
    }
    assert!(once.iter().copied().eq(&from_client.settings.ignore), "ignored claims");
    assert_eq!(from_file.debounce_ms, from_client.debounce_ms, "debounce_ms");
    assert_eq!(from_file.max_document_bytes, from_client.max_document_bytes, "max_document_bytes");

    // "Ignore in project".
    if let Some((at, insert)) = add_ignore_claim(text, claim) {
        assert!(text.is_char_boundary(at), "inserts inside a character at {at}");
        let mut new = text.to_string();
        new.insert_str(at, &insert);
        let edited = Config::parse(&new, file).unwrap_or_else(|e| panic!("the edit broke the file: {e:#}\n{new}"));
        let mut claims = edited.values.ignore.claims.clone();
        let k = claims.iter().position(|c| c == claim).expect("the claim is ignored after the edit");
        claims.remove(k);
        assert_eq!(claims, values.ignore.claims, "the edit changed other claims");
        let mut rest = edited.values.clone();
        rest.ignore = values.ignore.clone();
        assert_eq!(&rest, values, "the edit changed another setting");
    } else {
        assert!(values.ignore.claims.iter().any(|c| c == claim) || !text.trim().is_empty(), "blank file refused");
    }
});
