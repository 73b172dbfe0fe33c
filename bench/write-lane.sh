#!/usr/bin/env bash
# SQLite writers before and after the write lane: starts the packaged server twice on a fresh data directory,
# first with sluice.sqlite.write-lane=false (writers poll SQLite's lock, busy timeout), then with it on, and runs
# the same two workloads against each:
#   - 64 connections of autocommit INSERTs (`sluice bench insert`),
#   - 8 connections of interactive transactions over batons: BEGIN + INSERT, INSERT, a read, COMMIT
#     (`sluice bench transaction`, the soak of issue 16).
# Prints throughput, p99 and SQLITE_BUSY answers per run, and the after/before ratios.
#
#   bench/write-lane.sh [seconds] [busy-timeout-ms]      (defaults: 60 s per run, 5000 ms: the server's default)
#
# Needs the packaged jar (./mvnw package -DskipTests) and python3. The server runs with authentication off,
# on 127.0.0.1 only, with a pool of 72 connections so that 64 writers never wait for a connection instead.
set -euo pipefail
secs="${1:-60}"
busy="${2:-5000}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="${SLUICE_JAR:-$here/../target/quarkus-app/quarkus-run.jar}"
[ -f "$jar" ] || { echo "$jar is missing: ./mvnw package -DskipTests" >&2; exit 1; }
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # $1 = lane on/off
  local port; port="$(free_port)"
  rm -rf "$work/data"
  SLUICE_AUTH_MODE=none SLUICE_DATA_DIR="$work/data" SLUICE_FLAGS_STORE=none \
    SLUICE_SQLITE_WRITE_LANE="$1" SLUICE_SQLITE_BUSY_TIMEOUT_MS="$busy" SLUICE_SQLITE_WRITE_WAIT=60s \
    DB_MAX_CONNECTIONS=72 DB_ACQUIRE_TIMEOUT=60000 SLUICE_GATEWAY_STATEMENT_TIMEOUT=120s \
    java -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -Dquarkus.management.port=0 -jar "$jar" \
    >"$work/server-$1.log" 2>&1 &
  server=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    curl -sf "$url/version" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the server did not start; its log:" >&2; cat "$work/server-$1.log" >&2; exit 1
}

stop() {
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

run() { # $1 = label, $2 = workload, $3 = connections
  java -jar "$jar" bench "$2" --url "$url" --concurrency "$3" --duration "${secs}s" --warmup 5s --json \
    2>/dev/null >"$work/$1.json"
}

echo "$(nproc) cores, ${secs} s per run, SQLite busy timeout ${busy} ms, $(date -u +%FT%TZ)"
for lane in false true; do
  start "$lane"
  run "insert-$lane" insert 64
  run "transaction-$lane" transaction 8
  stop
done

python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
def load(name):
    with open(f"{work}/{name}.json") as f:
        r = json.load(f)
    busy = sum(n for kind, n in r["errors"]["byKind"].items() if "SQLITE_BUSY" in kind)
    return r["operationsPerSecond"], r["latencyMs"]["p99"], busy, r["errors"]["total"], r["operations"]
print(f"{'workload':<40} {'lane':<5} {'ops/s':>9} {'p99 ms':>9} {'SQLITE_BUSY':>12} {'errors':>7} {'operations':>11}")
for name, label in (("insert", "64 x autocommit INSERT"), ("transaction", "8 x BEGIN, 2 INSERTs, read, COMMIT")):
    rows = {}
    for lane in ("false", "true"):
        ops, p99, busy, errors, n = rows[lane] = load(f"{name}-{lane}")
        print(f"{label:<40} {'on' if lane == 'true' else 'off':<5} {ops:>9.1f} {p99:>9.1f} {busy:>12} {errors:>7} {n:>11}")
    off, on = rows["false"], rows["true"]
    tput = on[0] / off[0] if off[0] else float("nan")
    p99 = on[1] / off[1] if off[1] else float("nan")
    print(f"{label:<40} after/before: throughput x{tput:.2f}, p99 x{p99:.2f}")
EOF
