//! Command-line front end: argument parsing, loading, and exit codes.
//! Exit status: 0 no contradiction; 1 contradictions; 2 usage or input error.

use crate::render::terminal::escape;
use crate::render::{self, FileReport};
use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use copydesk_engine::check;
use copydesk_engine::corpus::CorpusIndex;
use copydesk_engine::settings::Settings;
use copydesk_engine::{analyze, LineIndex, TextFormat};
use copydesk_store::index::index_dir;
use copydesk_store::load::{self, FileKind, LoadError};
use copydesk_store::{store_for, Config, CorpusSpec, CorpusStore, LoadedCorpus, MemoryStore, PersistentStore};
use indicatif::{ProgressBar, ProgressStyle};
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
    /// A self-contained review page: the draft with every checked claim marked.
    Html,
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
        /// Analyze the corpus afresh in memory; neither read nor update the persistent index.
        #[arg(long)]
        no_index: bool,
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
    /// Build or update the persistent index of the corpus (see [index] in copydesk.toml).
    Index {
        /// Corpus file, folder or glob (repeatable); default: [corpus] paths in copydesk.toml.
        #[arg(long = "corpus", value_name = "PATH")]
        corpus: Vec<PathBuf>,
        /// Configuration file; default: copydesk.toml in this folder or the nearest above.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// A PostgreSQL store to ingest the corpus into, instead of the embedded index
        /// (default: COPYDESK_STORE_URL, else [store] url in copydesk.toml).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
    },
    /// Add, update and remove stories in the shared PostgreSQL store ([store] in copydesk.toml).
    Ingest {
        /// The store's URL (default: COPYDESK_STORE_URL, else [store] url); credentials from
        /// the libpq environment or a pgpass file.
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Key stories as NAME/path-inside-the-folder instead of the folder's own name.
        #[arg(long, value_name = "NAME")]
        prefix: Option<String>,
        /// Configuration file; default: copydesk.toml in this folder or the nearest above.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Files, folders or globs of stories.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Administer the shared PostgreSQL store: migrate, roles, status, reextract, verify.
    Store {
        #[arg(value_enum)]
        action: crate::store::StoreAction,
        /// The store's URL (default: COPYDESK_STORE_URL, else [store] url).
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Configuration file; default: copydesk.toml in this folder or the nearest above.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// With `roles`: print the SQL instead of running it.
        #[arg(long)]
        print: bool,
    },
    /// Run the language server on standard input and output.
    Lsp,
    /// Read one PDF or DOCX document from standard input and write its text as JSON: how
    /// the others read documents, each in a process of its own (see copydesk_store::documents).
    #[command(name = "read-document", hide = true)]
    ReadDocument {
        /// The document's format: pdf or docx.
        format: String,
    },
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // Documents (PDF, DOCX) are read by this program run as `read-document`: a parser that
    // crashes or hangs on a file takes only that process down.
    if let (false, Ok(exe)) = (matches!(cli.command, Command::ReadDocument { .. }), std::env::current_exe()) {
        copydesk_store::documents::read_in_helper_process(exe);
    }
    let result = match cli.command {
        Command::Check { corpus, config, format, no_index, paths } => {
            cmd_check(corpus, config, format, no_index, paths)
        }
        Command::Index { corpus, config, store } => cmd_index(corpus, config, store),
        Command::Ingest { store, prefix, config, paths } => crate::store::cmd_ingest(store, config, prefix, paths),
        Command::Store { action, store, config, print } => crate::store::cmd_store(action, store, config, print),
        Command::Claims { format, paths } => crate::claims::run(format == ClaimsFormat::Json, &paths),
        Command::Lsp => cmd_lsp(),
        Command::ReadDocument { format } => Ok(ExitCode::from(copydesk_store::documents::serve_helper(&format))),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // No credential reaches the terminal: known passwords and URLs are hidden.
            eprintln!("copydesk: error: {}", escape(&copydesk_store::postgres::scrub(&format!("{e:#}"))));
            ExitCode::from(2)
        }
    }
}

/// Exits with 0 after `shutdown` then `exit`, with 1 on an `exit` without `shutdown` (LSP).
fn cmd_lsp() -> Result<ExitCode> {
    Ok(ExitCode::from(copydesk_lsp::run_stdio()?.exit_code()))
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
        eprintln!("copydesk: {what}: {}", escape(&e.to_string()));
    }
}

fn corpus_spec(corpus: Vec<PathBuf>, config: &Config) -> Result<CorpusSpec> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    Ok(if corpus.is_empty() {
        if config.values.corpus.paths.is_empty() {
            bail!("no corpus: pass --corpus PATH, or set [corpus] paths in copydesk.toml");
        }
        CorpusSpec { paths: config.corpus_paths(), exclude: config.values.corpus.exclude.clone(), base: cwd }
    } else {
        CorpusSpec { paths: corpus, exclude: config.values.corpus.exclude.clone(), base: cwd }
    })
}

