//! The `dockerfile-ls` settings, read leniently from whatever JSON a client
//! sends (initializationOptions, didChangeConfiguration, workspace/configuration):
//!
//! ```json
//! { "dockerfile-ls": {
//!     "diagnostics": { "disabled": ["unused-stage"], "severity": { "unknown-stage": "error" } },
//!     "buildContexts": ["assets"],
//!     "target": "release" } }
//! ```
//!
//! A mistake in one setting is reported and skipped; the rest still apply.

use serde_json::{Map, Value};

use super::size::{InlayMode, SizeSettings};
use crate::ide::{DiagnosticSettings, FormatSettings, Severity};

pub const SECTION: &str = "dockerfile-ls";

/// The settings object inside `value`: under a `dockerfile-ls` key when the
/// client wraps it, else `value` itself. `None` when there is no object
/// (a client with nothing configured sends `null`).
pub fn section(value: &Value) -> Option<Map<String, Value>> {
    let object = value.as_object()?;
    let inner = match object.get(SECTION) {
        Some(Value::Object(inner)) => inner,
        Some(_) => return None,
        None => object,
    };
    Some(expand_dotted_keys(inner))
}

/// Parses a settings object into diagnostic settings, with a message for
/// each setting that could not be understood.
pub fn parse(section: &Map<String, Value>) -> (DiagnosticSettings, Vec<String>) {
    let mut settings = DiagnosticSettings::default();
    let mut problems = Vec::new();

    match section.get("diagnostics") {
        None | Some(Value::Null) => {}
        Some(Value::Object(diagnostics)) => {
            if let Some(disabled) = diagnostics.get("disabled") {
                settings.disabled = string_list(disabled, "diagnostics.disabled", &mut problems);
            }
            match diagnostics.get("severity") {
                None | Some(Value::Null) => {}
                Some(Value::Object(severities)) => {
                    read_severities(severities, &mut settings, &mut problems)
                }
                Some(_) => problems.push(expected("diagnostics.severity", "an object")),
            }
        }
        Some(_) => problems.push(expected("diagnostics", "an object")),
    }
    if let Some(contexts) = section.get("buildContexts") {
        settings.build_contexts = string_list(contexts, "buildContexts", &mut problems);
    }
    match section.get("target") {
        None | Some(Value::Null) => {}
        Some(Value::String(target)) if target.trim().is_empty() => {}
        Some(Value::String(target)) => settings.target = Some(target.trim().to_string()),
        Some(_) => problems.push(expected("target", "a stage name")),
    }
    (settings, problems)
}

/// Reads `format.enable`, `format.uppercaseKeywords` and
/// `format.indentContinuations` (all on unless set to false).
pub fn parse_format(section: &Map<String, Value>) -> (FormatSettings, Vec<String>) {
    let mut settings = FormatSettings::default();
    let mut problems = Vec::new();
    match section.get("format") {
        None | Some(Value::Null) => {}
        Some(Value::Object(format)) => {
            for (key, slot) in [
                ("enable", &mut settings.enable),
                ("uppercaseKeywords", &mut settings.uppercase_keywords),
                ("indentContinuations", &mut settings.indent_continuations),
            ] {
                match format.get(key) {
                    None | Some(Value::Null) => {}
                    Some(Value::Bool(value)) => *slot = *value,
                    Some(_) => problems.push(expected(&format!("format.{key}"), "true or false")),
                }
            }
        }
        Some(_) => problems.push(expected("format", "an object")),
    }
    (settings, problems)
}

/// Reads the `size` settings:
///
/// ```json
/// "size": { "inlayHints": "stage", "platform": "linux/arm64", "context": "..",
///           "registry": false, "engine": false, "insecureRegistries": ["127.0.0.1:5000"] }
/// ```
pub fn parse_size(section: &Map<String, Value>) -> (SizeSettings, Vec<String>) {
    let mut settings = SizeSettings::default();
    let mut problems = Vec::new();
    let size = match section.get("size") {
        None | Some(Value::Null) => return (settings, problems),
        Some(Value::Object(size)) => size,
        Some(_) => {
            problems.push(expected("size", "an object"));
            return (settings, problems);
        }
    };
    match size.get("inlayHints") {
        None | Some(Value::Null) => {}
        Some(Value::String(mode)) => match mode.as_str() {
            "off" => settings.inlay = InlayMode::Off,
            "stage" => settings.inlay = InlayMode::Stage,
            "instruction" => settings.inlay = InlayMode::Instruction,
            _ => problems.push(expected(
                "size.inlayHints",
                "\"off\", \"stage\" or \"instruction\"",
            )),
        },
        Some(Value::Bool(false)) => settings.inlay = InlayMode::Off,
        Some(_) => problems.push(expected(
            "size.inlayHints",
            "\"off\", \"stage\" or \"instruction\"",
        )),
    }
    for (key, slot) in [("platform", &mut settings.platform)] {
        match size.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(value)) if value.trim().is_empty() => {}
            Some(Value::String(value)) => *slot = Some(value.trim().to_string()),
            Some(_) => problems.push(expected(&format!("size.{key}"), "a string")),
        }
    }
    match size.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::String(value)) if value.trim().is_empty() => {}
        Some(Value::String(value)) => settings.context = Some(value.trim().into()),
        Some(_) => problems.push(expected("size.context", "a folder path")),
    }
    for (key, slot) in [
        ("registry", &mut settings.remote.registry),
        ("engine", &mut settings.remote.engine),
    ] {
        match size.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(value)) => *slot = *value,
            Some(_) => problems.push(expected(&format!("size.{key}"), "true or false")),
        }
    }
    if let Some(hosts) = size.get("insecureRegistries") {
        settings.remote.insecure_registries =
            string_list(hosts, "size.insecureRegistries", &mut problems);
    }
    match size.get("dockerHost") {
        None | Some(Value::Null) => {}
        Some(Value::String(value)) => settings.remote.docker_host = Some(value.clone()),
        Some(_) => problems.push(expected("size.dockerHost", "a string")),
    }
    (settings, problems)
}

