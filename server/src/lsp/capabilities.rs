//! What the client can do (fixed at initialize) and what we advertise.

use tower_lsp_server::ls_types::*;

use super::convert;
use super::encoding::Encoding;

/// What the client told us it can do, fixed at initialize.
#[derive(Debug, Clone, Copy, Default)]
pub struct Session {
    pub encoding: Encoding,
    /// Clients that pull diagnostics get them only when they ask: pushing
    /// too would show every diagnostic twice.
    pub push_diagnostics: bool,
    pub refresh_diagnostics: bool,
    pub pull_configuration: bool,
    pub register_configuration: bool,
    pub hierarchical_symbols: bool,
    pub definition_links: bool,
    pub versioned_edits: bool,
    pub prepare_rename: bool,
    /// Completion items as snippets (`${1:image}`), else plain text.
    pub completion_snippets: bool,
    pub completion_markdown: bool,
    /// Deprecated items as a tag (LSP 3.15), else the older boolean.
    pub completion_deprecated_tag: bool,
    /// Hover and signature documentation in markdown, else plain text.
    pub hover_markdown: bool,
    pub signature_markdown: bool,
    /// Signature parameters as offsets into the label.
    pub signature_label_offsets: bool,
    /// Code action edits resolved lazily, versioned edits.
    pub code_actions: super::code_actions::Support,
    /// The client re-asks for inlay hints when told (size estimates change
    /// once the build context is measured).
    pub refresh_inlay_hints: bool,
    /// The client watches files for us when asked (the build context).
    pub register_file_watching: bool,
}

impl Session {
    pub fn new(capabilities: &ClientCapabilities) -> Session {
        let text = capabilities.text_document.as_ref();
        let workspace = capabilities.workspace.as_ref();
        let completion_item = text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        Session {
            encoding: Encoding::negotiate(capabilities),
            push_diagnostics: text.and_then(|t| t.diagnostic.as_ref()).is_none(),
            refresh_diagnostics: workspace
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            pull_configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            register_configuration: workspace
                .and_then(|w| w.did_change_configuration.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            hierarchical_symbols: text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)
                .unwrap_or(false),
            definition_links: text
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false),
            versioned_edits: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            prepare_rename: text
                .and_then(|t| t.rename.as_ref())
                .and_then(|r| r.prepare_support)
                .unwrap_or(false),
            completion_snippets: completion_item
                .and_then(|c| c.snippet_support)
                .unwrap_or(false),
            completion_markdown: completion_item
                .and_then(|c| c.documentation_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            completion_deprecated_tag: completion_item
                .and_then(|c| c.tag_support.as_ref())
                .is_some_and(|t| t.value_set.contains(&CompletionItemTag::DEPRECATED)),
            hover_markdown: text
                .and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            signature_markdown: text
                .and_then(|t| t.signature_help.as_ref())
                .and_then(|s| s.signature_information.as_ref())
                .and_then(|i| i.documentation_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            signature_label_offsets: text
                .and_then(|t| t.signature_help.as_ref())
                .and_then(|s| s.signature_information.as_ref())
                .and_then(|i| i.parameter_information.as_ref())
                .and_then(|p| p.label_offset_support)
                .unwrap_or(false),
            code_actions: super::code_actions::Support::new(capabilities),
            refresh_inlay_hints: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            register_file_watching: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        }
    }
}

/// What we advertise: only what is implemented, in the client's terms.
pub fn server_capabilities(session: &Session) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(session.encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some(convert::SOURCE.to_string()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(if session.prepare_rename {
            OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        } else {
            OneOf::Left(true)
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        completion_provider: Some(super::completion::options()),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            // a space starts the next argument, `=` a flag or key value
            trigger_characters: Some(vec![" ".to_string(), "=".to_string()]),
            retrigger_characters: Some(vec![",".to_string(), ":".to_string(), "/".to_string()]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        semantic_tokens_provider: Some(super::semantic_tokens::options()),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(super::code_actions::kinds()),
            work_done_progress_options: WorkDoneProgressOptions::default(),
            resolve_provider: Some(true),
        })),
        ..ServerCapabilities::default()
    }
}
