//! Hover and signature help over the wire: the built binary, spoken to as
//! an editor would, in markdown and in plain text, with UTF-16 positions.

mod support;

use serde_json::{json, Value};

use support::*;

/// A non-ASCII line before the interesting ones, so UTF-16 columns and
/// byte offsets differ.
const TEXT: &str = "\
ARG GREETING=\"héllo wörld 👋\"
FROM golang:1.22 AS build
RUN go build -o /app
FROM alpine
LABEL msg=\"👋\" greeting=$GREETING
COPY --from=build /app /app
";

fn client_capabilities(markdown: bool) -> Value {
    let format = if markdown {
        json!(["markdown", "plaintext"])
    } else {
        json!(["plaintext"])
    };
    json!({
        "textDocument": {
            "hover": { "contentFormat": format },
            "signatureHelp": {
                "signatureInformation": {
                    "documentationFormat": format,
                    "parameterInformation": { "labelOffsetSupport": markdown },
                },
            },
        }
    })
}

fn position_params(editor: &Editor, offset: usize) -> Value {
    json!({
        "textDocument": { "uri": editor.uri },
        "position": position(&editor.text, offset, editor.encoding),
    })
}

#[test]
fn hover_and_signature_help_are_advertised() {
    let (lsp, result) = Lsp::initialized(client_capabilities(true), Value::Null);
    let caps = &result["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    let triggers = caps["signatureHelpProvider"]["triggerCharacters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(triggers.contains(&json!(" ")), "{caps}");
    assert!(lsp.shutdown().success());
}

#[test]
fn markdown_hover_on_a_stage_reference() {
    let (mut lsp, _) = Lsp::initialized(client_capabilities(true), Value::Null);
    let editor = Editor::open(&mut lsp, "file:///w/Dockerfile", TEXT, Encoding::Utf16);
    let span = {
        let start = editor.offset_of("--from=build") + "--from=".len();
        start..start + "build".len()
    };
    let hover = lsp.call(
        "textDocument/hover",
        position_params(&editor, span.start + 2),
    );
    assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("**Stage `build`** (stage 0, line 2)"),
        "{value}"
    );
    assert!(value.contains("`COPY --from=build` on line 6"), "{value}");
    assert_eq!(hover["range"], editor.range(span));
    assert!(lsp.shutdown().success());
}

#[test]
fn variable_hover_uses_utf16_positions() {
    let (mut lsp, _) = Lsp::initialized(client_capabilities(true), Value::Null);
    let editor = Editor::open(&mut lsp, "file:///w/Dockerfile", TEXT, Encoding::Utf16);
    // after the emoji on the same line, so a byte column would miss it
    let start = editor.offset_of("$GREETING") + 1;
    let span = start..start + "GREETING".len();
    let hover = lsp.call("textDocument/hover", position_params(&editor, start + 3));
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("**`GREETING`**"), "{value}");
    assert_eq!(hover["range"], editor.range(span));
    // plain text has nothing to say
    let plain = editor.offset_of("go build") + 4;
    let nothing = lsp.call("textDocument/hover", position_params(&editor, plain));
    assert_eq!(nothing, Value::Null);
    assert!(lsp.shutdown().success());
}

#[test]
fn plain_text_clients_get_plain_text() {
    let (mut lsp, _) = Lsp::initialized(client_capabilities(false), Value::Null);
    let editor = Editor::open(&mut lsp, "file:///w/Dockerfile", TEXT, Encoding::Utf16);
    let hover = lsp.call(
        "textDocument/hover",
        position_params(&editor, editor.offset_of("COPY") + 1),
    );
    assert_eq!(hover["contents"]["kind"], "plaintext", "{hover}");
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.starts_with("COPY: "), "{value}");
    assert!(!value.contains("**") && !value.contains('`'), "{value}");
    // signature parameters as label text when offsets are not supported
    let text_end = editor.offset_of("/app /app") + "/app ".len();
    let help = lsp.call(
        "textDocument/signatureHelp",
        position_params(&editor, text_end),
    );
    let active = help["activeSignature"].as_u64().unwrap_or_default() as usize;
    let signature = &help["signatures"][active];
    let parameter = help["activeParameter"].as_u64().unwrap_or_default() as usize;
    assert_eq!(signature["parameters"][parameter]["label"], "<dest>");
    assert_eq!(signature["documentation"]["kind"], "plaintext");
    assert!(lsp.shutdown().success());
}

#[test]
fn signature_help_with_label_offsets() {
    let (mut lsp, _) = Lsp::initialized(client_capabilities(true), Value::Null);
    let mut editor = Editor::open(&mut lsp, "file:///w/Dockerfile", TEXT, Encoding::Utf16);
    // type a new instruction at the end, as an editor would
    let end = editor.text.len();
    editor.edit(
        &mut lsp,
        end..end,
        "RUN --mount=type=cache,target=/root/.cache ",
    );
    let _ = editor.diagnostics(&mut lsp);
    let help = lsp.call(
        "textDocument/signatureHelp",
        position_params(&editor, editor.text.len()),
    );
    let active = help["activeSignature"].as_u64().unwrap_or(99) as usize;
    let signature = &help["signatures"][active];
    let label = signature["label"].as_str().unwrap_or_default();
    assert_eq!(label, "RUN [flags] <command>", "{help}");
    let parameter = help["activeParameter"].as_u64().unwrap_or(99) as usize;
    let offsets = &signature["parameters"][parameter]["label"];
    let (start, end) = (
        offsets[0].as_u64().unwrap_or_default() as usize,
        offsets[1].as_u64().unwrap_or_default() as usize,
    );
    assert_eq!(&label[start..end], "<command>");
    assert_eq!(signature["documentation"]["kind"], "markdown");
    // on a keyword there is nothing to help with
    let position = json!({ "line": 0, "character": 0 });
    let none = lsp.call(
        "textDocument/signatureHelp",
        json!({ "textDocument": { "uri": editor.uri }, "position": position }),
    );
    assert_eq!(none, Value::Null);
    assert!(lsp.shutdown().success());
}
