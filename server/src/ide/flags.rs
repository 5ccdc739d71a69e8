//! BuildKit's flags per instruction (frontend 1.26, `instructions/parse.go`)
//! and the checks BuildKit makes on them: `instructions/bflag.go` for every
//! flag, `commands_runmount.go` for `--mount`, `parseHealthcheck` for the
//! HEALTHCHECK durations, `convert_copy.go` for `--chmod` and `--checksum`.
//! Messages are BuildKit's, character for character.

use super::diagnostics::{Diagnostic, Related, Severity};
use crate::model::{levenshtein, Flag, Instruction, MountParam, Span};
use crate::syntax::Source;

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
    /// First stable Dockerfile frontend with the flag ("pre" = before 1.0);
    /// for a labs flag, the first labs frontend as BuildKit names it.
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
            since: "1.14.0-labs",
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

/// Mount keys BuildKit's parser accepts, in the order of its suggestion list
/// (`instructions/commands_runmount.go`), which decides ties.
pub const MOUNT_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARING_MODES: &[&str] = &["shared", "private", "locked"];

/// BuildKit's `suggest.WrapError`: the first option strictly closer than
/// distance 3, or nothing when the value is itself an option. Without
/// `case_sensitive` the values are compared lowercased and the suggestion
/// takes the casing of what was written (all lower, all upper, else lower).
pub(super) fn suggest<'a>(
    value: &str,
    options: impl IntoIterator<Item = &'a str>,
    case_sensitive: bool,
) -> Option<String> {
    let fold = |s: &str| {
        if case_sensitive {
            s.to_string()
        } else {
            s.to_lowercase()
        }
    };
    let wanted = fold(value);
    let mut best: Option<(usize, String)> = None;
    for option in options {
        let option = fold(option);
        if option == wanted {
            return None;
        }
        let distance = levenshtein(&wanted, &option);
        if distance < best.as_ref().map_or(3, |(d, _)| *d) {
            best = Some((distance, option));
        }
    }
    let (_, option) = best?;
    Some(if case_sensitive || value != value.to_uppercase() {
        option
    } else if value == value.to_lowercase() {
        option.to_lowercase()
    } else {
        option.to_uppercase()
    })
}

fn did_you_mean(suggestion: Option<String>) -> String {
    suggestion
        .map(|s| format!(" (did you mean {s}?)"))
        .unwrap_or_default()
}

/// Go's `strconv.ParseBool`.
pub(super) fn go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

