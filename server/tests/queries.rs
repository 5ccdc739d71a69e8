//! The editor queries in `queries/` (highlights, injections, folds) compile
//! against our grammar and capture, on a sample Dockerfile, what a user of
//! Neovim, Helix or Zed should see.
//!
//! Besides concrete captures, two rules keep the highlights portable:
//! - no node is captured under two highlight names: Neovim lets the later
//!   pattern win, tree-sitter-highlight and Helix the earlier one;
//! - no node carries a helper capture (`@_name`) next to a highlight:
//!   tree-sitter-highlight honours only a node's first capture, so a helper
//!   capture that comes first hides the highlight.
//!
//! These are checked on the sample and, when it is present, on every file of
//! the shared corpus (/work/shared/corpus).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dockerfile_ls::syntax;
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

const SAMPLE: &str = r#"# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
# fetch modules first
WORKDIR /src
RUN --mount=type=cache,target=/go/pkg/mod \
    apk add --no-cache git && \
    go mod download
RUN <<EOF
set -e
go build -o /out/app .
EOF
COPY <<EOT /etc/app.conf
level=debug
EOT

FROM alpine:3.19@sha256:0123abcd AS certs

FROM scratch AS final
COPY --from=build /out/app /app
COPY --from=certs /etc/ssl/certs /etc/ssl/certs
RUN --mount=type=bind,from=build,source=/out,target=/mnt ls /mnt
ENV MODE=prod GREETING="hi ${USER:-you}"
LABEL org.opencontainers.image.title="app"
EXPOSE 8080/tcp
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s CMD wget -q -O- http://localhost:8080/ || exit 1
ONBUILD RUN echo later
CMD ["/app", "--serve"]
FROOB not an instruction
"#;

/// Capture names a theme of Neovim, Helix or Zed knows.
const STANDARD_HIGHLIGHTS: &[&str] = &[
    "comment",
    "constant",
    "constant.builtin",
    "embedded",
    "error",
    "keyword",
    "keyword.directive",
    "label",
    "number",
    "operator",
    "property",
    "punctuation.bracket",
    "punctuation.delimiter",
    "punctuation.special",
    "string",
    "string.escape",
    "string.special",
    "string.special.path",
    "type",
    "variable",
];

// ---------------------------------------------------------------------------
// helpers

fn queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../queries")
}

fn load(name: &str) -> Query {
    let path = queries_dir().join(name);
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    Query::new(&syntax::language(), &source)
        .unwrap_or_else(|err| panic!("{name} does not compile: {err}"))
}

/// One captured node.
#[derive(Clone, Debug)]
struct Capture {
    name: String,
    kind: String,
    start: usize,
    end: usize,
    start_row: usize,
    end_row: usize,
    text: String,
}

/// Every capture of every match (text predicates applied by the cursor).
fn captures(query: &Query, tree: &Tree, text: &str) -> Vec<Capture> {
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(query, tree.root_node(), text.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        for capture in m.captures() {
            out.push(capture_of(
                query.capture_names()[capture.index as usize],
                capture.node,
                text,
            ));
        }
    }
    out
}

fn capture_of(name: &str, node: Node<'_>, text: &str) -> Capture {
    Capture {
        name: name.to_string(),
        kind: node.kind().to_string(),
        start: node.start_byte(),
        end: node.end_byte(),
        start_row: node.start_position().row,
        end_row: node.end_position().row,
        text: text[node.byte_range()].to_string(),
    }
}

/// Byte range of the `occurrence`-th (0-based) `needle` on the first line of
/// the sample that starts with `line_prefix`.
fn locate(text: &str, line_prefix: &str, needle: &str, occurrence: usize) -> (usize, usize) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(line_prefix) {
            let (index, _) = line
                .match_indices(needle)
                .nth(occurrence)
                .unwrap_or_else(|| panic!("{needle:?} #{occurrence} not on line {line:?}"));
            return (offset + index, offset + index + needle.len());
        }
        offset += line.len();
    }
    panic!("no line starts with {line_prefix:?}");
}

