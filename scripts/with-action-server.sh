#!/usr/bin/env bash
# Run a command while the action server is up on loopback (for `rasa test`).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python -m bot settings --shell)"  # ACTION_PORT, ACTION_URL
mkdir -p var/logs
.venv/bin/python -m bot check-ports "$ACTION_PORT"
# actions/server.py: the knowledge base built and checked before the server listens.
ACTION_INTERFACE=127.0.0.1 ACTION_PORT=$ACTION_PORT .venv/bin/python -m actions.server \
  >var/logs/actions-test.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
.venv/bin/python -m bot wait-for "$ACTION_URL/health" --timeout 120 || {
  tail -n 30 var/logs/actions-test.log >&2; exit 1; }
"$@"
