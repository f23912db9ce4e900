#!/usr/bin/env bash
# Gateway benchmark (issue: "faster than nginx"): wrk against a small JSON GET three ways, in one run:
#   (a) straight to the upstream (nginx returning a fixed JSON body),
#   (b) through nginx as a keep-alive reverse proxy to that upstream,
#   (c) through the Bourse gateway (release build), with the upstream registered as an instance whose routes are
#       declared public (the plain proxy: no authentication, no rate limit),
#   (d) through the same gateway to the same upstream registered as a second service whose routes need a scope:
#       every request carries an access token (ES256 JWT) that the gateway verifies, and a per-user GCRA rate limit
#       (set far above the load, so it is checked on every request but never refuses).
# Everything is on loopback; each wrk run is bounded by --duration. Prints a Markdown table.
#
# Usage: scripts/bench/gateway_vs_nginx.sh [duration_seconds=30] [connections=64]
# Needs: nginx and wrk (apt-get install -y nginx wrk), and a release build:
#   swift build -c release --product bourse --scratch-path .build-release
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-30}"
connections="${2:-64}"
threads="${WRK_THREADS:-2}"
bourse="${BOURSE_BINARY:-.build-release/release/bourse}"
[ -x "$bourse" ] || { echo "no release binary at $bourse (swift build -c release --product bourse --scratch-path .build-release)" >&2; exit 1; }
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "needs nginx and wrk (apt-get install -y nginx wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/bourse-bench.XXXXXX)
. scripts/bench/gateway_lib.sh
upstream_port=$(free_port); proxy_port=$(free_port); gateway_port=$(free_port)
path=/api/v1/bench/quote

write_nginx_conf auto <<NGINX
    upstream bourse_upstream { server 127.0.0.1:$upstream_port; keepalive 128; }
    server {
        listen 127.0.0.1:$proxy_port;
        location / {
            proxy_pass http://bourse_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$remote_addr;
        }
    }
NGINX

cleanup() {
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    [ -n "${gateway_pid:-}" ] && kill "$gateway_pid" 2>/dev/null || true
    [ -n "${auth_pid:-}" ] && kill "$auth_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

nginx -c "$work/nginx.conf"
start_gateway
register bench '{"rules":[{"path":"/api/v1/bench/**","requirement":"public"}]}'
register secured '{"rules":[{"path":"/api/v1/secured/**","requirement":"data:read"}]}'
curl -sf "http://127.0.0.1:$gateway_port$path" >/dev/null || { echo "gateway does not proxy"; cat "$work/gateway.log"; exit 1; }
# The auth service (registers itself), the first admin's password, and an access token.
"$bourse" serve auth --data-dir "$work/data" --log-level warning --gateway-url "http://127.0.0.1:$gateway_port" > "$work/auth.log" 2>&1 &
auth_pid=$!
for _ in $(seq 1 100); do [ -s "$work/data/initial-admin-password" ] && curl -sf "http://127.0.0.1:$gateway_port/api/v1/auth/.well-known/jwks.json" >/dev/null && break; sleep 0.1; done
token=$(curl -sf -XPOST "http://127.0.0.1:$gateway_port/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$(cat "$work/data/initial-admin-password")\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
secured=/api/v1/secured/quote
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$gateway_port$secured")" = 401 ] || { echo "secured route answers without a token"; exit 1; }
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$gateway_port$secured" >/dev/null || { echo "token refused"; cat "$work/gateway.log"; exit 1; }

run() { # name url [header] -> "rps p50 p99 non2xx"
    wrk -t"$threads" -c"$connections" -d"${duration}s" --latency ${3:+-H "$3"} "$2" > "$work/$1.txt"
    local rps p50 p99 non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.txt")
    p50=$(awk '$1=="50%" {print $2}' "$work/$1.txt")
    p99=$(awk '$1=="99%" {print $2}' "$work/$1.txt")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$1.txt")
    echo "$rps $p50 $p99 ${non2xx:-0}"
}
rss_kb() { ps -o rss= -p "$1" | tr -d ' '; }
nginx_rss() { ps --ppid "$(cat "$work/nginx.pid")" -o rss= | awk '{s+=$1} END {print s}'; }

# Warm up every path, then measure.
wrk -t1 -c8 -d2s "http://127.0.0.1:$gateway_port$path" >/dev/null
wrk -t1 -c8 -d2s "http://127.0.0.1:$proxy_port$path" >/dev/null
read -r a_rps a_p50 a_p99 a_err < <(run direct "http://127.0.0.1:$upstream_port$path")
read -r b_rps b_p50 b_p99 b_err < <(run nginx "http://127.0.0.1:$proxy_port$path")
read -r c_rps c_p50 c_p99 c_err < <(run gateway "http://127.0.0.1:$gateway_port$path")
gateway_rss=$(rss_kb "$gateway_pid")
wrk -t1 -c8 -d2s -H "Authorization: Bearer $token" "http://127.0.0.1:$gateway_port$secured" >/dev/null
read -r d_rps d_p50 d_p99 d_err < <(run secured "http://127.0.0.1:$gateway_port$secured" "Authorization: Bearer $token")
secured_rss=$(rss_kb "$gateway_pid")
workers_rss=$(nginx_rss)

echo "gateway event loops: ${GATEWAY_EVENT_LOOPS:-one per core}"
echo "wrk -t$threads -c$connections -d${duration}s --latency, GET $path (JSON, 78 bytes), $(nproc) cores, $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}')"
echo
echo "| path | requests/s | p50 | p99 | non-2xx | RSS after run |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| (a) direct to upstream | $a_rps | $a_p50 | $a_p99 | $a_err | - |"
echo "| (b) nginx reverse proxy (keep-alive) | $b_rps | $b_p50 | $b_p99 | $b_err | nginx workers $((workers_rss / 1024)) MiB (proxy and upstream) |"
echo "| (c) Bourse gateway | $c_rps | $c_p50 | $c_p99 | $c_err | gateway $((gateway_rss / 1024)) MiB |"
echo "| (d) Bourse gateway, JWT + rate limit | $d_rps | $d_p50 | $d_p99 | $d_err | gateway $((secured_rss / 1024)) MiB |"
echo
python3 - "$b_rps" "$c_rps" "$b_p99" "$c_p99" "$d_rps" <<'PY'
import sys
def ms(v):
    v = v.strip()
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if v.endswith(unit): return float(v[:-len(unit)]) * f
    return float(v)
b_rps, c_rps = float(sys.argv[1]), float(sys.argv[2])
b_p99, c_p99 = ms(sys.argv[3]), ms(sys.argv[4])
print(f"gateway/nginx throughput: {c_rps / b_rps:.2f}x (target >= 0.80); p99 ratio: {c_p99 / b_p99:.2f}x (target <= 2.00)")
d_rps = float(sys.argv[5])
print(f"JWT + rate limit vs plain proxy: {100 * (1 - d_rps / c_rps):.1f}% fewer requests/s (target <= 15%)")
PY
