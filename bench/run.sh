#!/usr/bin/env bash
# Benchmark of the status API: the real application in its own JVM (embedded Jetty), loaded by
# wrk on the same machine after a warm-up round. Prints a Markdown table; see docs/development.md ("Benchmark").
#
#   bench/run.sh [hosts ...]          default: 1000 10000 100000
#   DURATION=10s bench/run.sh 10000   seconds per measurement (default 10s)
#
# Needs wrk (Debian package "wrk"; installed with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR="$PWD/bench"
DURATION=${DURATION:-10s}
SIZES=("${@:-1000 10000 100000}")
read -r -a SIZES <<<"${SIZES[*]}"
PORT=${PORT:-5077}
WORK=target/bench
JAVA_OPTS=${JAVA_OPTS:--Xmx384m}

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk
fi

mvn -B -q -DskipTests package test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"

run_wrk() { # connections script [env...] -> "rps p50 p99 errors"
  local connections=$1 script=$2
  shift 2
  env "$@" wrk -t2 -c"$connections" -d"$DURATION" --latency -s "bench/$script" "http://127.0.0.1:$PORT" \
    | awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
                       print r["rps"], r["p50_ms"], r["p99_ms"], r["errors"] }'
}

echo "| hosts | start-up s | pipeline 16c rps (p50/p99 ms) | pipeline 64c rps (p50/p99 ms) | cron 16c rps (p50/p99 ms) | cron 64c rps (p50/p99 ms) | GET /status 16c rps | 304 64c rps | RSS MiB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for hosts in "${SIZES[@]}"; do
  dir="$WORK/$hosts"
  rm -rf "$dir" && mkdir -p "$dir"
  java -cp "$CP" io.gitops.status.store.BenchmarkData "$hosts" "$dir/status.json"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$CP" io.gitops.status.process.StandaloneServer "$PORT" "$dir/status.json" \
    >"$dir/server.out" 2>"$dir/server.log" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  until curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null; do sleep 0.05; done
  startup=$(echo "$(date +%s.%N) - $start" | bc)
  servers=$(curl -sf "http://127.0.0.1:$PORT/ready" | grep -o '"servers":[0-9]*' | cut -d: -f2)
  [ "$servers" = "$hosts" ] || { echo "store holds $servers servers, expected $hosts" >&2; exit 1; }

  # Warm-up, not measured: the JIT compiles the write path before the figures are taken.
  run_wrk 64 pipeline.lua HOSTS="$hosts" >/dev/null
  run_wrk 64 cron.lua HOSTS="$hosts" >/dev/null

  cells=()
  for script in pipeline.lua cron.lua; do
    for connections in 16 64; do
      read -r rps p50 p99 errors < <(run_wrk "$connections" "$script" HOSTS="$hosts")
      [ "$errors" = 0 ] || echo "warning: $errors errors in $script at $connections connections" >&2
      cells+=("$rps ($p50/$p99)")
    done
  done
  read -r get_rps _ _ _ < <(run_wrk 16 read.lua HOSTS="$hosts" PATH_TO_GET=/status)
  etag=$(curl -sfi "http://127.0.0.1:$PORT/status" | tr -d '\r' | awk -F': ' 'tolower($1) == "etag" { print $2 }')
  read -r revalidate_rps _ _ _ < <(run_wrk 64 read.lua HOSTS="$hosts" PATH_TO_GET=/status IF_NONE_MATCH="$etag")
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  printf '| %s | %.2f | %s | %s | %s | %s | %s | %s | %s |\n' "$hosts" "$startup" "${cells[@]}" \
    "$get_rps" "$revalidate_rps" "$rss"
  kill "$pid" && wait "$pid" 2>/dev/null || true
  trap - EXIT
done
