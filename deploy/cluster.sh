#!/usr/bin/env bash
# The production layout on this machine or a real host: nginx (the one public address) in front of
# REPLICAS Rasa replicas and the action server, all under supervisord (restarted when they stop),
# conversations in PostgreSQL and locks in Redis (endpoints.production.yml).
#
#   deploy/cluster.sh          start, wait until nginx answers through a replica, serve until Ctrl-C, stop
#   deploy/cluster.sh start    start and return once ready (supervisord keeps running: its pidfile)
#   deploy/cluster.sh stop     stop supervisord and everything it runs
#   deploy/cluster.sh status   supervisorctl status
#
# Settings (bot/settings.py, the README's tables): REPLICAS, CLUSTER_LISTEN, CLUSTER_SERVER_NAME,
# CLUSTER_RASA_PORT, CLUSTER_ACTION_PORT, TLS_CERTIFICATE, TLS_CERTIFICATE_KEY, MODEL, RASA_AUTH_TOKEN,
# WIDGET_ALLOWED_ORIGINS, WIDGET_SESSION_SECRET, MESO_PROXIES_COUNT...; endpoints.production.yml's
# variables (TRACKER_DB_*, REDIS_*, ACTION_ENDPOINT_URL) default to this machine's PostgreSQL
# (database meso_cluster, created when missing) and Redis. Files: var/cluster/ (another CLUSTER_LISTEN
# port: var/cluster.port-<port>/): the rendered nginx.conf and supervisord.conf, logs/, pidfiles.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=.venv/bin/python
SUPERVISORD=${SUPERVISORD:-$(command -v supervisord || echo /usr/bin/supervisord)}
SUPERVISORCTL=${SUPERVISORCTL:-$(command -v supervisorctl || echo /usr/bin/supervisorctl)}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
START_TIMEOUT_S=${CLUSTER_START_TIMEOUT:-300}

