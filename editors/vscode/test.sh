#!/usr/bin/env bash
# The VS Code extension's checks, for CI after `cargo build` / `cargo test`:
# `npm ci`, then `npm test` (typecheck, unit tests, the LSP test against the
# built server, activation of the bundle, and packaging of both .vsix files).
#
#   DOCKERFILE_LS_BIN         the server to test (default: target/debug/dockerfile-ls)
#   DOCKERFILE_LS_SERVER_BIN  the server packed into the linux-x64 .vsix
#                             (default: DOCKERFILE_LS_BIN, so nothing is built)
#   PACKAGE_RELEASE=1         let package.sh run `cargo build --release` instead,
#                             as a release does (about 3 more minutes from clean)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=$(cd ../.. && pwd)

export DOCKERFILE_LS_BIN=${DOCKERFILE_LS_BIN:-$root/target/debug/dockerfile-ls}
if [[ ! -x "$DOCKERFILE_LS_BIN" ]]; then
  echo "editors/vscode/test.sh: no server at $DOCKERFILE_LS_BIN: run \`cargo build -p dockerfile-ls\` first" >&2
  exit 2
fi
if [[ "${PACKAGE_RELEASE:-0}" != 1 ]]; then
  export DOCKERFILE_LS_SERVER_BIN=${DOCKERFILE_LS_SERVER_BIN:-$DOCKERFILE_LS_BIN}
fi

node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error(`node ${process.version}: need node >= 20`); process.exit(2) }'
echo "node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund
npm test
