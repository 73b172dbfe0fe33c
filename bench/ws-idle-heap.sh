#!/usr/bin/env bash
# Heap held by idle Hrana WebSocket connections: starts the packaged server with room for them, measures
# the live heap after a full GC before and while N connections (hello + one open stream each, no lease)
# are held, and prints the difference per connection.
#
#   bench/ws-idle-heap.sh [connections]       (default 10000; needs `npm ci` in compat/ and ./mvnw package)
set -euo pipefail
n="${1:-10000}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../target/quarkus-app/quarkus-run.jar"
port=18531
work="$(mktemp -d)"
ulimit -n 65536 || true
SLUICE_AUTH_MODE=none SLUICE_DATA_DIR="$work/data" QUARKUS_HTTP_PORT=$port QUARKUS_MANAGEMENT_PORT=$((port + 1)) \
  SLUICE_HTTP_MAX_CONNECTIONS=$((n + 100)) SLUICE_WEBSOCKET_MAX_CONNECTIONS=$((n + 100)) \
  SLUICE_GATEWAY_MAX_STREAMS=$((n + 100)) SLUICE_GATEWAY_MAX_STREAMS_PER_PRINCIPAL=$((n + 100)) \
  java -Xmx1g -jar "$jar" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; kill ${client:-0} 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do grep -q "Listening on" "$work/server.log" && break; sleep 1; done

used() {
  jcmd "$server" GC.run > /dev/null
  sleep 1
  jcmd "$server" GC.heap_info | awk '/garbage-first heap|par new|PSYoungGen|total/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); print v; exit } }'
}

before=$(used)
node "$here/ws-idle.mjs" "http://127.0.0.1:$port" "$n" > "$work/client.log" 2>&1 &
client=$!
for _ in $(seq 1 600); do grep -q "^ready" "$work/client.log" && break; ! kill -0 $client 2>/dev/null && break; sleep 1; done
cat "$work/client.log"
grep -q "^ready" "$work/client.log" || { echo "client failed" >&2; exit 1; }
sleep 2
during=$(used)
open=$(curl -s "http://127.0.0.1:$((port + 1))/q/metrics" | awk '/^sluice_websocket_connections/ { print $2 }')
echo "open WebSocket connections: $open"
echo "live heap before: ${before} KiB, with $n idle connections: ${during} KiB"
echo "per connection: $(( (during - before) * 1024 / n )) bytes"
