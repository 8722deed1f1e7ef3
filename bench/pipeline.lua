-- Durable pipeline snapshots to random existing hosts.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

request = function()
  counter = counter + 1
  local group, host = pick_host()
  local body = string.format('{"project_name":"gitops-for-servers","repo_name":"rsyslog",'
    .. '"server_group":"%s","server_type":"rsyslog","environment":"prod","host":"%s","status":"synced",'
    .. '"changed_files":[],"validation_status":"passed","validation_message":"rsyslog syntax validation passed",'
    .. '"commit_sha":"abc%d","branch":"master","updated_by":"wrk"}', group, host, counter)
  return wrk.format("POST", url_path("/status/pipeline"), {["Content-Type"] = "application/json"}, body)
end
