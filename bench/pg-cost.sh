#!/usr/bin/env bash
# What a PostgreSQL point read costs, for two jars measured in the same run: the candidate (this tree's
# packaged jar) and a baseline jar (an older build). Both servers are started on PostgreSQL with POOL
# backend connections, warmed up with wrk, then measured in alternation, ROUNDS rounds of SECONDS each:
#   requests/s (wrk, CLIENTS connections, bench/point-read.lua: execute of a read by primary key + close),
#   the server JVM's user and system CPU per request, its voluntary context switches per request (all
#   threads), and the CPU of the server's own PostgreSQL backends per request (found by their client ports).
# The last line is the candidate's requests/s over the baseline's (sum over the rounds).
#
#   BASELINE_JAR=/path/to/old/quarkus-run.jar bench/pg-cost.sh [seconds] [rounds]     (defaults 10, 3)
#
# Env: CANDIDATE_JAR (default target/quarkus-app/quarkus-run.jar), BASELINE_JAR (without it only the
# candidate is measured), POOL (8), CLIENTS (32), WARMUP seconds per server before the first round (60),
# JAVA (java), JAVA_FLAGS (extra JVM flags for both), PGHOST/PGPORT/PGDATABASE (127.0.0.1, 5432, test),
# PGUSER (postgres: creates the table), SLUICE_PGUSER (sluice_bench: the role Sluice connects as).
# The table pgcost_kv (100,000 rows) is created when missing. Ports are picked at random in 19000-19899.
# Everything it starts is stopped on exit.
set -euo pipefail
# the flags split into words, never expanded as file names (a CompileCommand pattern holds "*")
read -r -a java_flags <<<"${JAVA_FLAGS:-}"
secs="${1:-10}"
rounds="${2:-3}"
here="$(cd "$(dirname "$0")" && pwd)"
candidate="${CANDIDATE_JAR:-$here/../target/quarkus-app/quarkus-run.jar}"
baseline="${BASELINE_JAR:-}"
pool="${POOL:-8}" clients="${CLIENTS:-32}" warmup="${WARMUP:-60}"
pghost="${PGHOST:-127.0.0.1}" pgport="${PGPORT:-5432}" pgdb="${PGDATABASE:-test}" pguser="${PGUSER:-postgres}"
sluice_user="${SLUICE_PGUSER:-sluice_bench}"
hz=$(getconf CLK_TCK)

for tool in wrk psql java curl ss; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[ -f "$candidate" ] || { echo "no packaged jar at $candidate: run ./mvnw package -DskipTests first" >&2; exit 1; }

psql -q -h "$pghost" -p "$pgport" -U "$pguser" -d "$pgdb" -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
CREATE TABLE IF NOT EXISTS pgcost_kv (id integer PRIMARY KEY, name text NOT NULL, score integer NOT NULL);
INSERT INTO pgcost_kv SELECT g, 'name-' || g, g % 1000 FROM generate_series(1, 100000) g ON CONFLICT DO NOTHING;
GRANT SELECT ON pgcost_kv TO $sluice_user;
SQL
export POINT_READ_SQL="SELECT id, name, score FROM pgcost_kv WHERE id = ?" ROWS=100000

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

names=(candidate)
jars=("$candidate")
if [ -n "$baseline" ]; then
  names+=(baseline)
  jars+=("$baseline")
fi
# a free port and the next one (the management port), for each server
free() { ! ss -tlnH "( sport = :$1 or sport = :$(($1 + 1)) )" | grep -q .; }
ports=()
for i in "${!jars[@]}"; do
  port=$((19000 + RANDOM % 900))
  while ! free "$port" || [[ " ${ports[*]} " == *" $port "* ]]; do port=$((19000 + RANDOM % 900)); done
  ports+=("$port")
  SLUICE_AUTH_MODE=none SLUICE_DATABASE_URL="jdbc:postgresql://$pghost:$pgport/$pgdb" SLUICE_DATABASE_USER="$sluice_user" \
    DB_MAX_CONNECTIONS="$pool" QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=$((port + 1)) \
    "${JAVA:-java}" "${java_flags[@]}" -jar "${jars[$i]}" >"$tmp/${names[$i]}.log" 2>&1 &
  pids+=($!)
done
for i in "${!jars[@]}"; do
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:${ports[$i]}/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! curl -sf "http://127.0.0.1:${ports[$i]}/health" >/dev/null || ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "${names[$i]} did not start:" >&2; tail -20 "$tmp/${names[$i]}.log" >&2; exit 1
  fi
done

load() { wrk -t2 -c"$clients" -d"$1s" -s "$here/point-read.lua" "http://127.0.0.1:$2/v2/pipeline"; }
# the PostgreSQL backends serving a JVM: the server ends of its connections to PostgreSQL
backends() {
  local cports
  cports=$(ss -tnpH "dport = :$pgport" 2>/dev/null | awk -v p="pid=$1," 'index($0, p) {n = split($4, a, ":"); print a[n]}' | paste -sd, -)
  [ -n "$cports" ] || return 0
  psql -qtA -h "$pghost" -p "$pgport" -U "$pguser" -d "$pgdb" -c "SELECT pid FROM pg_stat_activity WHERE client_port IN ($cports)"
}
ticks() { for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s + 0}'; }

for i in "${!jars[@]}"; do
  load "$warmup" "${ports[$i]}" >/dev/null
done
declare -A total
printf '%-10s %5s %9s %12s %12s %10s %12s  %s\n' server round 'req/s' 'jvm usr us' 'jvm sys us' 'ctxsw/req' 'pg us/req' 'wrk'
for r in $(seq 1 "$rounds"); do
  for i in "${!jars[@]}"; do
    pid=${pids[$i]}
    mapfile -t be < <(backends "$pid")
    read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    c0=$(switches "$pid") g0=$(ticks "${be[@]}")
    out="$(load "$secs" "${ports[$i]}" | tail -n 1)"
    read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
    c1=$(switches "$pid") g1=$(ticks "${be[@]}")
    rps=$(echo "$out" | awk '{print $2}')
    total[${names[$i]}]=$(( ${total[${names[$i]}]:-0} + rps ))
    awk -v name="${names[$i]}" -v r="$r" -v rps="$rps" -v secs="$secs" -v hz="$hz" -v u=$((u1 - u0)) -v s=$((s1 - s0)) \
      -v c=$((c1 - c0)) -v g=$((g1 - g0)) -v w="$out" 'BEGIN {
        n = rps * secs; us = 1e6 / hz
        printf "%-10s %5d %9d %12.1f %12.1f %10.2f %12.1f  %s\n", name, r, rps, u * us / n, s * us / n, c / n, g * us / n, w }'
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$baseline" ]; then
  awk -v a="${total[candidate]}" -v b="${total[baseline]}" 'BEGIN {printf "candidate / baseline requests/s: %.2f\n", a / b}'
fi
