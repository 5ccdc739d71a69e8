//! Completion fixtures: `$0` marks the cursor (removed before analysis).
//! Each test names the labels it expects and some it must not see.

use std::time::Instant;

use dockerfile_ls::ide::{self, Analysis, CompletionItem, CompletionKind};

struct Completed {
    source: String,
    items: Vec<CompletionItem>,
}

impl Completed {
    fn labels(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.label.as_str()).collect()
    }

    fn item(&self, label: &str) -> &CompletionItem {
        self.items
            .iter()
            .find(|i| i.label == label)
            .unwrap_or_else(|| panic!("no {label:?} among {:?}", self.labels()))
    }

    /// The text an item replaces.
    fn replaced(&self, label: &str) -> &str {
        &self.source[self.item(label).range.clone()]
    }

    /// The text after applying an item (plain-text insert).
    fn applied(&self, label: &str) -> String {
        let item = self.item(label);
        let mut text = self.source.clone();
        text.replace_range(item.range.clone(), &item.insert);
        text
    }
}

fn complete(text: &str) -> Completed {
    let cursor = text.find("$0").expect("a $0 cursor");
    let source = text.replacen("$0", "", 1);
    let analysis = Analysis::of_text(&source);
    let items = ide::completion(&analysis, source.as_str(), cursor);
    for item in &items {
        assert!(
            !item.documentation.trim().is_empty(),
            "{} has no documentation",
            item.label
        );
        assert!(
            item.range.start <= cursor
                && cursor <= item.range.end
                && item.range.end <= source.len(),
            "{} replaces {:?} around the cursor {cursor}",
            item.label,
            item.range
        );
    }
    Completed { source, items }
}

#[track_caller]
fn assert_offers(text: &str, present: &[&str], absent: &[&str]) -> Completed {
    let completed = complete(text);
    let labels = completed.labels();
    for label in present {
        assert!(labels.contains(label), "{label:?} missing from {labels:?}");
    }
    for label in absent {
        assert!(!labels.contains(label), "{label:?} offered in {labels:?}");
    }
    completed
}

#[track_caller]
fn assert_nothing(text: &str) {
    let completed = complete(text);
    assert!(
        completed.items.is_empty(),
        "expected nothing, got {:?}",
        completed.labels()
    );
}

// ---------------------------------------------------------------------------
// keywords and directives

#[test]
fn keywords_at_the_start_of_a_line_in_a_stage() {
    let c = assert_offers(
        "FROM alpine\nR$0\n",
        &["RUN", "COPY", "FROM", "ENV", "HEALTHCHECK", "MAINTAINER"],
        &["--from"],
    );
    assert_eq!(c.replaced("RUN"), "R");
    let run = c.item("RUN");
    assert_eq!(run.kind, CompletionKind::Keyword);
    assert_eq!(run.insert, "RUN ");
    assert_eq!(run.snippet.as_deref(), Some("RUN ${1:command}"));
    assert!(c.item("MAINTAINER").deprecated);
    assert!(!run.deprecated);
}

#[test]
fn keywords_follow_the_casing_being_typed() {
    let c = assert_offers("from alpine\nru$0", &["run", "copy"], &["RUN"]);
    assert_eq!(c.applied("run"), "from alpine\nrun ");
    // nothing typed yet: the casing of the stage's FROM
    assert_offers("from alpine\n$0", &["run"], &["RUN"]);
}

#[test]
fn only_arg_and_from_before_the_first_from() {
    assert_offers(
        "ARG VERSION=1\n$0\nFROM alpine\n",
        &["ARG", "FROM"],
        &["RUN", "COPY", "# syntax"],
    );
}

#[test]
fn directives_and_keywords_at_the_top() {
    let c = assert_offers(
        "$0",
        &["# syntax", "# escape", "# check", "ARG", "FROM"],
        &["RUN"],
    );
    let syntax = c.item("# syntax");
    assert_eq!(syntax.kind, CompletionKind::Directive);
    assert_eq!(syntax.insert, "# syntax=docker/dockerfile:1");
    // below a directive, the other directives; a blank line ends the block
    assert_offers(
        "# syntax=docker/dockerfile:1\n$0\nFROM alpine\n",
        &["# escape", "# check", "FROM"],
        &["# syntax"],
    );
    assert_offers(
        "# syntax=docker/dockerfile:1\n\n$0",
        &["FROM"],
        &["# escape"],
    );
    // after a `#!` line BuildKit still reads syntax and check, not escape
    assert_offers(
        "#!/usr/bin/env buildctl\n$0",
        &["# syntax", "# check"],
        &["# escape"],
    );
}

