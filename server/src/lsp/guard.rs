//! Containing panics: a bug in one feature answers that request with an
//! error instead of unwinding through tower-lsp and ending the server.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tower_lsp_server::jsonrpc;

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
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| Panicked {
        what,
        message: panic_message(payload.as_ref()),
    })
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
