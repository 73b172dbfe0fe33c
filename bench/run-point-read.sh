#!/usr/bin/env bash
# Point read by primary key on a 100,000-row table through Sluice, at 1, 8, 32 and 64 connections.
# Works on either backend: it creates and fills bench_kv through Sluice itself if it is missing.
#
#   bench/run-point-read.sh [base-url] [seconds-per-run]      (needs wrk and curl)
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
secs="${2:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
auth=()
[ -n "${SLUICE_AUTH_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $SLUICE_AUTH_TOKEN")
post() { curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$url/v2/pipeline" -d "$1"; }

count=$(post '{"requests":[{"type":"execute","stmt":{"sql":"SELECT count(*) FROM bench_kv"}},{"type":"close"}]}' \
  | sed -n 's/.*"rows":\[\[{"type":"integer","value":"\([0-9]*\)".*/\1/p' || true)
if [ "${count:-0}" != "100000" ]; then
  echo "preparing bench_kv (100,000 rows) ..."
  post '{"requests":[{"type":"execute","stmt":{"sql":"DROP TABLE IF EXISTS bench_kv"}},{"type":"execute","stmt":{"sql":"CREATE TABLE bench_kv (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score DOUBLE PRECISION NOT NULL)"}},{"type":"close"}]}' >/dev/null
  for start in $(seq 0 5000 95000); do
    post "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"INSERT INTO bench_kv (id, name, score) SELECT x, 'name-' || x, x * 0.5 FROM (WITH RECURSIVE s(x) AS (SELECT $((start + 1)) UNION ALL SELECT x + 1 FROM s WHERE x < $((start + 5000))) SELECT x FROM s) AS t\"}},{\"type\":\"close\"}]}" >/dev/null
  done
fi

# shellcheck source=wrk-series.sh
. "$here/wrk-series.sh"
wrk_series "point read by primary key" "$here/point-read.lua" "$url/v2/pipeline" "$secs"
