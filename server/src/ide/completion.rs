//! Completion: what may be typed at the cursor, as BuildKit reads it.
//!
//! The context comes from the current logical line only (the instruction
//! under the cursor, its continuation lines joined), plus the tree for the
//! one question text alone cannot answer cheaply (is this line inside a
//! heredoc, where does a continued instruction start). Nothing scans the
//! document, so the cost follows the instruction, not the file.

mod context;
mod docs;
mod items;
mod text;

use super::Analysis;
use crate::model::Span;
use crate::syntax::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    /// An instruction keyword, or `AS`, `CMD`, `NONE`.
    Keyword,
    /// A parser directive (`syntax`, `escape`, `check`).
    Directive,
    /// An instruction flag (`--from`).
    Flag,
    /// A `--mount` key (`type`, `target`).
    MountKey,
    /// A fixed value (`cache`, `host`, `linux/amd64`).
    Value,
    Stage,
    Variable,
    Image,
    Tag,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    /// A short line shown beside the label (the syntax, the base image).
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: String,
    /// The text that replaces `range`, for clients without snippets.
    pub insert: String,
    /// The same as an LSP snippet (`${1:image}`), when it has placeholders.
    pub snippet: Option<String>,
    /// The word being typed, which the item replaces.
    pub range: Span,
    pub deprecated: bool,
}

/// The items offered at `offset` (clamped to the text), most relevant
/// first.
pub fn completion(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    offset: usize,
) -> Vec<CompletionItem> {
    let wants = context::at(analysis, source, offset);
    let mut out = Vec::new();
    for want in wants {
        items::add(analysis, &want, &mut out);
    }
    out
}
