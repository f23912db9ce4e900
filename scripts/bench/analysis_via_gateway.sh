#!/usr/bin/env bash
# The analysis service through the gateway of a running platform (`bourse up`, SQLite), as an authenticated user,
# one request at a time:
#   1. an indicator set (sma:20, ema:50, rsi:14, macd:12:26:9, bbands:20:2) on 10 years (2,520 bars) of one symbol:
#      cold (the first request for each of 40 symbols: bars fetched from data, computed, encoded) and warm (p50/p99
#      of repeated requests, answered from the cache);
#   2. a screen over 1,000 symbols × 10 years (rsi(close,14) < 30 and close > sma(close,200)): cold (first run) and warm;
#   3. a 10-year candlestick SVG with two overlays (sma:50, sma:200) and two panes (volume, rsi:14): cold (a new
#      width each time, so nothing is cached but the bars) and warm.
# The bars are written into data's database before the platform starts (`bourse bench data`: 1,000 identical 2,520-bar
# series S0…S999; identical series cost the same to compute as different ones).
#
# Usage: scripts/bench/analysis_via_gateway.sh [warm-requests=200]
# Needs: curl, python3, and a release build: swift build -c release --product bourse
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-200}"
bourse="${BOURSE_BINARY:-.build/release/bourse}"
[ -x "$bourse" ] || { echo "no release binary at $bourse" >&2; exit 1; }
work=$(mktemp -d /tmp/bourse-analysis.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { [ -n "${up_pid:-}" ] && kill "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null; rm -rf /tmp/analysis-bench-logs; cp -r "$work/data/logs" /tmp/analysis-bench-logs 2>/dev/null; cp "$work/up.log" /tmp/analysis-bench-logs/ 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$bourse" bench data --bars 2520000 --queries 1 --database-url "sqlite://$work/data/data.sqlite" >/dev/null
BOURSE_GATEWAY_RATE_LIMITS= "$bourse" up --port "$port" --data-dir "$work/data" --log-level warning > "$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 600); do grep -q "services healthy" "$work/up.log" 2>/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$port" "$work/data/initial-admin-password" "$n" <<'PY'
import http.client, json, sys, time
port, password_file, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
def call(method, path, body=None, token=None, accept=None):
    headers = {"X-Bourse-Timeout-Ms": "120000"}
    if body is not None: headers["Content-Type"] = "application/json"
    if token: headers["Authorization"] = "Bearer " + token
    if accept: headers["Accept"] = accept
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse(); data = r.read()
    return r.status, data
token = json.loads(call("POST", "/api/v1/auth/login", json.dumps({"username": "admin", "password": open(password_file).read().strip()}))[1])["access_token"]
def timed(method, path, body=None):
    t = time.perf_counter(); status, data = call(method, path, body, token); ms = (time.perf_counter() - t) * 1000
    assert status == 200, (status, data[:300]); return ms, data
def summary(label, samples, target):
    s = sorted(samples); q = lambda p: s[min(len(s) - 1, int(p * len(s)))]
    print(f"{label}: p50 {q(0.5):.2f} ms  p99 {q(0.99):.2f} ms  min {s[0]:.2f} ms  (n={len(s)}; target {target})")
names = "sma:20,ema:50,rsi:14,macd:12:26:9,bbands:20:2"
for attempt in range(150):  # until every service is listed and healthy (a peer may still be registering)
    if call("GET", f"/api/v1/analysis/indicators/S0?names={names}", token=token)[0] == 200: break
    time.sleep(0.2)
summary("indicators, 5 on 2,520 bars, cold (first request of each of 40 symbols)",
        [timed("GET", f"/api/v1/analysis/indicators/S{k}?names={names}")[0] for k in range(1, 41)], "< 20 ms")
timed("GET", f"/api/v1/analysis/indicators/S0?names={names}")
summary("indicators, 5 on 2,520 bars, warm", [timed("GET", f"/api/v1/analysis/indicators/S0?names={names}")[0] for _ in range(n)], "p50 < 3 ms")
screen = json.dumps({"expression": "rsi(close, 14) < 30 and close > sma(close, 200)", "symbols": [f"S{k}" for k in range(1000)],
                     "values": ["rsi(close, 14)"]})
cold, data = timed("POST", "/api/v1/analysis/screen", screen)
print(f"screen over 1,000 symbols x 2,520 bars, cold: {cold:.0f} ms (target < 1 s); evaluated {json.loads(data)['evaluated']}")
summary("screen over 1,000 symbols, warm", [timed("POST", "/api/v1/analysis/screen", screen)[0] for _ in range(20)], "< 100 ms")
chart = "/api/v1/analysis/charts/S0.svg?type=candles&overlays=sma:50,sma:200&panes=volume,rsi:14"
cold = [timed("GET", chart + f"&width={1000 + k}")[0] for k in range(40)]
summary("10-year candlestick SVG, 2 overlays, 2 panes, cold (new width each time)", cold, "< 30 ms")
summary("the same chart, warm", [timed("GET", chart)[0] for _ in range(n)], "-")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
