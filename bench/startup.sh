#!/usr/bin/env bash
# Start-up, idle memory and CLI latency of the packaged jar on several JVM set-ups, measured side by side
# in one run (alternating, RUNS rounds), medians printed, ratios last:
#   17          the default JDK (JAVA17_HOME, else `java` on the PATH)
#   25          JDK 25 (JAVA25_HOME, else the first /usr/lib/jvm/*25* with bin/java)
#   25+AOT      JDK 25 with the Leyden AOT cache, started through deploy/sluice-jvm.sh as the image starts it
#               (the cache's flags); target/quarkus-app/app.aot, trained there by bench/aot-train.sh when missing
#               (the jar built by ./mvnw package -Paot, see docs/performance.md)
#   base+AOT    only with BASELINE_APP_DIR (another packaged application with its trained caches, e.g. an
#               earlier commit's): the same as 25+AOT for that one, for a before/after in the same run
# VARIANTS picks and orders them (default: all); the ratios are to the first.
# Start-up = wall time from `exec java` to the first 200 from /q/health/ready (the readiness probe's view,
# not Quarkus' own "started in"), and the CPU time (user + system, all threads) the JVM spent until then;
# RSS = the server's resident set after IDLE seconds of idleness (and its private, anonymous part);
# CLI = wall and CPU time of `sluice -V` and of a client command against a port where nothing listens (java -jar;
# for 25+AOT through deploy/sluice-jvm.sh with its class path, flags and cli.aot, as the image runs it).
# On a loaded machine the wall times stretch with the load; the CPU times much less: compare those.
#
#   bench/startup.sh [runs] [idle-seconds]           (defaults 3, 5)
#
# Extra JVM flags for every server run: JAVA_FLAGS (e.g. "-XX:+UseSerialGC -Xmx64m"); for every CLI run:
# CLI_JAVA_FLAGS. A cache trained here uses JAVA_FLAGS too (a cache serves the flags it was trained with).
# The server's self-warm-up is off (SLUICE_WARMUP_DURATION=0s) unless SLUICE_WARMUP_DURATION says otherwise: with it
# on, readiness comes that much later on purpose (bench/warmup.sh measures what it buys).
# Needs the packaged jar (./mvnw package -DskipTests) and curl. The servers use embedded SQLite in a
# temporary directory, authentication off, loopback ports from SLUICE_BENCH_PORT (default 18191).
set -euo pipefail
# the flags split into words, never expanded as file names (a CompileCommand pattern holds "*")
read -r -a java_flags <<<"${JAVA_FLAGS:-}"
read -r -a cli_java_flags <<<"${CLI_JAVA_FLAGS:-}"
runs="${1:-3}"
idle="${2:-5}"
here="$(cd "$(dirname "$0")" && pwd)"
app="$(cd "${SLUICE_APP_DIR:-$here/../target/quarkus-app}" && pwd)"
jar="$app/quarkus-run.jar"
port="${SLUICE_BENCH_PORT:-18191}"
[ -f "$jar" ] || { echo "no packaged jar at $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

# shellcheck source=bench/jdks.sh
. "$here/jdks.sh"

tmp="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

variants=("17")
declare -A apps=()
declare -A javas=([17]="$java17")
if [ -n "$java25" ]; then
  variants+=("25" "25+AOT")
  javas[25]="$java25"
  if [ ! -f "$app/app.aot" ] || [ ! -f "$app/cli.aot" ]; then
    echo "no $app/app.aot and cli.aot: training them (bench/aot-train.sh) ..."
    JAVA="$java25" JAVA_FLAGS="${JAVA_FLAGS:-}" SLUICE_APP_DIR="$app" "$here/aot-train.sh" >"$tmp/train.log" 2>&1 \
      || { cat "$tmp/train.log" >&2; exit 1; }
  fi
  javas[25+AOT]="$java25"
  if [ -n "${BASELINE_APP_DIR:-}" ]; then
    base="$(cd "$BASELINE_APP_DIR" && pwd)"
    [ -f "$base/app.aot" ] || { echo "no $base/app.aot: train it with SLUICE_APP_DIR=$base bench/aot-train.sh" >&2; exit 1; }
    variants+=("base+AOT"); javas[base+AOT]="$java25"; apps[base+AOT]="$base"
  fi
else
  echo "no JDK 25 found (set JAVA25_HOME): measuring JDK 17 only"
fi
[ -n "${VARIANTS:-}" ] && read -r -a variants <<<"$VARIANTS"
echo "JDK 17: $("$java17" -version 2>&1 | head -1)"
[ -n "$java25" ] && echo "JDK 25: $("$java25" -version 2>&1 | head -1)"
echo "jar: $jar ($(cd "$app" && git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?')), ${runs} rounds, idle ${idle}s, load $(cut -d' ' -f1-3 /proc/loadavg)"

now_ms() { date +%s%3N; }

tick=$(getconf CLK_TCK)
# start_server VARIANT -> prints "ready_ms cpu_ms rss_kb anon_kb"
start_server() {
  local v="$1" data="$tmp/data-$RANDOM" t0 t1 rss anon cpu
  mkdir -p "$data"
  t0=$(now_ms)
  # an +AOT variant starts through the launcher, as the image does: its cache and the flags that go with it
  local cmd=("${javas[$v]}" "${java_flags[@]}" -jar "${apps[$v]:-$app}/quarkus-run.jar")
  [ "${v#*+}" = AOT ] && cmd=(env JAVA="${javas[$v]}" SLUICE_HOME="${apps[$v]:-$app}" JAVA_OPTS="${JAVA_FLAGS:-}" "$here/../deploy/sluice-jvm.sh" serve)
  SLUICE_WARMUP_DURATION="${SLUICE_WARMUP_DURATION:-0s}" SLUICE_AUTH_MODE=none SLUICE_DATA_DIR="$data" SLUICE_FLAGS_STORE=none \
    QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=$((port + 1)) "${cmd[@]}" >"$tmp/server.log" 2>&1 &
  server=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/q/health/ready"; do
    kill -0 "$server" 2>/dev/null || { echo "server ($v) died:" >&2; tail -20 "$tmp/server.log" >&2; exit 1; }
    [ $(( $(now_ms) - t0 )) -lt 60000 ] || { echo "server ($v) not ready in 60 s" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(now_ms)
  cpu=$(awk -v t="$tick" '{print int(($14 + $15) * 1000 / t)}' "/proc/$server/stat")
  sleep "$idle"
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
  anon=$(awk '/RssAnon/ {print $2}' "/proc/$server/status")
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  echo "$((t1 - t0)) $cpu $rss $anon"
}

# time_cmd VARIANT ARGS... -> "wall_ms/cpu_ms" of one CLI invocation (its exit status is ignored: the
# unreachable server makes client commands fail on purpose)
time_cmd() {
  local v="$1" TIMEFORMAT='%R %U %S' t
  shift
  if [ "${v#*+}" = AOT ]; then
    # the launcher, as the image runs a CLI command: its short class path, its flags and cli.aot (trained for them)
    t=$( { time JAVA="${javas[$v]}" SLUICE_HOME="${apps[$v]:-$app}" SLUICE_CLI_JAVA_OPTS="${CLI_JAVA_FLAGS:-}" "$here/../deploy/sluice-jvm.sh" "$@" \
      >/dev/null 2>&1; } 2>&1 || true)
  else
    t=$( { time "${javas[$v]}" "${cli_java_flags[@]}" -jar "$jar" "$@" >/dev/null 2>&1; } 2>&1 || true)
  fi
  echo "$t" | awk '{printf "%d/%d\n", $1 * 1000, ($2 + $3) * 1000}'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A ready cpu rss anon vwall vcpu cwall ccpu
for _ in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    read -r r c m a < <(start_server "$v")
    ready[$v]+="$r "; cpu[$v]+="$c "; rss[$v]+="$m "; anon[$v]+="$a "
    IFS=/ read -r w c < <(time_cmd "$v" -V)
    vwall[$v]+="$w "; vcpu[$v]+="$c "
    IFS=/ read -r w c < <(time_cmd "$v" monitor:health --url "http://127.0.0.1:$((port + 7))")
    cwall[$v]+="$w "; ccpu[$v]+="$c "
  done
done

echo
echo "medians of $runs; wall / CPU in ms, memory in MB"
printf '%-8s %16s %16s %14s %16s\n' "JVM" "ready wall/CPU" "RSS (private)" "-V wall/CPU" "client wall/CPU"
declare -A med
for v in "${variants[@]}"; do
  for k in ready cpu vwall vcpu cwall ccpu; do
    declare -n series="$k"
    med[$v.$k]=$(echo "${series[$v]}" | median)
  done
  med[$v.rss]=$(( $(echo "${rss[$v]}" | median) / 1024 ))
  med[$v.anon]=$(( $(echo "${anon[$v]}" | median) / 1024 ))
  printf '%-8s %16s %16s %14s %16s\n' "$v" "${med[$v.ready]}/${med[$v.cpu]}" "${med[$v.rss]} (${med[$v.anon]})" \
    "${med[$v.vwall]}/${med[$v.vcpu]}" "${med[$v.cwall]}/${med[$v.ccpu]}"
done
echo "all runs: $(for v in "${variants[@]}"; do printf '%s ready [%s] CPU [%s]; ' "$v" "${ready[$v]}" "${cpu[$v]}"; done)"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
r="${variants[0]}"
for v in "${variants[@]:1}"; do
  echo "ratio $v / $r: ready wall $(ratio "${med[$v.ready]}" "${med[$r.ready]}") CPU $(ratio "${med[$v.cpu]}" "${med[$r.cpu]}"), RSS $(ratio "${med[$v.rss]}" "${med[$r.rss]}"), -V CPU $(ratio "${med[$v.vcpu]}" "${med[$r.vcpu]}"), client cmd CPU $(ratio "${med[$v.ccpu]}" "${med[$r.ccpu]}")"
done
