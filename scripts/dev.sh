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
stop() {
  # Ignore further signals while stopping: `make` forwards its own SIGTERM to
  # this script after the process group's, and dying half-way through would
  # orphan whichever service had not been stopped yet.
  trap '' INT TERM
  trap - EXIT
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null

inspector=(); [ -n "${INSPECTOR_PORT:-}" ] && inspector=(--inspector-port "$INSPECTOR_PORT")
setsid wrangler dev --ip 127.0.0.1 --port "$EDGE_PORT" --persist-to "$STATE" "${inspector[@]}" \
  --show-interactive-dev-session=false --log-level "${WRANGLER_LOG_LEVEL:-warn}" &
pids+=($!)
mkdir -p "$TUNNEL_DATA"
setsid "$TUNNEL_HOST" --ssh-addr "0.0.0.0:$SSH_PORT" --http-addr "0.0.0.0:$HTTP_PORT" \
  --admin-addr "127.0.0.1:$ADMIN_PORT" --data-dir "$TUNNEL_DATA" &
pids+=($!)

url="http://127.0.0.1:$EDGE_PORT"
for _ in $(seq 1 240); do
  if curl -fsS "$url/api/health" >/dev/null 2>&1; then
    echo "Flamingo is up at $url"
    echo "  tunnels: ssh -R myapp:80:localhost:3000 -p $SSH_PORT localhost  ->  http://myapp.localhost:$HTTP_PORT"
    break
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "a service exited before Flamingo came up" >&2; exit 1; }
  done
  sleep 0.5
done
curl -fsS "$url/api/health" >/dev/null 2>&1 || { echo "Flamingo did not come up at $url" >&2; exit 1; }

# Stop everything when either service exits.
wait -n "${pids[@]}" || true
echo "a service exited; stopping" >&2
exit 1
