//! Code actions over the wire: `ide::actions` results as LSP code actions,
//! refactors resolved lazily (`codeAction/resolve`) for clients that can.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::*;

use super::documents::Snapshot;
use super::encoding::{self, Encoding};
use crate::ide::actions::{self, ActionKind, Request};
use crate::ide::Diagnostic;
use crate::size::Bytes;

/// What `codeAction/resolve` gets back: enough to recompute the action.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResolveData {
    pub uri: Uri,
    /// The document version the action was computed for.
    pub version: i32,
    pub id: String,
    /// The request's range, as the client sent it.
    pub range: Range,
}

/// What the client can do with code actions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Support {
    /// The client resolves `edit` lazily.
    pub resolve_edit: bool,
    /// The edit carries the document version.
    pub versioned: bool,
}

impl Support {
    pub fn new(capabilities: &ClientCapabilities) -> Support {
        let code_action = capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.code_action.as_ref());
        Support {
            resolve_edit: code_action
                .and_then(|c| c.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "edit"))
                && code_action.and_then(|c| c.data_support).unwrap_or(false),
            versioned: capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
        }
    }
}

pub fn kind(kind: ActionKind) -> CodeActionKind {
    match kind {
        ActionKind::QuickFix => CodeActionKind::QUICKFIX,
        ActionKind::RefactorRewrite => CodeActionKind::REFACTOR_REWRITE,
        ActionKind::RefactorExtract => CodeActionKind::REFACTOR_EXTRACT,
        ActionKind::RefactorInline => CodeActionKind::REFACTOR_INLINE,
    }
}

/// The kinds we offer, for the server capabilities.
pub fn kinds() -> Vec<CodeActionKind> {
    vec![
        CodeActionKind::QUICKFIX,
        CodeActionKind::REFACTOR_REWRITE,
        CodeActionKind::REFACTOR_EXTRACT,
        CodeActionKind::REFACTOR_INLINE,
    ]
}

/// Whether `kind` passes the client's `only` filter (a prefix match on
/// dot-separated parts).
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| {
            let o = o.as_str();
            kind.as_str() == o || kind.as_str().starts_with(&format!("{o}."))
        })
    })
}

/// Reads files next to the Dockerfile (its build context, most often).
fn context_reader(uri: &Uri) -> impl Fn(&str) -> Option<String> {
    let dir = uri
        .to_file_path()
        .filter(|_| uri.scheme().as_str() == "file")
        .and_then(|p| p.parent().map(|d| d.to_path_buf()));
    move |relative: &str| {
        let dir = dir.as_ref()?;
        let path = dir.join(relative);
        // small project files only
        let meta = std::fs::metadata(&path).ok()?;
        (meta.len() < 1 << 20).then(|| std::fs::read_to_string(path).ok())?
    }
}

fn workspace_edit(
    snapshot: &Snapshot,
    uri: &Uri,
    encoding: Encoding,
    support: Support,
    edits: Vec<crate::ide::TextEdit>,
) -> WorkspaceEdit {
    let edits: Vec<TextEdit> = edits
        .into_iter()
        .map(|e| {
            TextEdit::new(
                encoding::range(&snapshot.rope, e.range, encoding),
                e.new_text,
            )
        })
        .collect();
    if support.versioned {
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
}

/// The code actions for a request.
pub fn actions(
    snapshot: &Snapshot,
    encoding: Encoding,
    params: &CodeActionParams,
    diagnostics: &[Diagnostic],
    support: Support,
    estimate: &dyn Fn(&str) -> Option<Bytes>,
) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let text = snapshot.rope.to_string();
    let start = encoding::offset(&snapshot.rope, params.range.start, encoding);
    let end = encoding::offset(&snapshot.rope, params.range.end, encoding).max(start);
    let read = context_reader(uri);
    let only = params.context.only.as_deref();
    let all = [
        ActionKind::QuickFix,
        ActionKind::RefactorRewrite,
        ActionKind::RefactorExtract,
        ActionKind::RefactorInline,
    ];
    let request = Request {
        range: start..end,
        diagnostics,
        estimate: Some(estimate),
        context: Some(&read),
        only: only.map(|_| {
            all.into_iter()
                .filter(|k| wanted(only, &kind(*k)))
                .collect()
        }),
    };
    let found = if support.resolve_edit {
        actions::code_actions(&snapshot.analysis, &text, &request)
    } else {
        actions::code_actions_resolved(&snapshot.analysis, &text, &request)
    };
    found
        .into_iter()
        .filter(|a| wanted(only, &kind(a.kind)))
        .map(|a| {
            let lsp_diagnostics = a.fixes.as_ref().and_then(|(range, code)| {
                diagnostics
                    .iter()
                    .find(|d| d.range == *range && d.code == *code)
                    .map(|d| vec![super::convert::diagnostic(&snapshot.rope, uri, encoding, d)])
            });
            let data = a.edits.is_none().then(|| {
                serde_json::to_value(ResolveData {
                    uri: uri.clone(),
                    version: snapshot.version,
                    id: a.id.clone(),
                    range: params.range,
                })
                .unwrap_or_default()
            });
            CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(kind(a.kind)),
                diagnostics: lsp_diagnostics,
                edit: a
                    .edits
                    .map(|edits| workspace_edit(snapshot, uri, encoding, support, edits)),
                command: None,
                is_preferred: a.preferred.then_some(true),
                disabled: None,
                data,
            })
        })
        .collect()
}

/// Why an action cannot be resolved.
pub enum ResolveError {
    /// The data is not ours.
    BadData,
    /// The document changed since the action was offered.
    Stale,
    /// The action is no longer offered.
    Gone,
}

/// Fills in the edit of an action offered earlier.
pub fn resolve(
    snapshot: &Snapshot,
    encoding: Encoding,
    data: &ResolveData,
    diagnostics: &[Diagnostic],
    support: Support,
    mut action: CodeAction,
) -> Result<CodeAction, ResolveError> {
    if data.version != snapshot.version {
        return Err(ResolveError::Stale);
    }
    let text = snapshot.rope.to_string();
    let start = encoding::offset(&snapshot.rope, data.range.start, encoding);
    let end = encoding::offset(&snapshot.rope, data.range.end, encoding).max(start);
    let read = context_reader(&data.uri);
    let request = Request {
        range: start..end,
        diagnostics,
        estimate: None,
        context: Some(&read),
        only: None,
    };
    let edits = actions::resolve(&snapshot.analysis, &text, &request, &data.id)
        .ok_or(ResolveError::Gone)?;
    action.edit = Some(workspace_edit(
        snapshot, &data.uri, encoding, support, edits,
    ));
    Ok(action)
}

pub fn parse_data(action: &CodeAction) -> Result<ResolveData, ResolveError> {
    action
        .data
        .clone()
        .and_then(|d| serde_json::from_value(d).ok())
        .ok_or(ResolveError::BadData)
}
