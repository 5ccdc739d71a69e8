//! End-to-end tests: the built `dockerfile-ls` binary, spoken to over stdio
//! with Content-Length framed JSON-RPC, the way an editor does.
//!
//! The test keeps its own copy of each document (an "editor") and computes
//! every edit's LSP range from that copy in the negotiated encoding. After a
//! series of edits the server's diagnostics and outline must equal those of
//! a fresh didOpen of the editor's text: if the server's rope had drifted
//! from the client's text by a single byte, a stage name or an instruction
//! detail would differ.
//!
//! Set `DOCKERFILE_LS_E2E_STDERR=1` to see the server's stderr.

mod support;

use serde_json::{json, Value};
use std::time::Instant;

use support::*;

const TYPO: &str = "\
FROM golang:1.22 AS builder
FROM alpine
COPY --from=buidler /src/app /app
";

// ---------------------------------------------------------------------------
// tests

#[test]
fn initialize_advertises_what_is_implemented() {
    let mut lsp = Lsp::start_with(&["--stdio"]);
    let result = lsp.call(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities(None) }),
    );
    lsp.notify("initialized", json!({}));
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["diagnosticProvider"]["interFileDependencies"], false);
    for provider in [
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
    ] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert!(
        caps["completionProvider"]["triggerCharacters"].is_array(),
        "{caps}"
    );
    assert_eq!(
        caps["codeActionProvider"]["resolveProvider"], true,
        "{caps}"
    );
    assert_eq!(result["serverInfo"]["name"], "dockerfile-ls");
    assert!(lsp.shutdown().success());
}

#[test]
fn did_open_pushes_the_unknown_stage_warning() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/Dockerfile";
    lsp.open(uri, TYPO, 7);
    let diagnostics = lsp.diagnostics(uri, Some(7));
    let unknown = with_code(&diagnostics, "unknown-stage");
    assert_eq!(unknown.len(), 1, "{diagnostics:?}");
    let d = unknown[0];
    assert_eq!(
        d["range"],
        json!({ "start": { "line": 2, "character": 12 }, "end": { "line": 2, "character": 19 } })
    );
    assert_eq!(d["severity"], 2, "a warning");
    assert_eq!(d["source"], "dockerfile-ls");
    let message = d["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("'buidler'") && message.contains("did you mean 'builder'"),
        "{message}"
    );

    // the same answer when pulled, and "unchanged" when asked again
    let report = lsp.call(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"], json!(diagnostics));
    let result_id = report["resultId"].clone();
    assert!(result_id.is_string());
    let again = lsp.call(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri }, "previousResultId": result_id }),
    );
    assert_eq!(again["kind"], "unchanged");
    assert_eq!(again["resultId"], result_id);
    assert!(lsp.shutdown().success());
}

