#!/usr/bin/env bash
# A throwaway redis-server for the tests, on a free loopback port in a temporary directory.
#
#   eval "$(scripts/redis.sh start)"   # exports RISKKIT_TEST_REDIS=127.0.0.1:PORT and RISKKIT_TEST_REDIS_DIR
#   scripts/redis.sh stop              # stops the server started above and removes its directory
#
# The C++ and Python velocity tests run against this server whenever RISKKIT_TEST_REDIS is
# set, and fail (never skip) if it is set but Redis cannot be reached.
set -euo pipefail

start() {
  command -v redis-server >/dev/null || { echo "redis.sh: redis-server is not installed (scripts/setup.sh)" >&2; exit 1; }
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/riskkit-redis.XXXXXX")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save '' --appendonly no \
               --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 50); do
    if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
      echo "export RISKKIT_TEST_REDIS=127.0.0.1:$port RISKKIT_TEST_REDIS_DIR=$dir"
      return
    fi
    sleep 0.1
  done
  echo "redis.sh: redis-server did not answer on 127.0.0.1:$port (log: $dir/redis.log)" >&2
  exit 1
}

stop() {
  local dir=${RISKKIT_TEST_REDIS_DIR:-}
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "redis.sh: RISKKIT_TEST_REDIS_DIR is not set" >&2; exit 1; }
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/redis.sh start|stop" >&2; exit 2 ;;
esac
