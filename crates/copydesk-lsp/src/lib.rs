//! copydesk's language server: checks drafts as they are edited and shows
//! findings as diagnostics, hovers, go-to-source and quick fixes.
//!
//! [`run_stdio`] is what `copydesk lsp` runs; [`serve`] runs the server over
//! any pair of streams (the tests use an in-memory duplex).

pub mod actions;
pub mod checked;
pub mod config;
pub mod document;
pub mod hover;
pub mod render;
mod server;
mod transport;

/// Entry points of the fuzz targets (`fuzz/`); no part of the API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::transport::read_client_frames;
}

pub use server::Backend;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Requests handled at once. A request waiting for its document's check holds no
/// thread, but it holds one of these: enough that waiting ones never hold up the rest.
const CONCURRENT_REQUESTS: usize = 128;

/// Knobs the tests turn; [`Options::default`] is what `copydesk lsp` runs.
#[doc(hidden)]
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Added to every check (on its blocking thread): a stand-in for a slow document.
    pub check_delay: Duration,
    /// Added to every indexing run before it syncs the files it listed (on its blocking
    /// thread): a stand-in for a large corpus.
    pub sync_delay: Duration,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// `exit` (or the end of input) after `shutdown`.
    AfterShutdown,
    /// `exit` (or the end of input) without `shutdown` first.
    WithoutShutdown,
}

impl Ending {
    /// The process's exit code, as LSP asks: 0 after `shutdown`, else 1.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::AfterShutdown => 0,
            Ending::WithoutShutdown => 1,
        }
    }
}

/// Serves the Language Server Protocol over `input` and `output` until `exit`.
pub async fn serve<I, O>(input: I, output: O) -> Ending
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    serve_with(input, output, Options::default()).await
}

/// [`serve`] with test knobs.
#[doc(hidden)]
pub async fn serve_with<I, O>(input: I, output: O, options: Options) -> Ending
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let (service, socket) = LspService::new(move |client| Backend::with_options(client, options, flag));
    // client → guard → server, server → pump → writer ← guard's error answers
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut input = Some(Box::pin(transport::pump_input(input, to_server, frames_tx.clone())));
    let mut server_side = Box::pin(async {
        tokio::join!(
            Server::new(server_in, server_out, socket).concurrency_level(CONCURRENT_REQUESTS).serve(service),
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
    if shut_down.load(Ordering::SeqCst) {
        Ending::AfterShutdown
    } else {
        Ending::WithoutShutdown
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
pub fn run_stdio() -> anyhow::Result<Ending> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let ending = rt.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The blocking stdin reader (and any check in flight) must not hold the process open.
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(ending)
}