eval "$($PY -m bot settings --shell)"
LISTEN_PORT=${CLUSTER_LISTEN##*:}
CLUSTER_DIR=$MESO_VAR_DIR/cluster
[ "$CLUSTER_LISTEN" = "127.0.0.1:5780" ] || CLUSTER_DIR=$MESO_VAR_DIR/cluster.port-$LISTEN_PORT
case $CLUSTER_DIR in /*) ;; *) CLUSTER_DIR=$ROOT/$CLUSTER_DIR ;; esac
CONF=$CLUSTER_DIR/supervisord.conf
ctl() { "$SUPERVISORCTL" -c "$CONF" "$@"; }

running() { [ -f "$CLUSTER_DIR/supervisord.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/supervisord.pid")" 2>/dev/null; }

stop() {
  if running; then
    local pid
    pid=$(cat "$CLUSTER_DIR/supervisord.pid")
    echo "Stopping the cluster (supervisord $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then echo "error: supervisord $pid did not stop" >&2; return 1; fi
  fi
  rm -f "$CLUSTER_DIR/supervisord.pid"
}

case "${1:-run}" in
  stop) stop; exit ;;
  status) ctl status; exit ;;
  start|run) ;;
  *) echo "usage: $0 [run|start|stop|status]" >&2; exit 2 ;;
esac

for tool in "$SUPERVISORD" "$NGINX"; do
  [ -x "$tool" ] || { echo "error: $tool is missing: make cluster-tools (apt-get install nginx supervisor)" >&2; exit 1; }
done
if running; then echo "error: a cluster already runs from $CLUSTER_DIR ($0 stop)" >&2; exit 1; fi
mkdir -p "$CLUSTER_DIR/logs" "$CLUSTER_DIR/nginx"

# endpoints.production.yml's variables: this machine's PostgreSQL and Redis unless set.
export TRACKER_DB_HOST=${TRACKER_DB_HOST:-127.0.0.1} TRACKER_DB_PORT=${TRACKER_DB_PORT:-5432}
export TRACKER_DB_NAME=${TRACKER_DB_NAME:-meso_cluster} TRACKER_DB_USER=${TRACKER_DB_USER:-postgres}
export TRACKER_DB_PASSWORD=${TRACKER_DB_PASSWORD:-}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_DB=${REDIS_DB:-0}
export REDIS_PASSWORD=${REDIS_PASSWORD:-}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$CLUSTER_ACTION_PORT/webhook}
# One API token, one REST token and one widget-session key for every replica (a widget session signed by one replica is
# valid on the others); generated once into the cluster folder (mode 0600) unless set.
secret() {  # $1: file
  [ -s "$1" ] || (umask 077 && $PY -c 'import secrets; print(secrets.token_hex(32))' >"$1")
  cat "$1"
}
export RASA_AUTH_TOKEN=${RASA_AUTH_TOKEN:-$(secret "$CLUSTER_DIR/rasa-api-token")}
export WIDGET_SESSION_SECRET=${WIDGET_SESSION_SECRET:-$(secret "$CLUSTER_DIR/widget-session-secret")}
# Behind nginx the REST channel is public: it answers only requests with this token (connectors/rest.py).
export MESO_REST_TOKEN=${MESO_REST_TOKEN:-$(secret "$CLUSTER_DIR/rest-token")}
export MESO_PROXIES_COUNT=$([ "$MESO_PROXIES_COUNT" = 0 ] && echo 1 || echo "$MESO_PROXIES_COUNT")  # nginx
if [ -n "$TLS_CERTIFICATE" ]; then PUBLIC_URL=https://$CLUSTER_SERVER_NAME; else PUBLIC_URL=http://$CLUSTER_LISTEN; fi
[ "$PUBLIC_URL" != "http://127.0.0.1:$LISTEN_PORT" ] || PUBLIC_URL="http://127.0.0.1:$LISTEN_PORT,http://localhost:$LISTEN_PORT"
export WIDGET_ALLOWED_ORIGINS=${WIDGET_ALLOWED_ORIGINS:-$PUBLIC_URL}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3
export TF_INTER_OP_PARALLELISM_THREADS=1 TF_INTRA_OP_PARALLELISM_THREADS=1  # one core per replica

ports=("$CLUSTER_ACTION_PORT" "$LISTEN_PORT")
for i in $(seq 0 $((REPLICAS - 1))); do ports+=($((CLUSTER_RASA_PORT + i))); done
$PY -m bot check-ports "${ports[@]}"

# The tracker database, when missing (a real host's database is usually created beforehand).
$PY - <<'PYTHON'
import os, sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
env = os.environ
url = URL.create("postgresql+psycopg2", username=env["TRACKER_DB_USER"], password=env["TRACKER_DB_PASSWORD"] or None,
                 host=env["TRACKER_DB_HOST"], port=int(env["TRACKER_DB_PORT"]), database="postgres")
name = env["TRACKER_DB_NAME"]
try:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            print(f"Created the database {name}")
    engine.dispose()
except Exception as error:  # no right to create databases: it must exist already
    print(f"warning: could not check or create the database {name}: {error}", file=sys.stderr)
PYTHON

CREDENTIALS_FILE=${CREDENTIALS:-$CLUSTER_DIR/credentials.yml}
[ -n "$CREDENTIALS" ] || $PY -m bot write-credentials "$CREDENTIALS_FILE"

upstreams=""
for i in $(seq 0 $((REPLICAS - 1))); do
  upstreams+="    server 127.0.0.1:$((CLUSTER_RASA_PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'
done
if [ -n "$TLS_CERTIFICATE" ]; then
  listen="    listen $CLUSTER_LISTEN ssl;
    ssl_certificate $TLS_CERTIFICATE;
    ssl_certificate_key $TLS_CERTIFICATE_KEY;
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security \"max-age=31536000\" always;"
  redirect="  server {  # plain HTTP: only a redirect to HTTPS
    listen 80;
    server_name $CLUSTER_SERVER_NAME;
    return 301 https://\$host\$request_uri;
  }"
else
  listen="    listen $CLUSTER_LISTEN;"
  redirect=""
fi
if [ "$(id -u)" = 0 ]; then program_user="user=$(stat -c %U "$ROOT")"; else program_user="; (not root: no user switch)"; fi
$PY deploy/render.py deploy/nginx.conf.template "$CLUSTER_DIR/nginx.conf" \
  "CLUSTER_DIR=$CLUSTER_DIR" "NGINX_USER=www-data" "UPSTREAM_SERVERS=${upstreams%$'\n'}" "LISTEN=$listen" \
  "SERVER_NAME=$CLUSTER_SERVER_NAME" "HTTP_REDIRECT=$redirect"
$PY deploy/render.py deploy/supervisord.conf.template "$CONF" \
  "CLUSTER_DIR=$CLUSTER_DIR" "ROOT=$ROOT" "REPLICAS=$REPLICAS" "RASA_PORT=$CLUSTER_RASA_PORT" \
  "ACTION_PORT=$CLUSTER_ACTION_PORT" "MODEL=$MODEL" "ENDPOINTS=endpoints.production.yml" \
  "CREDENTIALS=$CREDENTIALS_FILE" "NGINX=$NGINX" "PROGRAM_USER=$program_user"
"$NGINX" -t -q -c "$CLUSTER_DIR/nginx.conf" -p "$CLUSTER_DIR/nginx"

echo "Starting the cluster: nginx on $CLUSTER_LISTEN, $REPLICAS Rasa replicas from port $CLUSTER_RASA_PORT," \
  "the action server on $CLUSTER_ACTION_PORT (files and logs: $CLUSTER_DIR)"
"$SUPERVISORD" -c "$CONF"
[ "${1:-run}" = run ] && trap 'stop' EXIT && trap 'exit 130' INT TERM

# Ready when nginx answers and every replica answers on loopback.
scheme=http; [ -z "$TLS_CERTIFICATE" ] || scheme=https
deadline=$((SECONDS + START_TIMEOUT_S))
wait_for() {  # $1: URL
  until $PY -m bot wait-for "$1" --timeout 5 >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ] || ! running; then
      echo "error: $1 did not answer; see $CLUSTER_DIR/logs/" >&2; ctl status >&2 || true; exit 1
    fi
  done
}
for i in $(seq 0 $((REPLICAS - 1))); do wait_for "http://127.0.0.1:$((CLUSTER_RASA_PORT + i))/webhooks/rest/"; done
if [ -z "$TLS_CERTIFICATE" ]; then wait_for "http://$CLUSTER_LISTEN/webhooks/rest/"; fi
echo "Ready. REST channel: POST $scheme://$CLUSTER_LISTEN/webhooks/rest/webhook; widget demo: $scheme://$CLUSTER_LISTEN/widget/demo.html"
echo "Processes: $SUPERVISORCTL -c $CONF status"
if [ "${1:-run}" = run ]; then
  echo "Serving until Ctrl-C."
  while running; do sleep 2; done
  echo "error: supervisord stopped" >&2
  exit 1
fi
