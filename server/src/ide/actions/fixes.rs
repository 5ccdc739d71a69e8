//! Quick fixes for our diagnostics.

use std::ops::Range;

use super::edit::{comments_above, edit, line_end, line_start, newline};
use super::{overlaps, ActionKind, Candidate, Request};
use crate::ide::{Analysis, Diagnostic, TextEdit};
use crate::model::{Model, RefKind, Target};

pub(super) fn quick_fixes<'a>(
    analysis: &'a Analysis,
    text: &'a str,
    request: &Request<'a>,
    out: &mut Vec<Candidate<'a>>,
) {
    for d in request.diagnostics {
        if !overlaps(&d.range, &request.range) {
            continue;
        }
        if let Some((title, preferred, edit)) = fix(analysis, text, d) {
            out.push(Candidate {
                id: format!("fix.{}@{}", d.code, d.range.start),
                title,
                kind: ActionKind::QuickFix,
                preferred,
                fixes: Some((d.range.clone(), d.code.clone())),
                eager: true,
                edit,
            });
        }
    }
}

type Fix<'a> = (
    String,
    bool,
    Box<dyn FnOnce() -> Option<Vec<TextEdit>> + 'a>,
);

fn ready<'a>(title: String, preferred: bool, edits: Vec<TextEdit>) -> Option<Fix<'a>> {
    Some((title, preferred, Box::new(move || Some(edits))))
}

/// The name in `… did you mean 'NAME'?` (or `(did you mean NAME?)`).
fn suggestion(message: &str) -> Option<String> {
    let (_, after) = message.rsplit_once("did you mean ")?;
    let name = after.trim_end_matches(['?', ')']).trim_matches('\'');
    (!name.is_empty()).then(|| name.to_string())
}

fn fix<'a>(analysis: &'a Analysis, text: &'a str, d: &Diagnostic) -> Option<Fix<'a>> {
    let model = &analysis.model;
    let range = d.range.clone();
    match d.code.as_str() {
        "unknown-stage" | "unknown-build-context" => {
            let name = suggestion(&d.message)?;
            ready(format!("Change to '{name}'"), true, vec![edit(range, name)])
        }
        "unknown-instruction" => {
            let keyword = suggestion(&d.message)?;
            let written = text.get(range.clone())?;
            let keyword = if written.chars().any(|c| c.is_ascii_uppercase()) {
                keyword.to_ascii_uppercase()
            } else {
                keyword.to_ascii_lowercase()
            };
            ready(
                format!("Change to {keyword}"),
                true,
                vec![edit(range, keyword)],
            )
        }
        "StageNameCasing" => {
            let stage = model
                .stages
                .iter()
                .find(|s| s.name.as_ref().is_some_and(|n| n.range == range))?;
            let name = stage.name.as_ref()?;
            let mut edits = vec![edit(range, name.lowercase.clone())];
            // references that spell the name another way follow it (FROM
            // compares case-sensitively)
            for r in &model.stage_refs {
                if r.stage() == Some(stage.index)
                    && !r.numeric
                    && r.value != name.lowercase
                    && r.value.eq_ignore_ascii_case(&name.lowercase)
                {
                    edits.push(edit(r.range.clone(), name.lowercase.clone()));
                }
            }
            ready(format!("Rename stage to '{}'", name.lowercase), true, edits)
        }
        "from-stage-casing" => {
            let value = text.get(range.clone())?.to_ascii_lowercase();
            ready(
                format!("Change to '{value}'"),
                true,
                vec![edit(range, value)],
            )
        }
        "FromAsCasing" => {
            let stage = model
                .stages
                .iter()
                .find(|s| s.as_keyword.as_ref().is_some_and(|(_, r)| *r == range))?;
            let from = &stage.from.keyword_text;
            let word = if from.chars().any(|c| c.is_ascii_lowercase()) {
                "as"
            } else {
                "AS"
            };
            ready(
                format!("Change to '{word}' to match '{from}'"),
                true,
                vec![edit(range, word)],
            )
        }
        "NoEmptyContinuation" => {
            let start = line_start(text, range.start);
            let end = line_end(text, range.start);
            if !text.get(start..end)?.trim().is_empty() {
                return None;
            }
            ready(
                "Remove the empty continuation line".to_string(),
                true,
                vec![edit(start..end, "")],
            )
        }
        "DuplicateStageName" | "ReservedStageName" => {
            let stage = model
                .stages
                .iter()
                .find(|s| s.name.as_ref().is_some_and(|n| n.range == range))?;
            let name = stage.name.as_ref()?;
            let base = if d.code == "ReservedStageName" {
                format!("{}-stage", name.lowercase)
            } else {
                name.lowercase.clone()
            };
            let new_name = free_name(model, &base, d.code == "DuplicateStageName");
            let edits = crate::ide::rename(analysis, text, range.start, &new_name).ok()?;
            let edits = edits
                .into_iter()
                .map(|(r, t)| edit(r, t))
                .collect::<Vec<_>>();
            ready(format!("Rename stage to '{new_name}'"), true, edits)
        }
        "from-later-stage" | "stage-defined-later" => {
            let r = model.stage_refs.iter().find(|r| r.range == range)?;
            let Target::Later(target) = r.target else {
                return None;
            };
            let edits = move_stage_before(model, text, target, r.from_stage)?;
            let what = if r.kind == RefKind::FromBase {
                "FROM"
            } else {
                "its use"
            };
            ready(
                format!(
                    "Move stage '{}' before {what}",
                    model.stages[target].display_name()
                ),
                true,
                edits,
            )
        }
        "MaintainerDeprecated" => {
            let instruction = model
                .stages
                .iter()
                .flat_map(|s| s.instructions.iter())
                .chain(model.preamble.iter())
                .find(|i| i.keyword == "maintainer" && i.keyword_range == range)?;
            if instruction.arguments.is_empty() || !instruction.heredocs.is_empty() {
                return None;
            }
            let keyword = if instruction
                .keyword_text
                .chars()
                .any(|c| c.is_ascii_lowercase())
            {
                "label"
            } else {
                "LABEL"
            };
            let value = instruction
                .arguments
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            ready(
                "Replace with LABEL org.opencontainers.image.authors".to_string(),
                true,
                vec![edit(
                    instruction.range.clone(),
                    format!("{keyword} org.opencontainers.image.authors=\"{value}\""),
                )],
            )
        }
        _ => None,
    }
}

