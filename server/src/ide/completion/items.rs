//! The items of each context, from the model and the tables in `docs`.

use super::context::{Edit, Scope, Want};
use super::docs;
use super::{Analysis, CompletionItem, CompletionKind};
use crate::ide::flags::{flags_of, FlagKind};
use crate::ide::image_names::{popular_image, POPULAR_IMAGES};
use crate::ide::images::{is_official_image, official_images};
use crate::model::{Base, Model, Stage, VarDecl, VarKind};

pub fn add(analysis: &Analysis, want: &Want, out: &mut Vec<CompletionItem>) {
    let model = &analysis.model;
    match want {
        Want::Keywords {
            edit,
            lowercase,
            before_first_from,
            onbuild,
        } => keywords(edit, *lowercase, *before_first_from, *onbuild, out),
        Want::Directives {
            edit,
            whole_line,
            space_before,
            present,
        } => directives(edit, *whole_line, *space_before, present, out),
        Want::DirectiveValues { edit, key } => {
            if let Some(directive) = docs::DIRECTIVES.iter().find(|d| d.name == key) {
                for (value, doc) in directive.values {
                    out.push(item(edit, value, CompletionKind::Value, None, doc, value));
                }
            }
        }
        Want::Flags {
            edit,
            keyword,
            given,
        } => flags(edit, keyword, given, out),
        Want::FlagValues {
            edit,
            keyword,
            flag,
        } => flag_values(edit, keyword, flag, out),
        Want::MountKeys {
            edit,
            kind,
            type_is_late,
            type_given,
            given,
        } => mount_keys(edit, kind, *type_is_late, *type_given, given, out),
        Want::MountValues { edit, key, kind } => mount_values(edit, key, kind, out),
        Want::Stages {
            edit,
            before,
            indices,
            from_line,
        } => stages(model, edit, *before, *indices, *from_line, out),
        Want::Images { edit } => images(edit, out),
        Want::Tags { edit, image } => tags(edit, image, out),
        Want::As { edit, lowercase } => {
            let label = if *lowercase { "as" } else { "AS" };
            let mut it = item(
                edit,
                label,
                CompletionKind::Keyword,
                Some(format!("{label} <name>")),
                "Names the stage, so that later `FROM`, `COPY --from` and `RUN --mount=from=` can use it. BuildKit lowercases the name, which must then match `[a-z][a-z0-9-_.]*`.",
                &format!("{label} "),
            );
            it.snippet = (!edit.bare).then(|| format!("{label} ${{1:name}}"));
            if edit.bare {
                it.insert = label.to_string();
            }
            out.push(it);
        }
        Want::HealthcheckTypes { edit, lowercase } => {
            let case = |s: &str| {
                if *lowercase {
                    s.to_ascii_lowercase()
                } else {
                    s.to_string()
                }
            };
            let mut cmd = item(
                edit,
                &case("CMD"),
                CompletionKind::Keyword,
                Some(format!("{} <command>", case("CMD"))),
                "Checks health with this command: exit status 0 means healthy, 1 unhealthy.",
                &format!("{} ", case("CMD")),
            );
            cmd.snippet = (!edit.bare).then(|| format!("{} ${{1:command}}", case("CMD")));
            if edit.bare {
                cmd.insert = case("CMD");
            }
            out.push(cmd);
            out.push(item(
                edit,
                &case("NONE"),
                CompletionKind::Keyword,
                None,
                "Turns off the health check inherited from the base image.",
                &case("NONE"),
            ));
        }
        Want::Variables {
            edit,
            scope,
            before,
            close_brace,
        } => variables(model, edit, scope, *before, *close_brace, out),
    }
}

/// A plain item: `insert` replaces the edit's range.
fn item(
    edit: &Edit,
    label: &str,
    kind: CompletionKind,
    detail: Option<String>,
    documentation: &str,
    insert: &str,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail,
        documentation: documentation.to_string(),
        insert: insert.to_string(),
        snippet: None,
        range: edit.range.clone(),
        deprecated: false,
    }
}

fn keywords(
    edit: &Edit,
    lowercase: bool,
    before_first_from: bool,
    onbuild: bool,
    out: &mut Vec<CompletionItem>,
) {
    for keyword in docs::KEYWORDS {
        let allowed = if onbuild {
            // BuildKit: "FROM isn't allowed as an ONBUILD trigger", and
            // neither are MAINTAINER and ONBUILD itself
            !matches!(keyword.name, "FROM" | "ONBUILD" | "MAINTAINER")
        } else if before_first_from {
            // anything else is "no build stage in current context"
            matches!(keyword.name, "ARG" | "FROM")
        } else {
            true
        };
        if !allowed {
            continue;
        }
        let name = if lowercase {
            keyword.name.to_ascii_lowercase()
        } else {
            keyword.name.to_string()
        };
        let mut it = item(
            edit,
            &name,
            CompletionKind::Keyword,
            Some(keyword.syntax.to_string()),
            keyword.doc,
            &if edit.bare {
                name.clone()
            } else {
                format!("{name} ")
            },
        );
        if !edit.bare {
            it.snippet = Some(format!("{name} {}", keyword.snippet));
        }
        it.deprecated = keyword.deprecated;
        out.push(it);
    }
}

