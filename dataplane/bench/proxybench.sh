#!/usr/bin/env bash
# Runs the shared proxy benchmark (../shared/bench/proxybench.sh, see its README) with the Weir dataplane
# plugged in as the target named "weir", next to direct, nginx and HAProxy, in the same run.
#
#   dataplane/bench/proxybench.sh [--routes N] [harness options]        e.g. -s h1-1k,h1-100k -r 3 -d 10
#
# --routes N (default 1) puts N routes in the snapshot: N-1 prefix routes /r1/ ... /r<N-1>/ next to the
# catch-all "/" that the load hits, so that a run with --routes 10000 next to one with --routes 10 shows
# what the size of the routing table costs.
#
# The dataplane is started exactly as users start it: `bin/weir dataplane --snapshot FILE` with default
# settings, from a snapshot with one virtual host "*" routing every path to the harness's upstream, and a
# TLS listener with the harness's certificate (ALPN: h2 and http/1.1).
# The harness's /cached/ paths (the cache-1k scenario) go to a route with a cache with the default settings
# (`cache: {}`), as nginx's proxy_cache and HAProxy's cache are set up for them; the rest is not cached.
# WEIR_BENCH_NO_CACHE=1 leaves that route out (no route caches: what uncached traffic costs without it).
# One setting differs from the default, to match the harness's nginx and HAProxy (`access_log off`): the
# access log is off. WEIR_BENCH_ACCESS_LOG=FILE (or stdout) turns it on, to measure what it costs.
# A JVM needs 10-15 s of load before it runs at full speed, so unless you pass -w yourself, every run gets
# a 15 s warm-up (-w 15). Environment: PROXYBENCH (path of the harness), WEIR_DATAPLANE_JAVA_OPTS.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
harness="${PROXYBENCH:-$root/../shared/bench/proxybench.sh}"
[ -x "$harness" ] || { echo "proxybench: harness not found at $harness (set PROXYBENCH)" >&2; exit 2; }

http_addr=127.0.0.1:18300
tls_addr=127.0.0.1:18301

# Build once up front, so the target's start command does not build under the harness's timeout.
"$root/bin/weir" dataplane --help > /dev/null

routes=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --routes) routes="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ "$routes" =~ ^[1-9][0-9]*$ ]] || { echo "proxybench: --routes needs a positive number" >&2; exit 2; }
warm=15
for a in "${args[@]}"; do case "$a" in -w|--warmup) warm="" ;; esac; done
[ -n "$warm" ] && args=(-w "$warm" "${args[@]}")

# The start command runs under the harness (taskset on the target core); it writes the snapshot from the
# harness's environment, then execs the dataplane so that its pid is the proxy's pid.
start_cmd=$(cat <<START
set -e
pem_json() { awk '{ printf "%s\\\\n", \$0 }' "\$1"; }
upstream_host=\${BENCH_UPSTREAM%:*}; upstream_port=\${BENCH_UPSTREAM##*:}
cached_route='{ "name": "bench/cached", "owner": "bench", "path": { "type": "PREFIX", "value": "/cached/" },
                  "backends": [ { "cluster": "bench/upstream:80", "weight": 1 } ], "cache": {} },'
[ -n "${WEIR_BENCH_NO_CACHE:-}" ] && cached_route=''
extra_routes=\$(awk -v n=$routes 'BEGIN { for (i = 1; i < n; i++) printf "{ \\"name\\": \\"bench/r%d\\", \\"owner\\": \\"bench\\", \\"path\\": { \\"type\\": \\"PREFIX\\", \\"value\\": \\"/r%d/\\" }, \\"backends\\": [ { \\"cluster\\": \\"bench/upstream:80\\", \\"weight\\": 1 } ] },\\n", i, i }')
cat > "\$BENCH_WORKDIR/weir-snapshot.json" <<JSON
{
  "version": 1,
  "virtualHosts": [ { "host": "*", "tlsCertificate": "bench/tls",
    "routes": [ \$extra_routes \$cached_route
                { "name": "bench/all", "owner": "bench", "path": { "type": "PREFIX", "value": "/" },
                  "backends": [ { "cluster": "bench/upstream:80", "weight": 1 } ] } ] } ],
  "clusters": [ { "name": "bench/upstream:80", "endpoints": [ { "address": "\$upstream_host", "port": \$upstream_port } ] } ],
  "certificates": [ { "name": "bench/tls", "certificateChainPem": "\$(pem_json "\$BENCH_CERT")",
                      "privateKeyPem": "\$(pem_json "\$BENCH_KEY")" } ]
}
JSON
WEIR_NO_BUILD=1 exec "$root/bin/weir" dataplane --snapshot "\$BENCH_WORKDIR/weir-snapshot.json" --bind 127.0.0.1 \
  --http-port ${http_addr##*:} --https-port ${tls_addr##*:} --admin-port 0 --replica-id bench \
  --access-log "${WEIR_BENCH_ACCESS_LOG:-off}"
START
)

# For checking the generated start command by hand: WEIR_BENCH_PRINT_START=1 dataplane/bench/proxybench.sh
if [ -n "${WEIR_BENCH_PRINT_START:-}" ]; then printf '%s\n' "$start_cmd"; exit 0; fi

exec "$harness" --target "$http_addr" --target-tls "$tls_addr" --target-name weir \
  --target-start "$start_cmd" "${args[@]}"
