//! Hostile LSP sessions, end to end over stdio: what a buggy, malicious or
//! merely unlucky client can send. Every request gets a result or a clear
//! error (never an internal error, which means a panic), the server keeps
//! serving, and its text stays the client's: after each hostile sequence
//! [`assert_same_text`] compares everything position-exact the server
//! reports about the document (pulled diagnostics, outline, semantic
//! tokens, folds, links) with a fresh open of the client's copy.
//!
//! Set `DOCKERFILE_LS_E2E_STDERR=1` to see the server's stderr.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use support::*;

const MULTI: &str = "\
# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM golang:1.22 AS builder
LABEL note=\"日本語 🐳\"
RUN --mount=type=cache,target=/root/.cache go build -o /out/app .
RUN <<EOF
echo building
EOF
FROM ${BASE} AS runtime
COPY --from=builder /out/app /app
HEALTHCHECK CMD [\"/app\", \"health\"]
ENTRYPOINT [\"/app\"]
";

/// Every request a client may send about a document, at `position`.
fn requests(uri: &str, position: Value) -> Vec<(&'static str, Value)> {
    let doc = json!({ "uri": uri });
    let at = json!({ "textDocument": doc, "position": position });
    let range = json!({ "start": position, "end": position });
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": position });
    let mut with_context = at.clone();
    with_context["context"] = json!({ "includeDeclaration": true });
    let mut rename = at.clone();
    rename["newName"] = json!("renamed");
    let formatting = json!({ "tabSize": 4, "insertSpaces": true });
    vec![
        ("textDocument/hover", at.clone()),
        ("textDocument/completion", at.clone()),
        ("textDocument/definition", at.clone()),
        ("textDocument/references", with_context),
        ("textDocument/documentHighlight", at.clone()),
        ("textDocument/prepareRename", at.clone()),
        ("textDocument/rename", rename),
        ("textDocument/signatureHelp", at),
        (
            "textDocument/documentSymbol",
            json!({ "textDocument": doc }),
        ),
        ("textDocument/foldingRange", json!({ "textDocument": doc })),
        (
            "textDocument/semanticTokens/full",
            json!({ "textDocument": doc }),
        ),
        (
            "textDocument/semanticTokens/full/delta",
            json!({ "textDocument": doc, "previousResultId": "no-such-result" }),
        ),
        (
            "textDocument/semanticTokens/range",
            json!({ "textDocument": doc, "range": whole }),
        ),
        (
            "textDocument/formatting",
            json!({ "textDocument": doc, "options": formatting }),
        ),
        (
            "textDocument/rangeFormatting",
            json!({ "textDocument": doc, "range": range, "options": formatting }),
        ),
        ("textDocument/documentLink", json!({ "textDocument": doc })),
        ("textDocument/codeLens", json!({ "textDocument": doc })),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": doc, "range": whole }),
        ),
        (
            "textDocument/codeAction",
            json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } }),
        ),
        ("textDocument/diagnostic", json!({ "textDocument": doc })),
    ]
}

/// A result, or an error that says what went wrong; an internal error
/// (a caught panic) or a missing answer fails.
fn assert_answered(method: &str, response: &Value) {
    if let Some(error) = response.get("error") {
        assert_ne!(error["code"], -32603, "{method} panicked: {response}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method}: an error without a message: {response}"
        );
    } else {
        assert!(
            response.get("result").is_some(),
            "{method}: neither result nor error: {response}"
        );
    }
}

