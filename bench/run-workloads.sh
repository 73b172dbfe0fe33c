#!/usr/bin/env bash
# Every `sluice bench` workload against a running Sluice, each followed by the same workload over plain JDBC
# (--direct-jdbc) against the database behind it, so each line compares the two measured in the same run.
#
#   bench/run-workloads.sh <sluice-url> <jdbc-url> [seconds] [connections] [jdbc-user]
#   e.g. bench/run-workloads.sh http://127.0.0.1:8080 jdbc:sqlite:data/sluice.db 10 32
#        bench/run-workloads.sh http://127.0.0.1:8080 jdbc:postgresql://127.0.0.1:5432/test 10 32 postgres
#
# SLUICE_AUTH_TOKEN is passed on when set. Needs the packaged jar (./mvnw package -DskipTests).
set -euo pipefail
url="$1" jdbc="$2" secs="${3:-10}" conns="${4:-32}" user="${5:-}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="${SLUICE_JAR:-$here/../target/quarkus-app/quarkus-run.jar}"
extra=()
[ -n "$user" ] && extra=(--jdbc-user "$user")
echo "$(nproc) cores, $conns connections, ${secs} s per run after a ${secs} s warm-up, $(date -u +%FT%TZ)"
for w in select1 point-read insert batch transaction; do
  java -jar "$jar" bench "$w" --url "$url" --concurrency "$conns" --duration "${secs}s" --warmup "${secs}s" \
    --direct-jdbc "$jdbc" "${extra[@]}" 2>/dev/null
  echo
done
