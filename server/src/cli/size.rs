//! `dockerfile-ls size`: the per-stage size estimate and the final image's,
//! as the editor's hover shows them.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::ide::Analysis;
use crate::size::estimate::{estimate, host_platform, BuildContext, Inputs, NoContext};
use crate::size::present;
use crate::size::remote::RemoteSettings;
use crate::size::sources::{exact_lookup, ContextSizes};

pub const HELP: &str = "\
dockerfile-ls size: estimate what each stage and the final image weigh

Usage:
  dockerfile-ls size [OPTIONS] [FILE]

FILE is a Dockerfile (default: ./Dockerfile; `-` reads stdin). Sizes are
estimates: the base image from the built-in catalog (or a registry/engine when
enabled), COPY from the build context measured on disk with .dockerignore
applied, RUN installs from package tables. Each part says how it is known
(catalog, measured, table, heuristic, unknown). MB are 10^6 bytes; 'on disk'
is the unpacked size, 'to pull' the compressed size.

Options:
  --platform P             os/arch images are pulled for (default: the host's,
                           here PLATFORM)
  --context DIR            the build context (default: FILE's folder)
  --target STAGE           the stage built (default: the last one)
  --format FORMAT          text (default) or json
  --registry               ask the image's registry for its exact pull size
                           (network; off by default)
  --engine                 ask the local Docker engine for sizes of pulled
                           images (off by default)
  --insecure-registry HOST speak plain HTTP to HOST (e.g. 127.0.0.1:5000)
  -h, --help               print this help

Exit status: 0 on success, 2 on a usage error or an unreadable file.
";

struct Options {
    file: Option<String>,
    platform: String,
    context: Option<PathBuf>,
    target: Option<String>,
    json: bool,
    remote: RemoteSettings,
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        file: None,
        platform: host_platform().to_string(),
        context: None,
        target: None,
        json: false,
        remote: RemoteSettings::default(),
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "-" || !arg.starts_with('-') {
            if options.file.replace(arg.clone()).is_some() {
                return Err("size takes one FILE".to_string());
            }
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
            "-h" | "--help" => return Ok(None),
            "--platform" => options.platform = value("a platform such as linux/arm64")?,
            "--context" => options.context = Some(PathBuf::from(value("a folder")?)),
            "--target" => options.target = Some(value("a STAGE")?),
            "--format" => {
                options.json = match value("a format (text or json)")?.as_str() {
                    "text" => false,
                    "json" => true,
                    other => return Err(format!("unknown format '{other}' (text or json)")),
                }
            }
            "--registry" => options.remote.registry = true,
            "--engine" => options.remote.engine = true,
            "--insecure-registry" => options
                .remote
                .insecure_registries
                .push(value("a HOST[:PORT]")?),
            _ => return Err(format!("unknown option '{arg}'")),
        }
    }
    Ok(Some(options))
}

pub fn run(args: &[String]) -> ExitCode {
    let options = match parse(args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", HELP.replace("PLATFORM", host_platform()));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("dockerfile-ls size: {message}\nTry 'dockerfile-ls size --help'.");
            return ExitCode::from(2);
        }
    };
    let file = options
        .file
        .clone()
        .unwrap_or_else(|| "Dockerfile".to_string());
    let (text, path) = if file == "-" {
        let mut bytes = Vec::new();
        if let Err(err) = io::stdin().read_to_end(&mut bytes) {
            eprintln!("dockerfile-ls size: cannot read stdin: {err}");
            return ExitCode::from(2);
        }
        (String::from_utf8_lossy(&bytes).into_owned(), None)
    } else {
        match std::fs::read(&file) {
            Ok(bytes) => (
                String::from_utf8_lossy(&bytes).into_owned(),
                Some(PathBuf::from(&file)),
            ),
            Err(err) => {
                eprintln!("dockerfile-ls size: cannot read '{file}': {err}");
                return ExitCode::from(2);
            }
        }
    };
    let analysis = Analysis::of_text(&text);
    let context_root = options.context.clone().or_else(|| {
        path.as_deref().map(|p| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        })
    });
    let measured;
    let none;
    let context: &dyn BuildContext = match &context_root {
        Some(root) => {
            measured = ContextSizes::wait(root, path.as_deref(), Duration::from_secs(30));
            &measured
        }
        None => {
            none = NoContext(
                "no build context: the Dockerfile came from stdin (use --context DIR)".to_string(),
            );
            &none
        }
    };
    let remote = options.remote.clone();
    let exact = move |reference: &str, platform: &str| exact_lookup(reference, platform, &remote);
    let inputs = Inputs {
        platform: options.platform.clone(),
        target: options.target.clone(),
        context,
        exact: Some(&exact),
    };
    let build = estimate(&analysis.model, text.as_str(), &inputs);
    let out = if options.json {
        let mut json = present::json_report(&build, &options.platform);
        if let Some(name) = &path {
            json["file"] = name.display().to_string().into();
        }
        format!("{json:#}\n")
    } else {
        present::text_report(&build, &options.platform)
    };
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("dockerfile-ls size: cannot write: {err}");
            ExitCode::from(2)
        }
        _ => ExitCode::SUCCESS,
    }
}
