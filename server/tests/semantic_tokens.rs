//! Semantic tokens from `ide::semantic_tokens`: the kind and modifiers of
//! the token at known places of a fixture, and, on every corpus file, the
//! shape LSP requires (sorted, disjoint, single-line) and range requests
//! that agree with the whole document.

use std::path::{Path, PathBuf};

use dockerfile_ls::ide::{self, Analysis, Modifiers, Token, TokenKind};

use TokenKind as K;

const FIXTURE: &str = r#"# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM golang:1.22 AS builder
# build it
RUN --mount=type=cache,target=/root/.cache \
    go build -o /app "${GOFLAGS:-x}"
COPY --from=builder --chmod=755 /app /app
ENV MODE="fast $BASE" \
    OTHER=${MODE:+on}
LABEL org.example.key=value
EXPOSE 8080-8090/tcp 443
COPY <<EOT /etc/motd
hello
EOT
MAINTAINER someone
FROM builder AS test
RUN --mount=from=builder,target=/src true
FROM scratch
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
CMD ["/app", "serve"]
"#;

fn tokens(text: &str) -> Vec<Token> {
    let analysis = Analysis::of_text(text);
    ide::semantic_tokens(&analysis, text, 0..text.len())
}

/// `needle`, first found inside the first occurrence of `context`, is
/// exactly one token of this kind.
#[track_caller]
fn expect(tokens: &[Token], context: &str, needle: &str, kind: TokenKind, modifiers: Modifiers) {
    let at = FIXTURE
        .find(context)
        .unwrap_or_else(|| panic!("{context:?} not in the fixture"));
    let start = at
        + context
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {context:?}"));
    let range = start..start + needle.len();
    let token = tokens.iter().find(|t| t.range == range).unwrap_or_else(|| {
        let near: Vec<_> = tokens
            .iter()
            .filter(|t| t.range.end > start && t.range.start < range.end)
            .map(|t| (&FIXTURE[t.range.clone()], t.kind))
            .collect();
        panic!("no token {needle:?} in {context:?}; tokens there: {near:?}")
    });
    assert_eq!(
        (token.kind, token.modifiers),
        (kind, modifiers),
        "{needle:?} in {context:?}"
    );
}

#[test]
fn tokens_of_the_fixture() {
    let t = tokens(FIXTURE);
    let none = Modifiers::NONE;
    // directive, comment, keywords
    expect(&t, "# syntax", "#", K::Comment, none);
    expect(&t, "# syntax", "syntax", K::Directive, none);
    expect(&t, "syntax=", "=", K::Operator, none);
    expect(
        &t,
        "docker/dockerfile:1",
        "docker/dockerfile:1",
        K::String,
        none,
    );
    expect(&t, "# build it", "# build it", K::Comment, none);
    expect(&t, "FROM --platform", "FROM", K::Keyword, none);
    expect(&t, " AS builder", "AS", K::Keyword, none);
    expect(
        &t,
        "MAINTAINER",
        "MAINTAINER",
        K::Keyword,
        Modifiers::DEPRECATED,
    );
    // variables: declarations, uses, the automatic platform ARGs
    expect(&t, "ARG BASE", "BASE", K::Variable, Modifiers::DECLARATION);
    expect(&t, "BASE=alpine", "=", K::Operator, none);
    expect(&t, "alpine:3.20", "alpine:3.20", K::String, none);
    expect(&t, "$BUILDPLATFORM", "$", K::Operator, none);
    expect(
        &t,
        "$BUILDPLATFORM",
        "BUILDPLATFORM",
        K::Variable,
        Modifiers::DEFAULT_LIBRARY,
    );
    expect(&t, "ENV MODE", "MODE", K::Variable, Modifiers::DECLARATION);
    expect(&t, "\"fast $BASE", "\"fast ", K::String, none);
    expect(&t, "\"fast $BASE", "BASE", K::Variable, none);
    expect(&t, "${MODE:+on}", "${", K::Operator, none);
    expect(&t, "${MODE:+on}", "MODE", K::Variable, none);
    expect(&t, "${MODE:+on}", ":+", K::Operator, none);
    expect(&t, "${MODE:+on}", "on", K::String, none);
    expect(&t, "${MODE:+on}", "}", K::Operator, none);
    // a variable in shell text
    expect(&t, "${GOFLAGS", "GOFLAGS", K::Variable, none);
    // flags, values, mount keys
    expect(&t, "--platform", "--platform", K::Flag, none);
    expect(&t, "--mount=type", "--mount", K::Flag, none);
    expect(&t, "type=cache", "type", K::Flag, none);
    expect(&t, "type=cache", "cache", K::FlagValue, none);
    expect(&t, ",target=/root", "target", K::Flag, none);
    expect(&t, "--chmod=755", "--chmod", K::Flag, none);
    expect(&t, "--chmod=755", "755", K::FlagValue, none);
    // images, tags, stages: declared, then referenced the same way
    expect(&t, "golang:1.22", "golang", K::Image, none);
    expect(&t, "golang:1.22", "1.22", K::ImageTag, none);
    expect(
        &t,
        "AS builder",
        "builder",
        K::Stage,
        Modifiers::DECLARATION,
    );
    expect(&t, "--from=builder", "builder", K::Stage, none);
    expect(&t, "FROM builder", "builder", K::Stage, none);
    expect(&t, "AS test", "test", K::Stage, Modifiers::DECLARATION);
    expect(&t, "--mount=from=builder", "builder", K::Stage, none);
    expect(
        &t,
        "FROM scratch",
        "scratch",
        K::Image,
        Modifiers::DEFAULT_LIBRARY,
    );
    expect(&t, "--from=nginx:1.27", "nginx:1.27", K::Image, none);
    // labels, ports
    expect(&t, "org.example.key", "org.example.key", K::LabelKey, none);
    expect(&t, "key=value", "value", K::String, none);
    expect(&t, "8080-8090/tcp", "8080", K::Number, none);
    expect(&t, "8080-8090/tcp", "-", K::Operator, none);
    expect(&t, "8080-8090/tcp", "8090", K::Number, none);
    expect(&t, "8080-8090/tcp", "/", K::Operator, none);
    expect(&t, "8080-8090/tcp", "tcp", K::Protocol, none);
    expect(&t, "tcp 443", "443", K::Number, none);
    // heredocs, JSON
    expect(&t, "<<EOT", "<<", K::Operator, none);
    expect(&t, "<<EOT", "EOT", K::HeredocDelimiter, none);
    expect(&t, "hello", "hello", K::String, none);
    expect(&t, "\nEOT\n", "EOT", K::HeredocDelimiter, none);
    expect(&t, "[\"/app\"", "\"/app\"", K::String, none);
}

