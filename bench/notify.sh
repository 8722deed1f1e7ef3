#!/usr/bin/env bash
# The notifier over a large fleet (io.gitops.status.bench.NotifyFleet, test sources): look times,
# the state document's size and the heap the notifier holds. See docs/development.md
# ("The notifier at fleet scale").
#
#   bench/notify.sh                 100,000 hosts
#   HOSTS=10000 bench/notify.sh     a quick round
#   STORE=postgres bench/notify.sh  the PostgreSQL store (a fresh database gitops_bench_notify on
#                                   PGHOST=127.0.0.1, user postgres, trust), the fleet imported
#
# Knobs: HOSTS=100000, STORE=file, JAVA_OPTS=-Xmx1g, MVN=mvn (e.g. MVN="nice -n 10 mvn -o").
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-100000}
MVN=${MVN:-mvn}
$MVN -B -q test-compile
$MVN -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
dir=target/bench/notify
rm -rf "$dir" && mkdir -p target/bench
url=()
if [ "${STORE:-file}" = postgres ]; then
  psql -q -h "${PGHOST:-127.0.0.1}" -U postgres -c 'DROP DATABASE IF EXISTS gitops_bench_notify' \
    -c 'CREATE DATABASE gitops_bench_notify'
  url=("jdbc:postgresql://${PGHOST:-127.0.0.1}:5432/gitops_bench_notify?user=postgres")
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:--Xmx1g} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.gitops.status.bench.NotifyFleet "$HOSTS" "$dir" "${url[@]}" 2>"$dir.log" | grep '^NOTIFY'
