//! Definition, references, highlights and rename for stages and variables.

use super::Analysis;
use crate::model::{is_valid_stage_name, Model, RefKind, Span, VarDecl, VarKind};
use crate::syntax::Source;

/// What the cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Symbol {
    Stage(usize),
    /// A variable: the declarations that share its value, in order.
    Variable(Vec<Span>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavigationTarget {
    /// The name to select (stage name, ARG name), or the FROM keyword of an
    /// unnamed stage.
    pub focus: Span,
    /// The whole definition (FROM instruction, ARG declaration).
    pub full: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

fn contains(span: &Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

fn symbol_at(model: &Model, offset: usize) -> Option<Symbol> {
    if let Some(r) = model.stage_refs.iter().find(|r| contains(&r.range, offset)) {
        return r.stage().map(Symbol::Stage);
    }
    if let Some(stage) = model
        .stages
        .iter()
        .find(|s| s.name.as_ref().is_some_and(|n| contains(&n.range, offset)))
    {
        return Some(Symbol::Stage(stage.index));
    }
    if let Some(used) = model.var_uses.iter().find(|u| contains(&u.range, offset)) {
        let decl = model.visible_declaration(&used.name, used.stage, used.instruction_start)?;
        return Some(Symbol::Variable(linked_declarations(model, decl)));
    }
    let decl = all_declarations(model).find(|d| contains(&d.name_range, offset))?;
    Some(Symbol::Variable(linked_declarations(model, decl)))
}

fn all_declarations(model: &Model) -> impl Iterator<Item = &VarDecl> {
    model
        .global_args
        .iter()
        .chain(model.stages.iter().flat_map(|s| s.vars.iter()))
}

/// A global ARG and the bare `ARG NAME` lines that bring it into stages
/// carry one value: they are one symbol.
fn linked_declarations(model: &Model, decl: &VarDecl) -> Vec<Span> {
    let imports_global =
        |d: &VarDecl| d.kind == VarKind::Arg && d.stage.is_some() && d.value.is_none();
    let is_global = decl.stage.is_none();
    if !is_global && !imports_global(decl) {
        return vec![decl.name_range.clone()];
    }
    let global = model.global_args.iter().rev().find(|g| g.name == decl.name);
    if global.is_none() {
        return vec![decl.name_range.clone()];
    }
    all_declarations(model)
        .filter(|d| d.name == decl.name && (d.stage.is_none() || imports_global(d)))
        .map(|d| d.name_range.clone())
        .collect()
}

fn var_use_sites(model: &Model, decls: &[Span]) -> Vec<Span> {
    model
        .var_uses
        .iter()
        .filter(|u| {
            model
                .visible_declaration(&u.name, u.stage, u.instruction_start)
                .is_some_and(|d| decls.contains(&d.name_range))
        })
        .map(|u| u.range.clone())
        .collect()
}

/// Where the symbol under the cursor is defined.
pub fn definition(analysis: &Analysis, offset: usize) -> Option<NavigationTarget> {
    let model = &analysis.model;
    match symbol_at(model, offset)? {
        Symbol::Stage(i) => {
            let stage = model.stages.get(i)?;
            let focus = stage
                .name
                .as_ref()
                .map_or(stage.from.keyword_range.clone(), |n| n.range.clone());
            Some(NavigationTarget {
                focus,
                full: stage.from.range.clone(),
            })
        }
        Symbol::Variable(_) => {
            // the nearest declaration before the cursor, else the first
            let used = model.var_uses.iter().find(|u| contains(&u.range, offset));
            let decl = match used {
                Some(u) => model.visible_declaration(&u.name, u.stage, u.instruction_start)?,
                None => all_declarations(model).find(|d| contains(&d.name_range, offset))?,
            };
            Some(NavigationTarget {
                focus: decl.name_range.clone(),
                full: decl.range.clone(),
            })
        }
    }
}

/// Every occurrence of the symbol under the cursor, with whether it defines
/// or uses it, in document order.
pub fn occurrences(analysis: &Analysis, offset: usize) -> Vec<(Span, Access)> {
    let model = &analysis.model;
    let mut out = Vec::new();
    match symbol_at(model, offset) {
        None => {}
        Some(Symbol::Stage(i)) => {
            if let Some(name) = model.stages.get(i).and_then(|s| s.name.as_ref()) {
                out.push((name.range.clone(), Access::Write));
            }
            out.extend(
                model
                    .stage_refs
                    .iter()
                    .filter(|r| r.stage() == Some(i))
                    .map(|r| (r.range.clone(), Access::Read)),
            );
        }
        Some(Symbol::Variable(decls)) => {
            out.extend(decls.iter().map(|d| (d.clone(), Access::Write)));
            out.extend(
                var_use_sites(model, &decls)
                    .into_iter()
                    .map(|r| (r, Access::Read)),
            );
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// References for `textDocument/references`.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    occurrences(analysis, offset)
        .into_iter()
        .filter(|(_, access)| include_declaration || *access == Access::Read)
        .map(|(range, _)| range)
        .collect()
}

/// The range to rename and its current text; an error says why the symbol
/// under the cursor cannot be renamed.
pub fn prepare_rename(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    offset: usize,
) -> Result<(Span, String), String> {
    let model = &analysis.model;
    if let Some(r) = model.stage_refs.iter().find(|r| contains(&r.range, offset)) {
        if r.numeric {
            return Err(
                "a numeric stage reference is kept as it is: rename the stage's name instead"
                    .into(),
            );
        }
        if r.stage().is_none() {
            return Err(format!("'{}' is not a stage of this Dockerfile", r.value));
        }
        return Ok((r.range.clone(), source.slice(r.range.clone()).into_owned()));
    }
    let symbol = symbol_at(model, offset)
        .ok_or("nothing to rename here: place the cursor on a stage or a variable")?;
    if let Symbol::Stage(i) = symbol {
        if model.stages.get(i).is_some_and(|s| s.name.is_none()) {
            return Err("this stage has no name: add one with `AS name`".into());
        }
    }
    occurrences(analysis, offset)
        .into_iter()
        .find(|(range, _)| contains(range, offset))
        .map(|(range, _)| (range.clone(), source.slice(range).into_owned()))
        .ok_or_else(|| "nothing to rename here".to_string())
}

/// The edits that rename the symbol under the cursor to `new_name`.
pub fn rename(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    offset: usize,
    new_name: &str,
) -> Result<Vec<(Span, String)>, String> {
    prepare_rename(analysis, source, offset)?;
    let model = &analysis.model;
    let symbol = symbol_at(model, offset).ok_or("nothing to rename here")?;
    match &symbol {
        Symbol::Stage(_) => {
            if !is_valid_stage_name(new_name) {
                return Err(format!(
                    "'{new_name}' is not a valid stage name: it must start with a letter and hold only letters, digits, '-', '_' and '.'"
                ));
            }
            if matches!(
                new_name.to_ascii_lowercase().as_str(),
                "scratch" | "context"
            ) {
                return Err(format!(
                    "'{new_name}' is reserved by BuildKit and cannot name a stage"
                ));
            }
        }
        Symbol::Variable(_) => {
            let mut chars = new_name.chars();
            let valid = chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!(
                    "'{new_name}' is not a valid variable name: use letters, digits and '_', not starting with a digit"
                ));
            }
        }
    }
    let numeric = |range: &Span| {
        model
            .stage_refs
            .iter()
            .any(|r| r.numeric && r.range == *range && r.kind == RefKind::CopyFrom)
    };
    Ok(occurrences(analysis, offset)
        .into_iter()
        .filter(|(range, _)| !numeric(range))
        .map(|(range, _)| (range, new_name.to_string()))
        .collect())
}
