#!/usr/bin/env bash
# Bar store bulk path against `psql \copy`, in one run on the same PostgreSQL server and the same rows:
#   (a) psql \copy of a TSV file into `bench_copy`, a table like the data service's `bars` (same columns, same
#       primary key), created empty each round;
#   (b) `bourse bench data --database-url …`: the same rows through BarRepository.insertBulk (COPY FROM STDIN),
#       into a fresh schema each round;
#   then the SQLite bulk path for reference. Rounds alternate (a), (b); the best round of each is compared.
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

best_psql=0; best_bourse=0
for round in $(seq 1 "$rounds"); do
    psql "$url" -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS bench_copy" -c "CREATE TABLE bench_copy (
        symbol TEXT NOT NULL, date TEXT NOT NULL, open DOUBLE PRECISION NOT NULL, high DOUBLE PRECISION NOT NULL,
        low DOUBLE PRECISION NOT NULL, close DOUBLE PRECISION NOT NULL, adj_close DOUBLE PRECISION NOT NULL,
        volume DOUBLE PRECISION NOT NULL, PRIMARY KEY (symbol, date))"
    start=$(date +%s.%N)
    psql "$url" -q -v ON_ERROR_STOP=1 -c "\\copy bench_copy FROM '$work/bars.tsv'"
    end=$(date +%s.%N)
    psql_rate=$(python3 -c "print(round($rows / ($end - $start)))")
    line=$("$bourse" bench data --bars "$bars" --queries 20 --database-url "$url" | head -1)
    bourse_rate=$(sed -E 's/.*: ([0-9]+) bars\/s.*/\1/' <<<"$line")
    echo "round $round: psql \\copy $psql_rate bars/s; bourse bulk $bourse_rate bars/s ($line)"
    [ "$psql_rate" -gt "$best_psql" ] && best_psql=$psql_rate
    [ "$bourse_rate" -gt "$best_bourse" ] && best_bourse=$bourse_rate
done
psql "$url" -q -c "DROP TABLE IF EXISTS bench_copy"
echo "best: psql \\copy $best_psql bars/s, bourse bulk $best_bourse bars/s, ratio $(python3 -c "print(f'{$best_bourse / $best_psql:.2f}')") (target >= 0.80, and >= 300000 bars/s)"
echo "sqlite: $("$bourse" bench data --bars "$bars" --queries 200 | tr '\n' ' ')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
