//! `dockerfile-ls check`, run as a user runs it: the built binary, its
//! stdout, stderr and exit status.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_dockerfile-ls");

/// A folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "dockerfile-ls-cli-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// Writes `relative` (creating its folders) and returns its full path.
    fn file(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = Command::new(BIN);
    command
        .arg("check")
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().expect("the dockerfile-ls binary starts");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    let run = Run {
        status: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "dockerfile-ls panicked:\n{}",
        run.stderr
    );
    run
}

fn run(args: &[&str]) -> Run {
    run_in(None, args, None)
}

fn json(run: &Run) -> Vec<Value> {
    serde_json::from_str::<Value>(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
        .as_array()
        .expect("a JSON array")
        .clone()
}

fn files_in(diagnostics: &[Value]) -> Vec<String> {
    let mut files: Vec<String> = diagnostics
        .iter()
        .map(|d| d["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

const TYPO: &str = "\
FROM golang:1.22 AS builder
RUN go build -o /out/app .

FROM alpine
COPY --from=buidler /out/app /app
";

const CLEAN: &str = "\
FROM golang:1.22 AS builder
RUN go build -o /out/app .

FROM alpine
COPY --from=builder /out/app /app
";

const BROKEN: &str =
    "FROM alpine\nCOPY --from=later /a /b\nFROM alpine AS later\nCOPY --from=0 /a /b\n";

#[test]
fn text_blocks_carry_location_source_line_carets_and_notes() {
    let dir = TempDir::new("text");
    let file = dir.file("Dockerfile", TYPO);
    let path = file.to_str().unwrap();
    let out = run(&[path]);
    let expected = format!(
        "\
{path}:5:13: warning[unknown-stage]: unknown stage 'buidler': BuildKit will pull the image docker.io/library/buidler:latest — did you mean 'builder'?
 5 | COPY --from=buidler /out/app /app
   |             ^^^^^^^
   = note: {path}:1:21: stage 'builder' is defined here

0 errors, 1 warning in 1 file (1 hint not shown: --hints shows them)
"
    );
    assert_eq!(out.stdout, expected);
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
}

#[test]
fn carets_count_characters_on_a_non_ascii_line() {
    let text =
        "FROM golang AS builder\nFROM alpine\nCOPY --chown=jürgen:ünïcödé --from=buidler /a /b\n";
    let out = run_in(None, &["-"], Some(text.as_bytes()));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("<stdin>:3:36: warning[unknown-stage]"),
        "{}",
        out.stdout
    );
    assert_eq!(
        lines[1],
        " 3 | COPY --chown=jürgen:ünïcödé --from=buidler /a /b"
    );
    assert_eq!(lines[2], format!("   | {}^^^^^^^", " ".repeat(35)));
    // the carets sit under the name, counted in characters, not bytes
    let source = lines[1].chars().skip(5);
    let carets = lines[2].chars().skip(5);
    let underlined: String = source
        .zip(carets)
        .filter(|(_, c)| *c == '^')
        .map(|(s, _)| s)
        .collect();
    assert_eq!(underlined, "buidler");
}

#[test]
fn tabs_are_expanded_alike_in_the_line_and_under_it() {
    let text = "FROM golang AS builder\nFROM alpine\nCOPY\t--from=buidler /a /b\n";
    let out = run_in(None, &["-"], Some(text.as_bytes()));
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("<stdin>:3:13:"), "{}", out.stdout);
    assert_eq!(lines[1], " 3 | COPY    --from=buidler /a /b");
    assert_eq!(lines[2], format!("   | {}^^^^^^^", " ".repeat(15)));
}

#[test]
fn json_has_one_based_character_positions_and_optional_fields() {
    let text = "FROM golang as builder\nFROM alpine\nCOPY --chown=jürgen --from=buidler /a /b\n";
    let out = run_in(None, &["--format", "json", "-"], Some(text.as_bytes()));
    assert_eq!(out.status, 0, "{}", out.stderr);
    let all = json(&out);
    let find = |code: &str| {
        all.iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {all:?}"))
    };
    let typo = find("unknown-stage");
    assert_eq!(typo["file"], "<stdin>");
    assert_eq!(typo["line"], 3);
    assert_eq!(typo["column"], 28);
    assert_eq!(typo["end_line"], 3);
    assert_eq!(typo["end_column"], 35);
    assert_eq!(typo["severity"], "warning");
    assert!(typo["message"]
        .as_str()
        .unwrap()
        .contains("did you mean 'builder'?"));
    assert!(typo.get("url").is_none(), "no url: {typo}");
    let related = typo["related"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["file"], "<stdin>");
    assert_eq!(related[0]["line"], 1);
    assert_eq!(related[0]["column"], 16);
    assert_eq!(related[0]["end_column"], 23);
    assert_eq!(related[0]["message"], "stage 'builder' is defined here");

    let casing = find("FromAsCasing");
    assert_eq!(casing["severity"], "warning");
    assert_eq!(
        casing["url"],
        "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"
    );
    assert!(casing.get("related").is_none(), "no related: {casing}");

    // JSON is for machines: hints are included without --hints
    let unused = find("unused-stage");
    assert_eq!(unused["severity"], "hint");
    let keys: Vec<&String> = unused.as_object().unwrap().keys().collect();
    let mut expected = [
        "code",
        "column",
        "end_column",
        "end_line",
        "file",
        "line",
        "message",
        "severity",
    ];
    expected.sort();
    let mut keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, expected);
}

#[test]
fn json_of_a_clean_file_is_an_empty_array() {
    let out = run_in(None, &["--format=json", "-"], Some(CLEAN.as_bytes()));
    assert_eq!(out.status, 0);
    assert_eq!(out.stdout.trim(), "[]");
}

#[test]
fn exit_status_is_0_clean_1_errors_2_usage() {
    let dir = TempDir::new("status");
    let clean = dir.file("clean/Dockerfile", CLEAN);
    let broken = dir.file("broken/Dockerfile", BROKEN);
    let out = run(&[clean.to_str().unwrap()]);
    assert_eq!(out.status, 0, "{}", out.stdout);
    assert!(out.stdout.ends_with("0 errors, 0 warnings in 1 file\n"));

    let out = run(&[broken.to_str().unwrap()]);
    assert_eq!(out.status, 1, "{}", out.stdout);
    assert!(out.stdout.contains("error[stage-defined-later]"));
    assert!(out.stdout.ends_with("1 error, 0 warnings in 1 file\n"));

    for usage in [
        &["--frobnicate"][..],
        &["--format", "xml"],
        &["--format"],
        &["--deny", "everything"],
        &["--target"],
    ] {
        let out = run(usage);
        assert_eq!(out.status, 2, "{usage:?}");
        assert!(
            out.stderr.starts_with("dockerfile-ls check: "),
            "{usage:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{usage:?}");
    }
    let out = run(&["--frobnicate"]);
    assert!(out.stderr.contains("unknown option '--frobnicate'"));
}

#[test]
fn a_missing_path_is_exit_2_and_the_others_are_still_checked() {
    let dir = TempDir::new("missing");
    let broken = dir.file("Dockerfile", BROKEN);
    let missing = dir.path().join("no-such-Dockerfile");
    let out = run(&[missing.to_str().unwrap(), broken.to_str().unwrap()]);
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains(&format!(
            "cannot read '{}': No such file or directory",
            missing.display()
        )),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("error[stage-defined-later]"));
}

