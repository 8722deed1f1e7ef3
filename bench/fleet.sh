#!/usr/bin/env bash
# Fleet benchmark: one large fleet with full history, the real application in its own JVM
# (embedded Jetty, or the built WAR in Tomcat 10.1) and curl/wrk on the same machine. Prints a
# Markdown table; see docs/development.md ("Fleet benchmark").
#
#   bench/fleet.sh                                100,000 hosts x 20 transitions, 10 s per wrk measurement
#   SERVER=tomcat bench/fleet.sh                  the same against the WAR deployed in Tomcat
#   HOSTS=10000 DURATION=3s bench/fleet.sh        a quick round while developing
#
# Knobs (environment):
#   SERVER=standalone  standalone: io.gitops.status.process.StandaloneServer (test sources) at /;
#                      tomcat: target/gitops-status.war in a Tomcat deployed the kit's way (below)
#                      at /gitops-status
#   TOMCAT_VERSION=10.1.59  the Tomcat distribution (org.apache.tomcat:tomcat:<version>:tar.gz)
#   HOSTS=100000       hosts in the data file (bench-<h % 10>/host-<h>, as bench/common.lua picks them)
#   HISTORY=20         transitions per host in its history (the server keeps gitops.history.size, 20)
#   DURATION=10s       per wrk measurement (warm-up, dashboard readers, each /ready round)
#   JAVA_OPTS=-Xmx512m the StandaloneServer JVM's options (the kit's Tomcat heap); not used by
#                      SERVER=tomcat, whose JVM takes the kit's tomcat/bin/setenv.sh alone
#   PORT=5078          the server's port (bench/run.sh uses 5077)
#   MAX_TIME=60        seconds any single curl request may take before it counts as failed
#   WALK_LIMIT=10000   the limit asked for in the paged walk through /events
#   WALK_TIMEOUT=180   seconds after which the walk stops and is reported incomplete
#   MVN=mvn            how to run Maven (e.g. MVN="nice -n 10 mvn -o")
#
# SERVER=tomcat: the Tomcat tarball is resolved through Maven (dependency:copy, from Maven Central
# when the local repository lacks it) and unpacked afresh under target/bench/; its own web
# applications (ROOT, docs, examples, manager) are removed, the kit's tomcat/bin/setenv.sh is
# copied into its bin/ as it is, the kit's descriptor tomcat/conf/Catalina/localhost/
# gitops-status.xml into conf/Catalina/localhost/ with statusFile pointed at the data file (in the
# copy), and the WAR into webapps/; in the copy of conf/server.xml the HTTP connector listens on
# PORT and the shutdown port is disabled (-1). Tomcat runs with `bin/catalina.sh run` (its JVM has
# the script's pid) and is stopped with SIGTERM at the end; its logs stay in its logs/ folder.
#
# Steps: writes the data file (streamed, bench.FleetData); starts the server and times process
# start to /ready answering 200; live heap after a full GC (jcmd GC.run, then jstat); GET /events
# (no parameters) once; a walk through every event following RFC 8288 Link rel="next" headers,
# checking that no event is repeated or skipped and that they come oldest first (when the server
# refuses ?limit=, the walk starts at /events); 8 concurrent unfiltered heavy reads, half with
# Accept-Encoding: gzip, while one write a fifth of a second probes that writes are acknowledged;
# a wrk warm-up of writes (not measured); pipeline writes at 16 connections while 16 dashboard
# readers poll (bench/dashboard.lua); pipeline writes at 16 connections alone and with 64
# connections hammering /ready, and on /health as the control, alternated, twice each; then the servers held, the peak RSS
# (VmHWM) and the heap after a full GC once more. Any 5xx, failed request or missing server is
# reported as a warning on stderr and in the table, never hidden; no request waits longer than
# MAX_TIME. Needs wrk (installed with apt-get when missing and run as root), curl and a JDK (jcmd,
# jstat).
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR="$PWD/bench"
HOSTS=${HOSTS:-100000}
HISTORY=${HISTORY:-20}
DURATION=${DURATION:-10s}
SERVER=${SERVER:-standalone}
TOMCAT_VERSION=${TOMCAT_VERSION:-10.1.59}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
PORT=${PORT:-5078}
MAX_TIME=${MAX_TIME:-60}
WALK_LIMIT=${WALK_LIMIT:-10000}
WALK_TIMEOUT=${WALK_TIMEOUT:-180}
MVN=${MVN:-mvn}
WORK=target/bench/fleet
TOMCAT=target/bench/apache-tomcat-$TOMCAT_VERSION # CATALINA_HOME and CATALINA_BASE with SERVER=tomcat
case $SERVER in
  standalone) CONTEXT="" ;;
  tomcat) CONTEXT=/gitops-status ;; # the WAR's name in webapps/ and the descriptor's
  *) echo "SERVER must be standalone or tomcat, not $SERVER" >&2; exit 2 ;;
