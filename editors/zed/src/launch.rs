//! Which command starts the server: from the user's `lsp.dockerfile-ls.binary`
//! settings and what the worktree's shell finds on PATH. Pure, so the unit
//! tests run on the host; `extension.rs` feeds it from Zed.

/// The name of the server's binary, looked up on PATH.
pub const BINARY_NAME: &str = "dockerfile-ls";

/// The arguments used unless the user configured `binary.arguments`.
pub const DEFAULT_ARGS: &[&str] = &["--stdio"];

/// What the user set under `lsp.dockerfile-ls.binary`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BinarySettings {
    /// `binary.path`: absolute, `~/…`, relative to the worktree root, or a
    /// bare name looked up on PATH.
    pub path: Option<String>,
    /// `binary.arguments`: replaces [`DEFAULT_ARGS`] when set, even if empty.
    pub arguments: Option<Vec<String>>,
    /// `binary.env`: added to the shell's environment, overriding it.
    pub env: Vec<(String, String)>,
}

/// The command Zed runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub command: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// Chooses the command, its arguments and its environment.
///
/// `which` looks a bare name up on the PATH of the worktree's shell (Zed's
/// `worktree.which`); `shell_env` is that shell's environment.
pub fn resolve(
    binary: &BinarySettings,
    worktree_root: &str,
    shell_env: Vec<(String, String)>,
    which: impl Fn(&str) -> Option<String>,
) -> Result<Launch, String> {
    let configured = binary
        .path
        .as_deref()
        .map(str::trim)
        .filter(|path| !path.is_empty());
    let command = match configured {
        Some(path) => configured_command(path, worktree_root, &shell_env, &which)?,
        None => which(BINARY_NAME).ok_or_else(not_found_message)?,
    };
    let args = match &binary.arguments {
        Some(arguments) => arguments.clone(),
        None => DEFAULT_ARGS.iter().map(|arg| arg.to_string()).collect(),
    };
    Ok(Launch {
        command,
        args,
        env: merge_env(shell_env, &binary.env),
    })
}

/// The command for a configured `binary.path`.
fn configured_command(
    path: &str,
    worktree_root: &str,
    shell_env: &[(String, String)],
    which: &impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    if is_absolute(path) {
        return Ok(path.to_string());
    }
    if let Some(rest) = path.strip_prefix("~/").or(path.strip_prefix("~\\")) {
        if let Some(home) = lookup(shell_env, "HOME").or(lookup(shell_env, "USERPROFILE")) {
            return Ok(join(home, rest));
        }
        return Err(format!(
            "dockerfile-ls: cannot expand `~` in lsp.dockerfile-ls.binary.path \"{path}\": \
             HOME is not set in the worktree's shell environment; use an absolute path"
        ));
    }
    if path.contains('/') || path.contains('\\') {
        return Ok(join(worktree_root, path));
    }
    which(path).ok_or_else(|| {
        format!(
            "dockerfile-ls: lsp.dockerfile-ls.binary.path is \"{path}\", which is not on the \
             PATH of this worktree's shell; set it to the binary's full path"
        )
    })
}

/// The error shown when no binary is configured and none is on PATH.
pub fn not_found_message() -> String {
    format!(
        "dockerfile-ls: the `{BINARY_NAME}` language server was not found on the PATH of this \
         worktree's shell. Install it from a checkout of the dockerfile-ls repository with \
         `cargo install --path server` (which puts it in ~/.cargo/bin; make sure that is on \
         PATH), or put a `{BINARY_NAME}` binary on PATH, or set its location in Zed's \
         settings: \"lsp\": {{ \"dockerfile-ls\": {{ \"binary\": {{ \"path\": \
         \"/full/path/to/{BINARY_NAME}\" }} }} }}. Then restart the language server."
    )
}

/// `shell_env` with `overrides` applied: an overridden variable keeps its
/// place, a new one is appended, in the order given.
pub fn merge_env(
    mut shell_env: Vec<(String, String)>,
    overrides: &[(String, String)],
) -> Vec<(String, String)> {
    for (name, value) in overrides {
        match shell_env.iter_mut().find(|(existing, _)| existing == name) {
            Some(entry) => entry.1 = value.clone(),
            None => shell_env.push((name.clone(), value.clone())),
        }
    }
    shell_env
}

fn lookup<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.is_empty())
}

/// `/…`, `\…`, or a Windows drive path such as `C:\…` or `C:/…`.
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 3
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && matches!(bytes[2], b'/' | b'\\'))
}

