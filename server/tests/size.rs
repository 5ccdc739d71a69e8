//! Image-size estimates as a user sees them: the mission's single-stage vs
//! multi-stage pairs, how references resolve to catalog figures, that every
//! breakdown adds up, and the `dockerfile-ls size` command.

use std::path::{Path, PathBuf};
use std::process::Command;

use dockerfile_ls::ide::Analysis;
use dockerfile_ls::size::estimate::{
    estimate, BaseFigure, BuildContext, BuildEstimate, ContextFigure, Inputs, NoContext,
};
use dockerfile_ls::size::sources::ContextSizes;
use dockerfile_ls::size::{Bytes, Known};
use serde_json::Value;

const MB: u64 = 1_000_000;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/size")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A build context with the files the fixtures copy: Go, Node and Maven
/// sources of a few kB.
fn project_context() -> PathBuf {
    // written once: tests run in parallel and must not see a half-written file
    static CONTEXT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CONTEXT.get_or_init(write_project_context).clone()
}

fn write_project_context() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dockerfile-ls-size-{}", std::process::id()));
    let files = [
        ("main.go", "package main\n\nfunc main() {}\n"),
        ("go.mod", "module example.com/app\n\ngo 1.22\n"),
        (
            "package.json",
            r#"{"name":"app","scripts":{"build":"vite build"}}"#,
        ),
        ("package-lock.json", "{}"),
        ("pom.xml", "<project></project>\n"),
        ("src/main/java/App.java", "class App {}\n"),
        ("node_modules/left-pad/index.js", &"x".repeat(50_000)),
        (".dockerignore", "node_modules\n"),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn estimate_with(text: &str, context: &dyn BuildContext, platform: &str) -> BuildEstimate {
    let analysis = Analysis::of_text(text);
    let inputs = Inputs {
        platform: platform.to_string(),
        target: None,
        context,
        exact: None,
    };
    estimate(&analysis.model, text, &inputs)
}

fn final_unpacked(build: &BuildEstimate) -> Bytes {
    build.final_estimate().expect("a final stage").unpacked
}

fn estimate_fixture(name: &str) -> BuildEstimate {
    let context = ContextSizes::wait(&project_context(), None, std::time::Duration::from_secs(20));
    estimate_with(&fixture(name), &context, "linux/amd64")
}

#[test]
fn a_go_service_on_golang_weighs_hundreds_of_mb_and_on_alpine_a_few() {
    let single = estimate_fixture("go-single.Dockerfile");
    let split = estimate_fixture("go-split.Dockerfile");
    assert!(
        final_unpacked(&single).best >= 500 * MB,
        "{:?}",
        final_unpacked(&single)
    );
    assert!(
        final_unpacked(&split).best <= 30 * MB,
        "{:?}",
        final_unpacked(&split)
    );
    // the builder still weighs what the single stage did; it is not shipped
    assert_eq!(split.build_only, [0]);
    assert!(split.stages[0].unpacked.best >= 500 * MB);
    // the binary is what the runtime takes, from the artifact table
    let copy = &split.stages[1].parts[1].part;
    assert_eq!(copy.known, Known::Table, "{copy:?}");
    assert!(copy.what.contains("go build"), "{copy:?}");
}

#[test]
fn a_node_app_built_on_node_18_and_served_by_nginx_ships_only_its_dist() {
    let single = estimate_fixture("node-single.Dockerfile");
    let split = estimate_fixture("node-split.Dockerfile");
    let (single, split) = (final_unpacked(&single), final_unpacked(&split));
    assert!(single.best >= 800 * MB, "{single:?}");
    assert!(split.best <= 120 * MB, "{split:?}");
    assert!(
        split.high < single.low,
        "the ranges do not even overlap: {split:?} vs {single:?}"
    );
}

#[test]
fn a_maven_build_shipped_on_a_jre_saves_the_jdk_and_maven() {
    let single = estimate_fixture("maven-single.Dockerfile");
    let split = estimate_fixture("maven-split.Dockerfile");
    let (single_total, split_total) = (final_unpacked(&single), final_unpacked(&split));
    assert!(
        split_total.best + 200 * MB < single_total.best,
        "{split_total:?} vs {single_total:?}"
    );
    let base = |build: &BuildEstimate, stage: usize| match &build.stages[stage].base {
        BaseFigure::Image(image) => image.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(base(&single, 0).reference, "maven:3.8-openjdk-17");
    assert_eq!(base(&split, 1).reference, "eclipse-temurin:17-jre");
    assert!(base(&split, 1).exact_tag);
}

#[test]
fn every_breakdown_adds_up_and_every_range_is_ordered() {
    let context = ContextSizes::wait(&project_context(), None, std::time::Duration::from_secs(20));
    let corpus = std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
        .join("real");
    let mut texts: Vec<(String, String)> = [
        "go-single",
        "go-split",
        "node-single",
        "node-split",
        "maven-single",
        "maven-split",
    ]
    .iter()
    .map(|n| (n.to_string(), fixture(&format!("{n}.Dockerfile"))))
    .collect();
    for entry in walk(&corpus) {
        if let Ok(text) = std::fs::read_to_string(&entry) {
            texts.push((entry.display().to_string(), text));
        }
    }
    assert!(
        texts.len() > 100,
        "the corpus is missing: {}",
        corpus.display()
    );
    for (name, text) in &texts {
        for platform in ["linux/amd64", "linux/arm64"] {
            let build = estimate_with(text, &context, platform);
            for stage in &build.stages {
                let sum: Bytes = stage.parts.iter().map(|p| p.part.unpacked).sum();
                assert_eq!(sum, stage.unpacked, "{name} stage {}", stage.index);
                for bytes in std::iter::once(stage.unpacked)
                    .chain(std::iter::once(stage.compressed))
                    .chain(stage.parts.iter().map(|p| p.part.unpacked))
                {
                    assert!(
                        bytes.low <= bytes.best && bytes.best <= bytes.high,
                        "{name}: {bytes:?}"
                    );
                }
                // anything not understood widens the range: never a silent zero
                for part in stage
                    .parts
                    .iter()
                    .filter(|p| p.part.known == Known::Unknown)
                {
                    assert!(part.part.unpacked.high > 0, "{name}: {:?}", part.part);
                }
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn base_of(text: &str, platform: &str) -> BaseFigure {
    let build = estimate_with(text, &NoContext("none".into()), platform);
    build.stages[0].base.clone()
}

fn image_of(text: &str) -> dockerfile_ls::size::estimate::ImageFigure {
    match base_of(text, "linux/amd64") {
        BaseFigure::Image(image) => image,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn references_resolve_to_the_nearest_tag_of_their_family_and_say_so() {
    let exact = image_of("FROM node:20-alpine\n");
    assert!(exact.exact_tag, "{exact:?}");
    let nearer = image_of("FROM node:20.11.1-alpine3.19\n");
    assert_eq!(nearer.figure_for, "node:20-alpine");
    assert!(!nearer.exact_tag);
    assert!(
        nearer.notes.iter().any(|n| n.contains("nearest tag")),
        "{nearer:?}"
    );
    // the library namespace and Docker Hub's host are the same image
    let long = image_of("FROM docker.io/library/python:3.12-slim\n");
    assert_eq!(long.figure_for, "python:3.12-slim");
    // a variant is never swapped for another: slim stays slim
    let slim = image_of("FROM python:3.11.9-slim-bookworm\n");
    assert!(
        slim.figure_for.starts_with("python:3.11") && slim.figure_for.contains("slim"),
        "{slim:?}"
    );
    // latest when no tag is written
    assert_eq!(image_of("FROM alpine\n").figure_for, "alpine:latest");
    assert!(image_of("FROM alpine\n").exact_tag);
}

#[test]
fn arg_defaults_substitute_into_from() {
    let image = image_of("ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}-alpine\n");
    assert_eq!(image.reference, "golang:1.22-alpine");
}

#[test]
fn the_platform_comes_from_from_or_the_setting() {
    let text = "FROM --platform=linux/arm64 node:22-slim\nFROM node:22-slim\n";
    let build = estimate_with(text, &NoContext("none".into()), "linux/amd64");
    assert_eq!(build.stages[0].platform, "linux/arm64");
    assert_eq!(build.stages[1].platform, "linux/amd64");
    assert_ne!(
        build.stages[0].unpacked, build.stages[1].unpacked,
        "each platform has its own figure"
    );
    let build = estimate_with(
        "FROM --platform=$BUILDPLATFORM node:22-slim\n",
        &NoContext("none".into()),
        "linux/arm64",
    );
    assert_eq!(build.stages[0].platform, "linux/arm64");
}

#[test]
fn unknown_images_and_bare_digests_are_unknown_not_guessed() {
    for text in [
        "FROM example.com/team/service:1.0\n",
        "FROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
        "FROM $BASE\n",
    ] {
        match base_of(text, "linux/amd64") {
            BaseFigure::Unknown { reason, .. } => assert!(!reason.is_empty()),
            other => panic!("{text}: {other:?}"),
        }
        let build = estimate_with(text, &NoContext("none".into()), "linux/amd64");
        let stage = &build.stages[0];
        assert!(stage.has_unknown());
        assert_eq!(stage.unpacked.best, 0);
        assert!(stage.unpacked.high >= 1_000 * MB);
    }
}

#[test]
fn scratch_weighs_nothing_and_a_stage_base_inherits_its_estimate() {
    let text = "FROM alpine:3.21 AS base\nRUN apk add --no-cache curl\nFROM base\nFROM scratch\n";
    let build = estimate_with(text, &NoContext("none".into()), "linux/amd64");
    assert_eq!(build.stages[1].unpacked, build.stages[0].unpacked);
    assert_eq!(build.stages[2].unpacked, Bytes::ZERO);
}

#[test]
fn copies_from_a_context_being_measured_say_so() {
    struct Measuring;
    impl BuildContext for Measuring {
        fn copied(&self, _: &[String], _: &[String]) -> ContextFigure {
            ContextFigure::Measuring
        }
    }
    let build = estimate_with("FROM alpine:3.21\nCOPY . /app\n", &Measuring, "linux/amd64");
    let part = &build.stages[0].parts[1].part;
    assert_eq!(part.known, Known::Unknown);
    assert!(part.what.contains("measuring"), "{part:?}");
}

#[test]
fn copies_are_measured_with_dockerignore_applied() {
    let context = ContextSizes::wait(&project_context(), None, std::time::Duration::from_secs(20));
    let build = estimate_with("FROM alpine:3.21\nCOPY . /app\n", &context, "linux/amd64");
    let part = &build.stages[0].parts[1].part;
    assert_eq!(part.known, Known::Measured);
    // node_modules (50 kB) is ignored: what is left is a few hundred bytes
    assert!(part.unpacked.best < 10_000, "{part:?}");
    let build = estimate_with(
        "FROM alpine:3.21\nCOPY missing.txt /app/\n",
        &context,
        "linux/amd64",
    );
    let part = &build.stages[0].parts[1].part;
    assert_eq!(part.known, Known::Unknown, "{part:?}");
    assert!(part.what.contains("not found"), "{part:?}");
}

fn size_command(args: &[&str]) -> (String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_dockerfile-ls"))
        .arg("size")
        .args(args)
        .env("XDG_CACHE_HOME", std::env::temp_dir())
        .output()
        .expect("the binary runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_size_command_prints_each_stage_and_the_final_image() {
    let context = project_context().join("cli");
    std::fs::create_dir_all(&context).unwrap();
    let file = context.join("Dockerfile");
    std::fs::write(&file, fixture("go-split.Dockerfile")).unwrap();
    let (text, status) = size_command(&[file.to_str().unwrap(), "--platform", "linux/amd64"]);
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("stage 0 (build)"), "{text}");
    assert!(
        text.contains("final image (stage-1, linux/amd64)"),
        "{text}"
    );
    assert!(
        text.contains("on disk (unpacked)") && text.contains("to pull (compressed)"),
        "{text}"
    );

    let (json, status) = size_command(&[
        file.to_str().unwrap(),
        "--format",
        "json",
        "--platform=linux/arm64",
    ]);
    assert_eq!(status, 0);
    let json: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(json["platform"], "linux/arm64");
    let stages = json["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0]["name"], "build");
    for stage in stages {
        for key in ["bytes", "low", "high"] {
            assert!(
                stage["unpacked"][key].is_u64() && stage["compressed"][key].is_u64(),
                "{stage}"
            );
        }
        let parts = stage["parts"].as_array().unwrap();
        let sum: u64 = parts
            .iter()
            .map(|p| p["unpacked"]["bytes"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, stage["unpacked"]["bytes"].as_u64().unwrap());
        for part in parts {
            assert!(
                part["line"].is_u64()
                    && part["instruction"].is_string()
                    && part["known"].is_string()
                    && part["source"].is_string(),
                "{part}"
            );
        }
    }
    assert_eq!(json["final"]["stage"], 1);
    assert!(json["final"]["unpacked"]["bytes"].as_u64().unwrap() < 30 * MB);
}

#[test]
fn the_size_command_reports_unreadable_files_and_bad_options() {
    let (_, status) = size_command(&["/nonexistent/Dockerfile"]);
    assert_eq!(status, 2);
    let (_, status) = size_command(&["--format", "yaml"]);
    assert_eq!(status, 2);
}

#[test]
fn caches_under_a_cache_mount_stay_out_of_the_image() {
    let plain = "FROM golang:1.22\nWORKDIR /src\nRUN go build -o /app .\n";
    let mounted = "FROM golang:1.22\nWORKDIR /src\nRUN --mount=type=cache,target=/root/.cache/go-build --mount=type=cache,target=/go/pkg/mod go build -o /app .\n";
    let what = |text: &str| -> Vec<String> {
        estimate_with(text, &NoContext("none".into()), "linux/amd64").stages[0]
            .parts
            .iter()
            .map(|p| p.part.what.clone())
            .collect()
    };
    assert!(
        what(plain).iter().any(|w| w.contains("build cache")),
        "{:?}",
        what(plain)
    );
    let with_mounts = what(mounted);
    assert!(
        !with_mounts.iter().any(|w| w.contains("cache")),
        "{with_mounts:?}"
    );
    assert!(
        with_mounts.iter().any(|w| w.contains("go build")),
        "{with_mounts:?}"
    );
}