esac
ORIGIN="http://127.0.0.1:$PORT"
BASE="$ORIGIN$CONTEXT" # curl's requests, and wrk's URL: the bench/*.lua scripts prefix its path
GROUP=bench-3 # the group of the filtered reads

say() { echo "# $*" >&2; }
warn() { echo "warning: $*" >&2; WARNINGS+=("$*"); }
WARNINGS=()
FIVEXX=0 # 5xx answers seen by curl and wrk
FAILED=0 # requests without an answer (connection errors, timeouts)

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
if curl -s -o /dev/null --max-time 2 "$ORIGIN/"; then
  echo "port $PORT already serves something; set PORT" >&2
  exit 1
fi

load=$(cut -d' ' -f1-3 /proc/loadavg)
say "building"
# shellcheck disable=SC2086
$MVN -B -q -DskipTests package test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"

rm -rf "$WORK" && mkdir -p "$WORK"
say "writing $HOSTS hosts x $HISTORY transitions"
t0=$(date +%s.%N)
facts=$(java -cp "$CP" io.gitops.status.store.FleetData "$HOSTS" "$HISTORY" "$WORK/status.json")
generated=$(echo "$(date +%s.%N) - $t0" | bc)
fact() { tr ' ' '\n' <<<"$facts" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
kept=""
if [ "$SERVER" = standalone ]; then
  kept=$(grep -o 'gitops\.history\.size=[0-9]*' <<<"$JAVA_OPTS" | cut -d= -f2 || true)
fi
kept=${kept:-20} # the descriptor copied for Tomcat leaves historySize at its default
EXPECTED_EVENTS=$((HOSTS * (HISTORY < kept ? HISTORY : kept)))
file_mb=$(echo "scale=0; $(fact bytes) / 1048576" | bc)

# --- helpers ---------------------------------------------------------------------------------

PIDS=() # background processes of this script, ended on exit
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "${pid:-}" ] || stop_server
}
trap cleanup EXIT

