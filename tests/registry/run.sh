#!/usr/bin/env bash
# The exact-size lookup against a real registry on loopback: Debian's
# docker-registry serves on 127.0.0.1:<free port>, skopeo pushes an OCI
# layout whose layer sizes make_layout.py knows, and the Rust test
# (server/tests/registry_size.rs) checks the lookup returns those bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/registry
started=$SECONDS

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null; then
        sudo=(sudo)
    else
        echo "registry test: needs ${missing[*]} (apt-get install ${missing[*]}) and is not root" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" ||
        { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; }
fi

work=$(mktemp -d)
registry_pid=
cleanup() {
    if [ -n "$registry_pid" ]; then
        kill "$registry_pid" 2>/dev/null || true
        wait "$registry_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
cat >"$work/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/storage
  delete:
    enabled: true
http:
  addr: $registry
EOF
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!

answers() {
    python3 - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=1) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}
for _ in $(seq 100); do
    answers "http://$registry/v2/" && break
    if ! kill -0 "$registry_pid" 2>/dev/null; then
        cat "$work/registry.log" >&2
        echo "registry test: docker-registry exited" >&2
        exit 1
    fi
    sleep 0.1
done
answers "http://$registry/v2/" || { cat "$work/registry.log" >&2; echo "registry test: no answer on $registry" >&2; exit 1; }

python3 "$here/make_layout.py" "$work/layout" >"$work/expected.env"
# shellcheck disable=SC1091
. "$work/expected.env"
push() {
    skopeo --insecure-policy copy --quiet --dest-tls-verify=false "$@" ||
        { cat "$work/registry.log" >&2; exit 1; }
}
push "oci:$work/layout:v1" "docker://$registry/sizetest:v1"
push --all "oci:$work/layout:multi" "docker://$registry/sizetest:multi"
echo "registry test: $registry serves sizetest:v1 ($V1_BYTES bytes) and sizetest:multi (amd64 $AMD64_BYTES, arm64 $ARM64_BYTES)"

DOCKERFILE_LS_TEST_REGISTRY=$registry \
    DOCKERFILE_LS_TEST_V1_BYTES=$V1_BYTES \
    DOCKERFILE_LS_TEST_AMD64_BYTES=$AMD64_BYTES \
    DOCKERFILE_LS_TEST_ARM64_BYTES=$ARM64_BYTES \
    cargo test --locked -p dockerfile-ls --test registry_size -- --include-ignored
echo "registry test: done in $((SECONDS - started)) s"
