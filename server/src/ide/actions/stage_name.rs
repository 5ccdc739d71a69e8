//! "Name this stage": `AS <name>` on an unnamed FROM, numeric `--from=N`
//! references rewritten to the name.

use super::edit::edit;
use super::fixes::free_name;
use super::{overlaps, ActionKind, Candidate, Request};
use crate::ide::Analysis;
use crate::model::{Base, Model, Stage};

pub(super) fn name_stage<'a>(
    analysis: &'a Analysis,
    _text: &'a str,
    request: &Request<'a>,
    out: &mut Vec<Candidate<'a>>,
) {
    let model = &analysis.model;
    // on the FROM line of an unnamed stage, or on a `--from=N` naming one
    let on_from = model
        .stages
        .iter()
        .find(|s| overlaps(&s.from.range, &request.range))
        .map(|s| s.index);
    let on_ref = model
        .stage_refs
        .iter()
        .find(|r| r.numeric && overlaps(&r.range, &request.range))
        .and_then(|r| r.stage());
    let Some(index) = on_from.or(on_ref) else {
        return;
    };
    let stage = &model.stages[index];
    if stage.name.is_some() || !stage.extra_from_words.is_empty() || stage.base_text.is_empty() {
        return;
    }
    let name = free_name(model, &derive_name(model, stage), false);
    let from_lower = stage
        .from
        .keyword_text
        .chars()
        .any(|c| c.is_ascii_lowercase());
    let as_word = if from_lower { "as" } else { "AS" };
    let mut edits = vec![edit(
        stage.base_range.end..stage.base_range.end,
        format!(" {as_word} {name}"),
    )];
    for r in &model.stage_refs {
        if r.numeric && r.stage() == Some(index) {
            edits.push(edit(r.range.clone(), name.clone()));
        }
    }
    out.push(Candidate {
        id: format!("name-stage@{index}"),
        title: format!("Name this stage '{name}'"),
        kind: ActionKind::RefactorRewrite,
        preferred: false,
        fixes: None,
        eager: true,
        edit: Box::new(move || Some(edits)),
    });
}

/// Commands that make a stage a build stage.
const BUILD_COMMANDS: &[&str] = &[
    "go build",
    "cargo build",
    "mvn ",
    "mvnw ",
    "gradle ",
    "gradlew ",
    "npm run build",
    "yarn build",
    "yarn run build",
    "pnpm build",
    "pnpm run build",
    "dotnet publish",
    "dotnet build",
    "make",
    "cmake --build",
    "gcc ",
    "g++ ",
];

/// The stage's job (`build`), else its base image's short name.
fn derive_name(model: &Model, stage: &Stage) -> String {
    let builds = stage
        .instructions
        .iter()
        .any(|i| i.keyword == "run" && BUILD_COMMANDS.iter().any(|c| i.arguments.contains(c)));
    let is_last = stage.index + 1 == model.stages.len();
    if builds && !is_last {
        return "build".to_string();
    }
    match &stage.base {
        Base::Image(image) => {
            let short = image.name.rsplit('/').next().unwrap_or_default();
            sanitize(short).unwrap_or_else(|| "stage".to_string())
        }
        Base::Stage(parent) => format!("{}-next", model.stages[*parent].display_name()),
        Base::Scratch => if is_last { "final" } else { "base" }.to_string(),
        Base::Missing => "stage".to_string(),
    }
}

/// A valid stage name from an image name: lowercase, letters first, only
/// letters, digits, `-`, `_` and `.`.
pub(super) fn sanitize(name: &str) -> Option<String> {
    if name.contains('$') {
        return None;
    }
    let lower: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = lower.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    if trimmed.is_empty() {
        return None;
    }
    Some(if matches!(trimmed, "scratch" | "context") {
        format!("{trimmed}-stage")
    } else {
        trimmed.to_string()
    })
}
