//! The shared PostgreSQL store from the command line: `copydesk ingest`, `copydesk index`
//! when `[store] url` names one, and `copydesk store migrate|roles|status|reextract`.
//! Every URL shown has its password hidden; every error goes through the store's `scrub`.

use crate::cli::find_config;
use anyhow::{bail, Result};
use copydesk_store::load::LoadError;
use copydesk_store::postgres::{PgReader, PgStore, StoreSettings, ROLES_SQL};
use copydesk_store::Config;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The store in force, or an error saying how to name one.
pub fn settings(config: &Config, flag: Option<&str>) -> Result<StoreSettings> {
    match StoreSettings::resolve(config, flag)? {
        Some(s) => Ok(s),
        None => bail!("no store: pass --store URL, set COPYDESK_STORE_URL, or [store] url in copydesk.toml"),
    }
}

/// A progress bar on a terminal (the index's style), hidden otherwise.
fn progress_bar(what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} {{bar:40}} {{pos}}/{{len}} stories ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn report_errors(errors: &[LoadError]) {
    for e in errors {
        eprintln!("copydesk: ingest: {}", crate::render::terminal::escape(&e.to_string()));
    }
}

/// `copydesk ingest [--store URL] [--prefix NAME] PATH...`
pub fn cmd_ingest(
    store: Option<String>,
    config: Option<PathBuf>,
    prefix: Option<String>,
    paths: Vec<PathBuf>,
) -> Result<ExitCode> {
    let config = find_config(config)?;
    let settings = settings(&config, store.as_deref())?;
    ingest(&settings, &paths, prefix.as_deref(), &config.values.corpus.exclude)
}

/// Ingests `paths` and prints the summary; exit 2 when a file could not be read.
pub fn ingest(
    settings: &StoreSettings,
    paths: &[PathBuf],
    prefix: Option<&str>,
    exclude: &[String],
) -> Result<ExitCode> {
    let store = PgStore::connect(settings)?;
    let bar = progress_bar("ingesting");
    let report = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let start = Instant::now();
    let (stats, errors) = store.ingest(paths, prefix, exclude, Some(&report))?;
    let secs = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    report_errors(&errors);
    let written = stats.added + stats.updated;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} files: {} added, {} updated, {} unchanged, {} removed, {} failed; {:.1} MB in {:.2} s ({:.1} stories/s written)",
        stats.files,
        stats.added,
        stats.updated,
        stats.unchanged,
        stats.removed,
        stats.failed,
        stats.bytes as f64 / 1e6,
        secs,
        written as f64 / secs.max(1e-9),
    );
    let generation = stats.generation.map_or_else(|| "unchanged".to_string(), |g| g.to_string());
    let _ = writeln!(out, "store: {} (role {}, generation {generation})", store.shown(), store.role());
    if stats.other_engine > 0 {
        let _ = writeln!(
            out,
            "note: {} stories were analyzed by another copydesk engine: `copydesk store reextract` brings them up to date",
            stats.other_engine
        );
    }
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

/// What `copydesk store` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreAction {
    /// Create or migrate the schema (as its owner).
    Migrate,
    /// Create the copydesk_reader and copydesk_ingest roles and grant their rights (as the
    /// schema's owner); with --print, only print the SQL.
    Roles,
    /// The store's schema version, counts and generation.
    Status,
    /// Re-analyze the stories written by another engine, a batch per transaction.
    Reextract,
    /// Check that every story's rows and the shared counts are in step (exit 1 if not).
    Verify,
}

pub fn cmd_store(action: StoreAction, store: Option<String>, config: Option<PathBuf>, print: bool) -> Result<ExitCode> {
    if action == StoreAction::Roles && print {
        print!("{ROLES_SQL}");
        return Ok(ExitCode::SUCCESS);
    }
    let config = find_config(config)?;
    let settings = settings(&config, store.as_deref())?;
    let mut out = std::io::stdout().lock();
    match action {
        StoreAction::Migrate => {
            let store = PgStore::connect(&settings)?;
            let applied = store.migrate()?;
            let version = store.schema_version()?.unwrap_or(0);
            let _ = match applied.as_slice() {
                [] => writeln!(out, "store: {}: schema at version {version}, nothing to do", store.shown()),
                v => writeln!(out, "store: {}: applied migrations {v:?}; schema at version {version}", store.shown()),
            };
        }
        StoreAction::Roles => {
            let store = PgStore::connect(&settings)?;
            store.create_roles()?;
            let _ = writeln!(
                out,
                "store: {}: roles copydesk_reader and copydesk_ingest ready; grant them with `GRANT copydesk_reader TO alice;`",
                store.shown()
            );
        }
        StoreAction::Status => {
            let reader = PgReader::open(&settings)?;
            let s = reader.stats()?;
            let _ = writeln!(
                out,
                "store: {} (role {}{}): {} stories, {} sentences, generation {}",
                reader.shown(),
                reader.role(),
                if reader.on_replica() { ", replica" } else { "" },
                s.documents,
                s.sentences,
                s.generation
            );
        }
        StoreAction::Verify => {
            let store = PgStore::connect(&settings)?;
            let problems = store.verify()?;
            for p in &problems {
                let _ = writeln!(out, "out of step: {p}");
            }
            if !problems.is_empty() {
                return Ok(ExitCode::from(1));
            }
            let _ = writeln!(out, "store: {}: consistent", store.shown());
        }
        StoreAction::Reextract => {
            let store = PgStore::connect(&settings)?;
            let bar = progress_bar("re-extracting");
            let report = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let start = Instant::now();
            let s = store.reextract(Some(&report))?;
            bar.finish_and_clear();
            let _ = writeln!(
                out,
                "{} stories of another engine: {} re-extracted, {} changed meanwhile (left as ingested), {} unreadable; {:.2} s",
                s.found,
                s.reextracted,
                s.skipped,
                s.failed,
                start.elapsed().as_secs_f64()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
