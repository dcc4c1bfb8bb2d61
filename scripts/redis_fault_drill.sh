#!/usr/bin/env bash
# `make faults`, second part: the Redis drill. gunicorn (scripts/serve.sh, production settings) serves the
# catalogue from PostgreSQL with a Redis of the drill's own as its cache; under a bounded load Redis is
# stopped, started, then hung (SIGSTOP: connections are accepted by the kernel and never answered),
# then let go. Every answer must be 200 and none may take longer than DRILL_MAX_MS (the cache timeout
# is 0.25 s, paid once per worker before its circuit breaker skips Redis).
#
# Tunables: DRILL_REDIS_PORT (8611), DRILL_PORT (8612), DRILL_DATABASE_URL (a database of its own on the
# machine's PostgreSQL), DRILL_PHASE (10 s per phase), DRILL_THREADS (4), DRILL_MAX_MS (1500).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"

REDIS_PORT="${DRILL_REDIS_PORT:-8611}"
APP_PORT="${DRILL_PORT:-8612}"
PHASE="${DRILL_PHASE:-10}"
THREADS="${DRILL_THREADS:-4}"
DATABASE_URL="${DRILL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ocop_redis_drill}"
read -r -a PATHS <<<"${DRILL_PATHS:-/ /en/ /products/ /products/?stars=5 /provinces/son-la/ /certificates/ /admin/login/ /healthz}"
WORK="$(mktemp -d /tmp/ocop-redis-drill.XXXXXX)"
SERVER_PID=""
REDIS_PID=""

cleanup() {
  set +e
  [ -n "$REDIS_PID" ] && kill -CONT "$REDIS_PID" 2>/dev/null
  if [ -n "$SERVER_PID" ]; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  [ -n "$REDIS_PID" ] && kill -TERM "$REDIS_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() {  # wait_for SECONDS COMMAND...: poll until the command succeeds
  local limit=$1
  shift
  for _ in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >>"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  wait_for 10 redis-cli -p "$REDIS_PORT" ping
}

echo "== Redis on port ${REDIS_PORT} (the drill's own)"
start_redis

echo "== gunicorn on 127.0.0.1:${APP_PORT} (migrate, demo data, collectstatic)"
DB_NAME="${DATABASE_URL##*/}"
psql -q "${DATABASE_URL%/*}/postgres" -c "DROP DATABASE IF EXISTS ${DB_NAME}" -c "CREATE DATABASE ${DB_NAME}"
export DATABASE_URL CACHE_URL="redis://127.0.0.1:${REDIS_PORT}/0" PORT="$APP_PORT" GUNICORN_MAX_REQUESTS=0
export DJANGO_SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost" DJANGO_STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export DJANGO_DEBUG=0 DJANGO_TESTING=0 SERVE_TASK_WORKER=0
"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py load_demo -v0
setsid scripts/serve.sh >"$WORK/access.log" 2>"$WORK/server.log" &
SERVER_PID=$!
wait_for 60 curl -sf "http://127.0.0.1:${APP_PORT}/healthz"
WORKERS_BEFORE=$(grep -c "Booting worker" "$WORK/server.log" || true)

echo "== load: ${THREADS} threads for $((PHASE * 5)) s over: ${PATHS[*]}"
"$BIN/python" scripts/drill_load.py run --base "http://127.0.0.1:${APP_PORT}" --seconds "$((PHASE * 5))" \
  --threads "$THREADS" --timeout 10 --out "$WORK/requests.csv" "${PATHS[@]}" &
LOAD_PID=$!
sleep "$PHASE"

echo "== stopping Redis"
redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=""
STOPPED_AT=$(date +%s.%N)
sleep "$PHASE"
SAMPLE_STOPPED=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' "http://127.0.0.1:${APP_PORT}/products/")

echo "== starting Redis"
STARTED_AT=$(date +%s.%N)
start_redis
sleep "$PHASE"

echo "== hanging Redis (SIGSTOP: connections accepted, never answered)"
kill -STOP "$REDIS_PID"
HUNG_AT=$(date +%s.%N)
sleep "$PHASE"
SAMPLE_HUNG=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' "http://127.0.0.1:${APP_PORT}/products/")

echo "== letting Redis go"
kill -CONT "$REDIS_PID"
RESUMED_AT=$(date +%s.%N)
wait "$LOAD_PID"
WORKERS_AFTER=$(grep -c "Booting worker" "$WORK/server.log" || true)

echo
echo "== figures"
echo "/products/ while Redis was stopped: ${SAMPLE_STOPPED}"
echo "/products/ while Redis was hung:    ${SAMPLE_HUNG}"
set +e
"$BIN/python" scripts/drill_load.py redis-report "$WORK/requests.csv" --stopped-at "$STOPPED_AT" \
  --started-at "$STARTED_AT" --hung-at "$HUNG_AT" --resumed-at "$RESUMED_AT" --max-ms "${DRILL_MAX_MS:-1500}"
STATUS=$?
set -e
echo "breaker log lines: $(grep -c 'cache skipped for' "$WORK/server.log" || true)"
echo "gunicorn workers booted: ${WORKERS_BEFORE} before, ${WORKERS_AFTER} after (no restart if equal)"
echo "tracebacks in the server log: $(grep -c Traceback "$WORK/server.log" || true)"
if [ "$WORKERS_BEFORE" != "$WORKERS_AFTER" ]; then
  echo "FAILED: workers were restarted"
  STATUS=1
fi
exit "$STATUS"