/// Highlight names (helper captures left out) of the nodes that span exactly
/// `needle` on the line starting with `line_prefix`.
fn highlights_at(
    caps: &[Capture],
    line_prefix: &str,
    needle: &str,
    occurrence: usize,
) -> BTreeSet<String> {
    let (start, end) = locate(SAMPLE, line_prefix, needle, occurrence);
    caps.iter()
        .filter(|c| c.start == start && c.end == end && !c.name.starts_with('_'))
        .map(|c| c.name.clone())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn sample_highlights() -> Vec<Capture> {
    let tree = syntax::parse(SAMPLE);
    assert!(
        !tree.root_node().has_error(),
        "the sample should parse without errors: {}",
        syntax::to_sexp(tree.root_node())
    );
    captures(&load("highlights.scm"), &tree, SAMPLE)
}

/// Nodes captured under two highlight names, or under a highlight and a
/// helper capture, as "kind `text`: names".
fn conflicting_captures(caps: &[Capture]) -> Vec<String> {
    let mut by_node: BTreeMap<(usize, usize, &str), BTreeSet<&str>> = BTreeMap::new();
    for c in caps {
        by_node
            .entry((c.start, c.end, c.kind.as_str()))
            .or_default()
            .insert(c.name.as_str());
    }
    let mut out = Vec::new();
    for ((start, end, kind), names) in by_node {
        let highlights = names.iter().filter(|n| !n.starts_with('_')).count();
        let helpers = names.len() - highlights;
        if highlights > 1 || (highlights == 1 && helpers > 0) {
            out.push(format!("{kind} at {start}..{end}: {names:?}"));
        }
    }
    out
}

/// One injection as an editor computes it: the language and the text the
/// injected parser sees.
#[derive(Debug, PartialEq, Eq)]
struct Injection {
    language: String,
    text: String,
    combined: bool,
}

fn injections(text: &str) -> Vec<Injection> {
    let query = load("injections.scm");
    let tree = syntax::parse(text);
    let content = query
        .capture_index_for_name("injection.content")
        .expect("injections.scm captures @injection.content");
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), text.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        let settings = query.property_settings(m.pattern_index);
        let setting = |key: &str| settings.iter().find(|p| &*p.key == key);
        let language = setting("injection.language")
            .and_then(|p| p.value.as_deref())
            .expect("every injection sets injection.language")
            .to_string();
        let include_children = setting("injection.include-children").is_some();
        let combined = setting("injection.combined").is_some();
        for capture in m.captures().iter().filter(|c| c.index == content) {
            out.push(Injection {
                language: language.clone(),
                text: injected_text(capture.node, include_children, text),
                combined,
            });
        }
    }
    out
}

/// The text of `node` as an injected parser reads it: without
/// `injection.include-children`, the ranges of the node's children are left
/// out (as tree-sitter-highlight, Neovim, Helix and Zed do).
fn injected_text(node: Node<'_>, include_children: bool, text: &str) -> String {
    if include_children {
        return text[node.byte_range()].to_string();
    }
    let mut out = String::new();
    let mut at = node.start_byte();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        out.push_str(&text[at..child.start_byte()]);
        at = child.end_byte();
    }
    out.push_str(&text[at..node.end_byte()]);
    out
}

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let root = if root.is_dir() {
        root
    } else {
        PathBuf::from("/work/shared/corpus")
    };
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("Dockerfile") || n.ends_with(".dockerfile"))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

// ---------------------------------------------------------------------------
// all queries

#[test]
fn every_query_file_compiles() {
    let mut names: Vec<String> = std::fs::read_dir(queries_dir())
        .expect("queries/ exists next to server/")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".scm"))
        .collect();
    names.sort();
    for expected in ["folds.scm", "highlights.scm", "injections.scm"] {
        assert!(
            names.iter().any(|n| n == expected),
            "queries/{expected} is missing (found {names:?})"
        );
    }
    for name in &names {
        let query = load(name);
        assert!(query.pattern_count() > 0, "{name} has no patterns");
    }
}

// ---------------------------------------------------------------------------
// highlights

#[test]
fn highlight_capture_names_are_standard() {
    let query = load("highlights.scm");
    let unknown: Vec<&str> = query
        .capture_names()
        .iter()
        .copied()
        .filter(|n| !n.starts_with('_') && !STANDARD_HIGHLIGHTS.contains(n))
        .collect();
    assert!(unknown.is_empty(), "non-standard captures: {unknown:?}");
}

