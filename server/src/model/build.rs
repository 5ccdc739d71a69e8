//! Reads the model out of a syntax tree.

use tree_sitter::{Node, Tree};

use super::vars::{collect_var_uses, declarations};
use super::*;
use crate::syntax::{self, logical_text, logical_text_of_range, Source};

/// Builds the model of a parsed document.
pub fn build(tree: &Tree, source: &(impl Source + ?Sized)) -> Model {
    let root = tree.root_node();
    let mut model = Model {
        escape: '\\',
        ..Model::default()
    };
    // BuildKit reads `syntax` and `check` (not `escape`) after a `#!` first
    // line too: the comments right after it can still be directives
    let mut after_shebang = false;
    let mut last_row = 0;
    let mut cursor = root.walk();
    for (i, node) in root.named_children(&mut cursor).enumerate() {
        if node.kind() == "comment" {
            let text = source.slice(node.byte_range());
            let row = node.start_position().row;
            if i == 0 && node.start_byte() == 0 && text.starts_with("#!") {
                after_shebang = true;
                last_row = row;
                continue;
            }
            // a blank line ends the directives
            after_shebang &= row == last_row + 1;
            last_row = row;
            match read_directive(node, source).filter(|_| after_shebang) {
                Some(d) if matches!(d.name.as_str(), "syntax" | "check") => {
                    model.directives.push(d)
                }
                // a known directive that does not apply here, not the end
                Some(d) if d.name == "escape" => {}
                _ => after_shebang = false,
            }
            continue;
        }
        after_shebang = false;
        match node.kind() {
            "parser_directive" => {
                if let Some(directive) = read_directive(node, source) {
                    if directive.name == "escape" && directive.value == "`" {
                        model.escape = '`';
                    }
                    model.directives.push(directive);
                }
            }
            kind if kind.ends_with("_instruction") => add_instruction(&mut model, node, source),
            _ => {}
        }
    }
    if let Some(last) = model.stages.last_mut() {
        last.range.end = last.range.end.max(last.from.range.end);
    }
    resolve_stage_refs(&mut model);
    model
}

fn add_instruction(model: &mut Model, node: Node<'_>, source: &(impl Source + ?Sized)) {
    let instruction = read_instruction(node, source);
    if instruction.keyword == "from" {
        let index = model.stages.len();
        let stage = read_stage(model, node, instruction, index, source);
        if let Some(previous) = model.stages.last_mut() {
            previous.range.end = previous.range.end.max(previous_end(previous));
        }
        collect_var_uses(node, source, None, &mut model.var_uses);
        model.stages.push(stage);
        return;
    }
    let stage_index = model.stages.len().checked_sub(1);
    collect_var_uses(node, source, stage_index, &mut model.var_uses);
    collect_refs(model, &instruction, stage_index, false);
    let decls = declarations(node, &instruction, stage_index, source);
    match model.stages.last_mut() {
        Some(stage) => {
            stage.range.end = instruction.range.end;
            stage.vars.extend(decls);
            stage.instructions.push(instruction);
        }
        None => {
            if instruction.keyword == "arg" {
                model.global_args.extend(decls);
            }
            model.preamble.push(instruction);
        }
    }
}

fn previous_end(stage: &Stage) -> usize {
    stage
        .instructions
        .last()
        .map_or(stage.from.range.end, |i| i.range.end)
}

fn read_directive(node: Node<'_>, source: &(impl Source + ?Sized)) -> Option<Directive> {
    let text = source.slice(node.byte_range());
    let body = text.trim_start().strip_prefix('#')?;
    let (key, value) = body.split_once('=')?;
    let value_trimmed = value.trim();
    let value_offset = text.len() - value.len() + (value.len() - value.trim_start().len());
    let start = node.start_byte() + value_offset;
    Some(Directive {
        name: key.trim().to_ascii_lowercase(),
        value: value_trimmed.to_string(),
        range: node.byte_range(),
        value_range: start..start + value_trimmed.len(),
    })
}

