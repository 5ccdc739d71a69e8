//! What a build stage produces that a later `COPY --from` can take: the
//! files written by recognised build commands, with a range from the
//! artifact table (image-sizes.md §2) or a rule of thumb.

use super::amount::{Bytes, Known, Part};
use super::packages::MB;
use super::run::{self, Command};

/// A file or directory a RUN builds. `path` is absolute; it may end in a
/// glob (`/src/target/release/*`, `/app/target/*.jar`) or be
/// `<dir>/<unknown>` when the name is not written in the command (`go build`
/// without `-o` names the binary after the module or directory).
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub path: String,
    pub unpacked: Bytes,
    pub known: Known,
    pub what: String,
    pub source: String,
}

/// The placeholder file name for an output whose name the command does not say.
pub const UNKNOWN_NAME: &str = "<unknown>";

fn mb(low: f64, best: f64, high: f64) -> Bytes {
    Bytes::range(
        (low * MB as f64) as u64,
        (best * MB as f64) as u64,
        (high * MB as f64) as u64,
    )
}

/// Artifacts the RUN's shell text builds, paths resolved against `workdir`
/// (and any `cd` earlier in the same RUN).
pub fn built_artifacts(shell: &str, workdir: &str) -> Vec<Artifact> {
    let mut out = Vec::new();
    let mut cwd = normalise(workdir, "/");
    let mut exported: Vec<(String, String)> = Vec::new();
    let mut venv: Option<String> = None;
    for cmd in run::commands(shell) {
        let args: Vec<&str> = cmd.args().iter().map(String::as_str).collect();
        let env = |name: &str| -> Option<String> {
            cmd.env(name).map(str::to_string).or_else(|| {
                exported
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            })
        };
        match cmd.program() {
            "cd" => {
                if let Some(dir) = args.first() {
                    if !dir.contains('$') && *dir != "-" {
                        cwd = normalise(dir, &cwd);
                    }
                } else {
                    cwd = "/root".to_string();
                }
            }
            "export" => {
                for a in &args {
                    if let Some((n, v)) = a.split_once('=') {
                        exported.push((n.to_string(), v.to_string()));
                    }
                }
            }
            "" => {
                // assignments only: `CGO_ENABLED=0` on its own line
                exported.extend(cmd.env.iter().cloned());
            }
            "go" => go(
                &cmd,
                &args,
                &cwd,
                env("CGO_ENABLED").as_deref(),
                env("GOBIN"),
                &mut out,
            ),
            "cargo" => cargo(
                &args,
                &cwd,
                env("CARGO_TARGET_DIR"),
                env("CARGO_HOME"),
                &mut out,
            ),
            "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" => cc(&cmd, &args, &cwd, &mut out),
            "cmake" => {
                if let Some(i) = args.iter().position(|a| *a == "--build") {
                    let dir = args.get(i + 1).copied().unwrap_or(".");
                    out.push(Artifact {
                        path: normalise(dir, &cwd),
                        unpacked: mb(0.1, 5.0, 200.0),
                        known: Known::Heuristic,
                        what: "cmake --build output directory".into(),
                        source: "rule of thumb: a CMake build tree (estimate)".into(),
                    });
                }
            }
            p @ ("mvn" | "mvnw") => maven(p, &args, &cwd, &mut out),
            p @ ("gradle" | "gradlew") => gradle(p, &args, &cwd, &mut out),
            p @ ("npm" | "yarn" | "pnpm") => node(p, &args, &cwd, &mut out),
            "vite" | "next" | "ng" | "react-scripts" | "tsc" => {
                node_tool(cmd.program(), &args, &cwd, &mut out)
            }
            "npx" => {
                if let Some(tool) = args.iter().find(|a| !a.starts_with('-')) {
                    let rest: Vec<&str> = args
                        .iter()
                        .skip_while(|a| *a != tool)
                        .skip(1)
                        .copied()
                        .collect();
                    node_tool(tool, &rest, &cwd, &mut out);
                }
            }
            "dotnet" => dotnet(&args, &cwd, &mut out),
            p @ ("pip" | "pip3") => pip(&cmd, p, &args, &cwd, venv.as_deref(), &mut out),
            p if p.starts_with("python") => {
                if let ["-m", "venv" | "virtualenv", rest @ ..] = args.as_slice() {
                    if let Some(dir) = rest.iter().find(|a| !a.starts_with('-')) {
                        let dir = normalise(dir, &cwd);
                        venv = Some(dir.clone());
                        out.push(Artifact {
                            path: dir,
                            unpacked: mb(8.0, 15.0, 30.0),
                            known: Known::Heuristic,
                            what: "python -m venv".into(),
                            source: "rule of thumb: a venv with pip and setuptools (estimate)"
                                .into(),
                        });
                    }
                } else if let ["-m", "pip", rest @ ..] = args.as_slice() {
                    pip(&cmd, "pip", rest, &cwd, venv.as_deref(), &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// `path` made absolute against `cwd`, `.` and `..` resolved, no trailing `/`.
fn normalise(path: &str, cwd: &str) -> String {
    let path = path.trim_matches(|c| c == '"' || c == '\'');
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for piece in joined.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn flag_value<'a>(args: &[&'a str], names: &[&str]) -> Option<&'a str> {
    for (i, a) in args.iter().enumerate() {
        for name in names {
            if a == name {
                return args.get(i + 1).copied();
            }
            if let Some(v) = a.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
                return Some(v);
            }
        }
    }
    None
}

fn go(
    cmd: &Command,
    args: &[&str],
    cwd: &str,
    cgo: Option<&str>,
    gobin: Option<String>,
    out: &mut Vec<Artifact>,
) {
    let verb = args.first().copied();
    if !matches!(verb, Some("build" | "install")) {
        return;
    }
    let ldflags = flag_value(args, &["-ldflags", "--ldflags"]).unwrap_or("");
    let stripped = ldflags.split_whitespace().any(|f| f == "-s")
        && ldflags.split_whitespace().any(|f| f == "-w");
    let static_ = cgo == Some("0");
    let (unpacked, table) = if stripped {
        (
            mb(0.7, 7.0, 40.0),
            "stripped (-s -w): 0.7–1.3 MB hello world, 5–8 MB web server, 16 MB real service",
        )
    } else {
        (
            mb(1.8, 10.0, 60.0),
            "unstripped: ~1.8 MB minimal, 24 MB real service",
        )
    };
    let notes = format!(
        "{}{}",
        if stripped { ", -s -w" } else { "" },
        if static_ {
            ", CGO_ENABLED=0 (static)"
        } else {
            ""
        }
    );
    let source = format!("image-sizes.md §2 Go binaries, {table}");
    if verb == Some("install") {
        let target = args
            .iter()
            .skip(1)
            .find(|a| !a.starts_with('-') && **a != ldflags)
            .copied()
            .unwrap_or(".");
        let module = target.split('@').next().unwrap_or(target);
        let name = if module == "." || module.ends_with("/...") {
            UNKNOWN_NAME
        } else {
            module
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(UNKNOWN_NAME)
        };
        let bin = gobin
            .map(|d| normalise(&d, cwd))
            .unwrap_or_else(|| "/go/bin".to_string());
        out.push(Artifact {
            path: join(&bin, name),
            unpacked,
            known: Known::Table,
            what: format!("go install {target}{notes}"),
            source,
        });
        return;
    }
    let (path, what) = match flag_value(args, &["-o"]) {
        Some(o) if o.ends_with('/') => (
            join(&normalise(o, cwd), UNKNOWN_NAME),
            format!("go build -o {o}{notes} (binary named after the package)"),
        ),
        Some(o) => (normalise(o, cwd), format!("go build -o {o}{notes}")),
        None => (
            join(cwd, UNKNOWN_NAME),
            format!(
                "go build{notes} without -o: the binary is named after the module or directory"
            ),
        ),
    };
    let _ = cmd;
    out.push(Artifact {
        path,
        unpacked,
        known: Known::Table,
        what,
        source,
    });
}

fn cargo(
    args: &[&str],
    cwd: &str,
    target_env: Option<String>,
    cargo_home: Option<String>,
    out: &mut Vec<Artifact>,
) {
    let verb = args.first().copied();
    let release = args.iter().any(|a| matches!(*a, "--release" | "-r"));
    let source = "image-sizes.md §2 Rust release binaries: 0.45 MB hello world, 1.7 MB axum server (measured), \
                  5–20 MB real service (estimate); debug builds ×3–10";
    match verb {
        Some("build" | "b") => {
            let target_dir = flag_value(args, &["--target-dir"])
                .map(str::to_string)
                .or(target_env)
                .unwrap_or_else(|| "target".to_string());
            let manifest_dir = flag_value(args, &["--manifest-path"])
                .map(|m| {
                    m.rsplit_once('/')
                        .map(|(d, _)| d.to_string())
                        .unwrap_or_else(|| ".".into())
                })
                .unwrap_or_else(|| ".".into());
            let base = normalise(&target_dir, &normalise(&manifest_dir, cwd));
            let profile =
                flag_value(args, &["--profile"]).map(|p| if p == "dev" { "debug" } else { p });
            let profile = profile.unwrap_or(if release { "release" } else { "debug" });
            let dir = match flag_value(args, &["--target"]) {
                Some(triple) => format!("{base}/{triple}/{profile}"),
                None => format!("{base}/{profile}"),
            };
            let name = flag_value(args, &["--bin"]).unwrap_or("*");
            let unpacked = if profile == "debug" {
                mb(2.0, 40.0, 300.0)
            } else {
                mb(0.3, 5.0, 30.0)
            };
            out.push(Artifact {
                path: join(&dir, name),
                unpacked,
                known: if profile == "debug" {
                    Known::Heuristic
                } else {
                    Known::Table
                },
                what: format!(
                    "cargo build{}",
                    if profile == "debug" {
                        String::new()
                    } else {
                        format!(" --{profile}").replace("--release", "--release")
                    }
                ),
                source: source.into(),
            });
        }
        Some("install") => {
            let root = flag_value(args, &["--root"])
                .map(|r| normalise(r, cwd))
                .or_else(|| cargo_home.map(|h| normalise(&h, cwd)))
                .unwrap_or_else(|| "/usr/local/cargo".to_string());
            let name = args
                .iter()
                .skip(1)
                .find(|a| {
                    !a.starts_with('-')
                        && Some(**a) != flag_value(args, &["--root"])
                        && Some(**a) != flag_value(args, &["--path"])
                })
                .copied()
                .unwrap_or("*");
            out.push(Artifact {
                path: format!("{root}/bin/{name}"),
                unpacked: mb(0.3, 8.0, 60.0),
                known: Known::Table,
                what: format!("cargo install {}", args[1..].join(" ")),
                source: source.into(),
            });
        }
        _ => {}
    }
}

fn cc(cmd: &Command, args: &[&str], cwd: &str, out: &mut Vec<Artifact>) {
    if args.contains(&"-E") || args.contains(&"--version") || args.is_empty() {
        return;
    }
    let object = args.contains(&"-c");
    let path = match flag_value(args, &["-o"]) {
        Some(o) => normalise(o, cwd),
        None if object => return,
        None => join(cwd, "a.out"),
    };
    out.push(Artifact {
        path,
        unpacked: if object {
            mb(0.001, 0.05, 5.0)
        } else {
            mb(0.01, 0.2, 20.0)
        },
        known: Known::Heuristic,
        what: format!("{} -o", cmd.program()),
        source: "rule of thumb: a C/C++ program is 10 KB–20 MB, 0.2 MB as a guess (estimate)"
            .into(),
    });
}

fn maven(program: &str, args: &[&str], cwd: &str, out: &mut Vec<Artifact>) {
    let goals: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    if !goals.iter().any(|g| {
        matches!(
            *g,
            "package" | "install" | "verify" | "deploy" | "spring-boot:repackage"
        )
    }) {
        return;
    }
    let dir = flag_value(args, &["-f", "--file"])
        .map(|f| {
            if f.ends_with(".xml") {
                f.rsplit_once('/').map(|(d, _)| d).unwrap_or(".")
            } else {
                f
            }
        })
        .map(|d| normalise(d, cwd))
        .unwrap_or_else(|| cwd.to_string());
    out.push(Artifact {
        path: format!("{dir}/target/*.jar"),
        unpacked: mb(0.01, 20.0, 150.0),
        known: Known::Table,
        what: format!("{program} {}", goals.join(" ")),
        source:
            "image-sizes.md §2: Spring Boot 3 web fat jar ~18–25 MB (estimate); plain jars are KBs"
                .into(),
    });
}

fn gradle(program: &str, args: &[&str], cwd: &str, out: &mut Vec<Artifact>) {
    let tasks: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    let dir = flag_value(args, &["-p", "--project-dir"])
        .map(|d| normalise(d, cwd))
        .unwrap_or_else(|| cwd.to_string());
    let jar = tasks.iter().any(|t| {
        let t = t.rsplit(':').next().unwrap_or(t);
        matches!(
            t,
            "build" | "bootJar" | "assemble" | "jar" | "shadowJar" | "bootWar" | "war"
        )
    });
    if jar {
        out.push(Artifact {
            path: format!("{dir}/build/libs/*.jar"),
            unpacked: mb(0.01, 20.0, 150.0),
            known: Known::Table,
            what: format!("{program} {}", tasks.join(" ")),
            source: "image-sizes.md §2: Spring Boot 3 web fat jar ~18–25 MB (estimate); plain jars are KBs".into(),
        });
    }
    if tasks.iter().any(|t| t.ends_with("installDist")) {
        out.push(Artifact {
            path: format!("{dir}/build/install"),
            unpacked: mb(1.0, 25.0, 200.0),
            known: Known::Heuristic,
            what: format!("{program} installDist"),
            source: "rule of thumb: the jar plus its runtime dependencies (estimate)".into(),
        });
    }
}

fn frontend(tool: &str, cwd: &str, out: &mut Vec<Artifact>) {
    for dir in ["dist", "build"] {
        out.push(Artifact {
            path: join(cwd, dir),
            unpacked: mb(0.1, 1.0, 20.0),
            known: Known::Table,
            what: format!("{tool} → {dir}/"),
            source: "image-sizes.md §2: a React app's vite build is 228 KB (measured); frontend dist 0.2–2 MB".into(),
        });
    }
}

fn node(program: &str, args: &[&str], cwd: &str, out: &mut Vec<Artifact>) {
    let words: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    let script = match words.as_slice() {
        ["run" | "run-script", script, ..] => Some(*script),
        ["build", ..] if program != "npm" => Some("build"),
        _ => None,
    };
    if let Some(script) = script {
        if script == "build" || script.starts_with("build:") {
            frontend(&format!("{program} run {script}"), cwd, out);
        }
        return;
    }
    let install = match (program, words.first().copied()) {
        ("npm", Some("ci" | "install" | "i")) => words.len() == 1,
        ("yarn", None | Some("install")) => true,
        ("pnpm", Some("install" | "i")) => words.len() == 1,
        _ => false,
    };
    if install && !args.iter().any(|a| matches!(*a, "-g" | "--global")) {
        let production = args.iter().any(|a| {
            matches!(
                *a,
                "--omit=dev" | "--production" | "--only=production" | "--prod" | "-P"
            )
        });
        out.push(Artifact {
            path: join(cwd, "node_modules"),
            unpacked: super::packages::node_project(production),
            known: Known::Heuristic,
            what: format!("{program} {}", words.join(" ")),
            source: super::packages::NODE_PROJECT_SOURCE.into(),
        });
    }
}

fn node_tool(tool: &str, args: &[&str], cwd: &str, out: &mut Vec<Artifact>) {
    match tool {
        "vite" | "react-scripts" | "ng" if args.first() == Some(&"build") => {
            let outdir = flag_value(args, &["--outDir", "--output-path"]);
            match outdir {
                Some(d) => out.push(Artifact {
                    path: normalise(d, cwd),
                    unpacked: mb(0.1, 1.0, 20.0),
                    known: Known::Table,
                    what: format!("{tool} build"),
                    source: "image-sizes.md §2: frontend dist 0.2–2 MB".into(),
                }),
                None => frontend(&format!("{tool} build"), cwd, out),
            }
        }
        "next" if args.first() == Some(&"build") => out.push(Artifact {
            path: join(cwd, ".next"),
            unpacked: mb(5.0, 50.0, 400.0),
            known: Known::Heuristic,
            what: "next build → .next/".into(),
            source: "rule of thumb: .next with its cache (estimate)".into(),
        }),
        "tsc" => {
            let dir = flag_value(args, &["--outDir"]).unwrap_or("dist");
            out.push(Artifact {
                path: normalise(dir, cwd),
                unpacked: mb(0.01, 0.5, 20.0),
                known: Known::Heuristic,
                what: "tsc".into(),
                source: "rule of thumb: compiled JavaScript (estimate)".into(),
            });
        }
        _ => {}
    }
}

fn dotnet(args: &[&str], cwd: &str, out: &mut Vec<Artifact>) {
    if args.first() != Some(&"publish") {
        return;
    }
    let self_contained = args
        .iter()
        .any(|a| a.starts_with("--self-contained") && !a.ends_with("false"))
        || args.contains(&"-p:PublishSingleFile=true");
    let dir = flag_value(args, &["-o", "--output"]).map(|o| normalise(o, cwd));
    let path = dir.unwrap_or_else(|| join(cwd, "bin/Release/*/publish"));
    out.push(Artifact {
        path,
        unpacked: if self_contained { mb(30.0, 70.0, 150.0) } else { mb(0.1, 5.0, 100.0) },
        known: Known::Heuristic,
        what: format!("dotnet publish{}", if self_contained { " --self-contained" } else { "" }),
        source: "rule of thumb: framework-dependent output is the app's DLLs; self-contained adds the ~70 MB runtime (estimate)".into(),
    });
}

fn pip(
    cmd: &Command,
    program: &str,
    args: &[&str],
    cwd: &str,
    venv: Option<&str>,
    out: &mut Vec<Artifact>,
) {
    if args.iter().find(|a| !a.starts_with('-')) != Some(&"install") {
        return;
    }
    let in_venv = cmd
        .words
        .first()
        .and_then(|w| w.rsplit_once("/bin/"))
        .map(|(dir, _)| normalise(dir, cwd));
    let dir = flag_value(args, &["--prefix", "--target", "-t", "--root"])
        .map(|d| normalise(d, cwd))
        .or(in_venv)
        .or_else(|| args.contains(&"--user").then(|| "/root/.local".to_string()));
    let Some(dir) = dir else {
        let _ = venv;
        return;
    };
    let unpacked: Bytes = run::pip_install(args)
        .into_iter()
        .map(|(_, b, _, _)| b)
        .sum();
    out.push(Artifact {
        path: dir,
        unpacked,
        known: Known::Heuristic,
        what: format!("{program} install into a directory"),
        source: "image-sizes.md §2 pip figures; rules of thumb for unknown requirements".into(),
    });
}

// ------------------------------------------------------------------- COPY

/// The part `COPY --from=stage <source_path>` takes, when the source names an
/// artifact: the exact path, a glob matching it (or matched by it), or a
/// directory holding artifacts. `None` when nothing matches, and for `/` (the
/// whole stage: the estimator sizes that).
pub fn artifact_for_copy(artifacts: &[Artifact], source_path: &str) -> Option<Part> {
    let source = normalise(source_path, "/");
    if source == "/" {
        return None;
    }
    let part = |a: &Artifact, what: String| Part {
        what,
        unpacked: a.unpacked,
        known: a.known,
        source: a.source.clone().into(),
    };
    // The same path, or globs that meet.
    if let Some(a) = artifacts
        .iter()
        .rev()
        .find(|a| a.path == source || glob_match(&a.path, &source) || glob_match(&source, &a.path))
    {
        return Some(part(a, format!("{} ({})", source, a.what)));
    }
    // A directory holding artifacts.
    let prefix = format!("{source}/");
    let inside: Vec<&Artifact> = artifacts
        .iter()
        .filter(|a| a.path.starts_with(&prefix))
        .collect();
    if !inside.is_empty() {
        let unpacked = inside.iter().map(|a| a.unpacked).sum();
        let known = inside
            .iter()
            .map(|a| a.known)
            .max()
            .unwrap_or(Known::Heuristic);
        let whats: Vec<&str> = inside.iter().map(|a| a.what.as_str()).collect();
        let sources: Vec<&str> = inside.iter().map(|a| a.source.as_str()).collect();
        return Some(Part {
            what: format!("{source}/ ({})", whats.join(", ")),
            unpacked,
            known,
            source: sources.join("; ").into(),
        });
    }
    // Inside an artifact directory (`COPY --from=b /app/dist/index.html`).
    if let Some(a) = artifacts.iter().rev().find(|a| {
        !a.path.contains('*')
            && source.starts_with(&format!("{}/", a.path))
            && !a.path.ends_with(UNKNOWN_NAME)
    }) {
        let mut p = part(a, format!("{source} (part of {})", a.what));
        p.unpacked = Bytes::range(0, a.unpacked.best / 2, a.unpacked.high);
        return Some(p);
    }
    // A binary whose name the build did not write (`go build` without -o).
    let parent = source
        .rsplit_once('/')
        .map(|(d, _)| if d.is_empty() { "/" } else { d })
        .unwrap_or("/");
    if let Some(a) = artifacts
        .iter()
        .rev()
        .find(|a| a.path == join(parent, UNKNOWN_NAME))
    {
        let mut p = part(a, format!("{source} (assumed: {})", a.what));
        p.known = p.known.max(Known::Heuristic);
        return Some(p);
    }
    None
}

/// `*` and `?` within one path segment; `**` anywhere.
fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') if p.get(1) == Some(&'*') => (0..=t.len()).any(|i| go(&p[2..], &t[i..])),
            Some('*') => {
                for i in 0..=t.len() {
                    if go(&p[1..], &t[i..]) {
                        return true;
                    }
                    if t.get(i) == Some(&'/') {
                        break;
                    }
                }
                false
            }
            Some('?') => t.first().is_some_and(|c| *c != '/') && go(&p[1..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    // Few stars keep the backtracking small whatever the Dockerfile says.
    let stars = pattern.matches('*').count();
    if !pattern.contains(['*', '?']) || stars > 6 || pattern.len() > 512 || text.len() > 4096 {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve() {
        assert_eq!(normalise("out/../bin/app", "/src"), "/src/bin/app");
        assert_eq!(normalise("/app/", "/src"), "/app");
        assert!(glob_match("/src/target/*.jar", "/src/target/app-1.0.jar"));
        assert!(!glob_match("/src/*", "/src/a/b"));
    }
}
