#!/usr/bin/env bash
# Tunnel host bench: every figure of issue 18 through tunnel-host (plain HTTP, and HTTPS
# with a self-signed certificate, `th-https`), through plain OpenSSH `ssh -R` to a local
# sshd, and directly to the app, on loopback, each comparison in one run so both sides see
# the same machine load, with ratios:
#   - bulk download and upload, one stream, with each side's default cipher (the negotiated
#     cipher is shown), then again with both forced to the same cipher (--cipher, default
#     aes256-gcm@openssh.com, which both servers offer);
#   - CPU seconds per GB moved: tunnel-host's process vs sshd's processes (from /proc);
#   - 8 streams at once through one tunnel and through eight tunnels (aggregate);
#   - small keep-alive GETs at 1,000/s: p50/p99 and the latency added over direct;
#   - 10,000 idle tunnels held by a russh load generator (resident memory per tunnel, and a
#     request to a random one);
#   - new SSH connections per second with public-key auth, tunnel-host vs sshd.
#
# The work is done by the Rust example tunnel-host/examples/tunnel_bench/, built here with
# the workspace release-native profile (opt-level 3, fat LTO) together with the tunnel-host
# binary, which it runs as its own process (like sshd) and drives with the real
# /usr/bin/ssh and a russh client. For the OpenSSH comparison it starts Debian's sshd
# (openssh-server, from scripts/setup.sh) on a free loopback port with a throwaway config
# and host key, which needs root. Everything is bounded: each run stops itself after 10 minutes.
#
# Usage: bench/tunnel.sh [--cipher NAME] [any tunnel_bench flag: --bulk-mb N --requests N
#        --rate N --runs N --idle-tunnels N --logins N --no-sshd]
# Env:   CARGO_TARGET_DIR (default /work/target-tunnel if it exists, else ./target)
#        BENCH_FAST_BUILD=1 builds without LTO (quicker to build, numbers a little off).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/ssh ]]; then
  echo "tunnel bench: /usr/bin/ssh missing; run scripts/setup.sh" >&2
  exit 1
fi

cipher=aes256-gcm@openssh.com
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cipher) cipher="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

if [[ -z "${CARGO_TARGET_DIR:-}" && -d /work/target-tunnel ]]; then
  export CARGO_TARGET_DIR=/work/target-tunnel
fi
if [[ "${BENCH_FAST_BUILD:-0}" == 1 ]]; then
  export CARGO_PROFILE_RELEASE_NATIVE_LTO=false CARGO_PROFILE_RELEASE_NATIVE_CODEGEN_UNITS=16
fi

cargo build --profile release-native -q -p tunnel-host --bin tunnel-host --example tunnel_bench
out="${CARGO_TARGET_DIR:-target}/release-native"
# 10,000 idle tunnels are 10,000 sockets in tunnel-host and as many in the load generator
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "== load: $(uptime)"
echo "== each side's default cipher"
timeout 660 "$out/examples/tunnel_bench" --host-bin "$out/tunnel-host" "${args[@]}"
echo
echo "== load: $(uptime)"
echo "== both forced to $cipher"
timeout 660 "$out/examples/tunnel_bench" --host-bin "$out/tunnel-host" --bulk-only --cipher "$cipher" "${args[@]}"
