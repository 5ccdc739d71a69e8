#!/usr/bin/env bash
# Tests the Zed extension: host unit tests of the pure logic, then the wasm
# build Zed itself would do, and a check of the .wasm it produces.
# Usage: editors/zed/test.sh   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")"

target=wasm32-wasip2
# the same target dir Zed passes, so the path below holds even when
# CARGO_TARGET_DIR is set in the environment
target_dir="$PWD/target"
wasm="$target_dir/$target/release/zed_dockerfile_ls.wasm"

sysroot="$(rustc --print sysroot)"
if [ ! -d "$sysroot/lib/rustlib/$target" ]; then
    echo "== rustup target add $target"
    rustup target add "$target"
fi

echo "== host unit tests"
cargo test --locked --target-dir "$target_dir"

echo "== wasm build ($target)"
rm -f "$wasm"
cargo build --locked --release --target "$target" --target-dir "$target_dir"

echo "== check $wasm"
[ -s "$wasm" ] || { echo "FAIL: $wasm was not produced" >&2; exit 1; }
# a WebAssembly component (what Zed loads): magic \0asm, then version 0d 00 01 00
header="$(od -An -tx1 -N8 "$wasm" | tr -d ' \n')"
[ "$header" = "0061736d0d000100" ] || {
    echo "FAIL: $wasm is not a wasm component (header $header)" >&2
    exit 1
}
# Zed reads the extension API version from this custom section
grep -qa 'zed:api-version' "$wasm" || {
    echo "FAIL: $wasm has no zed:api-version section" >&2
    exit 1
}
echo "ok: $(wc -c <"$wasm") bytes, a wasm component with zed:api-version"
