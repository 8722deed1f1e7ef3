#!/usr/bin/env bash
# Stores side by side: the file store, the PostgreSQL store with one replica, and with two replicas
# behind nginx (round-robin), at several fleet sizes, with PostgreSQL, the replicas, nginx and wrk
# all on this machine. Prints one Markdown table, the setups side by side for each size; see
# docs/development.md ("Stores side by side").
#
#   bench/stores.sh                                   1,000, 10,000 and 100,000 hosts, 10 s per wrk measurement
#   HOSTS=10000 SETUPS=pg2 DURATION=5s bench/stores.sh   one size, one setup: a quick round
#
# Knobs (environment):
#   HOSTS="1000 10000 100000"  the fleet sizes: for each, one data file of that many hosts
#                      (FleetData in the test sources, bench-<h % 10>/host-<h> as bench/common.lua
#                      picks them), from which every setup of that size starts
#   SETUPS="file pg1 pg2"  file: the file store (statusFile, a fresh copy of the data file);
#                      pg1: the PostgreSQL store (storeUrl), one replica; pg2: two replicas on one
#                      database behind nginx (round-robin, keepalive to both), measured through nginx
#   HISTORY=20         transitions per host in the data file (historySize keeps 20)
#   DURATION=10s       per wrk measurement
#   WARMUP=10s WARMUP_ROUNDS="4 12"  the warm-up before the measurements (not measured):
#                      rounds of WARMUP pipeline writes, at least 4 and at most 12, until a round
#                      is less than 5 % faster than the one before. The JIT of two replicas sharing
#                      two cores with everything else takes about a minute of writes: after 8 s
#                      the next 10 s ran at half the rate they reach after 50 s
#   WRITERS=64         connections of the pipeline writes (bench/pipeline.lua)
#   READERS=16         connections of the full GET /status
#   REVALIDATORS=64    connections of GET /status with If-None-Match (bench/read.lua)
#   VIS_SAMPLES=200    samples of the cross-replica visibility delay (pg2)
#   JAVA_OPTS=-Xmx512m every replica's JVM, whatever its store (StandaloneServer, test sources)
#   IMPORT_JAVA_OPTS=$JAVA_OPTS  the JVM that imports the data file into PostgreSQL (below)
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres  the PostgreSQL server (no password: trust), for
#                      psql and the store's URL jdbc:postgresql://PGHOST:PGPORT/<db>?user=PGUSER
#   DB_PREFIX=gitops_bench  databases <prefix>_<hosts> (the import) and <prefix>_<hosts>_pg1/_pg2,
#                      dropped (WITH FORCE) before they are made and at exit
#   KEEP_DB=0          1: the databases are left for a look afterwards
#   NGINX_WORKERS=1    nginx's worker_processes
#   MAX_TIME=60        seconds a single request may take before wrk counts it as failed
#   READY_TIMEOUT=900  seconds a server (or the import) may take to answer /ready 200
#   MVN=mvn            how to run Maven (e.g. MVN="nice -n 10 mvn -o")
#
# Steps, for each size: writes the data file; when a PostgreSQL setup is asked for, imports it
# once into a fresh database through the store's own importFile (a StandaloneServer started with
# gitops.import.file and IMPORT_JAVA_OPTS; its time to /ready is the import line), then VACUUM
# (ANALYZE) on it, as autovacuum would soon do; each PostgreSQL setup then runs on its own fresh
# copy of that database (CREATE DATABASE ... TEMPLATE, STRATEGY FILE_COPY). For each setup: starts
# the replica(s) (port 0, the port read from their LISTENING line) and waits for /ready (pg2: both
# replicas started together, then nginx, a non-daemon child with its own config under
# target/bench/stores/ on a free port); the warm-up rounds (WARMUP, WARMUP_ROUNDS); pipeline
# writes at WRITERS connections (requests/s, p50/p99 from wrk --latency; every POST durable before
# its answer), with the CPU they cost (clock ticks of the replicas, of the database's backends and
# of nginx, per acknowledged write; and how busy the whole machine was meanwhile, /proc/stat, so
# that wrk's and any other work's share shows) and the writes per commit from each replica's
# /metrics (gitops_store_writes_total / gitops_store_batches_total); for pg2 the same writes at
# WRITERS/2 connections straight to each replica (nginx's share), and the cross-replica visibility delay
# (Visibility in the test sources: a write through replica A directly, replica B polled directly
# until it shows it, VIS_SAMPLES samples) idle and while WRITERS/4 connections write through nginx;
# a full GET /status at READERS connections; GET /status revalidated with the ETag the replicas
# agree on (every answer checked to be a 304) at REVALIDATORS connections; then VmRSS and VmHWM
# of each replica and the database's size. The load average before each setup is in the table:
# other work on the machine moves the figures. Nothing is left running at exit (replicas, nginx,
# wrk); errors and 5xx are counted in the cells, never hidden. Needs wrk and nginx (Debian
# packages, installed with apt-get when missing and run as root), curl, psql and a JDK.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR="$PWD/bench"
read -r -a SIZES <<<"${HOSTS:-1000 10000 100000}"
read -r -a SETUP_LIST <<<"${SETUPS:-file pg1 pg2}"
HISTORY=${HISTORY:-20}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
read -r WARMUP_MIN WARMUP_MAX <<<"${WARMUP_ROUNDS:-4 12}"
WRITERS=${WRITERS:-64}
READERS=${READERS:-16}
REVALIDATORS=${REVALIDATORS:-64}
VIS_SAMPLES=${VIS_SAMPLES:-200}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
IMPORT_JAVA_OPTS=${IMPORT_JAVA_OPTS:-$JAVA_OPTS}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
DB_PREFIX=${DB_PREFIX:-gitops_bench}
KEEP_DB=${KEEP_DB:-0}
NGINX_WORKERS=${NGINX_WORKERS:-1}
MAX_TIME=${MAX_TIME:-60}
READY_TIMEOUT=${READY_TIMEOUT:-900}
MVN=${MVN:-mvn}
WORK=target/bench/stores

