-- Shared by the wrk scripts: one line of results that bench/run.sh reads.
-- HOSTS: how many hosts the store holds; writes pick one at random (bench-<h % 10>/host-<h>).
hosts = tonumber(os.getenv("HOSTS") or "1000")
counter = 0

-- The path of the URL given to wrk prefixes every request: "http://host:port/gitops-status" for the
-- WAR at a Tomcat context path, "http://host:port" (path "/") for a server at the root.
function url_path(p)
  return (wrk.path:gsub("/+$", "")) .. p
end

function pick_host()
  local h = math.random(0, hosts - 1)
  return string.format("bench-%d", h % 10), string.format("host-%06d", h)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, e.connect + e.read + e.write + e.timeout + e.status))
end
