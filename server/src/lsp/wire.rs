//! Messages the server serializes itself, for [`super::transport::Outbox`]:
//! straight from the typed value to bytes, where tower-lsp would build a
//! `serde_json::Value` tree first (a 2,000-diagnostic push is a quarter of
//! a million small allocations that way).

use serde::Serialize;
use tower_lsp_server::ls_types::notification::Notification;

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
