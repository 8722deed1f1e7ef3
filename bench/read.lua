-- GET of a path (PATH_TO_GET), optionally revalidating with IF_NONE_MATCH.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

local req

-- Built per thread once wrk knows the host: a request formatted earlier has no Host header.
init = function(args)
  local headers = {}
  if os.getenv("IF_NONE_MATCH") then
    headers["If-None-Match"] = os.getenv("IF_NONE_MATCH")
  end
  req = wrk.format("GET", url_path(os.getenv("PATH_TO_GET") or "/status"), headers)
end

request = function()
  return req
end

-- COUNT_STATUS set: the answers counted by status on a STATUS line (s200, s304, other), so that
-- bench/stores.sh sees that every revalidation was a 304. Left out otherwise: a response callback
-- costs wrk a Lua call per answer.
if os.getenv("COUNT_STATUS") then
  local threads = {}
  s200, s304, other = 0, 0, 0

  setup = function(thread)
    table.insert(threads, thread)
  end

  response = function(status, headers, body)
    if status == 200 then s200 = s200 + 1
    elseif status == 304 then s304 = s304 + 1
    else other = other + 1 end
  end

  local common_done = done
  done = function(summary, latency, requests)
    local c = {s200 = 0, s304 = 0, other = 0}
    for _, thread in ipairs(threads) do
      for name, _ in pairs(c) do
        c[name] = c[name] + (thread:get(name) or 0)
      end
    end
    common_done(summary, latency, requests)
    io.write(string.format("STATUS s200=%d s304=%d other=%d\n", c.s200, c.s304, c.other))
  end
end
