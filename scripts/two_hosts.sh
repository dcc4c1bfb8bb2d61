#!/usr/bin/env bash
# `make two-hosts`: two app hosts (gunicorn on 127.0.0.1:8105 and :8106) sharing one PostgreSQL
# database and one Redis (cache and sessions), as behind a load balancer; Ctrl-C stops both.
#   DATABASE_URL   default postgres://postgres@127.0.0.1:5432/ocop_prod (must be PostgreSQL)
#   CACHE_URL      default redis://127.0.0.1:6379/6
# Log in to /admin/ on one port, then open the other: the same session; change a product on one,
# reload the other: the change is there.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ocop_prod}"
export CACHE_URL="${CACHE_URL:-redis://127.0.0.1:6379/6}"
case "$DATABASE_URL" in
  postgres://* | postgresql://* | psql://* | pgsql://*) ;;
  *) echo "two-hosts: DATABASE_URL must be PostgreSQL (several hosts cannot share a SQLite file)" >&2; exit 2 ;;
esac
# Every host needs the same secret key: it signs sessions and password-reset links.
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export DJANGO_DEBUG=0 DJANGO_TESTING=0 GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}"
WORK="$(mktemp -d /tmp/ocop-two-hosts.XXXXXX)"
PIDS=()
stop() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap stop EXIT INT TERM

MIGRATE=1
for port in 8105 8106; do
  # One host migrates; the others only serve.
  PORT=$port SERVE_MIGRATE=$MIGRATE DJANGO_STATIC_ROOT="$WORK/static-$port" setsid scripts/serve.sh &
  PIDS+=("$!")
  MIGRATE=0
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  echo "host on http://127.0.0.1:$port/ ($(curl -s "http://127.0.0.1:$port/healthz"))"
done
echo "Ctrl-C stops both hosts."
wait
