//! Code actions over the wire: the built binary, JSON-RPC over stdio.

mod support;

use serde_json::{json, Value};
use support::{Editor, Encoding, Lsp};

const GO: &str = "FROM golang:1.22
WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# build the server
RUN go build -o server ./cmd/server
EXPOSE 8080
CMD [\"./server\"]
";

fn capabilities(resolve: bool) -> Value {
    let mut code_action = json!({
        "codeActionLiteralSupport": { "codeActionKind": { "valueSet": [
            "quickfix", "refactor", "refactor.rewrite", "refactor.extract"
        ] } },
        "isPreferredSupport": true,
    });
    if resolve {
        code_action["dataSupport"] = json!(true);
        code_action["resolveSupport"] = json!({ "properties": ["edit"] });
    }
    json!({ "textDocument": { "codeAction": code_action } })
}

/// The byte offset of an LSP position (UTF-16).
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies a WorkspaceEdit (either shape) for `uri` to `text`.
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let edits: Vec<Value> = if let Some(changes) = edit["changes"][uri].as_array() {
        changes.clone()
    } else {
        let changes = edit["documentChanges"].as_array().expect("some edits");
        changes
            .iter()
            .filter(|c| c["textDocument"]["uri"] == uri)
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, &new_text);
    }
    out
}

fn expected_go() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/actions/split-go-seed.expected.Dockerfile"),
    )
    .unwrap()
}

fn code_actions(
    lsp: &mut Lsp,
    editor: &Editor,
    span: std::ops::Range<usize>,
    only: Option<&[&str]>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": [] });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let result = lsp.call(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": editor.uri },
            "range": editor.range(span),
            "context": context,
        }),
    );
    result.as_array().cloned().unwrap_or_default()
}

#[test]
fn the_split_is_offered_resolved_and_applied() {
    let (mut lsp, init) = Lsp::initialized(capabilities(true), Value::Null);
    let provider = &init["capabilities"]["codeActionProvider"];
    assert_eq!(provider["resolveProvider"], json!(true), "{provider}");
    for kind in ["quickfix", "refactor.rewrite", "refactor.extract"] {
        assert!(
            provider["codeActionKinds"]
                .as_array()
                .unwrap()
                .contains(&json!(kind)),
            "{provider}"
        );
    }
    let uri = "file:///nonexistent/go/Dockerfile";
    let editor = Editor::open(&mut lsp, uri, GO, Encoding::Utf16);
    let at = editor.span_of("go build");
    let actions = code_actions(&mut lsp, &editor, at.start..at.start, Some(&["refactor"]));
    let split = actions
        .iter()
        .find(|a| {
            a["title"].as_str().is_some_and(|t| {
                t.starts_with("Split into build and runtime stages") && !t.contains("runtime on")
            })
        })
        .unwrap_or_else(|| panic!("no split in {actions:#?}"))
        .clone();
    // the real estimate, from the built-in catalog: golang:1.22 → alpine
    let title = split["title"].as_str().unwrap();
    let sizes = title
        .strip_prefix("Split into build and runtime stages (")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no sizes in {title:?}"));
    let megabytes = |figure: &str| -> f64 {
        let figure = figure.trim().trim_start_matches('≈').trim();
        let (number, unit) = figure
            .split_once(' ')
            .unwrap_or_else(|| panic!("{title:?}"));
        let number: f64 = number.parse().unwrap_or_else(|_| panic!("{title:?}"));
        match unit {
            "GB" => number * 1000.0,
            "MB" => number,
            _ => panic!("{title:?}"),
        }
    };
    let (before, after) = sizes.split_once('→').unwrap_or_else(|| panic!("{title:?}"));
    assert!(
        megabytes(before) >= 500.0 && megabytes(after) <= 30.0,
        "{title:?}"
    );
    assert_eq!(split["kind"], "refactor.rewrite");
    assert!(
        split.get("edit").is_none(),
        "the edit waits for resolve: {split}"
    );
    assert_eq!(split["data"]["id"], "split.go.alpine");
    let alternatives: Vec<&str> = actions
        .iter()
        .filter_map(|a| a["title"].as_str())
        .filter(|t| t.contains("runtime on"))
        .collect();
    assert_eq!(alternatives.len(), 2, "{alternatives:?}");

    let resolved = lsp.call("codeAction/resolve", split);
    let after = apply(GO, &resolved["edit"], uri);
    assert_eq!(after, expected_go());

    // quick fixes only: no split
    let fixes = code_actions(&mut lsp, &editor, at.start..at.start, Some(&["quickfix"]));
    assert!(fixes.iter().all(|a| a["kind"] == "quickfix"), "{fixes:?}");
    lsp.shutdown();
}

#[test]
fn a_stale_resolve_is_refused_as_content_modified() {
    let (mut lsp, _) = Lsp::initialized(capabilities(true), Value::Null);
    let uri = "file:///nonexistent/stale/Dockerfile";
    let mut editor = Editor::open(&mut lsp, uri, GO, Encoding::Utf16);
    let actions = code_actions(&mut lsp, &editor, 0..0, None);
    let split = actions
        .iter()
        .find(|a| a["data"]["id"] == "split.go.alpine")
        .expect("the split")
        .clone();
    let end = editor.text.len();
    editor.edit(&mut lsp, end..end, "LABEL a=b\n");
    let response = lsp.request("codeAction/resolve", split);
    assert_eq!(response["error"]["code"], json!(-32801), "{response}");
    lsp.shutdown();
}

#[test]
fn clients_without_resolve_get_edits_inline_and_quick_fixes_are_preferred() {
    let (mut lsp, _) = Lsp::initialized(capabilities(false), Value::Null);
    let uri = "file:///nonexistent/inline/Dockerfile";
    let editor = Editor::open(&mut lsp, uri, GO, Encoding::Utf16);
    let actions = code_actions(&mut lsp, &editor, 0..0, None);
    let split = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Split into build and runtime stages (≈"))
        })
        .expect("the split");
    assert_eq!(apply(GO, &split["edit"], uri), expected_go());

    let text = "FROM golang:1.22 AS builder\nFROM alpine\nCOPY --from=buidler /src/app /app\n";
    let typo = Editor::open(
        &mut lsp,
        "file:///nonexistent/typo/Dockerfile",
        text,
        Encoding::Utf16,
    );
    let at = typo.span_of("buidler");
    let fixes = code_actions(&mut lsp, &typo, at.clone(), None);
    let fix = fixes
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .unwrap_or_else(|| panic!("no quick fix in {fixes:#?}"));
    assert_eq!(fix["title"], "Change to 'builder'");
    assert_eq!(fix["isPreferred"], json!(true));
    assert_eq!(fix["diagnostics"][0]["code"], "unknown-stage");
    assert_eq!(
        apply(text, &fix["edit"], &typo.uri),
        text.replace("buidler", "builder")
    );
    lsp.shutdown();
}
