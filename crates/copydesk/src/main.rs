//! The `copydesk` command: `check`, `claims`, `index`, `ingest`, `store` and `lsp` over the engine.

mod claims;
mod cli;
mod render;
mod store;

use std::process::ExitCode;

/// Extraction and checking allocate many small strings across threads; mimalloc
/// serves them faster than the system allocator (see ARCHITECTURE.md, "Performance").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run()
}