#[test]
fn highlights_of_instructions_comments_and_directives() {
    let caps = sample_highlights();
    let at = |prefix, needle, occurrence| highlights_at(&caps, prefix, needle, occurrence);

    assert_eq!(
        at("# syntax", "# syntax=docker/dockerfile:1", 0),
        set(&["keyword.directive"])
    );
    assert_eq!(at("# fetch", "# fetch modules first", 0), set(&["comment"]));
    assert_eq!(at("FROM --platform", "FROM", 0), set(&["keyword"]));
    assert_eq!(at("FROM --platform", "AS", 0), set(&["keyword"]));
    assert_eq!(at("RUN --mount=type=cache", "RUN", 0), set(&["keyword"]));
    assert_eq!(at("HEALTHCHECK", "HEALTHCHECK", 0), set(&["keyword"]));
    assert_eq!(at("HEALTHCHECK", "CMD", 0), set(&["keyword"]));
    assert_eq!(at("ONBUILD", "ONBUILD", 0), set(&["keyword"]));
    assert_eq!(at("ONBUILD", "RUN", 0), set(&["keyword"]));
    // an unknown instruction is an error, not a keyword
    assert_eq!(at("FROOB", "FROOB", 0), set(&["error"]));
    // the escape character of a line continuation
    assert_eq!(
        at("RUN --mount=type=cache", "\\\n", 0),
        set(&["string.escape"])
    );
}

#[test]
fn highlights_of_images_stages_and_flags() {
    let caps = sample_highlights();
    let at = |prefix, needle, occurrence| highlights_at(&caps, prefix, needle, occurrence);

    // FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build
    assert_eq!(at("FROM --platform", "golang", 0), set(&["type"]));
    assert_eq!(
        at("FROM --platform", "${GO_VERSION}-alpine", 0),
        set(&["string.special"])
    );
    assert_eq!(
        at("FROM --platform", ":", 0),
        set(&["punctuation.delimiter"])
    );
    assert_eq!(at("FROM --platform", "build", 0), set(&["label"]));
    assert_eq!(
        at("FROM --platform", "--platform=$BUILDPLATFORM", 0),
        set(&["property"])
    );
    assert_eq!(at("FROM --platform", "platform", 0), set(&["property"]));
    assert_eq!(at("FROM --platform", "=", 0), set(&["operator"]));
    assert_eq!(at("FROM --platform", "$", 0), set(&["punctuation.special"]));
    assert_eq!(
        at("FROM --platform", "BUILDPLATFORM", 0),
        set(&["variable"])
    );
    assert_eq!(
        at("FROM --platform", "${", 0),
        set(&["punctuation.special"])
    );
    assert_eq!(at("FROM --platform", "GO_VERSION", 0), set(&["variable"]));

    // FROM alpine:3.19@sha256:0123abcd AS certs
    assert_eq!(at("FROM alpine", "alpine", 0), set(&["type"]));
    assert_eq!(at("FROM alpine", "3.19", 0), set(&["string.special"]));
    assert_eq!(at("FROM alpine", "@", 0), set(&["punctuation.delimiter"]));
    assert_eq!(at("FROM alpine", "sha256:0123abcd", 0), set(&["number"]));
    assert_eq!(at("FROM alpine", "certs", 0), set(&["label"]));

    // FROM scratch is the empty image, not a name to look up
    assert_eq!(at("FROM scratch", "scratch", 0), set(&["constant.builtin"]));
    assert_eq!(at("FROM scratch", "final", 0), set(&["label"]));

    // stage references
    assert_eq!(at("COPY --from=build", "from", 0), set(&["property"]));
    assert_eq!(at("COPY --from=build", "build", 0), set(&["label"]));
    assert_eq!(
        at("COPY --from=build", "/out/app", 0),
        set(&["string.special.path"])
    );
    assert_eq!(at("COPY --from=certs", "certs", 0), set(&["label"]));
    assert_eq!(at("RUN --mount=type=bind", "from", 0), set(&["property"]));
    assert_eq!(at("RUN --mount=type=bind", "build", 0), set(&["label"]));

    // other flag values are strings, mount keys are properties
    assert_eq!(at("HEALTHCHECK", "5s", 0), set(&["string"]));
    assert_eq!(at("RUN --mount=type=cache", "mount", 0), set(&["property"]));
    assert_eq!(at("RUN --mount=type=cache", "type", 0), set(&["property"]));
    assert_eq!(at("RUN --mount=type=cache", "cache", 0), set(&["string"]));
    assert_eq!(
        at("RUN --mount=type=cache", ",", 0),
        set(&["punctuation.delimiter"])
    );
    assert_eq!(
        at("RUN --mount=type=cache", "target", 0),
        set(&["property"])
    );
    assert_eq!(
        at("RUN --mount=type=cache", "/go/pkg/mod", 0),
        set(&["string"])
    );
}

