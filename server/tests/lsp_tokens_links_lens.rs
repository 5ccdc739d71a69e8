//! Semantic tokens, document links and code lenses over the wire: the built
//! binary, spoken to over stdio as an editor does. Tokens are decoded with
//! the legend the server sent in `initialize`, and their positions computed
//! by the client in the negotiated encoding.

mod support;

use serde_json::{json, Value};

use support::*;

const TEXT: &str = "\
# syntax=docker/dockerfile:1
ARG VERSION=1.22
FROM golang:${VERSION} AS build
LABEL note=\"🐳 build\" stage=build
RUN --mount=type=cache,target=/root/.cache go build -o /app .
FROM build AS test
RUN go test ./...
FROM scratch
COPY --from=build /app /app
";

/// A decoded token: line, start and length in the negotiated encoding, its
/// type and modifiers as legend names.
#[derive(Debug, Clone, PartialEq)]
struct Decoded {
    line: u64,
    start: u64,
    length: u64,
    kind: String,
    modifiers: Vec<String>,
}

fn decode(data: &Value, legend: &Value) -> Vec<Decoded> {
    let numbers: Vec<u64> = data
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|n| n.as_u64().expect("an unsigned integer"))
        .collect();
    assert_eq!(numbers.len() % 5, 0, "five integers per token");
    let types = legend["tokenTypes"].as_array().unwrap();
    let modifiers = legend["tokenModifiers"].as_array().unwrap();
    let (mut line, mut start) = (0, 0);
    numbers
        .chunks(5)
        .map(|t| {
            if t[0] > 0 {
                start = 0;
            }
            line += t[0];
            start += t[1];
            Decoded {
                line,
                start,
                length: t[2],
                kind: types[t[3] as usize].as_str().unwrap().to_string(),
                modifiers: (0..modifiers.len())
                    .filter(|bit| t[4] & (1 << bit) != 0)
                    .map(|bit| modifiers[bit].as_str().unwrap().to_string())
                    .collect(),
            }
        })
        .collect()
}