for s in "${SETUP_LIST[@]}"; do
  case $s in file | pg1 | pg2) ;; *) echo "SETUPS: file, pg1 or pg2, not $s" >&2; exit 2 ;; esac
done
uses_pg=0
[[ " ${SETUP_LIST[*]} " =~ \ pg ]] && uses_pg=1

say() { echo "# $(date +%T) $*" >&2; }
warn() { echo "warning: $*" >&2; WARNINGS+=("$*"); }
WARNINGS=()
load() { cut -d' ' -f1-3 /proc/loadavg; }
pg() { psql -d postgres -v ON_ERROR_STOP=1 -qAtX "$@"; }
jdbc() { echo "jdbc:postgresql://$PGHOST:$PGPORT/$1?user=$PGUSER"; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ "$uses_pg" = 1 ] && ! pg -c 'SELECT 1' >/dev/null; then
  echo "no PostgreSQL at $PGHOST:$PGPORT as $PGUSER (PGHOST, PGPORT, PGUSER)" >&2
  exit 1
fi

# --- processes: every one this script starts is ended at exit ---------------------------------

declare -A PID PORT # replica name -> its JVM's pid, its port
NGINX_PID="" NGINX_PORT=""
OTHERS=()           # wrk and the like in the background
DATABASES=()        # made by this script, dropped at exit unless KEEP_DB=1

