#!/bin/sh
# Usage: jlink.sh JAR OUTPUT [MODULE...]
# Builds a Java runtime holding the modules JAR uses (found by jdeps) and the MODULEs named, which the JAR loads
# through a service or reflection where jdeps cannot see them. The images' build stage runs this, and so do the
# tests (operator ContainerImageTest, node-daemon ContainerImageTest) on the jars Maven just built.
set -eu
jar=$1
out=$2
shift 2
jdk=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
modules=$("$jdk/bin/jdeps" --ignore-missing-deps --multi-release 17 -q --print-module-deps "$jar")
for module in "$@"; do
  modules="$modules,$module"
done
# No debug symbols, headers or man pages: only a runtime. The CDS archive shortens JVM start-up.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --generate-cds-archive \
  --output "$out"
echo "jlink.sh: $out has $modules"