/// A document past the size whose text the stdin filter hands over beside
/// tower-lsp: the server holds exactly the client's text (escapes, non-ASCII
/// and all), and an edit right after the open applies to it.
#[test]
fn a_large_document_opens_with_the_clients_text() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/large/Dockerfile";
    let mut text = String::from("FROM golang:1.22 AS builder\n");
    while text.len() < 200 * 1024 {
        text.push_str("RUN echo \"tab\there\" 'back\\slash' \u{e9}\u{1f433} \\\n    && true\n");
    }
    text.push_str("FROM alpine\nCOPY --from=buidler /src/app /app\n");
    let mut editor = Editor::open(&mut lsp, uri, &text, Encoding::Utf16);
    let last_line = text.lines().count() - 1;
    let diagnostics = lsp.diagnostics(uri, Some(1));
    let unknown = with_code(&diagnostics, "unknown-stage");
    assert_eq!(unknown.len(), 1, "{diagnostics:?}");
    assert_eq!(
        unknown[0]["range"],
        json!({ "start": { "line": last_line, "character": 12 }, "end": { "line": last_line, "character": 19 } })
    );
    // answers this large are written as they are serialized
    let runs = text.matches("RUN echo").count();
    let outline = lsp.call(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let stages = outline.as_array().expect("an outline");
    assert_eq!(stages.len(), 2, "two stages");
    assert_eq!(stages[0]["name"], "builder");
    assert_eq!(stages[0]["children"].as_array().map(Vec::len), Some(runs));
    let tokens = lsp.call(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let data = tokens["data"].as_array().expect("tokens");
    assert!(
        data.len() % 5 == 0 && data.len() / 5 > runs,
        "{} numbers",
        data.len()
    );

    let typo = editor.span_of("buidler");
    editor.edit(&mut lsp, typo, "builder");
    assert_same_text(&mut lsp, &editor, "file:///project/large/fresh/Dockerfile");
    assert!(with_code(&editor.diagnostics(&mut lsp), "unknown-stage").is_empty());
    assert!(lsp.shutdown().success());
}

#[test]
fn build_checks_carry_their_documentation_link() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/casing.Dockerfile";
    lsp.open(uri, "FROM alpine as Base\nRUN true\n", 1);
    let diagnostics = lsp.diagnostics(uri, Some(1));
    let casing = with_code(&diagnostics, "FromAsCasing");
    assert_eq!(casing.len(), 1, "{diagnostics:?}");
    let href = casing[0]["codeDescription"]["href"]
        .as_str()
        .unwrap_or_default();
    assert!(href.starts_with("https://docs.docker.com/"), "{href}");

    // related information points into the same document; unused code is
    // tagged as unnecessary
    let uri = "file:///project/duplicate.Dockerfile";
    let text = "FROM golang AS builder\nFROM alpine AS builder\nRUN true\n";
    lsp.open(uri, text, 1);
    let diagnostics = lsp.diagnostics(uri, Some(1));
    let duplicate = with_code(&diagnostics, "DuplicateStageName");
    assert_eq!(duplicate.len(), 1, "{diagnostics:?}");
    let related = &duplicate[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri);
    assert_eq!(
        related["location"]["range"],
        range(text, 15..22, Encoding::Utf16)
    );
    let unused = with_code(&diagnostics, "unused-stage");
    assert_eq!(unused.len(), 1, "{diagnostics:?}");
    assert_eq!(unused[0]["tags"], json!([1]));
    assert_eq!(unused[0]["severity"], 4);
    assert!(lsp.shutdown().success());
}

