//! Safety, end to end: with the default settings the server opens no
//! socket and starts no process, whatever the Dockerfile says (`RUN`,
//! `CMD`, `HEALTHCHECK`, `ADD <url>`, `# syntax=` directives, heredocs that
//! are scripts, images on registries).
//!
//! A watcher thread samples the server's `/proc/<pid>/fd` (a socket shows
//! as `socket:[inode]`; inet ones are also listed, by inode, in
//! `/proc/<pid>/net/tcp*` and `udp*`) and `/proc/<pid>/task/*/children`
//! every millisecond for the whole session. Linux only.
//!
//! (That the build-context walk stays inside the context and is bounded is
//! tested with the walk, in `src/size/context.rs`.)

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;

use support::*;

/// What the watcher saw of a process.
#[derive(Default, Debug)]
struct Seen {
    /// fd link targets that are sockets, with where they were found.
    sockets: BTreeSet<String>,
    children: BTreeSet<String>,
    samples: usize,
}

fn socket_inodes(pid: u32) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|target| target.to_string_lossy().into_owned())
        .filter(|target| target.starts_with("socket:"))
        .collect()
}

/// The inet tables of the process's network namespace, by inode.
fn inet_kind(pid: u32, socket: &str) -> Option<&'static str> {
    let inode = socket.trim_start_matches("socket:[").trim_end_matches(']');
    for table in ["tcp", "tcp6", "udp", "udp6", "raw", "raw6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        // the inode is the tenth column
        if text
            .lines()
            .skip(1)
            .any(|line| line.split_whitespace().nth(9) == Some(inode))
        {
            return Some(table);
        }
    }
    None
}

fn children(pid: u32) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

