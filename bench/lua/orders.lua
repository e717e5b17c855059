-- orders.lua — POST /v1/orders: 3 lines on distinct random SKUs of the
-- 100,000 (even ones in stock, odd ones on backorder behind a PO), 1..3
-- units each; the server generates the order ids.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")
local n = 0

function init(args)
  bench.seed()
end

function request()
  n = n + 1
  local body = string.format('{"customer":{"id":"c-%d"},"lines":%s}', n % 10000, bench.lines3())
  return wrk.format("POST", "/v1/orders", bench.headers, body)
end
