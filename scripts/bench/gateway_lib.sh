# Shared by the gateway benchmarks (source it; the functions below need $bourse, $work, $gateway_port and
# $upstream_port set).

# Writes $work/nginx.conf: nginx with $1 worker processes serving the upstream (a fixed 78-byte JSON body on
# $upstream_port), plus whatever configuration of the http block comes on standard input (the benchmarks' proxy).
write_nginx_conf() {
    local extra
    extra=$(cat)
    cat > "$work/nginx.conf" <<NGINX
worker_processes $1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/body; proxy_temp_path $work/proxy; fastcgi_temp_path $work/fcgi;
    uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$upstream_port;
        default_type application/json;
        location = /health { return 200 '{"status":"pass"}'; }
        location / { return 200 '{"symbol":"ORCL","price":42.17,"currency":"USD","ts":"2026-11-20T21:00:00Z"}'; }
    }
$extra
}
NGINX
}

# A TCP port free on loopback now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts `bourse serve gateway` as the benchmarks run it — warnings only, instances kept an hour, no active health
# checks, rate limits far above any load (so every request is checked but none refused) — on
# $GATEWAY_EVENT_LOOPS event loops when set (SwiftNIO's NIO_SINGLETON_GROUP_LOOP_COUNT; default: one per core).
# Sets gateway_pid and returns once /health answers.
start_gateway() {
    ${GATEWAY_EVENT_LOOPS:+env NIO_SINGLETON_GROUP_LOOP_COUNT=$GATEWAY_EVENT_LOOPS} "$bourse" serve gateway --port "$gateway_port" \
        --data-dir "$work/data" --log-level warning \
        --set gateway.instance_ttl_seconds=3600 --set gateway.health_check_interval_seconds=0 \
        --set 'gateway.rate_limits=admin:*=1000000000/min' > "$work/gateway.log" 2>&1 &
    gateway_pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$gateway_port/health" >/dev/null && return 0; sleep 0.1; done
    echo "the gateway did not start"; cat "$work/gateway.log"; return 1
}

# Registers the upstream as an instance of service $1 whose routes have the access rules $2 (JSON).
register() {
    curl -sf -XPOST "http://127.0.0.1:$gateway_port/api/v1/gateway/register" -H 'content-type: application/json' \
        -d "{\"service\":\"$1\",\"instance_id\":\"$1-nginx\",\"url\":\"http://127.0.0.1:$upstream_port\",\"version\":\"1\",\"access\":$2}" >/dev/null
}
