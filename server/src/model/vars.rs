//! Variable declarations (ARG, ENV) and uses (`$VAR`, `${VAR…}`).

use tree_sitter::Node;

use super::{Instruction, VarDecl, VarKind, VarUse};
use crate::syntax::{kind, logical_text, Kind, Source};

/// Every expansion in an instruction the builder expands. ONBUILD triggers
/// are skipped: they expand in the downstream build.
pub(super) fn collect_var_uses(
    node: Node<'_>,
    source: &(impl Source + ?Sized),
    stage: Option<usize>,
    out: &mut Vec<VarUse>,
) {
    if kind(node) == Kind::OnbuildInstruction {
        return;
    }
    let instruction_start = node.start_byte();
    let first_new = out.len();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        let in_expansion = kind(current) == Kind::Expansion;
        let mut cursor = current.walk();
        for child in current.named_children(&mut cursor) {
            let child_kind = kind(child);
            if child_kind == Kind::Variable && in_expansion {
                out.push(VarUse {
                    name: source.slice(child.byte_range()).into(),
                    range: child.byte_range(),
                    stage,
                    instruction_start,
                    in_shell: false,
                });
            } else if matches!(child_kind, Kind::ShellFragment | Kind::HeredocBody) {
                shell_var_uses(child, source, stage, instruction_start, out);
            } else if child.child_count() > 0 {
                stack.push(child);
            }
        }
    }
    // only this instruction's uses: earlier ones are already in order
    out[first_new..].sort_by_key(|u| u.range.start);
}

/// `$NAME` and `${NAME…}` in shell text, which the shell expands from the
/// environment (ARG and ENV values) when the command runs. Text in single
/// quotes and escaped dollars are not expansions.
fn shell_var_uses(
    node: Node<'_>,
    source: &(impl Source + ?Sized),
    stage: Option<usize>,
    instruction_start: usize,
    out: &mut Vec<VarUse>,
) {
    let text = source.slice(node.byte_range());
    let bytes = text.as_bytes();
    let mut in_single_quotes = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'\'' => in_single_quotes = !in_single_quotes,
            b'$' if !in_single_quotes => {
                let start = if bytes.get(i + 1) == Some(&b'{') {
                    i + 2
                } else {
                    i + 1
                };
                let starts_name = bytes
                    .get(start)
                    .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
                if starts_name {
                    let len = bytes[start..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                        .count();
                    let at = node.start_byte() + start;
                    out.push(VarUse {
                        name: text[start..start + len].into(),
                        range: at..at + len,
                        stage,
                        instruction_start,
                        in_shell: true,
                    });
                    i = start + len;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// The ARG or ENV declarations of one instruction.
pub(super) fn declarations(
    node: Node<'_>,
    instruction: &Instruction,
    stage: Option<usize>,
    source: &(impl Source + ?Sized),
) -> Vec<VarDecl> {
    let (var_kind, item_kind, value_field) = match instruction.keyword.as_str() {
        "arg" => (VarKind::Arg, Kind::ArgDeclaration, "default"),
        "env" => (VarKind::Env, Kind::EnvPair, "value"),
        _ => return Vec::new(),
    };
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| kind(*n) == item_kind)
        .filter_map(|item| {
            let name = item.child_by_field_name("name")?;
            Some(VarDecl {
                kind: var_kind,
                name: logical_text(name, source).into(),
                name_range: name.byte_range(),
                value: item
                    .child_by_field_name(value_field)
                    .map(|v| logical_text(v, source).into()),
                range: item.byte_range(),
                stage,
            })
        })
        .collect()
}
