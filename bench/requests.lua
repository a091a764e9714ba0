-- wrk script for bench/run. Environment:
--   RPA_BENCH_KIND   heartbeat | status | healthz
--   RPA_BENCH_ROBOTS file of "id token" lines (heartbeat, status): requests cycle through them
--   RPA_BENCH_CLOSE  1 = ask for Connection: close on GETs, as a robot opening a socket per call
--                    does (rpad already closes after every request with a body)
--   RPA_BENCH_DELAY_MS  pause per connection between requests, to pace the rate
-- done() prints one line of key=value figures that bench/run parses.
local kind = os.getenv("RPA_BENCH_KIND") or "healthz"
local close = os.getenv("RPA_BENCH_CLOSE") == "1"
local pace = tonumber(os.getenv("RPA_BENCH_DELAY_MS") or "0")
local requests_ = {}
local next_ = 1

local function robots()
  local path = assert(os.getenv("RPA_BENCH_ROBOTS"), "RPA_BENCH_ROBOTS is not set")
  local list = {}
  for line in io.lines(path) do
    local id, token = line:match("^(%d+) (%S+)$")
    if id then list[#list + 1] = {id = id, token = token} end
  end
  assert(#list > 0, "no robots in " .. path)
  return list
end

function init(args)
  local headers = {}
  if close then headers["Connection"] = "close" end
  if kind == "healthz" then
    requests_[1] = wrk.format("GET", "/healthz", headers)
    return
  end
  for _, r in ipairs(robots()) do
    local h = {["Authorization"] = "Bearer " .. r.token}
    if close then h["Connection"] = "close" end
    if kind == "heartbeat" then
      h["Content-Type"] = "application/json"
      requests_[#requests_ + 1] = wrk.format("POST", "/api/v1/client/heartbeat", h,
        '{"client_id":' .. r.id .. ',"status":"busy","version":"1.4.2"}')
    else
      requests_[#requests_ + 1] = wrk.format("GET", "/api/v1/client/heartbeat/status/" .. r.id, h)
    end
  end
  -- Threads start at different robots so they do not beat the same client in step.
  next_ = (math.random(#requests_))
end

function request()
  local r = requests_[next_]
  next_ = next_ % #requests_ + 1
  return r
end

if pace > 0 then
  function delay() return pace end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