alive() { # pid: runs, and is not a zombie; a process reaped meanwhile has no status file, so is gone
  local state
  [ -n "${1:-}" ] && state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) && [ -n "$state" ] && [ "$state" != Z ]
}
stop_pid() { # pid what: SIGTERM, SIGKILL after 60 s (a JVM's threads saved first, to see why)
  local p=$1 i
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do alive "$p" || break; sleep 0.1; done
  if alive "$p"; then
    timeout 30 jstack "$p" >"$RUN/stuck-$p.jstack" 2>&1 || true
    warn "$2 did not stop within 60 s; killed (threads in $RUN/stuck-$p.jstack)"
    kill -9 "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}
stop_servers() {
  if [ -n "$NGINX_PID" ]; then stop_pid "$NGINX_PID" nginx; NGINX_PID=""; fi
  local name
  for name in "${!PID[@]}"; do stop_pid "${PID[$name]}" "replica $name"; done
  PID=() PORT=()
}
drop_db() { pg -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>/dev/null || warn "could not drop database $1"; }
cleanup() {
  local p db
  for p in "${OTHERS[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_servers
  if [ "$KEEP_DB" != 1 ]; then for db in "${DATABASES[@]}"; do drop_db "$db"; done; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # a port nothing listens on
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "no free port found" >&2
  return 1
}

# start_server name data-file [java options...]: a StandaloneServer on port 0 in the background
start_server() {
  local name=$1 data=$2
  shift 2
  # shellcheck disable=SC2086
  java $JAVA_OPTS "$@" -cp "$CP" io.gitops.status.process.StandaloneServer 0 "$data" \
    >"$RUN/$name.out" 2>"$RUN/$name.log" &
  PID[$name]=$!
  PORT[$name]=""
}
# wait_ready name start: READY=seconds from start until /ready answers 200 (and PORT[name] set), or
# fails with WHY it cannot (not in a subshell: PORT must stay set)
wait_ready() {
  local name=$1 start=$2 code
  while :; do
    if [ -z "${PORT[$name]}" ]; then
      PORT[$name]=$(awk '/^LISTENING/ { print $2; exit }' "$RUN/$name.out" 2>/dev/null || true)
    fi
    if [ -n "${PORT[$name]}" ]; then
      code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:${PORT[$name]}/ready" || true)
      if [ "$code" = 200 ]; then READY=$(echo "$(date +%s.%N) - $start" | bc); return 0; fi
    fi
    if ! alive "${PID[$name]}"; then
      WHY="replica $name exited: $(grep -m1 -E 'Exception|Error' "$RUN/$name.log" || tail -1 "$RUN/$name.log")"
      return 1
    fi
    if grep -q OutOfMemoryError "$RUN/$name.log"; then
      WHY="OutOfMemoryError in replica $name ($(grep -m1 -E 'WARNING: .*(heap|memory)' "$RUN/$name.log" | cut -c10- || true))"
      return 1
    fi
    if [ "$(echo "$(date +%s.%N) - $start > $READY_TIMEOUT" | bc)" = 1 ]; then
      WHY="replica $name not ready within $READY_TIMEOUT s"
      return 1
    fi
    sleep 0.05
  done
}

start_nginx() { # upstream ports...: nginx on a free port, round-robin over them, keepalive
  local dir="$PWD/$RUN/nginx" p servers=""
  mkdir -p "$dir/tmp" && chmod 1777 "$dir/tmp"
  for p in "$@"; do servers+="    server 127.0.0.1:$p;"$'\n'; done
  NGINX_PORT=$(free_port)
  cat >"$dir/nginx.conf" <<EOF
# bench/stores.sh: round-robin over the replicas, keepalive connections to them.
worker_processes $NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    upstream replicas {
$servers        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_read_timeout ${MAX_TIME}s;
            proxy_max_temp_file_size 0;
        }
    }
}
EOF
  "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off;" 2>"$dir/console.log" &
  NGINX_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/ready" || true)" = 200 ] && return 0
    alive "$NGINX_PID" || break
    sleep 0.1
  done
  echo "nginx did not start: $(tail -3 "$dir/console.log" "$dir/error.log" 2>/dev/null)" >&2
  return 1
}

# --- measuring ---------------------------------------------------------------------------------

