//! Hover: documentation of what is under the cursor (instruction, flag,
//! mount key, directive, heredoc), the value and origin of a variable, and
//! what a stage is and who uses it.
//!
//! A hover is a list of markdown sections so that other features can add
//! theirs: an image-size estimate extends hovers whose subject is
//! [`Subject::FromLine`].

mod stages;
pub(crate) mod values;
mod variables;

use tree_sitter::Node;

use super::docs;
use super::Analysis;
use crate::model::{Flag, Instruction, Model, Span};
use crate::syntax::Source;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Instruction,
    Flag,
    MountKey,
    MountType,
    Directive,
    Heredoc,
    Variable,
    /// The FROM line of a stage: its keyword, base image or name.
    FromLine {
        stage: usize,
    },
    /// `COPY --from=…` or `--mount=from=…`, and the stage it resolves to.
    StageRef {
        target: Option<usize>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about, in the document.
    pub range: Span,
    pub subject: Subject,
    /// Markdown, shown in order with rules between them.
    pub sections: Vec<String>,
}

impl Hover {
    pub fn markdown(&self) -> String {
        self.sections.join("\n\n---\n\n")
    }
}

/// The hover at a byte offset (clamped to the text). The character before
/// the cursor counts too, so a cursor just after a word still finds it.
pub fn hover(analysis: &Analysis, source: &(impl Source + ?Sized), offset: usize) -> Option<Hover> {
    let offset = offset.min(source.len_bytes());
    hover_at(analysis, source, offset).or_else(|| {
        offset
            .checked_sub(1)
            .and_then(|o| hover_at(analysis, source, o))
    })
}

fn contains(span: &Span, offset: usize) -> bool {
    span.start <= offset && offset < span.end
}

fn hover_at(analysis: &Analysis, source: &(impl Source + ?Sized), offset: usize) -> Option<Hover> {
    let model = &analysis.model;
    if let Some(used) = model.var_uses.iter().find(|u| contains(&u.range, offset)) {
        return Some(variables::use_hover(analysis, source, used));
    }
    if let Some(r) = model.stage_refs.iter().find(|r| contains(&r.range, offset)) {
        return Some(stages::reference_hover(analysis, source, r));
    }
    for stage in &model.stages {
        if let Some(name) = stage.name.as_ref().filter(|n| contains(&n.range, offset)) {
            return stages::name_hover(analysis, source, stage, name.range.clone());
        }
        if contains(&stage.base_range, offset) {
            return Some(stages::base_hover(analysis, source, stage));
        }
    }
    let mut declarations = model
        .global_args
        .iter()
        .chain(model.stages.iter().flat_map(|s| s.vars.iter()));
    if let Some(decl) = declarations.find(|d| contains(&d.name_range, offset)) {
        return Some(variables::declaration_hover(analysis, source, decl));
    }
    if let Some(directive) = model.directives.iter().find(|d| contains(&d.range, offset)) {
        return directive_hover(directive, offset);
    }
    let instruction = model.instructions().find(|i| contains(&i.range, offset))?;
    instruction_hover(analysis, source, instruction, offset)
}

fn instruction_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    instruction: &Instruction,
    offset: usize,
) -> Option<Hover> {
    if let Some(trigger) = instruction
        .trigger
        .as_deref()
        .filter(|t| contains(&t.range, offset))
    {
        return instruction_hover(analysis, source, trigger, offset);
    }
    let keyword = instruction.keyword.as_str();
    if contains(&instruction.keyword_range, offset) {
        let mut sections = vec![docs::instruction_markdown(keyword)?];
        let mut subject = Subject::Instruction;
        // a FROM that starts no stage (an ONBUILD trigger) gets the docs only
        let stage = analysis
            .model
            .stages
            .iter()
            .find(|s| keyword == "from" && s.from.range == instruction.range);
        if let Some(stage) = stage {
            sections.extend(stages::stage_section(analysis, source, stage.index));
            subject = Subject::FromLine { stage: stage.index };
        }
        return Some(Hover {
            range: instruction.keyword_range.clone(),
            subject,
            sections,
        });
    }
    if let Some(flag) = instruction
        .flags
        .iter()
        .find(|f| !f.name.is_empty() && contains(&f.range, offset))
    {
        return flag_hover(keyword, flag, offset);
    }
    if let Some((heredoc, on_end)) = instruction.heredocs.iter().find_map(|h| {
        if contains(&h.marker_range, offset) {
            return Some((h, false));
        }
        heredoc_end(analysis, h.range.clone())
            .filter(|end| contains(end, offset))
            .map(|_| (h, true))
    }) {
        let end_line =
            heredoc_end(analysis, heredoc.range.clone()).map(|end| line_of(source, end.start));
        let marker = source.slice(heredoc.marker_range.clone());
        let range = match on_end {
            true => heredoc_end(analysis, heredoc.range.clone())?,
            false => heredoc.marker_range.clone(),
        };
        return Some(Hover {
            range,
            subject: Subject::Heredoc,
            sections: vec![docs::heredoc_markdown(&marker, keyword, end_line)],
        });
    }
    secondary_keyword_hover(analysis, source, instruction, offset)
}