fn start() -> Lsp {
    let (lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    lsp
}

/// Waits for the responses to `ids`, whatever else arrives meanwhile.
fn responses(lsp: &mut Lsp, ids: &[i64]) -> HashMap<i64, Value> {
    let mut got = HashMap::new();
    while got.len() < ids.len() {
        let message = lsp.receive();
        if message.get("method").is_none() {
            if let Some(id) = message["id"].as_i64() {
                got.insert(id, message);
            }
            continue;
        }
        lsp.keep(message);
    }
    got
}

#[test]
fn every_request_answers_at_positions_past_the_end() {
    let mut lsp = start();
    let uri = "file:///hostile/positions/Dockerfile";
    let editor = Editor::open(&mut lsp, uri, MULTI, Encoding::Utf16);
    let lines = MULTI.lines().count() as u64;
    let emoji = editor.offset_of("🐳");
    let mut inside_emoji = position(&editor.text, emoji, Encoding::Utf16);
    inside_emoji["character"] = json!(inside_emoji["character"].as_u64().unwrap() + 1);
    let positions = [
        json!({ "line": 0, "character": 10_000 }),
        json!({ "line": lines, "character": 0 }),
        json!({ "line": lines + 5, "character": 3 }),
        json!({ "line": 4_000_000_000u32, "character": 4_000_000_000u32 }),
        json!({ "line": u32::MAX, "character": u32::MAX }),
        inside_emoji,
    ];
    for position in positions {
        for (method, params) in requests(uri, position.clone()) {
            let response = lsp.request(method, params);
            assert_answered(method, &response);
        }
    }
    assert_same_text(&mut lsp, &editor, "file:///hostile/positions/fresh");
    assert!(lsp.shutdown().success());
}

#[test]
fn unknown_uris_answer_nothing_rather_than_fail() {
    let mut lsp = start();
    let editor = Editor::open(
        &mut lsp,
        "file:///hostile/uris/Dockerfile",
        MULTI,
        Encoding::Utf16,
    );
    for uri in [
        "file:///never/opened/Dockerfile",
        "untitled:Untitled-1",
        "https://example.com/Dockerfile",
        "file:///hostile/uris/dockerfile", // another case of an open one
    ] {
        for (method, params) in requests(uri, json!({ "line": 1, "character": 2 })) {
            let response = lsp.request(method, params);
            assert_answered(method, &response);
            if method != "textDocument/codeAction" && method != "textDocument/diagnostic" {
                assert!(
                    response.get("error").is_some() || response["result"].is_null(),
                    "{method} on {uri}: {response}"
                );
            }
        }
    }
    // not a URI at all: the params do not parse
    let response = lsp.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "not a uri" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_answered("hover", &response);
    assert_same_text(&mut lsp, &editor, "file:///hostile/uris/fresh");
    assert!(lsp.shutdown().success());
}

#[test]
fn hostile_edits_are_refused_or_clamped_and_the_text_stays_the_clients() {
    let mut lsp = start();
    let uri = "file:///hostile/edits/Dockerfile";
    let mut editor = Editor::open(&mut lsp, uri, MULTI, Encoding::Utf16);
    let change = |version: i64, changes: Value| json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes });
    let pos = |line: u32, character: u32| json!({ "line": line, "character": character });

    // a change to a document never opened, then to one opened and closed
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///hostile/edits/other", "version": 2 },
                "contentChanges": [{ "range": { "start": pos(0, 0), "end": pos(0, 0) }, "text": "x" }] }),
    );
    lsp.open("file:///hostile/edits/closed", "FROM a\n", 1);
    lsp.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": "file:///hostile/edits/closed" } }),
    );
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///hostile/edits/closed", "version": 2 },
                "contentChanges": [{ "text": "FROM b\n" }] }),
    );

    // an inverted range, a range past the last line: refused, text kept
    lsp.notify(
        "textDocument/didChange",
        change(
            2,
            json!([{ "range": { "start": pos(3, 4), "end": pos(1, 0) }, "text": "INVERTED" }]),
        ),
    );
    lsp.notify(
        "textDocument/didChange",
        change(
            3,
            json!([{ "range": { "start": pos(2, 0), "end": pos(9_999, 0) }, "text": "GONE" }]),
        ),
    );
    lsp.notify(
        "textDocument/didChange",
        change(
            4,
            json!([{ "range": { "start": pos(u32::MAX, 0), "end": pos(u32::MAX, 1) }, "text": "" }]),
        ),
    );
    editor.version = 4;
    assert_same_text(&mut lsp, &editor, "file:///hostile/edits/fresh-1");
    let logged = lsp.log_messages();
    assert!(
        logged.iter().filter(|m| m.contains("didChange")).count() >= 3,
        "refused changes are logged: {logged:?}"
    );

    // a character far past the end of its line is the end of the line
    let end_of_first = editor.offset_of("\nARG");
    let expected = editor.change(end_of_first..end_of_first, " # tail");
    assert_eq!(expected["range"]["start"], pos(0, 28));
    lsp.notify(
        "textDocument/didChange",
        change(
            5,
            json!([{ "range": { "start": pos(0, 500), "end": pos(0, 90_000) }, "text": " # tail" }]),
        ),
    );
    editor.version = 5;
    assert_same_text(&mut lsp, &editor, "file:///hostile/edits/fresh-2");

    // a position inside a surrogate pair means the character's start
    let emoji = editor.offset_of("🐳");
    let mut inside = position(&editor.text, emoji, Encoding::Utf16);
    inside["character"] = json!(inside["character"].as_u64().unwrap() + 1);
    editor.change(emoji..emoji, "X");
    lsp.notify(
        "textDocument/didChange",
        change(
            6,
            json!([{ "range": { "start": inside, "end": inside }, "text": "X" }]),
        ),
    );
    editor.version = 6;
    assert_same_text(&mut lsp, &editor, "file:///hostile/edits/fresh-3");

    // versions going backwards and repeating: the edits still apply
    for version in [3, 3, 1, 0, -1, -5] {
        let at = editor.offset_of("echo building");
        let c = editor.change(at..at, "#");
        lsp.notify("textDocument/didChange", change(version, json!([c])));
    }
    editor.version = -5;
    assert_same_text(&mut lsp, &editor, "file:///hostile/edits/fresh-4");

    // one notification: a full replacement, then a valid edit, then an
    // invalid one: the first two apply, the rest is refused
    let mut replaced = Editor {
        uri: uri.to_string(),
        text: "FROM alpine AS one\nRUN true\n".to_string(),
        version: 20,
        encoding: Encoding::Utf16,
    };
    let valid = replaced.change(0..0, "# top\n");
    lsp.notify(
        "textDocument/didChange",
        change(
            20,
            json!([
                { "text": "FROM alpine AS one\nRUN true\n" },
                valid,
                { "range": { "start": pos(50, 0), "end": pos(50, 0) }, "text": "lost" },
            ]),
        ),
    );
    assert_same_text(&mut lsp, &replaced, "file:///hostile/edits/fresh-5");

    // an empty change list, and a change with no text field
    lsp.notify("textDocument/didChange", change(21, json!([])));
    lsp.notify(
        "textDocument/didChange",
        change(
            22,
            json!([{ "range": { "start": pos(0, 0), "end": pos(0, 1) } }]),
        ),
    );
    assert_same_text(&mut lsp, &replaced, "file:///hostile/edits/fresh-6");
    assert!(lsp.shutdown().success());
}

