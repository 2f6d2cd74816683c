-- pace.lua - wrk script for test/soak/soak.sh: POSTs $SOAK_BODY with
-- Content-Type application/json, each connection waiting $SOAK_DELAY_MS
-- between requests (wrk's delay() hook), so the total rate is about
-- connections * 1000 / SOAK_DELAY_MS. done() prints the request and error
-- counts (non-2xx included) as one line soak.sh parses.
local f = assert(io.open(os.getenv("SOAK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "0") or 0
local threads = {}
bad = 0

function setup(thread)
   table.insert(threads, thread)
end

function delay()
   return delay_ms
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      bad = bad + 1
   end
end

function done(summary, latency, requests)
   local nb = 0
   for _, t in ipairs(threads) do
      nb = nb + t:get("bad")
   end
   local e = summary.errors
   io.write(string.format("SOAK requests=%d errors=%d p99_us=%d\n", summary.requests,
      nb + e.connect + e.read + e.write + e.timeout + e.status, latency:percentile(99)))
end
