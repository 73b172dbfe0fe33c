#!/usr/bin/env bash
# Builds and runs the JMH micro-benchmarks (src/jmh/java, Maven profile `bench`) and prints JMH's table.
# They are not part of `./mvnw verify`.
#
#   bench/jmh.sh                      the whole suite: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement
#   bench/jmh.sh -f 3 -i 10 Lease     any org.openjdk.jmh.Main arguments instead (here: one class, longer)
#   bench/jmh.sh -l                   list the benchmarks
#
# Extra Maven flags (for example -o for offline) go in MAVEN_ARGS. All figures are average time per
# operation (ns/op), single-threaded; on a shared or small machine run it with nothing else busy.
set -euo pipefail
cd "$(dirname "$0")/.."
args="${*:-}"
if [ -z "$args" ]; then
  args="-f 1 -wi 3 -w 1s -i 5 -r 1s -foe true"
fi
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
exec ./mvnw -B -q ${MAVEN_ARGS:-} -Pbench -DskipTests test-compile exec:exec -Djmh.args="$args"
