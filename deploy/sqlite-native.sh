#!/bin/sh
# Extracts sqlite-jdbc's native library for this machine's platform out of the driver's jar in APP/lib/main
# into APP/lib/native/<the jar's name>/, where deploy/sluice-jvm.sh points the driver (org.sqlite.lib.path).
# Without it the driver does this at every start, at the server's first connection on its main thread: it
# runs `uname` to tell the platform, copies the library into the temporary directory, compares the copy with
# the original and only then loads it (about 0.13 s of the start on a 2-core machine; docs/performance.md),
# and it needs a temporary directory it may write and execute from. The directory is named after the jar, so
# a library is only ever loaded by the driver version it came with.
#
#   deploy/sqlite-native.sh APP     JAVA: the java that asks the driver for the platform; JAR: a JDK's jar tool
set -e
app="$1"
java="${JAVA:-java}"
jar_tool="${JAR:-jar}"
for driver in "$app"/lib/main/org.xerial.sqlite-jdbc-*.jar; do
  [ -f "$driver" ] || continue
  platform=$("$java" -cp "$driver" org.sqlite.util.OSInfo)
  lib=$("$jar_tool" tf "$driver" | grep "^org/sqlite/native/$platform/[^/][^/]*$" | head -n 1)
  [ -n "$lib" ] || { echo "sqlite-jdbc has no native library for $platform" >&2; exit 1; }
  out="$app/lib/native/$(basename "$driver" .jar)"
  rm -rf "$out" && mkdir -p "$out"
  (cd "$out" && "$jar_tool" xf "$driver" "$lib" && mv "$lib" . && rm -rf org)
  echo "  $out/$(basename "$lib") ($platform)"
done
