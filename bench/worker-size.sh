#!/usr/bin/env bash
# Bundles the Worker as `wrangler deploy` would (dry run, nothing uploaded)
# and reports its size raw and gzipped, with the previous run's as baseline.
# Cloudflare's limits: 3 MiB gzipped on the free plan, 10 MiB on paid.
set -euo pipefail
source "$(dirname "$0")/../scripts/tools.sh"
cd "$FLAMINGO_ROOT"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx wrangler deploy --dry-run --outdir "$out" >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
rm -f "$out.log"
raw=$(find "$out" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.mjs' \) -printf '%s\n' | awk '{s+=$1} END {print s+0}')
gz=$(find "$out" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.mjs' \) -print0 | sort -z | xargs -0 cat | gzip -9 | wc -c)
wasm=$(find "$out" -name '*.wasm' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
echo "worker bundle: $(kib "$raw") raw ($(kib "$wasm") wasm), $(kib "$gz") gzipped"
last="$FLAMINGO_ROOT/target/worker-size.last"
if [ -f "$last" ]; then
  prev=$(cat "$last")
  awk -v a="$gz" -v b="$prev" 'BEGIN { printf "vs previous build: %.3fx gzipped (%+d bytes)\n", a / b, a - b }'
fi
mkdir -p "$(dirname "$last")" && echo "$gz" >"$last"
