#!/usr/bin/env bash
# Runs the dataplane's JMH microbenchmarks:  dataplane/jmh/run.sh [JMH options, e.g. -p routes=10,10000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$root" && mvn -q -B install -DskipTests >&2)
exec java -cp "$root/dataplane/jmh/target/classes:$(cat "$root/dataplane/jmh/target/classpath.txt")" \
  org.openjdk.jmh.Main "$@"