/// Summarises one instruction node.
pub(super) fn read_instruction(node: Node<'_>, source: &(impl Source + ?Sized)) -> Instruction {
    let view = syntax::Instruction { node };
    let keyword_node = view.keyword();
    let keyword_text = keyword_node
        .map(|k| source.slice(k.byte_range()).into_owned())
        .unwrap_or_default();
    let keyword = keyword_text.to_ascii_lowercase();
    let flags = view.flags().map(|f| read_flag(f, source)).collect();
    let argument_nodes = view.arguments();
    let arguments_range = view.range_of(&argument_nodes);
    let arguments = logical_text_of_range(node, arguments_range.start, arguments_range.end, source)
        .trim()
        .to_string();
    let json_form = argument_nodes.iter().any(|n| n.kind() == "json_array");
    let trigger = view
        .onbuild_trigger()
        .map(|t| Box::new(read_instruction(t.node, source)));
    let mut heredocs = Vec::new();
    let mut markers = Vec::new();
    let mut empty_continuation_lines = Vec::new();
    walk_instruction(node, source, &mut markers, &mut empty_continuation_lines);
    for (i, heredoc) in view.heredocs().into_iter().enumerate() {
        let mut cursor = heredoc.walk();
        let body = heredoc
            .named_children(&mut cursor)
            .find(|n| n.kind() == "heredoc_body")
            .map(|n| n.byte_range());
        let terminated = {
            let mut cursor = heredoc.walk();
            let found = heredoc
                .named_children(&mut cursor)
                .any(|n| n.kind() == "heredoc_end");
            found
        };
        heredocs.push(Heredoc {
            marker_range: markers.get(i).cloned().unwrap_or(heredoc.byte_range()),
            body_range: body,
            terminated,
            range: heredoc.byte_range(),
        });
    }
    // markers whose body never started: the file ended on the instruction line
    for marker in markers.iter().skip(heredocs.len()) {
        heredocs.push(Heredoc {
            marker_range: marker.clone(),
            body_range: None,
            terminated: false,
            range: marker.clone(),
        });
    }
    Instruction {
        known: INSTRUCTIONS.contains(&keyword.as_str()),
        keyword,
        keyword_text,
        keyword_range: keyword_node
            .map_or(node.start_byte()..node.start_byte(), |k| k.byte_range()),
        range: node.byte_range(),
        flags,
        arguments,
        arguments_range,
        json_form,
        trigger,
        heredocs,
        empty_continuation_lines,
    }
}

/// Collects heredoc markers and the blank lines continuations swallowed,
/// without descending into a nested ONBUILD trigger twice.
fn walk_instruction(
    node: Node<'_>,
    source: &(impl Source + ?Sized),
    markers: &mut Vec<Span>,
    empty_lines: &mut Vec<Span>,
) {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "heredoc_marker" => markers.push(child.byte_range()),
            "line_continuation" => {
                let text = source.slice(child.byte_range());
                if let Some(first_newline) = text.find('\n') {
                    let rest = &text[first_newline + 1..];
                    if !rest.is_empty() {
                        let start = child.start_byte() + first_newline + 1;
                        empty_lines.push(start..child.end_byte());
                    }
                }
            }
            "heredoc" | "onbuild_instruction" => {}
            _ if child.kind().ends_with("_instruction") => {}
            _ => {
                if child.child_count() > 0 {
                    walk_instruction(child, source, markers, empty_lines);
                }
            }
        }
    }
}

