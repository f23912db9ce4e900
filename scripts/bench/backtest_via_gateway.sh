#!/usr/bin/env bash
# A whole backtest through the gateway of a running platform (`bourse up`, SQLite), as an authenticated user:
# SMA 50/200 crossover on ORCL's 20 years (Tests/Fixtures/prices/orcl-1995-2014.csv, 5,036 bars, uploaded through
# etl first), 0.1 % fees. One request at a time: POST /api/v1/strategy/backtests, then GET the run every 5 ms until
# it has succeeded, then GET its statistics — the time from sending the POST to holding the statistics. p50/p90/p99
# over N runs after 5 warm-up runs.
#
# Usage: scripts/bench/backtest_via_gateway.sh [runs=100]
# Needs: curl, python3, and a release build: swift build -c release --product bourse
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-100}"
bourse="${BOURSE_BINARY:-.build/release/bourse}"
[ -x "$bourse" ] || { echo "no release binary at $bourse" >&2; exit 1; }
work=$(mktemp -d /tmp/bourse-backtest.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${up_pid:-}" ] && kill "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
BOURSE_GATEWAY_RATE_LIMITS= "$bourse" up --port "$port" --data-dir "$work/data" --log-level warning > "$work/up.log" 2>&1 &
up_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 600); do grep -q "services healthy" "$work/up.log" 2>/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$base" "$work/data/initial-admin-password" "$runs" <<'PY'
import json, sys, time, urllib.request
base, password_file, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def call(method, path, body=None, token=None, ctype="application/json"):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None: req.add_header("Content-Type", ctype)
    if token: req.add_header("Authorization", "Bearer " + token)
    for attempt in range(50):  # a service that has just started may not be listed by the gateway yet (503)
        try:
            with urllib.request.urlopen(req, timeout=60) as r: return r.status, r.read()
        except urllib.error.HTTPError as e:
            if e.code != 503 or attempt == 49: raise
            time.sleep(0.2)
password = open(password_file).read().strip()
for attempt in range(100):  # the gateway may not list every service yet
    try:
        token = json.loads(call("POST", "/api/v1/auth/login", json.dumps({"username": "admin", "password": password}))[1])["access_token"]
        break
    except Exception:
        time.sleep(0.2)
csv = open("Tests/Fixtures/prices/orcl-1995-2014.csv", "rb").read()
for attempt in range(100):
    try:
        call("POST", "/api/v1/etl/collect/csv?symbol=ORCL", csv, token, "text/csv")
        break
    except Exception:
        time.sleep(0.2)
for _ in range(600):
    try:
        s, b = call("GET", "/api/v1/data/market/ORCL", token=token)
        if len(json.loads(b)["bars"]) >= 5036: break
    except Exception: pass
    time.sleep(0.1)
for attempt in range(100):  # until the gateway lists the strategy service
    try:
        call("GET", "/api/v1/strategy/builtins", token=token)
        break
    except Exception:
        time.sleep(0.2)
body = json.dumps({"strategy": {"name": "g", "type": "builtin", "builtin": "sma-cross", "parameters": {"fast": 50, "slow": 200},
                                "symbols": ["ORCL"]}, "fees": {"percent": 0.001}})
def one():
    t = time.perf_counter()
    run = json.loads(call("POST", "/api/v1/strategy/backtests", body, token)[1])
    while True:
        r = json.loads(call("GET", "/api/v1/strategy/backtests/" + run["id"], token=token)[1])
        if r["status"] in ("succeeded", "failed", "cancelled"): break
        time.sleep(0.005)
    assert r["status"] == "succeeded", r
    return (time.perf_counter() - t) * 1000, r["statistics"]["trade_count"]
for _ in range(5): one()
samples = sorted(one()[0] for _ in range(runs))
q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"backtest through the gateway (ORCL 1995-2014, {runs} runs): p50 {q(0.5):.1f} ms  p90 {q(0.9):.1f} ms  p99 {q(0.99):.1f} ms  "
      f"min {samples[0]:.1f} ms  (target p50 < 50 ms)")
PY