fn flag_hover(keyword: &str, flag: &Flag, offset: usize) -> Option<Hover> {
    let param = flag.mount_params.iter().find(|p| {
        let end = p.value_range.as_ref().map_or(p.key_range.end, |v| v.end);
        contains(&(p.key_range.start..end), offset)
    });
    if let Some(param) = param {
        let on_value = param
            .value_range
            .as_ref()
            .is_some_and(|v| contains(v, offset));
        if on_value && param.key == "type" {
            let value = param.value.as_deref().unwrap_or_default();
            return Some(Hover {
                range: param.value_range.clone()?,
                subject: Subject::MountType,
                sections: vec![docs::mount_type_markdown(value)?],
            });
        }
        let end = param
            .value_range
            .as_ref()
            .map_or(param.key_range.end, |v| v.end);
        return Some(Hover {
            range: param.key_range.start..end,
            subject: Subject::MountKey,
            sections: vec![docs::mount_key_markdown(&param.key)?],
        });
    }
    Some(Hover {
        range: flag.range.clone(),
        subject: Subject::Flag,
        sections: vec![docs::flag_markdown(keyword, &flag.name)?],
    })
}

fn directive_hover(directive: &crate::model::Directive, offset: usize) -> Option<Hover> {
    let doc = docs::directive(&directive.name)?;
    let mut sections = Vec::new();
    if directive.name == "check" && contains(&directive.value_range, offset) {
        // only the text up to the first space is read, split at `;`
        let mut start = directive.value_range.start;
        let read = directive.value.split(' ').next().unwrap_or_default();
        for part in read.split(';') {
            if (start..start + part.len() + 1).contains(&offset) {
                let key = part.split('=').next().unwrap_or_default().trim();
                sections.extend(docs::check_option(key).map(str::to_string));
            }
            start += part.len() + 1;
        }
    }
    sections.push(doc.markdown());
    Some(Hover {
        range: directive.range.clone(),
        subject: Subject::Directive,
        sections,
    })
}

/// `AS` of FROM, `CMD` and `NONE` of HEALTHCHECK: keywords after the first.
fn secondary_keyword_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    instruction: &Instruction,
    offset: usize,
) -> Option<Hover> {
    let node = instruction_node(analysis, &instruction.range)?;
    let mut cursor = node.walk();
    let keyword = node
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "keyword")
        .skip(1)
        .find(|n| contains(&n.byte_range(), offset))?;
    let word = source.slice(keyword.byte_range());
    match instruction.keyword.as_str() {
        "healthcheck" => Some(Hover {
            range: keyword.byte_range(),
            subject: Subject::Instruction,
            sections: vec![docs::healthcheck_type(&word)?.to_string()],
        }),
        "from" => {
            let stage = analysis
                .model
                .stages
                .iter()
                .find(|s| s.from.range == instruction.range)?;
            stages::name_hover(analysis, source, stage, keyword.byte_range())
        }
        _ => None,
    }
}

/// The tree node of an instruction of the model.
fn instruction_node<'t>(analysis: &'t Analysis, range: &Span) -> Option<Node<'t>> {
    let mut node = analysis
        .tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end)?;
    while !(node.kind().ends_with("_instruction") && node.byte_range() == *range) {
        node = node.parent()?;
    }
    Some(node)
}

/// The closing line of a heredoc (its `range` is the heredoc node's).
fn heredoc_end(analysis: &Analysis, range: Span) -> Option<Span> {
    let mut node = analysis
        .tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end)?;
    while !(node.kind() == "heredoc" && node.byte_range() == range) {
        node = node.parent()?;
    }
    let mut cursor = node.walk();
    let end = node
        .named_children(&mut cursor)
        .find(|n| n.kind() == "heredoc_end")
        .map(|n| n.byte_range());
    end
}

/// The 1-based line of a byte offset; lines end at LF, CRLF or CR, as LSP
/// counts them.
pub(crate) fn line_of(source: &(impl Source + ?Sized), offset: usize) -> usize {
    source.line_at(offset) + 1
}

/// Inline code that survives backticks and line breaks in the text.
pub(crate) fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    if text.is_empty() {
        return "`\"\"` (empty)".to_string();
    }
    let fence = if text.contains('`') { "``" } else { "`" };
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// How a stage is named in prose: ``stage `build` `` or `stage 2`.
pub(crate) fn stage_label(model: &Model, index: usize) -> String {
    match model.stages.get(index).and_then(|s| s.name.as_ref()) {
        Some(name) => format!("stage `{}`", name.lowercase),
        None => format!("stage {index}"),
    }
}
