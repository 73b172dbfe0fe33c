#!/usr/bin/env bash
# Sluice vs PgBouncer vs direct, the same point read by primary key, measured one after the other in one run:
#   1. Sluice (packaged jar, PostgreSQL backend, POOL backend connections), after WRK_WARMUP seconds (default
#      90) of wrk's point read: `sluice bench point-read` at CLIENTS connections, with its --direct-jdbc
#      baseline (CLIENTS plain JDBC connections, no pooler); then wrk's point read over HTTP, and
#      `sluice bench --transport websocket` over Hrana's WebSocket transport;
#   2. pgbench -M extended at CLIENTS clients through PgBouncer in transaction mode, default_pool_size=POOL;
#      then through a second PgBouncer that also runs DISCARD ALL after every transaction
#      (server_reset_query_always), the session isolation Sluice gives every stream;
#   3. pgbench -M extended at CLIENTS clients directly against PostgreSQL.
# Sluice resets each stream's session (sluice.database.session-reset=stream) unless the environment says
# SLUICE_DATABASE_SESSION_RESET=principal: the sharing PgBouncer's transaction mode gives one pool's clients.
# Everything listens on loopback on non-default ports; PgBouncer's config lives in a temporary directory
# that is removed afterwards, and the processes this script starts are stopped on exit.
#
#   bench/run-pgbouncer.sh [seconds-per-run] [pool] [clients]     (defaults 10, 8, 32)
#
# Needs: the packaged jar (./mvnw package -DskipTests), pgbouncer and pgbench (bench/install-tools.sh), and
# PostgreSQL at PGHOST:PGPORT (default 127.0.0.1:5432), database PGDATABASE (test), user PGUSER (postgres)
# reachable without a password from loopback (trust) -- PgBouncer is set up with auth_type=trust.
set -euo pipefail
# the flags split into words, never expanded as file names (a CompileCommand pattern holds "*")
read -r -a server_flags <<<"${SERVER_JAVA_FLAGS:-}"
secs="${1:-10}"
pool="${2:-8}"
clients="${3:-32}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="${SLUICE_JAR:-$here/../target/quarkus-app/quarkus-run.jar}"
pghost="${PGHOST:-127.0.0.1}" pgport="${PGPORT:-5432}" pgdb="${PGDATABASE:-test}" pguser="${PGUSER:-postgres}"
sluice_port="${SLUICE_BENCH_PORT:-18091}"
bouncer_port="${PGBOUNCER_BENCH_PORT:-16439}"
rows=100000

for tool in pgbouncer pgbench java curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (bench/install-tools.sh installs pgbouncer and pgbench)" >&2; exit 1; }
done
[ -f "$jar" ] || { echo "no packaged jar at $jar: run ./mvnw package -DskipTests first" >&2; exit 1; }

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Sluice refuses a superuser or other privileged role as its backend user: it connects as an ordinary role
# (SLUICE_PGUSER, default sluice_bench), created here when missing, that may create tables in public.
sluice_user="${SLUICE_PGUSER:-sluice_bench}"
psql -q -h "$pghost" -p "$pgport" -U "$pguser" -d "$pgdb" -v ON_ERROR_STOP=1 >/dev/null <<SQL
SELECT 'CREATE ROLE $sluice_user LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$sluice_user')\\gexec
GRANT CREATE, USAGE ON SCHEMA public TO $sluice_user;
SQL
reset_mode="${SLUICE_DATABASE_SESSION_RESET:-stream}"
echo "== Sluice: PostgreSQL backend as $sluice_user, $pool backend connections, session reset per $reset_mode, port $sluice_port"
SLUICE_AUTH_MODE=none SLUICE_DATABASE_URL="jdbc:postgresql://$pghost:$pgport/$pgdb" SLUICE_DATABASE_USER="$sluice_user" \
  DB_MAX_CONNECTIONS="$pool" QUARKUS_HTTP_PORT="$sluice_port" QUARKUS_MANAGEMENT_PORT=$((sluice_port + 1)) \
  "${SERVER_JAVA:-java}" "${server_flags[@]}" -jar "$jar" >"$tmp/sluice.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$sluice_port/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$sluice_port/health" >/dev/null || { echo "Sluice did not start:" >&2; tail -20 "$tmp/sluice.log" >&2; exit 1; }