#[test]
fn an_unreadable_file_is_exit_2() {
    let dir = TempDir::new("unreadable");
    let file = dir.file("Dockerfile", CLEAN);
    let mut unreadable = file.clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
        // root reads anything: a file that fails on read stands in
        if std::fs::read(&file).is_ok() && Path::new("/proc/self/mem").exists() {
            unreadable = PathBuf::from("/proc/self/mem");
        }
    }
    if std::fs::read(&unreadable).is_ok() {
        eprintln!("skipped: no unreadable file on this system");
        return;
    }
    let out = run(&[unreadable.to_str().unwrap()]);
    assert_eq!(out.status, 2, "{}", out.stdout);
    assert!(
        out.stderr
            .contains(&format!("cannot read '{}'", unreadable.display())),
        "{}",
        out.stderr
    );
}

#[test]
fn deny_warnings_turns_warnings_into_a_failure() {
    let out = run_in(None, &["-"], Some(TYPO.as_bytes()));
    assert_eq!(out.status, 0);
    let out = run_in(None, &["--deny", "warnings", "-"], Some(TYPO.as_bytes()));
    assert_eq!(out.status, 1);
    assert!(out.stdout.contains("warning[unknown-stage]"));
    let out = run_in(None, &["--deny=warnings", "-"], Some(CLEAN.as_bytes()));
    assert_eq!(out.status, 0);
}

