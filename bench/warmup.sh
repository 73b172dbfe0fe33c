#!/usr/bin/env bash
# Warm-up curve: Hrana `execute SELECT 1` + `close` throughput second by second for the first SECONDS
# after the server reports ready, at 32 connections (wrk, one 1-second run per second), for each JVM set-up
# side by side in one run; then each set-up's first-10-seconds rate against its own steady state (the best
# 3-second average of the last third), and the set-ups against each other.
#   25          JDK 25 (JAVA25_HOME, else the first /usr/lib/jvm/*25*)
#   25+AOT      JDK 25 with target/quarkus-app/app.aot (bench/aot-train.sh), started through deploy/sluice-jvm.sh as the
#               image starts it (the cache's classes and the launcher's flags for it)
#   17          the default JDK (JAVA17_HOME, else `java`), for reference
#   X+warm-up   the same with the server's self-warm-up on for WARMUP_DURATION (default 3s; off by default in
#               the server, sluice.warmup.duration=0s); without the suffix it is off
# VARIANTS picks them (default "25+AOT 25+AOT+warm-up 17 17+warm-up"); each line shows when it got ready.
#
#   bench/warmup.sh [seconds] [connections]          (defaults 30, 32; needs wrk: bench/install-tools.sh)
#
# WORKLOAD=point-read reads sluice_bench by primary key instead (filled first with `sluice bench`, 10,000
# rows). SLUICE_DATABASE_URL (+ SLUICE_DATABASE_USER) runs the servers on PostgreSQL instead of a fresh
# SQLite file. JAVA_FLAGS: extra server flags.
# Under each curve: the CPU time the JIT's compiler threads (C1, C2) used in each of those seconds, in ms (of
# the machine's nproc x 1000 ms a second), read from /proc: what the compilers take from the load while the
# server warms up.
set -euo pipefail
# the flags split into words, never expanded as file names (a CompileCommand pattern holds "*")
read -r -a java_flags <<<"${JAVA_FLAGS:-}"
secs="${1:-30}"
conns="${2:-32}"
here="$(cd "$(dirname "$0")" && pwd)"
app="$(cd "${SLUICE_APP_DIR:-$here/../target/quarkus-app}" && pwd)"
jar="$app/quarkus-run.jar"
port="${SLUICE_BENCH_PORT:-18391}"
workload="${WORKLOAD:-select1}"
command -v wrk >/dev/null || { echo "wrk is not installed (bench/install-tools.sh)" >&2; exit 1; }
[ -f "$jar" ] || { echo "no packaged jar at $jar" >&2; exit 1; }
# shellcheck source=bench/jdks.sh
. "$here/jdks.sh"
[ -n "$java25" ] || { echo "no JDK 25 (set JAVA25_HOME)" >&2; exit 1; }
[ -f "$app/app.aot" ] || { echo "no $app/app.aot: run bench/aot-train.sh first" >&2; exit 1; }

tmp="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
# A variant ending in +warm-up runs the server's self-warm-up for WARMUP_DURATION before readiness goes UP; the
# others switch it off (SLUICE_WARMUP_DURATION=0s, the server's default).
read -r -a variants <<<"${VARIANTS:-25+AOT 25+AOT+warm-up 17 17+warm-up}"
declare -A javas=([25]="$java25" [25+AOT]="$java25" [17]="$java17")
for v in "${variants[@]}"; do
  javas[$v]="${javas[${v%+warm-up}]}"
done

if [ "$workload" = point-read ]; then
  script="$here/point-read.lua"
  export POINT_READ_SQL="SELECT id, v FROM sluice_bench WHERE id = ?" ROWS=10000
else
  script="$here/select1.lua"
fi
echo "workload $workload, $conns connections, ${secs}s after ready, backend ${SLUICE_DATABASE_URL:-SQLite}, load $(cut -d' ' -f1-3 /proc/loadavg)"

