//! Property test: the model and diagnostics that `Analysis::update` builds
//! from the previous revision's analysis (taking over what it read from the
//! subtrees the incremental parse kept, shifted) equal those of a fresh
//! build of the same text, after any sequence of edits.
//!
//! Each case picks a corpus file (or a small generated multi-stage file),
//! applies up to 25 random edits of Dockerfile-flavoured fragments through
//! `Document::apply_edit`, and after each (sometimes after two or three:
//! the server may skip revisions) compares the `Debug` dump of both models
//! and both diagnostic lists. Sometimes the previous analysis is still
//! shared, so its model is copied rather than moved.
//!
//! `DOCKERFILE_LS_PROPTEST_CASES` (default 120) and
//! `DOCKERFILE_LS_PROPTEST_SEED` as in `incremental.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dockerfile_ls::ide::{Analysis, DiagnosticSettings};
use dockerfile_ls::syntax::Document;

const FRAGMENTS: &[&str] = &[
    "\n",
    "\\",
    "\\\n",
    "`",
    "`\n",
    "\"",
    "'",
    "<<EOF",
    "<<EOF\n",
    "\nEOF\n",
    "[\"a\", \"b\"]",
    "$",
    "${",
    "}",
    "$HOME",
    "${A:-b}",
    "#",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1-labs\n",
    "# check=skip=all\n",
    "FROM ",
    "FROM alpine AS base\n",
    "FROM base\n",
    "FROM Base AS x\n",
    "AS ",
    "RUN ",
    "RUN <<EOF\n",
    "COPY ",
    "COPY --from=base / /\n",
    "COPY --from=0 a b\n",
    "ENV A=1\n",
    "ENV ",
    "ARG A=2\n",
    "ARG ",
    "LABEL ",
    "ONBUILD ",
    "ONBUILD COPY --from=x . .\n",
    "HEALTHCHECK ",
    "CMD ",
    "--mount=type=cache,target=/x,from=base ",
    "--from=base ",
    "--platform=$BUILDPLATFORM ",
    "--",
    "=",
    " ",
    "\t",
    "\r\n",
    " \\\n",
    ":",
    "@sha256:",
    "/",
    "é🐳",
    "MAINTAINER me\n",
    "scratch",
];

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let root = if root.is_dir() {
        root
    } else {
        PathBuf::from("/work/shared/corpus/real")
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
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn generated(rng: &mut fastrand::Rng) -> String {
    let mut out = String::from("ARG BASE=alpine\n");
    for stage in 0..rng.usize(1..8) {
        out.push_str(&format!("FROM ${{BASE}} AS s{stage}\nARG V\nENV E=$V\n"));
        for _ in 0..rng.usize(0..4) {
            match rng.u8(..4) {
                0 => out.push_str("RUN a \\\n  && b $E\n"),
                1 => out.push_str("RUN <<EOF\necho $V\nEOF\n"),
                2 => out.push_str(&format!("COPY --from=s{} /a /b\n", rng.usize(..stage + 1))),
                _ => out.push_str("RUN --mount=type=cache,target=/c,from=s0 x\n"),
            }
        }
    }
    out
}

fn dump(analysis: &Analysis, doc: &Document) -> (String, String) {
    let model = format!("{:#?}", analysis.model);
    let diagnostics = format!(
        "{:#?}",
        analysis.diagnostics(doc.rope(), &DiagnosticSettings::default())
    );
    (model, diagnostics)
}

fn char_boundary(doc: &Document, offset: usize) -> usize {
    let rope = doc.rope();
    rope.char_to_byte(rope.byte_to_char(offset.min(rope.len_bytes())))
}

#[test]
fn incremental_model_equals_a_fresh_build() {
    let cases: u64 = std::env::var("DOCKERFILE_LS_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let seed: u64 = std::env::var("DOCKERFILE_LS_PROPTEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x0005_eed0_fd0c);
    let files = corpus_files();
    for case in 0..cases {
        let case_seed = seed + case;
        let mut rng = fastrand::Rng::with_seed(case_seed);
        let (name, text) = if files.is_empty() || rng.u8(..4) == 0 {
            ("<generated>".to_string(), generated(&mut rng))
        } else {
            let path = &files[rng.usize(..files.len())];
            let bytes = std::fs::read(path).unwrap();
            (
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        };
        let mut doc = Document::new(&text, 0);
        // the first revision may go without the edit log (ids only)
        if rng.bool() {
            doc.take_edits();
        }
        let mut analysis = Arc::new(Analysis::from_tree(doc.tree().clone(), doc.rope()));
        let mut log = Vec::new();
        for step in 0..rng.usize(1..26) {
            for _ in 0..if rng.u8(..4) == 0 { rng.usize(2..4) } else { 1 } {
                let len = doc.rope().len_bytes();
                let a = char_boundary(&doc, rng.usize(..=len));
                let b = char_boundary(&doc, (a + rng.usize(..12)).min(len));
                let b = if rng.bool() { a } else { b };
                let piece = if b > a && rng.bool() {
                    ""
                } else {
                    FRAGMENTS[rng.usize(..FRAGMENTS.len())]
                };
                log.push(format!("{a}..{b} <- {piece:?}"));
                doc.apply_edit(a..b, piece).unwrap();
            }
            // sometimes a feature still holds the previous analysis
            let held = (rng.u8(..5) == 0).then(|| analysis.clone());
            let previous = std::mem::replace(&mut analysis, Arc::new(Analysis::empty()));
            analysis = Arc::new(Analysis::update(previous, &mut doc));
            drop(held);
            let fresh = Analysis::from_tree(doc.tree().clone(), doc.rope());
            let (got_model, got_diags) = dump(&analysis, &doc);
            let (want_model, want_diags) = dump(&fresh, &doc);
            if got_model != want_model || got_diags != want_diags {
                let what = if got_model != want_model {
                    "model"
                } else {
                    "diagnostics"
                };
                let (got, want) = if got_model != want_model {
                    (got_model, want_model)
                } else {
                    (got_diags, want_diags)
                };
                let first = got
                    .lines()
                    .zip(want.lines())
                    .position(|(g, w)| g != w)
                    .unwrap_or(0);
                let context = |s: &str| {
                    s.lines()
                        .skip(first.saturating_sub(8))
                        .take(16)
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                panic!(
                    "case seed {case_seed} ({name}), step {step}: incremental {what} differs from a fresh build\nedits:\n{}\ntext:\n{:?}\n--- incremental\n{}\n--- fresh\n{}",
                    log.join("\n"),
                    doc.rope().to_string(),
                    context(&got),
                    context(&want)
                );
            }
        }
    }
}