fn directives(
    edit: &Edit,
    whole_line: bool,
    space_before: bool,
    present: &[String],
    out: &mut Vec<CompletionItem>,
) {
    for directive in docs::DIRECTIVES {
        if present.iter().any(|p| p == directive.name) {
            continue;
        }
        let name = directive.name;
        let (label, lead) = if whole_line {
            (format!("# {name}"), "# ")
        } else if space_before {
            (name.to_string(), " ")
        } else {
            (name.to_string(), "")
        };
        let mut it = item(
            edit,
            &label,
            CompletionKind::Directive,
            Some(format!("# {name}={}", directive.default)),
            directive.doc,
            &format!("{lead}{name}={}", directive.default),
        );
        if edit.bare {
            it.insert = format!("{lead}{name}");
        } else {
            it.snippet = Some(format!(
                "{lead}{name}=${{1:{}}}",
                escape_snippet(directive.default)
            ));
        }
        out.push(it);
    }
}

fn flags(edit: &Edit, keyword: &str, given: &[String], out: &mut Vec<CompletionItem>) {
    for spec in flags_of(keyword) {
        if spec.kind != FlagKind::Strings && given.iter().any(|g| g == spec.name) {
            continue;
        }
        let (hint, doc) = docs::flag(keyword, spec.name);
        let label = format!("--{}", spec.name);
        let insert = match (spec.kind, edit.bare) {
            (FlagKind::Bool, _) | (_, true) => label.clone(),
            _ => format!("{label}="),
        };
        let mut documentation = format!("{doc}\n\n{}", docs::since(spec.since, spec.labs));
        if spec.kind == FlagKind::Strings {
            documentation.push_str(" May be given more than once.");
        }
        let detail = if spec.labs {
            format!("{hint} (labs)")
        } else {
            hint.to_string()
        };
        let mut it = item(
            edit,
            &label,
            CompletionKind::Flag,
            Some(detail),
            &documentation,
            &insert,
        );
        if !edit.bare {
            it.snippet = match (keyword, spec.name) {
                ("run", "mount") => Some("--mount=type=${1|cache,bind,secret,ssh,tmpfs|}".into()),
                ("run", "network") => Some("--network=${1|default,none,host|}".into()),
                ("run", "security") => Some("--security=${1|sandbox,insecure|}".into()),
                _ => None,
            };
        }
        out.push(it);
    }
}

fn values(edit: &Edit, values: &[docs::Value], out: &mut Vec<CompletionItem>) {
    for value in values {
        out.push(item(
            edit,
            value.name,
            CompletionKind::Value,
            None,
            value.doc,
            value.name,
        ));
    }
}

fn flag_values(edit: &Edit, keyword: &str, flag: &str, out: &mut Vec<CompletionItem>) {
    match (keyword, flag) {
        ("run", "network") => values(edit, docs::NETWORKS, out),
        ("run", "security") => values(edit, docs::SECURITY, out),
        ("from", "platform") => {
            for (name, doc) in docs::PLATFORMS {
                out.push(item(
                    edit,
                    name,
                    CompletionKind::Value,
                    None,
                    &docs::platform_doc(name, doc),
                    name,
                ));
            }
        }
        _ => values(edit, docs::BOOLEANS, out),
    }
}

fn mount_keys(
    edit: &Edit,
    kind: &str,
    type_is_late: bool,
    type_given: bool,
    given: &[String],
    out: &mut Vec<CompletionItem>,
) {
    let access_given = given
        .iter()
        .any(|g| matches!(g.as_str(), "ro" | "readonly" | "rw"));
    for key in docs::MOUNT_KEYS {
        if !key.types.contains(&kind) {
            continue;
        }
        let skip = match key.name {
            "type" => type_given,
            "ro" | "readonly" | "rw" => access_given,
            // checked against the type known when BuildKit reads the field
            "required" | "size" => type_is_late || given.iter().any(|g| g == key.name),
            name => given.iter().any(|g| g == name),
        };
        if skip {
            continue;
        }
        let insert = if key.bare || edit.bare {
            key.name.to_string()
        } else {
            format!("{}=", key.name)
        };
        let detail = if key.bare {
            key.name.to_string()
        } else {
            format!("{}=…", key.name)
        };
        let mut it = item(
            edit,
            key.name,
            CompletionKind::MountKey,
            Some(detail),
            key.doc,
            &insert,
        );
        if !edit.bare {
            it.snippet = match key.name {
                "type" => Some("type=${1|cache,bind,secret,ssh,tmpfs|}".into()),
                "sharing" => Some("sharing=${1|shared,private,locked|}".into()),
                _ => None,
            };
        }
        out.push(it);
    }
}

