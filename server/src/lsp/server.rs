//! The `LanguageServer` implementation: protocol plumbing around `ide`.
//!
//! tower-lsp polls handlers concurrently, so every handler that changes a
//! document does so synchronously, before its first `.await`; what it sends
//! afterwards reads the latest state rather than what it saw.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde_json::Value;
use tower_lsp_server::jsonrpc::{self, ErrorCode};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{self, Session};
use super::code_actions;
use super::completion;
use super::config;
use super::convert;
use super::documents::{Documents, Settings, Snapshot};
use super::encoding::{self, Encoding};
use super::formatting;
use super::guard::catch;
use super::help;
use super::links_lenses;
use super::semantic_tokens;
use super::size;
use crate::ide;

pub struct Server {
    client: Client,
    documents: Documents,
    session: RwLock<Session>,
    settings: RwLock<Arc<Settings>>,
    /// Problems found in initializationOptions, logged once the client
    /// accepts notifications.
    startup_problems: Mutex<Vec<String>>,
    /// Serialises pushes so that a document's diagnostics reach the client in
    /// the order its versions were made.
    publish_gate: tokio::sync::Mutex<()>,
    /// Set by `shutdown`: `exit` without it ends the process with status 1.
    shut_down: Arc<AtomicBool>,
    /// The last semantic tokens sent per document, for deltas.
    tokens: semantic_tokens::Results,
    /// Image-size estimates: settings and the measured build contexts.
    sizes: Arc<size::Sizes>,
    /// Where diagnostics are pushed without tower-lsp's `Value` round trip
    /// (stdio sessions); `None`: through the client.
    outbox: Option<super::transport::Outbox>,
    /// Where the stdin filter puts the texts of large `didOpen`s.
    stash: Option<super::transport::Stash>,
}

/// Answers from this size on are written as they are serialized (an
/// outline or the semantic tokens of a large file: up to megabytes).
const STREAMED_FROM: usize = 128 * 1024;

impl Server {
    pub fn new(client: Client) -> Server {
        Server {
            client,
            documents: Documents::default(),
            session: RwLock::default(),
            settings: RwLock::default(),
            startup_problems: Mutex::default(),
            publish_gate: tokio::sync::Mutex::new(()),
            shut_down: Arc::default(),
            tokens: semantic_tokens::Results::default(),
            sizes: Arc::default(),
            outbox: None,
            stash: None,
        }
    }

    pub fn with_outbox(self, outbox: super::transport::Outbox) -> Server {
        Server {
            outbox: Some(outbox),
            ..self
        }
    }

    pub fn with_stash(self, stash: super::transport::Stash) -> Server {
        Server {
            stash: Some(stash),
            ..self
        }
    }

    /// A large document's `didOpen`, its text from the stash.
    pub async fn own_did_open(&self, stashed: super::wire::StashedOpen<DidOpenTextDocumentParams>) {
        let text = self
            .stash
            .as_ref()
            .and_then(|stash| stash.take(stashed.stash));
        let Some(text) = text else {
            let uri = stashed.open.text_document.uri.as_str();
            let message = format!("didOpen for {uri}: its text was not found (not opened)");
            return self.log(MessageType::ERROR, message).await;
        };
        let mut open = stashed.open;
        open.text_document.text = text;
        self.did_open(open).await
    }

    /// `textDocument/semanticTokens/full`, routed here by the stdin filter
    /// and answered through the outbox: the largest result a client asks
    /// for, of which tower-lsp would make a `serde_json::Value` per number.
    pub async fn own_semantic_tokens_full(&self, request: super::wire::OwnRequest<Value>) {
        self.answer_own(request, |params| self.packed_tokens_result(&params))
            .await
    }

    /// `textDocument/documentSymbol`, routed and answered the same way.
    pub async fn own_document_symbol(&self, request: super::wire::OwnRequest<Value>) {
        self.answer_own(request, |params| self.outline(&params))
            .await
    }

