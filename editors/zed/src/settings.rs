//! The JSON handed to the server: initializationOptions and the workspace
//! configuration, built from the user's `lsp.dockerfile-ls` settings. Pure, so
//! the unit tests run on the host; `extension.rs` feeds it from Zed.
//!
//! The server reads its settings bare (`{"diagnostics": …}`) or wrapped in its
//! section (`{"dockerfile-ls": {"diagnostics": …}}`), from initializationOptions,
//! `workspace/didChangeConfiguration` and `workspace/configuration`.

use serde_json::{Map, Value};

/// The server's settings section, the key it asks `workspace/configuration` for.
pub const SECTION: &str = "dockerfile-ls";

/// The initializationOptions: the user's `initialization_options` when set,
/// else their `settings` as they are. `None` when neither is set.
pub fn initialization_options(
    initialization_options: Option<Value>,
    settings: Option<Value>,
) -> Option<Value> {
    non_null(initialization_options).or_else(|| non_null(settings))
}

/// The workspace configuration: the user's `settings` under [`SECTION`].
///
/// Zed answers `workspace/configuration` for a section with that key of this
/// object, and sends the whole object with `workspace/didChangeConfiguration`.
/// Without settings this is `{"dockerfile-ls": {}}`, so removing them puts the
/// server back on its defaults. Settings that already hold the section key are
/// not wrapped a second time.
pub fn workspace_configuration(settings: Option<Value>) -> Value {
    match non_null(settings) {
        Some(Value::Object(object)) if object.contains_key(SECTION) => Value::Object(object),
        Some(settings) => wrap(settings),
        None => wrap(Value::Object(Map::new())),
    }
}

fn wrap(settings: Value) -> Value {
    let mut object = Map::new();
    object.insert(SECTION.to_string(), settings);
    Value::Object(object)
}

fn non_null(value: Option<Value>) -> Option<Value> {
    value.filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user_settings() -> Value {
        json!({
            "diagnostics": {
                "disabled": ["unused-stage"],
                "severity": { "unknown-stage": "error", "stage-name-casing": "off" }
            },
            "buildContexts": ["assets"],
            "target": "release"
        })
    }

    #[test]
    fn settings_become_the_initialization_options_bare() {
        assert_eq!(
            initialization_options(None, Some(user_settings())),
            Some(user_settings())
        );
    }

    #[test]
    fn explicit_initialization_options_win() {
        let explicit = json!({ "target": "dev" });
        assert_eq!(
            initialization_options(Some(explicit.clone()), Some(user_settings())),
            Some(explicit)
        );
    }

    #[test]
    fn no_settings_no_initialization_options() {
        assert_eq!(initialization_options(None, None), None);
        assert_eq!(
            initialization_options(Some(Value::Null), Some(Value::Null)),
            None
        );
        assert_eq!(
            initialization_options(Some(Value::Null), Some(user_settings())),
            Some(user_settings())
        );
    }

    #[test]
    fn workspace_configuration_wraps_settings_in_the_section() {
        let config = workspace_configuration(Some(user_settings()));
        assert_eq!(config, json!({ "dockerfile-ls": user_settings() }));
        // what Zed answers to workspace/configuration { section: "dockerfile-ls" }
        assert_eq!(config.get(SECTION), Some(&user_settings()));
    }

    #[test]
    fn workspace_configuration_without_settings_is_an_empty_section() {
        assert_eq!(
            workspace_configuration(None),
            json!({ "dockerfile-ls": {} })
        );
        assert_eq!(
            workspace_configuration(Some(Value::Null)),
            json!({ "dockerfile-ls": {} })
        );
    }

    #[test]
    fn already_wrapped_settings_are_not_wrapped_twice() {
        let wrapped = json!({ "dockerfile-ls": user_settings() });
        assert_eq!(workspace_configuration(Some(wrapped.clone())), wrapped);
    }

    #[test]
    fn dotted_keys_pass_through_untouched() {
        // the server expands "diagnostics.disabled" itself
        let dotted = json!({ "diagnostics.disabled": ["unused-arg"] });
        assert_eq!(
            workspace_configuration(Some(dotted.clone())),
            json!({ "dockerfile-ls": dotted })
        );
        assert_eq!(
            initialization_options(None, Some(dotted.clone())),
            Some(dotted)
        );
    }
}
