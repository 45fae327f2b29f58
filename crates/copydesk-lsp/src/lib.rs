//! copydesk's language server: checks drafts as they are edited and shows
//! findings as diagnostics, hovers, go-to-source and quick fixes.
//!
//! [`run_stdio`] is what `copydesk lsp` runs; [`serve`] runs the server over
//! any pair of streams (the tests use an in-memory duplex).

pub mod actions;
pub mod config;
pub mod document;
pub mod render;
mod server;
mod transport;

pub use server::Backend;

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serves the Language Server Protocol over `input` and `output` until `exit`.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (service, socket) = LspService::new(Backend::new);
    // client → guard → server, server → pump → writer ← guard's error answers
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut input = Some(Box::pin(transport::pump_input(input, to_server, frames_tx.clone())));
    let mut server_side = Box::pin(async {
        tokio::join!(
            Server::new(server_in, server_out, socket).serve(service),
            transport::pump_output(from_server, frames_tx)
        )
    });
    let mut server_done = false;
    let mut writer = Box::pin(transport::write_frames(output, frames_rx));
    loop {
        tokio::select! {
            _ = &mut server_side, if !server_done => {
                server_done = true;
                input = None; // stop reading; the writer ends once its senders are gone
            }
            _ = until_done(&mut input) => input = None,
            _ = &mut writer => break,
        }
    }
}

/// Awaits an optional future; never completes when there is none.
async fn until_done<F: std::future::Future + Unpin>(f: &mut Option<F>) {
    match f {
        Some(f) => {
            f.await;
        }
        None => std::future::pending().await,
    }
}

/// Serves the Language Server Protocol on standard input and output until `exit`.
pub fn run_stdio() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The blocking stdin reader (and any check in flight) must not hold the process open.
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}