#[test]
fn directive_keys_and_values_in_a_comment_at_the_top() {
    let c = assert_offers("# sy$0\nFROM alpine\n", &["syntax", "escape", "check"], &[]);
    assert_eq!(c.replaced("syntax"), "sy");
    assert_eq!(
        c.applied("syntax"),
        "# syntax=docker/dockerfile:1\nFROM alpine\n"
    );
    // right after `#`, a space goes first
    let c = complete("#$0");
    assert_eq!(c.applied("escape"), "# escape=`");
    let c = assert_offers(
        "# syntax=$0\nFROM alpine\n",
        &["docker/dockerfile:1", "docker/dockerfile:1-labs"],
        &["syntax"],
    );
    assert_eq!(c.replaced("docker/dockerfile:1"), "");
    assert_offers("# escape=$0", &["\\", "`"], &[]);
    assert_offers("# check=skip=all;$0", &["error=true"], &[]);
    // a comment further down is just a comment
    assert_nothing("FROM alpine\n# sy$0\n");
}

#[test]
fn onbuild_triggers_exclude_what_buildkit_refuses() {
    let c = assert_offers(
        "FROM alpine\nONBUILD $0",
        &["RUN", "COPY", "ADD", "ENV"],
        &["FROM", "ONBUILD", "MAINTAINER"],
    );
    assert_eq!(c.replaced("RUN"), "");
    assert_offers("FROM alpine\nonbuild co$0", &["copy"], &["from", "onbuild"]);
    // the trigger's flags
    assert_offers(
        "FROM alpine\nONBUILD COPY --$0",
        &["--from", "--chown"],
        &["--checksum"],
    );
}

// ---------------------------------------------------------------------------
// flags

#[test]
fn copy_flags() {
    let c = assert_offers(
        "FROM alpine\nCOPY --$0",
        &[
            "--from",
            "--chown",
            "--chmod",
            "--link",
            "--parents",
            "--exclude",
        ],
        &[
            "--checksum",
            "--keep-git-dir",
            "--unpack",
            "--platform",
            "--mount",
        ],
    );
    assert_eq!(c.replaced("--from"), "--");
    assert_eq!(c.item("--from").insert, "--from=");
    // a bool flag needs no value
    assert_eq!(c.item("--link").insert, "--link");
    let parents = &c.item("--parents").documentation;
    assert!(parents.contains("1.20"), "{parents}");
    assert_eq!(c.item("--from").kind, CompletionKind::Flag);
}

#[test]
fn add_flags() {
    let c = assert_offers(
        "FROM alpine\nADD -$0",
        &[
            "--chown",
            "--chmod",
            "--link",
            "--keep-git-dir",
            "--checksum",
            "--exclude",
            "--unpack",
        ],
        &["--from", "--parents"],
    );
    assert_eq!(c.replaced("--checksum"), "-");
    assert!(c.item("--unpack").documentation.contains("1.17"));
}

#[test]
fn run_flags_mark_device_as_labs_only() {
    let c = assert_offers(
        "FROM alpine\nRUN --$0",
        &["--mount", "--network", "--security", "--device"],
        &["--from"],
    );
    let device = c.item("--device");
    assert!(
        device.documentation.contains("labs"),
        "{}",
        device.documentation
    );
    assert!(device
        .detail
        .as_deref()
        .unwrap_or_default()
        .contains("labs"));
    assert_eq!(
        c.item("--network").snippet.as_deref(),
        Some("--network=${1|default,none,host|}")
    );
}

#[test]
fn from_and_healthcheck_flags() {
    assert_offers("FROM --$0", &["--platform"], &["--from"]);
    assert_offers(
        "FROM alpine\nHEALTHCHECK --$0",
        &[
            "--interval",
            "--timeout",
            "--start-period",
            "--start-interval",
            "--retries",
        ],
        &["--mount"],
    );
    // after a space, the flags come with the instruction's first words
    assert_offers(
        "FROM alpine\nHEALTHCHECK $0",
        &["CMD", "NONE", "--interval"],
        &[],
    );
    assert_offers("FROM alpine\nCOPY $0", &["--from", "--link"], &[]);
}

