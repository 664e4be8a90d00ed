#!/usr/bin/env bash
# Finds (or starts) the PostgreSQL and Redis that the test suite talks to, and makes sure
# Debian's Chromium is installed for the browser tests. Prints shell assignments for `make test`.
#
# Order of preference, for each service:
#   1. what the caller gave: TEST_DATABASE_URL / TEST_CONFIDENTIAL_DATABASE_URL / REDIS_URL;
#   2. the local server on its usual port (127.0.0.1:5432, 127.0.0.1:6379) when it answers;
#   3. a private server started from the installed packages under var/ (installed with apt-get
#      first when missing, which needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
VAR="$PWD/var"
mkdir -p "$VAR"

log() { echo "test-services: $*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "$* is missing and installing it needs root: install it, or give its URL"; exit 1
  fi
  log "installing $* with apt-get"
  if [ ! -f "$VAR/.apt-updated" ]; then apt-get update -qq >&2 && touch "$VAR/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

pg_answers() { pg_isready -q -h "$1" -p "$2" -t 3 2>/dev/null; }

postgres_urls() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "DATABASE_URL=$TEST_DATABASE_URL"
    echo "CONFIDENTIAL_DATABASE_URL=${TEST_CONFIDENTIAL_DATABASE_URL:-${TEST_DATABASE_URL}_confidential}"
    return
  fi
  command -v pg_isready >/dev/null || apt_install postgresql postgresql-client
  if ! pg_answers 127.0.0.1 5432 && [ -d /etc/postgresql ]; then
    log "starting the machine's PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start >&2 || true
  fi
  if pg_answers 127.0.0.1 5432; then
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal"
    echo "CONFIDENTIAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_confidential"
    return
  fi
  local port=54329 data="$VAR/postgres" bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if ! pg_answers 127.0.0.1 "$port"; then
    log "starting a private PostgreSQL on port $port"
    local run_as=()
    if [ "$(id -u)" = 0 ]; then
      run_as=(runuser -u postgres --)
      mkdir -p "$data" && chown postgres "$data"
    fi
    [ -f "$data/PG_VERSION" ] || "${run_as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust >&2
    "${run_as[@]}" "$bin/pg_ctl" -D "$data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -l "$data/log" -w start >&2
  fi
  echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/portal"
  echo "CONFIDENTIAL_DATABASE_URL=postgres://postgres@127.0.0.1:$port/portal_confidential"
}

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

redis_url() {
  if [ -n "${REDIS_URL:-}" ]; then echo "REDIS_URL=$REDIS_URL"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  if ! redis_answers 6379; then
    log "starting Redis on 6379"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir "$VAR" --logfile "$VAR/redis.log" >&2 || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do redis_answers 6379 && break; sleep 0.3; done
  fi
  if redis_answers 6379; then echo "REDIS_URL=redis://127.0.0.1:6379/9"; return; fi
  log "could not reach or start Redis"; exit 1
}

chromium_path() {
  [ -x /usr/bin/chromium ] || apt_install chromium
  echo "CHROMIUM_PATH=/usr/bin/chromium"
}

postgres_urls
redis_url
chromium_path
