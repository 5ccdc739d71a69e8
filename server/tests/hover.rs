//! Hover fixtures: `$0` marks the cursor and `[[…]]` the range the hover
//! must cover (optional). Markers are removed before analysis; the hover
//! text must hold every expected fragment.

use dockerfile_ls::ide::{self, docs, flags, Analysis, Subject};
use dockerfile_ls::model::INSTRUCTIONS;

struct Fixture {
    source: String,
    cursor: usize,
    marked: Option<std::ops::Range<usize>>,
}

fn fixture(text: &str) -> Fixture {
    let mut source = String::new();
    let mut cursor = None;
    let (mut open, mut marked) = (None, None);
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("$0") {
            cursor = Some(source.len());
            rest = after;
        } else if let Some(after) = rest.strip_prefix("[[") {
            open = Some(source.len());
            rest = after;
        } else if let Some(after) = rest.strip_prefix("]]") {
            marked = Some(open.take().expect("balanced markers")..source.len());
            rest = after;
        } else {
            let c = rest.chars().next().expect("not empty");
            source.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Fixture {
        source,
        cursor: cursor.expect("a $0 cursor"),
        marked,
    }
}

#[track_caller]
fn hover(text: &str) -> ide::Hover {
    let f = fixture(text);
    let analysis = Analysis::of_text(&f.source);
    let found = ide::hover(&analysis, f.source.as_str(), f.cursor)
        .unwrap_or_else(|| panic!("no hover in\n{}", f.source));
    if let Some(marked) = f.marked {
        assert_eq!(
            found.range,
            marked.clone(),
            "hover covers {:?}, expected {:?}",
            &f.source[found.range.clone()],
            &f.source[marked]
        );
    }
    found
}

#[track_caller]
fn assert_hover(text: &str, expected: &[&str]) -> ide::Hover {
    let found = hover(text);
    let markdown = found.markdown();
    for fragment in expected {
        assert!(
            markdown.contains(fragment),
            "{fragment:?} missing from the hover:\n{markdown}"
        );
    }
    found
}

#[track_caller]
fn assert_no_hover(text: &str) {
    let f = fixture(text);
    let analysis = Analysis::of_text(&f.source);
    let found = ide::hover(&analysis, f.source.as_str(), f.cursor);
    assert!(found.is_none(), "unexpected hover: {found:?}");
}

// ---------------------------------------------------------------------------
// documentation

#[test]
fn every_instruction_flag_and_mount_key_is_documented() {
    for keyword in INSTRUCTIONS {
        let doc = docs::instruction(keyword).unwrap_or_else(|| panic!("no doc for {keyword}"));
        assert!(
            !doc.summary.is_empty() && !doc.forms.is_empty(),
            "{keyword}"
        );
        assert!(docs::instruction_markdown(keyword).is_some_and(|m| !m.is_empty()));
        for spec in flags::flags_of(keyword) {
            let doc = docs::flag(keyword, spec.name)
                .unwrap_or_else(|| panic!("no doc for {keyword} --{}", spec.name));
            assert!(!doc.summary.is_empty() && !doc.values.is_empty());
            let markdown = docs::flag_markdown(keyword, spec.name).expect("markdown");
            if spec.labs {
                assert!(markdown.contains("Labs only"), "{markdown}");
            }
            assert!(
                spec.since == "pre" || markdown.contains(spec.since),
                "the version is shown: {markdown}"
            );
        }
    }
    for key in flags::MOUNT_KEYS {
        let doc = docs::mount_key(key).unwrap_or_else(|| panic!("no doc for mount key {key}"));
        assert!(!doc.summary.is_empty());
        assert!(docs::mount_key_markdown(key).is_some_and(|m| m.contains(doc.keys[0])));
    }
    for kind in ["bind", "cache", "tmpfs", "secret", "ssh"] {
        assert!(docs::mount_type_markdown(kind).is_some(), "{kind}");
    }
    for directive in ["syntax", "escape", "check"] {
        assert!(docs::directive(directive).is_some(), "{directive}");
    }
    for option in ["skip", "error", "experimental"] {
        assert!(docs::check_option(option).is_some(), "{option}");
    }
}

#[test]
fn instruction_keywords() {
    assert_hover(
        "FROM alpine\n[[R$0UN]] echo hi\n",
        &[
            "**RUN**",
            "Shell form",
            "Exec form",
            "Heredoc form",
            "`--mount`",
        ],
    );
    // any case, and with the cursor just after the keyword
    assert_hover(
        "FROM alpine\n[[cmd]]$0 [\"sh\"]\n",
        &["**CMD**", "JSONArgsRecommended"],
    );
    assert_hover("[[AR$0G]] A=1\nFROM alpine\n", &["global", "`--build-arg"]);
    let found = assert_hover(
        "FROM alpine\nHEALTHCHECK --interval=5s [[C$0MD]] true\n",
        &["HEALTHCHECK CMD"],
    );
    assert_eq!(found.subject, Subject::Instruction);
    assert_hover(
        "FROM alpine\nHEALTHCHECK [[NO$0NE]]\n",
        &["HEALTHCHECK NONE", "inherited"],
    );
    assert_hover("FROM alpine\nONBUILD [[RU$0N]] make\n", &["**RUN**"]);
    let found = assert_hover("FROM alpine\nONBUILD [[FR$0OM]] x\n", &["**FROM**"]);
    assert_eq!(found.subject, Subject::Instruction);
    assert_hover("FROM alpine\n[[MAINTAINER]]$0 me\n", &["Deprecated"]);
}

#[test]
fn flags_with_versions() {
    assert_hover(
        "FROM alpine\nCOPY [[--li$0nk]] a /b\n",
        &["`--link`", "(COPY)", "Since Dockerfile frontend 1.4"],
    );
    assert_hover(
        "FROM alpine\nCOPY [[--par$0ents]] a/b /out/\n",
        &[
            "Since Dockerfile frontend 1.20",
            "Labs only from 1.7 to 1.19",
        ],
    );
    assert_hover(
        "FROM alpine\nRUN [[--dev$0ice=nvidia.com/gpu=all]] nvidia-smi\n",
        &["Labs only", "1.14.0-labs", "Repeatable"],
    );
    assert_hover(
        "FROM alpine\nRUN [[--network=ho$0st]] curl x\n",
        &["`host`", "network.host", "Since Dockerfile frontend 1.3"],
    );
    assert_hover(
        "FROM [[--pla$0tform=linux/amd64]] alpine\n",
        &["`--platform`", "Available in every Dockerfile frontend"],
    );
    assert_hover(
        "FROM alpine\nHEALTHCHECK [[--ret$0ries=3]] CMD true\n",
        &["Default 3"],
    );
    assert_hover(
        "FROM alpine\nADD [[--check$0sum=sha256:abc]] https://x/y /y\n",
        &["sha256:", "Since Dockerfile frontend 1.6"],
    );
    assert_hover(
        "FROM alpine\nONBUILD COPY [[--cho$0wn=app]] a /b\n",
        &["`--chown`"],
    );
}

#[test]
fn mount_keys_and_types() {
    assert_hover(
        "FROM alpine\nRUN --mount=type=secret,[[i$0d=npmrc]],target=/root/.npmrc npm ci\n",
        &[
            "**`id`**",
            "`type=secret`",
            "`docker build --secret",
            "`type=cache`",
        ],
    );
    assert_hover(
        "FROM alpine\nRUN --mount=type=cache,[[ds$0t=/root/.cache]] make\n",
        &["**`target`**", "also written `dst` or `destination`"],
    );
    let found = assert_hover(
        "FROM alpine\nRUN --mount=type=[[ca$0che]],target=/c make\n",
        &["mount type", "`sharing=shared`", "`id` is the target path"],
    );
    assert_eq!(found.subject, Subject::MountType);
    assert_hover(
        "FROM alpine\nRUN --mount=type=cache,target=/c,[[shar$0ing=locked]] make\n",
        &["`locked`", "wait"],
    );
    assert_hover(
        "FROM alpine\nRUN --mount=type=bind,[[r$0w]] make\n",
        &["writable", "thrown away"],
    );
    assert_hover(
        "FROM alpine\nRUN [[--mo$0unt=type=tmpfs,target=/t]] make\n",
        &["`--mount`", "Since Dockerfile frontend 1.2"],
    );
}

#[test]
fn parser_directives() {
    assert_hover(
        "[[# synt$0ax=docker/dockerfile:1]]\nFROM alpine\n",
        &["parser directive", "frontend", "1-labs"],
    );
    assert_hover("[[# escape=$0`]]\nFROM alpine\n", &["backtick"]);
    let found = assert_hover(
        "# check=skip=JSONArgsRecommended;err$0or=true\nFROM alpine\n",
        &["`error=true` makes the build fail", "`skip=all`"],
    );
    assert!(
        found.sections[0].contains("`error=true`"),
        "{:?}",
        found.sections
    );
}

#[test]
fn heredoc_markers() {
    assert_hover(
        "FROM alpine\nRUN [[<<E$0OF]]\necho hi\nEOF\n",
        &["**Heredoc `EOF`**", "Ends on line 4", "the shell"],
    );
    assert_hover(
        "FROM alpine\nRUN <<EOF\necho hi\n[[E$0OF]]\n",
        &["**Heredoc `EOF`**", "Ends on line 4"],
    );
    assert_hover(
        "FROM alpine\nCOPY [[<<\"E$0OF\"]] /etc/motd\n$HOME\nEOF\n",
        &["become a file", "copied literally"],
    );
    assert_hover(
        "FROM alpine\nRUN [[<<-E$0ND]] sh\n\techo\n\tEND\n",
        &["`<<-` removes leading tabs"],
    );
    assert_hover(
        "FROM alpine\nRUN [[<<E$0OF]]\necho hi\n",
        &["unterminated heredoc"],
    );
}

// ---------------------------------------------------------------------------
// variables

#[test]
fn global_arg_in_from() {
    let found = assert_hover(
        "ARG VERSION=1.22\nFROM golang:$[[VER$0SION]]\n",
        &[
            "**`VERSION`** = `1.22`",
            "global `ARG` on line 1",
            "--build-arg VERSION=",
        ],
    );
    assert_eq!(found.subject, Subject::Variable);
}

#[test]
fn stage_arg_with_default() {
    assert_hover(
        "FROM alpine AS app\nARG V=2\nRUN echo $[[V]]$0\n",
        &[
            "= `2`",
            "the `ARG` on line 2 in stage `app`",
            "the shell expands it",
        ],
    );
}

#[test]
fn bare_stage_arg_takes_the_global_value() {
    assert_hover(
        "ARG V=1\nFROM alpine\nARG V\nLABEL v=$V$0\n",
        &["= `1`", "brings in the global ARG of line 1"],
    );
    assert_hover(
        "FROM alpine\nARG V\nLABEL v=$V$0\n",
        &["without a default", "empty unless `--build-arg V="],
    );
}

#[test]
fn env_value_and_origin() {
    assert_hover(
        "FROM alpine\nENV P=/opt\nWORKDIR $[[P]]$0/app\n",
        &["= `/opt`", "Set by `ENV` on line 2"],
    );
    // an ENV beats an ARG of the same name, wherever the ARG is
    assert_hover(
        "FROM alpine\nENV X=env\nARG X=arg\nRUN echo $X$0\n",
        &["= `env`", "`ENV` on line 2"],
    );
    assert_hover(
        "FROM alpine AS base\nENV A=1\nFROM base\nRUN echo $A$0\n",
        &["= `1`", "in stage `base`, inherited through FROM"],
    );
}

#[test]
fn values_expand_through_other_variables() {
    assert_hover(
        "ARG REG=docker.io\nARG IMG=${REG}/library/alpine\nFROM $IM$0G\n",
        &[
            "= `docker.io/library/alpine`",
            "written `${REG}/library/alpine`",
        ],
    );
    assert_hover(
        "FROM alpine\nENV A=1\nENV B=\"${A:-x} y\"\nRUN echo $B$0\n",
        &["= `1 y`"],
    );
    // each ENV expands with what was set before it, not in it
    assert_hover(
        "FROM alpine\nENV A=1 B=\"${A:-x} y\"\nRUN echo $B$0\n",
        &["= `x y`"],
    );
    assert_hover(
        "FROM alpine\nENV A=1\nENV A=2 B=$A\nRUN echo $B$0\n",
        &["= `1`"],
    );
}

#[test]
fn automatic_platform_args() {
    assert_hover(
        "FROM --platform=$[[BUILD$0PLATFORM]] golang\n",
        &[
            "Set by BuildKit",
            "machine running the build",
            "FROM lines can use",
        ],
    );
    assert_hover(
        "FROM alpine\nRUN echo $TARGET$0ARCH\n",
        &["for FROM lines only", "empty until `ARG TARGETARCH`"],
    );
    assert_hover(
        "FROM alpine\nARG TARGETARCH\nRUN echo ${TARGET$0ARCH}\n",
        &["Set by BuildKit", "`ARG TARGETARCH` on line 2"],
    );
}

#[test]
fn undeclared_variables() {
    assert_hover(
        "FROM $NO$0PE\n",
        &["Not a global ARG", "UndefinedArgInFrom"],
    );
    assert_hover(
        "FROM alpine\nWORKDIR $NO$0PE\n",
        &["UndefinedVar", "base image"],
    );
    assert_hover(
        "FROM alpine\nRUN echo $HO$0ME\n",
        &["Not set by an ARG or ENV", "the shell expands it"],
    );
    assert_hover("FROM alpine\nRUN curl $http_pr$0oxy\n", &["proxy argument"]);
}

#[test]
fn container_commands_only_see_env() {
    assert_hover(
        "FROM alpine\nARG V=1\nCMD echo $V$0\n",
        &[
            "Only the `ARG` on line 2 sets it",
            "do not reach the running container",
            "when the container runs `CMD`",
        ],
    );
    // an ENV does reach it
    assert_hover(
        "FROM alpine\nARG V=1\nENV W=$V\nCMD echo $W$0\n",
        &["= `1`", "Set by `ENV` on line 3"],
    );
}

#[test]
fn declarations() {
    assert_hover(
        "ARG [[V$0]]=1\nFROM alpine\n",
        &["**`V`** = `1`", "A global build argument"],
    );
    assert_hover(
        "FROM alpine AS app\nENV [[N$0AME]]=\"a b\"\n",
        &[
            "= `a b`",
            "written `\"a b\"`",
            "for containers run from the image",
        ],
    );
}

// ---------------------------------------------------------------------------
// stages

const STAGES: &str = "\
FROM golang:1.22 AS build
RUN go build -o /app
FROM build AS test
RUN go test
FROM alpine
RUN --mount=from=build,target=/src ls /src
COPY --from=build /app /app
";

fn at(text: &str, needle: &str, cursor_in_needle: usize) -> String {
    let i = text.find(needle).expect("needle in the text") + cursor_in_needle;
    format!("{}$0{}", &text[..i], &text[i..])
}

#[test]
fn stage_reference_shows_base_line_and_users() {
    let found = assert_hover(
        &at(STAGES, "--from=build", 9),
        &[
            "**Stage `build`** (stage 0, line 1)",
            "Base: image `golang:1.22` (pulls `docker.io/library/golang:1.22`)",
            "Used by:",
            "`FROM build` on line 3 (stage `test`)",
            "`RUN --mount=from=build` on line 6 (stage 2)",
            "`COPY --from=build` on line 7 (stage 2)",
        ],
    );
    assert_eq!(found.subject, Subject::StageRef { target: Some(0) });
    assert_hover(&at(STAGES, "from=build,", 6), &["**Stage `build`**"]);
}

#[test]
fn stage_name_and_from_line() {
    assert_hover(
        &at(STAGES, "AS build", 4),
        &["**Stage `build`**", "Used by:"],
    );
    // `FROM build` is a stage reference; its hover is part of the FROM line
    let found = assert_hover(&at(STAGES, "FROM build", 6), &["**Stage `build`**"]);
    assert_eq!(found.subject, Subject::FromLine { stage: 1 });
    let found = assert_hover(
        &at(STAGES, "FROM alpine", 1),
        &[
            "**FROM**",
            "**Unnamed stage** (stage 2, line 5)",
            "The last stage",
        ],
    );
    assert_eq!(found.subject, Subject::FromLine { stage: 2 });
    assert!(
        found.sections.len() >= 2,
        "FROM hovers are made of sections"
    );
    assert_hover(
        &at(STAGES, "AS test", 4),
        &[
            "**Stage `test`**",
            "Base: stage `build` (line 1)",
            "No other stage uses it.",
        ],
    );
}

#[test]
fn base_image() {
    let found = assert_hover(
        "FROM [[node:2$00-alpine]]\n",
        &["**Base of stage 0**", "`docker.io/library/node:20-alpine`"],
    );
    assert_eq!(found.subject, Subject::FromLine { stage: 0 });
    assert_hover(
        "ARG TAG=3.20\nFROM alpine:${TAG}$0\n",
        &["`alpine:3.20` with the default build arguments"],
    );
    assert_hover("FROM scra$0tch\n", &["empty filesystem"]);
}

#[test]
fn unresolved_references_say_what_buildkit_does() {
    assert_hover(
        "FROM alpine\nCOPY --from=[[ngin$0x:1.27]] /a /b\n",
        &[
            "Not a stage of this Dockerfile",
            "`docker.io/library/nginx:1.27`",
        ],
    );
    assert_hover(
        "FROM alpine AS a\nFROM alpine\nCOPY --from=[[0]]$0 /a /b\n",
        &["Stage index 0: stage `a`", "**Stage `a`**"],
    );
    assert_hover(
        "FROM alpine\nCOPY --from=7$0 /a /b\n",
        &["no stage with index 7"],
    );
    assert_hover(
        "FROM alpine\nCOPY --from=la$0ter /a /b\nFROM alpine AS later\n",
        &["defined after", "**Stage `later`**"],
    );
    assert_hover(
        "FROM alpine AS builder\nFROM Buil$0der\n",
        &["compares names exactly as written"],
    );
    assert_hover(
        "FROM alpine\nONBUILD COPY --from=buil$0d /a /b\n",
        &["Inside ONBUILD"],
    );
}

// ---------------------------------------------------------------------------
// nothing to say

#[test]
fn nothing_on_plain_text() {
    assert_no_hover("FROM alpine\nRUN echo hel$0lo\n");
    assert_no_hover("FROM alpine\nCOPY sr$0c /dst\n");
    assert_no_hover("# just a com$0ment\nFROM alpine\n");
    assert_no_hover("FROM alpine\n$0\nRUN true\n");
    assert_no_hover("FROM alpine\nRUN <<EOF\nech$0o hi\nEOF\n");
    assert_no_hover("FROM alpine\nLABEL a=b$0c\n");
}

#[test]
fn offsets_past_the_end_are_clamped() {
    let text = "FROM alpine\nRUN true";
    let analysis = Analysis::of_text(text);
    // the last word is plain text: nothing, and no panic
    assert!(ide::hover(&analysis, text, 10_000).is_none());
    let text = "FROM alpine\nRUN";
    let analysis = Analysis::of_text(text);
    assert!(ide::hover(&analysis, text, 10_000).is_some_and(|h| h.markdown().contains("**RUN**")));
    // inside a multi-byte character
    let text = "FROM alpine\nLABEL a=\"é\"\n";
    let analysis = Analysis::of_text(text);
    for offset in 0..text.len() + 2 {
        let _ = ide::hover(&analysis, text, offset);
    }
}

/// Offsets all over the shared corpus (real files and BuildKit's parser
/// testfiles, odd ones included): hover and signature help answer without
/// panicking, and a hover covers text next to the cursor.
#[test]
fn the_corpus_never_panics() {
    let corpus = std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
        });
    let mut stack = vec![corpus];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let analysis = Analysis::of_text(&text);
            files += 1;
            // every offset of tiny files, some hundreds of the others (all
            // of them take minutes in a debug build)
            let step = 1 + text.len() / 150;
            for offset in (0..=text.len()).step_by(step) {
                if let Some(found) = ide::hover(&analysis, text.as_ref(), offset) {
                    assert!(
                        found.range.start <= offset && offset <= found.range.end + 1,
                        "{}: hover at {offset} covers {:?}",
                        path.display(),
                        found.range
                    );
                    assert!(!found.sections.is_empty());
                }
                let _ = ide::signature_help(&analysis, text.as_ref(), offset);
            }
        }
    }
    assert!(files > 0, "no corpus files found");
}
