//! Property tests for the `edits` fuzz target's invariants
//! (`tests/support/invariants.rs`, shared with `fuzz/`): after any sequence
//! of edits, valid or not, the document's rope equals a reference string,
//! invalid edits are refused without a change, the incremental tree equals
//! a fresh parse (except for the scanner's known open shapes, see
//! `invariants::known_open_shape`), and the analysis built from the rope
//! and the incremental tree equals a fresh one.
//!
//! `DOCKERFILE_LS_PROPTEST_CASES` (default 120) and
//! `DOCKERFILE_LS_PROPTEST_SEED`: case `i` uses seed `SEED + i`.

#[path = "support/invariants.rs"]
mod invariants;

use std::panic::{catch_unwind, AssertUnwindSafe};

use invariants::{EditRun, Rng};

const DEFAULT_CASES: u64 = 120;
const DEFAULT_SEED: u64 = 0xed17_5eed;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const BASES: &[&str] = &[
    "",
    "FROM alpine\n",
    "# syntax=docker/dockerfile:1\nARG V=1\nFROM golang:${V} AS builder\nRUN --mount=type=cache,target=/c \\\n    go build -o /app .\nFROM alpine\nCOPY --from=builder /app /app\nCMD [\"/app\"]\n",
    "FROM debian\nRUN <<EOF\napt-get update\nEOF\nCOPY <<a <<b /x/\n1\na\n2\nb\n",
    "# escape=`\r\nFROM windows\r\nRUN dir `\r\n  /s\r\n",
    "FROM alpine AS é🐳\nLABEL a=\"日本語\" \\\n  b='x y'\nENV k v w\n",
    "RUN <<EOF\nnever closed\n",
];

#[test]
fn edits_keep_rope_and_tree_in_step() {
    let cases = env_u64("DOCKERFILE_LS_PROPTEST_CASES", DEFAULT_CASES);
    let seed = env_u64("DOCKERFILE_LS_PROPTEST_SEED", DEFAULT_SEED);
    let (mut compared, mut skipped) = (0, 0);
    for case in 0..cases {
        let mut rng = Rng::new(seed + case);
        let base = BASES[rng.below(BASES.len())];
        // the edits are drawn as the run goes, each against the text it
        // applies to; replaying the seed gives the same ones
        let mut run = EditRun::new(base);
        let steps = 1 + rng.below(40);
        let result = catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..steps {
                let edit = invariants::random_edit(&mut rng, &run.reference);
                run.apply(&edit);
            }
            run.check_analysis();
        }));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("?");
            panic!(
                "case {case} (DOCKERFILE_LS_PROPTEST_SEED={} DOCKERFILE_LS_PROPTEST_CASES=1) \
                 from {base:?}: {message}",
                seed + case
            );
        }
        compared += run.compared;
        skipped += run.skipped;
    }
    eprintln!("{compared} trees compared, {skipped} skipped (known open scanner shapes)");
    assert!(compared > skipped, "the known-open filter skips too much");
}

#[test]
fn known_open_shapes_are_recognised() {
    // the open case of tests/incremental.rs
    assert!(invariants::known_open_shape("FROM $x:E${/"));
    // cases that were open, fixed now, are compared
    assert!(!invariants::known_open_shape("ENV H \\\n\\F"));
    assert!(!invariants::known_open_shape("N\no \\\n\u{feff}"));
    // ordinary files are compared
    for base in BASES {
        assert!(!invariants::known_open_shape(base), "{base:?}");
    }
}

#[test]
fn byte_encoded_edit_sequences_replay_like_the_fuzz_target() {
    // base, NUL, then 4 bytes an edit (see fuzz/fuzz_targets/edits.rs)
    let mut rng = Rng::new(7);
    for _ in 0..40 {
        let mut data = BASES[rng.below(BASES.len())].as_bytes().to_vec();
        data.push(0);
        data.extend((0..4 * rng.below(20)).map(|_| rng.next() as u8));
        invariants::fuzz_edits(&data);
    }
}
