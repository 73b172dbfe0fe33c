#!/bin/sh
# The JVM image's entry point and `sluice` command: no arguments or `serve` starts the server with the
# server's AOT cache; any other arguments are a CLI command, started with the CLI's cache and a class path of
# the few jars a client command uses (a client command never boots Quarkus: with the application's full
# class path the JVM opens some 200 jars to find the launcher's main class at the end of it).
#
# SLUICE_HOME: the packaged application (default /deployments; locally e.g. target/quarkus-app).
# JAVA (a java executable) or JAVA_HOME: the JDK (default `java` on the PATH). The caches (app.aot, cli.aot in SLUICE_HOME, written by
# bench/aot-train.sh) need JDK 25+; a missing cache is simply not used, a stale one (another JDK build, another
# class path) only costs speed: the JVM warns and runs.
# JAVA_OPTS: the JVM flags for the server (the image sets them); SLUICE_CLI_JAVA_OPTS: extra flags for a CLI
# command. SLUICE_AOT_OUTPUT=FILE makes this run write an AOT cache to FILE instead of using one (training).
set -e
dir="${SLUICE_HOME:-/deployments}"
java="${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}"

# aot CACHE: the flag that uses CACHE when it exists, or writes SLUICE_AOT_OUTPUT when training
aot() {
  if [ -n "${SLUICE_AOT_OUTPUT:-}" ]; then
    echo "-XX:AOTCacheOutput=$SLUICE_AOT_OUTPUT"
  elif [ -f "$1" ]; then
    echo "-XX:AOTCache=$1"
  fi
}

# sqlite-jdbc's native library, extracted for this platform by deploy/sqlite-native.sh: loaded from there
# instead of being copied out of the driver's jar into the temporary directory at every start
native=""
for j in "$dir"/lib/main/org.xerial.sqlite-jdbc-*.jar; do
  lib="$dir/lib/native/$(basename "$j" .jar)"
  [ -d "$lib" ] && native="-Dorg.sqlite.lib.path=$lib"
done

case "${1:-serve}" in
  serve)
    # The cache's classes, but not its replayed JIT profiles: with them a server reached a third of its
    # throughput 30 s after start, without them full speed after about 20 s (docs/performance.md).
    replay=""
    [ -z "${SLUICE_AOT_OUTPUT:-}" ] && [ -f "$dir/app.aot" ] && replay="-XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining"
    # JAVA_OPTS is split into words, not expanded as file names (the image's compile commands hold `*`)
    set -f
    # shellcheck disable=SC2086
    exec "$java" $(aot "$dir/app.aot") $replay $native $JAVA_OPTS -jar "$dir/quarkus-run.jar" "$@" ;;
  *)
    # A client command: the application jar and the libraries the CLI uses (picocli, Jackson, JLine for
    # `sql`, HdrHistogram and the JDBC drivers for `bench`), nothing of Quarkus. picocli from lib/cli/ when
    # there: the same classes rewritten to a class-file version the AOT cache holds (deploy/ClassFileUpgrade.java).
    picocli="$dir/lib/main/info.picocli.picocli-*.jar"
    for j in "$dir"/lib/cli/info.picocli.picocli-*.jar; do [ -f "$j" ] && picocli="$j"; done
    cp=""
    for j in "$dir"/app/*.jar $picocli "$dir"/lib/main/com.fasterxml.jackson.core.jackson-*.jar \
        "$dir"/lib/main/org.jline.jline-*.jar "$dir"/lib/main/org.hdrhistogram.HdrHistogram-*.jar \
        "$dir"/lib/main/org.xerial.sqlite-jdbc-*.jar "$dir"/lib/main/org.postgresql.postgresql-*.jar; do
      [ -f "$j" ] && cp="${cp:+$cp:}$j"
    done
    # A command that lives well under a second: the C1 compiler only and the serial collector save a third
    # of its CPU time. `bench` is the exception: it runs for seconds or minutes and needs the full JIT.
    quick="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    [ "$1" = bench ] && quick=""
    # shellcheck disable=SC2086
    exec "$java" $(aot "$dir/cli.aot") $quick $native $SLUICE_CLI_JAVA_OPTS -cp "$cp" io.sluice.SluiceMain "$@" ;;
esac