fn read_flag(node: Node<'_>, source: &(impl Source + ?Sized)) -> Flag {
    let name_node = node.child_by_field_name("name");
    let name = name_node
        .map(|n| source.slice(n.byte_range()).into_owned())
        .unwrap_or_default();
    let value_node = node.child_by_field_name("value");
    let mut mount_params = Vec::new();
    let mut value = value_node.map(|v| logical_text(v, source));
    let mut value_range = value_node.map(|v| v.byte_range());
    if node.kind() == "mount_flag" {
        let mut cursor = node.walk();
        let params: Vec<Node<'_>> = node
            .named_children(&mut cursor)
            .filter(|n| n.kind() == "mount_param")
            .collect();
        if let (Some(first), Some(last)) = (params.first(), params.last()) {
            value = Some(logical_text_of_range(
                node,
                first.start_byte(),
                last.end_byte(),
                source,
            ));
            value_range = Some(first.start_byte()..last.end_byte());
        }
        for param in params {
            let key = param.child_by_field_name("key");
            let val = param.child_by_field_name("value");
            mount_params.push(MountParam {
                key: key
                    .map(|k| source.slice(k.byte_range()).to_ascii_lowercase())
                    .unwrap_or_default(),
                key_range: key.map_or(param.byte_range(), |k| k.byte_range()),
                value: val.map(|v| logical_text(v, source)),
                value_range: val.map(|v| v.byte_range()),
            });
        }
    }
    if value.is_none() {
        // `--name=` (and `--mount=`) with nothing after it still has a
        // value: the empty one
        let text = source.slice(node.byte_range());
        if text.ends_with('=') {
            value = Some(String::new());
            value_range = Some(node.end_byte()..node.end_byte());
        }
    }
    Flag {
        name,
        name_range: name_node.map_or(node.byte_range(), |n| n.byte_range()),
        value,
        value_range,
        range: node.byte_range(),
        mount_params,
    }
}

fn read_stage(
    model: &Model,
    node: Node<'_>,
    from: Instruction,
    index: usize,
    source: &(impl Source + ?Sized),
) -> Stage {
    let image = node.child_by_field_name("image");
    let alias = node.child_by_field_name("name");
    let mut cursor = node.walk();
    let as_keyword = node
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "keyword")
        .nth(1)
        .map(|k| (source.slice(k.byte_range()).into_owned(), k.byte_range()));
    let mut cursor = node.walk();
    let extra_from_words = node
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "word")
        .map(|n| n.byte_range())
        .collect();
    let name = alias.map(|a| {
        let text = logical_text(a, source);
        StageName {
            lowercase: text.to_ascii_lowercase(),
            text,
            range: a.byte_range(),
        }
    });
    let platform = from
        .flags
        .iter()
        .find(|f| f.name == "platform")
        .and_then(|f| Some((f.value.clone()?, f.value_range.clone()?)));
    let (base, base_text, base_range) = match image {
        None => (
            Base::Missing,
            String::new(),
            from.keyword_range.end..from.keyword_range.end,
        ),
        Some(image) => {
            let text = logical_text(image, source);
            let range = image.byte_range();
            let earlier = model
                .stages
                .iter()
                .rev()
                .find(|s| s.name.as_ref().is_some_and(|n| n.lowercase == text));
            let base = if let Some(stage) = earlier {
                Base::Stage(stage.index)
            } else if text == "scratch" {
                Base::Scratch
            } else {
                let part = |field: &str| {
                    image
                        .child_by_field_name(field)
                        .map(|n| logical_text(n, source))
                };
                Base::Image(ImageRef {
                    text: text.clone(),
                    range: range.clone(),
                    name: part("name").unwrap_or_default(),
                    tag: part("tag"),
                    digest: part("digest"),
                })
            };
            (base, text, range)
        }
    };
    Stage {
        index,
        range: node.byte_range(),
        from,
        name,
        as_keyword,
        base,
        base_text,
        base_range,
        platform,
        instructions: Vec::new(),
        vars: Vec::new(),
        extra_from_words,
    }
}

/// Records `COPY --from=` and `RUN --mount=…,from=` references; they are
/// resolved once every stage is known.
fn collect_refs(
    model: &mut Model,
    instruction: &Instruction,
    stage: Option<usize>,
    in_onbuild: bool,
) {
    let Some(stage) = stage else { return };
    if let Some(trigger) = &instruction.trigger {
        collect_refs(model, trigger, Some(stage), true);
        return;
    }
    let downstream = |target: Target| {
        if in_onbuild {
            Target::Downstream
        } else {
            target
        }
    };
    for flag in &instruction.flags {
        if instruction.keyword == "copy" && flag.name == "from" {
            if let (Some(value), Some(range)) = (&flag.value, &flag.value_range) {
                model.stage_refs.push(StageRef {
                    kind: RefKind::CopyFrom,
                    value: value.clone(),
                    range: range.clone(),
                    from_stage: stage,
                    target: downstream(Target::NotAStage),
                    mount_target: None,
                    numeric: !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
                });
            }
        }
        if instruction.keyword == "run" && flag.name == "mount" {
            let mount_target = flag
                .mount_params
                .iter()
                .find(|p| matches!(p.key.as_str(), "target" | "dst" | "destination"))
                .and_then(|p| p.value.clone());
            for param in flag.mount_params.iter().filter(|p| p.key == "from") {
                if let (Some(value), Some(range)) = (&param.value, &param.value_range) {
                    model.stage_refs.push(StageRef {
                        kind: RefKind::MountFrom,
                        value: value.clone(),
                        range: range.clone(),
                        from_stage: stage,
                        target: downstream(Target::NotAStage),
                        mount_target: mount_target.clone(),
                        numeric: false,
                    });
                }
            }
        }
    }
}