#[test]
fn build_contexts_are_not_unknown_stages() {
    let text =
        "FROM alpine AS assets\nFROM alpine\nCOPY --from=asset /a /b\nCOPY --from=tools /t /t\n";
    let out = run_in(None, &["--format", "json", "-"], Some(text.as_bytes()));
    let codes: Vec<Value> = json(&out).iter().map(|d| d["code"].clone()).collect();
    assert!(codes.contains(&"unknown-stage".into()), "{codes:?}");
    assert!(codes.contains(&"not-a-stage".into()), "{codes:?}");

    let out = run_in(
        None,
        &[
            "--format",
            "json",
            "--build-context",
            "asset=./assets",
            "--build-context=tools",
            "-",
        ],
        Some(text.as_bytes()),
    );
    let codes: Vec<Value> = json(&out).iter().map(|d| d["code"].clone()).collect();
    assert!(!codes.contains(&"unknown-stage".into()), "{codes:?}");
    assert!(!codes.contains(&"not-a-stage".into()), "{codes:?}");
}

#[test]
fn target_disable_and_severity_map_onto_the_settings() {
    let text = "FROM alpine AS base\nFROM base AS test\nFROM base AS release\nFROM alpine as x\n";
    let codes = |args: &[&str]| -> Vec<(String, String)> {
        let mut all = vec!["--format", "json"];
        all.extend(args);
        all.push("-");
        json(&run_in(None, &all, Some(text.as_bytes())))
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    format!("{}:{}", d["line"], d["severity"].as_str().unwrap()),
                )
            })
            .collect()
    };
    let unused = |list: &[(String, String)]| -> Vec<String> {
        list.iter()
            .filter(|(code, _)| code == "unused-stage")
            .map(|(_, at)| at.clone())
            .collect()
    };
    assert_eq!(unused(&codes(&[])), ["1:hint", "2:hint", "3:hint"]);
    assert_eq!(unused(&codes(&["--target", "test"])), ["3:hint", "4:hint"]);
    let disabled = codes(&["--disable", "unused-stage", "--disable=FromAsCasing"]);
    assert!(disabled.is_empty(), "{disabled:?}");
    let raised = codes(&[
        "--severity",
        "FromAsCasing=error",
        "--disable",
        "unused-stage",
    ]);
    assert_eq!(
        raised,
        [("FromAsCasing".to_string(), "4:error".to_string())]
    );
    let out = run_in(
        None,
        &["--severity", "FromAsCasing=error", "-"],
        Some(text.as_bytes()),
    );
    assert_eq!(out.status, 1);
}

#[test]
fn an_unknown_target_is_said_on_stderr() {
    let out = run_in(None, &["--target", "nope", "-"], Some(CLEAN.as_bytes()));
    assert_eq!(out.status, 0);
    assert!(
        out.stderr.contains("<stdin>: no stage named 'nope'"),
        "{}",
        out.stderr
    );
}

#[test]
fn hints_are_shown_in_text_only_with_the_hints_flag() {
    let text = "FROM alpine AS unused\nFROM alpine\n";
    let out = run_in(None, &["-"], Some(text.as_bytes()));
    assert!(!out.stdout.contains("hint["), "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "0 errors, 0 warnings in 1 file (1 hint not shown: --hints shows them)\n"
    );
    let out = run_in(None, &["--hints", "-"], Some(text.as_bytes()));
    assert!(
        out.stdout.starts_with(
            "<stdin>:1:1: hint[unused-stage]: stage 'unused' is not used by the final image\n"
        ),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("0 errors, 0 warnings in 1 file\n"));
    assert_eq!(out.status, 0);
}

