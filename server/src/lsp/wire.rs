//! Messages the server serializes itself, for [`super::transport::Outbox`]:
//! straight from the typed value to bytes, where tower-lsp would build a
//! `serde_json::Value` tree first (a 2,000-diagnostic push is a quarter of
//! a million small allocations that way).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::jsonrpc;
use tower_lsp_server::ls_types::notification::Notification;

/// `textDocument/semanticTokens/full` as the stdin filter hands it on: a
/// notification tower-lsp dispatches in order with everything else, whose
/// handler answers the request itself (see `transport::Routing`).
pub const OWN_SEMANTIC_TOKENS_FULL: &str = "dockerfile-ls/semanticTokensFull";
/// `textDocument/documentSymbol`, likewise: an outline of a large file is
/// thousands of nested objects, which tower-lsp would hold as a `Value`
/// tree several times the size of the JSON.
pub const OWN_DOCUMENT_SYMBOL: &str = "dockerfile-ls/documentSymbol";

/// `textDocument/didOpen` of a large document, its text taken out into
/// `transport::Stash` by the stdin filter.
pub const OWN_DID_OPEN: &str = "dockerfile-ls/didOpen";

/// The parameters of [`OWN_DID_OPEN`]: the client's, with an empty text,
/// and where the text is.
#[derive(Deserialize, Serialize)]
pub struct StashedOpen<P = Value> {
    pub stash: u64,
    pub open: P,
}

/// The requests the server answers itself, by LSP method.
pub const ROUTED: &[(&str, &str)] = &[
    ("textDocument/semanticTokens/full", OWN_SEMANTIC_TOKENS_FULL),
    ("textDocument/documentSymbol", OWN_DOCUMENT_SYMBOL),
];

/// A request the server answers itself: the client's id and parameters.
#[derive(Deserialize, Serialize)]
pub struct OwnRequest<P> {
    pub id: Value,
    pub params: P,
}

#[derive(Serialize)]
struct Response<'a, R> {
    jsonrpc: &'static str,
    id: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<R>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<jsonrpc::Error>,
}

/// The response to request `id`, written to `out` (an answer streamed
/// to the client as it is serialized); returns the bytes written.
pub fn write_response<R: Serialize>(
    out: impl std::io::Write,
    id: &Value,
    result: &jsonrpc::Result<R>,
) -> serde_json::Result<usize> {
    let message = Response {
        jsonrpc: "2.0",
        id,
        result: result.as_ref().ok(),
        error: result.as_ref().err().cloned(),
    };
    let mut counted = Counted { out, written: 0 };
    serde_json::to_writer(&mut counted, &message)?;
    Ok(counted.written)
}

/// The length of the response [`write_response`] writes.
pub fn response_len<R: Serialize>(
    id: &Value,
    result: &jsonrpc::Result<R>,
) -> serde_json::Result<usize> {
    write_response(std::io::sink(), id, result)
}

struct Counted<W> {
    out: W,
    written: usize,
}

impl<W: std::io::Write> std::io::Write for Counted<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The body of the response to request `id`.
pub fn response<R: Serialize>(id: &Value, result: jsonrpc::Result<R>) -> Vec<u8> {
    let (result, error) = match result {
        Ok(result) => (Some(result), None),
        Err(error) => (None, Some(error)),
    };
    let message = Response {
        jsonrpc: "2.0",
        id,
        result,
        error,
    };
    serde_json::to_vec(&message).unwrap_or_else(|error| {
        let failed = Response::<()> {
            jsonrpc: "2.0",
            id,
            result: None,
            error: Some(jsonrpc::Error {
                code: jsonrpc::ErrorCode::InternalError,
                message: format!("the result could not be serialized: {error}").into(),
                data: None,
            }),
        };
        serde_json::to_vec(&failed).unwrap_or_default()
    })
}

#[derive(Serialize)]
struct Message<'a, P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: &'a P,
}

/// The body of a notification; `None` if its parameters do not serialize
/// (they are plain data, so that would be a bug worth a log line).
pub fn notification<N: Notification>(params: &N::Params) -> Option<Vec<u8>> {
    serde_json::to_vec(&Message {
        jsonrpc: "2.0",
        method: N::METHOD,
        params,
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::jsonrpc::Response as TowerResponse;

    /// A result (`null` included) and an error both read back as JSON-RPC
    /// responses to the same id.
    #[test]
    fn responses_read_back_as_responses() {
        let id = Value::from(42);
        for body in [
            response::<Option<u32>>(&id, Ok(None)),
            response(&id, Ok(vec![1u32, 2, 3])),
            response::<()>(&id, Err(jsonrpc::Error::invalid_request())),
        ] {
            let back: TowerResponse = serde_json::from_slice(&body).unwrap();
            assert_eq!(
                back.id(),
                &jsonrpc::Id::Number(42),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
        let null = response::<Option<u32>>(&id, Ok(None));
        assert!(String::from_utf8_lossy(&null).contains("\"result\":null"));
    }
    use tower_lsp_server::jsonrpc::Request;
    use tower_lsp_server::ls_types::notification::PublishDiagnostics;
    use tower_lsp_server::ls_types::{Diagnostic, PublishDiagnosticsParams, Range, Uri};

    /// What goes out this way reads back as the same notification.
    #[test]
    fn a_push_reads_back_as_the_notification_it_was() {
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let params = PublishDiagnosticsParams::new(
            uri,
            vec![Diagnostic::new_simple(
                Range::default(),
                "é \"quoted\"".into(),
            )],
            Some(7),
        );
        let body = notification::<PublishDiagnostics>(&params).unwrap();
        let request: Request = serde_json::from_slice(&body).unwrap();
        assert_eq!(request.method(), "textDocument/publishDiagnostics");
        assert!(request.id().is_none());
        let back: PublishDiagnosticsParams =
            serde_json::from_value(request.params().cloned().unwrap()).unwrap();
        assert_eq!(back, params);
    }
}
