//! Containing panics: a bug in one feature answers that request with an
//! error instead of unwinding through tower-lsp and ending the server, and
//! is reported to the client as a `window/logMessage` (an error), so the
//! user sees more than a silently missing answer.
//!
//! Test hook: `DOCKERFILE_LS_TEST_PANIC` names features (the `what` of
//! [`catch`], comma-separated, e.g. `hover,document symbols`) or LSP
//! methods (`textDocument/hover`, caught by [`Guarded`]) that panic on
//! purpose, so end-to-end tests exercise both paths through the real binary.
//! It is read once; nobody sets it outside tests.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};

use tower_lsp_server::jsonrpc::{self, Request, Response};
use tower_lsp_server::ls_types::MessageType;
use tower_lsp_server::{Client, ExitedError};
use tower_service::Service;

/// The environment variable of the test hook.
pub const TEST_PANIC_VAR: &str = "DOCKERFILE_LS_TEST_PANIC";

/// A feature panicked; the message is the panic's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panicked {
    pub what: &'static str,
    pub message: String,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal error in {}: {}", self.what, self.message)
    }
}

impl From<Panicked> for jsonrpc::Error {
    fn from(panicked: Panicked) -> jsonrpc::Error {
        let mut error = jsonrpc::Error::internal_error();
        error.message = panicked.to_string().into();
        error
    }
}

/// Runs `f`, turning a panic into an error. Callers only share data that a
/// half-finished `f` cannot leave inconsistent (snapshots, or state that is
/// rebuilt on failure), which is what makes the unwind-safety assertion hold.
pub fn catch<T>(what: &'static str, f: impl FnOnce() -> T) -> Result<T, Panicked> {
    catch_unwind(AssertUnwindSafe(|| {
        if panics_on_purpose(what) {
            panic!("{TEST_PANIC_VAR} asked {what} to panic");
        }
        f()
    }))
    .map_err(|payload| {
        let panicked = Panicked {
            what,
            message: panic_message(payload.as_ref()),
        };
        report(&panicked);
        panicked
    })
}

/// Where panics are reported: the session's client, once there is one.
static CLIENT: Mutex<Option<Client>> = Mutex::new(None);

/// Reports later panics to `client` (the session's).
pub fn report_to(client: Client) {
    *CLIENT.lock().unwrap_or_else(PoisonError::into_inner) = Some(client);
}

/// Sends the panic to the client as an error log message, without waiting
/// (callers are synchronous): only inside the server's runtime, and never
/// from a test without a client.
fn report(panicked: &Panicked) {
    let client = CLIENT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let (Some(client), Ok(runtime)) = (client, tokio::runtime::Handle::try_current()) else {
        return;
    };
    let message = panicked.to_string();
    runtime.spawn(async move { client.log_message(MessageType::ERROR, message).await });
}

fn panics_on_purpose(what: &str) -> bool {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            std::env::var(TEST_PANIC_VAR)
                .map(|names| names.split(',').map(|n| n.trim().to_string()).collect())
                .unwrap_or_default()
        })
        .iter()
        .any(|name| name == what)
}

/// The last line of defence, around the whole service: a panic that
/// escapes a handler (code outside [`catch`]) answers its request with an
/// internal error and is logged, instead of unwinding through tower-lsp's
/// serve loop and ending the process. A notification's panic is logged.
pub struct Guarded<S>(pub S);

type Answer = Result<Option<Response>, ExitedError>;

impl<S> Service<Request> for Guarded<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + Unpin + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = Pin<Box<dyn Future<Output = Answer> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request.id().cloned();
        let on_purpose = panics_on_purpose(request.method());
        // `Panicked::what` is static: the method is named in the message
        let method = request.method().to_string();
        let called = catch_unwind(AssertUnwindSafe(|| {
            if on_purpose {
                panic!("{TEST_PANIC_VAR} asked {} to panic", request.method());
            }
            self.0.call(request)
        }));
        Box::pin(async move {
            let outcome = match called {
                Ok(future) => CaughtFuture(future).await,
                Err(payload) => Err(payload),
            };
            outcome.unwrap_or_else(|payload| {
                let panicked = Panicked {
                    what: "a handler",
                    message: format!("{method}: {}", panic_message(payload.as_ref())),
                };
                report(&panicked);
                Ok(id.map(|id| Response::from_error(id, panicked.into())))
            })
        })
    }
}

/// A future whose panics come back as `Err(payload)`.
struct CaughtFuture<F>(F);

impl<F: Future + Unpin> Future for CaughtFuture<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match catch_unwind(AssertUnwindSafe(|| Pin::new(&mut self.0).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result = catch("hover", || -> u8 { panic!("boom {}", 1) });
        let error = jsonrpc::Error::from(result.unwrap_err());
        assert_eq!(error.code, jsonrpc::ErrorCode::InternalError);
        assert_eq!(error.message, "internal error in hover: boom 1");
        assert_eq!(catch("ok", || 3), Ok(3));
    }
}