fn read_severities(
    severities: &Map<String, Value>,
    settings: &mut DiagnosticSettings,
    problems: &mut Vec<String>,
) {
    for (code, level) in severities {
        match level.as_str() {
            Some(level) if level.eq_ignore_ascii_case("off") => {
                if !settings.disabled.contains(code) {
                    settings.disabled.push(code.clone());
                }
            }
            Some(level) => match Severity::parse(level) {
                Some(severity) => settings.severity.push((code.clone(), severity)),
                None => problems.push(format!(
                    "{SECTION}.diagnostics.severity.{code}: unknown severity '{level}' \
                     (expected error, warning, information, hint or off)"
                )),
            },
            None => problems.push(expected(
                &format!("diagnostics.severity.{code}"),
                "a severity name",
            )),
        }
    }
}

fn string_list(value: &Value, key: &str, problems: &mut Vec<String>) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => {
            let strings: Vec<String> = items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect();
            if strings.len() != items.len() {
                problems.push(format!("{SECTION}.{key}: non-string entries ignored"));
            }
            strings
        }
        _ => {
            problems.push(expected(key, "a list of strings"));
            Vec::new()
        }
    }
}

fn expected(key: &str, what: &str) -> String {
    format!("{SECTION}.{key}: expected {what}; setting ignored")
}

/// `{"diagnostics.disabled": x}` as `{"diagnostics": {"disabled": x}}`:
/// some clients pass settings flat, the way users write them.
fn expand_dotted_keys(object: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in object {
        let value = match value {
            Value::Object(inner) => Value::Object(expand_dotted_keys(inner)),
            other => other.clone(),
        };
        insert_at(&mut out, &key.split('.').collect::<Vec<_>>(), value);
    }
    out
}

fn insert_at(target: &mut Map<String, Value>, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => match (target.get_mut(*last), value) {
            (Some(Value::Object(existing)), Value::Object(new)) => existing.extend(new),
            (_, value) => {
                target.insert(last.to_string(), value);
            }
        },
        [first, rest @ ..] => {
            let slot = target
                .entry(first.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                insert_at(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrapped_bare_and_dotted_settings_read_alike() {
        let bare = json!({
            "diagnostics": { "disabled": ["unused-stage"], "severity": { "unknown-stage": "error", "StageNameCasing": "off" } },
            "buildContexts": ["assets"],
            "target": "release"
        });
        let wrapped = json!({ "dockerfile-ls": bare.clone() });
        let dotted = json!({
            "diagnostics.disabled": ["unused-stage"],
            "diagnostics.severity": { "unknown-stage": "error", "StageNameCasing": "off" },
            "buildContexts": ["assets"],
            "target": "release"
        });
        for value in [bare, wrapped, dotted] {
            let (settings, problems) = parse(&section(&value).unwrap());
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(settings.disabled, ["unused-stage", "StageNameCasing"]);
            assert_eq!(
                settings.severity,
                [("unknown-stage".to_string(), Severity::Error)]
            );
            assert_eq!(settings.build_contexts, ["assets"]);
            assert_eq!(settings.target.as_deref(), Some("release"));
        }
    }

    #[test]
    fn format_settings_read_leniently() {
        let value = json!({ "format.enable": false, "format": { "uppercaseKeywords": "no" } });
        let (settings, problems) = parse_format(&section(&value).unwrap());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(!settings.enable);
        assert!(settings.uppercase_keywords && settings.indent_continuations);
        let (settings, problems) = parse_format(&section(&json!({})).unwrap());
        assert!(problems.is_empty());
        assert_eq!(settings, FormatSettings::default());
    }

    #[test]
    fn mistakes_are_reported_and_skipped() {
        let value = json!({
            "diagnostics": { "disabled": "unused-stage", "severity": { "a": "loud", "b": 3, "c": "hint" } },
            "target": 4
        });
        let (settings, problems) = parse(&section(&value).unwrap());
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(settings.disabled.is_empty());
        assert_eq!(settings.severity, [("c".to_string(), Severity::Hint)]);
        assert_eq!(settings.target, None);
        assert_eq!(section(&Value::Null), None);
        assert_eq!(section(&json!({ "dockerfile-ls": null })), None);
    }
}
