//! Hovers on variables: the value a use sees and where it was set, and
//! what a declaration declares.

use super::values::{effective, global_for, value_of};
use super::{code, line_of, stage_label, Hover, Subject};
use crate::ide::docs;
use crate::ide::Analysis;
use crate::model::{Model, VarDecl, VarKind, VarUse};
use crate::syntax::Source;

/// Keywords whose shell text runs in the container, where only ENV values
/// exist.
const RUNTIME: &[&str] = &["cmd", "entrypoint", "healthcheck"];

pub(super) fn use_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    used: &VarUse,
) -> Hover {
    let model = &analysis.model;
    let keyword = model
        .instructions()
        .find(|i| i.range.start == used.instruction_start)
        .map(|i| i.keyword.as_str())
        .unwrap_or_default();
    let runtime = used.in_shell && RUNTIME.contains(&keyword);
    let decl = effective(
        model,
        &used.name,
        used.stage,
        used.instruction_start,
        runtime,
    );
    // in CMD and the like an ARG is gone: say so rather than "not set"
    let lost_arg = effective(model, &used.name, used.stage, used.instruction_start, false)
        .filter(|d| runtime && d.kind == VarKind::Arg);
    let mut text = match (decl, lost_arg) {
        (Some(decl), _) => declared(model, source, decl, used.stage),
        (None, Some(arg)) => format!(
            "{}\n\nOnly the `ARG` on line {} sets it, and ARG values do not reach the running container: unless the image's environment has it, it is empty there.",
            title(&used.name, None),
            line_of(source, arg.range.start)
        ),
        (None, None) => undeclared(model, &used.name, used.stage, used.in_shell, runtime),
    };
    if runtime {
        text.push_str(&format!(
            "\n\nThe shell expands it when the container runs `{}`.",
            keyword.to_ascii_uppercase()
        ));
    } else if used.in_shell {
        text.push_str(
            "\n\nBuildKit leaves RUN text alone: the shell expands it when the command runs.",
        );
    }
    Hover {
        range: used.range.clone(),
        subject: Subject::Variable,
        sections: vec![text],
    }
}

pub(super) fn declaration_hover(
    analysis: &Analysis,
    source: &(impl Source + ?Sized),
    decl: &VarDecl,
) -> Hover {
    let model = &analysis.model;
    let mut text = declared(model, source, decl, decl.stage);
    text.push_str("\n\n");
    text.push_str(&match (decl.kind, decl.stage) {
        (VarKind::Arg, None) => format!(
            "A global build argument: FROM lines can use it; a stage reads it only after a bare `ARG {}`.",
            decl.name
        ),
        (VarKind::Arg, Some(stage)) => format!(
            "Visible from here to the end of {} and in stages built FROM it. ARG values are not kept in the image's environment.",
            stage_label(model, stage)
        ),
        (VarKind::Env, Some(stage)) => format!(
            "Set for the rest of {}, for stages built FROM it and for containers run from the image.",
            stage_label(model, stage)
        ),
        (VarKind::Env, None) => "ENV before the first FROM is an error: there is no stage to set it in.".to_string(),
    });
    Hover {
        range: decl.name_range.clone(),
        subject: Subject::Variable,
        sections: vec![text],
    }
}

/// Title line: the name, and its value when known.
fn title(name: &str, value: Option<&str>) -> String {
    match value {
        Some(value) => format!("**`{name}`** = {}", code(value)),
        None => format!("**`{name}`**"),
    }
}

