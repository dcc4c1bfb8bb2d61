#!/usr/bin/env bash
# `make faults`: the database-fault drill. gunicorn (scripts/serve.sh, production settings) serves the
# catalogue from PostgreSQL under a bounded load; PostgreSQL is stopped, then started again; the
# figures say how many requests got 200, 503 or anything else, how fast the 503s came, and how long the
# site took to recover by itself (no restart).
#
#   make faults                          a throwaway PostgreSQL cluster of the drill's own (port 8109):
#                                        safe while other people use the machine's main server
#   DRILL_CLUSTER=main DRILL_CONFIRM=yes make faults
#                                        stops the machine's main cluster itself (everyone's tests on
#                                        it fail meanwhile): only when nobody else is using it
#
# Tunables: DRILL_SECONDS (45), DRILL_DOWN_AFTER (10), DRILL_DOWN_FOR (12), DRILL_THREADS (4),
# DRILL_PORT (8103), DRILL_PATHS (space-separated pages that query the database: home, lists, a
# province, the register, the verify page).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"

PG_VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -1)}"
CLUSTER="${DRILL_CLUSTER:-ocop_drill}"
APP_PORT="${DRILL_PORT:-8103}"
SECONDS_TOTAL="${DRILL_SECONDS:-45}"
DOWN_AFTER="${DRILL_DOWN_AFTER:-10}"
DOWN_FOR="${DRILL_DOWN_FOR:-12}"
THREADS="${DRILL_THREADS:-4}"
read -r -a PATHS <<<"${DRILL_PATHS:-/ /en/ /products/ /products/?stars=5 /provinces/son-la/ /certificates/ /certificates/verify/?number=00002}"
WORK="$(mktemp -d /tmp/ocop-drill.XXXXXX)"
SERVER_PID=""
CREATED_CLUSTER=0

if [ "$CLUSTER" = "main" ]; then
  if [ "${DRILL_CONFIRM:-}" != "yes" ]; then
    echo "DRILL_CLUSTER=main stops the machine's shared PostgreSQL; set DRILL_CONFIRM=yes to do it." >&2
    exit 2
  fi
  PG_PORT="${PG_PORT:-5432}"
else
  PG_PORT="${PG_PORT:-8109}"
fi
DB_NAME="${DRILL_DB:-ocop_prod_drill}"
DATABASE_URL="postgres://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}"

pg() { pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$CLUSTER" "$@"; }

cleanup() {
  set +e
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  # Whatever happened, PostgreSQL is left running (or, for the drill's own cluster, removed).
  if [ "$CREATED_CLUSTER" = "1" ]; then
    pg_dropcluster --stop "$PG_VERSION" "$CLUSTER" >/dev/null 2>&1
  elif ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
    pg start
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() {  # wait_for SECONDS COMMAND...: poll until the command succeeds
  local limit=$1
  shift
  for _ in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

echo "== PostgreSQL ${PG_VERSION}/${CLUSTER} on port ${PG_PORT}"
if [ "$CLUSTER" != "main" ]; then
  pg_dropcluster --stop "$PG_VERSION" "$CLUSTER" >/dev/null 2>&1 || true
  pg_createcluster --port "$PG_PORT" "$PG_VERSION" "$CLUSTER" -- --auth-local=trust --auth-host=trust >/dev/null
  CREATED_CLUSTER=1
  pg start
fi
wait_for 30 pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "DROP DATABASE IF EXISTS ${DB_NAME}" \
  -c "CREATE DATABASE ${DB_NAME}"

echo "== gunicorn on 127.0.0.1:${APP_PORT} (migrate, demo data, collectstatic)"
# DRILL_REDIS_URL: the Redis database the drill's server caches in (flushed by nothing, keys prefixed).
# GUNICORN_MAX_REQUESTS=0: no worker recycling during the drill, so a changed worker count means a crash.
export DATABASE_URL CACHE_URL="${DRILL_REDIS_URL:-redis://127.0.0.1:6379/7}" PORT="$APP_PORT" GUNICORN_MAX_REQUESTS=0
export DJANGO_SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost" DJANGO_STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export DJANGO_DEBUG=0 DJANGO_TESTING=0
"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py load_demo -v0
setsid scripts/serve.sh >"$WORK/access.log" 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for 60 curl -sf "http://127.0.0.1:${APP_PORT}/healthz"
WORKERS_BEFORE=$(grep -c "Booting worker" "$WORK/server.log" || true)

echo "== load: ${THREADS} threads for ${SECONDS_TOTAL} s over: ${PATHS[*]}"
"$BIN/python" scripts/drill_load.py run --base "http://127.0.0.1:${APP_PORT}" --seconds "$SECONDS_TOTAL" \
  --threads "$THREADS" --out "$WORK/requests.csv" "${PATHS[@]}" &
LOAD_PID=$!
sleep "$DOWN_AFTER"

echo "== stopping PostgreSQL"
pg stop
DOWN_AT=$(date +%s.%N)  # the server has stopped: every request from here on should get the 503
sleep "$DOWN_FOR"
HEALTH_DOWN=$(curl -s "http://127.0.0.1:${APP_PORT}/healthz" || true)
SAMPLE_503=$(curl -s "http://127.0.0.1:${APP_PORT}/" | grep -o "<h1>[^<]*</h1>" || true)

echo "== starting PostgreSQL"
START_AT=$(date +%s.%N)
pg start
wait_for 30 pg_isready -q -h 127.0.0.1 -p "$PG_PORT"
UP_AT=$(date +%s.%N)
wait "$LOAD_PID"
WORKERS_AFTER=$(grep -c "Booting worker" "$WORK/server.log" || true)

echo
echo "== figures"
echo "/healthz while down: ${HEALTH_DOWN}"
echo "page while down:     ${SAMPLE_503}"
echo "database down for:   $(python3 -c "print(f'{$START_AT - $DOWN_AT:.1f} s, then {$UP_AT - $START_AT:.1f} s to start')")"
set +e
"$BIN/python" scripts/drill_load.py report "$WORK/requests.csv" --down-at "$DOWN_AT" --start-at "$START_AT" \
  --up-at "$UP_AT"
STATUS=$?
set -e
echo "gunicorn workers booted: ${WORKERS_BEFORE} before, ${WORKERS_AFTER} after (no restart if equal)"
echo "tracebacks in the server log: $(grep -c Traceback "$WORK/server.log" || true)"
if [ "$WORKERS_BEFORE" != "$WORKERS_AFTER" ]; then
  echo "FAILED: workers were restarted"
  STATUS=1
fi
exit "$STATUS"