#[test]
fn unknown_methods_and_malformed_params_get_errors() {
    let mut lsp = start();
    let uri = "file:///hostile/params/Dockerfile";
    let editor = Editor::open(&mut lsp, uri, MULTI, Encoding::Utf16);

    let response = lsp.request("dockerfile-ls/noSuchMethod", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let response = lsp.request("$/noSuchRequest", json!(null));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    lsp.notify("dockerfile-ls/noSuchNotification", json!({ "x": 1 }));
    lsp.notify("$/noSuchNotification", json!([1, 2, 3]));
    lsp.notify("$/cancelRequest", json!({ "id": 999_999 }));
    lsp.notify("$/cancelRequest", json!("nonsense"));
    lsp.notify("$/setTrace", json!({ "value": "verbose" }));

    // every request with params of the wrong shape
    let bad_params = [
        json!("nonsense"),
        json!(42),
        json!([]),
        json!({}),
        json!({ "textDocument": { "uri": uri }, "position": "here" }),
        json!({ "textDocument": { "uri": uri }, "position": { "line": -1, "character": 0 } }),
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1.5, "character": 0 } }),
        json!({ "textDocument": { "uri": 7 }, "position": { "line": 0, "character": 0 } }),
    ];
    for (method, _) in requests(uri, json!({ "line": 0, "character": 0 })) {
        for params in &bad_params {
            let response = lsp.request(method, params.clone());
            assert_answered(method, &response);
        }
    }
    // no params at all, and a request with a string id
    lsp.send(&json!({ "jsonrpc": "2.0", "id": 4242, "method": "textDocument/hover" }));
    assert_answered("hover", &lsp.response(4242));
    lsp.send(
        &json!({ "jsonrpc": "2.0", "id": "str-id", "method": "textDocument/documentSymbol",
        "params": { "textDocument": { "uri": uri } } }),
    );
    loop {
        let message = lsp.receive();
        if message["id"] == "str-id" && message.get("method").is_none() {
            assert!(message["result"].is_array(), "{message}");
            break;
        }
        lsp.keep(message);
    }

    // notifications with broken params
    for (method, params) in [
        ("textDocument/didOpen", json!({ "textDocument": 42 })),
        (
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri } }),
        ),
        (
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri }, "contentChanges": "x" }),
        ),
        (
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 9 } }),
        ),
        ("textDocument/didClose", json!({})),
        (
            "textDocument/didSave",
            json!({ "textDocument": { "uri": uri } }),
        ),
        ("workspace/didChangeConfiguration", json!({ "settings": 5 })),
        (
            "workspace/didChangeConfiguration",
            json!({ "settings": { "dockerfile-ls": { "diagnostics": "loud", "format": [1] } } }),
        ),
        (
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": "file:///nope", "type": 99 }] }),
        ),
        ("initialized", json!({})),
    ] {
        lsp.notify(method, params);
    }
    // a second initialize is refused, the session goes on
    let response = lsp.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert!(response.get("error").is_some(), "{response}");

    assert_same_text(&mut lsp, &editor, "file:///hostile/params/fresh");
    assert!(lsp.shutdown().success());
}

