#!/usr/bin/env bash
# Cost of verifying a bearer token: jose4j (JwtVerifier) against the hand-written verifier it replaced
# (src/jmh/java/io/sluice/auth/HandWrittenJwtVerifier.java), in one JVM, by this thread's CPU time, so the
# ratio holds on a loaded machine. Prints the load average with the figures.
#
#   bench/jwt-verify.sh            blocks of 200 verifications, 20 rounds alternating old and new
#   bench/jwt-verify.sh 500 40     block size and rounds
#   bench/jmh.sh JwtVerification   the same pair (and the cached path) as JMH wall-clock averages
#
# Extra Maven flags (for example -o for offline) go in MAVEN_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
uptime
cp_file=target/jwt-verify.classpath
# shellcheck disable=SC2086 # MAVEN_ARGS is a list of flags
./mvnw -B -q ${MAVEN_ARGS:-} -Pbench -DskipTests test-compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
"${JAVA_HOME:+$JAVA_HOME/bin/}java" -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  io.sluice.auth.JwtVerificationBenchmark "${1:-200}" "${2:-20}"
uptime
