# Sourced by the build scripts: where the pinned tools live and the
# environment worker-build needs to use them instead of downloading its own.
# shellcheck shell=bash
FLAMINGO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export FLAMINGO_ROOT
export FLAMINGO_TOOLS=${FLAMINGO_TOOLS:-$HOME/.cache/flamingo/tools}
export WORKER_BUILD_VERSION=0.8.7
# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$FLAMINGO_ROOT/Cargo.lock")
export WASM_BINDGEN_VERSION
export PATH="$FLAMINGO_TOOLS/worker-build-$WORKER_BUILD_VERSION/bin:$FLAMINGO_TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin:$FLAMINGO_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN=wasm-bindgen
export WASM_OPT_BIN="$FLAMINGO_ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$FLAMINGO_ROOT/node_modules/.bin/esbuild"
# wrangler: no telemetry, no network look-ups, no prompts.
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export CI=${CI:-true}
