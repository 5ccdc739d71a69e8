//! Document symbols (one per stage, instructions as children) and folding
//! ranges (stages, multi-line instructions, heredocs, comment blocks).

use tree_sitter::Node;

use super::Analysis;
use crate::model::{Base, Instruction, Span, Stage};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Stage,
    Instruction,
    Variable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: Span,
    pub selection: Span,
    pub children: Vec<Symbol>,
}

fn shortened(text: &str, limit: usize) -> String {
    let single_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single_line.chars().count() <= limit {
        return single_line;
    }
    let mut out: String = single_line.chars().take(limit).collect();
    out.push('…');
    out
}

fn instruction_symbol(instruction: &Instruction) -> Symbol {
    Symbol {
        name: instruction.keyword.to_ascii_uppercase().into(),
        detail: Some(shortened(&instruction.arguments, 60)).filter(|d| !d.is_empty()),
        kind: SymbolKind::Instruction,
        range: instruction.range.clone(),
        selection: instruction.keyword_range.clone(),
        children: Vec::new(),
    }
}

fn stage_symbol(analysis: &Analysis, stage: &Stage) -> Symbol {
    let detail = match stage.base {
        Base::Stage(i) => analysis
            .model
            .stages
            .get(i)
            .map(|s| format!("FROM stage {}", s.display_name())),
        Base::Missing => None,
        _ => Some(stage.base_text.clone()),
    };
    Symbol {
        name: match &stage.name {
            Some(name) => name.text.clone(),
            None => format!("stage {}", stage.index),
        },
        detail,
        kind: SymbolKind::Stage,
        range: stage.range.clone(),
        selection: stage
            .name
            .as_ref()
            .map_or(stage.from.keyword_range.clone(), |n| n.range.clone()),
        children: stage.instructions.iter().map(instruction_symbol).collect(),
    }
}

/// The outline: global ARGs, then one symbol per stage.
pub fn document_symbols(analysis: &Analysis) -> Vec<Symbol> {
    symbols(analysis).collect()
}

/// The outline's top-level symbols, each made when it is asked for (a
/// large file's whole outline is megabytes of names and details).
pub fn symbols(analysis: &Analysis) -> impl Iterator<Item = Symbol> + '_ {
    let model = &analysis.model;
    let globals = model.global_args.iter().map(|arg| Symbol {
        name: arg.name.to_string(),
        detail: arg
            .value
            .clone()
            .map(|v| format!("ARG default {v}"))
            .or(Some("ARG".into())),
        kind: SymbolKind::Variable,
        range: arg.range.clone(),
        selection: arg.name_range.clone(),
        children: Vec::new(),
    });
    globals.chain(
        model
            .stages
            .iter()
            .map(|stage| stage_symbol(analysis, stage)),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

/// A fold over whole lines (0-based rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub start_line: usize,
    pub end_line: usize,
    pub kind: FoldKind,
}

/// The last row a node really occupies: a node that ends at column 0 ends
/// on the line before.
fn last_row(node: Node<'_>) -> usize {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row - 1
    } else {
        end.row
    }
}

pub fn folding_ranges(analysis: &Analysis) -> Vec<Fold> {
    let root = analysis.tree.root_node();
    let mut folds = Vec::new();
    let mut push = |start: usize, end: usize, kind| {
        if end > start {
            folds.push(Fold {
                start_line: start,
                end_line: end,
                kind,
            });
        }
    };
    let mut stage_start: Option<usize> = None;
    let mut stage_end = 0;
    let mut comment_block: Option<(usize, usize)> = None;
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        let (start, end) = (node.start_position().row, last_row(node));
        if node.kind() == "comment" {
            comment_block = match comment_block {
                Some((first, last)) if last + 1 == start => Some((first, start)),
                Some((first, last)) => {
                    push(first, last, FoldKind::Comment);
                    Some((start, start))
                }
                None => Some((start, start)),
            };
            continue;
        }
        if let Some((first, last)) = comment_block.take() {
            push(first, last, FoldKind::Comment);
        }
        if !node.kind().ends_with("_instruction") {
            continue;
        }
        if node.kind() == "from_instruction" {
            if let Some(first) = stage_start {
                push(first, stage_end, FoldKind::Region);
            }
            stage_start = Some(start);
        }
        stage_end = end;
        push(start, end, FoldKind::Region);
        let mut inner = node.walk();
        for child in node
            .named_children(&mut inner)
            .filter(|c| c.kind() == "heredoc")
        {
            push(
                child.start_position().row,
                last_row(child),
                FoldKind::Region,
            );
        }
    }
    if let Some((first, last)) = comment_block {
        push(first, last, FoldKind::Comment);
    }
    if let Some(first) = stage_start {
        push(first, stage_end, FoldKind::Region);
    }
    folds.sort_by_key(|f| (f.start_line, std::cmp::Reverse(f.end_line)));
    folds.dedup();
    folds
}