#[test]
fn highlights_of_arguments() {
    let caps = sample_highlights();
    let at = |prefix, needle, occurrence| highlights_at(&caps, prefix, needle, occurrence);

    assert_eq!(at("ARG", "GO_VERSION", 0), set(&["variable"]));
    assert_eq!(at("ARG", "1.22", 0), set(&["string"]));

    // ENV MODE=prod GREETING="hi ${USER:-you}"
    assert_eq!(at("ENV", "MODE", 0), set(&["variable"]));
    assert_eq!(at("ENV", "prod", 0), set(&["string"]));
    assert_eq!(at("ENV", "GREETING", 0), set(&["variable"]));
    assert_eq!(at("ENV", "\"hi ${USER:-you}\"", 0), set(&["string"]));
    assert_eq!(at("ENV", "${USER:-you}", 0), set(&["embedded"]));
    assert_eq!(at("ENV", "USER", 0), set(&["variable"]));
    assert_eq!(at("ENV", ":-", 0), set(&["operator"]));
    assert_eq!(at("ENV", "}", 0), set(&["punctuation.special"]));

    assert_eq!(
        at("LABEL", "org.opencontainers.image.title", 0),
        set(&["property"])
    );
    assert_eq!(at("LABEL", "\"app\"", 0), set(&["string"]));
    assert_eq!(at("WORKDIR", "/src", 0), set(&["string.special.path"]));
    assert_eq!(at("EXPOSE", "8080/tcp", 0), set(&["number"]));
    assert_eq!(at("STOPSIGNAL", "SIGTERM", 0), set(&["constant"]));

    // CMD ["/app", "--serve"]
    assert_eq!(at("CMD", "[", 0), set(&["punctuation.bracket"]));
    assert_eq!(at("CMD", "\"/app\"", 0), set(&["string"]));
    assert_eq!(at("CMD", ",", 0), set(&["punctuation.delimiter"]));
    assert_eq!(at("CMD", "\"--serve\"", 0), set(&["string"]));
    assert_eq!(at("CMD", "]", 0), set(&["punctuation.bracket"]));

    // heredocs: markers and terminators like bash's, COPY bodies are strings
    assert_eq!(at("RUN <<EOF", "<<EOF", 0), set(&["label"]));
    assert_eq!(at("COPY <<EOT", "<<EOT", 0), set(&["label"]));
    assert_eq!(
        at("COPY <<EOT", "/etc/app.conf", 0),
        set(&["string.special.path"])
    );
    assert_eq!(at("level=debug", "level=debug\n", 0), set(&["string"]));
    assert_eq!(at("EOT", "EOT", 0), set(&["label"]));
    // the RUN heredoc body is left to the bash injection
    assert!(
        !caps.iter().any(|c| c.text.starts_with("set -e")),
        "the RUN heredoc body should not be highlighted: {:?}",
        caps.iter()
            .filter(|c| c.text.starts_with("set -e"))
            .collect::<Vec<_>>()
    );
    // shell code is left to the bash injection too
    assert!(
        !caps
            .iter()
            .any(|c| c.kind == "shell_command" || c.kind == "shell_fragment"),
        "shell commands should not be highlighted by the Dockerfile query"
    );
}

#[test]
fn no_node_gets_two_highlights_in_the_sample() {
    let conflicts = conflicting_captures(&sample_highlights());
    assert!(conflicts.is_empty(), "{conflicts:#?}");
}

