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
mod wire;

pub use encoding::Encoding;
pub use server::Server;

use std::process::ExitCode;
use std::sync::atomic::Ordering;

use tower_lsp_server::LspService;

/// Serves LSP over stdin and stdout until the client says `exit` or closes
/// the stream.
pub fn run_stdio() -> ExitCode {
    tune_allocator();
    // One thread: the handlers already run on the thread that drives the
    // session; worker threads would only add stacks and malloc arenas,
    // where the stdin filter's buffers stayed resident.
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match built {
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
        let (filtered, input) = tokio::io::duplex(transport::PIPE_BUFFER);
        let exit_seen = std::sync::Arc::new(tokio::sync::Notify::new());
        let filter_sees_exit = exit_seen.clone();
        let stash = transport::Stash::default();
        let filter_stash = stash.clone();
        tokio::spawn(async move {
            let filtered_input =
                transport::filter(tokio::io::stdin(), filtered, filter_sees_exit, filter_stash);
            if let Err(error) = filtered_input.await {
                if !reader_sees_end.load(Ordering::SeqCst) {
                    eprintln!("dockerfile-ls: reading stdin: {error}");
                }
            }
        });
        let (outbox, writer) = transport::Outbox::to_stdout();
        let (to_forward, from_tower) = tokio::io::duplex(transport::PIPE_BUFFER);
        let forwarding = tokio::spawn(transport::forward(from_tower, outbox.clone()));
        let mut shut_down = None;
        let (service, socket) = LspService::build(|client| {
            guard::report_to(client.clone());
            let server = Server::new(client).with_outbox(outbox).with_stash(stash);
            shut_down = Some(server.shutdown_flag());
            server
        })
        .custom_method(
            wire::OWN_SEMANTIC_TOKENS_FULL,
            Server::own_semantic_tokens_full,
        )
        .custom_method(wire::OWN_DOCUMENT_SYMBOL, Server::own_document_symbol)
        .custom_method(wire::OWN_DID_OPEN, Server::own_did_open)
        .finish();
        let serving =
            tower_lsp_server::Server::new(input, to_forward, socket).serve(guard::Guarded(service));
        // LSP: `exit` ends the process. tower-lsp returns only once every
        // handler in flight has finished; one waiting on the client (a
        // request the client will never answer now) must not keep the
        // process alive, so past a short grace the rest is dropped
        let grace = async {
            exit_seen.notified().await;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        };
        tokio::select! {
            () = serving => {}
            () = grace => eprintln!("dockerfile-ls: work still in flight at exit was dropped"),
        }
        // tower-lsp's end is closed now: what it wrote last still goes out,
        // and the writer ends once the queue is written (a client gone by
        // now is no news; a writer still held somewhere is not waited for)
        let _ = forwarding.await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
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

/// glibc raises its threshold for serving an allocation from `mmap` to the
/// size of each large block freed, up to 32 MiB; past that, the few large
/// transient blocks of a request (a whole document's semantic tokens as JSON
/// values) stay in the heap once freed. A fixed threshold hands them back.
///
/// And glibc gives each thread that allocates a heap of its own (an arena),
/// which keeps the pages it once used: the threads that write large answers
/// and estimate sizes would each hold a megabyte or more. The server's few
/// threads share one.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_ARENA_MAX: std::os::raw::c_int = -8;
        const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
        extern "C" {
            fn mallopt(
                param: std::os::raw::c_int,
                value: std::os::raw::c_int,
            ) -> std::os::raw::c_int;
        }
        // SAFETY: glibc's mallopt only changes a malloc parameter; it is
        // called before any other thread exists
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 128 * 1024);
            mallopt(M_ARENA_MAX, 1);
        }
    }
}

/// Hands the heap's free pages back to the system (after a document is
/// closed: its tree and model leave holes that later requests may not
/// reuse).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: glibc's malloc_trim only releases free memory
        unsafe {
            malloc_trim(0);
        }
    }
}
