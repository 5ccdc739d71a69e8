//! Every Dockerfile of the shared corpus parses without an ERROR or MISSING
//! node: 300 real files from public projects and BuildKit's parser testfiles.

use std::path::{Path, PathBuf};

use dockerfile_ls::syntax;

fn corpus() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Files that are invalid on purpose, with what they must still parse as.
const INVALID_ON_PURPOSE: &[(&str, &str)] = &[
    // `WRONG DOCKERFILE`: an unknown instruction on its own line, not an ERROR
    (
        "docker__compose/pkg__e2e__fixtures__wrong-composefile__service1__Dockerfile",
        "unknown_instruction",
    ),
];

fn assert_clean(path: &Path, failures: &mut Vec<String>) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let tree = syntax::parse(&text);
    if let Some(node) = syntax::first_error(tree.root_node()) {
        let at = node.start_position();
        let line = text.lines().nth(at.row).unwrap_or_default();
        failures.push(format!(
            "{}:{}:{}: {} in `{line}`",
            path.display(),
            at.row + 1,
            at.column + 1,
            if node.is_missing() {
                "MISSING"
            } else {
                "ERROR"
            }
        ));
    }
}

#[test]
fn real_dockerfiles_parse_without_error_nodes() {
    let files = files_under(&corpus().join("real"), &|_| true);
    assert!(
        files.len() >= 300,
        "expected the 300 real Dockerfiles, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        assert_clean(file, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn buildkit_testfiles_parse_without_error_nodes() {
    let files = files_under(&corpus().join("buildkit-parser"), &|p| {
        p.file_name().is_some_and(|n| n == "Dockerfile")
    });
    assert!(
        files.len() >= 37,
        "expected 33 testfiles and 4 negative ones, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        assert_clean(file, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn files_invalid_on_purpose_keep_their_mistake_on_its_line() {
    for (file, expected_kind) in INVALID_ON_PURPOSE {
        let path = corpus().join("real").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = syntax::parse(&text);
        let root = tree.root_node();
        let mut cursor = root.walk();
        let kinds: Vec<&str> = root.named_children(&mut cursor).map(|n| n.kind()).collect();
        assert!(
            kinds.contains(expected_kind),
            "{file}: expected a {expected_kind}, got {kinds:?}"
        );
    }
}