run_wrk() { # out connections script url [env...]: wrk's output into out (DURATION, or WRK_DURATION)
  local out=$1 connections=$2 script=$3 url=$4
  shift 4
  env "$@" wrk -t2 -c"$connections" -d"${WRK_DURATION:-$DURATION}" --timeout "${MAX_TIME}s" --latency -s "bench/$script" "$url" \
    >"$out" 2>&1 || true
}
result() { # wrk output file, key -> value from its RESULT/STATUS lines
  awk -v k="$2" '/^(RESULT|STATUS|VISIBILITY)/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}
cell() { # wrk output file -> "rps (p50/p99)[, n errors]"
  local errors
  errors=$(result "$1" errors)
  if [ -z "$errors" ]; then warn "$1: wrk gave no result"; echo "failed"; return; fi
  [ "$errors" = 0 ] || warn "$1: $errors errors (HTTP >= 400 or socket)"
  echo "$(result "$1" rps) ($(result "$1" p50_ms)/$(result "$1" p99_ms))$([ "$errors" = 0 ] || echo ", $errors errors")"
}
metric() { # replica name -> "writes batches" from its /metrics
  { curl -s --max-time "$MAX_TIME" "http://127.0.0.1:${PORT[$1]}/metrics" || true; } \
    | awk '$1 == "gitops_store_writes_total" { w = $2 } $1 == "gitops_store_batches_total" { b = $2 } END { print w + 0, b + 0 }'
}
etag() { # base URL -> the ETag of GET /status
  { curl -s -o /dev/null -D - --max-time "$MAX_TIME" "$1/status" || true; } | tr -d '\r' | awk -F': ' 'tolower($1) == "etag" { print $2 }'
}
rss() { # pid -> "VmRSS/VmHWM" in MiB
  awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.0f/%.0f", r / 1024, h / 1024 }' "/proc/$1/status" 2>/dev/null || echo "gone"
}
# CPU per write: the clock ticks (utime + stime) of the replicas, of nginx's processes and of the
# database's backends over the measured writes, in ms per acknowledged write.
cpu_ticks() { # pids... -> their ticks summed (processes gone count 0)
  local p total=0 t
  for p in "$@"; do
    t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
declare -A CPU_PIDS CPU_START
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }
cpu_start() { # setup: remembers which processes to count and their ticks now
  local name
  CPU_PIDS=()
  read -r MACHINE_BUSY MACHINE_ALL <<<"$(machine_ticks)"
  for name in "${NAMES[@]}"; do CPU_PIDS[replicas]+=" ${PID[$name]}"; done
  if [ -n "$NGINX_PID" ]; then CPU_PIDS[nginx]="$NGINX_PID $(pgrep -P "$NGINX_PID" | paste -sd' ' || true)"; fi
  if [ "$1" != file ]; then CPU_PIDS[postgres]=$(pg -c "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE datname = '$DB_NOW'"); fi
  for name in "${!CPU_PIDS[@]}"; do
    # shellcheck disable=SC2086
    CPU_START[$name]=$(cpu_ticks ${CPU_PIDS[$name]})
  done
}
cpu_busy() { # -> "busy % of the machine (tracked %)" since cpu_start: what wrk and other work took is the difference
  local busy all name tracked=0 ticks
  read -r busy all <<<"$(machine_ticks)"
  for name in "${!CPU_PIDS[@]}"; do
    # shellcheck disable=SC2086
    ticks=$(($(cpu_ticks ${CPU_PIDS[$name]}) - CPU_START[$name]))
    tracked=$((tracked + ticks))
  done
  awk -v b=$((busy - MACHINE_BUSY)) -v a=$((all - MACHINE_ALL)) -v t="$tracked" \
    'BEGIN { if (a > 0) printf "%.0f %% (%.0f %%)", 100 * b / a, 100 * t / a; else print "n/a" }'
}
cpu_per_write() { # wrk output -> "replicas x / PostgreSQL y / nginx z ms" per write
  local requests name ticks out=() hz
  requests=$(result "$1" requests)
  hz=$(getconf CLK_TCK)
  [ "${requests:-0}" -gt 0 ] || { echo "n/a"; return; }
  for name in replicas postgres nginx; do
    [ -n "${CPU_PIDS[$name]:-}" ] || continue
    # shellcheck disable=SC2086
    ticks=$(($(cpu_ticks ${CPU_PIDS[$name]}) - CPU_START[$name]))
    out+=("$name $(awk -v t="$ticks" -v r="$requests" -v hz="$hz" 'BEGIN { printf "%.3f", t * 1000 / hz / r }')")
  done
  join "${out[@]}"
}

visibility() { # out: Visibility from replica a to replica b -> "p50/p99/max ms"
  java -cp "$CP" io.gitops.status.bench.Visibility "http://127.0.0.1:${PORT[a]}" "http://127.0.0.1:${PORT[b]}" \
    "$VIS_SAMPLES" >"$1" 2>&1 || true
  local p50
  p50=$(result "$1" p50_ms)
  if [ -z "$p50" ]; then warn "$1: $(tail -1 "$1")"; echo "failed"; return; fi
  local timeouts
  timeouts=$(result "$1" timeouts)
  [ "$timeouts" = 0 ] || warn "$1: $timeouts samples not seen on B within 10 s"
  echo "$p50/$(result "$1" p99_ms)/$(result "$1" max_ms) (first poll $(result "$1" first_poll_pct) %, poll $(result "$1" poll_mean_ms) ms)$([ "$timeouts" = 0 ] || echo ", $timeouts not seen in 10 s")"
}

declare -A CELLS # "hosts|setup|row" -> text
ROWS=(load ready warmup writes cpu busy batch direct vis visload full reval rss size)
declare -A LABEL=(
  [load]="load average before (1/5/15 min)"
  [ready]="ready s (start to /ready 200; pg: loading from the database)"
  [writes]="pipeline writes ${WRITERS}c: rps (p50/p99 ms)"
  [warmup]="warm-up rounds, rps (not measured)"
  [cpu]="CPU ms per write during them (both replicas together)"
  [busy]="machine CPU busy during them (replicas, database backends, nginx)"
  [batch]="writes per commit, per replica"
  [direct]="pipeline writes $((WRITERS / 2))c to each replica directly, no nginx: rps"
  [vis]="visibility A→B idle: p50/p99/max ms"
  [visload]="visibility A→B, $((WRITERS / 4))c writing through nginx: p50/p99/max ms"
  [full]="GET /status ${READERS}c: rps (p50/p99 ms)"
  [reval]="GET /status If-None-Match ${REVALIDATORS}c, 304: rps (p50/p99 ms)"
  [rss]="RSS MiB per replica after the load (VmRSS/VmHWM)"
  [size]="data: file MB / database MB after the run"
)
put() { CELLS["$HOSTS_NOW|$1|$2"]=$3; }
join() { local IFS='|' all; all="$*"; echo "${all//|/ / }"; } # values -> "a / b"
NAMES=() # the replicas of the setup running: a, and b for pg2

measure() { # setup: everything after the replicas are ready; TARGET is the URL wrk loads
  local setup=$1 name w b bw bb
  local round rate previous=0 rates=()
  # /metrics once first: its first answer (megabytes at 100,000 hosts) compiles and deoptimises
  # code the writes use, and slowed the 10 s of writes right after it by up to a third
  for name in "${NAMES[@]}"; do metric "$name" >/dev/null; done
  for ((round = 1; round <= WARMUP_MAX; round++)); do
    say "$setup: warm-up round $round, $WARMUP of writes (not measured)"
    WRK_DURATION=$WARMUP run_wrk "$RUN/warmup.$round.out" "$WRITERS" pipeline.lua "$TARGET" HOSTS="$HOSTS_NOW"
    rate=$(result "$RUN/warmup.$round.out" rps)
    rates+=("${rate:-failed}")
    [ -n "$rate" ] || break
    if [ "$round" -ge "$WARMUP_MIN" ] && [ "$((rate * 100))" -lt "$((previous * 105))" ]; then break; fi
    previous=$rate
  done
  put "$setup" warmup "$(join "${rates[@]}")"
  declare -A BEFORE
  for name in "${NAMES[@]}"; do BEFORE[$name]=$(metric "$name"); done
  say "$setup: pipeline writes at $WRITERS connections"
  cpu_start "$setup"
  run_wrk "$RUN/writes.out" "$WRITERS" pipeline.lua "$TARGET" HOSTS="$HOSTS_NOW"
  put "$setup" cpu "$(cpu_per_write "$RUN/writes.out")"
  put "$setup" busy "$(cpu_busy)"
  put "$setup" writes "$(cell "$RUN/writes.out")"
  local per=()
  for name in "${NAMES[@]}"; do
    read -r w b <<<"$(metric "$name")"
    read -r bw bb <<<"${BEFORE[$name]}"
    per+=("$(awk -v w=$((w - bw)) -v b=$((b - bb)) 'BEGIN { if (b > 0) printf "%.1f (%d commits)", w / b, b; else print "no commit" }')")
  done
  put "$setup" batch "$(join "${per[@]}")"
  if [ "$setup" = pg2 ]; then
    say "$setup: pipeline writes at $((WRITERS / 2)) connections to each replica directly, nginx bypassed"
    run_wrk "$RUN/direct-a.out" $((WRITERS / 2)) pipeline.lua "http://127.0.0.1:${PORT[a]}" HOSTS="$HOSTS_NOW" &
    local direct_a=$!
    run_wrk "$RUN/direct-b.out" $((WRITERS / 2)) pipeline.lua "http://127.0.0.1:${PORT[b]}" HOSTS="$HOSTS_NOW" &
    local direct_b=$!
    OTHERS+=("$direct_a" "$direct_b")
    wait "$direct_a" "$direct_b" || true
    local ra rb
    ra=$(result "$RUN/direct-a.out" rps) rb=$(result "$RUN/direct-b.out" rps)
    put "$setup" direct "$((${ra:-0} + ${rb:-0})): A $(cell "$RUN/direct-a.out"), B $(cell "$RUN/direct-b.out")"
    say "$setup: visibility A -> B, idle"
    put "$setup" vis "$(visibility "$RUN/visibility-idle.out")"
    say "$setup: visibility A -> B while $((WRITERS / 4)) connections write through nginx"
    env HOSTS="$HOSTS_NOW" wrk -t2 -c$((WRITERS / 4)) -d600s --timeout "${MAX_TIME}s" --latency -s bench/pipeline.lua \
      "$TARGET" >"$RUN/visibility-writes.out" 2>&1 &
    local wrk_pid=$!
    OTHERS+=("$wrk_pid")
    sleep 1
    put "$setup" visload "$(visibility "$RUN/visibility-load.out")"
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
    local load_cell
    load_cell=$(cell "$RUN/visibility-writes.out")
    CELLS["$HOSTS_NOW|$setup|visload"]+="; the writers: $load_cell"
  fi
  say "$setup: full GET /status at $READERS connections"
  run_wrk "$RUN/full.out" "$READERS" read.lua "$TARGET" HOSTS="$HOSTS_NOW" PATH_TO_GET=/status COUNT_STATUS=1
  put "$setup" full "$(cell "$RUN/full.out"), $(result "$RUN/full.out" requests) answers$(other_status "$RUN/full.out" s200)"
  # every replica must answer the same ETag, or a revalidation through nginx would get 200s
  local tag="" tags i
  for ((i = 0; i < 100; i++)); do
    tags=$(for name in "${NAMES[@]}"; do etag "http://127.0.0.1:${PORT[$name]}"; done | sort -u)
    if [ "$(wc -l <<<"$tags")" = 1 ] && [ -n "$tags" ]; then tag=$tags; break; fi
    sleep 0.1
  done
  if [ -z "$tag" ]; then
    warn "$setup: the replicas do not agree on the ETag of /status: $(echo "$tags" | paste -sd' ')"
    put "$setup" reval "replicas disagree on the ETag"
  else
    say "$setup: GET /status with If-None-Match at $REVALIDATORS connections"
    run_wrk "$RUN/reval.out" "$REVALIDATORS" read.lua "$TARGET" HOSTS="$HOSTS_NOW" PATH_TO_GET=/status \
      IF_NONE_MATCH="$tag" COUNT_STATUS=1
    put "$setup" reval "$(cell "$RUN/reval.out")$(other_status "$RUN/reval.out" s304)"
  fi
  local rs=()
  for name in "${NAMES[@]}"; do rs+=("$(rss "${PID[$name]}")"); done
  put "$setup" rss "$(join "${rs[@]}")"
}
other_status() { # wrk output, the status expected -> ", N other answers" when some were not
  local all expected
  all=$(($(result "$1" s200 || echo 0) + $(result "$1" s304 || echo 0) + $(result "$1" other || echo 0)))
  expected=$(result "$1" "$2")
  [ -n "$expected" ] || return 0
  if [ "$all" != "$expected" ]; then
    warn "$1: $((all - expected)) answers other than ${2#s}"
    echo ", $((all - expected)) not ${2#s}"
  fi
}

run_setup() { # setup
  local setup=$1 start db=""
  RUN="$WORK/$HOSTS_NOW/$setup"
  rm -rf "$RUN" && mkdir -p "$RUN"
  put "$setup" load "$(load)"
  say "$setup, $HOSTS_NOW hosts: starting (load $(load))"
  case $setup in
    file)
      cp "$DATA" "$RUN/status.json"
      start=$(date +%s.%N)
      start_server a "$RUN/status.json"
      NAMES=(a)
      ;;
    pg1 | pg2)
      if [ -n "$IMPORT_FAILED" ]; then put "$setup" ready "no database: $IMPORT_FAILED"; return; fi
      db=${DB_PREFIX}_${HOSTS_NOW}_$setup DB_NOW=$db
      drop_db "$db"
      DATABASES+=("$db")
      pg -c "CREATE DATABASE $db TEMPLATE $TEMPLATE STRATEGY FILE_COPY"
      start=$(date +%s.%N)
      start_server a "$RUN/unused-a.json" -Dgitops.store.url="$(jdbc "$db")"
      NAMES=(a)
      if [ "$setup" = pg2 ]; then
        start_server b "$RUN/unused-b.json" -Dgitops.store.url="$(jdbc "$db")"
        NAMES=(a b)
      fi
      ;;
  esac
  local times=() name
  for name in "${NAMES[@]}"; do
    if ! wait_ready "$name" "$start"; then
      warn "$setup, $HOSTS_NOW hosts: $WHY"
      put "$setup" ready "failed: $WHY"
      stop_servers
      return
    fi
    times+=("$(printf '%.2f' "$READY")")
  done
  put "$setup" ready "$(join "${times[@]}")"
  if [ "$setup" = pg2 ]; then
    start_nginx "${PORT[a]}" "${PORT[b]}"
    TARGET="http://127.0.0.1:$NGINX_PORT"
  else
    TARGET="http://127.0.0.1:${PORT[a]}"
  fi
  measure "$setup"
  local servers
  servers=$(curl -s --max-time "$MAX_TIME" "$TARGET/ready" | grep -o '"servers":[0-9]*' | cut -d: -f2 || true)
  [ "$servers" = "$HOSTS_NOW" ] || warn "$setup: the store holds ${servers:-no answer} servers, expected $HOSTS_NOW"
  for name in "${NAMES[@]}"; do
    local errors
    errors=$(grep -c OutOfMemoryError "$RUN/$name.log" || true)
    [ "$errors" = 0 ] || warn "$setup: $errors lines with OutOfMemoryError in $RUN/$name.log"
  done
  if [ "$setup" = file ]; then
    put "$setup" size "$(du -m "$RUN/status.json" | cut -f1) (+ journal $(du -k "$RUN/status.json.journal" 2>/dev/null | cut -f1 || echo 0) KB)"
  else
    put "$setup" size "$(du -m "$DATA" | cut -f1) / $(pg -c "SELECT pg_database_size('$db') / 1048576")"
  fi
  say "$setup: stopping"
  stop_servers
  if [ "$KEEP_DB" != 1 ] && [ -n "${db:-}" ]; then drop_db "$db"; fi
}

