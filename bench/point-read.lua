-- wrk script: Hrana execute of a point read by primary key (random id in 1..ROWS) + close on
-- /v2/pipeline. bench/run-point-read.sh creates and fills the bench_kv table it reads (through Sluice) first.
local rows = tonumber(os.getenv("ROWS") or "100000")
-- POINT_READ_SQL reads another table (bench/run-pgbouncer.sh: the sluice_bench table of `sluice bench`)
local sql = os.getenv("POINT_READ_SQL") or "SELECT id, name, score FROM bench_kv WHERE id = ?"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("SLUICE_AUTH_TOKEN") then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("SLUICE_AUTH_TOKEN")
end

function request()
  local id = math.random(1, rows)
  return wrk.format(nil, nil, nil,
    '{"requests":[{"type":"execute","stmt":{"sql":"' .. sql .. '",' ..
    '"args":[{"type":"integer","value":"' .. id .. '"}]}},{"type":"close"}]}')
end

function done(summary, latency, requests)
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  max %.2f ms  non-2xx+socket errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