#[test]
fn given_flags_are_not_offered_again_unless_repeatable() {
    assert_offers(
        "FROM alpine AS build\nFROM alpine\nCOPY --link --from=build --exclude=*.md --$0 a /",
        &["--chown", "--exclude"],
        &["--link", "--from"],
    );
    assert_offers(
        "FROM alpine\nRUN --mount=type=cache,target=/x --network=none --$0",
        &["--mount", "--security"],
        &["--network"],
    );
    // a flag after the cursor counts too
    assert_offers(
        "FROM alpine\nCOPY --$0 --chown=1 a /",
        &["--from"],
        &["--chown"],
    );
}

#[test]
fn no_flags_after_the_arguments_or_in_shell_text() {
    assert_nothing("FROM alpine\nCOPY a --$0");
    assert_nothing("FROM alpine\nRUN apt-get install -$0");
    assert_nothing("FROM alpine\nRUN echo $0");
    assert_nothing("FROM alpine\nENV A=--$0");
}

#[test]
fn flags_on_a_continuation_line() {
    let c = assert_offers(
        "FROM alpine\nRUN --mount=type=cache,target=/root/.cache \\\n    --ne$0",
        &["--network", "--mount"],
        &[],
    );
    assert_eq!(c.replaced("--network"), "--ne");
    // a blank line being typed on inside the continuation
    assert_offers(
        "FROM alpine\nCOPY --link \\\n  $0",
        &["--from"],
        &["--link", "RUN"],
    );
}

#[test]
fn a_word_after_the_cursor_is_replaced_without_extras() {
    let c = complete("FROM alpine\nCOPY --fr$0om=x a /");
    assert_eq!(c.replaced("--from"), "--from");
    assert_eq!(c.item("--from").insert, "--from");
    assert!(c.item("--from").snippet.is_none());
    let c = complete("FROM alpine\nR$0UN x");
    assert_eq!(c.applied("RUN"), "FROM alpine\nRUN x");
}

// ---------------------------------------------------------------------------
// flag values

#[test]
fn mount_types() {
    let c = assert_offers(
        "FROM alpine\nRUN --mount=type=$0",
        &["bind", "cache", "tmpfs", "secret", "ssh"],
        &["type", "target"],
    );
    assert_eq!(c.item("cache").kind, CompletionKind::Value);
    let c = complete("FROM alpine\nRUN --mount=type=ca$0");
    assert_eq!(c.replaced("cache"), "ca");
}

#[test]
fn mount_keys_follow_the_type_given_before() {
    let c = assert_offers(
        "FROM alpine\nRUN --mount=$0",
        &["type", "target", "source", "from", "readonly", "ro", "rw"],
        &["sharing", "size", "required", "env", "id"],
    );
    assert_eq!(c.labels()[0], "type");
    assert_eq!(c.item("target").insert, "target=");
    assert_eq!(c.item("ro").insert, "ro");
    assert_offers(
        "FROM alpine\nRUN --mount=type=cache,$0",
        &[
            "target", "id", "sharing", "from", "source", "mode", "uid", "gid", "ro",
        ],
        &["type", "size", "required", "env"],
    );
    assert_offers(
        "FROM alpine\nRUN --mount=type=secret,id=npmrc,$0",
        &["target", "env", "required", "mode", "uid", "gid"],
        &["id", "sharing", "size", "from", "source"],
    );
    assert_offers(
        "FROM alpine\nRUN --mount=type=tmpfs,$0",
        &["target", "size"],
        &["sharing", "id", "required"],
    );
    assert_offers(
        "FROM alpine\nRUN --mount=type=ssh,$0",
        &["id", "target", "required"],
        &["source", "from", "sharing"],
    );
    // ro given: no other access mode
    assert_offers(
        "FROM alpine\nRUN --mount=type=bind,ro,$0",
        &["target"],
        &["rw", "readonly", "ro"],
    );
    // a type after the cursor: BuildKit checks `required` before it is read
    assert_offers(
        "FROM alpine\nRUN --mount=$0,type=secret",
        &["id", "env"],
        &["type", "required"],
    );
}

