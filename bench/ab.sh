#!/bin/bash
# ab.sh — compare server binaries on identical HTTP runs, alternated.
#
#   bench/ab.sh WORKLOAD CONNS SECONDS DIR...
#
# Each DIR is a build directory (e.g. build-bench, or another worktree's) with
# `backorder` and `bench/bench_seed` built from the same commit (the seed
# writes that commit's schema). For each round (BENCH_AB_ROUNDS, 2) and each
# DIR in turn: a fresh database of BENCH_SKUS (100,000) SKUs, synced, the
# server started, 2 s of warm-up, then SECONDS of wrk at CONNS connections
# with bench/lua/WORKLOAD.lua; one line per run. On a shared or throttled
# machine, single runs differ by 10-30 %: read the pairs, not one figure.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 4 ] || { sed -n 2,12p "$0" >&2; exit 2; }
W=$1 C=$2 D=$3
shift 3
TOKEN=bench
export BENCH_LUA_DIR=$ROOT/bench/lua BENCH_TOKEN=$TOKEN BENCH_SKUS=${BENCH_SKUS:-100000}
PY=/usr/bin/python3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/backorder-ab.XXXXXX")
SRV=
cleanup() {
  [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM PIPE
port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for _ in $(seq "${BENCH_AB_ROUNDS:-2}"); do
  for dir in "$@"; do
    rm -f "$WORK"/ab.db*
    "$dir/bench/bench_seed" --db "$WORK/ab.db" --skus "$BENCH_SKUS" --token "$TOKEN" >/dev/null 2>&1 ||
      { echo "ab: $dir/bench/bench_seed failed" >&2; exit 1; }
    sync "$WORK/ab.db"
    P=$(port)
    "$dir/backorder" serve --db "$WORK/ab.db" --listen "127.0.0.1:$P" --admin-token "$TOKEN" \
      --threads 2 2>/dev/null &
    SRV=$!
    for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$P/healthz" && break; sleep 0.05; done
    wrk -t1 -c"$C" -d2s -s "$ROOT/bench/lua/$W.lua" "http://127.0.0.1:$P" >/dev/null 2>&1
    out=$(wrk -t1 -c"$C" -d"${D}s" --latency -s "$ROOT/bench/lua/$W.lua" "http://127.0.0.1:$P" 2>&1 |
      grep '^BENCHJSON ' | cut -c11-)
    kill "$SRV"
    wait "$SRV" 2>/dev/null
    SRV=
    printf '%-28s %s c=%s: ' "$dir" "$W" "$C"
    echo "${out:-{\}}" | "$PY" -c 'import json,sys
r = json.load(sys.stdin)
print("no result" if not r else "%8.0f req/s  p50 %6.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  non-2xx %d" %
      (r["rps"], r["p50_us"] / 1e3, r["p99_us"] / 1e3, r["p999_us"] / 1e3, r["err_status"]))'
  done
done
