-- post.lua - wrk script for test/bench/run.sh.
--
-- POSTs one AdmissionReview, read from the file named by $BENCH_BODY, with
-- Content-Type: application/json, on every request (the request is built once
-- per thread: wrk sends the same bytes each time).
--
-- Environment:
--   BENCH_BODY          file whose bytes are the request body (required)
--   BENCH_MAX_REQUESTS  stop once this many responses have arrived in total
--                       (split evenly over BENCH_THREADS threads); 0 or unset:
--                       run for -d. A stopped thread appends a line to
--                       $BENCH_STOPPED_FILE: wrk itself only exits at -d (or on
--                       SIGINT, which run.sh sends once every thread stopped)
--   BENCH_THREADS       wrk's -t, for the split above
--   BENCH_NO_RESPONSE   if set to 1, do not define response(): wrk then neither
--                       keeps response headers/bodies nor calls Lua per response,
--                       and only statuses > 399 are counted as errors (wrk's own
--                       rule). Used to measure what the Lua hook costs.
--
-- done() prints one line that run.sh parses:
--   BENCH requests=N duration_us=N rps=F p50_us=N p99_us=N p999_us=N max_us=N
--         connect=N read=N write=N timeout=N status=N non2xx=N
-- where non2xx counts every response whose status is not 2xx (wrk's own
-- "status" counter only counts > 399).

local body_path = os.getenv("BENCH_BODY")
if body_path == nil or body_path == "" then
   error("post.lua: set BENCH_BODY to the request body file")
end
local f = assert(io.open(body_path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local max_total = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "0") or 0

-- ---- main Lua state: one setup() call per thread, then done() ----------
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- ---- per-thread Lua states ---------------------------------------------
local quota = 0 -- responses this thread may receive before it stops
responses = 0   -- globals, so that done() can read them with thread:get()
non2xx = 0

function init(args)
   local n = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
   if max_total > 0 then
      quota = math.ceil(max_total / n)
   end
end

if os.getenv("BENCH_NO_RESPONSE") ~= "1" then
   function response(status, headers, resp_body)
      responses = responses + 1
      if status < 200 or status > 299 then
         non2xx = non2xx + 1
      end
      if quota > 0 and responses == quota then
         wrk.thread:stop()
         local path = os.getenv("BENCH_STOPPED_FILE")
         if path and path ~= "" then
            local m = io.open(path, "a")
            if m then
               m:write("stopped\n")
               m:close()
            end
         end
      end
   end
end

function done(summary, latency, requests)
   local bad = 0
   for _, t in ipairs(threads) do
      bad = bad + (tonumber(t:get("non2xx")) or 0)
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH requests=%d duration_us=%d rps=%.2f p50_us=%d p99_us=%d p999_us=%d max_us=%d " ..
      "connect=%d read=%d write=%d timeout=%d status=%d non2xx=%d\n",
      summary.requests, summary.duration, summary.requests / secs,
      latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
      e.connect, e.read, e.write, e.timeout, e.status, bad))
end
