#!/usr/bin/env bash
# Validates Jthulhu manifests offline: scripts/validate.sh PATH... (files, directories, or - for stdin).
# Builds validate/target/jthulhu-validate.jar on first use, and again when its sources changed, then runs
# it with the given arguments; the exit status is the command's (0 valid, 1 invalid, 2 unreadable).
# See docs/validate.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/validate/target/jthulhu-validate.jar"

stale() {
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$root/pom.xml" "$root/crds/pom.xml" "$root/crds/src/main" "$root/operator/pom.xml" \
      "$root/operator/src/main" "$root/validate/pom.xml" "$root/validate/src/main" -newer "$jar" -print -quit)" ]]
}

if stale; then
  echo "building $jar ..." >&2
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  build=(mvn -B -ntp -q -f "$root/pom.xml" -pl validate -am package -DskipTests)
  # offline first (a populated ~/.m2 is enough); online only if something is missing
  if ! "${build[@]}" -o >"$log" 2>&1 && ! "${build[@]}" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "validate.sh: building the validator failed (full command: ${build[*]})" >&2
    exit 2
  fi
fi

exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -jar "$jar" "$@"
