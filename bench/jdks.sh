# Sourced by the benchmark scripts, not run: the JDKs they compare.
#   java17  JAVA17_HOME's java, else `java` on the PATH (the build's JDK)
#   java25  JAVA25_HOME's java, else the first /usr/lib/jvm/*25* that has one; empty when there is none
java17="${JAVA17_HOME:+$JAVA17_HOME/bin/java}"
java17="${java17:-$(command -v java)}"
java25="${JAVA25_HOME:+$JAVA25_HOME/bin/java}"
if [ -z "$java25" ]; then
  for d in /usr/lib/jvm/*25*; do [ -x "$d/bin/java" ] && { java25="$d/bin/java"; break; }; done
fi
