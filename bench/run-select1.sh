#!/usr/bin/env bash
# Measures Hrana `execute SELECT 1` + `close` on /v2/pipeline against a running Sluice, at several
# concurrencies over keep-alive connections, next to the same server's GET /version as the baseline.
#
#   bench/run-select1.sh [base-url] [seconds-per-run]      (needs wrk: apt-get install wrk)
#
# Set SLUICE_AUTH_TOKEN when the server requires authentication.
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
secs="${2:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

# One checked request first, so that a server answering with errors cannot pass for a fast one.
auth=()
[ -n "${SLUICE_AUTH_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $SLUICE_AUTH_TOKEN")
check=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$url/v2/pipeline" \
  -d '{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1"}},{"type":"close"}]}')
case "$check" in
  *'"type":"error"'*|'') echo "the server does not answer SELECT 1 correctly: $check" >&2; exit 1 ;;
esac

# shellcheck source=wrk-series.sh
. "$here/wrk-series.sh"
wrk_series "execute SELECT 1 + close" "$here/select1.lua" "$url/v2/pipeline" "$secs"
line=$(wrk -t2 -c32 -d"${secs}s" -s "$here/version.lua" "$url/version" | tail -n 1)
printf '%-28s %6s  %s\n' "GET /version (baseline)" 32 "$line"
