#!/bin/sh
# The JVM image's entry point and `sluice` command: no arguments or `serve` starts the server with the
# server's AOT cache; any other arguments are a CLI command, started with the CLI's cache (a client command
# never boots Quarkus, so the server's classes and profiles would only cost it mapping time).
# JAVA_OPTS: the JVM flags for the server (the image sets them); SLUICE_CLI_JAVA_OPTS: for CLI commands.
# A missing or stale cache (another JVM build, another class path) only costs speed: the JVM warns and runs.
set -e
dir=/deployments
case "${1:-serve}" in
  serve)
    # The cache's classes, but not its replayed JIT profiles: with them a server reached a third of its
    # throughput 30 s after start, without them full speed after about 20 s (docs/performance.md).
    # shellcheck disable=SC2086
    exec java -XX:AOTCache="$dir/app.aot" -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining $JAVA_OPTS \
      -jar "$dir/quarkus-run.jar" "$@" ;;
  *)
    # shellcheck disable=SC2086
    exec java -XX:AOTCache="$dir/cli.aot" $SLUICE_CLI_JAVA_OPTS \
      -jar "$dir/quarkus-run.jar" "$@" ;;
esac