fn join(base: &str, rest: &str) -> String {
    let rest = rest.strip_prefix("./").unwrap_or(rest);
    if base.is_empty() {
        return rest.to_string();
    }
    let separator = if base.contains('\\') && !base.contains('/') {
        '\\'
    } else {
        '/'
    };
    format!("{}{separator}{rest}", base.trim_end_matches(['/', '\\']))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "/home/me/project";

    fn on_path(name: &str) -> Option<String> {
        match name {
            "dockerfile-ls" => Some("/usr/local/bin/dockerfile-ls".to_string()),
            "dls-dev" => Some("/opt/bin/dls-dev".to_string()),
            _ => None,
        }
    }

    fn nowhere(_: &str) -> Option<String> {
        None
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn path(p: &str) -> BinarySettings {
        BinarySettings {
            path: Some(p.to_string()),
            ..BinarySettings::default()
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn nothing_configured_uses_path_with_stdio() {
        let launch = resolve(&BinarySettings::default(), ROOT, Vec::new(), on_path).unwrap();
        assert_eq!(launch.command, "/usr/local/bin/dockerfile-ls");
        assert_eq!(launch.args, strings(&["--stdio"]));
        assert!(launch.env.is_empty());
    }

    #[test]
    fn missing_binary_names_the_install_command() {
        let error = resolve(&BinarySettings::default(), ROOT, Vec::new(), nowhere).unwrap_err();
        assert!(error.contains("cargo install --path server"), "{error}");
        assert!(error.contains("PATH"), "{error}");
        assert!(error.contains("binary"), "{error}");
        assert_eq!(error, not_found_message());
    }

    #[test]
    fn configured_absolute_path_wins_over_which() {
        let launch = resolve(&path("/opt/dls/dockerfile-ls"), ROOT, Vec::new(), on_path).unwrap();
        assert_eq!(launch.command, "/opt/dls/dockerfile-ls");
        assert_eq!(launch.args, strings(&["--stdio"]));
    }

    #[test]
    fn configured_path_is_used_even_when_nothing_is_on_path() {
        let launch = resolve(&path("/opt/dls/dockerfile-ls"), ROOT, Vec::new(), nowhere).unwrap();
        assert_eq!(launch.command, "/opt/dls/dockerfile-ls");
    }

    #[test]
    fn windows_absolute_paths_are_kept() {
        for p in [
            r"C:\tools\dockerfile-ls.exe",
            "d:/tools/dockerfile-ls.exe",
            r"\\server\share\dls.exe",
        ] {
            let launch = resolve(&path(p), ROOT, Vec::new(), nowhere).unwrap();
            assert_eq!(launch.command, p);
        }
    }

    #[test]
    fn relative_path_is_taken_from_the_worktree_root() {
        let launch = resolve(
            &path("target/release/dockerfile-ls"),
            ROOT,
            Vec::new(),
            nowhere,
        )
        .unwrap();
        assert_eq!(
            launch.command,
            "/home/me/project/target/release/dockerfile-ls"
        );
        let launch = resolve(&path("./bin/dockerfile-ls"), "/w/", Vec::new(), nowhere).unwrap();
        assert_eq!(launch.command, "/w/bin/dockerfile-ls");
        let launch = resolve(&path(r"bin\dls.exe"), r"C:\w", Vec::new(), nowhere).unwrap();
        assert_eq!(launch.command, r"C:\w\bin\dls.exe");
    }

    #[test]
    fn tilde_expands_to_home() {
        let shell = env(&[("HOME", "/home/me")]);
        let launch = resolve(&path("~/.cargo/bin/dockerfile-ls"), ROOT, shell, nowhere).unwrap();
        assert_eq!(launch.command, "/home/me/.cargo/bin/dockerfile-ls");
        let error = resolve(&path("~/bin/dls"), ROOT, Vec::new(), nowhere).unwrap_err();
        assert!(error.contains("HOME"), "{error}");
    }

    #[test]
    fn bare_configured_name_is_looked_up_on_path() {
        let launch = resolve(&path("dls-dev"), ROOT, Vec::new(), on_path).unwrap();
        assert_eq!(launch.command, "/opt/bin/dls-dev");
        let error = resolve(&path("dls-missing"), ROOT, Vec::new(), on_path).unwrap_err();
        assert!(error.contains("\"dls-missing\""), "{error}");
    }

    #[test]
    fn blank_configured_path_counts_as_unset() {
        for p in ["", "   "] {
            let launch = resolve(&path(p), ROOT, Vec::new(), on_path).unwrap();
            assert_eq!(launch.command, "/usr/local/bin/dockerfile-ls");
        }
    }

    #[test]
    fn configured_arguments_replace_stdio() {
        let binary = BinarySettings {
            arguments: Some(strings(&["--stdio", "--log", "debug"])),
            ..BinarySettings::default()
        };
        let launch = resolve(&binary, ROOT, Vec::new(), on_path).unwrap();
        assert_eq!(launch.command, "/usr/local/bin/dockerfile-ls");
        assert_eq!(launch.args, strings(&["--stdio", "--log", "debug"]));
    }

    #[test]
    fn empty_configured_arguments_mean_no_arguments() {
        let binary = BinarySettings {
            path: Some("/opt/dockerfile-ls".to_string()),
            arguments: Some(Vec::new()),
            ..BinarySettings::default()
        };
        let launch = resolve(&binary, ROOT, Vec::new(), nowhere).unwrap();
        assert_eq!(launch.command, "/opt/dockerfile-ls");
        assert!(launch.args.is_empty());
    }

    #[test]
    fn configured_env_overrides_the_shell_env() {
        let binary = BinarySettings {
            env: env(&[("RUST_LOG", "debug"), ("PATH", "/custom")]),
            ..BinarySettings::default()
        };
        let shell = env(&[("PATH", "/usr/bin"), ("HOME", "/home/me")]);
        let launch = resolve(&binary, ROOT, shell, on_path).unwrap();
        assert_eq!(
            launch.env,
            env(&[
                ("PATH", "/custom"),
                ("HOME", "/home/me"),
                ("RUST_LOG", "debug")
            ])
        );
    }

    #[test]
    fn shell_env_is_passed_through() {
        let shell = env(&[("PATH", "/usr/bin")]);
        let launch = resolve(&BinarySettings::default(), ROOT, shell.clone(), on_path).unwrap();
        assert_eq!(launch.env, shell);
    }
}
