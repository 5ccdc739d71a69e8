//! The command line of `dockerfile-ls check`.

use crate::ide::{DiagnosticSettings, Severity};

pub const HELP: &str = "\
dockerfile-ls check: report the diagnostics of Dockerfiles, as the editor shows them

Usage:
  dockerfile-ls check [OPTIONS] [PATH...]

PATH is a file, a folder or `-` for stdin (shown as <stdin>); without PATH the
current folder is checked. A file named on the command line is always checked;
folders are searched recursively for Dockerfile, Containerfile, *.Dockerfile,
*.dockerfile, Dockerfile.* and Containerfile.* (not *.dockerignore), skipping
.git, node_modules and target folders and symbolic links to folders.

Options:
  --format FORMAT          text (default): one compiler-style block per
                           diagnostic and a summary line;
                           json: one JSON array of objects with file, line,
                           column, end_line, end_column, severity, code,
                           message, and url and related when present. Lines and
                           columns are 1-based, columns count characters, and
                           the end is exclusive (the column after the range).
  --hints                  also print hints (e.g. unused stages) in text
                           output. Hints are hidden by default so CI logs
                           show what needs fixing; JSON always includes every
                           severity (error, warning, information, hint).
  --deny warnings          count warnings as errors for the exit status
  --build-context NAME     a named build context (`--build-context NAME=VALUE`
                           is accepted as docker buildx takes it): COPY --from=NAME
                           is not reported as an unknown stage (repeatable)
  --target STAGE           the stage built; stages it does not need are unused
  --disable CODE           do not report CODE (repeatable; CODE,CODE also works)
  --severity CODE=LEVEL    report CODE as error, warning, information or hint
                           (repeatable)
  --color WHEN             auto (default: when stdout is a terminal and
                           NO_COLOR is unset or empty), always or never
  -h, --help               print this help

Exit status:
  0  no errors (and no warnings with --deny warnings)
  1  errors were found (or warnings, with --deny warnings)
  2  usage error, or a path that could not be read (the other files are still
     checked and reported)
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// As given; empty means the current folder.
    pub paths: Vec<String>,
    pub format: Format,
    pub hints: bool,
    pub deny_warnings: bool,
    pub color: Color,
    pub settings: DiagnosticSettings,
}

#[derive(Debug)]
pub enum Command {
    Help,
    Check(Options),
}

/// Reads the arguments after `check`; the error is the message for stderr.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut options = Options {
        paths: Vec::new(),
        format: Format::Text,
        hints: false,
        deny_warnings: false,
        color: Color::Auto,
        settings: DiagnosticSettings::default(),
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--" {
            options.paths.extend(rest.by_ref().cloned());
            break;
        }
        if arg == "-" || !arg.starts_with('-') {
            options.paths.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            match inline.clone().or_else(|| rest.next().cloned()) {
                Some(value) if !value.is_empty() => Ok(value),
                _ => Err(format!("{name} needs {what}")),
            }
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help),
            "--hints" if inline.is_some() => return Err(format!("{name} takes no value")),
            "--hints" => options.hints = true,
            "--format" => {
                options.format = match value("a format (text or json)")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    other => return Err(format!("unknown format '{other}' (text or json)")),
                }
            }
            "--deny" => match value("a lint level (warnings)")?.as_str() {
                "warnings" | "warning" => options.deny_warnings = true,
                other => return Err(format!("cannot deny '{other}': only --deny warnings")),
            },
            "--build-context" => {
                let value = value("a context NAME")?;
                // `docker buildx build` takes NAME=VALUE; only NAME matters here
                let name = value.split_once('=').map_or(value.as_str(), |(n, _)| n);
                if name.is_empty() {
                    return Err(format!("--build-context '{value}' has no NAME"));
                }
                options.settings.build_contexts.push(name.to_string());
            }
            "--target" => options.settings.target = Some(value("a STAGE")?),
            "--disable" => {
                let codes = value("a diagnostic CODE")?;
                options.settings.disabled.extend(
                    codes
                        .split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(String::from),
                );
            }
            "--severity" => {
                let value = value("CODE=LEVEL")?;
                let parsed = value
                    .split_once('=')
                    .and_then(|(code, level)| Some((code, Severity::parse(level)?)))
                    .filter(|(code, _)| !code.is_empty());
                let Some((code, level)) = parsed else {
                    return Err(format!(
                        "--severity '{value}': expected CODE=LEVEL, LEVEL one of error, warning, information, hint"
                    ));
                };
                options.settings.severity.push((code.to_string(), level));
            }
            "--color" | "--colour" => {
                options.color = match value("auto, always or never")?.as_str() {
                    "auto" => Color::Auto,
                    "always" => Color::Always,
                    "never" => Color::Never,
                    other => {
                        return Err(format!("unknown --color '{other}' (auto, always or never)"))
                    }
                }
            }
            _ => return Err(format!("unknown option '{arg}'")),
        }
    }
    Ok(Command::Check(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str]) -> Result<Options, String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match parse(&args)? {
            Command::Check(options) => Ok(options),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn values_inline_or_separate() {
        let o = check(&[
            "--format=json",
            "--build-context",
            "ctx=docker-image://x",
            "a",
        ])
        .unwrap();
        assert_eq!(o.format, Format::Json);
        assert_eq!(o.settings.build_contexts, ["ctx"]);
        assert_eq!(o.paths, ["a"]);
    }

    #[test]
    fn double_dash_ends_options() {
        let o = check(&["--", "--hints", "-"]).unwrap();
        assert_eq!(o.paths, ["--hints", "-"]);
        assert!(!o.hints);
    }

    #[test]
    fn usage_errors() {
        assert!(check(&["--format"]).is_err());
        assert!(check(&["--format", "xml"]).is_err());
        assert!(check(&["--deny", "errors"]).is_err());
        assert!(check(&["--severity", "x=loud"]).is_err());
        assert!(check(&["--build-context", "=v"]).is_err());
        assert!(check(&["-x"]).is_err());
        assert!(check(&["--hints=yes"]).is_err());
    }
}