/// Opens `text`, then asks every whole-document request and a few at the
/// end and the middle; each must answer within `limit`.
fn survive_huge(lsp: &mut Lsp, name: &str, text: &str, limit: Duration) {
    let uri = format!("file:///hostile/huge/{name}");
    let started = Instant::now();
    let mut editor = Editor::open(lsp, &uri, text, Encoding::Utf16);
    let end = position(text, text.len(), Encoding::Utf16);
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle -= 1;
    }
    let middle_position = position(text, middle, Encoding::Utf16);
    for at in [end, middle_position] {
        for (method, params) in requests(&uri, at) {
            let asked = Instant::now();
            let response = lsp.request(method, params);
            assert_answered(method, &response);
            if asked.elapsed() > Duration::from_millis(500) {
                eprintln!("{name}: {method} took {:?}", asked.elapsed());
            }
            assert!(
                asked.elapsed() < limit,
                "{name}: {method} took {:?}",
                asked.elapsed()
            );
        }
    }
    // an edit in the middle, and the text is still the client's
    editor.edit(lsp, middle..middle, "\nFROM scratch AS edited\n");
    assert_same_text(lsp, &editor, &format!("file:///hostile/huge/{name}.fresh"));
    lsp.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    eprintln!("{name}: {} bytes in {:?}", text.len(), started.elapsed());
}

#[test]
fn huge_and_strange_documents() {
    let mut lsp = start();
    let limit = Duration::from_secs(60);

    let one_mb_line = format!("FROM alpine\nRUN echo {}\n", "a-b ".repeat(262_144));
    survive_huge(&mut lsp, "one-mb-line", &one_mb_line, limit);

    // long RUN instructions of continuation, comment and blank lines, as
    // generated files have them (a line an instruction would make the
    // outline's JSON alone take seconds to build in a debug build)
    let mut many_lines = String::from("FROM alpine AS base\n");
    for i in 0..100_000 {
        match i % 100 {
            0 => many_lines.push_str("RUN set -e \\\n"),
            99 => many_lines.push_str("    && true\n"),
            n if n % 3 == 0 => many_lines.push_str(&format!("    # step {i}\n")),
            n if n % 7 == 0 => many_lines.push('\n'),
            _ => many_lines.push_str(&format!("    && echo {i} \\\n")),
        }
    }
    survive_huge(&mut lsp, "100k-lines", &many_lines, limit);

    let mut rng = fastrand::Rng::with_seed(0xbad_c0de);
    let mut unicode = String::new();
    while unicode.len() < 200 * 1024 {
        let c = match rng.u8(..10) {
            0 => '\n',
            1 => [
                '\r', '\\', '`', '$', '{', '"', '<', '\u{2028}', '\u{feff}', '\0',
            ][rng.usize(..10)],
            _ => loop {
                if let Some(c) = char::from_u32(rng.u32(..0x11_0000)) {
                    break c;
                }
            },
        };
        unicode.push(c);
    }
    survive_huge(&mut lsp, "random-unicode", &unicode, limit);

    let mut heredocs = String::from("FROM alpine\n");
    for i in 0..5_000 {
        heredocs.push_str(&format!("RUN <<EOF{i} <<-\"X{i}\"\n"));
    }
    survive_huge(&mut lsp, "unclosed-heredocs", &heredocs, limit);

    assert!(lsp.shutdown().success());
}

