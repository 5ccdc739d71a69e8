//! The language server: a tower-lsp-server adapter over `ide`. Byte ranges
//! become LSP positions here and nowhere else.

mod capabilities;
mod code_actions;
mod completion;
mod config;
mod convert;
mod documents;
mod encoding;
mod formatting;
mod guard;
mod help;
mod links_lenses;
mod semantic_tokens;
mod server;
mod size;
mod transport;

pub use encoding::Encoding;
pub use server::Server;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use tower_lsp_server::LspService;

/// Serves LSP over stdin and stdout until the client says `exit` or closes
/// the stream.
pub fn run_stdio() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("dockerfile-ls: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Once the session is over, the pending read of stdin is cancelled on
    // purpose: that must not be reported as an error (clients log stderr).
    let session_over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader_sees_end = session_over.clone();
    let shut_down = runtime.block_on(async {
        let (filtered, input) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            if let Err(error) = transport::filter(tokio::io::stdin(), filtered).await {
                if !reader_sees_end.load(Ordering::SeqCst) {
                    eprintln!("dockerfile-ls: reading stdin: {error}");
                }
            }
        });
        let mut shut_down = None;
        let (service, socket) = LspService::new(|client| {
            guard::report_to(client.clone());
            let server = Server::new(client);
            shut_down = Some(server.shutdown_flag());
            server
        });
        tower_lsp_server::Server::new(input, tokio::io::stdout(), socket)
            .serve(guard::Guarded(service))
            .await;
        session_over.store(true, Ordering::SeqCst);
        shut_down.is_some_and(|flag| flag.load(Ordering::SeqCst))
    });
    // the blocking read of stdin may still be pending (a client that sends
    // `exit` need not close the pipe); waiting for it would hang the exit
    runtime.shutdown_background();
    // LSP: exit after shutdown is a success, an exit (or a closed stream)
    // without it a failure
    if shut_down {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
