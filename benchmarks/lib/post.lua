-- wrk script: POST one fixed write body (SPEC §3) on every request.
--   BENCH_RECORDS     records per request (default 1)
--   BENCH_DATA_BYTES  serialized size of each record's "data" in bytes (default 100, at least 14)
--   BENCH_AUTH        an Authorization header value to send (default none)
-- The body is built once and sent as wrk's static request (cheapest for the generator).
-- done() prints one machine-readable "WRK ..." line that benchmarks/run parses.

local records = tonumber(os.getenv("BENCH_RECORDS") or "1")
local data_bytes = tonumber(os.getenv("BENCH_DATA_BYTES") or "100")
local pad = data_bytes - #'{"n":1,"s":""}'
if pad < 0 then pad = 0 end
local record = '{"data":{"n":1,"s":"' .. string.rep("x", pad) .. '"}}'
local parts = {}
for i = 1, records do parts[i] = record end

wrk.method = "POST"
wrk.body = '{"records":[' .. table.concat(parts, ",") .. ']}'
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth and #auth > 0 then wrk.headers["Authorization"] = auth end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "WRK requests=%d duration_s=%.3f bytes_in=%d rps=%.2f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mean_ms=%.3f max_ms=%.3f " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d body_bytes=%d\n",
    summary.requests, secs, summary.bytes, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, #wrk.body))
end