struct Watcher {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Watcher {
    fn start(pid: u32) -> Watcher {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let thread = {
            let (stop, seen) = (stop.clone(), seen.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let sockets = socket_inodes(pid);
                    let kids = children(pid);
                    let mut seen = seen.lock().unwrap();
                    for socket in sockets {
                        let kind = inet_kind(pid, &socket).unwrap_or("not inet");
                        seen.sockets.insert(format!("{socket} ({kind})"));
                    }
                    for kid in kids {
                        let command = std::fs::read(format!("/proc/{kid}/cmdline"))
                            .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                            .unwrap_or_default();
                        seen.children.insert(format!("{kid}: {command}"));
                    }
                    seen.samples += 1;
                    drop(seen);
                    thread::sleep(Duration::from_millis(1));
                }
            })
        };
        Watcher {
            stop,
            seen,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Seen {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// A scratch build context: a Dockerfile's folder with files to measure.
fn scratch_context(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dockerfile-ls-safety-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.go"), "package main\n".repeat(100)).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/app\n").unwrap();
    std::fs::write(dir.join(".dockerignore"), "*.tmp\n").unwrap();
    dir
}

/// Every command the Dockerfile below would run creates this file.
fn marker(dir: &Path) -> PathBuf {
    dir.join("pwned")
}

fn hostile_dockerfile(dir: &Path) -> String {
    let marker = marker(dir).display().to_string();
    format!(
        "\
# syntax=docker/dockerfile:1
# check=error=true
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM golang:1.22 AS builder
WORKDIR /src
COPY go.mod ./
COPY . .
RUN touch {marker} && curl -fsSL https://example.com/install.sh | sh
RUN --mount=type=cache,target=/root/.cache \\
    --mount=type=secret,id=token \\
    go build -o /out/app ./src
RUN <<EOF
touch {marker}
wget http://example.com/
EOF
ADD https://example.com/archive.tar.gz /opt/
ADD git@github.com:moby/buildkit.git /buildkit
FROM ${{BASE}} AS runtime
COPY --from=builder /out/app /app
COPY --from=docker.io/library/busybox:latest /bin/busybox /busybox
HEALTHCHECK CMD touch {marker}
ENTRYPOINT [\"/bin/sh\", \"-c\", \"touch {marker}\"]
CMD touch {marker}
ONBUILD RUN touch {marker}
"
    )
}

#[test]
fn the_watcher_sees_sockets_and_children() {
    // the detection itself, on this test process: a loopback listener is a
    // socket in the tcp table; a child shows in the children lists
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let me = std::process::id();
    let sockets = socket_inodes(me);
    assert!(
        sockets.iter().any(|s| inet_kind(me, s) == Some("tcp")),
        "{sockets:?}"
    );
    drop(listener);
    let mut child = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    assert!(
        children(me).contains(&child.id().to_string()),
        "{:?}",
        children(me)
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_session_with_default_settings_opens_no_socket_and_runs_nothing() {
    let dir = scratch_context("defaults");
    let dockerfile = dir.join("Dockerfile");
    let text = hostile_dockerfile(&dir);
    std::fs::write(&dockerfile, &text).unwrap();
    let uri = format!("file://{}", dockerfile.display());
    let root = format!("file://{}", dir.display());

    let mut lsp = Lsp::start();
    let pid = lsp.child.id();
    let watcher = Watcher::start(pid);
    let mut caps = capabilities(None);
    caps["workspace"] =
        json!({ "configuration": true, "didChangeWatchedFiles": { "dynamicRegistration": true } });
    caps["textDocument"]["inlayHint"] = json!({});
    lsp.call(
        "initialize",
        json!({ "processId": std::process::id(), "rootUri": root,
                "workspaceFolders": [{ "uri": root, "name": "ctx" }], "capabilities": caps }),
    );
    lsp.notify("initialized", json!({}));
    let editor = Editor::open(&mut lsp, &uri, &text, Encoding::Utf16);
    lsp.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );

    // every request everywhere that matters: each line's start, middle, end
    let mut asked = 0;
    for (line, content) in text.lines().enumerate() {
        for character in [0, content.len() / 2, content.len()] {
            let at = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
            for method in [
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
                "textDocument/signatureHelp",
                "textDocument/documentHighlight",
            ] {
                let response = lsp.request(method, at.clone());
                assert!(response.get("error").is_none(), "{method}: {response}");
                asked += 1;
            }
        }
    }
    let doc = json!({ "textDocument": { "uri": uri } });
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 40, "character": 0 } });
    for (method, params) in [
        ("textDocument/documentSymbol", doc.clone()),
        ("textDocument/codeLens", doc.clone()),
        ("textDocument/documentLink", doc.clone()),
        ("textDocument/semanticTokens/full", doc.clone()),
        ("textDocument/diagnostic", doc.clone()),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": uri }, "range": whole }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": whole, "context": { "diagnostics": [] } }),
        ),
        (
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
        ),
    ] {
        let response = lsp.request(method, params);
        assert_ne!(response["error"]["code"], -32603, "{method}: {response}");
    }
    // an edit, and the context changing on disk
    let mut editor = editor;
    let end = editor.text.len();
    editor.edit(&mut lsp, end..end, "RUN touch /again\n");
    std::fs::write(dir.join("src/new.go"), "package main\n").unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("{root}/src/new.go"), "type": 1 }] }),
    );
    lsp.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": 40 } }),
    );
    thread::sleep(Duration::from_millis(300)); // background work, if any

    let seen = watcher.finish();
    assert!(lsp.shutdown().success());
    eprintln!("{asked} requests, {} samples", seen.samples);
    assert!(seen.samples > 10, "the watcher hardly ran: {seen:?}");
    assert!(
        seen.sockets.is_empty(),
        "the server opened sockets: {:?}",
        seen.sockets
    );
    assert!(
        seen.children.is_empty(),
        "the server started processes: {:?}",
        seen.children
    );
    assert!(!marker(&dir).exists(), "a command from the Dockerfile ran");
    let _ = std::fs::remove_dir_all(&dir);
}
