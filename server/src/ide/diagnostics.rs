//! Diagnostics: stage references resolved as BuildKit resolves them, stage
//! names, BuildKit's parse-time errors and build checks, in BuildKit's words.

use tree_sitter::{Node, Tree};

use super::flags::check_flags;
use super::images::{is_clearly_an_image, pulled_reference};
use crate::model::{
    is_valid_stage_name, levenshtein, Base, Model, RefKind, Span, Stage, StageRef, Target,
    INSTRUCTIONS,
};
use crate::syntax::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub range: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Span,
    pub severity: Severity,
    /// BuildKit's rule name where one exists, else our kebab-case code.
    pub code: String,
    pub message: String,
    /// Documentation of a BuildKit build check.
    pub url: Option<String>,
    pub related: Vec<Related>,
    /// Code that does nothing (shown faded).
    pub unnecessary: bool,
}

/// What the user configured (`dockerfile-ls.*` settings, `check` flags).
#[derive(Debug, Clone, Default)]
pub struct DiagnosticSettings {
    /// Codes switched off.
    pub disabled: Vec<String>,
    /// Per-code severity overrides.
    pub severity: Vec<(String, Severity)>,
    /// Named build contexts (`--build-context NAME=…`): not flagged.
    pub build_contexts: Vec<String>,
    /// The stage built (`--target`); the last stage otherwise.
    pub target: Option<String>,
}

/// BuildKit build checks with a documentation page.
const BUILD_CHECKS: &[(&str, &str)] = &[
    ("StageNameCasing", "stage-name-casing"),
    ("FromAsCasing", "from-as-casing"),
    ("NoEmptyContinuation", "no-empty-continuation"),
    ("DuplicateStageName", "duplicate-stage-name"),
    ("ReservedStageName", "reserved-stage-name"),
    ("MaintainerDeprecated", "maintainer-deprecated"),
];

fn diagnostic(
    range: Span,
    severity: Severity,
    code: &str,
    message: impl Into<String>,
) -> Diagnostic {
    let url = BUILD_CHECKS
        .iter()
        .find(|(rule, _)| *rule == code)
        .map(|(_, slug)| format!("https://docs.docker.com/go/dockerfile/rule/{slug}/"));
    Diagnostic {
        range,
        severity,
        code: code.to_string(),
        message: message.into(),
        url,
        related: Vec::new(),
        unnecessary: false,
    }
}

/// All diagnostics of a document, in document order.
pub fn diagnostics(
    tree: &Tree,
    model: &Model,
    source: &(impl Source + ?Sized),
    settings: &DiagnosticSettings,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    syntax_errors(tree.root_node(), source, &mut out);
    directives(model, &mut out);
    instructions(model, &mut out);
    stage_names(model, &mut out);
    for r in &model.stage_refs {
        stage_reference(model, r, settings, &mut out);
    }
    unused_stages(model, settings, &mut out);
    apply_settings(model, settings, &mut out);
    out.sort_by(|a, b| {
        a.range
            .start
            .cmp(&b.range.start)
            .then(a.severity.cmp(&b.severity))
    });
    out
}

fn apply_settings(model: &Model, settings: &DiagnosticSettings, out: &mut Vec<Diagnostic>) {
    // `# check=skip=Rule1,Rule2;error=true`, as BuildKit reads it
    let check = model
        .directives
        .iter()
        .find(|d| d.name == "check")
        .map(|d| {
            let value = d.value.split_whitespace().next().unwrap_or_default();
            let mut skip = Vec::new();
            let mut error = false;
            for part in value.split(';') {
                match part.split_once('=') {
                    Some(("skip", rules)) => {
                        skip.extend(rules.split(',').map(|r| r.trim().to_string()))
                    }
                    Some(("error", flag)) => {
                        error = matches!(flag.to_ascii_lowercase().as_str(), "true" | "1" | "t")
                    }
                    _ => {}
                }
            }
            (skip, error)
        });
    out.retain(|d| !settings.disabled.iter().any(|code| code == &d.code));
    if let Some((skip, error)) = check {
        let is_check = |code: &str| BUILD_CHECKS.iter().any(|(rule, _)| *rule == code);
        out.retain(|d| !(is_check(&d.code) && (skip.iter().any(|s| s == "all" || *s == d.code))));
        if error {
            for d in out.iter_mut().filter(|d| is_check(&d.code)) {
                d.severity = Severity::Error;
            }
        }
    }
    for d in out.iter_mut() {
        if let Some((_, severity)) = settings.severity.iter().find(|(code, _)| *code == d.code) {
            d.severity = *severity;
        }
    }
}