/// Applies delta edits (integer indices into the flat array) to old data.
fn apply_edits(old: &Value, edits: &Value) -> Value {
    let mut data: Vec<Value> = old.as_array().unwrap().clone();
    let mut edits: Vec<&Value> = edits.as_array().unwrap().iter().collect();
    // from the back, so earlier indices stay valid
    edits.sort_by_key(|e| std::cmp::Reverse(e["start"].as_u64().unwrap()));
    for edit in edits {
        let start = edit["start"].as_u64().unwrap() as usize;
        let delete = edit["deleteCount"].as_u64().unwrap() as usize;
        let insert = edit["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..start + delete, insert);
    }
    Value::Array(data)
}

struct Session {
    lsp: Lsp,
    legend: Value,
    editor: Editor,
}

fn start(encoding: Encoding, options: Value) -> Session {
    let name = match encoding {
        Encoding::Utf8 => "utf-8",
        Encoding::Utf16 => "utf-16",
        Encoding::Utf32 => "utf-32",
    };
    let (mut lsp, result) = Lsp::initialized(capabilities(Some(&[name])), options);
    assert_eq!(result["capabilities"]["positionEncoding"], name);
    let provider = &result["capabilities"]["semanticTokensProvider"];
    let legend = provider["legend"].clone();
    let editor = Editor::open(&mut lsp, "file:///w/Dockerfile", TEXT, encoding);
    Session {
        lsp,
        legend,
        editor,
    }
}

impl Session {
    fn full(&mut self) -> Value {
        self.lsp.call(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": self.editor.uri } }),
        )
    }

    /// The token covering exactly `needle` (first found inside `context`).
    fn token_at(&self, tokens: &[Decoded], context: &str, needle: &str) -> Decoded {
        let start = self.editor.offset_of(context) + context.find(needle).unwrap();
        let text = &self.editor.text;
        let at = position(text, start, self.editor.encoding);
        let line = at["line"].as_u64().unwrap();
        let column = at["character"].as_u64().unwrap();
        let length = self.editor.encoding.units(needle) as u64;
        tokens
            .iter()
            .find(|t| t.line == line && t.start == column && t.length == length)
            .cloned()
            .unwrap_or_else(|| panic!("no token for {needle:?} in {context:?}: {tokens:?}"))
    }
}

fn kind(token: &Decoded) -> (&str, Vec<&str>) {
    (
        token.kind.as_str(),
        token.modifiers.iter().map(String::as_str).collect(),
    )
}

#[test]
fn initialize_advertises_tokens_links_and_lenses() {
    let (lsp, result) = Lsp::initialized(capabilities(None), Value::Null);
    let caps = &result["capabilities"];
    let tokens = &caps["semanticTokensProvider"];
    assert_eq!(tokens["range"], true);
    assert_eq!(tokens["full"]["delta"], true);
    let types = tokens["legend"]["tokenTypes"].as_array().unwrap();
    assert!(types.contains(&json!("keyword")) && types.contains(&json!("class")));
    assert_eq!(
        tokens["legend"]["tokenModifiers"],
        json!(["declaration", "deprecated", "defaultLibrary"])
    );
    assert_eq!(caps["documentLinkProvider"]["resolveProvider"], false);
    assert_eq!(caps["codeLensProvider"]["resolveProvider"], false);
    assert!(lsp.shutdown().success());
}

#[test]
fn full_tokens_decode_to_the_right_kinds_in_every_encoding() {
    for encoding in [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32] {
        let mut s = start(encoding, Value::Null);
        let result = s.full();
        assert!(result["resultId"].is_string());
        let tokens = decode(&result["data"], &s.legend);
        let at = |context, needle| kind(&s.token_at(&tokens, context, needle)).0.to_string();
        assert_eq!(at("# syntax", "syntax"), "macro");
        assert_eq!(at("ARG VERSION", "ARG"), "keyword");
        assert_eq!(at("golang:", "golang"), "type");
        assert_eq!(at("${VERSION}", "VERSION"), "variable");
        assert_eq!(at("${VERSION}", "${"), "operator");
        // after the emoji: columns differ per encoding
        assert_eq!(at("stage=build", "stage"), "property");
        assert_eq!(at("stage=build", "build"), "string");
        assert_eq!(at("--mount", "--mount"), "parameter");
        assert_eq!(at("type=cache", "type"), "parameter");
        assert_eq!(at("type=cache", "cache"), "property");
        assert_eq!(
            kind(&s.token_at(&tokens, "ARG VERSION", "VERSION")),
            ("variable", vec!["declaration"])
        );
        assert_eq!(
            kind(&s.token_at(&tokens, "AS build", "build")),
            ("class", vec!["declaration"])
        );
        assert_eq!(
            kind(&s.token_at(&tokens, "FROM build", "build")),
            ("class", vec![])
        );
        assert_eq!(
            kind(&s.token_at(&tokens, "--from=build", "build")),
            ("class", vec![])
        );
        assert_eq!(
            kind(&s.token_at(&tokens, "scratch", "scratch")),
            ("type", vec!["defaultLibrary"])
        );
        assert!(s.lsp.shutdown().success());
    }
}

#[test]
fn deltas_and_ranges_agree_with_full_results() {
    let mut s = start(Encoding::Utf16, Value::Null);
    let first = s.full();
    // rename a stage on one line: only that line's tokens change
    let span = s.editor.span_of("AS test");
    s.editor.edit(&mut s.lsp, span, "AS unit-tests");
    let delta = s.lsp.call(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": s.editor.uri }, "previousResultId": first["resultId"] }),
    );
    let edits = &delta["edits"];
    assert!(edits.is_array(), "a delta, not a full result: {delta}");
    assert!(
        edits.as_array().unwrap().len() <= 1
            && edits[0]["data"].as_array().map_or(0, Vec::len) <= 10,
        "a small delta: {edits}"
    );
    let patched = apply_edits(&first["data"], edits);
    let fresh = s.full();
    assert_eq!(patched, fresh["data"], "delta applied equals a full result");
    assert_ne!(delta["resultId"], first["resultId"]);

    // an unknown previous result gets a full result
    let unknown = s.lsp.call(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": s.editor.uri }, "previousResultId": "nope" }),
    );
    assert_eq!(unknown["data"], fresh["data"]);

    // a range: exactly the full result's tokens on those lines
    let all = decode(&fresh["data"], &s.legend);
    let range = s.lsp.call(
        "textDocument/semanticTokens/range",
        json!({
            "textDocument": { "uri": s.editor.uri },
            "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 5, "character": 0 } },
        }),
    );
    let some = decode(&range["data"], &s.legend);
    let expected: Vec<Decoded> = all
        .into_iter()
        .filter(|t| (3..5).contains(&t.line))
        .collect();
    assert!(!some.is_empty());
    assert_eq!(some, expected);
    assert!(s.lsp.shutdown().success());
}

#[test]
fn links_point_images_at_their_registry_pages() {
    let mut s = start(Encoding::Utf16, Value::Null);
    let links = s.lsp.call(
        "textDocument/documentLink",
        json!({ "textDocument": { "uri": s.editor.uri } }),
    );
    let golang = s.editor.span_of("golang");
    assert_eq!(
        links,
        json!([{
            "range": s.editor.range(golang),
            "target": "https://hub.docker.com/_/golang",
        }]),
        "the stage and scratch are no links"
    );
    assert!(s.lsp.shutdown().success());
}

#[test]
fn lenses_show_users_and_the_final_image_and_follow_the_target() {
    let mut s = start(Encoding::Utf16, Value::Null);
    let lenses = |s: &mut Session| -> Vec<(Value, String, String)> {
        let result = s.lsp.call(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": s.editor.uri } }),
        );
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|lens| {
                (
                    lens["range"]["start"]["line"].clone(),
                    lens["command"]["title"].as_str().unwrap().to_string(),
                    lens["command"]["command"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let text = |line: u64, title: &str| (json!(line), title.to_string(), String::new());
    assert_eq!(
        lenses(&mut s),
        [
            text(2, "used by: test, stage-2"),
            text(5, "not used by the final image"),
            text(7, "final image"),
        ]
    );
    assert!(s.lsp.shutdown().success());

    let mut s = start(
        Encoding::Utf16,
        json!({ "dockerfile-ls": { "target": "test" } }),
    );
    assert_eq!(
        lenses(&mut s),
        [
            text(2, "used by: test, stage-2"),
            text(5, "final image"),
            text(7, "not used by the final image"),
        ]
    );
    assert!(s.lsp.shutdown().success());
}

/// Not a check (no timing assertions in tests): prints how long a client
/// waits for the tokens of a 10,000-line file, JSON and pipes included.
/// `cargo test --release -p dockerfile-ls --test lsp_tokens_links_lens -- --ignored --nocapture`
#[test]
#[ignore = "a measurement, run in release mode"]
fn timing_over_the_wire_on_ten_thousand_lines() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut text = String::new();
    for path in files {
        if text.lines().count() >= 10_000 {
            break;
        }
        text.push_str(&String::from_utf8_lossy(&std::fs::read(path).unwrap()));
        if !text.ends_with('\n') {
            text.push('\n');
        }
    }
    let (mut lsp, _) = Lsp::initialized(capabilities(None), Value::Null);
    let uri = "file:///w/big.Dockerfile";
    lsp.open(uri, &text, 1);
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = std::time::Instant::now();
        let result = lsp.call(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": uri } }),
        );
        times.push(start.elapsed());
        assert!(result["data"].as_array().is_some_and(|d| !d.is_empty()));
    }
    times.sort();
    println!(
        "{} lines: semanticTokens/full round trip, median {:?} (min {:?}, max {:?})",
        text.lines().count(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    assert!(lsp.shutdown().success());
}
