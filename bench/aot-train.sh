#!/usr/bin/env bash
# Trains the Leyden AOT caches (JDK 25+, JEP 483/514/515) for the packaged jar:
#   app.aot  the server's: classes loaded and linked, from a training run that starts the server in the prod
#            profile with JWT authentication and the admin API on, and drives the request paths production
#            sees (Hrana SELECT, point reads, inserts, batches and interactive transactions through the
#            built-in load generator; probes; a few admin calls). No method profiles: the launcher does not
#            replay them (-XX:-AOTReplayTraining), and recorded they are 5 MB more cache mapped into every server
#   cli.aot  the CLI's: one client command against that server (picocli, the admin HTTP client, output),
#            started through the launcher (deploy/sluice-jvm.sh, or SLUICE_LAUNCHER) with its short class path
# The JVM writes a cache when the training run exits. A cache only serves the same JDK build and the same
# class path (same directory): train where the jar will run, e.g. in the image (deploy/Dockerfile.jvm).
#
#   bench/aot-train.sh [output-dir]        (default: the application directory itself)
#
# JAVA: the java to train with (default `java` on the PATH; it must be 25+). SLUICE_APP_DIR: the packaged
# application (default target/quarkus-app; the aot-jar layout, ./mvnw package -Paot, so that the
# application's classes are on the class path the cache can hold). TRAIN_SECONDS: seconds per workload
# (default 4). JAVA_FLAGS / CLI_JAVA_FLAGS: the flags the server / the CLI will run with (a cache is made for
# one set of flags; deploy/sluice-jvm.sh names the image's). Uses only bash and the jar itself (no curl), so
# it also runs inside a slim runtime image.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
app="$(cd "${SLUICE_APP_DIR:-$here/../target/quarkus-app}" && pwd)"
out="$(mkdir -p "${1:-$app}" && cd "${1:-$app}" && pwd)"
java="${JAVA:-java}"
secs="${TRAIN_SECONDS:-4}"
port="${SLUICE_TRAIN_PORT:-18291}"
jar="$app/quarkus-run.jar"
launcher="${SLUICE_LAUNCHER:-$here/../deploy/sluice-jvm.sh}"
[ -f "$jar" ] || { echo "no packaged jar at $jar (./mvnw package -Paot -DskipTests)" >&2; exit 1; }
version=$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
[ "${version%%.*}" -ge 25 ] 2>/dev/null || { echo "$java is Java $version; the AOT cache needs 25 or later" >&2; exit 1; }
if unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | grep -q 'Main-Class: io.quarkus.bootstrap.runner.QuarkusEntryPoint'; then
  echo "warning: $jar is the fast-jar layout; its application classes load through Quarkus' own class loader and" \
    "stay out of the cache (build with -Paot for the aot-jar layout)" >&2
fi

tmp="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# GET with bash alone: prints the status code of http://127.0.0.1:PORT/PATH
http_status() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { echo 000; return; }
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3
  read -r _ status _ <&3 || status=000
  exec 3<&- 3>&-
  echo "${status:-000}"
}

cli() { "$java" -jar "$jar" "$@"; }

(cd "$tmp" && cli auth:keygen --private-key "$tmp/jwt.key" --public-key "$tmp/jwt.pub" >/dev/null)
admin_token="train-$RANDOM$RANDOM$RANDOM"
rm -f "$out/app.aot" "$out/cli.aot"

# sqlite-jdbc's native library for this platform where the launcher loads it from (deploy/sqlite-native.sh, which
# needs a JDK's jar tool; the image extracts it in a build stage)
jar_tool="$(dirname "$(command -v "$java")")/jar"
if [ -x "$jar_tool" ]; then
  JAVA="$java" JAR="$jar_tool" "$here/../deploy/sqlite-native.sh" "$app"
elif ! ls -d "$app"/lib/native/org.xerial.sqlite-jdbc-* >/dev/null 2>&1; then
  echo "  no JDK jar tool to run deploy/sqlite-native.sh: the driver will copy its native library to /tmp at every start" >&2
