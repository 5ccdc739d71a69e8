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
pub use outline::{document_symbols, folding_ranges, Fold, FoldKind, Symbol, SymbolKind};
pub use semantic_tokens::{semantic_tokens, Modifiers, Token, TokenKind};
pub use signature::{signature_help, Parameter, Signature, SignatureHelp};

/// A parsed document and its model.
pub struct Analysis {
    pub tree: Tree,
    pub model: Model,
    /// What the model read from which node, for [`Analysis::update`].
    index: model::NodeIndex,
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
        Analysis { tree, model, index }
    }

    /// An analysis of the empty text.
    pub fn empty() -> Analysis {
        Analysis::of_text("")
    }

    /// The analysis of `tree`, reusing what `previous` (the analysis of an
    /// earlier revision of the same document) read from subtrees the
    /// incremental parse kept.
    pub fn update(
        previous: std::sync::Arc<Analysis>,
        tree: Tree,
        source: &(impl Source + ?Sized),
    ) -> Analysis {
        // the previous tree stays alive until the new model is read: its
        // node ids are what reused subtrees are recognised by
        let (model, index) = match std::sync::Arc::try_unwrap(previous) {
            Ok(Analysis {
                tree: old_tree,
                model,
                index,
            }) => {
                let rebuilt = model::rebuild(&tree, source, model, index);
                drop(old_tree);
                rebuilt
            }
            // still read elsewhere: take a copy over
            Err(shared) => model::rebuild(&tree, source, shared.model.clone(), shared.index.clone()),
        };
        Analysis { tree, model, index }
    }

    pub fn diagnostics(
        &self,
        source: &(impl Source + ?Sized),
        settings: &DiagnosticSettings,
    ) -> Vec<Diagnostic> {
        diagnostics::diagnostics(&self.tree, &self.model, source, settings)
    }
}
