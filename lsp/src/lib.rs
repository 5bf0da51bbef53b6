//! The language server for spec files: diagnostics as you type, hover, go to definition,
//! references, rename, completion and the document outline. It is the only crate that knows
//! LSP types; names, types and modes come from the shared analysis database.
//!
//! The protocol library (tower-lsp-server) sits behind [`framing`], which checks every frame
//! the client sends, so a malformed message gets an error reply instead of ending the server.

mod convert;
pub mod framing;
pub mod ide;
mod server;
mod values;
mod workspace;

pub use convert::{offset, path_of, position};
pub use framing::Ending;
pub use server::Backend;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// How long the server may take, after `exit` or the end of its input, to send what it
/// still has to send before it is left behind.
const GRACE: Duration = Duration::from_millis(500);

/// Serves the protocol on `input` and `output` until the client sends `exit` or closes its
/// end. Work still running then (a command, an analysis) is told to stop and not waited for
/// beyond a short grace period.
pub async fn serve<I, O>(input: I, output: O) -> Ending
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let stopping = Arc::new(AtomicBool::new(false));
    let (service, socket) = {
        let stopping = stopping.clone();
        tower_lsp_server::LspService::new(move |client| Backend::with_stop_flag(client, stopping))
    };
    let (to_server, server_input) = tokio::io::duplex(64 * 1024);
    let (server_output, from_server) = tokio::io::duplex(64 * 1024);
    let (frames, queued) = tokio::sync::mpsc::unbounded_channel();
    let server = tokio::spawn(tower_lsp_server::Server::new(server_input, server_output, socket).serve(service));
    let relay = tokio::spawn(framing::relay_server(from_server, frames.clone()));
    let writer = tokio::spawn(framing::write_client(output, queued));
    let ending = framing::read_client(input, to_server, frames, stopping.clone()).await;
    stopping.store(true, std::sync::atomic::Ordering::Relaxed);
    // The library's loop ends at `exit` or at the end of its input (`to_server` is gone).
    let _ = tokio::time::timeout(GRACE, server).await;
    let _ = tokio::time::timeout(GRACE, relay).await;
    let _ = tokio::time::timeout(GRACE, writer).await;
    ending
}

/// Serves the language server protocol on stdin and stdout until the client exits, then
/// ends the process at once (status 1 for `exit` without `shutdown`, as the protocol asks;
/// 0 otherwise), without waiting for work that is still running.
pub async fn serve_stdio() {
    let ending = serve(tokio::io::stdin(), tokio::io::stdout()).await;
    let status = match ending {
        Ending::Exit { after_shutdown: false } => 1,
        Ending::Exit { after_shutdown: true } | Ending::Closed => 0,
    };
    std::process::exit(status);
}