# the table first (created and filled through Sluice when it is missing or of another size; not timed)
java -jar "$jar" bench point-read --url "http://127.0.0.1:$sluice_port" --rows "$rows" -n 1 --warmup 0s >/dev/null
# ...and settled before anything reads it: a freshly filled table's first reads write its rows' hint bits and
# autovacuum visits it while they run, so without this the first path measured (Sluice) read a colder table
# than the later ones (PgBouncer, direct)
psql -q -h "$pghost" -p "$pgport" -U "$pguser" -d "$pgdb" -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) sluice_bench" >/dev/null
# a fresh server needs a long warm-up before its figures mean anything (JIT): on a 2-core machine whose cores
# the client shares, one to two minutes of load before the rate levels off. wrk, a C client as light as
# pgbench, gives it WRK_WARMUP seconds (default 90) of the point read before anything is measured
command -v wrk >/dev/null && POINT_READ_SQL="SELECT id, v FROM sluice_bench WHERE id = ?" ROWS="$rows" \
  wrk -t2 -c"$clients" -d"${WRK_WARMUP:-90}s" -s "$here/point-read.lua" "http://127.0.0.1:$sluice_port/v2/pipeline" >/dev/null
java -jar "$jar" bench point-read --url "http://127.0.0.1:$sluice_port" --rows "$rows" --concurrency "$clients" \
  --duration "${secs}s" --warmup "$(( secs > 15 ? secs : 15 ))s" --direct-jdbc "jdbc:postgresql://$pghost:$pgport/$pgdb" --jdbc-user "$pguser" \
  --json >"$tmp/sluice.json"
# the same point read from wrk on the same server and table
command -v wrk >/dev/null && wrk_line="$(POINT_READ_SQL="SELECT id, v FROM sluice_bench WHERE id = ?" ROWS="$rows" \
  wrk -t2 -c"$clients" -d"${secs}s" -s "$here/point-read.lua" "http://127.0.0.1:$sluice_port/v2/pipeline" | tail -n 1)"
# the same point read over Hrana's WebSocket transport, as @libsql/client sends it for libsql:// and ws://
# URLs (a stream per read: open_stream, execute, close_stream sent together), on the warm server, with the
# HTTP run's warm-up: the load generator's JVM starts cold and the server's WebSocket path has not run yet
java -jar "$jar" bench point-read --transport websocket --url "http://127.0.0.1:$sluice_port" --rows "$rows" \
  --concurrency "$clients" --duration "${secs}s" --warmup "$(( secs > 15 ? secs : 15 ))s" --json >"$tmp/sluice-ws.json"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()

echo "== PgBouncer $(pgbouncer --version | head -1 | awk '{print $2}'): transaction mode, default_pool_size=$pool, port $bouncer_port"
# $1: the ini file; $2: its port; the rest: extra [pgbouncer] settings
bouncer_ini() {
  local ini="$1" port="$2"
  shift 2
  cat >"$ini" <<INI
[databases]
$pgdb = host=$pghost port=$pgport dbname=$pgdb user=$pguser

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $tmp/userlist.txt
pool_mode = transaction
default_pool_size = $pool
min_pool_size = $pool
max_client_conn = $((clients * 2))
logfile = $ini.log
pidfile = $ini.pid
INI
  printf '%s\n' "$@" >>"$ini"
}
# the same pooler giving every transaction a fresh session, the isolation Sluice gives every stream
reset_port=$((bouncer_port + 1))
bouncer_ini "$tmp/pgbouncer.ini" "$bouncer_port"
bouncer_ini "$tmp/pgbouncer-reset.ini" "$reset_port" "server_reset_query = DISCARD ALL" "server_reset_query_always = 1"
echo "\"$pguser\" \"\"" >"$tmp/userlist.txt"
chmod 755 "$tmp"
bouncer_user=()
# PgBouncer refuses to run as root; -u drops to the database's system user
[ "$(id -u)" -eq 0 ] && { chown -R "$pguser" "$tmp" 2>/dev/null || chown -R nobody "$tmp"; bouncer_user=(-u "$(stat -c %U "$tmp")"); }
for ini in pgbouncer pgbouncer-reset; do
  pgbouncer "${bouncer_user[@]}" "$tmp/$ini.ini" >"$tmp/$ini.out" 2>&1 &
  pids+=($!)
done
for port in "$bouncer_port" "$reset_port"; do
  for _ in $(seq 1 20); do
    pg_isready -q -h 127.0.0.1 -p "$port" -d "$pgdb" -U "$pguser" && break
    sleep 0.5
  done
