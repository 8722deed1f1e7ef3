#!/usr/bin/env bash
# Runs the curl examples of the seed README (/work/shared/seeds/000_*) and the
# two rsyslog v1 payloads (seeds/001_*) against a running gitops-status, then
# checks the answers. Needs bash, curl, grep, sed (no jq).
#
#   src/test/scripts/seed-readme-examples.sh [BASE_URL]
#     BASE_URL defaults to http://localhost:5000 (mvn jetty:run, Docker);
#     a Tomcat deployment: http://localhost:8080/gitops-status
#
# The examples write records rsyslog-prod/rsyslog-01, test/test-01 and
# rsyslog/rsyslog-lab: run it against a test instance, not production.
# Each curl is the seed's, with -sS -f added and the base URL replaced.
set -euo pipefail

BASE=${1:-http://localhost:5000}
BASE=${BASE%/}
passed=0

fail() {
  printf 'FAIL %s\n' "$*" >&2
  exit 1
}

# JSON with the whitespace around : , [ ] { } removed, so that checks can look
# for "key":value whether or not the server pretty-prints.
compact() {
  tr '\n' ' ' | sed -E 's/[[:space:]]*([][{},:])[[:space:]]*/\1/g'
}

# run ID DESCRIPTION CURL...: runs one example; its answer goes to OUT_<ID>.
run() {
  local id=$1 what=$2 answer
  shift 2
  answer=$("$@" 2>&1) || fail "$what: ${answer:-curl failed}"
  printf -v "OUT_$id" '%s' "$(compact <<<"$answer")"
  passed=$((passed + 1))
  printf 'ok    %s\n' "$what"
}

# check DESCRIPTION TEXT NEEDLE...: TEXT must contain every NEEDLE.
check() {
  local what=$1 text=$2 needle
  shift 2
  for needle in "$@"; do
    [[ $text == *"$needle"* ]] ||
      fail "check '$what': answer lacks $needle; answer was: ${text:0:800}"
  done
  passed=$((passed + 1))
  printf 'check %s\n' "$what"
}

# array DESCRIPTION TEXT: TEXT must be a JSON array.
array() {
  [[ $2 == '['* ]] || fail "check '$1': answer is not a JSON array: ${2:0:800}"
}

# v1_object TEXT SERVER: the v1 object of SERVER in a v1 array ("files" emptied
# first so that the objects hold no nested braces).
v1_object() {
  sed -e 's/"files":\[[^]]*\]/"files":[]/g' <<<"$1" |
    grep -o '{[^{}]*}' | grep -F "\"server\":\"$2\"" || true
}

echo "seed examples against $BASE"

# --- seed README: Pipeline Updates -------------------------------------------
run pipeline "POST /status/pipeline (README example)" \
curl -sS -f -X POST "$BASE/status/pipeline" \
  -H "Content-Type: application/json" \
  -d '{
    "project_name": "gitops-for-servers",
    "repo_name": "rsyslog",
    "server_group": "rsyslog-prod",
    "server_type": "rsyslog",
    "environment": "prod",
    "host": "rsyslog-01",
    "status": "synced",
    "changed_files": [],
    "validation_status": "passed",
    "validation_message": "rsyslog syntax validation passed",
    "commit_sha": "abc1234567890",
    "branch": "master",
    "updated_by": "woodpecker",
    "last_pipeline_run": "2026-04-26T10:30:00Z"
  }'

# --- seed README: Cron Updates -----------------------------------------------
run cron "POST /status/cron (README example)" \
curl -sS -f -X POST "$BASE/status/cron" \
  -H "Content-Type: application/json" \
  -d '{
    "server_group": "rsyslog-prod",
    "host": "rsyslog-01",
    "status": "synced",
    "changed_files": [],
    "last_cron_check": "2026-04-26T11:00:00Z"
  }'

run drift "POST /status/cron (README drift example)" \
curl -sS -f -X POST "$BASE/status/cron" \
  -H "Content-Type: application/json" \
  -d '{
    "server_group": "rsyslog-prod",
    "host": "rsyslog-01",
    "status": "out_of_sync",
    "changed_files": ["/etc/rsyslog.conf", "/etc/rsyslog.d/50-default.conf"],
    "last_cron_check": "2026-04-26T11:00:00Z"
  }'

# --- seed README: Query Endpoints --------------------------------------------
run all "GET /status" \
curl -sS -f "$BASE/status"

run group "GET /status/rsyslog-prod" \
curl -sS -f "$BASE/status/rsyslog-prod"

run one "GET /status/rsyslog-prod/rsyslog-01" \
curl -sS -f "$BASE/status/rsyslog-prod/rsyslog-01"

# --- seed README: Local Development ------------------------------------------
run dev_pipeline "POST /status/pipeline (Local Development)" \
curl -sS -f -X POST "$BASE/status/pipeline" \
  -H "Content-Type: application/json" \
  -d '{"server_group":"test","host":"test-01","status":"synced"}'

run dev_cron "POST /status/cron (Local Development)" \
curl -sS -f -X POST "$BASE/status/cron" \
  -H "Content-Type: application/json" \
  -d '{"server_group":"test","host":"test-01","status":"synced"}'