/// Resolves every reference by BuildKit's rules (ARCHITECTURE.md, "Stage
/// semantics"), and adds `FROM name` references to stages.
fn resolve_stage_refs(model: &mut Model) {
    let stage_count = model.stages.len();
    let by_name = |model: &Model, name: &str, current: usize| -> Option<Target> {
        let lower = name.to_ascii_lowercase();
        let matches: Vec<usize> = model
            .stages
            .iter()
            .filter(|s| s.name.as_ref().is_some_and(|n| n.lowercase == lower))
            .map(|s| s.index)
            .collect();
        // BuildKit registers every stage before it resolves any --from, so
        // a duplicated name means its last definition, wherever that is
        let last = *matches.last()?;
        Some(match last.cmp(&current) {
            std::cmp::Ordering::Less => Target::Stage(last),
            std::cmp::Ordering::Equal => Target::Itself(last),
            std::cmp::Ordering::Greater => Target::Later(last),
        })
    };
    let mut resolved = Vec::with_capacity(model.stage_refs.len());
    for r in &model.stage_refs {
        // a variable is rejected wherever the trigger finally runs
        let target = if has_variable(&r.value, r.kind) {
            Target::Variable
        } else if r.target == Target::Downstream {
            Target::Downstream
        } else if r.numeric {
            match r.value.parse::<usize>() {
                Ok(n) if n < r.from_stage => Target::Stage(n),
                Ok(n) if n == r.from_stage => Target::Itself(n),
                Ok(n) if n < stage_count => Target::Later(n),
                Ok(n) => Target::IndexOutOfRange(n),
                Err(_) => Target::IndexOutOfRange(usize::MAX),
            }
        } else {
            by_name(model, &r.value, r.from_stage).unwrap_or(Target::NotAStage)
        };
        resolved.push(target);
    }
    for (r, target) in model.stage_refs.iter_mut().zip(resolved) {
        r.target = target;
    }

    // FROM <name>: compared as written with earlier stages' lowercased names
    let mut from_refs = Vec::new();
    for stage in &model.stages {
        if stage.base_text.is_empty() {
            continue;
        }
        let target = match stage.base {
            Base::Stage(i) => Some(Target::Stage(i)),
            _ => {
                let lower = stage.base_text.to_ascii_lowercase();
                let named = |s: &&Stage| s.name.as_ref().is_some_and(|n| n.lowercase == lower);
                if let Some(earlier) = model.stages[..stage.index].iter().rev().find(named) {
                    Some(Target::CaseMismatch(earlier.index))
                } else {
                    model.stages[stage.index..].iter().find(named).map(|s| {
                        if s.index == stage.index {
                            Target::Itself(s.index)
                        } else {
                            Target::Later(s.index)
                        }
                    })
                }
            }
        };
        if let Some(target) = target {
            from_refs.push(StageRef {
                kind: RefKind::FromBase,
                value: stage.base_text.clone(),
                range: stage.base_range.clone(),
                from_stage: stage.index,
                target,
                mount_target: None,
                numeric: false,
            });
        }
    }
    model.stage_refs.extend(from_refs);
    model.stage_refs.sort_by_key(|r| r.range.start);
}

/// Whether BuildKit rejects a `--from`/`from=` value for holding a variable.
fn has_variable(value: &str, kind: RefKind) -> bool {
    match kind {
        // "'from' doesn't support variable expansion": a `$` anywhere but last
        RefKind::MountFrom => value.find('$').is_some_and(|i| i + 1 < value.len()),
        _ => value.contains('$'),
    }
}