// ---------------------------------------------------------------------------
// syntax

fn syntax_errors(root: Node<'_>, source: &(impl Source + ?Sized), out: &mut Vec<Diagnostic>) {
    if !root.has_error() {
        return;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_missing() {
            let message = match node.kind() {
                "}" => "syntax error: missing '}'".to_string(),
                kind => format!("syntax error: missing '{kind}'"),
            };
            out.push(diagnostic(
                node.byte_range(),
                Severity::Error,
                "syntax-error",
                message,
            ));
        } else if node.is_error() {
            let text = source.slice(node.byte_range());
            let message = if text.contains("${") && !text.contains('}') {
                "syntax error: missing '}'".to_string()
            } else {
                let shown: String = text.trim().chars().take(40).collect();
                format!("syntax error: unexpected '{shown}'")
            };
            out.push(diagnostic(
                node.byte_range(),
                Severity::Error,
                "syntax-error",
                message,
            ));
        } else if node.has_error() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
    }
}

fn directives(model: &Model, out: &mut Vec<Diagnostic>) {
    for (i, directive) in model.directives.iter().enumerate() {
        if let Some(first) = model.directives[..i]
            .iter()
            .find(|d| d.name == directive.name)
        {
            let mut d = diagnostic(
                directive.range.clone(),
                Severity::Error,
                "duplicate-directive",
                format!("only one {} parser directive can be used", directive.name),
            );
            d.related.push(Related {
                range: first.range.clone(),
                message: "first defined here".into(),
            });
            out.push(d);
        }
        if directive.name == "escape" && directive.value != "`" && directive.value != "\\" {
            out.push(diagnostic(
                directive.value_range.clone(),
                Severity::Error,
                "invalid-escape",
                format!(
                    "invalid escape token '{}' does not match ` or \\\\",
                    directive.value
                ),
            ));
        }
    }
}

fn labs_enabled(model: &Model) -> bool {
    model.directives.iter().any(|d| {
        d.name == "syntax"
            && d.value
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .ends_with("-labs")
    })
}

fn instructions(model: &Model, out: &mut Vec<Diagnostic>) {
    let labs = labs_enabled(model);
    for instruction in &model.preamble {
        if instruction.known && instruction.keyword != "arg" {
            out.push(diagnostic(
                instruction.keyword_range.clone(),
                Severity::Error,
                "no-build-stage",
                "no build stage in current context",
            ));
        }
    }
    let all = model.preamble.iter().chain(
        model
            .stages
            .iter()
            .flat_map(|s| std::iter::once(&s.from).chain(s.instructions.iter())),
    );
    for instruction in all {
        check_instruction(instruction, labs, false, out);
    }
}

