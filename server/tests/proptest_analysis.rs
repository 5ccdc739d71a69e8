//! Property tests for the `analysis` fuzz target's invariants
//! (`tests/support/invariants.rs`, shared with `fuzz/`): any text, real or
//! random, goes through parse → model → every diagnostic and every feature
//! an LSP request calls, at random offsets, without a panic and with every
//! range inside the text on char boundaries.
//!
//! Cases: corpus files (`../shared/corpus`, when present) and their random
//! mutations, texts glued from Dockerfile fragments, random bytes; and every
//! crash the fuzzers found (`tests/fixtures/crashes/`), replayed exactly as
//! the fuzz target ran them.
//!
//! `DOCKERFILE_LS_PROPTEST_CASES` (default 150) and
//! `DOCKERFILE_LS_PROPTEST_SEED` as in `tests/incremental.rs`: case `i`
//! uses seed `SEED + i`, printed when it fails.

#[path = "support/invariants.rs"]
mod invariants;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use invariants::{Rng, FRAGMENTS};

const DEFAULT_CASES: u64 = 150;
const DEFAULT_SEED: u64 = 0x0a1a_1e5e;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut files = Vec::new();
    let mut stack = vec![root.join("real"), root.join("buildkit-parser/testfiles")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "result") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A text for case `rng`: a corpus file, mutated or not, fragments, or noise.
fn random_text(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(10) {
        0..=3 if !corpus.is_empty() => {
            let mut bytes = corpus[rng.below(corpus.len())].clone();
            for _ in 0..rng.below(8) {
                let at = rng.below(bytes.len() + 1);
                match rng.below(3) {
                    0 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    1 => bytes
                        .splice(at..at, FRAGMENTS[rng.below(FRAGMENTS.len())].bytes())
                        .for_each(drop),
                    _ => bytes.insert(at, rng.next() as u8),
                }
            }
            bytes
        }
        4..=8 => {
            let mut text = String::new();
            for _ in 0..rng.below(60) {
                text.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
                if rng.below(3) == 0 {
                    text.push_str(["a", "b", "0", "x/y", "${A}"][rng.below(5)]);
                }
            }
            text.into_bytes()
        }
        _ => (0..rng.below(300)).map(|_| rng.next() as u8).collect(),
    }
}

#[test]
fn any_text_through_every_feature() {
    let cases = env_u64("DOCKERFILE_LS_PROPTEST_CASES", DEFAULT_CASES);
    let seed = env_u64("DOCKERFILE_LS_PROPTEST_SEED", DEFAULT_SEED);
    let corpus: Vec<Vec<u8>> = corpus_files()
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|bytes| bytes.len() < 8 * 1024)
        .collect();
    for case in 0..cases {
        let mut rng = Rng::new(seed + case);
        let bytes = random_text(&mut rng, &corpus);
        let result = catch_unwind(AssertUnwindSafe(|| invariants::fuzz_analysis(&bytes)));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("?");
            panic!(
                "case {case} (DOCKERFILE_LS_PROPTEST_SEED={} DOCKERFILE_LS_PROPTEST_CASES=1) \
                 failed on {:?}: {message}",
                seed + case,
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

#[test]
fn every_corpus_file_through_every_feature() {
    // every third file keeps this quick in debug builds; the fuzz target
    // starts from all of them
    for path in corpus_files().iter().step_by(3) {
        let bytes = std::fs::read(path).expect("a corpus file");
        let result = catch_unwind(AssertUnwindSafe(|| invariants::fuzz_analysis(&bytes)));
        assert!(result.is_ok(), "{} failed", path.display());
    }
}

/// Inputs that once crashed a fuzz target, replayed through it.
#[test]
fn crash_fixtures_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crashes");
    let mut replayed = 0;
    for (target, run) in [
        ("analysis", invariants::fuzz_analysis as fn(&[u8])),
        ("edits", invariants::fuzz_edits),
    ] {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("a crash fixture");
            let result = catch_unwind(AssertUnwindSafe(|| run(&bytes)));
            assert!(result.is_ok(), "{} crashes {target} again", path.display());
            replayed += 1;
        }
    }
    eprintln!("{replayed} crash fixtures replayed");
}
