#!/usr/bin/env bash
# Route propagation benchmark: kubectl apply -> first correct answer through every dataplane replica.
#   e2e/bench/propagation.sh [LOADED_ROUTES [NEW_ROUTES [REPLICAS]]]     (defaults 1000 100 2)
# Needs kubectl on PATH; everything else runs on 127.0.0.1 (embedded API server, controller, replica processes).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
mvn -q -B install -DskipTests >&2
mvn -q -B -f e2e/pom.xml test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/test-classpath.txt >&2
exec java -cp "e2e/target/test-classes:$(cat e2e/target/test-classpath.txt)" dev.weir.e2e.bench.PropagationBench "$@"
