//! The Dockerfile grammar of dockerfile-ls, modelled on BuildKit's parser.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_dockerfile_ls::LANGUAGE.into()).unwrap();
//! let tree = parser.parse("FROM alpine AS base\n", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_dockerfile() -> *const ();
}

/// The tree-sitter language of this grammar (C symbol `tree_sitter_dockerfile`).
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_dockerfile) };

/// The content of `src/node-types.json`: every node type and its fields.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// The grammar source the committed parser was generated from.
pub const GRAMMAR_JS: &str = include_str!("../../grammar.js");

#[cfg(test)]
mod tests {
    #[test]
    fn loads_into_the_current_runtime() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&super::LANGUAGE.into())
            .expect("the grammar's ABI is supported by the tree-sitter runtime");
    }
}
