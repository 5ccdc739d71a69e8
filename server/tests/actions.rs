//! Code action golden tests: `fixtures/actions/<name>.Dockerfile` is the
//! input, `<name>.expected.Dockerfile` the text after the action is applied.
//!
//! The input starts with header lines (`#> `), stripped before analysis:
//! - `#> action=ID` the action applied: the first one whose id starts with ID
//!   (`split.go.alpine`, `fix.unknown-stage`, `name-stage`);
//! - `#> at=L` selects line L (1-based) of the input after the header,
//!   `#> at=L:C` puts the cursor at column C (1-based) of it, `#> to=L`
//!   extends the selection to the end of line L; the default is line 1;
//! - `#> title=TEXT` the action's title, computed with the test estimator;
//! - `#> absent=ID` no action whose id starts with ID is offered;
//! - `#> context PATH=TEXT` a file of the build context (`\n` for line
//!   breaks).
//!
//! `UPDATE_EXPECT=1` writes the expected files instead of comparing.

mod actions_support;

use std::path::{Path, PathBuf};

use actions_support::{check_invariants, check_split, fake_estimate, Fixture};
use dockerfile_ls::ide::actions::{self, ActionKind, Request};
use dockerfile_ls::ide::{Analysis, DiagnosticSettings};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/actions")
}

fn inputs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("the fixtures folder")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".Dockerfile") && !name.ends_with(".expected.Dockerfile")
        })
        .collect();
    files.sort();
    files
}

fn run_fixture(path: &Path, failures: &mut Vec<String>) {
    let raw = std::fs::read_to_string(path).unwrap();
    let fixture = Fixture::parse(&raw);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let analysis = Analysis::of_text(&fixture.text);
    let diagnostics = analysis.diagnostics(fixture.text.as_str(), &DiagnosticSettings::default());
    let read = |p: &str| fixture.context(p);
    let request = Request {
        range: fixture.range.clone(),
        diagnostics: &diagnostics,
        estimate: Some(&fake_estimate),
        context: Some(&read),
        only: None,
    };
    let offered = actions::code_actions(&analysis, &fixture.text, &request);
    for absent in &fixture.absent {
        if let Some(a) = offered.iter().find(|a| a.id.starts_with(absent.as_str())) {
            failures.push(format!("{name}: `{}` is offered ({})", a.id, a.title));
        }
    }
    let Some(wanted) = &fixture.action else {
        return;
    };
    let Some(action) = offered.iter().find(|a| a.id.starts_with(wanted.as_str())) else {
        let ids: Vec<&str> = offered.iter().map(|a| a.id.as_str()).collect();
        failures.push(format!("{name}: no action `{wanted}`; offered {ids:?}"));
        return;
    };
    if let Some(title) = &fixture.title {
        if &action.title != title {
            failures.push(format!(
                "{name}: title\n  expected {title:?}\n  got      {:?}",
                action.title
            ));
        }
    }
    // quick fixes come with their edits, splits are resolved
    let must_be_lazy = action.id.starts_with("split.");
    let must_be_eager = action.kind == ActionKind::QuickFix;
    if (must_be_lazy && action.edits.is_some()) || (must_be_eager && action.edits.is_none()) {
        failures.push(format!(
            "{name}: `{}` should {}carry its edit when offered",
            action.id,
            if must_be_lazy { "not " } else { "" }
        ));
    }
    let edits = match &action.edits {
        Some(edits) => edits.clone(),
        None => match actions::resolve(&analysis, &fixture.text, &request, &action.id) {
            Some(edits) => edits,
            None => {
                failures.push(format!("{name}: `{}` does not resolve", action.id));
                return;
            }
        },
    };
    let output = actions::apply(&fixture.text, &edits);
    let expected_path = path.with_file_name(name.replace(".Dockerfile", ".expected.Dockerfile"));
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &output).unwrap();
    } else {
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == output => {}
            Ok(expected) => failures.push(format!(
                "{name}: `{}` gave\n{output}\n--- expected ---\n{expected}",
                action.id
            )),
            Err(_) => failures.push(format!(
                "{name}: no {} (UPDATE_EXPECT=1 writes it); got\n{output}",
                expected_path.display()
            )),
        }
    }
    if let Err(problem) = check_invariants(&fixture.text, &output, &action.id) {
        failures.push(format!("{name}: `{}`: {problem}", action.id));
    }
    if action.id.starts_with("split.") {
        if let Err(problem) = check_split(&fixture.text, &output, &fake_estimate) {
            failures.push(format!("{name}: `{}`: {problem}", action.id));
        }
    }
}

#[test]
fn golden_files() {
    let files = inputs();
    assert!(files.len() >= 10, "found only {} fixtures", files.len());
    let mut failures = Vec::new();
    for file in &files {
        run_fixture(file, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_expected_file_has_its_input() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix(".expected.Dockerfile") {
            assert!(
                path.with_file_name(format!("{stem}.Dockerfile")).exists(),
                "{name} has no input"
            );
        }
    }
}

#[test]
fn kinds_are_the_ones_editors_filter_on() {
    assert_eq!(ActionKind::QuickFix.as_str(), "quickfix");
    assert_eq!(ActionKind::RefactorRewrite.as_str(), "refactor.rewrite");
    assert_eq!(ActionKind::RefactorExtract.as_str(), "refactor.extract");
}

#[test]
fn sizes_are_written_in_decimal_megabytes() {
    use dockerfile_ls::size::Bytes;
    let mb = |n: f64| actions::format_size(Bytes::exact((n * 1e6) as u64));
    assert_eq!(mb(790.4), "790 MB");
    assert_eq!(mb(14.2), "14 MB");
    assert_eq!(mb(7.84), "7.8 MB");
    assert_eq!(mb(0.0), "0.0 MB");
    assert_eq!(mb(1103.0), "1.1 GB");
}

#[test]
fn without_an_estimate_the_title_has_no_sizes() {
    let text = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD [\"/out/app\"]\n";
    let analysis = Analysis::of_text(text);
    let request = Request::at(0..0, &[]);
    let offered = actions::code_actions(&analysis, text, &request);
    let split = offered
        .iter()
        .find(|a| a.id == "split.go.alpine")
        .expect("the split is offered");
    assert_eq!(split.title, "Split into build and runtime stages");
    assert!(split.edits.is_none(), "computed on resolve");
}