/// `base`, or `base-2`, `base-3`… when a stage has that name already.
pub(super) fn free_name(model: &Model, base: &str, numbered: bool) -> String {
    let taken = |n: &str| {
        model
            .stages
            .iter()
            .any(|s| s.name.as_ref().is_some_and(|s| s.lowercase == n))
            || matches!(n, "scratch" | "context")
    };
    if !numbered && !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|n| !taken(n))
        .expect("some number is free")
}

/// The text of a stage with the comments right above its FROM, through the
/// end of its last line.
pub(super) fn stage_block(model: &Model, text: &str, index: usize) -> Option<Range<usize>> {
    let stage = model.stages.get(index)?;
    let floor = match index.checked_sub(1) {
        Some(previous) => line_end(text, model.stages[previous].range.end.saturating_sub(1)),
        None => model
            .preamble
            .last()
            .map_or(0, |i| line_end(text, i.range.end.saturating_sub(1))),
    };
    let keep_out: Vec<Range<usize>> = model.directives.iter().map(|d| d.range.clone()).collect();
    let start = comments_above(text, stage.range.start, floor, &keep_out);
    let end = line_end(
        text,
        stage.range.end.saturating_sub(1).max(stage.range.start),
    );
    Some(start..end)
}

/// Moves stage `moved` (a later one) to just before stage `before`, when
/// nothing it refers to is at or after `before` and no numeric `--from`
/// would count differently.
fn move_stage_before(
    model: &Model,
    text: &str,
    moved: usize,
    before: usize,
) -> Option<Vec<TextEdit>> {
    if moved <= before || model.stage_refs.iter().any(|r| r.numeric) {
        return None;
    }
    // the moved stage may depend only on stages that stay before it
    let depends_late = model
        .stage_refs
        .iter()
        .any(|r| r.from_stage == moved && r.stage().is_some_and(|t| t >= before && t != moved));
    if depends_late {
        return None;
    }
    let block = stage_block(model, text, moved)?;
    let target = stage_block(model, text, before)?;
    let mut moved_text = text[block.clone()].to_string();
    let nl = newline(text);
    if !moved_text.ends_with('\n') && !moved_text.ends_with('\r') {
        moved_text.push_str(nl);
    }
    moved_text.push_str(nl);
    // the line break before the moved block goes with it when it was the
    // file's last stage without a final newline
    let mut removed = block.clone();
    if block.end == text.len() {
        // the last stage: blank lines before it go too
        let before_block = text[..block.start].trim_end_matches(['\n', '\r', ' ', '\t']);
        removed.start = if text.ends_with(['\n', '\r']) {
            line_end(text, before_block.len())
        } else {
            before_block.len()
        };
    } else if text[block.end..].starts_with(nl) && text[..block.start].ends_with(nl) {
        // drop one blank separator line too, so blank lines do not pile up
        let after = &text[block.end..];
        if after.starts_with(nl) {
            removed.end += nl.len();
        }
    }
    Some(vec![
        edit(target.start..target.start, moved_text),
        edit(removed, ""),
    ])
}
