#!/usr/bin/env bash
# Tail latency by load-balancing policy with one slow endpoint (round robin vs least request), through
# one dataplane on 127.0.0.1; see dataplane/src/test/java/dev/weir/dataplane/bench/BalancerTailLatencyBench.java.
#   dataplane/bench/balancer.sh [ENDPOINTS [SLOW_MS [CONCURRENCY [REQUESTS_PER_CLIENT]]]]   (defaults 4 50 16 1000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
cp="$root/dataplane/target/bench-classpath.txt"
mvn -q -B test-compile dependency:build-classpath -pl dataplane -am -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >&2
exec java -Dio.netty.leakDetection.level=disabled -Dsun.net.httpserver.nodelay=true -cp "dataplane/target/test-classes:dataplane/target/classes:$(cat "$cp")" \
  dev.weir.dataplane.bench.BalancerTailLatencyBench "$@"
