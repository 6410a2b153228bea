-- wrk script: plain GET of the URL given on the command line (static request).
-- done() prints one machine-readable "WRK ..." line that benchmarks/run parses.

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "WRK requests=%d duration_s=%.3f bytes_in=%d rps=%.2f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mean_ms=%.3f max_ms=%.3f " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d body_bytes=0\n",
    summary.requests, secs, summary.bytes, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
