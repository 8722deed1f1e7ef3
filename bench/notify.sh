#!/usr/bin/env bash
# The notifier over a large fleet (io.gitops.status.bench.NotifyFleet, test sources): look times,
# the state document's size and the heap the notifier holds. See docs/development.md
# ("The notifier at fleet scale").
#
#   bench/notify.sh                 100,000 hosts
#   HOSTS=10000 bench/notify.sh     a quick round
#
# Knobs: HOSTS=100000, JAVA_OPTS=-Xmx1g, MVN=mvn (e.g. MVN="nice -n 10 mvn -o").
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-100000}
MVN=${MVN:-mvn}
$MVN -B -q test-compile
$MVN -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
dir=target/bench/notify
rm -rf "$dir" && mkdir -p target/bench
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
java ${JAVA_OPTS:--Xmx1g} -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
  io.gitops.status.bench.NotifyFleet "$HOSTS" "$dir" 2>"$dir.log" | grep '^NOTIFY'
