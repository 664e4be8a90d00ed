-- wrk script for the cluster drill: signed-in pages through the proxy, counting the answers.
--
-- DRILL_PATHS (space-separated) are requested in turn with the Cookie header DRILL_COOKIE and
-- Host DRILL_HOST. An answer is "ok" when it is a 200. Each answer is also counted by the web
-- host that served it (the proxy's X-Served-By header) and by the second it came back in, so
-- the driver can tell when the last answer came from a host it killed. done() prints one line
-- starting "DRILL " with JSON for the driver.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for path in string.gmatch(os.getenv("DRILL_PATHS"), "%S+") do
    table.insert(paths, path)
  end
  headers = { Host = os.getenv("DRILL_HOST"), Cookie = os.getenv("DRILL_COOKIE") }
  position = 0
  ok = 0
  failed = 0
  by_server = {}
  last_second = {}
  statuses = {}
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], headers)
end

function response(status, response_headers, body)
  if status == 200 then
    ok = ok + 1
  else
    failed = failed + 1
  end
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  -- HAProxy sends header names in lower case.
  local server = response_headers["x-served-by"] or response_headers["X-Served-By"] or "none"
  by_server[server] = (by_server[server] or 0) + 1
  last_second[server] = os.time()
end

function done(summary, latency, requests)
  local total_ok, total_failed = 0, 0
  local servers, last, codes = {}, {}, {}
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_failed = total_failed + thread:get("failed")
    for name, count in pairs(thread:get("by_server")) do
      servers[name] = (servers[name] or 0) + count
    end
    for name, second in pairs(thread:get("last_second")) do
      last[name] = math.max(last[name] or 0, second)
    end
    for code, count in pairs(thread:get("statuses")) do
      codes[code] = (codes[code] or 0) + count
    end
  end
  local function object(map)
    local parts = {}
    for name, value in pairs(map) do
      table.insert(parts, string.format('"%s": %d', name, value))
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  local errors = summary.errors
  io.write(string.format(
    'DRILL {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "ok": %d, '
      .. '"failed": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"timeouts": %d, "by_server": %s, "last_second": %s, "statuses": %s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    total_ok, total_failed, errors.connect, errors.read, errors.write, errors.timeout,
    object(servers), object(last), object(codes)
  ))
end
