#!/usr/bin/env bash
# CLI latency: wall and CPU time (user + system, all threads) of `sluice -V` and of one client command
# (`monitor:health`, one admin API call) against a running server, started two ways, alternated, medians
# of RUNS, and the ratio to the same JVM's `java -version` printed last:
#   jar        java -jar quarkus-run.jar ...           (the application's full class path, no cache)
#   launcher   deploy/sluice-jvm.sh ...                (short class path, C1 + serial GC, cli.aot when present)
#
#   bench/cli-latency.sh [runs]                        (default 7)
#
# JAVA: the java to use (default: JDK 25 as bench/jdks.sh finds it, else `java`). SLUICE_APP_DIR: the packaged
# application (default target/quarkus-app; cli.aot in it is used when present: bench/aot-train.sh).
# Starts its own server (embedded SQLite in a temporary directory, loopback, port SLUICE_BENCH_PORT, default
# 18491) and stops it. On a loaded machine read the CPU columns; wall times stretch with the load.
set -euo pipefail
runs="${1:-7}"
here="$(cd "$(dirname "$0")" && pwd)"
app="$(cd "${SLUICE_APP_DIR:-$here/../target/quarkus-app}" && pwd)"
jar="$app/quarkus-run.jar"
launcher="$here/../deploy/sluice-jvm.sh"
port="${SLUICE_BENCH_PORT:-18491}"
[ -f "$jar" ] || { echo "no packaged jar at $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
# shellcheck source=bench/jdks.sh
. "$here/jdks.sh"
java="${JAVA:-${java25:-java}}"
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

tmp="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

token="cli-bench-$RANDOM$RANDOM"
SLUICE_AUTH_MODE=none SLUICE_ADMIN_TOKEN="$token" SLUICE_DATA_DIR="$tmp/data" SLUICE_FLAGS_STORE=none \
  QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=$((port + 1)) \
  JAVA="$java" SLUICE_HOME="$app" "$launcher" serve >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 1 1200); do
  curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/q/health/ready" && break
  kill -0 "$server" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; exit 1; }
  sleep 0.05
done
url="http://127.0.0.1:$port"
export SLUICE_ADMIN_TOKEN="$token"

# one VARIANT ARGS... -> "wall_ms cpu_ms"; a failing command aborts the run (the server answers)
one() {
  local v="$1" TIMEFORMAT='%R %U %S' t
  shift
  case "$v" in
    version) t=$( { time "$java" -version >/dev/null 2>&1; } 2>&1 ) ;;
    jar) t=$( { time "$java" -jar "$jar" "$@" >/dev/null 2>"$tmp/err"; } 2>&1 ) ;;
    launcher) t=$( { time JAVA="$java" SLUICE_HOME="$app" "$launcher" "$@" >/dev/null 2>"$tmp/err"; } 2>&1 ) ;;
  esac || { echo "$v $* failed:" >&2; cat "$tmp/err" >&2; exit 1; }
  echo "$t" | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'
}

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "$("$java" -version 2>&1 | head -1); $runs rounds; cli.aot: $([ -f "$app/cli.aot" ] && echo yes || echo no);" \
  "commit $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?'); load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A wall cpu
cases=("version|version" "jar -V|jar -V" "launcher -V|launcher -V" "jar monitor:health|jar monitor:health --url $url"
  "launcher monitor:health|launcher monitor:health --url $url")
for _ in $(seq 1 "$runs"); do
  for c in "${cases[@]}"; do
    name="${c%%|*}"
    # shellcheck disable=SC2086
    read -r w u < <(one ${c#*|})
    wall[$name]+="$w "; cpu[$name]+="$u "
  done
done

printf '\n%-26s %10s %10s\n' "medians, ms" "wall" "CPU"
declare -A mw mc
for c in "${cases[@]}"; do
  name="${c%%|*}"
  mw[$name]=$(echo "${wall[$name]}" | median); mc[$name]=$(echo "${cpu[$name]}" | median)
  printf '%-26s %10s %10s\n' "$name" "${mw[$name]}" "${mc[$name]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / (b > 0 ? b : 1)}'; }
echo
for c in "${cases[@]:1}"; do
  name="${c%%|*}"
  echo "ratio to java -version, $name: wall $(ratio "${mw[$name]}" "${mw[version]}") CPU $(ratio "${mc[$name]}" "${mc[version]}")"
done