#[test]
fn mount_values() {
    assert_offers(
        "FROM alpine\nRUN --mount=type=cache,sharing=$0",
        &["shared", "private", "locked"],
        &[],
    );
    assert_offers(
        "FROM alpine\nRUN --mount=type=cache,target=$0",
        &["/var/cache/apt", "/root/.cache/go-build"],
        &[],
    );
    assert_offers(
        "FROM alpine\nRUN --mount=type=secret,id=x,required=$0",
        &["true", "false"],
        &[],
    );
}

#[test]
fn network_security_and_bool_values() {
    let c = assert_offers(
        "FROM alpine\nRUN --network=$0",
        &["default", "none", "host"],
        &["sandbox"],
    );
    assert!(c.item("host").documentation.contains("network.host"));
    assert_offers(
        "FROM alpine\nRUN --security=$0",
        &["sandbox", "insecure"],
        &["host"],
    );
    assert_offers("FROM alpine\nCOPY --link=$0", &["true", "false"], &[]);
}

#[test]
fn platform_values() {
    let c = assert_offers(
        "FROM --platform=$0",
        &[
            "$BUILDPLATFORM",
            "$TARGETPLATFORM",
            "linux/amd64",
            "linux/arm64",
            "linux/arm/v7",
        ],
        &[],
    );
    assert_eq!(c.replaced("linux/amd64"), "");
    assert!(c
        .item("linux/amd64")
        .documentation
        .contains("FromPlatformFlagConstDisallowed"));
    // a variable being typed: the global and automatic ARGs
    assert_offers(
        "FROM --platform=$BUILD$0 alpine",
        &["BUILDPLATFORM", "BUILDARCH"],
        &["$BUILDPLATFORM"],
    );
}

// ---------------------------------------------------------------------------
// stages

const STAGES: &str = "\
FROM golang:1.22 AS build
FROM alpine
FROM alpine AS tools
FROM tools
";

#[test]
fn copy_from_offers_earlier_stages_only() {
    let text = format!("{STAGES}COPY --from=$0\nFROM scratch AS later\n");
    let c = assert_offers(&text, &["build", "tools", "1"], &["later", "2", "3", "4"]);
    let build = c.item("build");
    assert_eq!(build.kind, CompletionKind::Stage);
    assert_eq!(build.detail.as_deref(), Some("golang:1.22"));
    assert_eq!(c.replaced("build"), "");
    // a named stage is offered by name, not by index
    assert!(!c.labels().contains(&"0"));
    // within the stage itself: not a dependency of itself
    let c = complete("FROM golang AS build\nCOPY --from=b$0\n");
    assert!(c.items.is_empty(), "{:?}", c.labels());
}

#[test]
fn copy_from_in_onbuild_is_left_to_the_downstream_build() {
    let text = format!("{STAGES}ONBUILD COPY --from=$0");
    assert_nothing(&text);
}

#[test]
fn mount_from_offers_earlier_named_stages() {
    let text = format!("{STAGES}RUN --mount=from=$0\nFROM scratch AS later\n");
    assert_offers(&text, &["build", "tools"], &["later", "1", "0"]);
    let text = format!("{STAGES}RUN --mount=type=cache,from=to$0,target=/x");
    let c = complete(&text);
    assert_eq!(c.replaced("tools"), "to");
}

#[test]
fn from_offers_earlier_stages_and_images() {
    let c = assert_offers(
        "FROM golang:1.22 AS build\nFROM $0\nFROM alpine AS later\n",
        &[
            "build",
            "alpine",
            "debian",
            "node",
            "scratch",
            "golang",
            "--platform",
        ],
        &["later"],
    );
    assert_eq!(c.labels()[0], "build");
    let alpine = c.item("alpine");
    assert_eq!(alpine.kind, CompletionKind::Image);
    assert!(alpine
        .documentation
        .contains("docker.io/library/alpine:latest"));
    // the rest of the official images, after the popular ones
    assert!(c.labels().contains(&"zookeeper"));
    // the stage's own name is not a stage before it
    assert_offers(
        "FROM alpine AS base\nFROM b$0 AS base2\n",
        &["base"],
        &["base2"],
    );
    assert_offers("FROM b$0 AS base\n", &["busybox"], &["base"]);
}