# --- the run -----------------------------------------------------------------------------------

LOAD_START=$(load)
say "building (load $LOAD_START)"
# shellcheck disable=SC2086
$MVN -B -q test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
CP="$PWD/target/test-classes:$PWD/target/classes:$(cat target/bench.classpath)"
mkdir -p "$WORK"
IMPORTS=()

for HOSTS_NOW in "${SIZES[@]}"; do
  DATA="$WORK/$HOSTS_NOW/status.json"
  rm -rf "${WORK:?}/$HOSTS_NOW" && mkdir -p "$WORK/$HOSTS_NOW"
  say "writing $HOSTS_NOW hosts x $HISTORY transitions"
  java -cp "$CP" io.gitops.status.store.FleetData "$HOSTS_NOW" "$HISTORY" "$DATA" >"$WORK/$HOSTS_NOW/facts"
  IMPORT_FAILED="" TEMPLATE=${DB_PREFIX}_${HOSTS_NOW}
  if [ "$uses_pg" = 1 ]; then
    RUN="$WORK/$HOSTS_NOW/import"
    mkdir -p "$RUN"
    drop_db "$TEMPLATE"
    DATABASES+=("$TEMPLATE")
    pg -c "CREATE DATABASE $TEMPLATE"
    say "importing into $TEMPLATE (load $(load))"
    import_load=$(load)
    start=$(date +%s.%N)
    saved_opts=$JAVA_OPTS JAVA_OPTS=$IMPORT_JAVA_OPTS
    start_server import "$RUN/unused.json" -Dgitops.store.url="$(jdbc "$TEMPLATE")" -Dgitops.import.file="$PWD/$DATA"
    JAVA_OPTS=$saved_opts
    if wait_ready import "$start"; then
      imported=$READY
      hwm=$(rss "${PID[import]}")
      stop_servers
      t0=$(date +%s.%N)
      psql -d "$TEMPLATE" -v ON_ERROR_STOP=1 -qAtX -c 'VACUUM (ANALYZE)'
      IMPORTS+=("$HOSTS_NOW hosts: imported in $(printf '%.1f' "$imported") s (JVM start to /ready, $IMPORT_JAVA_OPTS, RSS/peak $hwm MiB), VACUUM (ANALYZE) $(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)") s, load before $import_load")
    else
      IMPORT_FAILED="import failed: $WHY ($IMPORT_JAVA_OPTS)"
      warn "$HOSTS_NOW hosts: $IMPORT_FAILED"
      IMPORTS+=("$HOSTS_NOW hosts: $IMPORT_FAILED, load before $import_load")
      stop_servers
    fi
  fi
  for setup in "${SETUP_LIST[@]}"; do run_setup "$setup"; done
  if [ "$uses_pg" = 1 ] && [ "$KEEP_DB" != 1 ]; then drop_db "$TEMPLATE"; fi
