#!/usr/bin/env bash
# Stops the server started by start-test-postgres.sh (reads PGTEST_DIR).
set -u
[ -n "${PGTEST_DIR:-}" ] || exit 0
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "$(id -u)" -eq 0 ]; then
  su postgres -s /bin/bash -c "'$bindir/pg_ctl' -D '$PGTEST_DIR/data' -m fast stop" >/dev/null 2>&1
else
  "$bindir/pg_ctl" -D "$PGTEST_DIR/data" -m fast stop >/dev/null 2>&1
fi
rm -rf "$PGTEST_DIR"
