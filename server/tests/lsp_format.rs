//! Formatting over the wire: `textDocument/formatting` and
//! `rangeFormatting` against the built binary, the edits applied the way an
//! editor applies them (LSP positions in the negotiated encoding), and the
//! `format.*` settings.

mod support;

use serde_json::{json, Value};

use support::*;

const SLOPPY: &str = "\
from alpine  as  base
LABEL note=\"日本語 🐳\"   
run apk add \\
curl \\
  git
copy  a  /b



";

const FORMATTED: &str = "\
FROM alpine AS base
LABEL note=\"日本語 🐳\"
RUN apk add \\
  curl \\
  git
COPY a  /b
";

/// The byte offset of an LSP position (lines end at LF, CRLF or CR).
fn offset(text: &str, position: &Value, encoding: Encoding) -> usize {
    let line = position["line"].as_u64().expect("a line") as usize;
    let character = position["character"].as_u64().expect("a character") as usize;
    let bytes = text.as_bytes();
    let mut start = 0;
    for _ in 0..line {
        let mut i = start;
        while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        start = (i + 1).min(bytes.len());
    }
    let mut at = start;
    let mut units = 0;
    for c in text[start..].chars() {
        if units >= character || c == '\n' || c == '\r' {
            break;
        }
        units += encoding.units(c.encode_utf8(&mut [0; 4]));
        at += c.len_utf8();
    }
    at
}

/// Applies LSP text edits as an editor does: all against the original text.
fn apply(text: &str, edits: &Value, encoding: Encoding) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .as_array()
        .expect("a list of edits")
        .iter()
        .map(|edit| {
            let start = offset(text, &edit["range"]["start"], encoding);
            let end = offset(text, &edit["range"]["end"], encoding);
            (
                start,
                end,
                edit["newText"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, *end));
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlapping edits: {edits}");
    }
    let mut out = text.to_string();
    for (start, end, new_text) in spans.into_iter().rev() {
        out.replace_range(start..end, &new_text);
    }
    out
}

fn options(tab_size: u32, insert_spaces: bool) -> Value {
    json!({ "tabSize": tab_size, "insertSpaces": insert_spaces })
}

#[test]
fn formatting_advertised_and_applied_in_each_encoding() {
    for (offered, encoding) in [
        (None, Encoding::Utf16),
        (Some(&["utf-8"][..]), Encoding::Utf8),
        (Some(&["utf-32"][..]), Encoding::Utf32),
    ] {
        let (mut lsp, result) = Lsp::initialized(capabilities(offered), Value::Null);
        let caps = &result["capabilities"];
        assert_eq!(caps["documentFormattingProvider"], true);
        assert_eq!(caps["documentRangeFormattingProvider"], true);
        let uri = "file:///project/Dockerfile";
        lsp.open(uri, SLOPPY, 1);
        let edits = lsp.call(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": options(4, true) }),
        );
        assert!(edits.as_array().is_some_and(|e| e.len() > 3), "{edits}");
        assert_eq!(apply(SLOPPY, &edits, encoding), FORMATTED, "{encoding:?}");

        // once formatted, nothing more to do
        lsp.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": FORMATTED }],
            }),
        );
        let again = lsp.call(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": options(4, true) }),
        );
        assert_eq!(again, json!([]));
        assert!(lsp.shutdown().success());
    }
}

#[test]
fn tabs_when_the_editor_inserts_tabs() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/tabs.Dockerfile";
    let text = "FROM alpine\nRUN apk add \\\ncurl \\\ngit\n";
    lsp.open(uri, text, 1);
    let edits = lsp.call(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": options(8, false) }),
    );
    assert_eq!(
        apply(text, &edits, Encoding::Utf16),
        "FROM alpine\nRUN apk add \\\n\tcurl \\\n\tgit\n"
    );
    let edits = lsp.call(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": options(2, true) }),
    );
    assert_eq!(
        apply(text, &edits, Encoding::Utf16),
        "FROM alpine\nRUN apk add \\\n  curl \\\n  git\n"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn range_formatting_stays_in_its_lines() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/range.Dockerfile";
    lsp.open(uri, SLOPPY, 1);
    // the RUN instruction's lines only
    let start = SLOPPY.find("run").unwrap();
    let end = SLOPPY.find("  git").unwrap() + 3;
    let edits = lsp.call(
        "textDocument/rangeFormatting",
        json!({
            "textDocument": { "uri": uri },
            "range": range(SLOPPY, start..end, Encoding::Utf16),
            "options": options(4, true),
        }),
    );
    let expected = SLOPPY.replace("run apk add \\\ncurl", "RUN apk add \\\n  curl");
    assert_eq!(apply(SLOPPY, &edits, Encoding::Utf16), expected);
    assert!(lsp.shutdown().success());
}

#[test]
fn settings_switch_formatting_and_its_parts_off() {
    let (mut lsp, _) = Lsp::initialized(
        capabilities(None),
        json!({ "dockerfile-ls": { "format": { "enable": false } } }),
    );
    let uri = "file:///project/off.Dockerfile";
    lsp.open(uri, SLOPPY, 1);
    let request = json!({ "textDocument": { "uri": uri }, "options": options(4, true) });
    assert_eq!(
        lsp.call("textDocument/formatting", request.clone()),
        Value::Null
    );

    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "dockerfile-ls": {
            "format.uppercaseKeywords": false,
            "format.indentContinuations": false,
        } } }),
    );
    let edits = lsp.call("textDocument/formatting", request);
    let formatted = apply(SLOPPY, &edits, Encoding::Utf16);
    assert_eq!(
        formatted,
        "from alpine as base\nLABEL note=\"日本語 🐳\"\nrun apk add \\\ncurl \\\n  git\ncopy a  /b\n"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn formatting_an_unknown_document_answers_null() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let result = lsp.call(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": "file:///nowhere/Dockerfile" }, "options": options(4, true) }),
    );
    assert_eq!(result, Value::Null);
    assert!(lsp.shutdown().success());
}
