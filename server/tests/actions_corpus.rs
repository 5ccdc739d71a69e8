//! Invariants of every code action, over the real Dockerfiles of the shared
//! corpus and the single-stage inputs of `fixtures/actions`: every action
//! offered at every instruction, and every fix offered for every
//! diagnostic, applied, must give a file that (a) parses without ERROR or
//! MISSING nodes, (b) has no new error diagnostic, (c) keeps every
//! instruction, argument and comment the action did not mean to change.

mod actions_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use actions_support::{check_invariants, check_split, fake_estimate, real_estimate, Fixture};
use dockerfile_ls::ide::actions::{self, Request};
use dockerfile_ls::ide::{Analysis, DiagnosticSettings};

fn corpus() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
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

/// Applies every action offered anywhere in `text`; returns how many.
fn check_all(
    name: &str,
    text: &str,
    context: &dyn Fn(&str) -> Option<String>,
    failures: &mut Vec<String>,
) -> usize {
    let analysis = Analysis::of_text(text);
    let diagnostics = analysis.diagnostics(text, &DiagnosticSettings::default());
    let model = &analysis.model;
    let mut ranges: Vec<std::ops::Range<usize>> =
        model.instructions().map(|i| i.range.clone()).collect();
    // selections of two instructions, for extraction
    for stage in &model.stages {
        for pair in stage.instructions.windows(2) {
            ranges.push(pair[0].range.start..pair[1].range.end);
        }
    }
    ranges.extend(diagnostics.iter().map(|d| d.range.clone()));
    ranges.extend(model.stage_refs.iter().map(|r| r.range.clone()));
    let mut seen = BTreeSet::new();
    for range in ranges {
        let request = Request {
            range,
            diagnostics: &diagnostics,
            estimate: Some(&fake_estimate),
            context: Some(context),
            only: None,
        };
        for action in actions::code_actions_resolved(&analysis, text, &request) {
            if std::env::var_os("SHOW_ACTIONS").is_some() && !seen.contains(&action.id) {
                eprintln!("ACTION {name} {} {}", action.id, action.title);
            }
            if !seen.insert(action.id.clone()) {
                continue;
            }
            let edits = action.edits.expect("resolved");
            let after = actions::apply(text, &edits);
            if after == text {
                failures.push(format!("{name}: `{}` changes nothing", action.id));
                continue;
            }
            if let Err(problem) = check_invariants(text, &after, &action.id) {
                failures.push(format!("{name}: `{}`: {problem}", action.id));
            }
            // (d), with the test estimator until the real one is wired here
            if action.id.starts_with("split.") {
                if let Err(problem) = check_split(text, &after, &real_estimate) {
                    failures.push(format!("{name}: `{}`: {problem}", action.id));
                }
            }
        }
    }
    seen.len()
}

#[test]
fn every_action_on_the_real_corpus_keeps_the_file_sound() {
    let files = files_under(&corpus().join("real"));
    assert!(files.len() >= 300, "found {} files", files.len());
    let mut failures = Vec::new();
    let mut applied = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let name = file
            .strip_prefix(corpus())
            .unwrap_or(file)
            .display()
            .to_string();
        applied += check_all(&name, &text, &|_| None, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        applied > 50,
        "only {applied} actions applied over the corpus"
    );
}

#[test]
fn every_action_on_the_toolchain_inputs_keeps_the_file_sound() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/actions");
    let mut failures = Vec::new();
    let mut splits = 0;
    for file in files_under(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".Dockerfile") || name.ends_with(".expected.Dockerfile") {
            continue;
        }
        let fixture = Fixture::parse(&std::fs::read_to_string(&file).unwrap());
        let read = |p: &str| fixture.context(p);
        check_all(&name, &fixture.text, &read, &mut failures);
        let analysis = Analysis::of_text(&fixture.text);
        let request = Request {
            range: 0..0,
            diagnostics: &[],
            estimate: None,
            context: Some(&read),
            only: None,
        };
        splits += actions::code_actions(&analysis, &fixture.text, &request)
            .iter()
            .filter(|a| a.id.starts_with("split."))
            .count();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(splits >= 10, "only {splits} splits offered");
}
