#!/usr/bin/env bash
# Builds the extension's .vsix files into editors/vscode/dist-vsix/:
#
#   dockerfile-ls-<version>.vsix            universal: no server inside; the
#                                           extension uses the setting or PATH
#   dockerfile-ls-linux-x64-<version>.vsix  with the release server bundled at
#                                           extension/server/dockerfile-ls
#
# The server comes from `cargo build --release -p dockerfile-ls` in the
# repository root, or from DOCKERFILE_LS_SERVER_BIN when that names a
# prebuilt linux-x64 binary (then nothing is built).
#
# Needs `npm ci` first. No network access: vsce runs with --no-dependencies.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

if [[ ! -x node_modules/.bin/vsce ]]; then
  echo "package.sh: node_modules/.bin/vsce is missing: run \`npm ci\` in $here first" >&2
  exit 2
fi

name=$(node -p 'require("./package.json").name')
version=$(node -p 'require("./package.json").version')
out=dist-vsix

server_bin=${DOCKERFILE_LS_SERVER_BIN:-}
if [[ -z "$server_bin" ]]; then
  if [[ "$(uname -s)/$(uname -m)" != "Linux/x86_64" ]]; then
    echo "package.sh: the linux-x64 .vsix needs a linux-x64 server; this is $(uname -s)/$(uname -m)." >&2
    echo "            Set DOCKERFILE_LS_SERVER_BIN to a linux-x64 build of dockerfile-ls." >&2
    exit 2
  fi
  echo "==> cargo build --release -p dockerfile-ls"
  (cd "$root" && cargo build --release --locked -p dockerfile-ls)
  target_dir=$(cd "$root" && cargo metadata --format-version 1 --no-deps --locked |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
  server_bin="$target_dir/release/dockerfile-ls"
fi
if [[ ! -x "$server_bin" ]]; then
  echo "package.sh: no executable server at $server_bin" >&2
  exit 2
fi

rm -rf "$out" server
mkdir -p "$out"
# server/ exists only while the platform .vsix is packed
trap 'rm -rf "$here/server"' EXIT

# vscode:prepublish (package.json) bundles dist/extension.js, minified, each time
vsce=(node_modules/.bin/vsce package --no-dependencies --allow-missing-repository)

echo "==> $out/$name-$version.vsix (universal, no server)"
"${vsce[@]}" --out "$out/$name-$version.vsix"

echo "==> $out/$name-linux-x64-$version.vsix (server: $server_bin)"
mkdir server
cp "$server_bin" server/dockerfile-ls
# the release profile keeps line tables for backtraces; the .vsix does not need them
strip --strip-debug server/dockerfile-ls 2>/dev/null || true
chmod 755 server/dockerfile-ls
"${vsce[@]}" --target linux-x64 --out "$out/$name-linux-x64-$version.vsix"

ls -l "$out"
