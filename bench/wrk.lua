-- wrk script for bench/load.py: replays the requests in BENCH_REQUESTS and counts the answers.
--
-- Each line of the file is "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY" (BODY may be empty). Thread i
-- of n takes lines i, i+n, i+2n... so no two threads send the same request. With BENCH_ONCE=1
-- each request is sent once and a thread that has sent all of its own stops (self-referral: a
-- draft can be sent once); otherwise a thread cycles through its requests until wrk stops.
-- An answer counts as "ok" when its status is BENCH_EXPECT_STATUS and, if BENCH_EXPECT_LOCATION
-- is set, it redirects there. done() prints one line starting "BENCH " for bench/load.py.

local threads = {}
local created = 0

-- The wall clock, for how long a thread was busy: wrk's own duration is the -d it was given,
-- even when every thread stopped early because each of its requests was sent once.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval *tv, void *tz);
]]
local timeval = ffi.new("bench_timeval")
local function now_us()
  ffi.C.gettimeofday(timeval, nil)
  return tonumber(timeval.tv_sec) * 1000000 + tonumber(timeval.tv_usec)
end

function setup(thread)
  thread:set("index", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  local count = tonumber(os.getenv("BENCH_THREADS"))
  local host = os.getenv("BENCH_HOST")
  once = os.getenv("BENCH_ONCE") == "1"
  expect_status = tonumber(os.getenv("BENCH_EXPECT_STATUS"))
  expect_location = os.getenv("BENCH_EXPECT_LOCATION") or ""
  requests = {}
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if line_number % count == index then
      local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = { Host = host, Cookie = cookie }
      if body == "" then
        body = nil
      else
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    line_number = line_number + 1
  end
  position = 0
  first_us = 0
  last_us = 0
  ok = 0
  failed = 0
  exhausted = 0
end

function request()
  if first_us == 0 then first_us = now_us() end
  position = position + 1
  if position > #requests then
    position = 1
    if once then
      exhausted = 1
      -- Tell bench/load.py this thread is done: wrk itself waits out its whole -d.
      local done_file = io.open(os.getenv("BENCH_DONE_FILE"), "a")
      done_file:write("done\n")
      done_file:close()
      wrk.thread:stop()
    end
  end
  return requests[position]
end

function response(status, headers, body)
  last_us = now_us()
  if status == expect_status
    and (expect_location == "" or headers["Location"] == expect_location) then
    ok = ok + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local total_ok, total_failed, total_exhausted = 0, 0, 0
  local started_us, ended_us = 0, 0
  for _, thread in ipairs(threads) do
    local first, last = thread:get("first_us"), thread:get("last_us")
    if first > 0 and (started_us == 0 or first < started_us) then started_us = first end
    if last > ended_us then ended_us = last end
    total_ok = total_ok + thread:get("ok")
    total_failed = total_failed + thread:get("failed")
    total_exhausted = total_exhausted + thread:get("exhausted")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"ok": %d, "failed": %d, "exhausted": %d, "socket_errors": %d, "busy_us": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), total_ok, total_failed, total_exhausted,
    errors.connect + errors.read + errors.write + errors.timeout,
    math.max(0, ended_us - started_us)
  ))
end
