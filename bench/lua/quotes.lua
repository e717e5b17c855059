-- quotes.lua — POST /v1/quotes: what an order of 3 random lines would get.
dofile((os.getenv("BENCH_LUA_DIR") or "bench/lua") .. "/common.lua")

function init(args)
  bench.seed()
end

function request()
  return wrk.format("POST", "/v1/quotes", bench.headers, '{"lines":' .. bench.lines3() .. '}')
end