run dev_all "GET /status (Local Development)" \
curl -sS -f "$BASE/status"

run dev_one "GET /status/test/test-01 (Local Development)" \
curl -sS -f "$BASE/status/test/test-01"

# --- seed README: Health Checks, Docker "Test" -------------------------------
run health "GET /health" \
curl -sS -f "$BASE/health"

run ready "GET /ready" \
curl -sS -f "$BASE/ready"

run root "GET /" \
curl -sS -f "$BASE/"

# --- seeds 001/002: rsyslog v1 payloads --------------------------------------
run v1_synced "POST /api/status (v1, SYNCED)" \
curl -sS -f -X POST \
  -H "Content-Type: application/json" \
  -d '{"repo":"rsyslog","server":"rsyslog-lab","sync_status":"SYNCED","drift_count":0,"files":[],"last_check":"2026-04-21T10:30:00Z"}' \
  "$BASE/api/status"

run v1_drift "POST /api/status (v1, OUT_OF_SYNC)" \
curl -sS -f -X POST \
  -H "Content-Type: application/json" \
  -d '{
  "repo": "rsyslog",
  "server": "rsyslog-lab",
  "sync_status": "OUT_OF_SYNC",
  "drift_count": 2,
  "files": [
    { "name": "rsyslog.conf" },
    { "name": "rsyslog.d/30-lab.conf" }
  ],
  "last_check": "2026-04-21T10:32:15Z"
}' \
  "$BASE/api/status"

run status_json "GET /status.json" \
curl -sS -f "$BASE/status.json"

run api_status "GET /api/status" \
curl -sS -f "$BASE/api/status"

# --- checks ------------------------------------------------------------------
check "pipeline answer names the record" "$OUT_pipeline" \
  '"key":"rsyslog-prod/rsyslog-01"' '"status":"synced"' '"commit_sha":"abc1234567890"'
check "cron answer carries the cron check time" "$OUT_cron" \
  '"status":"synced"' '"last_cron_check":"2026-04-26T11:00:00Z"'
check "drift answer is out_of_sync with 2 files" "$OUT_drift" \
  '"status":"out_of_sync"' '"changed_files_count":2'
array "GET /status" "$OUT_all"
check "GET /status is an array holding rsyslog-01" "$OUT_all" \
  '"server_group":"rsyslog-prod"' '"host":"rsyslog-01"'
array "GET /status/rsyslog-prod" "$OUT_group"
check "GET /status/rsyslog-prod is an array holding rsyslog-01" "$OUT_group" \
  '"host":"rsyslog-01"'
check "rsyslog-01 shows the drift" "$OUT_one" \
  '"status":"out_of_sync"' '"changed_files_count":2' \
  '"changed_files":["/etc/rsyslog.conf","/etc/rsyslog.d/50-default.conf"]' \
  '"last_cron_check":"2026-04-26T11:00:00Z"'
check "rsyslog-01 keeps the pipeline fields (cron did not overwrite them)" "$OUT_one" \
  '"commit_sha":"abc1234567890"' '"branch":"master"' '"updated_by":"woodpecker"' \
  '"validation_status":"passed"' '"validation_message":"rsyslog syntax validation passed"' \
  '"last_pipeline_run":"2026-04-26T10:30:00Z"'
check "GET /status lists test-01" "$OUT_dev_all" '"host":"test-01"'
check "test-01 has every field, unknown ones null" "$OUT_dev_one" \
  '"server_group":"test"' '"host":"test-01"' '"status":"synced"' \
  '"project_name":null' '"commit_sha":null' '"changed_files":[]' '"changed_files_count":0' \
  '"labels":{}' '"last_cron_check":"' '"timestamp":"'
check "/health is up" "$OUT_health" '"status":"up"'
check "/ready is ready" "$OUT_ready" '"status":"ready"' '"path":"' '"servers":'
check "/ names the service" "$OUT_root" '"name":"gitops-status-api"' '"endpoints":'
check "v1 SYNCED answer" "$OUT_v1_synced" '"key":"rsyslog/rsyslog-lab"' '"status":"synced"'
check "v1 OUT_OF_SYNC answer" "$OUT_v1_drift" \
  '"key":"rsyslog/rsyslog-lab"' '"status":"out_of_sync"' '"changed_files_count":2'
for id in status_json api_status; do
  answer_var="OUT_$id"
  answer=${!answer_var}
  array "$id" "$answer"
  check "$id: rsyslog-lab is OUT_OF_SYNC with 2 drifted files" \
    "$(v1_object "$answer" rsyslog-lab)" \
    '"repo":"rsyslog"' '"sync_status":"OUT_OF_SYNC"' '"drift_count":2' \
    '"last_check":"2026-04-21T10:32:15Z"'
  check "$id: rsyslog-lab lists the drifted files" "$answer" \
    '[{"name":"rsyslog.conf"},{"name":"rsyslog.d/30-lab.conf"}]'
done

echo "seed examples: $passed passed, 0 failed"
