#!/usr/bin/env bash
# Start the action server and the Rasa server on loopback, wait until both answer, then chat
# in the terminal (when there is one) or keep serving until Ctrl-C. Stops both on exit.
# Settings (ports, interfaces, model, endpoints, credentials, API token...) are those of
# `python -m bot settings` (bot/settings.py, the README's settings table); SERVE_ONLY=1: no terminal chat.
set -euo pipefail
umask 077  # logs, var/ and the databases readable by this user only (visitors' personal data)
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# Every setting comes from the one settings object (bot/settings.py), defaults included.
eval "$($PY -m bot settings --shell)"
export RASA_PORT  # the widget's default allowed origins follow it
mkdir -p var/logs
# Files of a second instance (other ports, e.g. tests and the benchmark) do not clash with make run's.
RASA_LOG=var/logs/rasa$INSTANCE_SUFFIX.log
ACTIONS_LOG=var/logs/actions$INSTANCE_SUFFIX.log
touch "$RASA_LOG" "$ACTIONS_LOG" && chmod 600 "$RASA_LOG" "$ACTIONS_LOG"  # also those of an older start

$PY -m bot check-ports "$RASA_PORT" "$ACTION_PORT"
# Point Rasa at the action server of these settings (the endpoints file names the default one).
ACTION_URL_IN_FILE=$(sed -n 's#^ *url: *"\?\(http://127.0.0.1:[0-9]*\)/webhook.*#\1#p' "$ENDPOINTS" | head -n 1)
if [ -n "$ACTION_URL_IN_FILE" ] && [ "$ACTION_URL_IN_FILE" != "$ACTION_URL" ]; then
  sed "s#$ACTION_URL_IN_FILE/#$ACTION_URL/#" "$ENDPOINTS" >"var/endpoints$INSTANCE_SUFFIX.action-$ACTION_PORT.yml"
  ENDPOINTS="var/endpoints$INSTANCE_SUFFIX.action-$ACTION_PORT.yml"
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

echo "Starting the action server on $ACTION_INTERFACE:$ACTION_PORT (log: $ACTIONS_LOG)"
# actions/server.py: rasa_sdk's server, the knowledge base built and checked before it listens,
# pending handoff requests retried in the background.
start_action_server() {
  $PY -m actions.server >>$ACTIONS_LOG 2>&1 &
  action_pid=$!
  pids+=($action_pid)
}
: >$ACTIONS_LOG
start_action_server

# Rasa's HTTP API (used to deploy a new model without a restart) always requires a token:
# RASA_AUTH_TOKEN, or a random one kept in RASA_AUTH_TOKEN_FILE (readable by its owner only).
if [ -z "$RASA_AUTH_TOKEN" ]; then
  (umask 077 && $PY -c 'import secrets; print(secrets.token_hex(32))' >"$RASA_AUTH_TOKEN_FILE")
else
  rm -f "$RASA_AUTH_TOKEN_FILE"
fi
if [ -z "$CREDENTIALS" ]; then  # credentials.yml plus the channels whose variables are set
  CREDENTIALS=var/credentials$INSTANCE_SUFFIX.yml
  $PY -m bot write-credentials "$CREDENTIALS"
fi
echo "Starting the Rasa server on $RASA_INTERFACE:$RASA_PORT (log: $RASA_LOG)"
# connectors/server.py: `rasa run --enable-api` with the token read from RASA_AUTH_TOKEN or the
# token file inside the process, so that no command line (`ps`) shows it.
$PY -m connectors.server --model "$MODEL" --endpoints "$ENDPOINTS" --credentials "$CREDENTIALS" \
  --interface "$RASA_INTERFACE" --port "$RASA_PORT" \
  >$RASA_LOG 2>&1 &
pids+=($!)
rasa_pid=$!

$PY -m bot wait-for "$ACTION_URL/health" --timeout 120 --pid "$action_pid" || fail "The action server" $ACTIONS_LOG
$PY -m bot wait-for "$RASA_URL/webhooks/rest/" --timeout 300 --pid "$rasa_pid" || fail "The Rasa server" $RASA_LOG
grep -o "REST channel .*" "$RASA_LOG" | tail -n 1 || true  # open on loopback, token required, or off
echo "Ready. REST channel: POST $RASA_URL/webhooks/rest/webhook  {\"sender\": \"me\", \"message\": \"hi\"}"
echo "Website widget demo: http://localhost:$RASA_PORT/widget/demo.html"

if [ -t 0 ] && [ -z "${SERVE_ONLY:-}" ]; then  # SERVE_ONLY=1: no terminal chat
  $PY -m bot chat --url "$RASA_URL/webhooks/rest/webhook"
else
  echo "Serving until Ctrl-C."
  # The action server is started again when it stops (meanwhile visitors are told to try again
  # in a moment: connectors/faults.py); when the Rasa server stops, everything stops.
  while true; do
    wait -n "${pids[@]}" || true
    if ! kill -0 "$rasa_pid" 2>/dev/null; then
      echo "error: the Rasa server stopped; see $RASA_LOG." >&2
      exit 1
    fi
    if ! kill -0 "$action_pid" 2>/dev/null; then
      echo "The action server stopped; starting it again (log: $ACTIONS_LOG)." >&2
      sleep 1
      pids=("$rasa_pid")
      start_action_server
    fi
  done
fi
