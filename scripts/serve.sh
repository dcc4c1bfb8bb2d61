#!/usr/bin/env bash
# `make serve`: what one production app host runs: migrate, collect static files, then gunicorn with
# the checked-in gunicorn.conf.py. Settings refuse to start without DJANGO_SECRET_KEY (50+ random
# characters) and DJANGO_ALLOWED_HOSTS. With several app hosts, let one of them migrate: set
# SERVE_MIGRATE=0 on the others.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"

if [ "${SERVE_MIGRATE:-1}" = "1" ]; then
  "$BIN/python" manage.py migrate --noinput
fi
# Hashed, compressed copies for WhiteNoise (far-future caching); the names change whenever a file does.
"$BIN/python" manage.py collectstatic --noinput --verbosity 0
exec "$BIN/gunicorn" -c gunicorn.conf.py ocop_catalogue.wsgi
