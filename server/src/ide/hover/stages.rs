//! Hovers on stages: a stage's base, line and users, what a reference
//! resolves to, and the base image of a FROM line.

use super::values::expand_at;
use super::{code, line_of, stage_label, Hover, Subject};
use crate::ide::images::pulled_reference;
use crate::ide::Analysis;
use crate::model::{Base, Model, RefKind, Stage, StageRef, Target};
use crate::syntax::Source;

/// Users listed before the rest are summed up.
const MAX_USERS: usize = 10;

/// The summary of a stage: its FROM line, base, platform and users.
pub(super) fn stage_section(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    index: usize,
) -> Option<String> {
    let model = &analysis.model;
    let stage = model.stages.get(index)?;
    let title = match &stage.name {
        Some(name) => format!("**Stage `{}`**", name.lowercase),
        None => "**Unnamed stage**".to_string(),
    };
    let mut out = format!(
        "{title} (stage {index}, line {})\n\nBase: {}",
        line_of(source, stage.from.range.start),
        base_description(analysis, source, stage)
    );
    if let Some((platform, _)) = &stage.platform {
        out.push_str(&format!("\n\nPlatform: {}", code(platform)));
    }
    out.push_str("\n\n");
    out.push_str(&users(analysis, source, index));
    if index + 1 == model.stages.len() {
        out.push_str(
            "\n\nThe last stage: `docker build` produces it unless `--target` picks another.",
        );
    }
    Some(out)
}

fn base_description(analysis: &Analysis, source: &(impl Source + ?Sized), stage: &Stage) -> String {
    let model = &analysis.model;
    match &stage.base {
        Base::Stage(parent) => match model.stages.get(*parent) {
            Some(p) => format!(
                "{} (line {})",
                stage_label(model, *parent),
                line_of(source, p.from.range.start)
            ),
            None => "an earlier stage".to_string(),
        },
        Base::Scratch => "`scratch`, an empty filesystem".to_string(),
        Base::Missing => "none given".to_string(),
        Base::Image(image) => image_description(model, &image.text, stage.from.range.start),
    }
}

/// An image reference, expanded with the global ARG defaults when it uses
/// variables, and the full reference BuildKit pulls.
fn image_description(model: &Model, text: &str, from_start: usize) -> String {
    if !text.contains('$') {
        return format!(
            "image {} (pulls {})",
            code(text),
            code(&pulled_reference(text))
        );
    }
    match expand_at(model, text, None, from_start) {
        Some(expanded) if !expanded.is_empty() => format!(
            "image {}, which is {} with the default build arguments (pulls {})",
            code(text),
            code(&expanded),
            code(&pulled_reference(&expanded))
        ),
        Some(_) => format!(
            "image {}, empty with the default build arguments: BuildKit fails unless `--build-arg` fills it",
            code(text)
        ),
        None => format!("image {}; its value depends on the build", code(text)),
    }
}

fn reference_label(r: &StageRef) -> String {
    match r.kind {
        RefKind::CopyFrom => format!("`COPY --from={}`", r.value),
        RefKind::MountFrom => format!("`RUN --mount=from={}`", r.value),
        RefKind::FromBase => format!("`FROM {}`", r.value),
    }
}

/// The references that resolve to the stage.
fn users(analysis: &Analysis, source: &(impl Source + ?Sized), index: usize) -> String {
    let model = &analysis.model;
    let using: Vec<&StageRef> = model
        .stage_refs
        .iter()
        .filter(|r| r.target == Target::Stage(index))
        .collect();
    if using.is_empty() {
        return "No other stage uses it.".to_string();
    }
    let mut out = String::from("Used by:");
    for r in using.iter().take(MAX_USERS) {
        out.push_str(&format!(
            "\n- {} on line {} ({})",
            reference_label(r),
            line_of(source, r.range.start),
            stage_label(model, r.from_stage)
        ));
    }
    if using.len() > MAX_USERS {
        out.push_str(&format!("\n- and {} more", using.len() - MAX_USERS));
    }
    out
}

