#!/usr/bin/env bash
# Runs a command with the pinned tools on PATH (see tools.sh).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
exec "$@"
