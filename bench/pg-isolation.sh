#!/usr/bin/env bash
# What mapping SQLite's write transactions to REPEATABLE READ (or SERIALIZABLE) costs on PostgreSQL: runs
# bench/PgIsolation.java (BEGIN ISOLATION LEVEL x; 2 INSERTs; a read; an UPDATE of one of a few hot rows; COMMIT)
# at each level on the same server, printing commits/s, p50, p99 and the share of serialization failures.
#
#   bench/pg-isolation.sh [jdbc-url] [user] [connections] [seconds] [hot-rows]
#   e.g. bench/pg-isolation.sh jdbc:postgresql://127.0.0.1:5432/test postgres 8 10 64
#
# Uses pgjdbc from the local Maven repository (./mvnw has fetched it) or $PGJDBC_JAR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="${PGJDBC_JAR:-$(ls "$HOME"/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar 2>/dev/null | sort -V | tail -n 1)}"
[ -n "$jar" ] && [ -f "$jar" ] || { echo "pgjdbc not found: set PGJDBC_JAR" >&2; exit 1; }
exec java -cp "$jar" "$here/PgIsolation.java" "${1:-jdbc:postgresql://127.0.0.1:5432/test}" "${2:-postgres}" "${3:-8}" "${4:-10}" "${5:-64}"
