#!/usr/bin/env bash
# Tunnel host bench: bulk throughput (a 100 MiB GET, best of 3) and request latency (p50/p99
# of 1000 small keep-alive GETs) through tunnel-host over plain HTTP and over HTTPS (rustls,
# a self-signed certificate from files, HTTP/1.1 like the plain figures; `th-https`), through
# plain OpenSSH `ssh -R` to a local sshd, and directly to the app, all on loopback, with
# ratios at the end (`https / http (th)` compares the two tunnel-host figures of the run).
#
# The work is done by the Rust example tunnel-host/examples/tunnel_bench.rs, built here with
# the workspace release-native profile (opt-level 3, fat LTO) together with the tunnel-host binary, which it runs as its
# own process (like sshd) and drives with the real /usr/bin/ssh. For the OpenSSH comparison it starts Debian's sshd (openssh-server,
# installed here if missing) on a free loopback port with a throwaway config and host key,
# which needs root. Everything is bounded: the example stops itself after 10 minutes.
#
# Usage: bench/tunnel.sh [--bulk-mb N] [--requests N] [--runs N] [--no-sshd]
# Env:   CARGO_TARGET_DIR (default /work/target-tunnel if it exists, else ./target)
#        BENCH_FAST_BUILD=1 builds without LTO (quicker to build, numbers a little off).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/ssh ]]; then
  echo "tunnel bench: /usr/bin/ssh missing; apt-get install openssh-client" >&2
  exit 1
fi
if [[ ! -x /usr/sbin/sshd && "$(id -u)" == 0 && " $* " != *" --no-sshd "* ]]; then
  apt-get install -y -q openssh-server >/dev/null
fi

if [[ -z "${CARGO_TARGET_DIR:-}" && -d /work/target-tunnel ]]; then
  export CARGO_TARGET_DIR=/work/target-tunnel
fi
if [[ "${BENCH_FAST_BUILD:-0}" == 1 ]]; then
  export CARGO_PROFILE_RELEASE_NATIVE_LTO=false CARGO_PROFILE_RELEASE_NATIVE_CODEGEN_UNITS=16
fi

cargo build --profile release-native -q -p tunnel-host --bin tunnel-host --example tunnel_bench
out="${CARGO_TARGET_DIR:-target}/release-native"
exec timeout 660 "$out/examples/tunnel_bench" --host-bin "$out/tunnel-host" "$@"