fn mount_values(edit: &Edit, key: &str, kind: &str, out: &mut Vec<CompletionItem>) {
    match key {
        "type" => values(edit, docs::MOUNT_TYPES, out),
        "sharing" => values(edit, docs::SHARING, out),
        "ro" | "readonly" | "rw" | "required" => values(edit, docs::BOOLEANS, out),
        "target" if kind == "cache" => {
            for (path, doc) in docs::CACHE_TARGETS {
                out.push(item(edit, path, CompletionKind::Value, None, doc, path));
            }
        }
        _ => {}
    }
}

fn base_of(model: &Model, stage: &Stage) -> String {
    match stage.base {
        Base::Stage(i) => model.stages.get(i).map_or_else(
            || stage.base_text.clone(),
            |s| format!("stage {}", s.display_name()),
        ),
        Base::Scratch => "scratch".to_string(),
        Base::Missing => "no base image".to_string(),
        Base::Image(_) => stage.base_text.clone(),
    }
}

fn stages(
    model: &Model,
    edit: &Edit,
    before: usize,
    indices: bool,
    from_line: bool,
    out: &mut Vec<CompletionItem>,
) {
    let eligible = &model.stages[..before.min(model.stages.len())];
    for stage in eligible {
        let base = base_of(model, stage);
        let label = match &stage.name {
            // a later definition of the same name wins every lookup
            Some(name) => {
                let redefined = eligible[stage.index + 1..].iter().any(|s| {
                    s.name
                        .as_ref()
                        .is_some_and(|n| n.lowercase == name.lowercase)
                });
                if redefined {
                    continue;
                }
                name.lowercase.clone()
            }
            None if indices => stage.index.to_string(),
            None => continue,
        };
        let what = if from_line {
            "Starts this stage from the result of that stage."
        } else {
            "Uses the result of that stage, which BuildKit builds first."
        };
        let documentation = match &stage.name {
            Some(_) => format!(
                "Stage {} (`{label}`), built FROM `{}`. {what}",
                stage.index, stage.base_text
            ),
            None => format!(
                "Stage {}, built FROM `{}`, has no name, so `--from` takes its index. {what}",
                stage.index, stage.base_text
            ),
        };
        out.push(item(
            edit,
            &label,
            CompletionKind::Stage,
            Some(base),
            &documentation,
            &label,
        ));
    }
}

fn images(edit: &Edit, out: &mut Vec<CompletionItem>) {
    let pulled = |name: &str| {
        if name.contains('/') {
            format!("Pulled as `{name}:latest` when no tag is given.")
        } else {
            format!("Pulled as `docker.io/library/{name}:latest` when no tag is given.")
        }
    };
    for image in POPULAR_IMAGES {
        let detail = if is_official_image(image.name) || !image.name.contains('/') {
            "Docker Official Image"
        } else {
            "image"
        };
        out.push(item(
            edit,
            image.name,
            CompletionKind::Image,
            Some(detail.to_string()),
            &format!("{} {}", image.about, pulled(image.name)),
            image.name,
        ));
    }
    out.push(item(
        edit,
        "scratch",
        CompletionKind::Image,
        Some("empty base".to_string()),
        "The empty image: the stage starts with no files at all, which suits static binaries. Nothing is pulled.",
        "scratch",
    ));
    for name in official_images() {
        if *name == "scratch" || POPULAR_IMAGES.iter().any(|p| p.name == *name) {
            continue;
        }
        out.push(item(
            edit,
            name,
            CompletionKind::Image,
            Some("Docker Official Image".to_string()),
            &format!("A Docker Official Image. {}", pulled(name)),
            name,
        ));
    }
}

fn tags(edit: &Edit, image: &str, out: &mut Vec<CompletionItem>) {
    let tags: &[&str] = match popular_image(image) {
        Some(popular) => popular.tags,
        None if is_official_image(image.strip_prefix("library/").unwrap_or(image)) => &["latest"],
        None => &[],
    };
    for tag in tags {
        out.push(item(
            edit,
            tag,
            CompletionKind::Tag,
            Some(format!("{image}:{tag}")),
            &tag_doc(tag),
            tag,
        ));
    }
}

