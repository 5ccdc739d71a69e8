//! Completion over the wire: the built server, as an editor asks for it.

mod support;

use serde_json::{json, Value};

use support::*;

const TEXT: &str = "\
FROM golang:1.22 AS build
ENV GOFLAGS=-trimpath
FROM alpine
ARG TARGETARCH
RUN echo 🐳 $TA
COPY --from=
R
";

fn completion_capabilities(snippets: bool) -> Value {
    let mut caps = capabilities(None);
    caps["textDocument"]["completion"] = json!({
        "completionItem": {
            "snippetSupport": snippets,
            "documentationFormat": ["markdown", "plaintext"],
            "tagSupport": { "valueSet": [1] },
        }
    });
    caps
}

fn complete(lsp: &mut Lsp, editor: &Editor, offset: usize) -> Vec<Value> {
    let result = lsp.call(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": editor.uri },
            "position": position(&editor.text, offset, editor.encoding),
            "context": { "triggerKind": 1 },
        }),
    );
    assert_eq!(result["isIncomplete"], false, "{result}");
    result["items"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no {label} in {items:?}"))
}

#[test]
fn completion_is_advertised_with_its_trigger_characters() {
    let (lsp, result) = Lsp::initialized(completion_capabilities(true), Value::Null);
    let provider = &result["capabilities"]["completionProvider"];
    let triggers: Vec<&str> = provider["triggerCharacters"]
        .as_array()
        .expect("trigger characters")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for trigger in ["-", "=", "$", "{", ",", ":", " "] {
        assert!(triggers.contains(&trigger), "{trigger:?} in {triggers:?}");
    }
    assert!(lsp.shutdown().success());
}

#[test]
fn items_replace_the_word_being_typed_in_the_clients_encoding() {
    let (mut lsp, _) = Lsp::initialized(completion_capabilities(true), Value::Null);
    let editor = Editor::open(
        &mut lsp,
        "file:///project/Dockerfile",
        TEXT,
        Encoding::Utf16,
    );

    // a variable after an emoji: two UTF-16 units before it
    let typed = editor.span_of("$TA");
    let items = complete(&mut lsp, &editor, typed.end);
    let arch = find(&items, "TARGETARCH");
    assert_eq!(arch["kind"], 6, "a variable");
    assert_eq!(
        arch["textEdit"]["range"],
        editor.range(typed.start + 1..typed.end)
    );
    assert_eq!(arch["textEdit"]["newText"], "TARGETARCH");
    assert!(items.iter().all(|i| i["label"] != "GOFLAGS"), "{items:?}");

    // stages: only the earlier one, with its base image
    let from = editor.span_of("--from=");
    let items = complete(&mut lsp, &editor, from.end);
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, ["build"]);
    assert_eq!(items[0]["detail"], "golang:1.22");
    assert_eq!(items[0]["documentation"]["kind"], "markdown");

    // keywords as snippets, sorted as the server ordered them
    let r = editor.offset_of("\nR\n") + 1;
    let items = complete(&mut lsp, &editor, r + 1);
    let run = find(&items, "RUN");
    assert_eq!(run["insertTextFormat"], 2, "a snippet");
    assert_eq!(run["textEdit"]["newText"], "RUN ${1:command}");
    assert_eq!(run["textEdit"]["range"], editor.range(r..r + 1));
    let maintainer = find(&items, "MAINTAINER");
    assert_eq!(maintainer["tags"], json!([1]), "deprecated");
    let mut sorted: Vec<&str> = items
        .iter()
        .filter_map(|i| i["sortText"].as_str())
        .collect();
    let order = sorted.clone();
    sorted.sort();
    assert_eq!(sorted, order);
    assert!(lsp.shutdown().success());
}

#[test]
fn clients_without_snippets_get_plain_text() {
    let (mut lsp, _) = Lsp::initialized(completion_capabilities(false), Value::Null);
    let editor = Editor::open(
        &mut lsp,
        "file:///project/plain.Dockerfile",
        "FROM alpine\nRUN --",
        Encoding::Utf16,
    );
    let items = complete(&mut lsp, &editor, editor.text.len());
    let network = find(&items, "--network");
    assert_eq!(network["insertTextFormat"], 1, "plain text");
    assert_eq!(network["textEdit"]["newText"], "--network=");
    assert_eq!(
        network["textEdit"]["range"],
        editor.range(editor.text.len() - 2..editor.text.len())
    );
    assert!(network["documentation"]["value"]
        .as_str()
        .unwrap_or_default()
        .contains("1.3"));

    // an unknown document: no items, no error
    let result = lsp.call(
        "textDocument/completion",
        json!({
            "textDocument": { "uri": "file:///elsewhere/Dockerfile" },
            "position": { "line": 0, "character": 0 },
        }),
    );
    assert_eq!(result, Value::Null);
    assert!(lsp.shutdown().success());
}