/// Edits around `日本語 🐳`: in the label, inside and right after the emoji,
/// across the emoji line, and a stage name typo'd and fixed after the emoji
/// on the same line, where columns differ between encodings.
fn edits_around_non_ascii(offered: Option<&[&str]>, encoding: Encoding, expected_kind: &str) {
    let (mut lsp, result) = Lsp::initialized(capabilities(offered), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], expected_kind);

    let text = "\
FROM golang:1.22 AS builder
LABEL description=\"日本語 🐳\"
RUN --mount=type=bind,source=/🐳,from=builder,target=/x true
FROM alpine
COPY --from=builder /src/app /app
";
    let uri = "file:///project/unicode/Dockerfile";
    let mut editor = Editor::open(&mut lsp, uri, text, encoding);
    let diagnostics = lsp.diagnostics(uri, Some(1));
    assert!(
        with_code(&diagnostics, "unknown-stage").is_empty(),
        "{diagnostics:?}"
    );

    // a typo after the emoji on the RUN line: the range's columns count the
    // emoji in the negotiated encoding
    let at = editor.offset_of("from=builder") + "from=".len();
    editor.edit(&mut lsp, at + 3..at + 5, "dl");
    let diagnostics = editor.diagnostics(&mut lsp);
    let unknown = with_code(&diagnostics, "unknown-stage");
    assert_eq!(unknown.len(), 1, "{diagnostics:?}");
    assert_eq!(unknown[0]["range"], editor.range(editor.span_of("buidler")));

    // several changes in one notification, applied in order: inside the
    // label, right after the emoji, replacing the kanji
    let after_emoji = editor.offset_of("🐳\"") + "🐳".len();
    let first = editor.change(after_emoji..after_emoji, " ok");
    let kanji = editor.span_of("日本語");
    let second = editor.change(kanji, "にほんご");
    let before_emoji = editor.offset_of("🐳 ok");
    let third = editor.change(before_emoji..before_emoji, "é");
    editor.send(&mut lsp, vec![first, second, third]);
    assert_eq!(
        with_code(&editor.diagnostics(&mut lsp), "unknown-stage")[0]["range"],
        editor.range(editor.span_of("buidler"))
    );

    // one change across the emoji line: from inside the label to the
    // middle of the RUN line, fixing the typo on the way
    let start = editor.offset_of(" ok\"") + 1;
    let end = editor.offset_of("buidler") + "buidl".len();
    let replaced = format!("{}build", &editor.text[start..editor.offset_of("buidler")]);
    editor.edit(&mut lsp, start..end, &replaced);
    assert!(editor.text.contains("from=builder,"), "{}", editor.text);
    assert!(with_code(&editor.diagnostics(&mut lsp), "unknown-stage").is_empty());

    // a typo in the COPY line below, made by deleting a whole line and
    // retyping it, then typing after the emoji character by character
    let copy = editor.span_of("COPY --from=builder /src/app /app\n");
    editor.edit(&mut lsp, copy.clone(), "");
    editor.edit(
        &mut lsp,
        copy.start..copy.start,
        "COPY --from=buildr /src/app /app\n",
    );
    let mut at = editor.offset_of("🐳 ok") + "🐳".len();
    for c in ['✓', '🐋', 'x'] {
        editor.edit(&mut lsp, at..at, &c.to_string());
        at += c.len_utf8();
    }
    // and a deletion spanning the emoji and what was typed after it
    let emoji = editor.offset_of("🐳");
    editor.edit(&mut lsp, emoji..emoji + "🐳✓".len(), "");
    let unknown = with_code(&editor.diagnostics(&mut lsp), "unknown-stage").len();
    assert_eq!(unknown, 1);

    assert_matches_fresh_open(
        &mut lsp,
        &editor,
        "file:///project/unicode/fresh.Dockerfile",
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn incremental_edits_in_utf16() {
    edits_around_non_ascii(None, Encoding::Utf16, "utf-16");
}

#[test]
fn incremental_edits_in_utf8() {
    edits_around_non_ascii(Some(&["utf-8", "utf-16"]), Encoding::Utf8, "utf-8");
}

#[test]
fn incremental_edits_in_utf32() {
    edits_around_non_ascii(
        Some(&["x-unknown", "utf-32", "utf-8"]),
        Encoding::Utf32,
        "utf-32",
    );
}

#[test]
fn a_thousand_rapid_edits_end_where_a_fresh_open_starts() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let text = "\
# syntax=docker/dockerfile:1
ARG BASE=alpine
FROM golang:1.22 AS builder
LABEL note=\"日本語 🐳\"
RUN --mount=type=cache,target=/root/.cache go build -o /out/app .
FROM ${BASE} AS runtime
COPY --from=builder /out/app /app
ENTRYPOINT [\"/app\"]
";
    let uri = "file:///project/rapid/Dockerfile";
    let mut editor = Editor::open(&mut lsp, uri, text, Encoding::Utf16);
    lsp.diagnostics(uri, Some(1));

    let typed = [
        'a', 'Z', ' ', '-', '=', '$', '{', '}', '\\', '\n', '"', 'é', '🐳', '語', '#',
    ];
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    for i in 0..1000 {
        let boundaries: Vec<usize> = (0..=editor.text.len())
            .filter(|&b| editor.text.is_char_boundary(b))
            .collect();
        let at = boundaries[rng.usize(..boundaries.len())];
        // type and delete about equally, so the text stays a Dockerfile-ish size
        if i % 2 == 0 || at == editor.text.len() {
            let c = typed[rng.usize(..typed.len())];
            editor.edit(&mut lsp, at..at, &c.to_string());
        } else {
            let len = editor.text[at..].chars().next().map_or(0, char::len_utf8);
            editor.edit(&mut lsp, at..at + len, "");
        }
    }
    assert_eq!(editor.version, 1001);
    assert_matches_fresh_open(&mut lsp, &editor, "file:///project/rapid/fresh.Dockerfile");
    assert!(lsp.shutdown().success());
}

#[test]
fn pull_clients_get_no_pushes_and_fresh_reports_after_edits() {
    let mut caps = capabilities(None);
    caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    let (mut lsp, _) = Lsp::initialized(caps, Value::Null);
    let uri = "file:///project/pull/Dockerfile";
    let mut editor = Editor::open(&mut lsp, uri, TYPO, Encoding::Utf16);

    let report = lsp.call(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(with_code(&items, "unknown-stage").len(), 1, "{report}");
    let first_id = report["resultId"].clone();

    let typo = editor.span_of("buidler");
    editor.edit(&mut lsp, typo, "builder");
    let report = lsp.call(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri }, "previousResultId": first_id }),
    );
    assert_eq!(report["kind"], "full", "the text changed: {report}");
    let items = report["items"].as_array().cloned().unwrap_or_default();
    assert!(with_code(&items, "unknown-stage").is_empty(), "{report}");
    assert_ne!(report["resultId"], first_id);

    // a document that is not open has nothing to report
    let report = lsp.call(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": "file:///nowhere/Dockerfile" } }),
    );
    assert_eq!(report, json!({ "kind": "full", "items": [] }));

    symbols(&mut lsp, uri); // one more round trip before looking
    assert!(
        !lsp.pushed_for(uri),
        "a pull client got pushed diagnostics too"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn did_close_clears_diagnostics() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/close/Dockerfile";
    lsp.open(uri, TYPO, 1);
    assert!(!lsp.diagnostics(uri, Some(1)).is_empty());
    lsp.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(lsp.diagnostics(uri, None).is_empty());
    // features on a closed document answer nothing rather than fail
    assert_eq!(symbols(&mut lsp, uri), Value::Null);
    assert!(lsp.shutdown().success());
}