#[test]
fn unknown_instructions_and_plain_arguments_get_no_token() {
    let text = "FROM a\nRUNN make\nCOPY src dst\n";
    let t = tokens(text);
    let covered = |needle: &str| {
        let at = text.find(needle).unwrap();
        t.iter().any(|t| t.range.start <= at && at < t.range.end)
    };
    assert!(!covered("RUNN"), "an unknown keyword is no keyword");
    assert!(!covered("src"), "paths are left to the editor");
    assert!(covered("COPY"));
}

#[test]
fn values_continued_over_lines_give_a_token_per_line() {
    let text = "FROM a\nENV A=\"one \\\n  two\" B=1\n";
    let t = tokens(text);
    let strings: Vec<&str> = t
        .iter()
        .filter(|t| t.kind == K::String)
        .map(|t| &text[t.range.clone()])
        .collect();
    assert_eq!(strings, ["\"one ", "  two\"", "1"]);
}

#[test]
fn the_escape_directive_and_heredoc_bodies_split_per_line() {
    let text =
        "# escape=`\nFROM a\nRUN <<EOF\r\n  echo $HOME\r\n  true\r\nEOF\r\nENV X=1 `\n  Y=2\n";
    let t = tokens(text);
    let of_kind = |kind| -> Vec<&str> {
        t.iter()
            .filter(|t| t.kind == kind)
            .map(|t| &text[t.range.clone()])
            .collect()
    };
    assert_eq!(of_kind(K::String), ["`", "  echo $", "  true", "1", "2"]);
    assert_eq!(of_kind(K::Variable), ["HOME", "X", "Y"]);
}

// ---------------------------------------------------------------------------
// the shape LSP requires, on every real Dockerfile of the corpus

fn corpus_files() -> Vec<PathBuf> {
    let root = std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
        .join("real");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[track_caller]
fn assert_well_formed(name: &str, text: &str, tokens: &[Token]) {
    let mut end = 0;
    for token in tokens {
        let piece = text
            .get(token.range.clone())
            .unwrap_or_else(|| panic!("{name}: {token:?} is not on char boundaries"));
        assert!(!piece.is_empty(), "{name}: empty token {token:?}");
        assert!(
            !piece.contains(['\n', '\r']),
            "{name}: {token:?} {piece:?} crosses a line"
        );
        assert!(
            token.range.start >= end,
            "{name}: {token:?} overlaps or precedes the token before"
        );
        end = token.range.end;
    }
}

#[test]
fn every_corpus_file_gets_sorted_disjoint_single_line_tokens() {
    let files = corpus_files();
    assert!(
        files.len() >= 100,
        "corpus not found ({} files)",
        files.len()
    );
    let mut rng = fastrand::Rng::with_seed(11);
    for path in files {
        let name = path.display().to_string();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let analysis = Analysis::of_text(&text);
        let all = ide::semantic_tokens(&analysis, text.as_str(), 0..text.len());
        assert_well_formed(&name, &text, &all);
        assert!(
            all.iter().any(|t| t.kind == K::Keyword),
            "{name}: no keyword"
        );
        assert!(ide::semantic_tokens(&analysis, text.as_str(), 5..5).is_empty());
        // a range request returns exactly the tokens that touch the range
        for _ in 0..4 {
            let a = rng.usize(..=text.len());
            let b = rng.usize(..=text.len());
            let range = a.min(b)..a.max(b).max(a.min(b) + 1).min(text.len());
            let some = ide::semantic_tokens(&analysis, text.as_str(), range.clone());
            let expected: Vec<Token> = all
                .iter()
                .filter(|t| t.range.end > range.start && t.range.start < range.end)
                .cloned()
                .collect();
            assert_eq!(some, expected, "{name}: range {range:?}");
        }
    }
}

#[test]
fn a_rope_and_a_string_give_the_same_tokens() {
    let text = FIXTURE.repeat(40);
    let rope = ropey::Rope::from_str(&text);
    let analysis = Analysis::of_text(&text);
    assert_eq!(
        ide::semantic_tokens(&analysis, &rope, 0..text.len()),
        ide::semantic_tokens(&analysis, text.as_str(), 0..text.len())
    );
}
