//! BuildKit's flags per instruction (frontend 1.26, `instructions/parse.go`)
//! and the checks `instructions/bflag.go` makes on them.

use super::diagnostics::{Diagnostic, Related, Severity};
use crate::model::{levenshtein, Instruction};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// `--name=value`; `--name=` is accepted, `--name` is not.
    String,
    /// Like String, and may be given several times.
    Strings,
    /// `--name`, `--name=true|false`.
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    pub name: &'static str,
    pub kind: FlagKind,
    /// Only with `# syntax=docker/dockerfile:1-labs`.
    pub labs: bool,
    /// First stable Dockerfile frontend with the flag ("pre" = before 1.0).
    pub since: &'static str,
}

const fn flag(name: &'static str, kind: FlagKind, since: &'static str) -> FlagSpec {
    FlagSpec {
        name,
        kind,
        labs: false,
        since,
    }
}

/// The flags each instruction takes.
pub fn flags_of(keyword: &str) -> &'static [FlagSpec] {
    use FlagKind::*;
    const FROM: &[FlagSpec] = &[flag("platform", String, "pre")];
    const RUN: &[FlagSpec] = &[
        flag("mount", Strings, "1.2"),
        flag("network", String, "1.3"),
        flag("security", String, "1.20"),
        FlagSpec {
            name: "device",
            kind: Strings,
            labs: true,
            since: "1.14-labs",
        },
    ];
    const ADD: &[FlagSpec] = &[
        flag("chown", String, "pre"),
        flag("chmod", String, "1.2"),
        flag("link", Bool, "1.4"),
        flag("keep-git-dir", Bool, "1.6"),
        flag("checksum", String, "1.6"),
        flag("unpack", Bool, "1.17"),
        flag("exclude", Strings, "1.19"),
    ];
    const COPY: &[FlagSpec] = &[
        flag("from", String, "pre"),
        flag("chown", String, "pre"),
        flag("chmod", String, "1.2"),
        flag("link", Bool, "1.4"),
        flag("parents", Bool, "1.20"),
        flag("exclude", Strings, "1.19"),
    ];
    const HEALTHCHECK: &[FlagSpec] = &[
        flag("interval", String, "pre"),
        flag("timeout", String, "pre"),
        flag("start-period", String, "pre"),
        flag("start-interval", String, "1.6"),
        flag("retries", String, "pre"),
    ];
    match keyword {
        "from" => FROM,
        "run" => RUN,
        "add" => ADD,
        "copy" => COPY,
        "healthcheck" => HEALTHCHECK,
        _ => &[],
    }
}

/// Mount keys BuildKit's parser accepts (`instructions/commands_runmount.go`).
pub const MOUNT_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "env",
];

fn suggestion(name: &str, candidates: impl Iterator<Item = &'static str>) -> String {
    candidates
        .map(|c| (levenshtein(c, name), c))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, c)| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

pub(super) fn check_flags(instruction: &Instruction, labs: bool, out: &mut Vec<Diagnostic>) {
    let keyword = instruction.keyword.as_str();
    // ARG and STOPSIGNAL never parse their flags: BuildKit drops them silently
    if matches!(keyword, "arg" | "stopsignal") {
        for flag in instruction.flags.iter().filter(|f| !f.name.is_empty()) {
            let mut d = plain(
                flag.range.clone(),
                Severity::Warning,
                "ignored-flag",
                format!(
                    "BuildKit ignores flags on {}: --{} has no effect",
                    keyword.to_ascii_uppercase(),
                    flag.name
                ),
            );
            d.unnecessary = true;
            out.push(d);
        }
        return;
    }
    if keyword == "healthcheck" && instruction.arguments.eq_ignore_ascii_case("none") {
        return;
    }
    let specs = flags_of(keyword);
    for (i, flag) in instruction.flags.iter().enumerate() {
        if flag.name.is_empty() {
            // a bare `--` ends the flags
            break;
        }
        let Some(spec) = specs.iter().find(|s| s.name == flag.name) else {
            let hint = suggestion(&flag.name, specs.iter().map(|s| s.name));
            out.push(plain(
                flag.name_range.clone(),
                Severity::Error,
                "unknown-flag",
                format!("unknown flag: --{}{hint}", flag.name),
            ));
            continue;
        };
        if spec.labs && !labs {
            out.push(plain(
                flag.name_range.clone(),
                Severity::Error,
                "labs-flag",
                format!(
                    "--{} is only in the labs channel ({}): add `# syntax=docker/dockerfile:1-labs` as the first line",
                    flag.name, spec.since
                ),
            ));
        }
        if spec.kind != FlagKind::Strings {
            if let Some(first) = instruction.flags[..i].iter().find(|f| f.name == flag.name) {
                let mut d = plain(
                    flag.range.clone(),
                    Severity::Error,
                    "duplicate-flag",
                    format!("duplicate flag specified: --{}", flag.name),
                );
                d.related.push(Related {
                    range: first.range.clone(),
                    message: "first given here".into(),
                });
                out.push(d);
            }
        }
        match (spec.kind, &flag.value) {
            (FlagKind::String | FlagKind::Strings, None) => out.push(plain(
                flag.range.clone(),
                Severity::Error,
                "missing-flag-value",
                format!("missing a value on flag: --{}", flag.name),
            )),
            (FlagKind::Bool, Some(value)) if value.is_empty() => out.push(plain(
                flag.range.clone(),
                Severity::Error,
                "missing-flag-value",
                format!("missing a value on flag: --{}", flag.name),
            )),
            (FlagKind::Bool, Some(value))
                if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") =>
            {
                out.push(plain(
                    flag.value_range.clone().unwrap_or(flag.range.clone()),
                    Severity::Error,
                    "invalid-flag-value",
                    format!(
                        "expecting boolean value for flag --{}, not: {value}",
                        flag.name
                    ),
                ))
            }
            _ => {}
        }
        check_flag_value(flag, out);
    }
}