done

# --- the table ---------------------------------------------------------------------------------

echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo) GiB;" \
  "$(java -version 2>&1 | head -1); PostgreSQL $(pg -c 'SHOW server_version' 2>/dev/null || echo n/a)" \
  "(synchronous_commit $(pg -c 'SHOW synchronous_commit' 2>/dev/null || echo n/a), fsync $(pg -c 'SHOW fsync' 2>/dev/null || echo n/a));" \
  "$("$NGINX" -v 2>&1 | sed 's#.*/##; s#^#nginx #') ($NGINX_WORKERS worker); $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }');" \
  "replicas $JAVA_OPTS; PostgreSQL, replicas, nginx and wrk on the same machine; load average at the start $LOAD_START, at the end $(load)."
echo
printf '%s\n' "${IMPORTS[@]/#/Import: }"
[ "${#IMPORTS[@]}" = 0 ] || echo
header="| hosts | measure |" rule="| --- | --- |"
declare -A TITLE=([file]="file store" [pg1]="PostgreSQL, 1 replica" [pg2]="PostgreSQL, 2 replicas + nginx")
for setup in "${SETUP_LIST[@]}"; do header+=" ${TITLE[$setup]} |"; rule+=" --- |"; done
echo "$header"
echo "$rule"
for HOSTS_NOW in "${SIZES[@]}"; do
  for row in "${ROWS[@]}"; do
    line="| $HOSTS_NOW | ${LABEL[$row]} |" any=0
    for setup in "${SETUP_LIST[@]}"; do
      value=${CELLS["$HOSTS_NOW|$setup|$row"]:-—}
      [ "$value" = — ] || any=1
      line+=" $value |"
    done
    [ "$any" = 0 ] || echo "$line"
  done
done
if [ "${#WARNINGS[@]}" -gt 0 ]; then
  echo
  echo "${#WARNINGS[@]} warnings (see above on stderr); logs under $WORK"
fi
