#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and CI, in a folder of its own (data, socket and log inside it).
#
#   scripts/pg-throwaway.sh start DIR   initdb + pg_ctl start on a free port of 127.0.0.1; prints the connection URL
#   scripts/pg-throwaway.sh stop DIR    pg_ctl stop (fast), then removes DIR
#
# Uses Debian's PostgreSQL (the newest /usr/lib/postgresql/N/bin), else initdb/pg_ctl on PATH. PostgreSQL refuses
# to run as root: as root the server runs as the `postgres` user (Debian's package creates it), which gets DIR.
# Trust authentication on 127.0.0.1 only; fsync off (a throwaway server: durability is not what the tests test).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  bindir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi
if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "pg-throwaway: PostgreSQL not found (no /usr/lib/postgresql/N/bin/initdb, no initdb on PATH); apt-get install postgresql" >&2
  exit 3
fi

# Runs a PostgreSQL program as the server's user (postgres when this script runs as root).
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "pg-throwaway: the postgres user cannot reach $dir (a parent folder is closed to it): use a folder straight under /tmp" >&2
        exit 1
      fi
    fi
    as_server "$bindir/initdb" -N -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    # A free port: the kernel picks one for a socket bound to port 0; another process may take it before the
    # server does, so a failed start tries again with a new one.
    for _ in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
      if as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        echo "$port" >"$dir/port"
        echo "postgres://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_server "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
