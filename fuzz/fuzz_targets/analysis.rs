//! Arbitrary bytes through parse → model → every diagnostic and every
//! feature an LSP request calls, at offsets derived from the input.
//! The checks live in `server/tests/support/invariants.rs`, shared with
//! `server/tests/proptest_analysis.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../server/tests/support/invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| invariants::fuzz_analysis(data));
