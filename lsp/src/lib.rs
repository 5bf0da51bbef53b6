//! The language server for spec files: diagnostics as you type, hover, go to definition,
//! references, rename, completion and the document outline. It is the only crate that knows
//! LSP types; names, types and modes come from the shared analysis database.

mod convert;
pub mod ide;
mod server;
mod values;
mod workspace;

pub use convert::{offset, path_of, position};
pub use server::Backend;

/// Serves the language server protocol on stdin and stdout until the client exits.
pub async fn serve_stdio() {
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let (service, socket) = tower_lsp_server::LspService::new(Backend::new);
    tower_lsp_server::Server::new(stdin, stdout, socket).serve(service).await;
}
