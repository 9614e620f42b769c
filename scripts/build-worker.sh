#!/usr/bin/env bash
# Builds the Worker (edge-api + durable-state) into edge-api/build/worker.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$FLAMINGO_ROOT/edge-api"
worker-build --release
