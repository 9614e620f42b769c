#!/usr/bin/env bash
# Installs everything Flamingo's build and tests need, at pinned versions.
# Idempotent and quick once done: cargo tools are cached by version under
# $FLAMINGO_TOOLS, npm trees are reinstalled only when a lock file changes.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$FLAMINGO_ROOT"

say() { printf '\033[1;35m==>\033[0m %s\n' "$*"; }

# Debian packages: OpenSSH (tunnel tests and benches), Chromium (browser tests),
# Pebble (the ACME test server of the tunnel host's HTTPS tests), linux-perf (profiles of
# the tunnel host under bench/tunnel.sh).
missing=()
command -v ssh >/dev/null || missing+=(openssh-client)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/pebble ] || missing+=(pebble)
command -v perf >/dev/null || missing+=(linux-perf)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Rust targets and components.
installed_targets=$(rustup target list --installed)
grep -qx wasm32-unknown-unknown <<<"$installed_targets" || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# Pinned cargo tools, each in a root named after it and its version (the
# names tools.sh puts on PATH). Not --locked: the wasm-bindgen CLI's own lock
# file does not resolve on this registry mirror, so both resolve alike.
cargo_tool() { # crate version binary root-name
  local root="$FLAMINGO_TOOLS/$4"
  if [ ! -x "$root/bin/$3" ]; then
    say "cargo install $1 $2 (once per machine; cached in $root)"
    cargo install "$1" --version "$2" --root "$root"
  fi
}
cargo_tool worker-build "$WORKER_BUILD_VERSION" worker-build "worker-build-$WORKER_BUILD_VERSION"
cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen "wasm-bindgen-$WASM_BINDGEN_VERSION"

# moto in server mode: the S3-compatible server the backup tests start
# (tests/lib/s3.mjs, which names the same version), in its own virtualenv.
MOTO_VERSION=5.2.5
moto_root="$FLAMINGO_TOOLS/moto-$MOTO_VERSION"
if [ ! -x "$moto_root/bin/moto_server" ]; then
  say "pip install moto[server]==$MOTO_VERSION (once per machine; in $moto_root)"
  python3 -m venv "$moto_root"
  "$moto_root/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

# npm trees, reinstalled only when their lock file changed.
npm_ci() { # dir
  local dir=$1 stamp="$1/node_modules/.flamingo-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}
npm_ci .
[ -f edge-ui/package-lock.json ] && npm_ci edge-ui
# The local instance key, for `wrangler dev` (never committed; production
# uses `wrangler secret put FLAMINGO_SECRET_KEY`).
if [ ! -f .dev.vars ] || ! grep -q '^FLAMINGO_SECRET_KEY=' .dev.vars; then
  say "creating .dev.vars with a fresh local FLAMINGO_SECRET_KEY"
  key=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  echo "FLAMINGO_SECRET_KEY=$key" >>.dev.vars
fi
say "setup done"