    /// Answers a routed request with `handle`'s result, serialized once.
    async fn answer_own<P, R>(
        &self,
        request: super::wire::OwnRequest<Value>,
        handle: impl FnOnce(P) -> jsonrpc::Result<R>,
    ) where
        P: serde::de::DeserializeOwned,
        R: serde::Serialize + Send + 'static,
    {
        // (parameters of the wrong shape are the client's error to hear
        // about, as tower-lsp would answer them)
        let result = match serde_json::from_value::<P>(request.params) {
            Ok(params) => handle(params),
            Err(error) => Err(jsonrpc::Error::invalid_params(error.to_string())),
        };
        let id = request.id;
        let streamed = match (&self.outbox, super::wire::response_len(&id, &result)) {
            (Some(outbox), Ok(len)) if len >= STREAMED_FROM => Some(outbox.send_stream(len)),
            _ => None,
        };
        let Some(mut stream) = streamed else {
            return self.send_own(super::wire::response(&id, result)).await;
        };
        // serialized a second time, straight into pieces the writer takes
        // as they come: the whole answer is never in memory at once
        let written = tokio::task::spawn_blocking(move || {
            let written = super::wire::write_response(&mut stream, &id, &result);
            std::io::Write::flush(&mut stream).map(|()| written)
        })
        .await;
        if !matches!(written, Ok(Ok(Ok(_)))) {
            let message = "an answer could not be written whole (padded to its announced length)";
            self.log(MessageType::ERROR, message).await;
        }
    }

    /// Queues a message the server serialized itself.
    async fn send_own(&self, body: Vec<u8>) {
        match &self.outbox {
            Some(outbox) => outbox.send(body),
            None => {
                let message = "a message of the server's own in a session without an outbox";
                self.log(MessageType::ERROR, message).await
            }
        }
    }

    /// A full result as the routed request writes it: from packed tokens,
    /// with no encoded copy beside them.
    fn packed_tokens_result(
        &self,
        params: &SemanticTokensParams,
    ) -> jsonrpc::Result<Option<semantic_tokens::PackedTokens>> {
        let uri = &params.text_document.uri;
        let packed = self.with_snapshot(uri, "semantic tokens", semantic_tokens::whole_packed)?;
        Ok(packed.map(|packed| self.tokens.full_packed(uri, packed)))
    }

    fn semantic_tokens_full_result(
        &self,
        params: &SemanticTokensParams,
    ) -> jsonrpc::Result<Option<SemanticTokensResult>> {
        let uri = &params.text_document.uri;
        let data = self.with_snapshot(uri, "semantic tokens", semantic_tokens::whole)?;
        Ok(data.map(|data| SemanticTokensResult::Tokens(self.tokens.full(uri, data))))
    }

    /// The outline as the routed request writes it (no typed symbols).
    fn outline(&self, params: &DocumentSymbolParams) -> jsonrpc::Result<Option<convert::Outline>> {
        let uri = &params.text_document.uri;
        let hierarchical = self.session().hierarchical_symbols;
        self.with_snapshot(uri, "document symbols", |snapshot, encoding| {
            if hierarchical {
                convert::Outline::Nested(convert::NestedOutline {
                    rope: snapshot.rope.clone(),
                    encoding,
                    analysis: snapshot.analysis.clone(),
                })
            } else {
                let symbols = ide::document_symbols(&snapshot.analysis);
                convert::Outline::Flat(convert::flat_symbols(
                    &snapshot.rope,
                    uri,
                    encoding,
                    symbols,
                ))
            }
        })
    }

    fn document_symbol_result(
        &self,
        params: &DocumentSymbolParams,
    ) -> jsonrpc::Result<Option<DocumentSymbolResponse>> {
        let uri = &params.text_document.uri;
        let hierarchical = self.session().hierarchical_symbols;
        self.with_snapshot(uri, "document symbols", |snapshot, encoding| {
            let symbols = ide::document_symbols(&snapshot.analysis);
            if hierarchical {
                DocumentSymbolResponse::Nested(convert::document_symbols(
                    &snapshot.rope,
                    encoding,
                    symbols,
                ))
            } else {
                DocumentSymbolResponse::Flat(convert::flat_symbols(
                    &snapshot.rope,
                    uri,
                    encoding,
                    symbols,
                ))
            }
        })
    }