# GET (or curl arguments) -> "http_code seconds bytes curl_exit"; body and headers to files.
fetch() { # path body headers [curl args...]
  local path=$1 body=$2 headers=$3 out rc=0
  shift 3
  out=$(curl -sS --max-time "$MAX_TIME" -o "$body" -D "$headers" -w '%{http_code} %{time_total} %{size_download}' \
    "$@" "$(url "$path")" 2>>"$WORK/curl.err") || rc=$?
  echo "${out:-000 0 0} $rc"
}
url() { case $1 in http*) echo "$1" ;; /*) echo "$BASE$1" ;; \?*) echo "$BASE/events$1" ;; *) echo "$BASE/$1" ;; esac; }
count() { # what http_code curl_exit: tallies 5xx and failures
  if [ "$2" = 000 ] || [ "$3" != 0 ]; then
    FAILED=$((FAILED + 1)); warn "$1: no complete answer (HTTP $2, curl exit $3)"
  elif [ "$2" -ge 500 ]; then
    FIVEXX=$((FIVEXX + 1)); warn "$1: HTTP $2"
  elif [ "$2" -ge 300 ]; then
    warn "$1: HTTP $2"
  fi
}
rows() { { grep -o '"host":' "$1" 2>/dev/null || true; } | wc -l; }
next_link() { # headers file -> the target of Link rel="next", or nothing
  tr -d '\r' <"$1" | awk 'tolower($0) ~ /^link:/ { sub(/^[^:]*: */, ""); print }' | tr ',' '\n' \
    | grep -iE 'rel="?next"?' | head -1 | sed -E 's/^ *<([^>]*)>.*/\1/' || true
}
size() { awk -v b="${1:-0}" 'BEGIN { if (b < 1024) printf "%d B", b; else if (b < 1048576) printf "%.0f KB", b / 1024; else printf "%.1f MB", b / 1048576 }'; }
secs() { printf '%.2f' "${1:-0}"; }
heap_after_gc() { # MB used after a full GC
  timeout 60 jcmd "$pid" GC.run >/dev/null 2>&1 || { echo "n/a"; return; }
  timeout 30 jstat -gc "$pid" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    NR == 2 { printf "%.0f", ($c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"]) / 1024 }' || echo "n/a"
}
alive() { # the server's process runs (an exited child not yet waited for counts as gone)
  [ -n "${pid:-}" ] && [ "$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" != Z ] && kill -0 "$pid" 2>/dev/null
}
# A slow answer counts in the latencies up to MAX_TIME (wrk's own default would call it an error after 2 s).
run_wrk() { # connections script [env...] -> wrk's output
  local connections=$1 script=$2
  shift 2
  env "$@" wrk -t2 -c"$connections" -d"$DURATION" --timeout "${MAX_TIME}s" --latency -s "bench/$script" "$BASE" 2>&1 || true
}
result() { # wrk output file, field -> value from its RESULT/STATUS lines
  awk -v k="$2" '/^(RESULT|STATUS)/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}
writes() { # wrk output file of pipeline.lua, what -> CELL="rps (p50/p99 ms)", tallying its errors
  local f=$1 what=$2 errors
  errors=$(result "$f" errors)
  if [ -z "$errors" ]; then
    FAILED=$((FAILED + 1)); warn "$what: wrk gave no result"; CELL="failed"; return
  fi
  # wrk counts answers >= 400 and socket errors alike: all of them are writes not acknowledged.
  [ "$errors" = 0 ] || { FAILED=$((FAILED + errors)); warn "$what: $errors errors (HTTP >= 400 or socket)"; }
  CELL="$(result "$f" rps) ($(result "$f" p50_ms)/$(result "$f" p99_ms))$([ "$errors" = 0 ] || echo ", $errors errors")"
}

# --- the server, one set of functions per SERVER mode ----------------------------------------
# prepare_<mode>: everything before the clock starts; start_<mode>: launches the server in the
# background and sets pid to its JVM's; startup_failure_<mode> (given the last /ready HTTP code):
# prints why the server cannot become ready and succeeds, or fails while it may still come up;
# logs_<mode>: the files where the server logs; describe_<mode>: the server, for the table.

first_match() { # pattern files... -> the first line matching, over the files that exist; fails if none
  local files=() f
  for f in "${@:2}"; do [ -e "$f" ] && files+=("$f"); done
  [ "${#files[@]}" -gt 0 ] && awk -v p="$1" '$0 ~ p { print; found = 1; exit } END { exit !found }' "${files[@]}"
}
heap_flags() { # the JVM's -Xms/-Xmx as on its command line
  local flags
  flags=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | grep -E '^-Xm[sx]' | paste -sd' ' || true)
  echo "${flags:-options not read, the process is gone}"
}

prepare_standalone() { :; }
start_standalone() {
  # shellcheck disable=SC2086
  java $JAVA_OPTS -cp "$CP" io.gitops.status.process.StandaloneServer "$PORT" "$WORK/status.json" \
    >"$WORK/server.out" 2>"$WORK/server.log" &
  pid=$!
}
startup_failure_standalone() { first_match 'OutOfMemoryError|Exception in thread "main"' "$WORK/server.log"; }
logs_standalone() { echo "$WORK/server.log"; }
describe_standalone() { echo "StandaloneServer (embedded Jetty) at /, JVM options $JAVA_OPTS"; }

prepare_tomcat() {
  local tarball="target/bench/tomcat-$TOMCAT_VERSION.tar.gz" data="$PWD/$WORK/status.json"
  local descriptor="$TOMCAT/conf/Catalina/localhost/gitops-status.xml"
  [ -f target/gitops-status.war ] || { echo "target/gitops-status.war is missing" >&2; exit 1; }
  if [ ! -f "$tarball" ]; then
    say "resolving Tomcat $TOMCAT_VERSION through Maven"
    # shellcheck disable=SC2086
    $MVN -B -q dependency:copy -Dartifact="org.apache.tomcat:tomcat:$TOMCAT_VERSION:tar.gz" \
      -DoutputDirectory=target/bench >&2
  fi
  rm -rf "$TOMCAT" && tar -xzf "$tarball" -C target/bench
  rm -rf "${TOMCAT:?}"/webapps/* # Tomcat's own applications: the service alone is measured
  cp tomcat/bin/setenv.sh "$TOMCAT/bin/setenv.sh"
  mkdir -p "$(dirname "$descriptor")"
  sed -E 's#(<Parameter name="statusFile" value=")[^"]*#\1'"$data"'#' \
    tomcat/conf/Catalina/localhost/gitops-status.xml >"$descriptor"
  sed -i -E -e 's#<Server port="8005"#<Server port="-1"#' \
    -e 's#<Connector port="8080" protocol="HTTP/1.1"#<Connector port="'"$PORT"'" protocol="HTTP/1.1"#' \
    "$TOMCAT/conf/server.xml"
  grep -q "name=\"statusFile\" value=\"$data\"" "$descriptor" \
    && grep -q '<Server port="-1"' "$TOMCAT/conf/server.xml" \
    && grep -q "<Connector port=\"$PORT\" protocol=\"HTTP/1.1\"" "$TOMCAT/conf/server.xml" \
    || { echo "could not set statusFile, the HTTP port or the shutdown port in $TOMCAT/conf" >&2; exit 1; }
  cp target/gitops-status.war "$TOMCAT/webapps/gitops-status.war"
}
start_tomcat() {
  # catalina.sh run ends in exec, so $! is Tomcat's JVM. JAVA_OPTS and CATALINA_OPTS from the
  # environment are dropped: the kit's setenv.sh alone gives the JVM its options.
  env -u JAVA_OPTS -u CATALINA_OPTS -u CATALINA_PID CATALINA_HOME="$PWD/$TOMCAT" CATALINA_BASE="$PWD/$TOMCAT" \
    "$TOMCAT/bin/catalina.sh" run >"$WORK/server.log" 2>&1 &
  pid=$!
}
startup_failure_tomcat() { # a context that fails to start leaves Tomcat running: read its logs
  first_match OutOfMemoryError $(logs_tomcat) \
    || first_match 'startup failed due to previous errors|Error deploying|Address already in use|Exception in thread "main"' $(logs_tomcat) \
    || { [ "$1" = 404 ] && grep -q 'Server startup in' "$WORK/server.log" \
      && echo "Tomcat started but nothing answers at $CONTEXT (see $TOMCAT/logs)"; }
}
logs_tomcat() { # the console (catalina.sh run) and the host's log, where a listener's failure goes
  echo "$WORK/server.log"
  ls "$TOMCAT"/logs/localhost.*.log 2>/dev/null || true
}
describe_tomcat() {
  echo "the WAR in Tomcat $TOMCAT_VERSION at $CONTEXT with the kit's setenv.sh (JVM $(heap_flags))"
}

stop_server() { # SIGTERM (Tomcat shuts down through its hook), SIGKILL after 60 s
  local i
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do alive || break; sleep 0.1; done
  if alive; then warn "the server did not stop within 60 s; killed"; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  pid=""
}

# --- start-up --------------------------------------------------------------------------------

say "preparing the server (SERVER=$SERVER)"
"prepare_$SERVER"
say "starting the server"
start=$(date +%s.%N)
"start_$SERVER"
ready="" why=""
until [ -n "$ready" ]; do
  code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$BASE/ready" || true)
  if [ "$code" = 200 ]; then
    ready=$(echo "$(date +%s.%N) - $start" | bc)
  elif ! alive || why=$("startup_failure_$SERVER" "$code"); then
    why=${why:-$("startup_failure_$SERVER" "$code" || tail -1 "$WORK/server.log")}
    echo "the server did not start: $why" >&2
    echo "| measure | value |"
    echo "| --- | --- |"
    echo "| server | $("describe_$SERVER") |"
    echo "| hosts x transitions | $HOSTS x $HISTORY ($(fact events) events, $file_mb MB data file) |"
    echo "| ready s | failed after $(secs "$(echo "$(date +%s.%N) - $start" | bc)") s: ${why//|/\\|} |"
    exit 1
  elif [ "$(echo "$(date +%s.%N) - $start > 300" | bc)" = 1 ]; then
    echo "the server was not ready within 300 s" >&2
    exit 1
  else
    sleep 0.05
  fi
done
server=$("describe_$SERVER") # while the JVM runs: Tomcat's heap flags are read from its command line
heap_start=$(heap_after_gc)
say "ready in ${ready}s, live heap ${heap_start} MB"

# --- /events: the first page, then a walk through all of it ----------------------------------

say "GET /events"
read -r code secs bytes rc < <(fetch /events "$WORK/first.json" "$WORK/first.headers")
count "GET /events" "$code" "$rc"
first_rows=$(rows "$WORK/first.json")
first_next=$(next_link "$WORK/first.headers")
first_code=$code first_secs=$secs
first="HTTP $code, $(secs "$secs") s, $(size "$bytes"), $first_rows rows, $([ -n "$first_next" ] && echo "a next link" || echo "no next link")"

say "walking /events"
walk_rows=0 walk_pages=0 walk_secs=0 walk_note="" walk_from="/events?limit=$WALK_LIMIT"
: >"$WORK/walk.keys"
keys() { # page -> "at group host" lines, in the page's order
  paste -d' ' <(grep -o '"at":"[^"]*"' "$1" | cut -d'"' -f4) <(grep -o '"server_group":"[^"]*"' "$1" | cut -d'"' -f4) \
    <(grep -o '"host":"[^"]*"' "$1" | cut -d'"' -f4)
}
next="$walk_from"
walk_start=$SECONDS
while [ -n "$next" ]; do
  read -r code secs bytes rc < <(fetch "$next" "$WORK/page.json" "$WORK/page.headers")
  if [ "$walk_pages" = 0 ] && [ "$code" = 400 ]; then
    # No ?limit= today: the walk starts at /events itself, which was just read whole when it has no next link.
    walk_note="limit refused (400), walked from /events; "
    walk_from=/events
    if [ -z "$first_next" ]; then
      walk_note+="its one answer above is the walk"
      if [ "$first_code" = 200 ]; then
        walk_pages=1 walk_rows=$first_rows walk_secs=$first_secs
        keys "$WORK/first.json" >>"$WORK/walk.keys"
      else
        walk_note+=", which failed"
      fi
      break
    fi
    next=/events
    continue
  fi
  count "walk page $((walk_pages + 1))" "$code" "$rc"
  if [ "$code" != 200 ]; then
    walk_note+="stopped at page $((walk_pages + 1)): HTTP $code; "
    break
  fi
  walk_pages=$((walk_pages + 1))
  walk_secs=$(echo "$walk_secs + $secs" | bc)
  walk_rows=$((walk_rows + $(rows "$WORK/page.json")))
  keys "$WORK/page.json" >>"$WORK/walk.keys"
  link=$(next_link "$WORK/page.headers")
  if [ -n "$link" ] && [ "$link" = "$next" ]; then
    walk_note+="the next link repeats the page's own; "
    break
  fi
  if [ $((SECONDS - walk_start)) -gt "$WALK_TIMEOUT" ] && [ -n "$link" ]; then
    walk_note+="stopped after ${WALK_TIMEOUT} s, incomplete; "
    break
  fi
  next=$link
done
rm -f "$WORK/first.json" "$WORK/page.json"
distinct=$(LC_ALL=C sort -u -S 25% "$WORK/walk.keys" | wc -l)
disorder=$(LC_ALL=C awk '$1 < prev { n++ } { prev = $1 } END { print n + 0 }' "$WORK/walk.keys")
rm -f "$WORK/walk.keys"
if [ "$walk_rows" != "$EXPECTED_EVENTS" ]; then warn "walk: $walk_rows rows, expected $EXPECTED_EVENTS"; fi
if [ "$distinct" != "$walk_rows" ]; then warn "walk: $((walk_rows - distinct)) rows repeated"; fi
if [ "$disorder" != 0 ]; then warn "walk: $disorder rows older than the row before"; fi
walk="$walk_rows rows ($distinct distinct, $EXPECTED_EVENTS expected, $disorder out of order), $walk_pages pages, $(secs "$walk_secs") s"
walk+="${walk_note:+ — ${walk_note%; }}"

# --- 8 concurrent heavy reads, a write probe meanwhile ---------------------------------------

say "8 concurrent heavy reads"
probe() { # one pipeline write every 0.2 s while $WORK/probing exists -> "code seconds" lines
  local n=0 h
  while [ -e "$WORK/probing" ]; do
    n=$((n + 1)) h=$(((RANDOM * 32768 + RANDOM) % HOSTS))
    curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
      -d "{\"project_name\":\"gitops-for-servers\",\"repo_name\":\"probe\",\"server_group\":\"bench-$((h % 10))\",\"server_type\":\"probe\",\"environment\":\"prod\",\"host\":\"$(printf 'host-%06d' "$h")\",\"status\":\"synced\",\"changed_files\":[],\"commit_sha\":\"probe$n\"}" \
      "$BASE/status/pipeline" || true
    sleep 0.2
  done
}
heavy=("/status gzip" "/status/files" "/status/summary gzip" "/metrics" "/events gzip" "/status?stale=true"
  "/status?server_group=$GROUP gzip" "/api/status")
touch "$WORK/probing"
probe >"$WORK/probe.out" &
probe_pid=$!
PIDS+=("$probe_pid")
t0=$(date +%s.%N)
readers=()
for i in "${!heavy[@]}"; do
  read -r path gz <<<"${heavy[$i]}"
  (fetch "$path" /dev/null /dev/null ${gz:+-H "Accept-Encoding: gzip"} >"$WORK/heavy.$i") &
  readers+=($!)
done
PIDS+=("${readers[@]}")
for r in "${readers[@]}"; do wait "$r" || true; done
heavy_secs=$(echo "$(date +%s.%N) - $t0" | bc)
rm -f "$WORK/probing"
wait "$probe_pid" || true
heavy_bad=0 heavy_failed=0 details=()
for i in "${!heavy[@]}"; do
  read -r path gz <<<"${heavy[$i]}"
  read -r code secs bytes rc <"$WORK/heavy.$i"
  count "GET $path${gz:+ (gzip)}" "$code" "$rc"
  if [ "$code" = 000 ] || [ "$rc" != 0 ]; then heavy_failed=$((heavy_failed + 1))
  elif [ "$code" -ge 300 ]; then heavy_bad=$((heavy_bad + 1)); fi
  details+=("| GET $path | ${gz:+gzip} | $code$([ "$rc" = 0 ] || echo " (curl exit $rc)") | $(secs "$secs") | $(size "$bytes") |")
done
probe_ok=$(awk '$1 ~ /^2/ { n++ } END { print n + 0 }' "$WORK/probe.out")
probe_bad=$(awk '$1 !~ /^2/ { n++ } END { print n + 0 }' "$WORK/probe.out")
probe_max=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$WORK/probe.out")
probe_5xx=$(awk '$1 ~ /^5/ { n++ } END { print n + 0 }' "$WORK/probe.out")
FIVEXX=$((FIVEXX + probe_5xx))
[ "$probe_bad" = 0 ] || { FAILED=$((FAILED + probe_bad - probe_5xx)); warn "writes during the heavy reads: $probe_bad not acknowledged"; }
heavy_row="$heavy_bad non-2xx, $heavy_failed without an answer, $(secs "$heavy_secs") s in all"
probe_row="$probe_ok acknowledged, $probe_bad not, slowest $(secs "$probe_max") s"

# --- writes under load ------------------------------------------------------------------------

alive || warn "the server process is gone"
say "warm-up writes (not measured)"
run_wrk 64 pipeline.lua HOSTS="$HOSTS" >"$WORK/warmup.out"

say "pipeline writes while 16 dashboard readers poll"
now_ms=$(date +%s%3N)
read_paths="/status/summary /status?server_group=$GROUP /status?stale=true /events?since=$((now_ms - 6 * 3600 * 1000))&until=$now_ms"
run_wrk 16 pipeline.lua HOSTS="$HOSTS" >"$WORK/dash-writes.out" &
w=$!
run_wrk 16 dashboard.lua HOSTS="$HOSTS" READ_PATHS="$read_paths" >"$WORK/dash-reads.out" &
r=$!
PIDS+=("$w" "$r")
wait "$w" "$r" || true
writes "$WORK/dash-writes.out" "writes under dashboard readers"
dash_writes=$CELL
dash_5xx=$(result "$WORK/dash-reads.out" s5xx)
dash_5xx=${dash_5xx:-0}
FIVEXX=$((FIVEXX + dash_5xx))
dash_errors=$(result "$WORK/dash-reads.out" errors)
[ "${dash_errors:-x}" = 0 ] || warn "dashboard readers: ${dash_errors:-no result} errors ($dash_5xx 5xx)"
dash_reads="$(result "$WORK/dash-reads.out" rps) rps (p50/p99 $(result "$WORK/dash-reads.out" p50_ms)/$(result "$WORK/dash-reads.out" p99_ms) ms); 2xx $(result "$WORK/dash-reads.out" s2xx), 4xx $(result "$WORK/dash-reads.out" s4xx), 5xx $dash_5xx, errors ${dash_errors:-n/a}"

say "/ready hammer: writes alone, beside 64 connections on /ready, and beside 64 on /health, alternated"
# /health (answered from memory, never touching the store or the disk) is the control: what any
# request at that rate takes from writes on these two shared cores. /ready should cost no more.
ready_rows=()
beside() { # path round: pipeline writes at 16 connections while 64 connections GET path
  local path=$1 round=$2 name=${1#/}
  run_wrk 16 pipeline.lua HOSTS="$HOSTS" >"$WORK/beside-$name.$round.out" &
  local w=$!
  run_wrk 64 read.lua HOSTS="$HOSTS" PATH_TO_GET="$path" >"$WORK/$name.$round.out" &
  local r=$!
  PIDS+=("$w" "$r")
  wait "$w" "$r" || true
  local errors
  errors=$(result "$WORK/$name.$round.out" errors)
  [ "${errors:-x}" = 0 ] || warn "$path hammer, round $round: ${errors:-no result} errors"
  writes "$WORK/beside-$name.$round.out" "writes beside $path, round $round"
  ready_rows+=("| pipeline 16c + $path 64c, round $round: rps (p50/p99 ms); $path rps | $CELL; $path $(result "$WORK/$name.$round.out" rps) rps$([ "${errors:-x}" = 0 ] || echo ", ${errors:-no result} errors") |")
}
for round in 1 2; do
  run_wrk 16 pipeline.lua HOSTS="$HOSTS" >"$WORK/alone.$round.out"
  writes "$WORK/alone.$round.out" "writes alone, round $round"
  ready_rows+=("| pipeline 16c alone, round $round: rps (p50/p99 ms) | $CELL |")
  beside /ready "$round"
  beside /health "$round"
done

# --- the end ---------------------------------------------------------------------------------

say "checking the end state"
servers=$(curl -s --max-time "$MAX_TIME" "$BASE/ready" | grep -o '"servers":[0-9]*' | cut -d: -f2 || true)
[ "$servers" = "$HOSTS" ] || warn "the store holds ${servers:-no answer} servers, expected $HOSTS"
heap_end=$(heap_after_gc)
rss=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "n/a")
mapfile -t logs < <("logs_$SERVER")
ooms=$(awk '/OutOfMemoryError/ { n++ } END { print n + 0 }' "${logs[@]}")
[ "$ooms" = 0 ] || warn "$ooms lines with OutOfMemoryError in ${logs[*]}"
[ "$FIVEXX" = 0 ] || warn "$FIVEXX answers were 5xx"
say "stopping the server"
stop_server

echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo) GiB," \
  "$(java -version 2>&1 | head -1); server: $server; wrk and curl on the same machine; load average before the run $load."
echo
echo "| measure | value |"
echo "| --- | --- |"
echo "| hosts x transitions | $HOSTS x $HISTORY ($(fact events) events, $(fact out_of_sync) out of sync, $(fact stale) stale; $file_mb MB data file written in $(printf '%.1f' "$generated") s) |"
echo "| ready s (process start to /ready 200) | $(printf '%.2f' "$ready") |"
echo "| live heap after a full GC, MB (ready / end) | $heap_start / $heap_end |"
echo "| peak RSS MiB (VmHWM) | $rss |"
echo "| GET /events (no parameters) | $first |"
echo "| /events walk by Link rel=\"next\" from $walk_from | $walk |"
echo "| 8 concurrent heavy reads (half gzip) | $heavy_row |"
echo "| writes during the heavy reads (one per 0.2 s) | $probe_row |"
echo "| pipeline 16c while 16 dashboard readers poll: rps (p50/p99 ms) | $dash_writes |"
echo "| 16 dashboard readers (summary, group, stale, 6 h of events; no If-None-Match) | $dash_reads |"
printf '%s\n' "${ready_rows[@]}"
echo "| servers at the end | ${servers:-no answer} of $HOSTS |"
echo "| 5xx answers / requests without an answer / OutOfMemoryError in the log | $FIVEXX / $FAILED / $ooms |"
echo
echo "| heavy read | encoding | HTTP | s | size |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${details[@]}"
if [ "${#WARNINGS[@]}" -gt 0 ]; then
  echo
  echo "${#WARNINGS[@]} warnings (see above on stderr); server logs: ${logs[*]}"
fi
