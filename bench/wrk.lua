-- wrk script of bench.run: counts answers other than 200 and reports one JSON line.
-- Headers (cookie, HX-Request …) come with -H on the command line.
local threads = {}

function setup(thread)
  thread:set("not_ok", 0)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do
    not_ok_total = not_ok_total + thread:get("not_ok")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "not_200": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    not_ok_total, e.connect + e.read + e.write + e.timeout))
end
