//! copydesk's language server. (Being written; `run_stdio` is the entry point the CLI calls.)

/// Serves the Language Server Protocol on standard input and output until `exit`.
pub fn run_stdio() -> anyhow::Result<()> {
    anyhow::bail!("the language server is not implemented yet")
}
