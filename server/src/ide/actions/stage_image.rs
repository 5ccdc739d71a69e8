//! "Use a named stage for this image": `COPY --from=<image>` (and
//! `--mount=from=<image>`) become references to a new `FROM <image> AS
//! <name>` stage; and the reverse, "Inline stage": a stage that is only
//! `FROM <image>` is replaced by the image in the references to it.

use super::edit::{edit, line_end, newline};
use super::fixes::{free_name, stage_block};
use super::stage_name::sanitize;
use super::{overlaps, ActionKind, Candidate, Request};
use crate::ide::images::is_clearly_an_image;
use crate::ide::{Analysis, TextEdit};
use crate::model::{Base, Model, RefKind, Target};

pub(super) fn stage_image<'a>(
    analysis: &'a Analysis,
    text: &'a str,
    request: &Request<'a>,
    out: &mut Vec<Candidate<'a>>,
) {
    let model = &analysis.model;
    use_named_stage(model, text, request, out);
    inline_stage(model, text, request, out);
}

/// Numeric `--from=N` references to stages at or after `from`, shifted by
/// `by`.
fn renumber(model: &Model, from: usize, by: isize, skip: Option<usize>) -> Vec<TextEdit> {
    model
        .stage_refs
        .iter()
        .filter(|r| r.numeric && r.kind == RefKind::CopyFrom)
        .filter_map(|r| {
            let n: usize = r.value.parse().ok()?;
            (n >= from && Some(n) != skip)
                .then(|| edit(r.range.clone(), (n as isize + by).to_string()))
        })
        .collect()
}

fn use_named_stage<'a>(
    model: &Model,
    text: &'a str,
    request: &Request<'a>,
    out: &mut Vec<Candidate<'a>>,
) {
    let is_image_ref = |r: &crate::model::StageRef| {
        matches!(r.kind, RefKind::CopyFrom | RefKind::MountFrom)
            && r.target == Target::NotAStage
            && !r.numeric
            && !r.value.contains('$')
            && is_clearly_an_image(&r.value.to_ascii_lowercase())
    };
    let Some(at) = model
        .stage_refs
        .iter()
        .find(|r| is_image_ref(r) && overlaps(&r.range, &request.range))
    else {
        return;
    };
    let image = at.value.clone();
    let uses: Vec<&crate::model::StageRef> = model
        .stage_refs
        .iter()
        .filter(|r| is_image_ref(r) && r.value == image)
        .collect();
    let first_stage = uses.iter().map(|r| r.from_stage).min().unwrap_or(0);
    let Some(block) = stage_block(model, text, first_stage) else {
        return;
    };
    // the last path segment without tag or digest (`gcr.io/distroless/base:nonroot` → base)
    let short = image
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .split(['@', ':'])
        .next()
        .unwrap_or_default();
    let name = free_name(
        model,
        &sanitize(short).unwrap_or_else(|| "image".to_string()),
        false,
    );
    let nl = newline(text);
    let mut edits = vec![edit(
        block.start..block.start,
        format!("FROM {image} AS {name}{nl}{nl}"),
    )];
    edits.extend(uses.iter().map(|r| edit(r.range.clone(), name.clone())));
    edits.extend(renumber(model, first_stage, 1, None));
    let count = uses.len();
    out.push(Candidate {
        id: format!("use-stage@{}", at.range.start),
        title: if count > 1 {
            format!("Use a named stage '{name}' for {image} ({count} uses)")
        } else {
            format!("Use a named stage '{name}' for {image}")
        },
        kind: ActionKind::RefactorExtract,
        preferred: false,
        fixes: None,
        eager: true,
        edit: Box::new(move || Some(edits)),
    });
}

fn inline_stage<'a>(
    model: &Model,
    text: &'a str,
    request: &Request<'a>,
    out: &mut Vec<Candidate<'a>>,
) {
    let Some(stage) = model
        .stages
        .iter()
        .find(|s| overlaps(&s.from.range, &request.range))
    else {
        return;
    };
    let Base::Image(image) = &stage.base else {
        return;
    };
    let Some(name) = &stage.name else { return };
    let is_last = stage.index + 1 == model.stages.len();
    if is_last
        || !stage.instructions.is_empty()
        || !stage.from.flags.is_empty()
        || image.text.contains('$')
    {
        return;
    }
    let refs: Vec<&crate::model::StageRef> = model
        .stage_refs
        .iter()
        .filter(|r| r.stage() == Some(stage.index))
        .collect();
    // only references that resolve (a later or self reference would change
    // meaning), and FROM by name keeps working with the image
    if refs.is_empty()
        || refs.iter().any(|r| {
            !matches!(r.target, Target::Stage(_)) || r.kind == RefKind::MountFrom && r.numeric
        })
    {
        return;
    }
    // the FROM line goes (its comments stay: they are the user's), with
    // the blank line after it
    let start = super::edit::line_start(text, stage.from.range.start);
    let mut removed = start..line_end(text, stage.from.range.end.saturating_sub(1));
    if text[removed.end..].starts_with(['\n', '\r']) {
        removed.end = line_end(text, removed.end);
    }
    let mut edits = vec![edit(removed, "")];
    edits.extend(
        refs.iter()
            .map(|r| edit(r.range.clone(), image.text.clone())),
    );
    edits.extend(renumber(model, stage.index + 1, -1, Some(stage.index)));
    let lowercase = name.lowercase.clone();
    out.push(Candidate {
        id: format!("inline-stage@{}", stage.index),
        title: format!("Inline stage '{lowercase}' (use {} directly)", image.text),
        kind: ActionKind::RefactorInline,
        preferred: false,
        fixes: None,
        eager: true,
        edit: Box::new(move || Some(edits)),
    });
}