/// A sentence about a tag, from the conventions official images follow.
fn tag_doc(tag: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if tag == "latest" {
        parts.push("Whatever the maintainers publish as the default; it changes under you, so pin a version for repeatable builds.");
    } else if tag.starts_with(|c: char| c.is_ascii_digit()) || tag.starts_with('v') {
        parts.push("A version line: it moves with patch releases. Pin a full version or a digest for repeatable builds.");
    } else if matches!(
        tag,
        "lts" | "stable" | "mainline" | "edge" | "rolling" | "current"
    ) {
        parts.push("A release channel: it moves whenever the channel does.");
    } else {
        parts.push("A named release or variant.");
    }
    if tag.contains("alpine") {
        parts.push("Based on Alpine Linux (musl libc): small, but some binaries built for glibc do not run.");
    }
    if tag.contains("slim") {
        parts.push("The slim variant leaves out build tools and documentation.");
    }
    if tag.contains("jre") {
        parts.push("Holds only the Java runtime, not the compiler.");
    }
    if tag.contains("nonroot") {
        parts.push("Runs as a non-root user.");
    }
    parts.join(" ")
}

/// The variables visible in `scope` before `before`, nearest first.
fn variables(
    model: &Model,
    edit: &Edit,
    scope: &Scope,
    before: usize,
    close_brace: bool,
    out: &mut Vec<CompletionItem>,
) {
    let mut seen: Vec<compact_str::CompactString> = Vec::new();
    let insert = |name: &str| {
        if close_brace && !edit.bare {
            format!("{name}}}")
        } else {
            name.to_string()
        }
    };
    let mut push = |decl: &VarDecl, origin: String, seen: &mut Vec<compact_str::CompactString>| {
        let global_value = || {
            model
                .global_args
                .iter()
                .rev()
                .find(|g| g.name == decl.name)
                .and_then(|g| g.value.clone())
        };
        let value = match (&decl.value, decl.kind, decl.stage) {
            (Some(v), _, _) => Some(v.clone()),
            // a bare ARG in a stage takes the global ARG's value
            (None, VarKind::Arg, Some(_)) => global_value(),
            _ => None,
        };
        let keyword = match decl.kind {
            VarKind::Arg => "ARG",
            VarKind::Env => "ENV",
        };
        let detail = match &value {
            Some(v) => format!("{keyword} {}={}", decl.name, shorten(v)),
            None => format!("{keyword} {}", decl.name),
        };
        let value_doc = match (&value, decl.kind) {
            (Some(v), VarKind::Arg) => {
                format!(" Default `{}`; `--build-arg` overrides it.", shorten(v))
            }
            (Some(v), VarKind::Env) => format!(" Value `{}`.", shorten(v)),
            (None, VarKind::Arg) => {
                " No default: empty unless given with `--build-arg`.".to_string()
            }
            (None, VarKind::Env) => String::new(),
        };
        let what = match decl.kind {
            VarKind::Arg => "Build argument",
            VarKind::Env => "Environment variable",
        };
        out.push(item(
            edit,
            &decl.name,
            CompletionKind::Variable,
            Some(detail),
            &format!("{what} {origin}.{value_doc}"),
            &insert(&decl.name),
        ));
        seen.push(decl.name.clone());
    };
    match scope {
        Scope::Global => {
            for decl in model.global_args.iter().rev() {
                if decl.range.end <= before && !seen.contains(&decl.name) {
                    push(
                        decl,
                        "declared before the first FROM (global)".into(),
                        &mut seen,
                    );
                }
            }
            for (name, doc) in docs::AUTOMATIC_ARGS {
                if seen.iter().any(|s| s == name) {
                    continue;
                }
                out.push(item(
                    edit,
                    name,
                    CompletionKind::Variable,
                    Some("automatic platform ARG".to_string()),
                    &format!("{doc} Set by BuildKit for FROM lines; inside a stage, declare `ARG {name}` to use it."),
                    &insert(name),
                ));
            }
        }
        Scope::Stage(index) => {
            let mut current = *index;
            let mut limit = before;
            // the stage, then the stages it is built FROM, which it inherits
            for _ in 0..model.stages.len() {
                let Some(stage) = model.stages.get(current) else {
                    break;
                };
                let origin = if current == *index {
                    "set earlier in this stage".to_string()
                } else {
                    format!("inherited from stage `{}`", stage.display_name())
                };
                for decl in stage.vars.iter().rev() {
                    if decl.range.end <= limit && !seen.contains(&decl.name) {
                        push(decl, origin.clone(), &mut seen);
                    }
                }
                match stage.base {
                    Base::Stage(parent) if parent < current => {
                        current = parent;
                        limit = usize::MAX;
                    }
                    _ => break,
                }
            }
        }
    }
}

/// A value cut to fit a detail line.
fn shorten(value: &str) -> String {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

/// `$`, `}` and `\` are special in snippets.
fn escape_snippet(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