    /// Pushes a document's diagnostics, through the outbox when there is
    /// one (behind `publish_gate`, which the caller holds), where they
    /// replace the document's push still waiting to be written, if any.
    async fn push_diagnostics(&self, uri: Uri, items: Vec<Diagnostic>, version: Option<i32>) {
        let Some(outbox) = &self.outbox else {
            return self.client.publish_diagnostics(uri, items, version).await;
        };
        if self.shut_down.load(Ordering::SeqCst) {
            // nothing more once the client asked for shutdown
            return;
        }
        let params = PublishDiagnosticsParams::new(uri, items, version);
        match super::wire::notification::<notification::PublishDiagnostics>(&params) {
            Some(body) => outbox.send_latest(params.uri.as_str(), body),
            None => {
                self.log(MessageType::ERROR, "diagnostics could not be serialized")
                    .await
            }
        }
    }

    /// Whether the client asked for `shutdown`, readable after the server
    /// itself is gone.
    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.shut_down.clone()
    }

    // A poisoned lock only means another handler panicked while holding
    // it; the data is plain and still usable.
    fn session(&self) -> Session {
        *self.session.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Takes a settings object (already unwrapped from its section) and
    /// returns what was wrong with it.
    fn apply_settings(&self, section: &serde_json::Map<String, Value>) -> Vec<String> {
        let (diagnostics, mut problems) = config::parse(section);
        let (format, format_problems) = config::parse_format(section);
        problems.extend(format_problems);
        let (sizes, size_problems) = config::parse_size(section);
        problems.extend(size_problems);
        self.sizes.set_settings(sizes);
        let mut settings = self
            .settings
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        *settings = Arc::new(Settings {
            generation: settings.generation + 1,
            diagnostics,
            format,
        });
        problems
    }

    async fn log(&self, kind: MessageType, message: impl std::fmt::Display) {
        self.client.log_message(kind, message).await;
    }

    async fn log_problems(&self, problems: Vec<String>) {
        for problem in problems {
            self.log(MessageType::WARNING, problem).await;
        }
    }

    /// Asks the client for our section; `None` when it has none or fails.
    async fn pull_configuration(&self) -> Option<serde_json::Map<String, Value>> {
        // after `shutdown` the client may already be closing its stream
        if self.shut_down.load(Ordering::SeqCst) {
            return None;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some(config::SECTION.to_string()),
        }];
        match self.client.configuration(items).await {
            Ok(values) => values.first().and_then(config::section),
            Err(error) => {
                self.log(
                    MessageType::WARNING,
                    format!("workspace/configuration failed: {error}"),
                )
                .await;
                None
            }
        }
    }

    /// Pushes the diagnostics of the document's current text, unless they
    /// were pushed already.
    async fn publish(&self, uri: &Uri) {
        let session = self.session();
        if !session.push_diagnostics {
            return;
        }
        let _gate = self.publish_gate.lock().await;
        let settings = self.settings();
        let snapshot = match self.documents.unpublished_diagnostics(uri, &settings) {
            None => return,
            Some(Ok(snapshot)) => snapshot,
            Some(Err(panicked)) => return self.log(MessageType::ERROR, panicked).await,
        };
        let converted = catch("converting diagnostics", || {
            convert::diagnostics(&snapshot.rope, uri, session.encoding, &snapshot.items)
        });
        match converted {
            Ok(items) => {
                self.push_diagnostics(uri.clone(), items, Some(snapshot.version))
                    .await
            }
            Err(panicked) => self.log(MessageType::ERROR, panicked).await,
        }
    }

    /// After a settings change: new diagnostics everywhere.
    async fn refresh_diagnostics(&self) {
        if self.shut_down.load(Ordering::SeqCst) {
            return;
        }
        let session = self.session();
        if session.push_diagnostics {
            for uri in self.documents.uris() {
                self.publish(&uri).await;
            }
        } else if session.refresh_diagnostics {
            if let Err(error) = self.client.workspace_diagnostic_refresh().await {
                self.log(
                    MessageType::WARNING,
                    format!("workspace/diagnostic/refresh failed: {error}"),
                )
                .await;
            }
        }
    }

    /// Keeps size estimates current: the client reports file changes (the
    /// build context) and is told to re-ask for inlay hints once a context
    /// is measured.
    async fn watch_build_contexts(&self, session: Session) {
        if session.refresh_inlay_hints {
            let client = self.client.clone();
            let runtime = tokio::runtime::Handle::current();
            self.sizes.on_context_ready(move |_| {
                let client = client.clone();
                runtime.spawn(async move {
                    // a client that cannot refresh now will ask again later
                    let _ = client.inlay_hint_refresh().await;
                });
            });
        }
        if session.register_file_watching {
            let registration = Registration {
                id: "dockerfile-ls/didChangeWatchedFiles".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: Some(serde_json::json!({
                    "watchers": [{ "globPattern": "**/*" }]
                })),
            };
            if let Err(error) = self.client.register_capability(vec![registration]).await {
                self.log(
                    MessageType::WARNING,
                    format!("could not watch files for size estimates: {error}"),
                )
                .await;
            }
        }
    }

    /// Runs a feature on the document's snapshot, a panic becoming an error
    /// for this request; `None` when the document is not open.
    fn with_snapshot<T>(
        &self,
        uri: &Uri,
        what: &'static str,
        feature: impl FnOnce(&Snapshot, Encoding) -> T,
    ) -> jsonrpc::Result<Option<T>> {
        let Some(snapshot) = self.documents.snapshot(uri) else {
            return Ok(None);
        };
        let snapshot = snapshot?;
        let encoding = self.session().encoding;
        Ok(Some(catch(what, || feature(&snapshot, encoding))?))
    }

    /// Like [`Server::with_snapshot`], with the cursor as a byte offset.
    fn at_position<T>(
        &self,
        position: &TextDocumentPositionParams,
        what: &'static str,
        feature: impl FnOnce(&Snapshot, Encoding, usize) -> Option<T>,
    ) -> jsonrpc::Result<Option<T>> {
        let uri = &position.text_document.uri;
        self.with_snapshot(uri, what, |snapshot, encoding| {
            let offset = encoding::offset(&snapshot.rope, position.position, encoding);
            feature(snapshot, encoding, offset)
        })
        .map(Option::flatten)
    }
}

