-- Dashboard readers: each request the next of READ_PATHS (paths separated by spaces), as the
-- panels of a Grafana dashboard refreshing one after another. Plain GETs without If-None-Match:
-- Grafana's Infinity data source queries from the Grafana server, which keeps no HTTP cache.
-- Counts the answers by status class (s2xx, s3xx, s4xx, s5xx on the RESULT line).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")

local requests = {}
local threads = {}
s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0

setup = function(thread)
  table.insert(threads, thread)
end

-- Built per thread once wrk knows the host: a request formatted earlier has no Host header.
init = function(args)
  for path in string.gmatch(os.getenv("READ_PATHS") or "/status/summary", "%S+") do
    table.insert(requests, wrk.format("GET", url_path(path)))
  end
end

request = function()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

response = function(status, headers, body)
  if status < 300 then s2xx = s2xx + 1
  elseif status < 400 then s3xx = s3xx + 1
  elseif status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

local common_done = done
done = function(summary, latency, requests)
  local c = {s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(c) do
      c[name] = c[name] + (thread:get(name) or 0)
    end
  end
  common_done(summary, latency, requests)
  io.write(string.format("STATUS s2xx=%d s3xx=%d s4xx=%d s5xx=%d\n", c.s2xx, c.s3xx, c.s4xx, c.s5xx))
end