#[test]
fn settings_from_options_notifications_and_pulls() {
    let options =
        json!({ "dockerfile-ls": { "diagnostics": { "severity": { "unknown-stage": "error" } } } });
    let (mut lsp, _) = Lsp::initialized(capabilities(None), options);
    let uri = "file:///project/config/Dockerfile";
    lsp.open(uri, TYPO, 1);
    let diagnostics = lsp.diagnostics(uri, Some(1));
    assert_eq!(with_code(&diagnostics, "unknown-stage")[0]["severity"], 1);

    // bare settings in the notification: the code switched off
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "diagnostics": { "disabled": ["unknown-stage"] } } }),
    );
    let diagnostics = lsp.diagnostics(uri, Some(1));
    assert!(
        with_code(&diagnostics, "unknown-stage").is_empty(),
        "{diagnostics:?}"
    );

    // a named build context is not flagged
    lsp.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "dockerfile-ls": { "buildContexts": ["buidler"], "diagnostics": { "severity": { "unknown-stage": "off" } } } } }),
    );
    let diagnostics = lsp.diagnostics(uri, Some(1));
    assert!(
        with_code(&diagnostics, "unknown-stage").is_empty(),
        "{diagnostics:?}"
    );
    assert!(lsp.shutdown().success());

    // a client that answers workspace/configuration is asked
    let mut caps = capabilities(None);
    caps["workspace"] = json!({ "configuration": true });
    let mut lsp = Lsp::start();
    lsp.configuration = json!({ "diagnostics": { "severity": { "unknown-stage": "hint" } } });
    lsp.call(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": caps }),
    );
    lsp.notify("initialized", json!({}));
    lsp.open(uri, TYPO, 1);
    // pushes may come before the pulled settings apply; wait for the hint
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let diagnostics = lsp.diagnostics(uri, Some(1));
        if with_code(&diagnostics, "unknown-stage")
            .first()
            .map(|d| d["severity"].clone())
            == Some(json!(4))
        {
            break;
        }
        assert!(Instant::now() < deadline, "pulled settings never applied");
    }
    assert!(lsp
        .server_requests
        .iter()
        .any(|m| m == "workspace/configuration"));
    assert!(lsp.shutdown().success());
}

