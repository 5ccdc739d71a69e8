//! The formatter's safety net: the formatted text must parse cleanly and
//! read, instruction by instruction, as BuildKit read the original (see the
//! guarantee in [`super`]), with the same comments and directives and the
//! same number of non-blank lines.

use tree_sitter::Node;

use super::lines;
use super::quotes::canonical;
use crate::syntax::{self, logical_text, logical_text_of_range};

pub(super) fn equivalent(before: Node<'_>, before_text: &str, after_text: &str) -> bool {
    let tree = syntax::parse(after_text);
    let after = tree.root_node();
    !after.has_error()
        && non_blank_lines(before_text) == non_blank_lines(after_text)
        && summary(before, before_text) == summary(after, after_text)
}

fn non_blank_lines(text: &str) -> usize {
    lines::lines(text)
        .iter()
        .filter(|l| !l.is_blank(text))
        .count()
}

#[derive(Debug, PartialEq, Eq)]
struct Summary {
    items: Vec<Item>,
    comments: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Item {
    Directive(String),
    Instruction(Vec<Atom>),
}

#[derive(Debug, PartialEq, Eq)]
enum Atom {
    /// Lowercased: BuildKit compares keywords, `AS` and HEALTHCHECK's type
    /// without case.
    Keyword(String),
    Flag(String),
    /// Arguments between two other atoms, in their comparable form.
    Arguments(String),
    /// A value BuildKit keeps as written (legacy `ENV key value`).
    Verbatim(String),
    Trigger(Vec<Atom>),
    Heredoc(String),
}

fn summary(root: Node<'_>, text: &str) -> Summary {
    let mut items = Vec::new();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        match node.kind() {
            "parser_directive" => items.push(Item::Directive(
                slice(text, node.byte_range()).trim_end().to_string(),
            )),
            kind if kind.ends_with("_instruction") => {
                items.push(Item::Instruction(atoms(node, text)))
            }
            _ => {}
        }
    }
    let mut comments = Vec::new();
    collect_comments(root, text, &mut comments);
    Summary { items, comments }
}

fn collect_comments(node: Node<'_>, text: &str, out: &mut Vec<String>) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.kind() == "comment" {
            out.push(slice(text, child.byte_range()).trim_end().to_string());
        } else {
            collect_comments(child, text, out);
        }
    }
}

fn atoms(node: Node<'_>, text: &str) -> Vec<Atom> {
    let insensitive = whitespace_insensitive(node);
    let mut out = Vec::new();
    let mut arguments: Option<(usize, usize)> = None;
    let flush = |arguments: &mut Option<(usize, usize)>, out: &mut Vec<Atom>| {
        if let Some((start, end)) = arguments.take() {
            // BuildKit trims the joined line before anything else: an
            // unterminated quote at its end does not keep the whitespace
            let joined = logical_text_of_range(node, start, end, text);
            let joined = joined.trim();
            out.push(Atom::Arguments(if insensitive {
                canonical(joined)
            } else {
                joined.to_string()
            }));
        }
    };
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let atom = match child.kind() {
            "line_continuation" | "comment" => continue,
            "keyword" => Atom::Keyword(slice(text, child.byte_range()).to_ascii_lowercase()),
            "flag" | "mount_flag" => Atom::Flag(logical_text(child, text)),
            "heredoc" => Atom::Heredoc(heredoc_text(child, text)),
            kind if kind.ends_with("_instruction") => Atom::Trigger(atoms(child, text)),
            // legacy `ENV key value`: the value is taken as written
            _ if has_text_value(child) => {
                flush(&mut arguments, &mut out);
                let name = child
                    .child_by_field_name("name")
                    .or_else(|| child.child_by_field_name("key"));
                let value = child.child_by_field_name("value");
                let read =
                    |n: Option<Node<'_>>| n.map(|n| logical_text(n, text)).unwrap_or_default();
                out.push(Atom::Arguments(read(name).trim().to_string()));
                out.push(Atom::Verbatim(read(value).trim().to_string()));
                continue;
            }
            _ => {
                let start = arguments.map_or(child.start_byte(), |(start, _)| start);
                arguments = Some((start, child.end_byte()));
                continue;
            }
        };
        flush(&mut arguments, &mut out);
        out.push(atom);
    }
    flush(&mut arguments, &mut out);
    out
}

/// Whether BuildKit (and the shell after it) splits this instruction's
/// arguments at any run of whitespace outside quotes. USER, WORKDIR,
/// STOPSIGNAL, MAINTAINER and unknown instructions keep their text as
/// written (legacy `ENV k v` values are handled apart).
fn whitespace_insensitive(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "run_instruction"
            | "cmd_instruction"
            | "entrypoint_instruction"
            | "shell_instruction"
            | "healthcheck_instruction"
            | "from_instruction"
            | "copy_instruction"
            | "add_instruction"
            | "volume_instruction"
            | "expose_instruction"
            | "arg_instruction"
            | "env_instruction"
            | "label_instruction"
    )
}

fn has_text_value(pair: Node<'_>) -> bool {
    pair.child_by_field_name("value")
        .is_some_and(|value| value.kind() == "text")
}

/// A heredoc's body and terminator, byte for byte.
fn heredoc_text(heredoc: Node<'_>, text: &str) -> String {
    let mut cursor = heredoc.walk();
    heredoc
        .named_children(&mut cursor)
        .map(|part| slice(text, part.byte_range()))
        .collect()
}

fn slice(text: &str, range: std::ops::Range<usize>) -> &str {
    text.get(range).unwrap_or_default()
}