/// Where a variable was set and what it holds, as seen from `from_stage`.
fn declared(
    model: &Model,
    source: &(impl Source + ?Sized),
    decl: &VarDecl,
    from_stage: Option<usize>,
) -> String {
    let value = value_of(model, model.escape, decl);
    let line = line_of(source, decl.range.start);
    let place = match decl.stage {
        None => String::new(),
        Some(stage) if Some(stage) != from_stage => {
            format!(" in {}, inherited through FROM", stage_label(model, stage))
        }
        Some(stage) => format!(" in {}", stage_label(model, stage)),
    };
    let written = decl.value.as_deref();
    // the text as written, when expansion or quoting changed it
    let as_written = match (written, value.as_deref()) {
        (Some(w), Some(v)) if w != v => format!(" (written {})", code(w)),
        (Some(w), None) => format!(" (written {}; its value depends on the build)", code(w)),
        _ => String::new(),
    };
    let origin = match (decl.kind, decl.stage, written) {
        (VarKind::Env, _, _) => format!("Set by `ENV` on line {line}{place}{as_written}."),
        (VarKind::Arg, None, Some(_)) => format!(
            "Default of the global `ARG` on line {line}{as_written}; `--build-arg {}=…` overrides it.",
            decl.name
        ),
        (VarKind::Arg, None, None) => match docs::automatic_arg(&decl.name) {
            Some(auto) => format!(
                "Global `ARG` on line {line}, without a default: BuildKit sets it to {}.",
                auto.meaning
            ),
            None => format!(
                "Global `ARG` on line {line}, without a default: empty unless `--build-arg {}=…` sets it.",
                decl.name
            ),
        },
        (VarKind::Arg, Some(_), Some(_)) => format!(
            "Default of the `ARG` on line {line}{place}{as_written}; `--build-arg {}=…` overrides it.",
            decl.name
        ),
        (VarKind::Arg, Some(_), None) => bare_stage_arg(model, source, decl, line, &place),
    };
    format!("{}\n\n{origin}", title(&decl.name, value.as_deref()))
}

/// `ARG NAME` inside a stage: the global value, BuildKit's, or nothing.
fn bare_stage_arg(
    model: &Model,
    source: &(impl Source + ?Sized),
    decl: &VarDecl,
    line: usize,
    place: &str,
) -> String {
    if let Some(global) = global_for(model, decl) {
        let global_line = line_of(source, global.range.start);
        let default = match &global.value {
            Some(value) => format!("default {}", code(value)),
            None => "no default: empty unless `--build-arg` sets it".to_string(),
        };
        return format!(
            "`ARG {}` on line {line}{place} brings in the global ARG of line {global_line} ({default}).",
            decl.name
        );
    }
    if let Some(auto) = docs::automatic_arg(&decl.name) {
        return format!(
            "Set by BuildKit: {}. `ARG {}` on line {line}{place} makes it visible here.",
            auto.meaning, decl.name
        );
    }
    format!(
        "`ARG {}` on line {line}{place}, without a default: empty unless `--build-arg {}=…` sets it.",
        decl.name, decl.name
    )
}

fn undeclared(
    model: &Model,
    name: &str,
    stage: Option<usize>,
    in_shell: bool,
    runtime: bool,
) -> String {
    let head = title(name, None);
    let text = if let Some(auto) = docs::automatic_arg(name) {
        match stage {
            None => format!(
                "Set by BuildKit: {}. FROM lines can use this platform ARG without declaring it.",
                auto.meaning
            ),
            Some(stage) => format!(
                "BuildKit sets it ({}) for FROM lines only: in {} it is empty until `ARG {name}` declares it.",
                auto.meaning,
                stage_label(model, stage)
            ),
        }
    } else if docs::is_proxy_arg(name) && !runtime {
        format!("A predefined proxy argument: RUN sees it when `--build-arg {name}=…` gives it, with no ARG line, and it stays out of the image history.")
    } else if stage.is_none() {
        "Not a global ARG: FROM lines see only ARGs declared before the first FROM, so it expands to nothing (build check UndefinedArgInFrom).".to_string()
    } else if in_shell {
        "Not set by an ARG or ENV of this Dockerfile: the value comes from the environment the base image or the shell provides, else it is empty.".to_string()
    } else {
        "Not declared by an ARG or ENV above: BuildKit uses the base image's environment value if it has one (such as `PATH`), else expands it to nothing (build check UndefinedVar).".to_string()
    };
    format!("{head}\n\n{text}")
}
