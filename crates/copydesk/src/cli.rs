//! Command-line front end: argument parsing, loading, and exit codes.
//! Exit status: 0 no contradiction; 1 contradictions; 2 usage or input error.

use crate::render::{self, FileReport};
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use copydesk_engine::check;
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, LineIndex, TextFormat};
use copydesk_store::load::{self, FileKind, LoadError};
use copydesk_store::{Config, CorpusSpec, CorpusStore, LoadedCorpus, MemoryStore};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "copydesk", version, about = "Checks a draft's numbers, quotes and attributions against its sources")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ClaimsFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check drafts (.md, .markdown, .txt files, or folders of them) against the corpus.
    Check {
        /// Corpus file, folder or glob (repeatable); default: [corpus] paths in copydesk.toml.
        #[arg(long = "corpus", value_name = "PATH")]
        corpus: Vec<PathBuf>,
        /// Configuration file; default: copydesk.toml in this folder or the nearest above.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: CheckFormat,
        /// Drafts to check.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print the claims extracted from files (for debugging and evaluation).
    Claims {
        #[arg(long, value_enum, default_value = "human")]
        format: ClaimsFormat,
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Run the language server on standard input and output.
    Lsp,
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Check { corpus, config, format, paths } => cmd_check(corpus, config, format, paths),
        Command::Claims { format, paths } => crate::claims::run(format == ClaimsFormat::Json, &paths),
        Command::Lsp => cmd_lsp(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("copydesk: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn cmd_lsp() -> Result<ExitCode> {
    copydesk_lsp::run_stdio()?;
    Ok(ExitCode::SUCCESS)
}

/// The configuration in force: `--config`, else copydesk.toml found from the current folder.
pub fn find_config(explicit: Option<PathBuf>) -> Result<Config> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    match explicit {
        Some(f) => Config::load(&f),
        None => match Config::discover(&cwd) {
            Some(f) => Config::load(&f),
            None => Ok(Config::empty(&cwd)),
        },
    }
}

fn report_load_errors(what: &str, errors: &[LoadError]) {
    for e in errors {
        eprintln!("copydesk: {what}: {e}");
    }
}

fn open_corpus(corpus: Vec<PathBuf>, config: &Config) -> Result<LoadedCorpus> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let spec = if corpus.is_empty() {
        if config.values.corpus.paths.is_empty() {
            bail!("no corpus: pass --corpus PATH, or set [corpus] paths in copydesk.toml");
        }
        CorpusSpec { paths: config.corpus_paths(), exclude: config.values.corpus.exclude.clone(), base: cwd }
    } else {
        CorpusSpec { paths: corpus, exclude: config.values.corpus.exclude.clone(), base: cwd }
    };
    let loaded = MemoryStore.open(&spec, None)?;
    report_load_errors("corpus", &loaded.errors);
    if loaded.index.is_empty() {
        bail!("the corpus is empty: no readable .txt, .md or .html file under {}", spec.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    Ok(loaded)
}

/// Reads and checks one draft.
pub fn check_file(corpus: &CorpusIndex, settings: &Settings, path: &Path) -> Result<FileReport, LoadError> {
    let text = load::read_text(path)?;
    let display = path.to_string_lossy().into_owned();
    let analysis = analyze(&text, TextFormat::for_path(&display));
    let verdicts = check::check(corpus, &text, &analysis, settings);
    let findings = check::findings(&verdicts);
    Ok(FileReport { lines: LineIndex::new(&text), path: display, text, findings })
}

fn cmd_check(corpus: Vec<PathBuf>, config: Option<PathBuf>, format: CheckFormat, paths: Vec<PathBuf>) -> Result<ExitCode> {
    let config = find_config(config)?;
    let settings = config.settings();
    let (drafts, mut errors) = load::expand_paths(&paths, FileKind::Draft, &[]);
    let loaded = open_corpus(corpus, &config)?;
    let results: Vec<Result<FileReport, LoadError>> = drafts.par_iter().map(|d| check_file(&loaded.index, &settings, d)).collect();
    let mut reports = Vec::new();
    for r in results {
        match r {
            Ok(rep) => reports.push(rep),
            Err(e) => errors.push(e),
        }
    }
    report_load_errors("draft", &errors);
    let out = match format {
        CheckFormat::Human => render::human::render(&reports, std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()),
        CheckFormat::Json => render::json::render(&reports),
        CheckFormat::Sarif => render::sarif::render(&reports),
        CheckFormat::Github => render::github::render(&reports),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes()).context("cannot write to standard output")?;
    let (contradictions, _) = render::tally(&reports);
    Ok(if !errors.is_empty() {
        ExitCode::from(2)
    } else if contradictions > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