#[test]
fn from_offers_tags_after_a_colon() {
    let c = assert_offers("FROM alpine:$0", &["3", "latest", "edge"], &["alpine"]);
    assert_eq!(c.item("3").kind, CompletionKind::Tag);
    assert_eq!(c.replaced("3"), "");
    let c = complete("FROM node:lt$0 AS app");
    assert_eq!(c.replaced("lts-alpine"), "lt");
    assert_offers("FROM docker.io/library/python:$0", &["3-slim"], &[]);
    // an official image without tags of its own: latest
    assert_offers("FROM zookeeper:$0", &["latest"], &[]);
    // a registry port is not a tag
    assert_offers("FROM localhost:5000/$0", &[], &["latest", "3"]);
    assert_nothing("FROM alpine@sha256:$0");
}

#[test]
fn as_after_the_image() {
    let c = assert_offers("FROM alpine $0", &["AS"], &["alpine"]);
    assert_eq!(c.item("AS").insert, "AS ");
    assert_offers("from alpine a$0", &["as"], &["AS"]);
    assert_nothing("FROM alpine AS $0");
}

// ---------------------------------------------------------------------------
// variables

#[test]
fn variables_in_scope_with_their_values() {
    let text = "\
ARG GLOBAL=1
FROM alpine AS base
ARG VERSION=3.2
ENV HOME_DIR=/home/app
RUN echo $$0
ENV LATER=x
";
    let c = assert_offers(
        text,
        &["VERSION", "HOME_DIR"],
        &["GLOBAL", "LATER", "TARGETARCH"],
    );
    let version = c.item("VERSION");
    assert_eq!(version.kind, CompletionKind::Variable);
    assert_eq!(version.detail.as_deref(), Some("ARG VERSION=3.2"));
    assert!(version.documentation.contains("3.2"));
    assert_eq!(c.replaced("VERSION"), "");
    assert_eq!(c.item("HOME_DIR").insert, "HOME_DIR");
}

#[test]
fn braced_variables_get_their_closing_brace() {
    let c = complete("FROM alpine\nENV A=1\nWORKDIR ${$0");
    assert_eq!(c.item("A").insert, "A}");
    let c = complete("FROM alpine\nENV ABC=1\nWORKDIR ${A$0}");
    assert_eq!(c.item("ABC").insert, "ABC");
    assert_eq!(c.replaced("ABC"), "A");
    // not after an escaped dollar
    assert_nothing("FROM alpine\nENV A=1\nRUN echo \\$$0");
}