#[test]
fn stdin_is_read_for_a_dash_and_named_stdin() {
    let out = run_in(None, &["-"], Some(BROKEN.as_bytes()));
    assert_eq!(out.status, 1);
    assert!(
        out.stdout
            .starts_with("<stdin>:2:13: error[stage-defined-later]"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("in 1 file\n"));
}

#[test]
fn folders_are_searched_for_dockerfile_names_and_skip_build_folders() {
    let dir = TempDir::new("discover");
    // every file holds an unused stage, so each one shows in JSON
    let content = "FROM alpine AS unused\nFROM alpine\n";
    for found in [
        "Dockerfile",
        "Containerfile",
        "app.Dockerfile",
        "app.dockerfile",
        "Dockerfile.dev",
        "Containerfile.arm64",
        "deep/er/Dockerfile",
    ] {
        dir.file(found, content);
    }
    for ignored in [
        "README.md",
        "Dockerfile.dockerignore",
        "dockerfile",
        "MyDockerfile",
        ".git/Dockerfile",
        "node_modules/pkg/Dockerfile",
        "target/Dockerfile",
        "deep/target/Dockerfile",
        "deep/node_modules/x.Dockerfile",
    ] {
        dir.file(ignored, content);
    }
    let root = dir.path().to_str().unwrap();
    let out = run(&["--format", "json", root]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let expected: Vec<String> = [
        "Containerfile",
        "Containerfile.arm64",
        "Dockerfile",
        "Dockerfile.dev",
        "app.Dockerfile",
        "app.dockerfile",
        "deep/er/Dockerfile",
    ]
    .iter()
    .map(|f| Path::new(root).join(f).display().to_string())
    .collect();
    assert_eq!(files_in(&json(&out)), expected);

    // without a path: the current folder, shown without `./`
    let out = run_in(Some(dir.path()), &["--format", "json"], None);
    assert_eq!(
        files_in(&json(&out)),
        [
            "Containerfile",
            "Containerfile.arm64",
            "Dockerfile",
            "Dockerfile.dev",
            "app.Dockerfile",
            "app.dockerfile",
            "deep/er/Dockerfile",
        ]
    );

    // a file named on the command line is checked whatever its name
    let named = dir.path().join("README.md");
    let out = run(&["--format", "json", named.to_str().unwrap()]);
    assert_eq!(files_in(&json(&out)), [named.display().to_string()]);
}

#[test]
fn an_empty_folder_warns_and_passes() {
    let dir = TempDir::new("empty");
    dir.file("README.md", "nothing here");
    let out = run(&[dir.path().to_str().unwrap()]);
    assert_eq!(out.status, 0);
    assert_eq!(out.stdout, "0 errors, 0 warnings in 0 files\n");
    assert!(out.stderr.contains("no Dockerfile found"), "{}", out.stderr);
}

#[test]
fn output_is_sorted_by_path_and_files_are_checked_once() {
    let dir = TempDir::new("sorted");
    let mut given = Vec::new();
    for name in ["c", "a", "b", "a"] {
        given.push(dir.file(&format!("{name}/Dockerfile"), BROKEN));
    }
    let args: Vec<&str> = given.iter().map(|p| p.to_str().unwrap()).collect();
    let out = run(&args);
    let locations: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains(": error["))
        .collect();
    let expected: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            format!(
                "{}:2:13: error[stage-defined-later]",
                dir.path().join(n).join("Dockerfile").display()
            )
        })
        .collect();
    assert_eq!(locations.len(), 3, "{}", out.stdout);
    for (line, prefix) in locations.iter().zip(&expected) {
        assert!(line.starts_with(prefix.as_str()), "{line}");
    }
    assert!(out.stdout.ends_with("3 errors, 0 warnings in 3 files\n"));
}