fn check_flag_value(flag: &crate::model::Flag, out: &mut Vec<Diagnostic>) {
    let (Some(value), Some(range)) = (&flag.value, &flag.value_range) else {
        return;
    };
    match flag.name.as_str() {
        "network" if !matches!(value.as_str(), "default" | "none" | "host") => out.push(plain(
            range.clone(),
            Severity::Error,
            "invalid-flag-value",
            format!("invalid network mode \"{value}\""),
        )),
        "security" if !matches!(value.as_str(), "sandbox" | "insecure") => out.push(plain(
            range.clone(),
            Severity::Error,
            "invalid-flag-value",
            format!("security \"{value}\" is not valid"),
        )),
        "mount" => {
            for param in &flag.mount_params {
                if !MOUNT_KEYS.contains(&param.key.as_str()) {
                    let field = match &param.value {
                        Some(v) => format!("{}={v}", param.key),
                        None => param.key.clone(),
                    };
                    let message = if param.value.is_some() {
                        format!(
                            "unexpected key '{}' in '{field}'{}",
                            param.key,
                            suggestion(&param.key, MOUNT_KEYS.iter().copied())
                        )
                    } else {
                        format!("invalid field '{field}' must be a key=value pair")
                    };
                    out.push(plain(
                        param.key_range.clone(),
                        Severity::Error,
                        "invalid-mount",
                        message,
                    ));
                } else if param.value.is_none()
                    && !matches!(
                        param.key.as_str(),
                        "ro" | "readonly" | "rw" | "readwrite" | "required"
                    )
                {
                    out.push(plain(
                        param.key_range.clone(),
                        Severity::Error,
                        "invalid-mount",
                        format!("invalid field '{}' must be a key=value pair", param.key),
                    ));
                } else if param.key == "type" {
                    let kind = param
                        .value
                        .as_deref()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if !matches!(kind.as_str(), "bind" | "cache" | "tmpfs" | "secret" | "ssh") {
                        out.push(plain(
                            param.value_range.clone().unwrap_or(param.key_range.clone()),
                            Severity::Error,
                            "invalid-mount",
                            format!(
                                "unsupported mount type \"{kind}\"{}",
                                suggestion(
                                    &kind,
                                    ["bind", "cache", "tmpfs", "secret", "ssh"].into_iter()
                                )
                            ),
                        ));
                    }
                } else if param.key == "sharing" {
                    let sharing = param
                        .value
                        .as_deref()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if !matches!(sharing.as_str(), "shared" | "private" | "locked") {
                        out.push(plain(
                            param.value_range.clone().unwrap_or(param.key_range.clone()),
                            Severity::Error,
                            "invalid-mount",
                            format!("unsupported sharing value \"{sharing}\""),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}

fn plain(range: crate::model::Span, severity: Severity, code: &str, message: String) -> Diagnostic {
    Diagnostic {
        range,
        severity,
        code: code.to_string(),
        message,
        url: None,
        related: Vec::new(),
        unnecessary: false,
    }
}