fi

echo "training run: $("$java" -version 2>&1 | head -1), server on 127.0.0.1:$port"
# through the launcher, so that the cache is made for its class path and flags
SLUICE_AUTH_MODE=jwt SLUICE_AUTH_JWT_PUBLIC_KEYS="$(cat "$tmp/jwt.pub")" SLUICE_ADMIN_TOKEN="$admin_token" \
  SLUICE_DATA_DIR="$tmp/data" SLUICE_FLAGS_STORE=file SLUICE_FLAGS_DIR="$tmp/flags" \
  QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=$((port + 1)) \
  JAVA="$java" SLUICE_HOME="$app" SLUICE_AOT_OUTPUT="$out/app.aot" \
  JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining ${JAVA_FLAGS:-}" \
  "$launcher" serve >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  [ "$(http_status $((port + 1)) /q/health/ready)" = 200 ] && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
[ "$(http_status $((port + 1)) /q/health/ready)" = 200 ] || { echo "the server did not get ready" >&2; exit 1; }

url="http://127.0.0.1:$port"
export SLUICE_AUTH_TOKEN
SLUICE_AUTH_TOKEN=$(cli auth:token --private-key "$tmp/jwt.key" --subject aot-training)
for w in select1 point-read insert batch transaction; do
  cli bench "$w" --url "$url" -c 8 --warmup 0s -d "${secs}s" --rows 2000 >"$tmp/bench-$w.txt" 2>&1 \
    || { echo "bench $w failed:" >&2; cat "$tmp/bench-$w.txt" >&2; exit 1; }
  echo "  bench $w: $(grep -m1 -i 'operations/s\|ops/s' "$tmp/bench-$w.txt" || tail -n 1 "$tmp/bench-$w.txt")"
done
for p in /q/health/live /q/health/started /q/metrics; do http_status $((port + 1)) "$p" >/dev/null; done
http_status "$port" /version >/dev/null
export SLUICE_ADMIN_TOKEN="$admin_token"
for c in monitor:health flags:show config:show monitor:connections; do cli "$c" --url "$url" >/dev/null; done
# picocli is Java 5 bytecode, which an AOT cache does not hold: the launcher takes lib/cli/'s copy rewritten to a
# current class-file version (deploy/ClassFileUpgrade.java, which needs a JDK; the image makes it in a build stage)
upgrade="$here/../deploy/ClassFileUpgrade.java"
if [ -f "$upgrade" ] && "$java" --list-modules 2>/dev/null | grep -q '^jdk.compiler@'; then
  rm -rf "$app/lib/cli" && mkdir -p "$app/lib/cli"
  for j in "$app"/lib/main/info.picocli.picocli-*.jar; do
    "$java" "$upgrade" "$j" "$app/lib/cli/$(basename "$j")" | sed 's/^/  /'
  done
elif ! ls "$app"/lib/cli/info.picocli.picocli-*.jar >/dev/null 2>&1; then
  echo "  no JDK compiler to run deploy/ClassFileUpgrade.java: the CLI cache will hold no picocli classes" >&2
fi
# the CLI cache: one client command, recorded while the server still answers, started by the launcher
# itself so that the cache is made for the launcher's class path and flags
JAVA="$java" SLUICE_HOME="$app" SLUICE_AOT_OUTPUT="$out/cli.aot" SLUICE_CLI_JAVA_OPTS="${CLI_JAVA_FLAGS:-}" \
  "$launcher" monitor:health --url "$url" >"$tmp/cli.log" 2>&1 || { cat "$tmp/cli.log" >&2; exit 1; }

kill "$server"
wait "$server" 2>/dev/null || true
server=""
[ -s "$out/app.aot" ] || { echo "no cache written:" >&2; tail -20 "$tmp/server.log" >&2; exit 1; }
ls -l "$out/app.aot" "$out/cli.aot" | awk '{print "  " $NF ": " int($5 / 1048576) " MB"}'
