-- availability.lua — GET /v1/skus/{sku}/availability on random SKUs.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")

function init(args)
  bench.seed()
end

function request()
  local path = "/v1/skus/" .. bench.sku(math.random(0, bench.skus - 1)) .. "/availability"
  return wrk.format("GET", path, bench.headers)
end
