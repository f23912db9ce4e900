#!/usr/bin/env bash
# Bar store bulk path against `psql \copy`, in one run on the same PostgreSQL server and the same rows:
#   (a) psql \copy of a TSV file (text format) into `bench_copy`, a table like the data service's `bars` (same
#       columns, same primary key, same "C" collation of the key's text columns), created empty each round;
#   (a') psql \copy of the same rows in COPY's binary format (made from the first round's table) into it, likewise;
#   (b) `bourse bench data --database-url …`: the same rows through BarStore.insertBulk (COPY FROM
#       STDIN, text format), into a fresh schema each round;
#   then the SQLite bulk path for reference. Rounds alternate (a), (a'), (b); the best round of each is compared,
#   and Bourse's best against the better of psql's two formats.
#
# Usage: scripts/bench/bars_vs_psql_copy.sh [bars=1008000] [rounds=3]
# Needs: psql, BOURSE_TEST_POSTGRES_URL (eval "$(scripts/start-test-postgres.sh)"), and a release build:
#   swift build -c release --product bourse --scratch-path .build-buslr
set -euo pipefail
cd "$(dirname "$0")/../.."
bars="${1:-1008000}"
rounds="${2:-3}"
bourse="${BOURSE_BINARY:-.build-buslr/release/bourse}"
url="${BOURSE_TEST_POSTGRES_URL:?set BOURSE_TEST_POSTGRES_URL (eval \"\$(scripts/start-test-postgres.sh)\")}"
[ -x "$bourse" ] || { echo "no release binary at $bourse" >&2; exit 1; }
work=$(mktemp -d /tmp/bourse-copy.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$bourse" bench data --bars "$bars" --write-tsv "$work/bars.tsv"
rows=$(wc -l < "$work/bars.tsv")
echo "rows: $rows ($(du -h "$work/bars.tsv" | cut -f1) of TSV); load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Before each timed step: the previous step's tables dropped (the bench's schema too: `bench data` leaves it) and
# its dirty pages written, so that no autovacuum of a million fresh rows or checkpoint overlaps the next step.
settle() {
    local schemas
    schemas=$(psql "$url" -Atc "SELECT string_agg(nspname, ', ') FROM pg_namespace WHERE nspname LIKE 'bourse\\_bench\\_data\\_%'")
    [ -n "$schemas" ] && psql "$url" -q -c "SET client_min_messages = warning" -c "DROP SCHEMA $schemas CASCADE"
    psql "$url" -q -c "CHECKPOINT"
}

# The data service's `bars` on PostgreSQL (migrations 2 and 7).
fresh_table() {
    settle
    psql "$url" -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS bench_copy" -c "CREATE TABLE bench_copy (
        symbol TEXT COLLATE \"C\" NOT NULL, date TEXT COLLATE \"C\" NOT NULL, open DOUBLE PRECISION NOT NULL,
        high DOUBLE PRECISION NOT NULL, low DOUBLE PRECISION NOT NULL, close DOUBLE PRECISION NOT NULL,
        adj_close DOUBLE PRECISION NOT NULL, volume DOUBLE PRECISION NOT NULL, PRIMARY KEY (symbol, date))"
}
timed_copy() {  # prints bars/s of one psql \copy
    local start end
    start=$(date +%s.%N)
    psql "$url" -q -v ON_ERROR_STOP=1 -c "\\copy bench_copy FROM '$1' $2"
    end=$(date +%s.%N)
    python3 -c "print(round($rows / ($end - $start)))"
}

best_psql=0; best_binary=0; best_bourse=0
for round in $(seq 1 "$rounds"); do
    fresh_table
    psql_rate=$(timed_copy "$work/bars.tsv" "")
    if [ ! -f "$work/bars.bin" ]; then
        psql "$url" -q -v ON_ERROR_STOP=1 -c "\\copy bench_copy TO '$work/bars.bin' (FORMAT binary)"
    fi
    fresh_table
    binary_rate=$(timed_copy "$work/bars.bin" "(FORMAT binary)")
    psql "$url" -q -c "DROP TABLE bench_copy"
    settle
    line=$("$bourse" bench data --bars "$bars" --queries 20 --database-url "$url" | head -1)
    bourse_rate=$(sed -E 's/.*: ([0-9]+) bars\/s.*/\1/' <<<"$line")
    echo "round $round: psql \\copy text $psql_rate bars/s, binary $binary_rate bars/s; bourse bulk $bourse_rate bars/s ($line); load $(cut -d' ' -f1-3 /proc/loadavg)"
    [ "$psql_rate" -gt "$best_psql" ] && best_psql=$psql_rate
    [ "$binary_rate" -gt "$best_binary" ] && best_binary=$binary_rate
    [ "$bourse_rate" -gt "$best_bourse" ] && best_bourse=$bourse_rate
done
best_psql_any=$(( best_binary > best_psql ? best_binary : best_psql ))
psql "$url" -q -c "DROP TABLE IF EXISTS bench_copy"
settle
echo "best: psql \\copy text $best_psql bars/s, binary $best_binary bars/s; bourse bulk $best_bourse bars/s, ratio to psql's best $(python3 -c "print(f'{$best_bourse / $best_psql_any:.2f}')") (target >= 0.80, and >= 300000 bars/s)"
echo "sqlite: $("$bourse" bench data --bars "$bars" --queries 200 | tr '\n' ' ')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
