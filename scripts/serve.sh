#!/usr/bin/env bash
# `make serve`: what one production app host runs: migrate, collect static files, the background worker,
# then gunicorn with the checked-in gunicorn.conf.py. Settings refuse to start without DJANGO_SECRET_KEY
# (50+ random characters) and DJANGO_ALLOWED_HOSTS. With several app hosts, let one of them migrate: set
# SERVE_MIGRATE=0 on the others.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"

if [ "${SERVE_MIGRATE:-1}" = "1" ]; then
  "$BIN/python" manage.py migrate --noinput
fi
# Hashed, compressed copies for WhiteNoise (far-future caching); the names change whenever a file does.
# Several hosts starting at once on one shared static root take turns (a lock beside it); SERVE_COLLECTSTATIC=0
# when the deployment collects them once beforehand.
if [ "${SERVE_COLLECTSTATIC:-1}" = "1" ]; then
  STATIC_ROOT="${DJANGO_STATIC_ROOT:-staticfiles}"
  mkdir -p "$(dirname "$STATIC_ROOT")"
  flock --timeout 300 "${STATIC_ROOT%/}.lock" "$BIN/python" manage.py collectstatic --noinput --verbosity 0
fi
# The background worker (certifications/tasks.py: long recomputations), restarted if it ever stops. It is
# in this process group, so whatever stops the server (Ctrl-C, systemd, kill of the group) stops it too.
if [ "${SERVE_TASK_WORKER:-1}" = "1" ]; then
  (
    trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
    while true; do
      "$BIN/python" manage.py db_worker --interval 1 &
      child=$!
      wait "$child" || true
      sleep 1
    done
  ) &
fi
exec "$BIN/gunicorn" -c gunicorn.conf.py ocop_catalogue.wsgi
