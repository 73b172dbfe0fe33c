#!/usr/bin/env bash
# A transaction of STATEMENTS INSERTs on PostgreSQL through Sluice (one Hrana batch as @libsql/client sends a
# write batch: BEGIN, the INSERTs, COMMIT, ROLLBACK unless it committed, in one HTTP request) against the same
# INSERTs over plain JDBC in one transaction, alternated round by round in one run (bench/PgBatch.java).
# Prints the medians and, last, the ratio Sluice / JDBC.
#
#   bench/pg-batch.sh [statements] [rounds] [warm-up rounds]      (defaults 100, 300, 1500: the server's JIT needs
#                                                                  time as well as statements: on a machine where a
#                                                                  round takes 3 ms, 300 warm-up rounds left Sluice
#                                                                  at 1.63 of JDBC, 1,500 and 3,000 at 0.88-0.95)
#
# Starts the packaged jar (./mvnw package -DskipTests) on PostgreSQL at PGHOST:PGPORT (127.0.0.1:5432),
# database PGDATABASE (test), user PGUSER (postgres), trust auth, on a loopback port, and stops it on exit.
# SLUICE_JAR runs another build (for example an older commit's) for comparison; SERVER_JAVA and SERVER_JAVA_FLAGS
# start the server on another JVM with other flags (as in bench/run-pgbouncer.sh), e.g. JDK 25 with the image's flags.
set -euo pipefail
# the flags split into words, never expanded as file names (a CompileCommand pattern holds "*")
read -r -a server_flags <<<"${SERVER_JAVA_FLAGS:-}"
statements="${1:-100}"
rounds="${2:-300}"
warmup="${3:-1500}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="${SLUICE_JAR:-$here/../target/quarkus-app/quarkus-run.jar}"
pghost="${PGHOST:-127.0.0.1}" pgport="${PGPORT:-5432}" pgdb="${PGDATABASE:-test}" pguser="${PGUSER:-postgres}"
port="${SLUICE_BENCH_PORT:-18093}"

[ -f "$jar" ] || { echo "no packaged jar at $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }
pgjdbc="$(ls "$(dirname "$jar")"/lib/main/org.postgresql.postgresql-*.jar 2>/dev/null | head -1)"
[ -n "$pgjdbc" ] || { echo "pgjdbc not found next to $jar" >&2; exit 1; }

log="$(mktemp)"
pid=""
cleanup() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -f "$log"
}
trap cleanup EXIT

SLUICE_AUTH_MODE=none SLUICE_DATABASE_URL="jdbc:postgresql://$pghost:$pgport/$pgdb" SLUICE_DATABASE_USER="$pguser" \
  SLUICE_DATABASE_ALLOW_PRIVILEGED_ROLE=true QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=$((port + 1)) \
  "${SERVER_JAVA:-java}" "${server_flags[@]}" -jar "$jar" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "Sluice did not start:" >&2; tail -20 "$log" >&2; exit 1; }

java -cp "$pgjdbc" "$here/PgBatch.java" "http://127.0.0.1:$port" "jdbc:postgresql://$pghost:$pgport/$pgdb" "$pguser" \
  "$statements" "$rounds" "$warmup"