#[test]
fn invalid_utf8_is_analysed_lossily() {
    let mut bytes =
        b"\xef\xbb\xbfFROM alpine AS b\xffx\nFROM alpine\nCOPY --from=bx /a /b\n".to_vec();
    bytes.extend_from_slice(b"LABEL note=\"\xc3\x28\"\n");
    let out = run_in(None, &["--format", "json", "-"], Some(&bytes));
    assert!(out.status == 0 || out.status == 1, "{}", out.stderr);
    let all = json(&out);
    // the BOM takes no column; the replacement character takes one
    let invalid = all
        .iter()
        .find(|d| d["code"] == "invalid-stage-name")
        .unwrap_or_else(|| panic!("{all:?}"));
    assert_eq!(invalid["line"], 1);
    assert_eq!(invalid["column"], 16);
    assert_eq!(invalid["end_column"], 19);
    let out = run_in(None, &["-"], Some(&bytes));
    assert!(out.stdout.contains("b\u{fffd}x"), "{}", out.stdout);
}

#[test]
fn colors_only_when_asked_or_on_a_terminal() {
    let out = run_in(None, &["-"], Some(TYPO.as_bytes()));
    assert!(!out.stdout.contains('\x1b'), "piped output has no colors");
    let out = run_in(None, &["--color", "always", "-"], Some(TYPO.as_bytes()));
    assert!(out
        .stdout
        .contains("\x1b[1;33mwarning[unknown-stage]\x1b[0m"));
}

#[test]
fn help_explains_the_hints_decision() {
    let out = run(&["--help"]);
    assert_eq!(out.status, 0);
    assert!(out.stdout.contains("Usage:\n  dockerfile-ls check"));
    assert!(out.stdout.contains("--hints"));
    assert!(out.stdout.contains("JSON always includes every"));
}

fn corpus_root() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

/// Files of the corpus that BuildKit rejects on purpose, and why. Each must
/// still report an error, so the list cannot go stale.
const INVALID_ON_PURPOSE: &[(&str, &str)] = &[
    (
        "docker__compose/pkg__e2e__fixtures__wrong-composefile__service1__Dockerfile",
        "`WRONG DOCKERFILE`: a compose e2e fixture for a broken build",
    ),
    (
        "docker__docker-language-server/testdata__completion__Dockerfile",
        "a bare `FROM` and `FROM scratch AS ` (\"introduce a parsing error on purpose\") to test completion",
    ),
];

#[test]
fn corpus_reports_no_error_on_valid_files_and_never_panics() {
    let real = corpus_root().join("real");
    let mut files = Vec::new();
    let mut stack = vec![real.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read the corpus at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 300, "expected the 300 real Dockerfiles");
    let mut args = vec!["--format", "json"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = run(&args);
    assert!(out.status == 0 || out.status == 1, "{}", out.stderr);
    assert!(!out.stderr.contains("internal error"), "{}", out.stderr);
    let all = json(&out);

    let relative = |d: &Value| -> String {
        let file = Path::new(d["file"].as_str().unwrap());
        file.strip_prefix(&real)
            .unwrap_or(file)
            .display()
            .to_string()
    };
    let mut unexpected = Vec::new();
    let mut failing = Vec::new();
    for d in all.iter().filter(|d| d["severity"] == "error") {
        let file = relative(d);
        failing.push(file.clone());
        if !INVALID_ON_PURPOSE.iter().any(|(f, _)| *f == file) {
            unexpected.push(format!(
                "{file}:{}:{}: {}: {}",
                d["line"], d["column"], d["code"], d["message"]
            ));
        }
    }
    assert!(
        unexpected.is_empty(),
        "errors on files BuildKit accepts:\n{}",
        unexpected.join("\n")
    );
    for (file, why) in INVALID_ON_PURPOSE {
        assert!(
            failing.iter().any(|f| f == file),
            "{file} is invalid on purpose ({why}) but reports no error"
        );
    }
}

/// `dockerfile-ls syntax FILE | head` ends quietly: a reader that stops
/// early is its choice, not a crash.
#[test]
fn syntax_into_a_closed_pipe_ends_without_a_panic() {
    let dir = TempDir::new("syntax-pipe");
    let file = dir.0.join("Dockerfile");
    let text: String = (0..20_000).map(|i| format!("RUN echo {i}\n")).collect();
    std::fs::write(&file, format!("FROM alpine\n{text}")).unwrap();
    let mut child = Command::new(BIN)
        .arg("syntax")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the dockerfile-ls binary starts");
    let mut first = [0u8; 64];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert!(first.starts_with(b"(source_file"));
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
