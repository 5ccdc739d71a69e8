//! `dockerfile-ls check`: the editor's diagnostics for CI and the terminal.
//! It calls `ide` exactly as the server does, so both always agree.

mod analyse;
mod args;
mod discover;
mod json;
mod lines;
mod report;
pub mod size;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use analyse::Checked;
use args::{Color, Command, Format, Options};
use discover::Input;

use crate::ide::Severity;

const USAGE_OR_IO_ERROR: u8 = 2;

/// Runs `check` with the arguments after it.
pub fn run(args: &[String]) -> ExitCode {
    let options = match args::parse(args) {
        Ok(Command::Help) => {
            print!("{}", args::HELP);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Check(options)) => options,
        Err(message) => {
            eprintln!("dockerfile-ls check: {message}\nTry 'dockerfile-ls check --help'.");
            return ExitCode::from(USAGE_OR_IO_ERROR);
        }
    };
    check(&options)
}

fn check(options: &Options) -> ExitCode {
    let found = discover::discover(&options.paths);
    let mut failed = !found.errors.is_empty();
    for error in &found.errors {
        eprintln!("dockerfile-ls: {error}");
    }
    for folder in &found.empty_folders {
        eprintln!("dockerfile-ls: warning: no Dockerfile found in '{folder}'");
    }
    let stdin = found.inputs.contains(&Input::Stdin).then(|| {
        let mut bytes = Vec::new();
        match io::stdin().read_to_end(&mut bytes) {
            Ok(_) => Ok(analyse::decode(&bytes)),
            Err(err) => Err(format!("cannot read stdin: {err}")),
        }
    });
    let mut files = Vec::new();
    for result in analyse::check_all(&found.inputs, stdin.as_ref(), &options.settings) {
        match result {
            Ok(file) => files.push(file),
            Err(message) => {
                eprintln!("dockerfile-ls: {message}");
                failed = true;
            }
        }
    }
    if let Some(target) = &options.settings.target {
        for file in files.iter().filter(|f| f.target_missing) {
            eprintln!(
                "dockerfile-ls: warning: {}: no stage named '{target}' (--target): unused stages are not reported",
                file.name
            );
        }
    }
    if let Err(err) = write_report(options, &files) {
        // a closed pipe (`| head`) is the reader's choice, not a failure
        if err.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("dockerfile-ls: cannot write the report: {err}");
            return ExitCode::from(USAGE_OR_IO_ERROR);
        }
    }
    if failed {
        ExitCode::from(USAGE_OR_IO_ERROR)
    } else if has_errors(&files, options.deny_warnings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn has_errors(files: &[Checked], deny_warnings: bool) -> bool {
    files.iter().flat_map(|f| &f.diagnostics).any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    })
}

fn use_color(choice: Color) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        // https://no-color.org: set and not empty disables color
        Color::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn write_report(options: &Options, files: &[Checked]) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match options.format {
        Format::Json => json::write_json(&mut out, files)?,
        Format::Text => {
            let style = report::Style {
                color: use_color(options.color),
            };
            report::write_text(&mut out, files, options.hints, style)?
        }
    }
    out.flush()
}
