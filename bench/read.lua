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