/// What BuildKit makes of a reference that does not plainly resolve.
fn reference_note(model: &Model, r: &StageRef) -> Option<String> {
    let name = |i: usize| stage_label(model, i);
    let current = name(r.from_stage);
    Some(match (&r.target, r.kind) {
        (Target::Stage(_), _) => return None,
        (Target::Later(i), RefKind::FromBase) => format!(
            "`FROM` only sees stages defined above it: {} comes later, so BuildKit pulls an image named {}.",
            name(*i),
            code(&pulled_reference(&r.value))
        ),
        (Target::Later(i), RefKind::CopyFrom) => format!(
            "{} is defined after {current}: BuildKit fails (\"cannot copy from stage\", it needs to be defined before).",
            name(*i)
        ),
        (Target::Later(i), RefKind::MountFrom) => format!(
            "{} is defined after {current}: BuildKit fails (the stage needs to be defined before the current command).",
            name(*i)
        ),
        (Target::Itself(_), RefKind::FromBase) => format!(
            "A stage cannot be built FROM itself: BuildKit pulls an image named {}.",
            code(&pulled_reference(&r.value))
        ),
        (Target::Itself(_), _) => format!(
            "This is {current} itself: BuildKit fails with \"circular dependency detected on stage\"."
        ),
        (Target::CaseMismatch(i), _) => format!(
            "`FROM` compares names exactly as written and stage names are lowercase: {} is not {}, so BuildKit takes it as an image reference (which fails: repository names must be lowercase).",
            code(&r.value),
            name(*i)
        ),
        (Target::IndexOutOfRange(n), _) => format!(
            "There is no stage with index {n}: this Dockerfile has {} stage(s), numbered from 0.",
            model.stages.len()
        ),
        (Target::Variable, _) => "BuildKit does not expand variables here and rejects the value: define a stage with `FROM` (using a global ARG) and refer to it by name.".to_string(),
        (Target::NotAStage, _) => format!(
            "Not a stage of this Dockerfile: BuildKit uses the build context named {} if one is given (`--build-context`), else the image {}.",
            code(&r.value),
            code(&pulled_reference(&r.value))
        ),
        (Target::Downstream, _) => "Inside ONBUILD: the name is looked up among the stages of the Dockerfile that builds FROM this image.".to_string(),
    })
}

/// A hover on a stage reference: what it resolves to, then the stage.
pub(super) fn reference_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    r: &StageRef,
) -> Hover {
    let model = &analysis.model;
    let mut sections = Vec::new();
    if r.numeric {
        if let Target::Stage(i) = r.target {
            sections.push(format!(
                "Stage index {}: {}.",
                r.value,
                stage_label(model, i)
            ));
        }
    }
    sections.extend(reference_note(model, r));
    if let Some(section) = r.stage().and_then(|i| stage_section(analysis, source, i)) {
        sections.push(section);
    }
    let subject = match r.kind {
        RefKind::FromBase => Subject::FromLine {
            stage: r.from_stage,
        },
        _ => Subject::StageRef { target: r.stage() },
    };
    Hover {
        range: r.range.clone(),
        subject,
        sections,
    }
}

/// A hover on the image of a FROM line (when it is no stage).
pub(super) fn base_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    stage: &Stage,
) -> Hover {
    let mut sections = vec![format!(
        "**Base of {}**: {}",
        stage_label(&analysis.model, stage.index),
        base_description(analysis, source, stage)
    )];
    if matches!(stage.base, Base::Image(_)) {
        sections.push("A bare name is an image on Docker Hub (`docker.io/library/…`); without a tag BuildKit takes `latest`, and a digest (`@sha256:…`) pins the exact image.".to_string());
    }
    Hover {
        range: stage.base_range.clone(),
        subject: Subject::FromLine { stage: stage.index },
        sections,
    }
}

/// A hover on a stage name after `AS`.
pub(super) fn name_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    stage: &Stage,
    range: crate::model::Span,
) -> Option<Hover> {
    Some(Hover {
        range,
        subject: Subject::FromLine { stage: stage.index },
        sections: vec![stage_section(analysis, source, stage.index)?],
    })
}
