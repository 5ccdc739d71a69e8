//! One module per feature. Pure functions over an [`Analysis`] and byte
//! offsets, returning plain data: no LSP types here.

pub mod actions;
pub mod completion;
pub mod diagnostics;
pub mod docs;
pub mod flags;
pub mod format;
pub mod hover;
pub mod image_names;
pub mod images;
pub mod lens;
pub mod links;
pub mod navigation;
pub mod outline;
pub mod semantic_tokens;
pub mod signature;

use std::sync::{Arc, Mutex, OnceLock};

use tree_sitter::Tree;

use crate::model::{self, Model};
use crate::syntax::{self, Source};

pub use completion::{completion, CompletionItem, CompletionKind};
pub use diagnostics::{diagnostics, Diagnostic, DiagnosticSettings, Related, Severity};
pub use format::{format, FormatOptions, FormatSettings, Indent, TextEdit};
pub use hover::{hover, Hover, Subject};
pub use lens::{code_lenses, Lens, LensPart};
pub use links::{document_links, Link};
pub use navigation::{
    definition, occurrences, prepare_rename, references, rename, Access, NavigationTarget,
};
pub use outline::{document_symbols, folding_ranges, symbols, Fold, FoldKind, Symbol, SymbolKind};
pub use semantic_tokens::{semantic_tokens, semantic_tokens_each, Modifiers, Token, TokenKind};
pub use signature::{signature_help, Parameter, Signature, SignatureHelp};

/// A parsed document and its model.
pub struct Analysis {
    pub tree: Tree,
    pub model: Model,
    /// What the model read from which node, for [`Analysis::update`].
    index: model::NodeIndex,
    /// Each instruction's own diagnostics, worked out on first use.
    node_diagnostics: OnceLock<diagnostics::NodeDiagnostics>,
    /// The previous revision's, for `node_diagnostics` to take over from.
    inherited: Mutex<Option<diagnostics::NodeDiagnostics>>,
}

impl Analysis {
    /// Parses and models a whole text (the CLI and tests; the server keeps
    /// its trees incrementally and builds the model from them).
    pub fn of_text(text: &str) -> Analysis {
        let tree = syntax::parse(text);
        Analysis::from_tree(tree, text)
    }

    pub fn from_tree(tree: Tree, source: &(impl Source + ?Sized)) -> Analysis {
        let (model, index) = model::build_indexed(&tree, source);
        Analysis::new(tree, model, index, None)
    }

    fn new(
        tree: Tree,
        model: Model,
        index: model::NodeIndex,
        inherited: Option<diagnostics::NodeDiagnostics>,
    ) -> Analysis {
        Analysis {
            tree,
            model,
            index,
            node_diagnostics: OnceLock::new(),
            inherited: Mutex::new(inherited),
        }
    }

    /// An analysis of the empty text.
    pub fn empty() -> Analysis {
        Analysis::of_text("")
    }

    /// The analysis of `doc` now, taking over what `previous` (an analysis
    /// of an earlier revision of the same document) read from the parts
    /// that did not change; equal to [`Analysis::from_tree`]. Consumes the
    /// document's edit log.
    pub fn update(previous: std::sync::Arc<Analysis>, doc: &mut syntax::Document) -> Analysis {
        let edits = doc.take_edits();
        let tree = doc.tree().clone();
        let source = doc.rope();
        // the previous tree stays alive until the new model is read: its
        // node ids are what reused subtrees are recognised by
        match Arc::try_unwrap(previous) {
            Ok(Analysis {
                tree: old_tree,
                model,
                index,
                node_diagnostics,
                inherited: _,
            }) => {
                let (model, index) =
                    model::rebuild(&tree, source, model, index, &old_tree, edits.as_deref());
                // (what it inherited itself maps onto an older index: useless)
                Analysis::new(tree, model, index, node_diagnostics.into_inner())
            }
            // still read elsewhere: take a copy of the model over
            Err(shared) => {
                let (model, index) = model::rebuild(
                    &tree,
                    source,
                    shared.model.clone(),
                    shared.index.clone(),
                    &shared.tree,
                    edits.as_deref(),
                );
                Analysis::new(tree, model, index, None)
            }
        }
    }

    pub fn diagnostics(
        &self,
        source: &(impl Source + ?Sized),
        settings: &DiagnosticSettings,
    ) -> Vec<Diagnostic> {
        let per_node = self.node_diagnostics.get_or_init(|| {
            let inherited = self
                .inherited
                .lock()
                .map(|mut inherited| inherited.take())
                .unwrap_or_default();
            diagnostics::node_diagnostics(
                &self.tree,
                &self.model,
                source,
                Some(&self.index),
                inherited,
            )
        });
        diagnostics::diagnostics_with(&self.tree, &self.model, source, settings, per_node)
    }
}
