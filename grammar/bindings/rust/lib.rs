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

#[cfg(test)]
mod generated {
    use sha2::{Digest, Sha256};

    fn recorded(file: &str) -> String {
        let record = include_str!("../../src/GENERATED_FROM");
        record
            .lines()
            .filter(|line| !line.starts_with('#'))
            .find_map(|line| {
                let (hash, path) = line.split_once("  ")?;
                (path == file).then(|| hash.to_string())
            })
            .unwrap_or_else(|| panic!("src/GENERATED_FROM records no hash for {file}"))
    }

    fn sha256(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn parser_c_was_generated_from_the_committed_grammar_js() {
        assert_eq!(
            sha256(super::GRAMMAR_JS.as_bytes()),
            recorded("grammar.js"),
            "grammar.js changed since src/parser.c was generated: run grammar/generate.sh"
        );
    }

    #[test]
    fn parser_c_is_the_generated_one() {
        let parser_c = include_bytes!("../../src/parser.c");
        assert_eq!(
            sha256(parser_c),
            recorded("src/parser.c"),
            "src/parser.c differs from what grammar/generate.sh produced: regenerate it, never edit it"
        );
    }
}
