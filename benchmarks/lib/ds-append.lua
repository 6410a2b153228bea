-- wrk script: Durable Streams appends (POST /v1/stream/{name}) of a fixed body, benchmarks P5.
--   BENCH_BYTES         bytes of each append's body (default 256): "x" repeated
--   BENCH_CONTENT_TYPE  the body's Content-Type (default application/octet-stream); it must be
--                       the stream's, as created
--   BENCH_STREAMS       1 (default): every request goes to the URL given on the command line
--                       (wrk's static request, cheapest for the generator); N > 1: the requests
--                       go round-robin to BENCH_PREFIX .. i for i = 0 … N-1, i as BENCH_DIGITS (4)
--                       digits, each thread starting at a different stream
--   BENCH_PREFIX        path prefix of the N streams, e.g. /v1/stream/p5m-
-- done() prints one machine-readable "WRK ..." line that benchmarks/run parses (as post.lua).

local bytes = tonumber(os.getenv("BENCH_BYTES") or "256")
local ctype = os.getenv("BENCH_CONTENT_TYPE") or "application/octet-stream"
local streams = tonumber(os.getenv("BENCH_STREAMS") or "1")
local prefix = os.getenv("BENCH_PREFIX") or "/v1/stream/p5m-"
local digits = tonumber(os.getenv("BENCH_DIGITS") or "4")

wrk.method = "POST"
wrk.body = string.rep("x", bytes)
wrk.headers["Content-Type"] = ctype

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local reqs, n, i
function init(args)
  if streams > 1 then
    reqs = {}
    for k = 0, streams - 1 do
      reqs[k + 1] = wrk.format("POST", string.format("%s%0" .. digits .. "d", prefix, k))
    end
    n = streams
    -- wrk -t2: thread 0 starts at stream 0, thread 1 half-way round (tid is set by setup)
    i = math.floor((tid or 0) * n / 2) % n
  end
end

if streams > 1 then
  function request()
    i = i + 1
    if i > n then i = 1 end
    return reqs[i]
  end
end

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
