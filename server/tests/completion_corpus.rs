//! Completion never panics and always answers with sane ranges, at every
//! trigger position of every file of the shared corpus.

use std::path::{Path, PathBuf};

use dockerfile_ls::ide::{self, Analysis};

fn corpus() -> PathBuf {
    std::env::var_os("DOCKERFILE_LS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if !path.extension().is_some_and(|e| e == "md" || e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn completion_holds_at_every_trigger_position_of_the_corpus() {
    let mut paths = Vec::new();
    files(&corpus(), &mut paths);
    let mut asked = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let analysis = Analysis::of_text(&text);
        let rope = ropey::Rope::from_str(&text);
        // after trigger characters and at line ends, where editors ask
        // (spaces, the most common, are sampled, and debug builds take every
        // fifth position, to stay quick)
        let stride = if cfg!(debug_assertions) { 5 } else { 1 };
        let offsets = text
            .char_indices()
            .filter(|(i, c)| {
                matches!(c, '-' | '=' | '$' | '{' | ',' | ':' | '\n') || (*c == ' ' && i % 7 == 0)
            })
            .map(|(i, c)| if c == '\n' { i } else { i + 1 })
            .step_by(stride);
        for offset in offsets {
            asked += 1;
            for item in ide::completion(&analysis, &rope, offset) {
                assert!(
                    item.range.start <= offset
                        && offset <= item.range.end
                        && item.range.end <= text.len(),
                    "{}:{offset}: {} replaces {:?}",
                    path.display(),
                    item.label,
                    item.range
                );
                assert!(!item.documentation.is_empty(), "{}", item.label);
            }
        }
    }
    assert!(asked > 1000, "the corpus was found ({asked} positions)");
}
