//! Random edit sequences: the rope must equal a reference string, invalid
//! edits must be refused, and the incremental tree must equal a fresh
//! parse (skipped for the scanner's known open shapes, see
//! `invariants::known_open_shape`). The checks live in
//! `server/tests/support/invariants.rs`, shared with
//! `server/tests/proptest_edits.rs`.
//!
//! Input: `BASE` or `BASE \0 OPS`. Without OPS (a plain Dockerfile from the
//! seed corpus) the edits come from a generator seeded by the input. OPS is
//! read four bytes an edit: a start and an end (in 1/256ths of the text's
//! length, so they stay meaningful as it changes), a kind byte (its top bits
//! pick invalid ranges) and a fragment byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../server/tests/support/invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| invariants::fuzz_edits(data));