#[test]
fn no_node_gets_two_highlights_in_the_corpus() {
    let files = corpus_files();
    if files.is_empty() {
        eprintln!("no corpus under /work/shared/corpus; skipped");
        return;
    }
    let query = load("highlights.scm");
    let mut failures = Vec::new();
    for path in &files {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let tree = syntax::parse(&text);
        for conflict in conflicting_captures(&captures(&query, &tree, &text)) {
            failures.push(format!("{}: {conflict}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} conflicts in {} files, first ones:\n{}",
        failures.len(),
        files.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

// ---------------------------------------------------------------------------
// injections

#[test]
fn shell_commands_and_run_heredocs_are_injected_as_bash() {
    let bash: Vec<String> = injections(SAMPLE)
        .into_iter()
        .filter(|i| i.language == "bash")
        .map(|i| {
            assert!(
                !i.combined,
                "a combined injection would glue all RUNs of a file into one script"
            );
            i.text
        })
        .collect();
    assert_eq!(
        bash,
        [
            // the multi-line RUN, as one script, with bash's own `\` newlines
            "apk add --no-cache git && \\\n    go mod download",
            // RUN <<EOF: the command line is just the marker (bash sees a
            // heredoc without a body there: a small ERROR, harmless), then
            // the body as its own script
            "<<EOF",
            "set -e\ngo build -o /out/app .\n",
            "ls /mnt",
            "wget -q -O- http://localhost:8080/ || exit 1",
            "echo later",
        ]
    );
}

#[test]
fn non_shell_text_is_not_injected_as_bash() {
    let text = "COPY <<EOT /etc/x\necho not a script\nEOT\n\
                FROOB echo not shell either\n\
                SHELL pwsh -c\n\
                CMD [\"echo\", \"exec form\"]\n\
                USER echo\n";
    let injected = injections(text);
    let bash: Vec<&Injection> = injected.iter().filter(|i| i.language == "bash").collect();
    assert!(bash.is_empty(), "unexpected bash injections: {bash:#?}");
}

#[test]
fn comments_are_injected_for_todo_highlighting() {
    let comments: Vec<String> = injections(SAMPLE)
        .into_iter()
        .filter(|i| i.language == "comment")
        .map(|i| i.text)
        .collect();
    assert_eq!(comments, ["# fetch modules first"]);
}

#[test]
fn shell_command_with_a_comment_in_its_continuation() {
    // BuildKit drops the comment line; bash reads it as a comment after `&&`,
    // where a newline is allowed, so the command still parses as one.
    let text = "RUN apt-get update && \\\n# the compiler\n    apt-get install -y gcc\n";
    let bash: Vec<String> = injections(text)
        .into_iter()
        .filter(|i| i.language == "bash")
        .map(|i| i.text)
        .collect();
    assert_eq!(
        bash,
        ["apt-get update && \\\n# the compiler\n    apt-get install -y gcc"]
    );
}

// ---------------------------------------------------------------------------
// folds

#[test]
fn multi_line_instructions_and_heredocs_fold() {
    let tree = syntax::parse(SAMPLE);
    let caps = captures(&load("folds.scm"), &tree, SAMPLE);
    assert!(caps.iter().all(|c| c.name == "fold"));
    // editors only offer folds that span lines
    let multi_line: Vec<(&str, usize, usize)> = caps
        .iter()
        .filter(|c| c.end_row > c.start_row)
        .map(|c| (c.kind.as_str(), c.start_row, c.end_row))
        .collect();
    assert_eq!(
        multi_line,
        [
            // RUN --mount=… \ apk add … \ go mod download
            ("run_instruction", 5, 7),
            // RUN <<EOF … EOF
            ("run_instruction", 8, 11),
            ("heredoc", 8, 11),
            // COPY <<EOT … EOT
            ("copy_instruction", 12, 14),
            ("heredoc", 12, 14),
        ]
    );
    let run = caps
        .iter()
        .find(|c| c.kind == "run_instruction" && c.start_row == 5)
        .unwrap();
    assert!(run.text.starts_with("RUN --mount=type=cache"));
    assert!(run.text.ends_with("go mod download"));
    // single-line instructions are captured too (ONBUILD and its trigger)
    let onbuild: Vec<&str> = caps
        .iter()
        .filter(|c| c.start_row == 27)
        .map(|c| c.kind.as_str())
        .collect();
    assert_eq!(onbuild, ["onbuild_instruction", "run_instruction"]);
    // one capture per node: no instruction type is listed twice
    let nodes: BTreeSet<(usize, usize, &str)> = caps
        .iter()
        .map(|c| (c.start, c.end, c.kind.as_str()))
        .collect();
    assert_eq!(
        nodes.len(),
        caps.len(),
        "a node is captured twice: {caps:#?}"
    );
}
