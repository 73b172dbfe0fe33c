#!/usr/bin/env bash
# Hrana `execute SELECT 1` + `close` on /v2/pipeline against the same server's GET /version, at 32
# connections, with the SERVER's CPU time per request, which a loaded machine moves much less than rates:
#
#   bench/select1-cpu.sh <server-pid> [base-url] [rounds] [seconds-per-run]     (defaults :8080, 3, 10)
#
# Run it on a warm server (a wrk run of a minute first on a loaded machine). Prints per round both rates, the
# rate ratio, and version's CPU per request over select1's (1.00 = select1 costs the server what /version does).
set -euo pipefail
pid="$1"
url="${2:-http://127.0.0.1:8080}"
rounds="${3:-3}"
secs="${4:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# prints: requests/s, server CPU microseconds per request, wrk's error count
run() {
  local c0 c1 out rate
  c0=$(cpu)
  out=$(wrk -t2 -c32 -d"${secs}s" -s "$here/$1" "$url/$2" | tail -n 1)
  c1=$(cpu)
  rate=$(awk '{print $2}' <<<"$out")
  echo "$rate $(awk -v c=$((c1 - c0)) -v t="$tick" -v r="$rate" -v s="$secs" 'BEGIN {printf "%.1f", c / t * 1e6 / (r * s)}') $(awk '{print $NF}' <<<"$out")"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  read -r sr sc se <<<"$(run select1.lua v2/pipeline)"
  read -r vr vc ve <<<"$(run version.lua version)"
  echo "select1 $sr req/s ${sc} us CPU/req (errors $se) | version $vr req/s ${vc} us CPU/req (errors $ve) |" \
    "rate ratio $(awk -v a="$sr" -v b="$vr" 'BEGIN {printf "%.2f", a / b}') | CPU ratio $(awk -v a="$vc" -v b="$sc" 'BEGIN {printf "%.2f", a / b}')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
