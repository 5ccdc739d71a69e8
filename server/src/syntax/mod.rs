//! Parsing with our tree-sitter grammar, and reading BuildKit's view of an
//! instruction back out of the tree.

mod document;
mod instruction;
mod kinds;
mod logical;
mod sexp;
mod source;

pub use document::{Document, EditError};
pub use instruction::{decode_json_string, Instruction};
pub use kinds::{kind, Kind};
pub use logical::{joined_away, logical_text, logical_text_of_range};
pub use sexp::to_sexp;
pub use source::Source;

use tree_sitter::{Language, Node, Parser, Tree};

/// The Dockerfile language of our grammar.
pub fn language() -> Language {
    tree_sitter_dockerfile_ls::LANGUAGE.into()
}

/// A parser set up for Dockerfiles.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the bundled grammar matches the tree-sitter runtime");
    parser
}

/// Parses a whole text from scratch.
pub fn parse(text: &str) -> Tree {
    parser()
        .parse(text, None)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// The first ERROR or MISSING node of a tree, in document order.
pub fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}
