//! Node kinds by id: the model reads every node of a document, and comparing
//! kind names (`Node::kind` goes through a C string) for each is the hot
//! part of that walk. The table maps every kind id of the grammar to the
//! kinds the analysis tells apart, by name, so a lookup answers exactly what
//! comparing the name would.

use std::sync::OnceLock;

use tree_sitter::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Comment,
    ParserDirective,
    /// Any `*_instruction` but ONBUILD.
    Instruction,
    OnbuildInstruction,
    JsonArray,
    Heredoc,
    HeredocBody,
    HeredocEnd,
    HeredocMarker,
    LineContinuation,
    Flag,
    MountFlag,
    MountKey,
    MountValue,
    Keyword,
    Word,
    Variable,
    Expansion,
    ShellFragment,
    ArgDeclaration,
    EnvPair,
    Other,
}

impl Kind {
    fn of_name(name: &str) -> Kind {
        match name {
            "comment" => Kind::Comment,
            "parser_directive" => Kind::ParserDirective,
            "onbuild_instruction" => Kind::OnbuildInstruction,
            "json_array" => Kind::JsonArray,
            "heredoc" => Kind::Heredoc,
            "heredoc_body" => Kind::HeredocBody,
            "heredoc_end" => Kind::HeredocEnd,
            "heredoc_marker" => Kind::HeredocMarker,
            "line_continuation" => Kind::LineContinuation,
            "flag" => Kind::Flag,
            "mount_flag" => Kind::MountFlag,
            "mount_key" => Kind::MountKey,
            "mount_value" => Kind::MountValue,
            "keyword" => Kind::Keyword,
            "word" => Kind::Word,
            "variable" => Kind::Variable,
            "expansion" => Kind::Expansion,
            "shell_fragment" => Kind::ShellFragment,
            "arg_declaration" => Kind::ArgDeclaration,
            "env_pair" => Kind::EnvPair,
            name if name.ends_with("_instruction") => Kind::Instruction,
            _ => Kind::Other,
        }
    }

    /// Whether the kind is an instruction, ONBUILD included.
    pub fn is_instruction(self) -> bool {
        matches!(self, Kind::Instruction | Kind::OnbuildInstruction)
    }
}

fn table() -> &'static [Kind] {
    static TABLE: OnceLock<Vec<Kind>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let language = super::language();
        (0..language.node_kind_count())
            .map(|id| {
                language
                    .node_kind_for_id(id as u16)
                    .map_or(Kind::Other, Kind::of_name)
            })
            .collect()
    })
}

/// The kind of a node, by its kind id.
pub fn kind(node: Node<'_>) -> Kind {
    table()
        .get(usize::from(node.kind_id()))
        .copied()
        .unwrap_or(Kind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_agree_with_names() {
        let tree = crate::syntax::parse(
            "# syntax=x\n# c\nFROM a AS b\nRUN --mount=type=cache,from=b <<EOF \\\n  ${X}\nx $Y\nEOF\nONBUILD RUN x\nENV A=1\nARG B\nCMD [\"a\"]\n",
        );
        let mut cursor = tree.walk();
        let mut seen = 0;
        loop {
            let node = cursor.node();
            assert_eq!(kind(node), Kind::of_name(node.kind()), "{}", node.kind());
            seen += usize::from(kind(node) != Kind::Other);
            if cursor.goto_first_child() || cursor.goto_next_sibling() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    assert!(seen > 15);
                    return;
                }
            }
        }
    }
}
