#!/usr/bin/env bash
# A 10-year daily range (2,520 bars) read through the gateway of a running platform (`bourse up`, SQLite),
# as an authenticated user: latency with one connection (p50/p99 from wrk, one request at a time), then
# throughput with 8 connections; JSON and CSV. The data service answers repeated queries from its response
# cache (checked against the symbol's bar version on every request); the first read of each symbol is also
# timed (curl, 40 symbols), which builds and encodes the response.
#
# Usage: scripts/bench/range_query_via_gateway.sh [seconds=10]
# Needs: wrk, curl, python3, and a release build:
#   swift build -c release --product bourse --scratch-path .build-buslr
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
bourse="${BOURSE_BINARY:-.build-buslr/release/bourse}"
[ -x "$bourse" ] || { echo "no release binary at $bourse" >&2; exit 1; }
work=$(mktemp -d /tmp/bourse-range.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${up_pid:-}" ] && kill "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# 40 ten-year series (S0…S39) in the data service's database, written before the platform starts.
"$bourse" bench data --bars 100800 --queries 1 --database-url "sqlite://$work/data/data.sqlite" >/dev/null
# Rate limits off: this measures latency, not the per-user quota.
BOURSE_GATEWAY_RATE_LIMITS= "$bourse" up --port "$port" --data-dir "$work/data" --log-level warning > "$work/up.log" 2>&1 &
up_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do [ -s "$work/data/initial-admin-password" ] && curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
password=$(cat "$work/data/initial-admin-password")
login() { curl -sf -XPOST "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'; }
token=""
for _ in $(seq 1 300); do token=$(login 2>/dev/null) && [ -n "$token" ] && break; sleep 0.2; done
auth="Authorization: Bearer $token"
query="from=2000-01-01&to=2009-12-31"
for _ in $(seq 1 300); do curl -sf -H "$auth" "$base/api/v1/data/market/S0?$query" >/dev/null && break; sleep 0.2; done
bars=$(curl -sf -H "$auth" -H 'Accept: text/csv' "$base/api/v1/data/market/S0?$query" | tail -n +2 | wc -l)
json_bytes=$(curl -sf -H "$auth" "$base/api/v1/data/market/S0?$query" | wc -c)

echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "GET /api/v1/data/market/{symbol}?$query through the gateway: $bars bars, JSON $json_bytes bytes"
first=()
for s in $(seq 1 39); do
    first+=("$(curl -s -o /dev/null -w '%{time_total}' -H "$auth" -H 'Accept: text/csv' "$base/api/v1/data/market/S$s?$query")")
done
python3 - "${first[@]}" <<'PY'
import sys
t = sorted(float(x) * 1000 for x in sys.argv[1:])
print(f"first read of 39 symbols (CSV, built and encoded, curl incl. connect): p50 {t[len(t)//2]:.2f} ms, max {t[-1]:.2f} ms")
PY
run() { # label connections accept
    wrk -t1 -c"$2" -d"${seconds}s" --latency -H "$auth" -H "Accept: $3" "$base/api/v1/data/market/S7?$query" > "$work/wrk.txt"
    printf '%s: %s req/s, p50 %s, p99 %s, non-2xx %s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" \
        "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")" "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")" \
        "$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt" | grep . || echo 0)"
}
wrk -t1 -c1 -d2s -H "$auth" "$base/api/v1/data/market/S7?$query" >/dev/null  # warm-up
run "JSON, 1 connection" 1 application/json
run "CSV, 1 connection" 1 text/csv
run "JSON, 8 connections" 8 application/json
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