# CPU ticks of process $1's JIT compiler threads, per thread: "tid ticks" lines
jit_ticks() {
  local f comm stat
  for f in /proc/"$1"/task/*; do
    read -r comm <"$f/comm" 2>/dev/null || continue
    case "$comm" in
      C1\ Compiler* | C2\ Compiler*)
        stat=$(cat "$f/stat" 2>/dev/null) || continue
        # shellcheck disable=SC2086
        set -- ${stat##*) }
        echo "${f##*/} $((${12} + ${13}))" ;;
    esac
  done
}
tick_ms=$((1000 / $(getconf CLK_TCK)))
declare -A curve ready jit
for v in "${variants[@]}"; do
  data="$tmp/data-$v"
  mkdir -p "$data"
  if [ "$workload" = point-read ]; then
    # fill the table with a throwaway server first, so the measured server starts cold
    SLUICE_AUTH_MODE=none SLUICE_DATA_DIR="$data" SLUICE_FLAGS_STORE=none QUARKUS_HTTP_PORT="$port" \
      QUARKUS_MANAGEMENT_PORT=$((port + 1)) "$java17" -jar "$jar" >"$tmp/fill.log" 2>&1 &
    server=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/q/health/ready"; do sleep 0.1; done
    "$java17" -jar "$jar" bench point-read --url "http://127.0.0.1:$port" --rows "$ROWS" -n 1 --warmup 0s >/dev/null
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
  fi
  warm=(SLUICE_WARMUP_DURATION="${WARMUP_DURATION:-3s}")
  [ "$v" = "${v%+warm-up}" ] && warm=(SLUICE_WARMUP_DURATION=0s)
  t0=$(date +%s%3N)
  # an AOT variant starts through the launcher, as the image does: the cache and the flags that go with it
  cmd=("${javas[$v]}" "${java_flags[@]}" -jar "$jar")
  case "$v" in 25+AOT*) cmd=(env JAVA="${javas[$v]}" SLUICE_HOME="$app" JAVA_OPTS="${JAVA_FLAGS:-}" "$here/../deploy/sluice-jvm.sh" serve) ;; esac
  env "${warm[@]}" SLUICE_AUTH_MODE=none SLUICE_DATA_DIR="$data" SLUICE_FLAGS_STORE=none QUARKUS_HTTP_PORT="$port" \
    QUARKUS_MANAGEMENT_PORT=$((port + 1)) "${cmd[@]}" >"$tmp/server-$v.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/q/health/ready"; do
    kill -0 "$server" 2>/dev/null || { echo "server $v died" >&2; tail "$tmp/server-$v.log" >&2; exit 1; }
    sleep 0.01
  done
  ready[$v]=$(( $(date +%s%3N) - t0 ))
  declare -A seen=()
  while read -r tid t; do seen[$tid]=$t; done < <(jit_ticks "$server")
  for _ in $(seq 1 "$secs"); do
    r=$(wrk -t2 -c"$conns" -d1s -s "$script" "http://127.0.0.1:$port/v2/pipeline" | awk '/^requests\/s/ {print $2; e=$NF} END {if (e > 0) print "errors"}')
    case "$r" in *errors*) echo "$v: wrk saw errors" >&2; exit 1 ;; esac
    curve[$v]+="$r "
    # compiler threads come and go (the JVM adds them as the queue grows): a new one counts from zero
    used=0
    while read -r tid t; do used=$((used + t - ${seen[$tid]:-0})); seen[$tid]=$t; done < <(jit_ticks "$server")
    jit[$v]+="$((used * tick_ms)) "
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
done

printf '\n%-14s requests/s in second 1..%s after ready\n' "JVM" "$secs"
for v in "${variants[@]}"; do
  printf '%-14s ready after %6s ms: %s\n' "$v" "${ready[$v]}" "${curve[$v]}"
  printf '%-14s JIT CPU ms each second: %s\n' "" "${jit[$v]}"
done
echo
declare -A first10 steady
for v in "${variants[@]}"; do
  read -r first10[$v] steady[$v] < <(echo "${curve[$v]}" | awk -v n="$secs" '{
    s = 0; for (i = 1; i <= 10 && i <= NF; i++) s += $i; f = s / (i - 1)
    best = 0; for (i = int(NF * 2 / 3) + 1; i + 2 <= NF; i++) { a = ($i + $(i + 1) + $(i + 2)) / 3; if (a > best) best = a }
    printf "%.0f %.0f\n", f, best }')
  jit10=$(echo "${jit[$v]}" | awk '{s = 0; for (i = 1; i <= 10 && i <= NF; i++) s += $i; printf "%.1f", s / 1000}')
  echo "$v: first 10 s $(printf %s "${first10[$v]}")/s (the JIT used ${jit10} s of CPU of $(nproc) CPUs' 10 s), steady $(printf %s "${steady[$v]}")/s, ratio $(awk -v a="${first10[$v]}" -v b="${steady[$v]}" 'BEGIN {printf "%.2f", a / b}')"
done
for v in "${variants[@]}"; do
  b="${v%+warm-up}"
  [ "$b" != "$v" ] && [ -n "${first10[$b]:-}" ] && echo "first 10 s after ready, $v / $b: $(awk -v a="${first10[$v]}" -v b="${first10[$b]}" 'BEGIN {printf "%.2f", a / b}')"
done
