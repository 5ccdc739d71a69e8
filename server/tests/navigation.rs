//! Navigation fixtures: `$0` marks the cursor, `[…]` the ranges expected.
//! Markers are removed before analysis.

use dockerfile_ls::ide::{self, Analysis, FoldKind, SymbolKind};

struct Fixture {
    source: String,
    cursor: usize,
    marked: Vec<std::ops::Range<usize>>,
}

fn fixture(text: &str) -> Fixture {
    let mut source = String::new();
    let mut cursor = None;
    let mut marked = Vec::new();
    let mut open = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("$0") {
            cursor = Some(source.len());
            rest = after;
        } else if let Some(after) = rest.strip_prefix("[[") {
            open.push(source.len());
            rest = after;
        } else if let Some(after) = rest.strip_prefix("]]") {
            marked.push(open.pop().expect("balanced markers")..source.len());
            rest = after;
        } else {
            let c = rest.chars().next().unwrap();
            source.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    marked.sort_by_key(|r| r.start);
    Fixture {
        source,
        cursor: cursor.expect("a $0 cursor"),
        marked,
    }
}

#[track_caller]
fn assert_definition(text: &str) {
    let f = fixture(text);
    let analysis = Analysis::of_text(&f.source);
    let target = ide::definition(&analysis, f.cursor).expect("a definition");
    assert_eq!(
        vec![target.focus.clone()],
        f.marked,
        "jumped to {:?} in\n{}",
        &f.source[target.focus],
        f.source
    );
}

#[track_caller]
fn assert_references(text: &str) {
    let f = fixture(text);
    let analysis = Analysis::of_text(&f.source);
    let found = ide::references(&analysis, f.cursor, true);
    let shown: Vec<&str> = found.iter().map(|r| &f.source[r.clone()]).collect();
    assert_eq!(found, f.marked, "found {shown:?}");
}

#[track_caller]
fn assert_rename(before: &str, new_name: &str, after: &str) {
    let f = fixture(before);
    let analysis = Analysis::of_text(&f.source);
    let mut edits =
        ide::rename(&analysis, f.source.as_str(), f.cursor, new_name).expect("rename allowed");
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut text = f.source.clone();
    for (range, replacement) in edits {
        text.replace_range(range, &replacement);
    }
    assert_eq!(text, after);
    let renamed = Analysis::of_text(&text);
    assert!(
        !renamed.tree.root_node().has_error(),
        "the renamed file parses cleanly"
    );
}

#[test]
fn copy_from_jumps_to_the_stage_name() {
    assert_definition(
        "FROM golang:1.22 AS [[builder]]\nFROM alpine\nCOPY --from=buil$0der /app /app\n",
    );
}

#[test]
fn copy_from_is_case_insensitive_and_lowercase_instructions_work() {
    assert_definition("from golang as [[Build]]\nfrom alpine\ncopy --from=BUI$0LD /a /b\n");
}

#[test]
fn mount_from_jumps_to_the_stage() {
    assert_definition(
        "FROM node:22 AS [[deps]]\nFROM node:22\nRUN --mount=type=bind,from=de$0ps,source=/n,target=/n \\\n    npm ci\n",
    );
}

#[test]
fn from_stage_jumps_to_the_earlier_stage() {
    assert_definition("FROM alpine AS [[base]]\nFROM ba$0se AS final\n");
}

#[test]
fn a_numeric_from_jumps_to_the_stage_it_counts() {
    assert_definition("[[FROM]] alpine\nFROM busybox\nCOPY --from=$00 /a /b\n");
}

#[test]
fn a_later_stage_still_jumps_although_buildkit_rejects_it() {
    assert_definition("FROM alpine\nCOPY --from=lat$0er /a /b\nFROM busybox AS [[later]]\n");
}

#[test]
fn references_across_heredocs_backtick_escape_and_legacy_env() {
    assert_references(concat!(
        "# escape=`\n",
        "FROM golang AS [[build]]\n",
        "ENV GOFLAGS -mod=vendor with spaces\n",
        "RUN [ -e /x ] && echo ok\n",
        "RUN <<EOF\nCOPY --from=build not an instruction\nEOF\n",
        "FROM [[build]] AS test\n",
        "FROM alpine\n",
        "COPY --from=[[bu$0ild]] `\n  /out /out\n",
        "COPY --from=[[0]] /a /b\n",
        "RUN --mount=from=[[build]],target=/b ls\n",
    ));
}

#[test]
fn variable_use_jumps_to_its_arg_in_scope() {
    assert_definition("ARG V=1\nFROM alpine\nARG [[V]]\nRUN echo ${V$0}\n");
    assert_definition("ARG [[TAG]]=3.20\nFROM alpine:${TA$0G}\n");
    assert_definition("FROM alpine\nENV [[HOME_DIR]]=/srv\nWORKDIR $HOME$0_DIR\n");
}

#[test]
fn arg_references_include_shell_uses_and_stage_imports() {
    assert_references(concat!(
        "ARG [[VERSION]]=1.0\n",
        "FROM alpine:${[[VERSION]]}\n",
        "ARG [[VER$0SION]]\n",
        "RUN echo \"$[[VERSION]]\" '$VERSION' \\$VERSION\n",
        "FROM busybox\n",
        "RUN echo $VERSION\n",
    ));
}

#[test]
fn renaming_a_stage_renames_every_named_reference_and_keeps_numbers() {
    assert_rename(
        concat!(
            "FROM golang:1.22 AS build$0er\n",
            "FROM builder AS test\n",
            "FROM alpine\n",
            "COPY --from=Builder /a /b\n",
            "COPY --from=0 /c /d\n",
            "RUN --mount=type=cache,from=builder,target=/x ls\n",
        ),
        "compile",
        concat!(
            "FROM golang:1.22 AS compile\n",
            "FROM compile AS test\n",
            "FROM alpine\n",
            "COPY --from=compile /a /b\n",
            "COPY --from=0 /c /d\n",
            "RUN --mount=type=cache,from=compile,target=/x ls\n",
        ),
    );
}

#[test]
fn renaming_an_arg_renames_its_uses_in_shell_text_too() {
    assert_rename(
        "ARG VERSION=1\nFROM alpine:$VERSION\nARG VERS$0ION\nRUN echo ${VERSION} $VERSIONS\n",
        "RELEASE",
        "ARG RELEASE=1\nFROM alpine:$RELEASE\nARG RELEASE\nRUN echo ${RELEASE} $VERSIONS\n",
    );
}

#[test]
fn invalid_names_and_numeric_references_are_refused_with_a_reason() {
    let f = fixture("FROM alpine AS a$0\nCOPY --from=a /x /y\n");
    let analysis = Analysis::of_text(&f.source);
    let err = ide::rename(&analysis, f.source.as_str(), f.cursor, "2bad").unwrap_err();
    assert!(err.contains("not a valid stage name"), "{err}");
    let err = ide::rename(&analysis, f.source.as_str(), f.cursor, "scratch").unwrap_err();
    assert!(err.contains("reserved"), "{err}");

    let f = fixture("FROM alpine AS a\nFROM busybox\nCOPY --from=$00 /x /y\n");
    let analysis = Analysis::of_text(&f.source);
    let err = ide::prepare_rename(&analysis, f.source.as_str(), f.cursor).unwrap_err();
    assert!(err.contains("numeric"), "{err}");
}

#[test]
fn symbols_are_one_per_stage_with_instructions_inside() {
    let source = "ARG GO=1.22\nFROM golang:${GO} AS build\nRUN go build\n\nFROM alpine\nCOPY --from=build /a /a\nCMD [\"/a\"]\n";
    let analysis = Analysis::of_text(source);
    let symbols = ide::document_symbols(&analysis);
    let outline: Vec<(String, Option<String>, SymbolKind, Vec<String>)> = symbols
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.detail.clone(),
                s.kind,
                s.children.iter().map(|c| c.name.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        outline,
        vec![
            (
                "GO".into(),
                Some("ARG default 1.22".into()),
                SymbolKind::Variable,
                vec![]
            ),
            (
                "build".into(),
                Some("golang:${GO}".into()),
                SymbolKind::Stage,
                vec!["RUN".into()]
            ),
            (
                "stage 1".into(),
                Some("alpine".into()),
                SymbolKind::Stage,
                vec!["COPY".into(), "CMD".into()]
            ),
        ]
    );
    assert_eq!(&source[symbols[1].selection.clone()], "build");
}

#[test]
fn folds_cover_stages_continuations_heredocs_and_comment_blocks() {
    let source = concat!(
        "# one\n# two\n",            // 0-1 comment block
        "FROM alpine AS a\n",        // 2  stage a: 2-7
        "RUN apk add \\\n    git\n", // 3-4
        "RUN <<EOF\necho\nEOF\n",    // 5-7, heredoc 5-7
        "FROM a\n",                  // 8 single-line stage
    );
    let analysis = Analysis::of_text(source);
    let folds: Vec<(usize, usize, FoldKind)> = ide::folding_ranges(&analysis)
        .into_iter()
        .map(|f| (f.start_line, f.end_line, f.kind))
        .collect();
    assert_eq!(
        folds,
        vec![
            (0, 1, FoldKind::Comment),
            (2, 7, FoldKind::Region),
            (3, 4, FoldKind::Region),
            (5, 7, FoldKind::Region),
        ]
    );
}
