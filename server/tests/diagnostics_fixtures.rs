//! Fixture tests: each Dockerfile under `tests/fixtures/diagnostics` carries
//! its own expectations. A line such as
//!
//! ```text
//! COPY --from=buidler /src/app /app
//! #           ^^^^^^^ warning[unknown-stage]: unknown stage 'buidler': …
//! ```
//!
//! marks the columns of the line above it, the severity, optionally the code,
//! and the exact message. Annotation lines are removed before analysis, so
//! they change no position; `#^^^` marks from column 0. `#> target=NAME`, `#> build-context=NAME` and
//! `#> disable=CODE` lines set the settings. Every diagnostic the server
//! reports must be annotated, and every annotation must be reported.

use std::path::Path;

use dockerfile_ls::ide::{Analysis, DiagnosticSettings};

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    line: usize,
    start: usize,
    end: usize,
    severity: String,
    code: Option<String>,
    message: String,
}

fn parse_fixture(text: &str) -> (String, Vec<Expectation>, DiagnosticSettings) {
    let mut source = String::new();
    let mut expectations = Vec::new();
    let mut settings = DiagnosticSettings::default();
    let mut line_no = 0usize;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if let Some(setting) = trimmed.strip_prefix("#> ") {
            let (key, value) = setting.split_once('=').expect("#> key=value");
            match key {
                "target" => settings.target = Some(value.to_string()),
                "build-context" => settings.build_contexts.push(value.to_string()),
                "disable" => settings.disabled.push(value.to_string()),
                other => panic!("unknown fixture setting {other}"),
            }
            continue;
        }
        let caret_line = trimmed
            .strip_prefix('#')
            .filter(|rest| rest.trim_start().starts_with('^'));
        if let Some(rest) = caret_line {
            // `#^^^` starts at column 0: the `#` stands for the first caret
            let start = if rest.starts_with('^') {
                0
            } else {
                trimmed.find('^').unwrap()
            };
            let end = trimmed.find('^').unwrap()
                + rest.trim_start().chars().take_while(|c| *c == '^').count();
            let after = trimmed[end..].trim_start();
            let (head, message) = after.split_once(": ").expect("^^^ severity: message");
            let (severity, code) = match head.split_once('[') {
                Some((severity, code)) => (severity, Some(code.trim_end_matches(']').to_string())),
                None => (head, None),
            };
            expectations.push(Expectation {
                line: line_no - 1,
                start,
                end,
                severity: severity.to_string(),
                code,
                message: message.to_string(),
            });
            continue;
        }
        source.push_str(line);
        line_no += 1;
    }
    (source, expectations, settings)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count();
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    (line, col)
}

fn check_fixture(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let (source, mut expected, settings) = parse_fixture(&text);
    let analysis = Analysis::of_text(&source);
    let mut actual: Vec<Expectation> = analysis
        .diagnostics(source.as_str(), &settings)
        .into_iter()
        .map(|d| {
            let (line, start) = line_col(&source, d.range.start);
            let (end_line, end_col) = line_col(&source, d.range.end);
            let line_end = source[d.range.start..]
                .find('\n')
                .map_or(source.len(), |i| d.range.start + i);
            let end = if end_line == line {
                end_col
            } else {
                line_col(&source, line_end).1
            };
            Expectation {
                line,
                start,
                end: end.max(start + 1),
                severity: d.severity.as_str().to_string(),
                code: Some(d.code),
                message: d.message,
            }
        })
        .collect();
    // annotations without a code match any code
    for e in &expected {
        if e.code.is_none() {
            if let Some(a) = actual.iter_mut().find(|a| {
                a.line == e.line
                    && a.start == e.start
                    && a.end == e.end
                    && a.severity == e.severity
                    && a.message == e.message
            }) {
                a.code = None;
            }
        }
    }
    expected.sort();
    actual.sort();
    if expected == actual {
        return Ok(());
    }
    let show = |list: &[&Expectation]| {
        list.iter()
            .map(|e| {
                format!(
                    "  {}:{}-{} {}[{}]: {}",
                    e.line + 1,
                    e.start,
                    e.end,
                    e.severity,
                    e.code.as_deref().unwrap_or("*"),
                    e.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let missing: Vec<&Expectation> = expected.iter().filter(|e| !actual.contains(e)).collect();
    let unexpected: Vec<&Expectation> = actual.iter().filter(|a| !expected.contains(a)).collect();
    Err(format!(
        "{}\nexpected but not reported:\n{}\nreported but not expected:\n{}",
        path.display(),
        show(&missing),
        show(&unexpected)
    ))
}

#[test]
fn diagnostic_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diagnostics");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| check_fixture(f).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
