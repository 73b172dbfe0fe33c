#!/usr/bin/env bash
# Is `sluice bench` client-bound? Starts the packaged server (embedded SQLite in a fresh directory), warms
# it up with wrk, then alternates, ROUNDS times, a wrk run and a `sluice bench` run of Hrana
# `execute SELECT 1` + `close` on /v2/pipeline with the same connections and threads against it, and prints
# the rate of `sluice bench` over wrk's LAST (the ratio of the summed rates; 1.00 = as fast as wrk).
#
#   bench/bench-vs-wrk.sh [seconds-per-run] [connections] [rounds]      (defaults 10, 32, 2)
#
# Needs the packaged jar (./mvnw package -DskipTests) and wrk (bench/install-tools.sh). WARMUP: seconds of
# server warm-up (default 20). CLIENT_WARMUP: `sluice bench --warmup` (default 5s; its own JIT).
# CLIENT_JAVA_FLAGS: JVM flags of the `sluice bench` process (e.g. -XX:TieredStopAtLevel=1: on a loaded
# machine C2 compiles the client's hot path late). SLUICE_BENCH_PORT: the server's port (default 18491).
set -euo pipefail
# the flags split into words, never expanded as file names (a CompileCommand pattern holds "*")
read -r -a client_flags <<<"${CLIENT_JAVA_FLAGS:-}"
secs="${1:-10}"
conns="${2:-32}"
rounds="${3:-2}"
threads=$(( conns < 2 ? 1 : 2 ))
here="$(cd "$(dirname "$0")" && pwd)"
jar="${SLUICE_JAR:-$here/../target/quarkus-app/quarkus-run.jar}"
port="${SLUICE_BENCH_PORT:-18491}"
url="http://127.0.0.1:$port"
command -v wrk >/dev/null || { echo "wrk is not installed (bench/install-tools.sh)" >&2; exit 1; }
[ -f "$jar" ] || { echo "no packaged jar at $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }

tmp="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

SLUICE_AUTH_MODE=none SLUICE_DATA_DIR="$tmp/data" SLUICE_FLAGS_STORE=none QUARKUS_HTTP_PORT="$port" \
  QUARKUS_MANAGEMENT_PORT=$((port + 1)) java -jar "$jar" >"$tmp/server.log" 2>&1 &
server=$!
until curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/q/health/ready"; do
  kill -0 "$server" 2>/dev/null || { echo "the server died:" >&2; tail -20 "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
# one checked request first, so that a server answering with errors cannot pass for a fast one
check=$(curl -sf -H 'Content-Type: application/json' "$url/v2/pipeline" \
  -d '{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}},{"type":"close"}]}')
case "$check" in
  *'"type":"error"'*|'') echo "the server does not answer SELECT 1 correctly: $check" >&2; exit 1 ;;
esac

echo "select1, $conns connections, $threads threads, ${secs}s per run, $rounds rounds, client flags '${CLIENT_JAVA_FLAGS:-}'; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c32 -d"${WARMUP:-20}s" -s "$here/select1.lua" "$url/v2/pipeline" >/dev/null

wrk_total=0
sluice_total=0
printf '%-6s %14s %14s  %s\n' round "wrk req/s" "sluice op/s" "sluice p50 / p99 / p99.9 ms"
for r in $(seq 1 "$rounds"); do
  w=$(wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$here/select1.lua" "$url/v2/pipeline" | awk '/^requests\/s/ {print $2, $NF}')
  read -r w_rate w_errors <<<"$w"
  [ "${w_errors:-1}" = 0 ] || { echo "wrk saw errors: $w" >&2; exit 1; }
  java "${client_flags[@]}" -jar "$jar" bench select1 --url "$url" -c "$conns" -t "$threads" -d "${secs}s" --warmup "${CLIENT_WARMUP:-5s}" --json \
    >"$tmp/sluice.json" 2>"$tmp/sluice.err" || { cat "$tmp/sluice.err" >&2; exit 1; }
  field() { sed -n "s/^ *\"$1\" *: *\([0-9.]*\).*/\1/p" "$tmp/sluice.json" | head -n 1; }
  s_rate=$(field operationsPerSecond)
  [ "$(field total)" = 0 ] || { echo "sluice bench saw errors:" >&2; cat "$tmp/sluice.json" >&2; exit 1; }
  printf '%-6s %14.0f %14.0f  %s / %s / %s\n' "$r" "$w_rate" "$s_rate" "$(field p50)" "$(field p99)" "$(field p999)"
  wrk_total=$(awk -v a="$wrk_total" -v b="$w_rate" 'BEGIN {print a + b}')
  sluice_total=$(awk -v a="$sluice_total" -v b="$s_rate" 'BEGIN {print a + b}')
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sluice bench / wrk: $(awk -v a="$sluice_total" -v b="$wrk_total" 'BEGIN {printf "%.2f", a / b}')"
