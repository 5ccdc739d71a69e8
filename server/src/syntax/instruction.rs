//! A typed view of one instruction node: its keyword, flags, arguments and
//! heredocs, as BuildKit's parser splits them.

use tree_sitter::Node;

use super::kinds::{kind, Kind};
use super::Source;

/// One instruction of the tree (`*_instruction` node).
#[derive(Clone, Copy, Debug)]
pub struct Instruction<'t> {
    pub node: Node<'t>,
}

impl<'t> Instruction<'t> {
    /// Wraps a node when it is an instruction.
    pub fn cast(node: Node<'t>) -> Option<Self> {
        kind(node).is_instruction().then_some(Instruction { node })
    }

    /// The keyword node (`FROM`, `run`, or an unknown word).
    pub fn keyword(&self) -> Option<Node<'t>> {
        self.node.child(0).filter(|n| kind(*n) == Kind::Keyword)
    }

    /// The keyword lowercased, as BuildKit compares it.
    pub fn keyword_lowercase(&self, source: &(impl Source + ?Sized)) -> String {
        self.keyword()
            .map(|k| source.slice(k.byte_range()).to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// Flags (`flag` and `mount_flag` nodes), in order.
    pub fn flags(&self) -> impl Iterator<Item = Node<'t>> + 't {
        let mut cursor = self.node.walk();
        let flags: Vec<Node<'t>> = self
            .node
            .named_children(&mut cursor)
            .filter(|n| matches!(kind(*n), Kind::Flag | Kind::MountFlag))
            .collect();
        flags.into_iter()
    }

    /// The argument nodes after the keyword and flags, without heredoc
    /// bodies and without extras (comments, continuations).
    pub fn arguments(&self) -> Vec<Node<'t>> {
        let mut cursor = self.node.walk();
        self.node
            .named_children(&mut cursor)
            .skip(1)
            .filter(|n| {
                !matches!(
                    kind(*n),
                    Kind::Flag
                        | Kind::MountFlag
                        | Kind::Heredoc
                        | Kind::Comment
                        | Kind::LineContinuation
                )
            })
            .collect()
    }

    /// The byte range the arguments span (empty at the keyword's end when
    /// there are none).
    pub fn arguments_range(&self) -> std::ops::Range<usize> {
        self.range_of(&self.arguments())
    }

    /// The byte range `args` (from [`Self::arguments`]) span, for callers
    /// that need both without walking the children twice.
    pub fn range_of(&self, args: &[Node<'t>]) -> std::ops::Range<usize> {
        match (args.first(), args.last()) {
            (Some(first), Some(last)) => first.start_byte()..last.end_byte(),
            _ => {
                let end = self
                    .keyword()
                    .map_or(self.node.start_byte(), |k| k.end_byte());
                end..end
            }
        }
    }

    /// Heredocs that follow the instruction line, in order.
    pub fn heredocs(&self) -> Vec<Node<'t>> {
        let mut cursor = self.node.walk();
        self.node
            .named_children(&mut cursor)
            .filter(|n| kind(*n) == Kind::Heredoc)
            .collect()
    }

    /// The trigger of an ONBUILD instruction.
    pub fn onbuild_trigger(&self) -> Option<Instruction<'t>> {
        self.node
            .child_by_field_name("trigger")
            .and_then(Instruction::cast)
    }
}

/// Decodes a JSON string literal (`"a\"b"`); `None` when it is malformed.
pub fn decode_json_string(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '/' => out.push('/'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let unit = u16::from_str_radix(&hex, 16).ok()?;
                if (0xD800..0xDC00).contains(&unit) {
                    // a surrogate pair spells one character
                    let rest: String = chars.by_ref().take(6).collect();
                    let low = rest
                        .strip_prefix("\\u")
                        .and_then(|h| u16::from_str_radix(h, 16).ok())?;
                    out.push(char::decode_utf16([unit, low]).next()?.ok()?);
                } else {
                    out.push(char::from_u32(unit as u32).unwrap_or('\u{FFFD}'));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}
