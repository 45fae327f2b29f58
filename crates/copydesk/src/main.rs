//! The `copydesk` command: `check`, `claims`, `index` and `lsp` over the engine.

mod claims;
mod cli;
mod render;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
