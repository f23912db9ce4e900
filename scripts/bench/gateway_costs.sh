#!/usr/bin/env bash
# Per-request costs of the gateway's proxy path that do not depend on how busy the machine is: heap allocations
# (malloc), Swift reference-count increments (swift_retain) and object allocations (swift_allocObject), counted with
# perf uprobes on the release binary while wrk sends a small JSON GET through it to an nginx upstream; and the
# gateway's user and system CPU time per request (from /proc), which does depend on the machine.
#
# Usage: scripts/bench/gateway_costs.sh [seconds=4] [connections=8]
# Needs: root (uprobes), perf (apt-get install -y linux-perf), nginx and wrk, and a release build:
#   swift build -c release --product bourse --scratch-path .build-release
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-4}"
connections="${2:-8}"
bourse="${BOURSE_BINARY:-.build-release/release/bourse}"
[ -x "$bourse" ] || { echo "no release binary at $bourse" >&2; exit 1; }
command -v nginx >/dev/null && command -v wrk >/dev/null && command -v perf >/dev/null || { echo "needs nginx, wrk and perf" >&2; exit 1; }
libc=$(ldd "$bourse" | awk '/libc.so.6/ {print $3}')
swiftcore=$(ldd "$bourse" | awk '/libswiftCore.so/ {print $3}')

work=$(mktemp -d /tmp/bourse-costs.XXXXXX)
. scripts/bench/gateway_lib.sh
upstream_port=$(free_port); gateway_port=$(free_port)
path=/api/v1/bench/quote
write_nginx_conf 1 </dev/null
cleanup() {
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    [ -n "${gateway_pid:-}" ] && kill "$gateway_pid" 2>/dev/null || true
    perf probe -q -d 'probe_libc:malloc' 2>/dev/null || true
    perf probe -q -d 'probe_libswiftCore:*' 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
nginx -c "$work/nginx.conf"
start_gateway
register bench '{"rules":[{"path":"/api/v1/bench/**","requirement":"public"}]}'
curl -sf "http://127.0.0.1:$gateway_port$path" >/dev/null || { echo "gateway does not proxy"; cat "$work/gateway.log"; exit 1; }
wrk -t1 -c"$connections" -d2s "http://127.0.0.1:$gateway_port$path" >/dev/null  # warm up

perf probe -q -d 'probe_libc:malloc' 2>/dev/null || true  # left by an interrupted run
perf probe -q -d 'probe_libswiftCore:*' 2>/dev/null || true
perf probe -q -x "$libc" malloc
perf probe -q -x "$swiftcore" swift_retain
perf probe -q -x "$swiftcore" swift_allocObject
(sleep 0.5; wrk -t1 -c"$connections" -d"${duration}s" "http://127.0.0.1:$gateway_port$path" > "$work/counted.txt") &
perf stat -x, -e probe_libc:malloc -e probe_libswiftCore:swift_retain -e probe_libswiftCore:swift_allocObject \
    -p "$gateway_pid" -- sleep $((duration + 1)) 2> "$work/counts.csv"
wait $!
requests=$(awk '/requests in/ {print $1}' "$work/counted.txt")
! grep -q "Non-2xx" "$work/counted.txt" || { echo "the gateway refused requests:"; cat "$work/counted.txt"; exit 1; }
perf probe -q -d 'probe_libc:malloc'; perf probe -q -d 'probe_libswiftCore:*'

tck=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$gateway_pid/stat")
wrk -t2 -c64 -d"${duration}s" "http://127.0.0.1:$gateway_port$path" > "$work/timed.txt"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$gateway_pid/stat")
timed=$(awk '/requests in/ {print $1}' "$work/timed.txt")
! grep -q "Non-2xx" "$work/timed.txt" || { echo "the gateway refused requests:"; cat "$work/timed.txt"; exit 1; }

echo "gateway event loops: ${GATEWAY_EVENT_LOOPS:-one per core}; counted over $requests requests (wrk -t1 -c$connections), timed over $timed (wrk -t2 -c64)"
awk -F, -v r="$requests" '/probe_/ {printf "%-40s %8.1f per request\n", $3, $1 / r}' "$work/counts.csv"
python3 -c "print(f'gateway CPU per request: {($u1-$u0)/$tck/$timed*1e6:.1f} us user + {($s1-$s0)/$tck/$timed*1e6:.1f} us system')"