#[test]
fn malformed_input_never_kills_the_server() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///project/garbage/Dockerfile";

    // binary garbage as a document, edited
    let garbage: String = (0u32..4000)
        .map(|i| char::from_u32((i * 7919) % 0x3000).unwrap_or('\u{fffd}'))
        .collect();
    lsp.open(uri, &garbage, 1);
    lsp.diagnostics(uri, Some(1));
    let mut editor = Editor {
        uri: uri.to_string(),
        text: garbage,
        version: 1,
        encoding: Encoding::Utf16,
    };
    let middle = (0..editor.text.len() / 2)
        .rev()
        .find(|&b| editor.text.is_char_boundary(b))
        .unwrap_or(0);
    editor.edit(
        &mut lsp,
        middle..middle,
        "\nFROM alpine AS a\r\nCOPY --from=b / /\r",
    );
    lsp.diagnostics(uri, Some(2));

    // a 100k-character line, edited at its end
    let long_uri = "file:///project/garbage/long.Dockerfile";
    let long = format!(
        "FROM alpine\nRUN echo {}\nFROM scratch\n",
        "ä".repeat(100_000)
    );
    let mut long_editor = Editor::open(&mut lsp, long_uri, &long, Encoding::Utf16);
    lsp.diagnostics(long_uri, Some(1));
    let end_of_long = long_editor.offset_of("\nFROM scratch");
    long_editor.edit(&mut lsp, end_of_long..end_of_long, " && true");
    lsp.diagnostics(long_uri, Some(2));

    // out-of-range positions: the change is refused and logged, the text kept
    let before = editor.text.clone();
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 3 },
            "contentChanges": [{ "range": { "start": { "line": 90000, "character": 0 }, "end": { "line": 90001, "character": 4 } }, "text": "x" }],
        }),
    );
    editor.version = 3;
    lsp.diagnostics(uri, Some(3));
    assert_eq!(editor.text, before);
    // a character far past the end of its line means the end of the line
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 4 },
            "contentChanges": [{ "range": { "start": { "line": 0, "character": 99999 }, "end": { "line": 0, "character": 99999 } }, "text": "" }],
        }),
    );
    editor.version = 4;
    lsp.diagnostics(uri, Some(4));
    // a change to a document that is not open
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": "file:///never/opened", "version": 2 },
            "contentChanges": [{ "text": "FROM x" }],
        }),
    );
    // requests at absurd positions answer, not fail
    let far = json!({ "textDocument": { "uri": uri }, "position": { "line": 4_000_000_000u32, "character": 4_000_000_000u32 } });
    let response = lsp.request("textDocument/definition", far.clone());
    assert!(response.get("error").is_none(), "{response}");
    let response = lsp.request("textDocument/documentHighlight", far);
    assert!(response.get("error").is_none(), "{response}");

    // protocol-level garbage: stray bytes, a body that is not JSON, one that
    // is not JSON-RPC, broken params, an unknown method
    lsp.send_raw(b"\x00\xff\xfe\x01 this is not a header\r\n\r\n");
    lsp.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    lsp.send_raw(b"Content-Length: 17\r\n\r\n{\"jsonrpc\":\"1.0\"}");
    lsp.notify("textDocument/didOpen", json!({ "textDocument": 42 }));
    let response = lsp.request("textDocument/documentSymbol", json!("nonsense"));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = lsp.request("dockerfile-ls/noSuchMethod", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");

    let logged = lsp.log_messages();
    assert!(
        logged.iter().any(|m| m.contains("past the last line")),
        "{logged:?}"
    );
    assert!(logged.iter().any(|m| m.contains("not open")), "{logged:?}");

    // still serving, and the text is still the client's
    editor.edit(&mut lsp, 0..0, "# ok\n");
    assert_matches_fresh_open(
        &mut lsp,
        &editor,
        "file:///project/garbage/fresh.Dockerfile",
    );
    assert_matches_fresh_open(
        &mut lsp,
        &long_editor,
        "file:///project/garbage/long-fresh.Dockerfile",
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn navigation_over_the_wire() {
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let text = "\
FROM golang:1.22 AS builder
RUN go build -o /out/app .

FROM alpine
COPY --from=builder /out/app /app
RUN --mount=type=bind,source=/🐳,from=builder,target=/b ls /b
";
    let uri = "file:///project/nav/Dockerfile";
    let editor = Editor::open(&mut lsp, uri, text, Encoding::Utf16);
    lsp.diagnostics(uri, Some(1));
    let definition_site = editor.offset_of("builder");
    let copy_ref = editor.offset_of("from=builder /out") + "from=".len();
    let mount_ref = editor.offset_of("from=builder,") + "from=".len();
    let cursor = |offset: usize| json!({ "textDocument": { "uri": uri }, "position": position(&editor.text, offset + 2, Encoding::Utf16) });
    let name_range = |offset: usize| editor.range(offset..offset + "builder".len());

    let definition = lsp.call("textDocument/definition", cursor(copy_ref));
    assert_eq!(
        definition,
        json!({ "uri": uri, "range": name_range(definition_site) })
    );

    let mut params = cursor(copy_ref);
    params["context"] = json!({ "includeDeclaration": true });
    let references = lsp.call("textDocument/references", params);
    let ranges: Vec<Value> = references
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|l| l["range"].clone())
        .collect();
    assert_eq!(
        ranges,
        [
            name_range(definition_site),
            name_range(copy_ref),
            name_range(mount_ref)
        ]
    );

    let highlights = lsp.call("textDocument/documentHighlight", cursor(mount_ref));
    assert_eq!(highlights.as_array().map_or(0, Vec::len), 3, "{highlights}");
    assert_eq!(highlights[0]["kind"], 3, "the definition is a write");

    let prepared = lsp.call("textDocument/prepareRename", cursor(definition_site));
    assert_eq!(prepared["range"], name_range(definition_site));
    assert_eq!(prepared["placeholder"], "builder");

    let mut params = cursor(copy_ref);
    params["newName"] = json!("compile");
    let edit = lsp.call("textDocument/rename", params);
    let edits = edit["changes"][uri].as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 3, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "compile"));

    let mut params = cursor(copy_ref);
    params["newName"] = json!("not a name");
    let response = lsp.request("textDocument/rename", params);
    assert!(
        response["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not a valid stage name")),
        "{response}"
    );

    let outline = symbols(&mut lsp, uri);
    let stages: Vec<&Value> = outline
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    assert_eq!(stages.len(), 2, "{outline}");
    assert_eq!(stages[0]["name"], "builder");
    assert_eq!(stages[0]["selectionRange"], name_range(definition_site));
    assert_eq!(stages[0]["children"][0]["name"], "RUN");

    let folds = lsp.call(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(folds.as_array().is_some_and(|f| !f.is_empty()), "{folds}");
    assert!(lsp.shutdown().success());
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let (lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    assert_eq!(lsp.exit().code(), Some(1));
}

/// A client without hierarchical outline support gets a flat list, each
/// instruction naming its stage.
#[test]
fn outline_is_flat_for_clients_without_hierarchy() {
    let mut lsp = Lsp::start_with(&["--stdio"]);
    lsp.call(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    lsp.notify("initialized", json!({}));
    let uri = "file:///w/Dockerfile";
    lsp.open(uri, TYPO, 1);
    let outline = symbols(&mut lsp, uri);
    let names: Vec<(&str, Option<&str>, u64)> = outline
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|s| {
                    (
                        s["name"].as_str().unwrap_or_default(),
                        s["containerName"].as_str(),
                        s["location"]["range"]["start"]["line"]
                            .as_u64()
                            .unwrap_or(99),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        names,
        [
            ("builder", None, 0),
            ("stage 1", None, 1),
            ("COPY", Some("stage 1"), 2)
        ],
        "{outline}"
    );
    assert!(outline[0]["location"]["uri"] == uri, "{outline}");
    assert!(lsp.shutdown().success());
}
