//! Size estimates over the wire: hovers on FROM lines and stage references,
//! inlay hints after FROM lines (and instructions), the build context
//! measured in the background and measured again when files change.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use support::*;

const TEXT: &str = "\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

FROM alpine:3.21
COPY --from=build /app /app
CMD [\"/app\"]
";

fn project(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!(
        "dockerfile-ls-lsp-size-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    std::fs::write(dir.join("Dockerfile"), TEXT).unwrap();
    let uri = format!("file://{}", dir.join("Dockerfile").display());
    (dir, uri)
}

fn capabilities() -> Value {
    json!({
        "textDocument": { "hover": { "contentFormat": ["markdown"] }, "inlayHint": {} },
        "workspace": { "inlayHint": { "refreshSupport": true } }
    })
}

fn hover_text(lsp: &mut Lsp, editor: &Editor, offset: usize) -> String {
    let hover = lsp.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": editor.uri }, "position": position(&editor.text, offset, editor.encoding) }),
    );
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn inlay_hints(lsp: &mut Lsp, editor: &Editor) -> Vec<Value> {
    let end = editor.text.len();
    let hints = lsp.call(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": editor.uri }, "range": range(&editor.text, 0..end, editor.encoding) }),
    );
    hints.as_array().cloned().unwrap_or_default()
}

/// Asks until the build context is measured (the first answers may say it
/// is being measured).
fn measured_hover(lsp: &mut Lsp, editor: &Editor, offset: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = hover_text(lsp, editor, offset);
        if !text.contains("measuring") || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn inlay_hints_are_advertised() {
    let (lsp, result) = Lsp::initialized(capabilities(), Value::Null);
    assert_eq!(
        result["capabilities"]["inlayHintProvider"], true,
        "{result}"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn a_from_hover_shows_the_base_the_breakdown_and_the_final_image() {
    let (_dir, uri) = project("from");
    let (mut lsp, _) = Lsp::initialized(capabilities(), Value::Null);
    let editor = Editor::open(&mut lsp, &uri, TEXT, Encoding::Utf16);
    let builder = measured_hover(&mut lsp, &editor, 1);
    assert!(builder.contains("**Size**"), "{builder}");
    assert!(builder.contains("Base `golang:1.22`"), "{builder}");
    assert!(
        builder.contains("to pull (compressed)") && builder.contains("on disk (unpacked)"),
        "{builder}"
    );
    assert!(
        builder.contains("| line | instruction | adds (on disk) | how known |"),
        "{builder}"
    );
    assert!(
        builder.contains("| 3 | COPY . from the context (2 files)"),
        "{builder}"
    );
    assert!(
        builder.contains("repo-info"),
        "the figure's source is linked: {builder}"
    );

    let runtime = measured_hover(&mut lsp, &editor, editor.offset_of("FROM alpine") + 1);
    assert!(runtime.contains("**Final image** (stage-1)"), "{runtime}");
    assert!(
        runtime.contains("Built but not shipped: `build`"),
        "{runtime}"
    );
    assert!(
        runtime.contains("go build -o /app"),
        "the artifact is named: {runtime}"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn a_stage_reference_hover_says_what_the_copy_takes() {
    let (_dir, uri) = project("ref");
    let (mut lsp, _) = Lsp::initialized(capabilities(), Value::Null);
    let editor = Editor::open(&mut lsp, &uri, TEXT, Encoding::Utf16);
    let at = editor.offset_of("--from=build") + "--from=".len() + 1;
    let text = measured_hover(&mut lsp, &editor, at);
    assert!(text.contains("**Size** — Stage `build`"), "{text}");
    assert!(text.contains("Line 7 takes"), "{text}");
    assert!(
        text.contains("Built for the final image but not shipped in it."),
        "{text}"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn inlay_hints_follow_the_setting() {
    let (_dir, uri) = project("inlay");
    let (mut lsp, _) = Lsp::initialized(
        capabilities(),
        json!({ "size": { "inlayHints": "instruction" } }),
    );
    let editor = Editor::open(&mut lsp, &uri, TEXT, Encoding::Utf16);
    let hints = inlay_hints(&mut lsp, &editor);
    let labels: Vec<(u64, String)> = hints
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["label"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    // after each FROM line (lines 0 and 5) and after the instructions that add
    for (line, prefix) in [(0, "≈ "), (5, "≈ "), (3, "+ "), (6, "+ ")] {
        assert!(
            labels
                .iter()
                .any(|(at, label)| *at == line && label.starts_with(prefix)),
            "no hint starting {prefix:?} on line {line}: {labels:?}"
        );
    }
    // at the end of the line
    let first = hints.iter().find(|h| h["position"]["line"] == 0).unwrap();
    assert_eq!(
        first["position"]["character"],
        "FROM golang:1.22 AS build".len()
    );
    assert!(lsp.shutdown().success());

    let (mut lsp, _) = Lsp::initialized(capabilities(), json!({ "size": { "inlayHints": "off" } }));
    let editor = Editor::open(&mut lsp, &uri, TEXT, Encoding::Utf16);
    assert!(inlay_hints(&mut lsp, &editor).is_empty());
    assert!(lsp.shutdown().success());
}

#[test]
fn a_changed_context_is_measured_again() {
    let (dir, uri) = project("watch");
    let (mut lsp, _) = Lsp::initialized(capabilities(), Value::Null);
    let editor = Editor::open(&mut lsp, &uri, TEXT, Encoding::Utf16);
    let before = measured_hover(&mut lsp, &editor, 1);
    assert!(before.contains("(2 files)"), "{before}");
    std::fs::write(dir.join("big.bin"), vec![0u8; 3_000_000]).unwrap();
    lsp.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", dir.join("big.bin").display()), "type": 1 }] }),
    );
    let after = measured_hover(&mut lsp, &editor, 1);
    assert!(
        after.contains("(3 files)") && after.contains("3.0 MB"),
        "{after}"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn an_unsaved_document_has_no_context_and_says_so() {
    let (mut lsp, _) = Lsp::initialized(capabilities(), Value::Null);
    let editor = Editor::open(&mut lsp, "untitled:Untitled-1", TEXT, Encoding::Utf16);
    let text = hover_text(&mut lsp, &editor, 1);
    assert!(text.contains("COPY . from the context"), "{text}");
    assert!(text.contains("unknown"), "{text}");
    assert!(lsp.shutdown().success());
}

#[test]
fn the_client_is_asked_to_refresh_hints_once_the_context_is_measured_and_to_watch_files() {
    let (_dir, uri) = project("refresh");
    let mut caps = capabilities();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let (mut lsp, _) = Lsp::initialized(caps, Value::Null);
    let editor = Editor::open(&mut lsp, &uri, TEXT, Encoding::Utf16);
    // the first hints start the measurement; the server then asks for new ones
    inlay_hints(&mut lsp, &editor);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !lsp
        .server_requests
        .iter()
        .any(|m| m == "workspace/inlayHint/refresh")
    {
        assert!(
            Instant::now() < deadline,
            "no refresh: {:?}",
            lsp.server_requests
        );
        // any round trip lets the test client answer what the server asked
        hover_text(&mut lsp, &editor, 1);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        lsp.server_requests
            .iter()
            .any(|m| m == "client/registerCapability"),
        "{:?}",
        lsp.server_requests
    );
    assert!(lsp.shutdown().success());
}
