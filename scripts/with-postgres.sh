#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server: initdb in a temporary directory, start
# it on 127.0.0.1 and a Unix socket on its own port, export DATABASE_URL (the socket), run "$@", stop and remove the server.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

PORT="${SMARTEXPO_PG_PORT:-55432}"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL server binaries not found (Debian package postgresql); install them first." >&2
  exit 1
fi

WORK="$(mktemp -d /tmp/smartexpo-pg.XXXXXX)"
as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = "0" ]; then chown postgres: "$WORK"; fi

stop() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT

as_pg "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
# fsync off: a test database that dies with the run needs no durability, and it halves the time.
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null

# Through the server's Unix socket in $WORK, not TCP: a test suite makes hundreds of thousands
# of short round trips, and the socket makes each one cheaper (the server still listens on
# 127.0.0.1 for anything that wants TCP).
SOCKET_DIR="$(printf '%s' "$WORK" | sed 's|/|%2F|g')"
export DATABASE_URL="postgres://postgres@${SOCKET_DIR}:${PORT}/smartexpo"
"$@"