pub(super) fn check_flags(
    instruction: &Instruction,
    labs: bool,
    source: &(impl Source + ?Sized),
    out: &mut Vec<Diagnostic>,
) {
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
    if keyword == "healthcheck"
        && instruction
            .arguments
            .split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("none"))
    {
        return;
    }
    let specs = flags_of(keyword);
    for (i, flag) in instruction.flags.iter().enumerate() {
        if flag.name.is_empty() {
            // a bare `--` ends the flags
            break;
        }
        let Some(spec) = specs.iter().find(|s| s.name == flag.name) else {
            let hint = suggest(&flag.name, specs.iter().map(|s| s.name), true);
            out.push(plain(
                flag.name_range.clone(),
                Severity::Error,
                "unknown-flag",
                format!("unknown flag: --{}{}", flag.name, did_you_mean(hint)),
            ));
            continue;
        };
        if spec.labs && !labs {
            out.push(plain(
                flag.name_range.clone(),
                Severity::Error,
                "labs-flag",
                format!(
                    "{} feature is only supported in Dockerfile frontend {} or later (add `# syntax=docker/dockerfile:1-labs` as the first line)",
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
        check_flag_value(instruction, flag, source, out);
    }
}

fn check_flag_value(
    instruction: &Instruction,
    flag: &Flag,
    source: &(impl Source + ?Sized),
    out: &mut Vec<Diagnostic>,
) {
    if flag.name == "mount" {
        check_mount(flag, source, out);
        return;
    }
    let (Some(value), Some(range)) = (&flag.value, &flag.value_range) else {
        return;
    };
    let mut error = |message: String| {
        out.push(plain(
            range.clone(),
            Severity::Error,
            "invalid-flag-value",
            message,
        ))
    };
    match flag.name.as_str() {
        // neither is expanded, so the value is what BuildKit checks
        "network" if !matches!(value.as_str(), "default" | "none" | "host") => {
            error(format!("invalid network mode \"{value}\""))
        }
        "security" if !matches!(value.as_str(), "sandbox" | "insecure") => {
            error(format!("security \"{value}\" is not valid"))
        }
        // expanded with ARG/ENV: only a value without variables is known
        "chmod" if !value.is_empty() && !value.contains('$') && !valid_chmod(value) => error(
            format!(
                "invalid chmod parameter: '{value}'. it should be octal string and between 0 and 07777"
            ),
        ),
        "checksum" if instruction.keyword == "add" && !instruction.json_form => {
            let words: Vec<&str> = instruction.arguments.split_whitespace().collect();
            if let Some((_, sources)) = words.split_last() {
                if sources.len() > 1 {
                    error("checksum can't be specified for multiple sources".into());
                } else if sources.first().is_some_and(|s| !is_remote_source(s)) {
                    error("checksum requires HTTP(S) or Git sources".into());
                }
            }
        }
        "interval" | "timeout" | "start-period" | "start-interval"
            if instruction.keyword == "healthcheck" && !value.is_empty() =>
        {
            match go_duration(value) {
                Err(message) => error(message),
                // BuildKit's container.MinimumDuration is 1ms; 0 means unset
                Ok(nanos) if nanos != 0 && nanos < 1_000_000 => error(format!(
                    "Interval \"{}\" cannot be less than 1ms",
                    flag.name
                )),
                Ok(_) => {}
            }
        }
        "retries" if instruction.keyword == "healthcheck" && !value.is_empty() => {
            match value.parse::<i32>() {
                Err(_) => error(format!(
                    "strconv.ParseInt: parsing \"{value}\": {}",
                    if value.trim_start_matches(['-', '+']).bytes().all(|b| b.is_ascii_digit())
                        && value.len() > 1
                    {
                        "value out of range"
                    } else {
                        "invalid syntax"
                    }
                )),
                Ok(n) if n < 0 => error(format!("--retries cannot be negative ({n})")),
                Ok(_) => {}
            }
        }
        _ => {}
    }
}

/// An ADD source BuildKit can verify a checksum for: an HTTP(S) URL or a
/// Git repository.
fn is_remote_source(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git@")
        || lower.starts_with("git://")
        || lower.starts_with("ssh://")
        || source.contains('$')
}

/// `--chmod`: an octal mode up to 07777, or (since 1.14) a chmod(1)
/// symbolic mode such as `+x` or `u=rwX,go=rX`.
fn valid_chmod(value: &str) -> bool {
    if value.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return u32::from_str_radix(value, 8).is_ok_and(|mode| mode <= 0o7777);
    }
    value.split(',').all(|clause| {
        let ops = clause.trim_start_matches(['u', 'g', 'o', 'a']);
        let mut chars = ops.chars().peekable();
        if chars.peek().is_none() {
            return false;
        }
        while let Some(op) = chars.next() {
            if !matches!(op, '+' | '-' | '=') {
                return false;
            }
            // permissions, or one class to copy from (`g=u`)
            if chars.peek().is_some_and(|c| matches!(c, 'u' | 'g' | 'o')) {
                chars.next();
                continue;
            }
            while chars
                .peek()
                .is_some_and(|c| matches!(c, 'r' | 'w' | 'x' | 'X' | 's' | 't'))
            {
                chars.next();
            }
        }
        true
    })
}

/// Go's `time.ParseDuration`, in nanoseconds, with Go's error messages.
fn go_duration(text: &str) -> Result<i128, String> {
    let quoted = format!("\"{text}\"");
    let invalid = || format!("time: invalid duration {quoted}");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let number = &rest[..digits];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        rest = &rest[digits..];
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(rest.len(), |(i, _)| i);
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale: f64 = match unit {
            "" => return Err(format!("time: missing unit in duration {quoted}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => {
                return Err(format!(
                    "time: unknown unit \"{unit}\" in duration {quoted}"
                ))
            }
        };
        total += number.parse::<f64>().map_err(|_| invalid())? * scale;
    }
    let nanos = total as i128;
    Ok(if negative { -nanos } else { nanos })
}

/// `RUN --mount=…`, field by field as BuildKit's `parseMount` reads them:
/// `required` and `size` depend on the type given *before* them.
fn check_mount(flag: &Flag, source: &(impl Source + ?Sized), out: &mut Vec<Diagnostic>) {
    let error = |out: &mut Vec<Diagnostic>, range: Span, message: String| {
        out.push(plain(range, Severity::Error, "invalid-mount", message));
    };
    // `None` once the type comes from a variable: nothing type-dependent is known
    let mut kind = Some("bind".to_string());
    let mut seen: Vec<(&str, &MountParam)> = Vec::new();
    for param in &flag.mount_params {
        let key = param.key.as_str();
        let field_end = param
            .value_range
            .as_ref()
            .map_or(param.key_range.end, |r| r.end);
        let field = source.slice(param.key_range.start..field_end).into_owned();
        let at = param.key_range.start..field_end.max(param.key_range.start + 1);
        let Some(value) = &param.value else {
            match key {
                "ro" | "readonly" | "rw" | "readwrite" => {}
                "required" if matches!(kind.as_deref(), Some("secret" | "ssh") | None) => {}
                "required" => error(
                    out,
                    at,
                    format!(
                        "unexpected key 'required' for mount type '{}'",
                        kind.as_deref().unwrap_or_default()
                    ),
                ),
                _ => error(
                    out,
                    at,
                    format!("invalid field '{field}' must be a key=value pair"),
                ),
            }
            continue;
        };
        let value_range = param.value_range.clone().unwrap_or(at.clone());
        // values are expanded when the RUN runs: a variable hides the value
        let known = !value.contains('$');
        match key {
            "type" => {
                let lower = value.to_ascii_lowercase();
                if !known {
                    kind = None;
                } else if MOUNT_TYPES.contains(&lower.as_str()) {
                    kind = Some(lower.to_string());
                } else {
                    error(
                        out,
                        value_range,
                        format!(
                            "unsupported mount type \"{value}\"{}",
                            did_you_mean(suggest(value, MOUNT_TYPES.iter().copied(), true))
                        ),
                    );
                    kind = None;
                }
            }
            "ro" | "readonly" | "rw" | "readwrite" if known && go_bool(value).is_none() => error(
                out,
                value_range,
                format!("invalid value for {key}: {value}"),
            ),
            "required" => match kind.as_deref() {
                Some("secret" | "ssh") | None => {
                    if known && go_bool(value).is_none() {
                        error(
                            out,
                            value_range,
                            format!("invalid value for {key}: {value}"),
                        );
                    }
                }
                Some(other) => error(
                    out,
                    at,
                    format!("unexpected key 'required' for mount type '{other}'"),
                ),
            },
            "size" => match kind.as_deref() {
                Some("tmpfs") | None => {
                    if known && !valid_ram_size(value) {
                        error(
                            out,
                            value_range,
                            format!("invalid value for {key}: {value}"),
                        );
                    }
                }
                Some(other) => error(
                    out,
                    at,
                    format!("unexpected key 'size' for mount type '{other}'"),
                ),
            },
            "sharing" if known => {
                if !SHARING_MODES.contains(&value.to_ascii_lowercase().as_str()) {
                    error(
                        out,
                        value_range,
                        format!(
                            "unsupported sharing value \"{value}\"{}",
                            did_you_mean(suggest(value, SHARING_MODES.iter().copied(), true))
                        ),
                    );
                }
            }
            "mode" if known && u32::from_str_radix(value, 8).is_err() => {
                error(out, value_range, format!("invalid value {value} for mode"))
            }
            "uid" | "gid" if known && value.parse::<u32>().is_err() => {
                error(out, value_range, format!("invalid value {value} for {key}"))
            }
            _ if MOUNT_KEYS.contains(&key) => {}
            _ => error(
                out,
                at,
                format!(
                    "unexpected key '{key}' in '{field}'{}",
                    // (a blank key is no typo of anything)
                    did_you_mean(
                        Some(key)
                            .filter(|key| !key.is_empty())
                            .and_then(|key| suggest(key, MOUNT_KEYS.iter().copied(), true))
                    )
                ),
            ),
        }
        seen.push((key, param));
    }

    // checks BuildKit makes once every field is read
    let Some(kind) = kind else { return };
    let find = |keys: &[&str]| {
        seen.iter()
            .find(|(k, _)| keys.contains(k))
            .map(|(_, p)| p.key_range.clone())
    };
    if !matches!(kind.as_str(), "secret" | "ssh" | "cache") {
        for key in ["mode", "uid", "gid"] {
            if let Some(range) = find(&[key]) {
                error(
                    out,
                    range,
                    format!("{key} not allowed for \"{kind}\" type mounts"),
                );
            }
        }
    }
    if kind == "secret" {
        if let Some(range) = find(&["from"]) {
            error(out, range, "secret mount should not have a from".into());
        }
        if let Some(range) = find(&["sharing"]) {
            error(out, range, "secret mount should not define sharing".into());
        }
        let source_key = find(&["source", "src"]);
        let id = find(&["id"]);
        if source_key.is_none() && id.is_none() && find(&["target", "dst", "destination"]).is_none()
        {
            error(
                out,
                flag.range.clone(),
                "invalid secret mount. one of source, target required".into(),
            );
        }
        if let (Some(_), Some(range)) = (source_key, id) {
            error(out, range, "both source and id can't be set".into());
        }
    } else if let Some(range) = find(&["sharing"]).filter(|_| kind != "cache") {
        error(
            out,
            range,
            format!("invalid cache sharing set for {kind} mount"),
        );
    }
    if kind == "ssh" {
        if let Some(range) = find(&["source", "src"]) {
            error(out, range, "ssh does not support source".into());
        }
    }
}

/// docker's `units.RAMInBytes`: a number with an optional unit
/// (`64m`, `1g`, `512kb`, `1.5GiB`), case-insensitive.
fn valid_ram_size(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let number_len = lower
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, unit) = lower.split_at(number_len);
    number.parse::<f64>().is_ok()
        && matches!(
            unit.trim_start(),
            "" | "b"
                | "k"
                | "kb"
                | "kib"
                | "m"
                | "mb"
                | "mib"
                | "g"
                | "gb"
                | "gib"
                | "t"
                | "tb"
                | "tib"
                | "p"
                | "pb"
                | "pib"
        )
}

fn plain(range: Span, severity: Severity, code: &str, message: String) -> Diagnostic {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_follow_buildkits_suggest_package() {
        let instructions = ["from", "run", "copy"];
        // the casing of what was written carries over
        assert_eq!(
            suggest("FORM", instructions, false).as_deref(),
            Some("FROM")
        );
        assert_eq!(
            suggest("form", instructions, false).as_deref(),
            Some("from")
        );
        assert_eq!(
            suggest("Form", instructions, false).as_deref(),
            Some("from")
        );
        // an exact match means the value was not the problem
        assert_eq!(suggest("RUN", instructions, false), None);
        assert_eq!(suggest("entrypoint", instructions, false), None);
    }

    #[test]
    fn durations_parse_as_go_does() {
        assert_eq!(go_duration("30s"), Ok(30_000_000_000));
        assert_eq!(go_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(go_duration("0"), Ok(0));
        assert_eq!(go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(
            go_duration("5"),
            Err("time: missing unit in duration \"5\"".into())
        );
        assert_eq!(
            go_duration("5x"),
            Err("time: unknown unit \"x\" in duration \"5x\"".into())
        );
        assert_eq!(
            go_duration("soon"),
            Err("time: invalid duration \"soon\"".into())
        );
    }

    #[test]
    fn chmod_takes_octal_and_symbolic_modes() {
        for ok in [
            "755",
            "0644",
            "7777",
            "+x",
            "u=rwX,go=rX",
            "g=u",
            "a-w",
            "u+s",
        ] {
            assert!(valid_chmod(ok), "{ok}");
        }
        for bad in ["999", "17777", "rwx", "u", "u=rwq", ""] {
            assert!(!valid_chmod(bad), "{bad}");
        }
    }
}