#[test]
fn streaming_edits_while_requests_arrive_and_get_cancelled() {
    let mut lsp = start();
    let uri = "file:///hostile/stream/Dockerfile";
    let mut editor = Editor::open(&mut lsp, uri, MULTI, Encoding::Utf16);
    let typed = [
        'a', ' ', '-', '=', '$', '{', '}', '\\', '\n', '"', 'é', '🐳', '#', '<',
    ];
    let mut rng = fastrand::Rng::with_seed(0xca9ce1);
    let mut ids = Vec::new();
    for i in 0..1000 {
        let boundaries: Vec<usize> = (0..=editor.text.len())
            .filter(|&b| editor.text.is_char_boundary(b))
            .collect();
        let at = boundaries[rng.usize(..boundaries.len())];
        if i % 2 == 0 || at == editor.text.len() {
            let c = typed[rng.usize(..typed.len())];
            editor.edit(&mut lsp, at..at, &c.to_string());
        } else {
            let len = editor.text[at..].chars().next().map_or(0, char::len_utf8);
            editor.edit(&mut lsp, at..at + len, "");
        }
        let mut cursor = position(&editor.text, at.min(editor.text.len()), Encoding::Utf16);
        if i % 3 == 0 {
            // a FROM line: its hover awaits the size estimate, so a cancel
            // can land while the request is in flight
            if let Some(from) = editor.text.find("FROM") {
                cursor = position(&editor.text, from + 1, Encoding::Utf16);
            }
        }
        let method = [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
        ][i % 3];
        let id = lsp.send_request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": cursor }),
        );
        ids.push(id);
        if rng.bool() {
            lsp.notify("$/cancelRequest", json!({ "id": id }));
        }
        if i % 100 == 99 {
            // cancel one that is surely answered already
            lsp.notify("$/cancelRequest", json!({ "id": ids[0] }));
        }
    }
    let got = responses(&mut lsp, &ids);
    let mut cancelled = 0;
    for (id, response) in &got {
        if response["error"]["code"] == -32800 {
            cancelled += 1;
        } else {
            assert_answered(&format!("request {id}"), response);
        }
    }
    eprintln!("{} requests, {cancelled} cancelled in flight", ids.len());
    assert_same_text(&mut lsp, &editor, "file:///hostile/stream/fresh");
    assert!(lsp.shutdown().success());
}

#[test]
fn a_thousand_documents_opened_and_closed_give_memory_back() {
    let mut lsp = start();
    let text = |i: usize| format!("{MULTI}# document {i}\nRUN echo {}\n", "x".repeat(i % 700));
    let round = |lsp: &mut Lsp, from: usize, to: usize| {
        for i in from..to {
            let uri = format!("file:///hostile/many/{i}/Dockerfile");
            lsp.open(&uri, &text(i), 1);
            // fill what the server keeps per document
            let position = json!({ "line": 9, "character": 8 });
            for (method, params) in requests(&uri, position) {
                if matches!(
                    method,
                    "textDocument/semanticTokens/full"
                        | "textDocument/hover"
                        | "textDocument/codeLens"
                        | "textDocument/inlayHint"
                ) {
                    let response = lsp.request(method, params);
                    assert_answered(method, &response);
                }
            }
        }
        for i in from..to {
            let uri = format!("file:///hostile/many/{i}/Dockerfile");
            lsp.notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": uri } }),
            );
        }
        symbols(lsp, "file:///nowhere"); // a round trip: the closes are done
        lsp.drain();
        lsp.pushed.clear();
        lsp.notifications.clear();
    };
    // The first thousand set the allocator's high-water mark (glibc keeps
    // freed memory in its per-thread arenas, so RSS never drops back to
    // the empty server's); after that, a thousand more documents opened
    // and closed must not take more memory: nothing is kept per closed
    // document.
    let empty = lsp.rss_kib();
    round(&mut lsp, 0, 1000);
    let baseline = lsp.rss_kib();
    round(&mut lsp, 1000, 2000);
    round(&mut lsp, 2000, 3000);
    let after = lsp.rss_kib();
    eprintln!(
        "RSS: {empty} KiB empty, {baseline} KiB after 1,000 documents, {after} KiB after 2,000 more"
    );
    assert!(
        after < baseline + 8 * 1024,
        "memory did not return near its baseline: {baseline} KiB -> {after} KiB"
    );
    assert!(lsp.shutdown().success());
}