fn open_corpus(corpus: Vec<PathBuf>, config: &Config, no_index: bool) -> Result<LoadedCorpus> {
    // The shared archive, when one is configured: what the store holds, read as checks ask
    // (the corpus paths are what ingest reads, not this).
    let shared = if no_index { None } else { copydesk_store::postgres::StoreSettings::resolve(config, None)? };
    if let Some(settings) = shared {
        let reader = std::sync::Arc::new(copydesk_store::postgres::PgReader::open(&settings)?);
        let shown = reader.shown().to_string();
        let spec = CorpusSpec { paths: Vec::new(), exclude: Vec::new(), base: std::env::current_dir()? };
        let loaded = copydesk_store::postgres::PgCorpusStore { reader }.open(&spec, None)?;
        if loaded.index.is_empty() {
            bail!("the corpus is empty: the store at {shown} holds no stories (copydesk ingest adds them)");
        }
        return Ok(loaded);
    }
    let spec = corpus_spec(corpus, config)?;
    let loaded = if no_index { MemoryStore.open(&spec, None)? } else { store_for(config, &spec).open(&spec, None)? };
    report_load_errors("corpus", &loaded.errors);
    if loaded.index.is_empty() {
        bail!(
            "the corpus is empty: no readable .txt, .md, .html, .pdf or .docx file under {}",
            spec.paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(loaded)
}

/// Reads and checks one draft; keeps every verdict only when asked (the review page shows
/// them; the other formats need the findings alone, and a large run holds less).
pub fn check_file(
    corpus: &CorpusIndex,
    settings: &Settings,
    path: &Path,
    keep_verdicts: bool,
) -> Result<FileReport, LoadError> {
    let text = load::read_text(path)?;
    let display = path.to_string_lossy().into_owned();
    let analysis = analyze(&text, TextFormat::for_path(&display));
    let verdicts = check::check(corpus, &text, &analysis, settings);
    if std::env::var_os("COPYDESK_EXPLAIN").is_some() {
        // Debugging aid: every verdict, supported or not, with its evidence.
        for v in &verdicts {
            let (path, summary) = (escape(&display), escape(&v.summary));
            eprintln!("{path}: {:?} {:?} {:?}: {summary}", v.kind, v.status, v.span.slice(&text));
            if !v.reason.is_empty() {
                eprintln!("    why: {}", escape(&v.reason));
            }
            for e in &v.evidence {
                eprintln!("    {}: {}", escape(&render::evidence_at(e)), escape(&e.text));
            }
        }
    }
    let findings = check::findings(&verdicts);
    let verdicts = if keep_verdicts { verdicts } else { Vec::new() };
    Ok(FileReport { lines: LineIndex::new(&text), path: display, text, findings, verdicts })
}

fn cmd_index(corpus: Vec<PathBuf>, config: Option<PathBuf>, store: Option<String>) -> Result<ExitCode> {
    let config = find_config(config)?;
    let spec = corpus_spec(corpus, &config)?;
    if let Some(settings) = copydesk_store::postgres::StoreSettings::resolve(&config, store.as_deref())? {
        // A shared store: the corpus paths are ingested into it, each keyed by its folder's name.
        return crate::store::ingest(&settings, &spec.paths, None, &spec.exclude);
    }
    let Some(dir) = index_dir(&config, &spec) else {
        bail!("no place for the index: set [index] path in copydesk.toml (no user cache folder is known)");
    };
    if !config.values.index.enabled {
        eprintln!(
            "copydesk: note: [index] enabled = false in {}; `check` will not use this index",
            config.file.as_deref().unwrap_or(Path::new("copydesk.toml")).display()
        );
    }
    let store = PersistentStore::new(dir);
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} indexing {bar:40} {pos}/{len} sources ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let report = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let start = std::time::Instant::now();
    let (stats, errors) = store.index(&spec, Some(&report))?;
    let secs = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    report_load_errors("corpus", &errors);
    let mb = stats.bytes as f64 / 1e6;
    let mut out = std::io::stdout().lock();
    if let Some(why) = &stats.rebuilt {
        let _ = writeln!(out, "rebuilt: {why}");
    }
    let _ = writeln!(
        out,
        "{} stories: {} added, {} changed, {} removed, {} unchanged; {} claims ({} figures, {} quotes); {:.1} MB in {:.2} s ({:.1} MB/s)",
        stats.stories,
        stats.added,
        stats.changed,
        stats.removed,
        stats.unchanged,
        stats.claims(),
        stats.quantities,
        stats.quotes,
        mb,
        secs,
        mb / secs.max(1e-9),
    );
    let _ = writeln!(out, "index: {}", store.db_path(&spec).display());
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

fn cmd_check(
    corpus: Vec<PathBuf>,
    config: Option<PathBuf>,
    format: CheckFormat,
    no_index: bool,
    paths: Vec<PathBuf>,
) -> Result<ExitCode> {
    let config = find_config(config)?;
    let settings = config.settings();
    let (drafts, mut errors) = load::expand_paths(&paths, FileKind::Draft, &[]);
    let loaded = open_corpus(corpus, &config, no_index)?;
    let results: Vec<Result<FileReport, LoadError>> =
        drafts.par_iter().map(|d| check_file(&loaded.index, &settings, d, format == CheckFormat::Html)).collect();
    let mut reports = Vec::new();
    for r in results {
        match r {
            Ok(rep) => reports.push(rep),
            Err(e) => errors.push(e),
        }
    }
    report_load_errors("draft", &errors);
    // A store that failed a lookup (gone away, timed out) answered nothing for it: no
    // finding of this run can be trusted, so none is shown.
    if let Some(why) = loaded.index.base_failure() {
        bail!("the corpus store failed during the check, so nothing was reported: {why}");
    }
    let left_out = loaded.index.base_left_out();
    if left_out > 0 {
        eprintln!("copydesk: warning: {}", copydesk_store::postgres::left_out_message(left_out));
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let out: &mut dyn Write = &mut stdout;
    match format {
        CheckFormat::Human => render::human::write(
            out,
            &reports,
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ),
        CheckFormat::Json => render::json::write(out, &reports),
        CheckFormat::Sarif => render::sarif::write(out, &reports),
        CheckFormat::Github => render::github::write(out, &reports),
        CheckFormat::Html => render::html::write(out, &reports),
    }
    .and_then(|()| stdout.flush())
    .context("cannot write to standard output")?;
    let (contradictions, _) = render::tally(&reports);
    Ok(if !errors.is_empty() {
        ExitCode::from(2)
    } else if contradictions > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
