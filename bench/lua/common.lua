-- common.lua — shared by the wrk scripts of bench/run.sh: the token, the SKU
-- space, random distinct SKUs, and a done() that prints one JSON line with
-- throughput, p50/p90/p99/p99.9 latency and error counts ("BENCHJSON {...}").
-- Environment: BENCH_TOKEN (bearer token), BENCH_SKUS (SKUs "SKU-0000000"..).
bench = {}
bench.token = os.getenv("BENCH_TOKEN") or "bench"
bench.skus = tonumber(os.getenv("BENCH_SKUS") or "100000")
bench.headers = {
  ["Authorization"] = "Bearer " .. bench.token,
  ["Content-Type"] = "application/json",
}

function bench.seed()
  -- a different sequence per run and per thread
  local t = tostring({}):match("0x(%x+)") or "0"
  math.randomseed(os.time() + tonumber(t:sub(-6), 16))
end

function bench.sku(i)
  return string.format("SKU-%07d", i)
end

-- three distinct SKU ids and quantities 1..3 as a JSON "lines" array
function bench.lines3()
  local n = bench.skus
  local a = math.random(0, n - 1)
  local b = math.random(0, n - 1)
  while b == a do b = math.random(0, n - 1) end
  local c = math.random(0, n - 1)
  while c == a or c == b do c = math.random(0, n - 1) end
  return string.format('[{"sku":"%s","qty":%d},{"sku":"%s","qty":%d},{"sku":"%s","qty":%d}]',
    bench.sku(a), math.random(1, 3), bench.sku(b), math.random(1, 3), bench.sku(c), math.random(1, 3))
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"mean_us":%.1f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, secs, summary.requests / secs, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
