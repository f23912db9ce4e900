#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the test suite and prints its URL.
# Usage: eval "$(scripts/start-test-postgres.sh)"   (exports BOURSE_TEST_POSTGRES_URL and PGTEST_DIR)
# Stop it with: scripts/stop-test-postgres.sh
set -euo pipefail
port="${PGTEST_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2; exit 1; }
dir=$(mktemp -d /tmp/bourse-pg.XXXXXX)
owner=postgres
if [ "$(id -u)" -ne 0 ]; then owner=$(id -un); fi
chown "$owner" "$dir"
run() { if [ "$(id -u)" -eq 0 ]; then su "$owner" -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
run "'$bindir/initdb' -D '$dir/data' --auth=trust --username=bourse --encoding=UTF8 >'$dir/initdb.log' 2>&1"
run "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c max_connections=1000\" start >/dev/null"
run "'$bindir/createdb' -h 127.0.0.1 -p $port -U bourse bourse_test"
echo "export BOURSE_TEST_POSTGRES_URL=postgres://bourse@127.0.0.1:$port/bourse_test"
echo "export PGTEST_DIR=$dir"
