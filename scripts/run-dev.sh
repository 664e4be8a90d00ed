#!/usr/bin/env bash
# Runs the development site, a Celery worker and beat together; Ctrl-C (or TERM) stops all three.
# Each runs in its own process group (set -m), so stopping one group also stops the children it
# started, such as runserver's auto-reloader.
set -m
cd "$(dirname "$0")/.."
PY=.venv/bin/python

$PY -m celery -A portal worker --beat --loglevel=INFO --concurrency=1 \
  --without-gossip --without-mingle --without-heartbeat &
worker=$!
$PY manage.py runserver 127.0.0.1:8000 &
web=$!

stop() {
  trap - INT TERM EXIT
  echo "Stopping the site, worker and beat..."
  kill -TERM -- "-$web" "-$worker" 2>/dev/null
  wait
}
trap stop INT TERM EXIT
# Whichever stops first (or Ctrl-C) stops the others.
wait -n
