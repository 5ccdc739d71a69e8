use std::io::Write;
use std::process::ExitCode;

use dockerfile_ls::syntax;

const USAGE: &str = "\
dockerfile-ls: a language server for Dockerfiles

Usage:
  dockerfile-ls [--stdio]       serve the Language Server Protocol over stdin/stdout
  dockerfile-ls check [PATH…]   report diagnostics for files and folders (see check --help)
  dockerfile-ls size [FILE]     estimate each stage's and the final image's size
                                (see size --help)
  dockerfile-ls syntax FILE     print FILE's syntax tree as an S-expression;
                                exits 1 when it holds an ERROR or MISSING node
  dockerfile-ls --version       print the version
  dockerfile-ls --help          print this help
";

fn main() -> ExitCode {
    // A path that is not UTF-8 must not abort the program: such arguments
    // are read lossily and then fail as paths with a clear message.
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match args.first().map(String::as_str) {
        Some("--version" | "-V") => {
            println!("dockerfile-ls {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h") => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        None | Some("--stdio") => dockerfile_ls::lsp::run_stdio(),
        Some("check") => dockerfile_ls::cli::run(&args[1..]),
        Some("size") => dockerfile_ls::cli::size::run(&args[1..]),
        Some("syntax") => match &args[1..] {
            [path] => print_syntax(path),
            _ => usage_error("syntax takes exactly one FILE"),
        },
        Some(other) => usage_error(&format!("unknown command '{other}'")),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("dockerfile-ls: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn print_syntax(path: &str) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            eprintln!("dockerfile-ls: cannot read {path}: {err}");
            return ExitCode::from(2);
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let tree = syntax::parse(&text);
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(syntax::to_sexp(tree.root_node()).as_bytes())
        .and_then(|()| stdout.flush());
    if let Err(err) = written {
        // a closed pipe (`| head`) is the reader's choice, not a failure
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("dockerfile-ls: cannot write the syntax tree: {err}");
            return ExitCode::from(2);
        }
    }
    match syntax::first_error(tree.root_node()) {
        Some(node) => {
            let at = node.start_position();
            let what = if node.is_missing() {
                "MISSING"
            } else {
                "ERROR"
            };
            eprintln!(
                "{path}:{}:{}: {what} node in the syntax tree",
                at.row + 1,
                at.column + 1
            );
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    }
}
