-- wrk script: Hrana execute of SELECT 1 + close on /v2/pipeline, as @libsql/client sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("SLUICE_AUTH_TOKEN") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SLUICE_AUTH_TOKEN")
end
wrk.body = '{"requests":[{"type":"execute","stmt":{"sql":"SELECT 1","args":[],"named_args":[],"want_rows":true}},{"type":"close"}]}'

function done(summary, latency, requests)
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  max %.2f ms  non-2xx+socket errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
