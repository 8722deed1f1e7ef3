-- Durable drift checks to random existing hosts.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

request = function()
  counter = counter + 1
  local group, host = pick_host()
  local status = (counter % 2 == 0) and "synced" or "out_of_sync"
  local files = (counter % 2 == 0) and '[]' or '["/etc/rsyslog.conf"]'
  local body = string.format('{"server_group":"%s","host":"%s","status":"%s","changed_files":%s}',
    group, host, status, files)
  return wrk.format("POST", url_path("/status/cron"), {["Content-Type"] = "application/json"}, body)
end