fn check_instruction(
    instruction: &crate::model::Instruction,
    labs: bool,
    in_onbuild: bool,
    out: &mut Vec<Diagnostic>,
) {
    let keyword = instruction.keyword.as_str();
    let upper = keyword.to_ascii_uppercase();
    if !instruction.known {
        let suggestion = INSTRUCTIONS
            .iter()
            .filter(|k| levenshtein(k, keyword) <= 2)
            .min_by_key(|k| levenshtein(k, keyword))
            .map(|k| format!(" (did you mean {k}?)"))
            .unwrap_or_default();
        out.push(diagnostic(
            instruction.keyword_range.clone(),
            Severity::Error,
            "unknown-instruction",
            format!(
                "unknown instruction: {}{suggestion}",
                instruction.keyword_text
            ),
        ));
        return;
    }
    check_flags(instruction, labs, out);
    let args = instruction.arguments.as_str();
    let empty = args.is_empty()
        || (instruction.json_form && args.trim_start_matches('[').trim().starts_with(']'));
    let at = instruction.keyword_range.clone();
    match keyword {
        "env" | "label" | "onbuild" | "healthcheck" | "expose" | "volume" | "arg" | "shell"
            if empty =>
        {
            out.push(diagnostic(
                at,
                Severity::Error,
                "missing-arguments",
                format!("{upper} requires at least one argument"),
            ));
        }
        "maintainer" | "workdir" | "user" | "stopsignal" if empty => {
            out.push(diagnostic(
                at,
                Severity::Error,
                "missing-arguments",
                format!("{upper} requires exactly one argument"),
            ));
        }
        "add" | "copy"
            if instruction.heredocs.is_empty()
                && !instruction.json_form
                && args.split_whitespace().count() < 2 =>
        {
            out.push(diagnostic(
                at,
                Severity::Error,
                "missing-arguments",
                format!(
                    "{upper} requires at least two arguments, but only one was provided. Destination could not be determined"
                ),
            ));
        }
        "from" if empty => {
            out.push(diagnostic(
                at,
                Severity::Error,
                "missing-arguments",
                "FROM requires either one or three arguments",
            ));
        }
        "shell" if !instruction.json_form => {
            out.push(diagnostic(
                instruction.arguments_range.clone(),
                Severity::Error,
                "shell-not-json",
                "SHELL requires the arguments to be in JSON form",
            ));
        }
        "maintainer" => {
            let mut d = diagnostic(
                at,
                Severity::Warning,
                "MaintainerDeprecated",
                "Maintainer instruction is deprecated in favor of using label",
            );
            d.unnecessary = false;
            out.push(d);
        }
        "onbuild" => {
            if let Some(trigger) = &instruction.trigger {
                match trigger.keyword.as_str() {
                    "onbuild" => out.push(diagnostic(
                        trigger.keyword_range.clone(),
                        Severity::Error,
                        "onbuild-trigger",
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    )),
                    "from" | "maintainer" => out.push(diagnostic(
                        trigger.keyword_range.clone(),
                        Severity::Error,
                        "onbuild-trigger",
                        format!(
                            "{} isn't allowed as an ONBUILD trigger",
                            trigger.keyword.to_ascii_uppercase()
                        ),
                    )),
                    _ => check_instruction(trigger, labs, true, out),
                }
            }
        }
        _ => {}
    }
    for heredoc in instruction.heredocs.iter().filter(|h| !h.terminated) {
        out.push(diagnostic(
            heredoc.marker_range.clone(),
            Severity::Error,
            "unterminated-heredoc",
            "unterminated heredoc",
        ));
    }
    if !in_onbuild {
        for blank in &instruction.empty_continuation_lines {
            out.push(diagnostic(
                blank.clone(),
                Severity::Warning,
                "NoEmptyContinuation",
                "Empty continuation line",
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// stages

fn stage_names(model: &Model, out: &mut Vec<Diagnostic>) {
    for stage in &model.stages {
        from_as_casing(stage, out);
        let Some(name) = &stage.name else { continue };
        if !is_valid_stage_name(&name.text) {
            out.push(diagnostic(
                name.range.clone(),
                Severity::Error,
                "invalid-stage-name",
                format!(
                    "invalid name for build stage: \"{}\", name can't start with a number or contain symbols",
                    name.text
                ),
            ));
            continue;
        }
        if name.text != name.lowercase {
            out.push(diagnostic(
                name.range.clone(),
                Severity::Warning,
                "StageNameCasing",
                format!("Stage name '{}' should be lowercase", name.text),
            ));
        }
        if matches!(name.lowercase.as_str(), "scratch" | "context") {
            out.push(diagnostic(
                name.range.clone(),
                Severity::Warning,
                "ReservedStageName",
                format!(
                    "Stage name should not use the same name as reserved stage \"{}\"",
                    name.lowercase
                ),
            ));
        }
        let earlier = model.stages[..stage.index]
            .iter()
            .filter_map(|s| s.name.as_ref())
            .find(|n| n.lowercase == name.lowercase);
        if let Some(earlier) = earlier {
            let mut d = diagnostic(
                name.range.clone(),
                Severity::Warning,
                "DuplicateStageName",
                format!(
                    "Duplicate stage name \"{}\", stage names should be unique",
                    name.lowercase
                ),
            );
            d.related.push(Related {
                range: earlier.range.clone(),
                message: format!("stage '{}' is first defined here", earlier.lowercase),
            });
            out.push(d);
        }
    }
}

fn from_as_casing(stage: &Stage, out: &mut Vec<Diagnostic>) {
    let Some((as_word, as_range)) = &stage.as_keyword else {
        return;
    };
    let from = stage.from.keyword_text.as_str();
    let from_upper = from.chars().all(|c| !c.is_ascii_lowercase());
    let from_lower = from.chars().all(|c| !c.is_ascii_uppercase());
    let mismatch = (from_upper && as_word.chars().any(|c| c.is_ascii_lowercase()))
        || (from_lower && as_word.chars().any(|c| c.is_ascii_uppercase()));
    if mismatch {
        out.push(diagnostic(
            as_range.clone(),
            Severity::Warning,
            "FromAsCasing",
            format!("'{as_word}' and '{from}' keywords' casing do not match"),
        ));
    }
}

fn stage_definition(stage: &Stage) -> Span {
    stage
        .name
        .as_ref()
        .map_or(stage.from.keyword_range.clone(), |n| n.range.clone())
}

fn stage_reference(
    model: &Model,
    r: &StageRef,
    settings: &DiagnosticSettings,
    out: &mut Vec<Diagnostic>,
) {
    let Some(current) = model.stages.get(r.from_stage) else {
        return;
    };
    let related_to = |index: usize, message: &str| -> Vec<Related> {
        model
            .stages
            .get(index)
            .map(|s| {
                vec![Related {
                    range: stage_definition(s),
                    message: message.to_string(),
                }]
            })
            .unwrap_or_default()
    };
    let push = |out: &mut Vec<Diagnostic>,
                severity,
                code: &str,
                message: String,
                related: Vec<Related>| {
        let mut d = diagnostic(r.range.clone(), severity, code, message);
        d.related = related;
        out.push(d);
    };
    match (&r.target, r.kind) {
        (Target::Stage(_) | Target::Downstream, _) => {}
        (Target::Later(i), RefKind::CopyFrom) => push(
            out,
            Severity::Error,
            "stage-defined-later",
            format!(
                "cannot copy from stage \"{}\", it needs to be defined before current stage \"{}\"",
                r.value,
                current.display_name()
            ),
            related_to(*i, "the stage is defined here, after the COPY"),
        ),
        (Target::Later(i), RefKind::MountFrom) => push(
            out,
            Severity::Error,
            "stage-defined-later",
            format!(
                "cannot mount from stage \"{}\" to \"{}\", stage needs to be defined before current command",
                r.value,
                r.mount_target.as_deref().unwrap_or_default()
            ),
            related_to(*i, "the stage is defined here, after the RUN"),
        ),
        (Target::Itself(i), RefKind::CopyFrom | RefKind::MountFrom) => push(
            out,
            Severity::Error,
            "circular-stage-dependency",
            format!("circular dependency detected on stage: {}", current.display_name()),
            related_to(*i, "the stage starts here"),
        ),
        (Target::Later(i) | Target::Itself(i), RefKind::FromBase) => push(
            out,
            Severity::Warning,
            "from-later-stage",
            format!(
                "FROM only sees stages defined before it: '{}' will be pulled as the image {}",
                r.value,
                pulled_reference(&r.value)
            ),
            related_to(*i, "the stage of that name is defined here"),
        ),
        (Target::CaseMismatch(i), _) => push(
            out,
            Severity::Warning,
            "from-stage-casing",
            format!(
                "FROM matches stage names case-sensitively: '{}' is not stage '{}', so BuildKit takes it as an image reference (and fails: repository names must be lowercase)",
                r.value,
                r.value.to_ascii_lowercase()
            ),
            related_to(*i, "the stage is defined here"),
        ),
        (Target::IndexOutOfRange(n), _) => push(
            out,
            Severity::Error,
            "invalid-stage-index",
            format!("invalid stage index {}", if *n == usize::MAX { r.value.clone() } else { n.to_string() }),
            Vec::new(),
        ),
        (Target::Variable, RefKind::MountFrom) => push(
            out,
            Severity::Error,
            "variable-in-from",
            "'from' doesn't support variable expansion, define alias stage instead".to_string(),
            Vec::new(),
        ),
        (Target::Variable, _) => push(
            out,
            Severity::Error,
            "variable-in-from",
            "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround".to_string(),
            Vec::new(),
        ),
        (Target::NotAStage, RefKind::CopyFrom | RefKind::MountFrom) => {
            unknown_stage(model, r, settings, out);
        }
        (Target::NotAStage, RefKind::FromBase) => {}
    }
}

fn unknown_stage(
    model: &Model,
    r: &StageRef,
    settings: &DiagnosticSettings,
    out: &mut Vec<Diagnostic>,
) {
    let value = r.value.as_str();
    if value.is_empty()
        || settings
            .build_contexts
            .iter()
            .any(|c| c.eq_ignore_ascii_case(value))
    {
        return;
    }
    let lower = value.to_ascii_lowercase();
    let closest = model
        .stages
        .iter()
        .filter_map(|s| {
            s.name
                .as_ref()
                .map(|n| (s, levenshtein(&n.lowercase, &lower)))
        })
        .filter(|(_, distance)| *distance <= 2)
        .min_by_key(|(s, distance)| (*distance, s.index));
    let clearly_image = is_clearly_an_image(&lower);
    if let (Some((stage, _)), false) = (closest, clearly_image) {
        let name = &stage
            .name
            .as_ref()
            .expect("filtered on named stages")
            .lowercase;
        let mut d = diagnostic(
            r.range.clone(),
            Severity::Warning,
            "unknown-stage",
            format!(
                "unknown stage '{value}': BuildKit will pull the image {} — did you mean '{name}'?",
                pulled_reference(value)
            ),
        );
        d.related.push(Related {
            range: stage_definition(stage),
            message: format!("stage '{name}' is defined here"),
        });
        out.push(d);
    } else if !clearly_image {
        out.push(diagnostic(
            r.range.clone(),
            Severity::Information,
            "not-a-stage",
            format!(
                "'{value}' is not a stage of this Dockerfile: BuildKit will use a build context of that name if one is given (--build-context {value}=…), else pull the image {}",
                pulled_reference(value)
            ),
        ));
    }
}

fn unused_stages(model: &Model, settings: &DiagnosticSettings, out: &mut Vec<Diagnostic>) {
    let Some(target) = model.target_stage(settings.target.as_deref()) else {
        return;
    };
    let reached = model.reachable_from(target);
    let what = match &settings.target {
        Some(name) => format!("the target stage '{}'", name.to_ascii_lowercase()),
        None => "the final image".to_string(),
    };
    for stage in model.stages.iter().filter(|s| !reached[s.index]) {
        let mut d = diagnostic(
            stage.from.range.clone(),
            Severity::Hint,
            "unused-stage",
            format!("stage '{}' is not used by {what}", stage.display_name()),
        );
        d.unnecessary = true;
        out.push(d);
    }
    let _ = Base::Missing;
}
