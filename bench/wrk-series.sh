# Shared by the bench/run-*.sh scripts (sourced, not run): a JIT warm-up, then one wrk run per
# connection count, each printed as one table row.
#
#   wrk_series LABEL LUA_SCRIPT URL SECONDS [CONNECTIONS...]     (default connections: 1 8 32 64)
wrk_series() {
  local label="$1" script="$2" target="$3" secs="$4"
  shift 4
  local counts=("$@")
  [ ${#counts[@]} -gt 0 ] || counts=(1 8 32 64)
  echo "warm-up (JIT) ${secs}s at 32 connections ..."
  wrk -t2 -c32 -d"${secs}s" -s "$script" "$target" >/dev/null
  printf '%-28s %6s  %s\n' "workload" "conns" "result"
  local c threads line
  for c in "${counts[@]}"; do
    threads=$(( c < 2 ? 1 : 2 ))
    line=$(wrk -t"$threads" -c"$c" -d"${secs}s" -s "$script" "$target" | tail -n 1)
    printf '%-28s %6s  %s\n' "$label" "$c" "$line"
  done
}
