//! Document links and code lenses, from fixtures that carry their
//! expectations:
//!
//! ```text
//! FROM golang:1.22 AS build
//! #    ^^^^^^ https://hub.docker.com/_/golang
//! # lens: used by: test
//! ```
//!
//! A caret line marks a link on the line above it (columns are bytes); a
//! `# lens:` line gives the title of the lens of the FROM above it. A first
//! line `# target: NAME` builds that target. The links and lenses found must
//! be exactly the ones written down: a FROM without a `# lens:` line, or an
//! image without carets, must have none.

use std::path::{Path, PathBuf};

use dockerfile_ls::ide::{self, Analysis};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// The byte offset where each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// (line, text) of every line that is no caret annotation: what annotations
/// refer to.
fn annotated_line(lines: &[&str], index: usize) -> usize {
    (0..index)
        .rev()
        .find(|&i| !is_caret_line(lines[i]) && !lines[i].starts_with("# lens:"))
        .unwrap_or_else(|| panic!("annotation on line {} has no line above", index + 1))
}

fn is_caret_line(line: &str) -> bool {
    line.starts_with('#') && line.trim_start_matches([' ', '#']).starts_with('^')
}

#[test]
fn link_fixtures() {
    for path in fixtures("links") {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let starts = line_starts(&text);
        let lines: Vec<&str> = text.lines().collect();
        let mut expected = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if !is_caret_line(line) {
                continue;
            }
            let column = line.find('^').unwrap();
            let width = line[column..].chars().take_while(|&c| c == '^').count();
            let target = line[column + width..].trim().to_string();
            let start = starts[annotated_line(&lines, i)] + column;
            expected.push((start..start + width, target));
        }
        let analysis = Analysis::of_text(&text);
        let found: Vec<_> = ide::document_links(&analysis)
            .into_iter()
            .map(|l| (l.range, l.target))
            .collect();
        let show = |links: &[(std::ops::Range<usize>, String)]| {
            links
                .iter()
                .map(|(r, t)| format!("{:?} {t}", &text[r.clone()]))
                .collect::<Vec<_>>()
                .join("\n  ")
        };
        assert_eq!(
            found,
            expected,
            "{name}\nfound:\n  {}\nexpected:\n  {}",
            show(&found),
            show(&expected)
        );
    }
}

#[test]
fn lens_fixtures() {
    for path in fixtures("lens") {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let starts = line_starts(&text);
        let lines: Vec<&str> = text.lines().collect();
        let target = lines
            .first()
            .and_then(|l| l.strip_prefix("# target:"))
            .map(str::trim);
        let mut expected = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if let Some(title) = line.strip_prefix("# lens:") {
                let from = annotated_line(&lines, i);
                assert!(
                    lines[from].starts_with("FROM"),
                    "{name}:{}: a lens annotation belongs under a FROM",
                    i + 1
                );
                expected.push((starts[from], title.trim().to_string()));
            }
        }
        let analysis = Analysis::of_text(&text);
        let found: Vec<_> = ide::code_lenses(&analysis, target)
            .into_iter()
            .map(|lens| (lens.range.start, lens.title()))
            .collect();
        assert_eq!(found, expected, "{name}");
    }
}

#[test]
fn a_target_that_names_no_stage_says_nothing_about_the_final_image() {
    let text = "FROM a AS one\nFROM one AS two\n";
    let analysis = Analysis::of_text(text);
    let titles: Vec<String> = ide::code_lenses(&analysis, Some("nope"))
        .iter()
        .map(|l| l.title())
        .collect();
    assert_eq!(titles, ["used by: two"]);
}

#[test]
fn lens_titles_take_more_parts() {
    let analysis = Analysis::of_text("FROM alpine\n");
    let mut lens = ide::code_lenses(&analysis, None).remove(0);
    lens.parts
        .push(ide::LensPart::Text("≈ 3.6 MB compressed".into()));
    assert_eq!(lens.title(), "final image · ≈ 3.6 MB compressed");
}