done

printf '\\set id random(1, %d)\nSELECT id, v FROM sluice_bench WHERE id = :id;\n' "$rows" >"$tmp/point-read.sql"
pgb() { pgbench -n -M extended -c "$clients" -j 2 -f "$tmp/point-read.sql" "$@" "$pgdb" 2>&1; }
pgb -h 127.0.0.1 -p "$bouncer_port" -U "$pguser" -T 3 >/dev/null      # warm-up
bouncer_out="$(pgb -h 127.0.0.1 -p "$bouncer_port" -U "$pguser" -T "$secs")"
pgb -h 127.0.0.1 -p "$reset_port" -U "$pguser" -T 3 >/dev/null
reset_out="$(pgb -h 127.0.0.1 -p "$reset_port" -U "$pguser" -T "$secs")"
echo "== PostgreSQL directly (pgbench, $clients backend connections)"
direct_out="$(pgb -h "$pghost" -p "$pgport" -U "$pguser" -T "$secs")"

tps() { sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$1" | head -1; }
lat() { sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$1" | head -1; }
sluice_tps=$(sed -n 's/^  "operationsPerSecond" : \([0-9.]*\).*/\1/p' "$tmp/sluice.json" | head -1)
field() { sed -n "s/^ *\"$1\" : \([0-9.]*\).*/\1/p" "$tmp/sluice.json" | head -1; }   # the first is Sluice's
sluice_p50=$(field p50) sluice_p99=$(field p99) sluice_errors=$(field total)
ws_tps=$(sed -n 's/^  "operationsPerSecond" : \([0-9.]*\).*/\1/p' "$tmp/sluice-ws.json" | head -1)
jdbc_tps=$(sed -n 's/^    "operationsPerSecond" : \([0-9.]*\).*/\1/p' "$tmp/sluice.json" | head -1)
bouncer_tps=$(tps "$bouncer_out") reset_tps=$(tps "$reset_out") direct_tps=$(tps "$direct_out")

echo
echo "point read by primary key, $rows rows, $clients clients, ${secs} s each, $(nproc) cores, $(date -u +%FT%TZ)"
printf '%-58s %12s  %s\n' "path" "requests/s" "latency"
echo "Sluice resets the session per $reset_mode"
printf '%-58s %12s  p50 %s ms, p99 %s ms, errors %s\n' "Sluice (HTTP, sluice bench, $pool backend connections)" "$sluice_tps" "$sluice_p50" "$sluice_p99" "$sluice_errors"
[ -n "${wrk_line:-}" ] && printf '%-58s %12s  %s\n' "Sluice (HTTP, wrk, $pool backend connections)" \
  "$(sed -n 's/^requests\/s \([0-9]*\).*/\1/p' <<<"$wrk_line")" "$(sed 's/^requests\/s [0-9]* *//' <<<"$wrk_line")"
printf '%-58s %12s\n' "Sluice (WebSocket, sluice bench, $pool backend connections)" "$ws_tps"
printf '%-58s %12s  avg %s ms\n' "pgbench through PgBouncer (transaction mode, pool $pool)" "$bouncer_tps" "$(lat "$bouncer_out")"
printf '%-58s %12s  avg %s ms\n' "the same with DISCARD ALL after every transaction" "$reset_tps" "$(lat "$reset_out")"
printf '%-58s %12s\n' "direct JDBC (sluice bench --direct-jdbc, $clients conns)" "$jdbc_tps"
printf '%-58s %12s  avg %s ms\n' "pgbench directly ($clients backend connections)" "$direct_tps" "$(lat "$direct_out")"
wrk_tps="$(sed -n 's/^requests\/s \([0-9]*\).*/\1/p' <<<"${wrk_line:-}")"
awk -v s="$sluice_tps" -v x="$ws_tps" -v w="${wrk_tps:-0}" -v b="$bouncer_tps" -v r="$reset_tps" -v j="$jdbc_tps" -v d="$direct_tps" 'BEGIN {
  printf "Sluice / PgBouncer: %.2f (sluice bench), %.2f (wrk), %.2f (WebSocket)   Sluice (wrk) / PgBouncer resetting: %.2f   Sluice / direct JDBC: %.2f   PgBouncer / direct pgbench: %.2f\n", s / b, w / b, x / b, w / r, s / j, b / d }'