#[test]
fn variables_come_from_the_parent_stage_and_global_args() {
    let text = "\
ARG GO=1.22
FROM golang:${GO} AS base
ENV CGO_ENABLED=0
FROM base
ARG GO
COPY . /src/${$0
";
    let c = assert_offers(text, &["CGO_ENABLED", "GO"], &["BUILDPLATFORM"]);
    // a bare ARG takes the global default
    assert_eq!(c.item("GO").detail.as_deref(), Some("ARG GO=1.22"));
    assert!(c.item("CGO_ENABLED").documentation.contains("base"));
}

#[test]
fn from_lines_see_global_and_automatic_args() {
    let text = "\
ARG BASE=alpine
ARG VARIANT
FROM ${$0}
ARG INSIDE=1
";
    let c = assert_offers(
        text,
        &[
            "BASE",
            "VARIANT",
            "BUILDPLATFORM",
            "TARGETPLATFORM",
            "TARGETOS",
            "TARGETARCH",
            "TARGETSTAGE",
        ],
        &["INSIDE"],
    );
    assert_eq!(c.item("BASE").insert, "BASE");
    assert!(c.item("TARGETARCH").documentation.contains("arm64"));
}

#[test]
fn variables_in_heredocs() {
    let text = "FROM alpine\nARG NAME=x\nRUN <<EOF\necho $$0\nEOF\n";
    assert_offers(text, &["NAME"], &[]);
    let text = "FROM alpine\nARG NAME=x\nCOPY <<EOF /greeting\nhello ${$0\nEOF\n";
    assert_eq!(complete(text).item("NAME").insert, "NAME}");
    // the rest of a heredoc body is not an instruction
    assert_nothing("FROM alpine\nRUN <<EOF\nR$0\nEOF\n");
}

#[test]
fn no_variables_where_buildkit_refuses_them() {
    assert_nothing("FROM alpine AS a\nFROM alpine\nARG X\nCOPY --from=$$0 / /");
    assert_nothing("FROM alpine\nARG X\nRUN --network=$$0 true");
}

// ---------------------------------------------------------------------------
// robustness and speed

#[test]
fn offsets_out_of_range_or_inside_a_character_are_clamped() {
    let text = "FROM 🐳\nRUN x";
    let analysis = Analysis::of_text(text);
    for offset in 0..text.len() + 10 {
        let _ = ide::completion(&analysis, text, offset);
    }
    let items = ide::completion(&analysis, text, usize::MAX);
    assert!(items.iter().all(|i| i.range.end <= text.len()));
}

#[test]
fn nothing_in_comments_and_odd_places() {
    assert_nothing("FROM alpine\n# RUN --$0");
    assert_nothing("FROM alpine\nRUN x \\\n# --$0\n  --y");
    assert_nothing("FROM alpine\nLABEL a=--$0");
    assert_nothing("FROM alpine\nR-$0");
    // a flag name that is not ASCII
    assert_nothing("FROM alpine\nCOPY -🐳=$0");
}

/// A 10,000-line Dockerfile of many stages.
fn big_dockerfile() -> String {
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine\n");
    let mut stage = 0;
    while text.lines().count() < 10_000 {
        text.push_str(&format!("FROM ${{BASE}} AS stage{stage}\n"));
        for i in 0..48 {
            text.push_str(&format!("ENV VAR_{stage}_{i}=value{i}\n"));
            text.push_str(&format!(
                "RUN --mount=type=cache,target=/root/.cache \\\n    echo $VAR_{stage}_{i}\n"
            ));
        }
        stage += 1;
    }
    text
}

/// A measurement, not a timed test: run it with
/// `cargo test --release -p dockerfile-ls --test completion -- --ignored --nocapture`.
#[test]
#[ignore = "measurement; see the README's benchmark section"]
fn completion_timing_on_a_10000_line_file() {
    let big = big_dockerfile();
    let middle = big
        .match_indices("\nFROM ")
        .map(|(i, _)| i + 1)
        .find(|i| *i > big.len() / 2)
        .unwrap();
    // a RUN of 500 continued lines, the cursor on its last one
    let long_run: String = std::iter::once("RUN set -eux; \\\n".to_string())
        .chain((0..500).map(|i| format!("    step{i}; \\\n")))
        .chain(std::iter::once("    echo $VAR_$0\n".to_string()))
        .collect();
    let at_end = |case: &str| format!("{big}FROM stage0 AS last\n{case}");
    let in_middle = |case: &str| format!("{}{case}{}", &big[..middle], &big[middle..]);
    let cases = [
        ("end", at_end("COPY --$0")),
        ("end", at_end("RUN --mount=type=cache,$0")),
        ("end", at_end("COPY --from=$0")),
        ("end", at_end("RUN echo ${$0")),
        ("end", at_end("R$0")),
        ("middle", in_middle("FROM $0\n")),
        ("middle", in_middle("FROM stage1 AS here\nRUN echo ${$0\n")),
        (
            "middle",
            in_middle(&format!("FROM stage1 AS here\n{long_run}")),
        ),
    ];
    for (place, full) in cases {
        let cursor = full.find("$0").unwrap();
        let source = full.replacen("$0", "", 1);
        let line_start = source[..cursor].rfind('\n').map_or(0, |i| i + 1);
        let line = source[line_start..cursor].to_string();
        let rope = ropey::Rope::from_str(&source);
        let analysis = Analysis::of_text(&source);
        let runs = 50;
        let started = Instant::now();
        let mut count = 0;
        for _ in 0..runs {
            count += ide::completion(&analysis, &rope, cursor).len();
        }
        let each = started.elapsed() / runs;
        assert!(count > 0, "{line}");
        eprintln!(
            "{} lines, {place}, after {:?}: {each:?} per completion ({} items)",
            source.lines().count(),
            line.trim_start(),
            count / runs as usize
        );
    }
}

#[test]
fn mount_values_take_variables_except_from() {
    let text = "FROM alpine AS a\nFROM alpine\nARG CACHE=/c\nRUN --mount=type=cache,target=$$0";
    assert_offers(text, &["CACHE"], &["a"]);
    assert_nothing("FROM alpine AS a\nFROM alpine\nARG X\nRUN --mount=from=$$0");
}
