#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and runs each for a bounded time;
# fails on the first crash and prints the input that caused it.
#
#   bash fuzz/run.sh                 # every target, ${FUZZ_SECONDS:-60} s each
#   FUZZ_SECONDS=600 bash fuzz/run.sh edits
#   bash fuzz/run.sh analysis fuzz/artifacts/analysis/crash-…   # replay one input
#
# Only stable Rust is needed: no cargo-fuzz install. The flags are the ones
# cargo-fuzz passes (SanitizerCoverage for libFuzzer's guidance, debug
# assertions, overflow checks, `--cfg fuzzing`); the one unstable flag,
# AddressSanitizer, is opt-in (FUZZ_ASAN=1) and then needs RUSTC_BOOTSTRAP=1.
# Seeds: fuzz/corpus/seed (small, committed) and, when present, the real
# Dockerfiles and BuildKit testfiles in ../shared/corpus. What libFuzzer
# finds goes to fuzz/corpus-work/<target> (ignored by git); a crash input is
# written to fuzz/artifacts/<target>/ — turn it into a regression fixture
# under server/tests/fixtures/crashes/.
set -euo pipefail
cd "$(dirname "$0")"
fuzz_dir=$(pwd)
seconds=${FUZZ_SECONDS:-60}
target_triple=$(rustc -vV | sed -n 's/^host: //p')

flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  --cfg fuzzing
  -Cdebug-assertions
  -Coverflow-checks
)
if [[ "${FUZZ_ASAN:-0}" == 1 ]]; then
  export RUSTC_BOOTSTRAP=1
  flags+=(-Zsanitizer=address)
fi
export RUSTFLAGS="${flags[*]}"
# --target keeps the flags off build scripts and proc macros
# not --locked: the lock pins what it has, and takes in what the server adds
cargo build --release --target "$target_triple" --bins
bin_dir="$fuzz_dir/target/$target_triple/release"

if [[ $# -ge 2 ]]; then
  # replay inputs: target, then files
  target=$1
  shift
  exec "$bin_dir/$target" "$@"
fi

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(analysis edits)

seeds=("$fuzz_dir/corpus/seed")
for dir in ../../shared/corpus/real ../../shared/corpus/buildkit-parser/testfiles; do
  [[ -d "$dir" ]] && seeds+=("$(cd "$dir" && pwd)")
done

status=0
for target in "${targets[@]}"; do
  work="$fuzz_dir/corpus-work/$target"
  artifacts="$fuzz_dir/artifacts/$target"
  mkdir -p "$work" "$artifacts"
  echo "== fuzzing $target for ${seconds}s"
  log="$artifacts/fuzz.log"
  if "$bin_dir/$target" "$work" "${seeds[@]}" \
      -max_total_time="$seconds" -max_len=16384 -timeout=20 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^Done ' "$log" || true
  else
    status=1
    tail -n 60 "$log"
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "FUZZ FAILURE in $target: crash input ${crash:-(see $log)}"
    echo "replay: bash fuzz/run.sh $target ${crash:-<input>}"
  fi
done
exit $status