/// An error the client shows to the user (LSP's RequestFailed).
fn request_failed(message: String) -> jsonrpc::Error {
    jsonrpc::Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> jsonrpc::Result<InitializeResult> {
        let session = Session::new(&params.capabilities);
        *self.session.write().unwrap_or_else(PoisonError::into_inner) = session;
        self.tokens
            .keep_for_deltas(semantic_tokens::client_takes_deltas(&params.capabilities));
        if let Some(section) = params
            .initialization_options
            .as_ref()
            .and_then(config::section)
        {
            let problems = self.apply_settings(&section);
            self.startup_problems
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend(problems);
        }
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(&session),
            server_info: Some(ServerInfo {
                name: "dockerfile-ls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let problems = std::mem::take(
            &mut *self
                .startup_problems
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        self.log_problems(problems).await;
        let session = self.session();
        if session.register_configuration {
            let registration = Registration {
                id: "dockerfile-ls/didChangeConfiguration".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                // only our section: other settings changes are none of our business
                register_options: Some(serde_json::json!({ "section": config::SECTION })),
            };
            if let Err(error) = self.client.register_capability(vec![registration]).await {
                self.log(
                    MessageType::WARNING,
                    format!("could not register for configuration changes: {error}"),
                )
                .await;
            }
        }
        self.watch_build_contexts(session).await;
        if session.pull_configuration {
            if let Some(section) = self.pull_configuration().await {
                let problems = self.apply_settings(&section);
                self.log_problems(problems).await;
                self.refresh_diagnostics().await;
            }
        }
    }

    async fn shutdown(&self) -> jsonrpc::Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let opened = self
            .documents
            .open(document.uri.clone(), &document.text, document.version);
        match opened {
            Ok(()) => self.publish(&document.uri).await,
            Err(panicked) => self.log(MessageType::ERROR, panicked).await,
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        if let Some(analysis) = self.documents.current_analysis(&uri) {
            self.sizes.forget_estimates_of(&analysis);
        }
        let changed = self.documents.change(
            &uri,
            params.text_document.version,
            &params.content_changes,
            self.session().encoding,
        );
        if let Err(error) = changed {
            self.log(
                MessageType::WARNING,
                format!("didChange for {}: {error}", uri.as_str()),
            )
            .await;
        }
        self.publish(&uri).await;
        // (the push built this revision's analysis from the last one's)
        self.sizes.forget_gone();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.documents.close(&uri);
        self.tokens.forget(&uri);
        self.sizes.forget_gone();
        // behind the gate, so a push still in flight cannot land after this
        let _gate = self.publish_gate.lock().await;
        self.push_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pulled = if self.session().pull_configuration {
            self.pull_configuration().await
        } else {
            None
        };
        let Some(section) = pulled.or_else(|| config::section(&params.settings)) else {
            return;
        };
        let problems = self.apply_settings(&section);
        self.log_problems(problems).await;
        self.refresh_diagnostics().await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> jsonrpc::Result<DocumentDiagnosticReportResult> {
        let uri = &params.text_document.uri;
        let report = |result_id, items| {
            DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
                RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id,
                        items,
                    },
                },
            ))
        };
        let snapshot = match self.documents.diagnostics(uri, &self.settings()) {
            None => return Ok(report(None, Vec::new())),
            Some(snapshot) => snapshot?,
        };
        if params.previous_result_id.as_deref() == Some(snapshot.result_id.as_str()) {
            return Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: snapshot.result_id,
                    },
                }),
            ));
        }
        let encoding = self.session().encoding;
        let items = catch("converting diagnostics", || {
            convert::diagnostics(&snapshot.rope, uri, encoding, &snapshot.items)
        })?;
        Ok(report(Some(snapshot.result_id), items))
    }

    async fn completion(
        &self,
        params: CompletionParams,
    ) -> jsonrpc::Result<Option<CompletionResponse>> {
        let position = &params.text_document_position;
        let session = self.session();
        self.at_position(position, "completion", |snapshot, encoding, offset| {
            let items = ide::completion(&snapshot.analysis, &snapshot.rope, offset);
            Some(completion::response(
                &snapshot.rope,
                encoding,
                &session,
                items,
            ))
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> jsonrpc::Result<Option<GotoDefinitionResponse>> {
        let position = &params.text_document_position_params;
        let uri = &position.text_document.uri;
        let links = self.session().definition_links;
        self.at_position(position, "definition", |snapshot, encoding, offset| {
            let target = ide::definition(&snapshot.analysis, offset)?;
            Some(convert::definition(
                &snapshot.rope,
                uri,
                encoding,
                target,
                None,
                links,
            ))
        })
    }

    async fn references(&self, params: ReferenceParams) -> jsonrpc::Result<Option<Vec<Location>>> {
        let position = &params.text_document_position;
        let uri = &position.text_document.uri;
        let include_declaration = params.context.include_declaration;
        self.at_position(position, "references", |snapshot, encoding, offset| {
            let spans = ide::references(&snapshot.analysis, offset, include_declaration);
            Some(
                spans
                    .into_iter()
                    .map(|span| convert::location(&snapshot.rope, uri, encoding, span))
                    .collect(),
            )
        })
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> jsonrpc::Result<Option<Vec<DocumentHighlight>>> {
        let position = &params.text_document_position_params;
        self.at_position(
            position,
            "document highlight",
            |snapshot, encoding, offset| {
                let occurrences = ide::occurrences(&snapshot.analysis, offset);
                Some(
                    occurrences
                        .into_iter()
                        .map(|o| convert::highlight(&snapshot.rope, encoding, o))
                        .collect(),
                )
            },
        )
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> jsonrpc::Result<Option<PrepareRenameResponse>> {
        let prepared =
            self.at_position(&params, "prepare rename", |snapshot, encoding, offset| {
                Some(
                    ide::prepare_rename(&snapshot.analysis, &snapshot.rope, offset).map(
                        |(span, placeholder)| PrepareRenameResponse::RangeWithPlaceholder {
                            range: encoding::range(&snapshot.rope, span, encoding),
                            placeholder,
                        },
                    ),
                )
            })?;
        prepared.transpose().map_err(request_failed)
    }

    async fn rename(&self, params: RenameParams) -> jsonrpc::Result<Option<WorkspaceEdit>> {
        let position = &params.text_document_position;
        let uri = &position.text_document.uri;
        let versioned = self.session().versioned_edits;
        let renamed = self.at_position(position, "rename", |snapshot, encoding, offset| {
            let edits = ide::rename(&snapshot.analysis, &snapshot.rope, offset, &params.new_name);
            Some(edits.map(|edits| {
                let edits: Vec<TextEdit> = edits
                    .into_iter()
                    .map(|edit| convert::text_edit(&snapshot.rope, encoding, edit))
                    .collect();
                if versioned {
                    // the version lets the client refuse edits made for an older text
                    WorkspaceEdit {
                        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                            text_document: OptionalVersionedTextDocumentIdentifier {
                                uri: uri.clone(),
                                version: Some(snapshot.version),
                            },
                            edits: edits.into_iter().map(OneOf::Left).collect(),
                        }])),
                        ..WorkspaceEdit::default()
                    }
                } else {
                    WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))
                }
            }))
        })?;
        renamed.transpose().map_err(request_failed)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> jsonrpc::Result<Option<DocumentSymbolResponse>> {
        self.document_symbol_result(&params)
    }

    async fn hover(&self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        let position = &params.text_document_position_params;
        let markdown = self.session().hover_markdown;
        let found = self.at_position(position, "hover", |snapshot, _, offset| {
            let found = ide::hover(&snapshot.analysis, &snapshot.rope, offset)?;
            Some((snapshot.clone(), found, offset))
        })?;
        let Some((snapshot, mut found, offset)) = found else {
            return Ok(None);
        };
        let sized = matches!(
            found.subject,
            ide::Subject::FromLine { .. } | ide::Subject::StageRef { target: Some(_) }
        );
        if sized {
            let target = self.settings().diagnostics.target.clone();
            let request = self
                .sizes
                .request(&position.text_document.uri, snapshot.clone(), target);
            if let Some(build) = size::run(request).await {
                let section = catch("size estimate", || {
                    size::hover_section(&build, &snapshot.analysis.model, &found, offset)
                })?;
                found.sections.extend(section);
            }
        }
        let encoding = self.session().encoding;
        Ok(Some(help::hover(&snapshot.rope, encoding, found, markdown)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> jsonrpc::Result<Option<Vec<InlayHint>>> {
        let uri = &params.text_document.uri;
        let mode = self.sizes.settings().inlay;
        if mode == size::InlayMode::Off {
            return Ok(None);
        }
        let Some(snapshot) = self.documents.snapshot(uri) else {
            return Ok(None);
        };
        let snapshot = snapshot?;
        let target = self.settings().diagnostics.target.clone();
        let request = self.sizes.request(uri, snapshot.clone(), target);
        let Some(build) = size::run(request).await else {
            return Ok(None);
        };
        let encoding = self.session().encoding;
        let hints = catch("inlay hints", || {
            size::inlay_hints(&build, &snapshot, encoding, params.range, mode)
        })?;
        Ok(Some(hints))
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            if let Some(path) = change.uri.to_file_path() {
                self.sizes.file_changed(&path);
            }
        }
    }

    async fn signature_help(
        &self,
        params: SignatureHelpParams,
    ) -> jsonrpc::Result<Option<SignatureHelp>> {
        let position = &params.text_document_position_params;
        let session = self.session();
        self.at_position(position, "signature help", |snapshot, _, offset| {
            let found = ide::signature_help(&snapshot.analysis, &snapshot.rope, offset)?;
            Some(help::signature_help(
                found,
                session.signature_markdown,
                session.signature_label_offsets,
            ))
        })
    }

    async fn folding_range(
        &self,
        params: FoldingRangeParams,
    ) -> jsonrpc::Result<Option<Vec<FoldingRange>>> {
        self.with_snapshot(
            &params.text_document.uri,
            "folding ranges",
            |snapshot, _| {
                ide::folding_ranges(&snapshot.analysis)
                    .into_iter()
                    .map(convert::folding_range)
                    .collect()
            },
        )
    }

    async fn formatting(
        &self,
        params: DocumentFormattingParams,
    ) -> jsonrpc::Result<Option<Vec<TextEdit>>> {
        let settings = self.settings().format;
        if !settings.enable {
            return Ok(None);
        }
        let options = formatting::options(&params.options, &settings);
        self.with_snapshot(
            &params.text_document.uri,
            "formatting",
            |snapshot, encoding| formatting::edits(snapshot, encoding, &options, None),
        )
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> jsonrpc::Result<Option<Vec<TextEdit>>> {
        let settings = self.settings().format;
        if !settings.enable {
            return Ok(None);
        }
        let options = formatting::options(&params.options, &settings);
        self.with_snapshot(
            &params.text_document.uri,
            "range formatting",
            |snapshot, encoding| {
                formatting::edits(snapshot, encoding, &options, Some(params.range))
            },
        )
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> jsonrpc::Result<Option<SemanticTokensResult>> {
        self.semantic_tokens_full_result(&params)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> jsonrpc::Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = &params.text_document.uri;
        let data = self.with_snapshot(uri, "semantic tokens", semantic_tokens::whole)?;
        Ok(data.map(|data| self.tokens.delta(uri, &params.previous_result_id, data)))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> jsonrpc::Result<Option<SemanticTokensRangeResult>> {
        let range = params.range;
        let uri = &params.text_document.uri;
        self.with_snapshot(uri, "semantic tokens", |snapshot, encoding| {
            SemanticTokensRangeResult::Tokens(SemanticTokens {
                result_id: None,
                data: semantic_tokens::within(snapshot, encoding, range),
            })
        })
    }

    async fn document_link(
        &self,
        params: DocumentLinkParams,
    ) -> jsonrpc::Result<Option<Vec<DocumentLink>>> {
        let uri = &params.text_document.uri;
        self.with_snapshot(uri, "document links", |snapshot, encoding| {
            ide::document_links(&snapshot.analysis)
                .into_iter()
                .filter_map(|link| links_lenses::document_link(&snapshot.rope, encoding, link))
                .collect()
        })
    }

    async fn code_lens(&self, params: CodeLensParams) -> jsonrpc::Result<Option<Vec<CodeLens>>> {
        let settings = self.settings();
        let target = settings.diagnostics.target.as_deref();
        let uri = &params.text_document.uri;
        self.with_snapshot(uri, "code lenses", |snapshot, encoding| {
            ide::code_lenses(&snapshot.analysis, target)
                .iter()
                .map(|lens| links_lenses::code_lens(&snapshot.rope, encoding, lens))
                .collect()
        })
    }

    async fn code_action(
        &self,
        params: CodeActionParams,
    ) -> jsonrpc::Result<Option<CodeActionResponse>> {
        let settings = self.settings();
        let support = self.session().code_actions;
        let uri = &params.text_document.uri;
        self.with_snapshot(uri, "code actions", |snapshot, encoding| {
            let diagnostics = snapshot
                .analysis
                .diagnostics(&snapshot.rope, &settings.diagnostics);
            let estimate = self.sizes.final_image_estimator(uri);
            code_actions::actions(
                snapshot,
                encoding,
                &params,
                &diagnostics,
                support,
                &estimate,
            )
        })
    }

    async fn code_action_resolve(&self, action: CodeAction) -> jsonrpc::Result<CodeAction> {
        let content_modified = || jsonrpc::Error {
            code: ErrorCode::ServerError(-32801),
            message: "the document changed since the action was offered".into(),
            data: None,
        };
        let data = code_actions::parse_data(&action).map_err(|_| {
            jsonrpc::Error::invalid_params("codeAction/resolve: data is not an action of ours")
        })?;
        let settings = self.settings();
        let support = self.session().code_actions;
        let resolved =
            self.with_snapshot(&data.uri, "code action resolve", |snapshot, encoding| {
                let diagnostics = snapshot
                    .analysis
                    .diagnostics(&snapshot.rope, &settings.diagnostics);
                code_actions::resolve(snapshot, encoding, &data, &diagnostics, support, action)
            })?;
        match resolved {
            Some(Ok(action)) => Ok(action),
            Some(Err(code_actions::ResolveError::BadData)) => Err(jsonrpc::Error::invalid_params(
                "codeAction/resolve: data is not an action of ours",
            )),
            Some(Err(_)) | None => Err(content_modified()),
        }
    }
}
