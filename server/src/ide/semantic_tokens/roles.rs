//! What each node kind of the grammar means to the token walk, as a table
//! indexed by kind id: the walk looks a role up in O(1) instead of
//! comparing kind names for every node of a 10,000-line file.

use std::sync::OnceLock;

use crate::syntax;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Not classified itself; its children may be.
    Transparent,
    /// A line continuation: nothing to colour, but not part of the value
    /// around it either.
    Hole,
    Comment,
    Directive,
    Keyword,
    FlagName,
    FlagValue,
    MountKey,
    MountValue,
    ImageSpec,
    ImageName,
    ImageTag,
    StageAlias,
    Variable,
    Expansion,
    ExpansionPunctuation,
    ExpansionOperator,
    ExpansionArgument,
    Equals,
    /// `word` or `text`: a value in an ARG, ENV or LABEL, else plain.
    Value,
    /// `arg_declaration`, `env_pair`, `label_pair`.
    Declaration,
    LabelKey,
    QuotedString,
    JsonString,
    ExposePort,
    HeredocMarker,
    HeredocBody,
    HeredocEnd,
    ShellFragment,
    UnknownInstruction,
    MaintainerInstruction,
}

const NAMED: &[(&str, Role)] = &[
    ("line_continuation", Role::Hole),
    ("comment", Role::Comment),
    ("parser_directive", Role::Directive),
    ("keyword", Role::Keyword),
    ("flag_name", Role::FlagName),
    ("flag_value", Role::FlagValue),
    ("mount_key", Role::MountKey),
    ("mount_value", Role::MountValue),
    ("image_spec", Role::ImageSpec),
    ("image_name", Role::ImageName),
    ("image_tag", Role::ImageTag),
    ("image_digest", Role::ImageTag),
    ("image_alias", Role::StageAlias),
    ("variable", Role::Variable),
    ("expansion", Role::Expansion),
    ("expansion_operator", Role::ExpansionOperator),
    ("expansion_argument", Role::ExpansionArgument),
    ("word", Role::Value),
    ("text", Role::Value),
    ("arg_declaration", Role::Declaration),
    ("env_pair", Role::Declaration),
    ("label_pair", Role::Declaration),
    ("label_key", Role::LabelKey),
    ("double_quoted_string", Role::QuotedString),
    ("single_quoted_string", Role::QuotedString),
    ("json_string", Role::JsonString),
    ("expose_port", Role::ExposePort),
    ("heredoc_marker", Role::HeredocMarker),
    ("heredoc_body", Role::HeredocBody),
    ("heredoc_end", Role::HeredocEnd),
    ("shell_fragment", Role::ShellFragment),
    ("unknown_instruction", Role::UnknownInstruction),
    ("maintainer_instruction", Role::MaintainerInstruction),
];

const ANONYMOUS: &[(&str, Role)] = &[
    ("=", Role::Equals),
    ("$", Role::ExpansionPunctuation),
    ("${", Role::ExpansionPunctuation),
    ("}", Role::ExpansionPunctuation),
];

/// The role of every kind id of our grammar.
pub(super) fn table() -> &'static [Role] {
    static TABLE: OnceLock<Vec<Role>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let language = syntax::language();
        let mut table = vec![Role::Transparent; language.node_kind_count()];
        let named = NAMED.iter().map(|&(name, role)| (name, true, role));
        let anonymous = ANONYMOUS.iter().map(|&(name, role)| (name, false, role));
        for (name, is_named, role) in named.chain(anonymous) {
            let id = usize::from(language.id_for_node_kind(name, is_named));
            // 0 is "not in the grammar": a renamed kind loses its colour,
            // which the tests notice, rather than taking another's
            if id != 0 {
                if let Some(slot) = table.get_mut(id) {
                    *slot = role;
                }
            }
        }
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_named_here_is_in_the_grammar() {
        let language = syntax::language();
        for (name, _) in NAMED {
            assert_ne!(language.id_for_node_kind(name, true), 0, "{name}");
        }
        for (name, _) in ANONYMOUS {
            assert_ne!(language.id_for_node_kind(name, false), 0, "{name}");
        }
    }
}