#[test]
fn shutdown_while_work_is_pending() {
    let mut lsp = start();
    let uri = "file:///hostile/shutdown/Dockerfile";
    let big = MULTI.repeat(400);
    let mut editor = Editor::open(&mut lsp, uri, &big, Encoding::Utf16);
    let mut ids = Vec::new();
    for i in 0..60 {
        let at = editor.offset_of("go build");
        editor.edit(&mut lsp, at..at, "x");
        let (method, params) =
            requests(uri, json!({ "line": i % 40, "character": 5 })).swap_remove(i % 19);
        ids.push(lsp.send_request(method, params));
    }
    let shutdown = lsp.send_request("shutdown", Value::Null);
    // requests after shutdown are refused, not left hanging
    let late = lsp.send_request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    let mut all = ids.clone();
    all.extend([shutdown, late]);
    let got = responses(&mut lsp, &all);
    assert_eq!(got[&shutdown]["result"], Value::Null, "{}", got[&shutdown]);
    assert!(got[&late].get("error").is_some(), "{}", got[&late]);
    for id in &ids {
        let response = &got[id];
        if response["error"]["code"] != -32800 {
            assert_answered(&format!("request {id}"), response);
        }
    }
    assert_eq!(lsp.exit().code(), Some(0));
}

#[test]
fn a_panicking_handler_answers_with_an_error_and_a_log_message() {
    // test-only hook (lsp/guard.rs): these features panic on purpose
    let mut lsp = Lsp::start_env(
        &[],
        &[(
            "DOCKERFILE_LS_TEST_PANIC",
            "hover, document symbols, applying a change, textDocument/signatureHelp, textDocument/didSave",
        )],
    );
    lsp.initialize(capabilities(None), Value::Null);
    let uri = "file:///hostile/panic/Dockerfile";
    let editor = Editor::open(&mut lsp, uri, MULTI, Encoding::Utf16);
    let at = json!({ "textDocument": { "uri": uri }, "position": { "line": 9, "character": 15 } });

    for _ in 0..3 {
        let response = lsp.request("textDocument/hover", at.clone());
        assert_eq!(response["error"]["code"], -32603, "{response}");
        let message = response["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("internal error in hover"), "{message}");
        let response = lsp.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        assert_eq!(response["error"]["code"], -32603, "{response}");
    }
    let log = lsp.notification(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("internal error in hover"))
    });
    assert_eq!(log["params"]["type"], 1, "an error: {log}");

    // a change whose application panics is refused and logged; the server
    // keeps the text it had and goes on serving
    let end = position(&editor.text, editor.text.len(), Encoding::Utf16);
    lsp.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": { "start": end, "end": end }, "text": "RUN lost\n" }] }),
    );
    lsp.notification(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("internal error in applying a change"))
    });

    // a panic outside any feature's guard, in a request and in a
    // notification: caught around the whole service
    let response = lsp.request("textDocument/signatureHelp", at.clone());
    assert_eq!(response["error"]["code"], -32603, "{response}");
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("textDocument/signatureHelp"), "{message}");
    lsp.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    lsp.notification(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("textDocument/didSave"))
    });

    // everything else still answers, on the text the server kept
    let definition = lsp.call("textDocument/definition", at);
    assert_eq!(definition["range"], editor.range(editor.span_of("builder")));
    let tokens = lsp.call(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert!(tokens["data"].as_array().is_some_and(|d| !d.is_empty()));
    assert!(lsp.shutdown().success());
}
