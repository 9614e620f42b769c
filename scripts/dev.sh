#!/usr/bin/env bash
# Runs the whole stack locally: wrangler dev (Worker + D1 + KV + Durable
# Objects + the web app) and tunnel-host. Ctrl-C or SIGTERM stops both.
# Local data lives in $FLAMINGO_STATE (default .wrangler/state) and survives
# restarts.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$FLAMINGO_ROOT"

EDGE_PORT=${EDGE_PORT:-8787}
SSH_PORT=${SSH_PORT:-2222}
HTTP_PORT=${HTTP_PORT:-8080}
ADMIN_PORT=${ADMIN_PORT:-9090}
STATE=${FLAMINGO_STATE:-$FLAMINGO_ROOT/.wrangler/state}
TUNNEL_DATA=${FLAMINGO_TUNNEL_DATA:-$FLAMINGO_ROOT/.wrangler/tunnel-host}
TUNNEL_HOST=${TUNNEL_HOST_BIN:-$FLAMINGO_ROOT/target/debug/tunnel-host}

pids=()
declare -A names=() # pid -> what it runs, for messages
stop() {
  # Ignore further signals while stopping: `make` forwards its own SIGTERM to
  # this script after the process group's, and dying half-way through would
  # orphan whichever service had not been stopped yet.
  trap '' INT TERM
  trap - EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "${wrangler_log:-}"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# Runs one SQL write against the local D1. wrangler dev holds the same SQLite
# file, so a write that meets its lock (SQLITE_BUSY) is tried again; any other
# error stops here, with wrangler's message.
d1_write() {
  local out attempt
  for attempt in $(seq 1 20); do
    if out=$(wrangler d1 execute DB --local --persist-to "$STATE" --command "$1" 2>&1); then return 0; fi
    grep -qE 'SQLITE_BUSY|database is locked' <<<"$out" || break
    sleep 0.5
  done
  printf '%s\n' "$out" >&2
  echo "writing to the local D1 failed (attempt $attempt)" >&2
  return 1
}

wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null

inspector=(); [ -n "${INSPECTOR_PORT:-}" ] && inspector=(--inspector-port "$INSPECTOR_PORT")
# wrangler writes every message, whatever --log-level shows, to this file;
# `up` below reads it.
wrangler_log=$(mktemp --tmpdir flamingo-wrangler-XXXXXX.log)
WRANGLER_LOG_PATH=$wrangler_log setsid wrangler dev --ip 127.0.0.1 --port "$EDGE_PORT" --persist-to "$STATE" "${inspector[@]}" \
  --show-interactive-dev-session=false --log-level "${WRANGLER_LOG_LEVEL:-warn}" &
pids+=($!)
names[$!]="wrangler dev"
url="http://127.0.0.1:$EDGE_PORT"
mkdir -p "$TUNNEL_DATA"
# Starts tunnel-host with any extra arguments (the edge, an enrollment token).
start_tunnel_host() {
  setsid "$TUNNEL_HOST" --ssh-addr "0.0.0.0:$SSH_PORT" --http-addr "0.0.0.0:$HTTP_PORT" \
    --admin-addr "127.0.0.1:$ADMIN_PORT" --data-dir "$TUNNEL_DATA" "$@" &
  pids+=($!)
  names[$!]=tunnel-host
}
# Stops everything if a service has exited, saying which one and how.
exit_if_one_exited() {
  local pid status
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && continue
    status=0; wait "$pid" || status=$?
    echo "${names[$pid]} exited with status $status $1; stopping" >&2
    exit 1
  done
}
# Once enrolled (edge.json holds its credential), it connects to the edge.
if [ -f "$TUNNEL_DATA/edge.json" ]; then start_tunnel_host --edge "$url"; else start_tunnel_host; fi
# Up once the Worker serves the build wrangler runs again when its watcher of
# [build].watch_dir has scanned: that reload, if it comes after the first
# start, answers a request in flight that is not a GET with a 503. The same
# check as tests/lib/stack.mjs's settledAfterRebuild.
settled() {
  awk '/changed, restarting build\.\.\./ { seen = 1; done = 0 }
       seen && /Reloading local server/ { done = 0 }
       seen && /Starting local server|Local server updated and ready/ { done = 1 }
       END { exit !(seen && done) }' "$wrangler_log" 2>/dev/null
}
for _ in $(seq 1 240); do
  if settled && curl -fsS "$url/api/health" >/dev/null 2>&1; then
    echo "Flamingo is up at $url"
    echo "  tunnels: ssh -R myapp:80:localhost:3000 -p $SSH_PORT localhost  ->  http://myapp.localhost:$HTTP_PORT"
    break
  fi
  exit_if_one_exited "before Flamingo came up"
  sleep 0.5
done
{ settled && curl -fsS "$url/api/health" >/dev/null 2>&1; } || { echo "Flamingo did not come up at $url" >&2; exit 1; }

# Enroll the local tunnel host to the local edge by itself: once the first
# organization exists (setup in the browser), add a host to it with a fresh
# one-time token and restart tunnel-host with `--enroll`.
if [ ! -f "$TUNNEL_DATA/edge.json" ]; then
  echo "  the local tunnel host enrolls itself once you have set Flamingo up at $url"
  until curl -fsS "$url/api/setup" 2>/dev/null | grep -q '"needed":false'; do
    exit_if_one_exited "while waiting for setup"
    sleep 2
  done
  token=fte_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
  now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
  expires=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%S.000Z)
  id=$(cat /proc/sys/kernel/random/uuid)
  # The same row on every attempt, so a retry never adds a second host.
  d1_write "INSERT INTO tunnel_hosts (id, org_id, name, enrollment_hash, enrollment_expires_at, created_at)
     SELECT '$id', id, 'local (make dev)', '$hash', '$expires', '$now'
     FROM organizations WHERE true ORDER BY created_at LIMIT 1
     ON CONFLICT (id) DO NOTHING"
  old=${pids[1]}
  kill -TERM -- "-$old" 2>/dev/null || true
  wait "$old" 2>/dev/null || true
  pids=("${pids[0]}")
  start_tunnel_host --edge "$url" --enroll "$token"
  for _ in $(seq 1 60); do
    [ -f "$TUNNEL_DATA/edge.json" ] && break
    exit_if_one_exited "while enrolling"
    sleep 0.5
  done
  if [ -f "$TUNNEL_DATA/edge.json" ]; then
    echo "  the local tunnel host is enrolled: add your SSH key in Settings, then ssh -R away"
  else
    echo "  the local tunnel host has not enrolled after 30 s; its log above says why" >&2
  fi
fi

# Stop everything when either service exits.
status=0; wait -n "${pids[@]}" || status=$?
for pid in "${pids[@]}"; do
  kill -0 "$pid" 2>/dev/null || echo "${names[$pid]} exited with status $status; stopping" >&2
done
exit 1
