-- fixed.lua — GET / on bench_fixed (a fixed response, no work behind it),
-- with the same headers as the availability requests.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")
local req

function request()
  if not req then req = wrk.format("GET", "/", bench.headers) end
  return req
end
