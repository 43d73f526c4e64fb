#!/usr/bin/env bash
# Start the action server and the Rasa server on loopback, wait until both answer, then chat
# in the terminal (when there is one) or keep serving until Ctrl-C. Stops both on exit.
#   RASA_PORT (5005), ACTION_PORT (5055), RASA_INTERFACE (127.0.0.1), ACTION_INTERFACE (127.0.0.1),
#   RASA_AUTH_TOKEN (the HTTP API's token; unset: a random one in var/rasa-api-token), ENDPOINTS (endpoints.yml),
#   CREDENTIALS (default: generated var/credentials.yml, see bot/channels.py), MODEL (models/mesotherapy.tar.gz), SERVE_ONLY=1 (no terminal chat).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RASA=.venv/bin/rasa
export RASA_PORT=${RASA_PORT:-5005}  # also read by connectors/socketio.py (default allowed origins)
ACTION_PORT=${ACTION_PORT:-5055}
MODEL=${MODEL:-models/mesotherapy.tar.gz}
mkdir -p var/logs
# Files of a second instance (other ports, e.g. tests and the benchmark) do not clash with make run's.
SUFFIX=$([ "$RASA_PORT" = 5005 ] && echo "" || echo ".port-$RASA_PORT")
RASA_LOG=var/logs/rasa$SUFFIX.log
ACTIONS_LOG=var/logs/actions$SUFFIX.log
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

$PY -m bot.cli check-ports "$RASA_PORT" "$ACTION_PORT"
ENDPOINTS=${ENDPOINTS:-endpoints.yml}
if [ "$ACTION_PORT" != 5055 ]; then  # point Rasa at the action server's other port
  sed "s#127.0.0.1:5055/#127.0.0.1:$ACTION_PORT/#" "$ENDPOINTS" >var/endpoints.port-$ACTION_PORT.yml
  ENDPOINTS=var/endpoints.port-$ACTION_PORT.yml
fi

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

fail() {  # $1: what failed, $2: its log
  echo "error: $1 did not start. Last lines of $2:" >&2
  tail -n 30 "$2" >&2
  exit 1
}

echo "Starting the action server on ${ACTION_INTERFACE:-127.0.0.1}:$ACTION_PORT (log: $ACTIONS_LOG)"
SANIC_HOST=${ACTION_INTERFACE:-127.0.0.1} $PY -m rasa_sdk --actions actions --port "$ACTION_PORT" \
  >$ACTIONS_LOG 2>&1 &
pids+=($!)
action_pid=$!

# Rasa's HTTP API (used to deploy a new model without a restart) always requires a token:
# RASA_AUTH_TOKEN, or a random one kept in var/rasa-api-token (readable by its owner only).
TOKEN_FILE=var/rasa-api-token$SUFFIX
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  (umask 077 && $PY -c 'import secrets; print(secrets.token_hex(32))' >"$TOKEN_FILE")
  RASA_AUTH_TOKEN=$(cat "$TOKEN_FILE")
else
  rm -f "$TOKEN_FILE"
fi
api_args=(--enable-api "--auth-token=$RASA_AUTH_TOKEN")  # one word: a token may start with "-"
if [ -z "${CREDENTIALS:-}" ]; then  # credentials.yml plus the channels whose variables are set
  CREDENTIALS=var/credentials$SUFFIX.yml
  $PY -m bot.cli write-credentials "$CREDENTIALS"
fi
echo "Starting the Rasa server on ${RASA_INTERFACE:-127.0.0.1}:$RASA_PORT (log: $RASA_LOG)"
$RASA run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials "$CREDENTIALS" \
  --interface "${RASA_INTERFACE:-127.0.0.1}" --port "$RASA_PORT" "${api_args[@]}" \
  >$RASA_LOG 2>&1 &
pids+=($!)
rasa_pid=$!

$PY -m bot.cli wait-for "http://127.0.0.1:$ACTION_PORT/health" --timeout 120 --pid "$action_pid" || fail "The action server" $ACTIONS_LOG
$PY -m bot.cli wait-for "http://127.0.0.1:$RASA_PORT/webhooks/rest/" --timeout 300 --pid "$rasa_pid" || fail "The Rasa server" $RASA_LOG
echo "Ready. REST channel: POST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook  {\"sender\": \"me\", \"message\": \"hi\"}"
echo "Website widget demo: http://localhost:$RASA_PORT/widget/demo.html"

if [ -t 0 ] && [ -z "${SERVE_ONLY:-}" ]; then
  $PY -m bot.cli chat --url "http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook"
else
  echo "Serving until Ctrl-C."
  wait -n "${pids[@]}"
  echo "error: a server stopped; see var/logs/." >&2
  exit 1
fi
