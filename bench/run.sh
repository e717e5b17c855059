#!/usr/bin/env bash
# bench/run.sh — `make bench`: builds an optimised backorder and the bench
# programs in build-bench, then measures, prints a table and writes
# bench/results/latest.json:
#   1. the engine without HTTP (bench_engine), first, on a rested machine:
#      orders/s, receipt and re-promise on 100,000-line queues, quote and
#      availability latency, start-up and RSS on a database of 1,000,000
#      SKUs and 10,000,000 order lines;
#   2. HTTP over keep-alive on 127.0.0.1 with wrk (1 thread, sharing the
#      machine's 2 cores with the server, as the targets say), at each
#      concurrency of BENCH_CONNS, each run after a warm-up of its own: order placement,
#      availability reads and quotes against `backorder serve` on a database
#      of 100,000 SKUs written directly (bench_seed), and a fixed response
#      from the same HTTP library with no work (bench_fixed); afterwards
#      `backorder check` on the loaded database;
#   3. the SQLite limit: the order transaction in a tight C loop (bench_sqlite);
#   4. the server's peak RSS on the 10M-line database under wrk load (orders,
#      availability, quotes).
# Timing never fails the run: only a build error does.
#
# Environment (defaults for a full run; BENCH_QUICK=1 shrinks them to a
# ~2 minute smoke test):
#   BENCH_DURATION=10   seconds per wrk run        BENCH_CONNS="1 16 64 256"
#   BENCH_HTTP_SKUS=100000                         BENCH_THREADS=2 (server HTTP threads)
#   BENCH_PIN=0         1: server on cpu 0 only, wrk on cpu 1 (isolates the server
#                       on one core; the targets are for the whole machine)
#   BENCH_BIG_DB=build-bench/bench-big-SKUS-LINES.db  the start-up database,
#                       kept and reused (sizes: BENCH_BIG_SKUS, BENCH_BIG_LINES)
#   BENCH_SKIP="..."    any of: http sqlite engine bigload
#   BENCH_RESULTS=bench/results/latest.json        BENCH_KEEP=1 keeps the work dir
#   BENCH_WAIT_QUIET=N  wait up to N s for a load average under 0.5 (shared machines)
#   and the sizes of bench_engine and bench_sqlite (see their headers).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

QUICK=${BENCH_QUICK:-0}
BUILD=${BENCH_BUILD_DIR:-build-bench}
RESULTS=${BENCH_RESULTS:-bench/results/latest.json}
CONNS=${BENCH_CONNS:-"1 16 64 256"}
HTTP_SKUS=${BENCH_HTTP_SKUS:-100000}
THREADS=${BENCH_THREADS:-2}
PIN=${BENCH_PIN:-0}
SKIP=${BENCH_SKIP:-}
TOKEN=bench
if [ "$QUICK" = 1 ]; then
  DUR=${BENCH_DURATION:-2}
  WARMUP=1
  export BENCH_ORDERS=${BENCH_ORDERS:-20000}
  export BENCH_QUEUE_LINES=${BENCH_QUEUE_LINES:-20000}
  export BENCH_REPS=${BENCH_REPS:-1}
  export BENCH_QUOTES=${BENCH_QUOTES:-5000}
  export BENCH_BIG_SKUS=${BENCH_BIG_SKUS:-100000}
  export BENCH_BIG_LINES=${BENCH_BIG_LINES:-1000000}
  export BENCH_RSS_REQUESTS=${BENCH_RSS_REQUESTS:-5000}
  export BENCH_STARTUP_REPS=${BENCH_STARTUP_REPS:-2}
  export BENCH_SQLITE_ORDERS=${BENCH_SQLITE_ORDERS:-50000}
  export BENCH_SQLITE_SINGLE=${BENCH_SQLITE_SINGLE:-1000}
  CHECK_TIMEOUT=60
else
  DUR=${BENCH_DURATION:-10}
  WARMUP=2
  CHECK_TIMEOUT=900
fi
export BENCH_BIG_DB=${BENCH_BIG_DB:-$BUILD/bench-big-${BENCH_BIG_SKUS:-1000000}-${BENCH_BIG_LINES:-10000000}.db}

log() { echo "bench: $*" >&2; }
skipped() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# --- build ----------------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=release -Dwerror=false || exit 1
fi
ninja -C "$BUILD" backorder bench/bench_engine bench/bench_sqlite bench/bench_fixed \
  bench/bench_seed || exit 1
BIN=$ROOT/$BUILD/backorder
BENCHBIN=$ROOT/$BUILD/bench
# what was built: the commit, and whether src/ differed from it at build time
BUILD_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILD_DIRTY=$([ -n "$(git status --porcelain --untracked-files=no src 2>/dev/null)" ] && echo true || echo false)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/backorder-bench.XXXXXX")
RES=$WORK/results.jsonl
: >"$RES"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$WORK"; else log "work files kept in $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRV_PIN=()
WRK_PIN=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  SRV_PIN=(taskset -c 0)
  WRK_PIN=(taskset -c 1)
fi

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() { # url: waits up to 60 s for any HTTP answer
  for _ in $(seq 600); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}

record() { echo "$1" >>"$RES"; }

# bytes and write calls of a process so far (/proc/PID/io), as "wchar syscw"
proc_io() { awk '/^wchar/ {w=$2} /^syscw/ {c=$2} END {print w+0, c+0}' "/proc/$1/io" 2>/dev/null || echo "0 0"; }

# CPU ticks used so far by each thread of a process: "tid ticks" lines
thread_ticks() {
  for f in /proc/"$1"/task/*/stat; do
    awk '{print $1, $14 + $15}' "$f" 2>/dev/null
  done
}

# per-thread CPU % over an interval, busiest first, as a JSON array
thread_cpu_json() { # before-file after-file seconds
  awk -v secs="$3" -v hz="$(getconf CLK_TCK)" 'NR==FNR {b[$1]=$2; next}
    {d=$2-b[$1]; if (d > 0) printf "%.1f\n", 100*d/hz/secs}' "$1" "$2" |
    sort -rn | paste -sd, | sed 's/^/[/; s/$/]/'
}

# run_wrk NAME CONNS URL SCRIPT [warmup]   (IO_PID: the server, for its writes and threads)
# A measured run follows a warm-up of its own (WARMUP seconds, same load): the
# figures are the steady state of that load, not the transient the previous
# workload left (after a run of orders the availability cache has lost every
# SKU the orders wrote, and reads start cold).
run_wrk() {
  local name=$1 c=$2 url=$3 script=$4 dur=$DUR
  if [ "${5:-}" = warmup ]; then
    dur=$WARMUP
  else
    run_wrk "$name" "$c" "$url" "$script" warmup
  fi
  local out io0 io1
  io0=$(proc_io "${IO_PID:-0}")
  [ -n "${IO_PID:-}" ] && thread_ticks "$IO_PID" >"$WORK/ticks0"
  local t0 t1
  t0=$(date +%s.%N)
  out=$("${WRK_PIN[@]}" wrk -t1 -c"$c" -d"${dur}s" --timeout 10s --latency \
    -s "bench/lua/$script" "$url" 2>&1)
  t1=$(date +%s.%N)
  io1=$(proc_io "${IO_PID:-0}")
  [ -n "${IO_PID:-}" ] && thread_ticks "$IO_PID" >"$WORK/ticks1"
  [ "${5:-}" = warmup ] && return 0
  local threads="[]"
  [ -n "${IO_PID:-}" ] && threads=$(thread_cpu_json "$WORK/ticks0" "$WORK/ticks1" \
    "$(awk "BEGIN{print $t1-$t0}")")
  [ "$threads" = "[]" ] || [ -z "$threads" ] && threads="[]"
  echo "$out" >"$WORK/wrk-$name-$c.txt"
  local line
  line=$(echo "$out" | grep '^BENCHJSON ' | tail -1 | cut -c11-)
  if [ -z "$line" ]; then
    log "$name c=$c: no result from wrk (see $WORK/wrk-$name-$c.txt)"
    echo "$out" | tail -5 >&2
    return 0
  fi
  local io
  io=$(echo "$io0 $io1" | awk -v th="$threads" '{printf "{\"server_write_bytes\":%d,\"server_write_calls\":%d,\"server_threads_cpu_pct\":%s}", $3-$1, $4-$2, th}')
  record "{\"kind\":\"http\",\"workload\":\"$name\",\"conns\":$c,\"result\":$line,\"io\":$io}"
  log "$(printf '%-12s c=%-3s %s' "$name" "$c" "$(echo "$line" | "$PY" -c 'import json,sys; r=json.load(sys.stdin); print("%9.0f req/s  p50 %6.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  non-2xx %d" % (r["rps"], r["p50_us"]/1e3, r["p99_us"]/1e3, r["p999_us"]/1e3, r["err_status"]))')")"
}

# On a shared machine, wait (up to BENCH_WAIT_QUIET seconds) for the 1-minute load
# average to fall under 0.5 before measuring; the load is recorded either way.
if [ "${BENCH_WAIT_QUIET:-0}" -gt 0 ]; then
  for _ in $(seq "$BENCH_WAIT_QUIET"); do
    awk '{exit !($1 < 0.5)}' /proc/loadavg && break
    sleep 1
  done
fi
record "{\"kind\":\"loadavg_start\",\"result\":[$(awk '{print $1","$2","$3}' /proc/loadavg)]}"
record "{\"kind\":\"build\",\"result\":{\"commit\":\"$BUILD_COMMIT\",\"src_modified\":$BUILD_DIRTY}}"

# --- 1. engine without HTTP ---------------------------------------------------------
# First, on a rested machine: its figures are absolute times, and this VM gives
# less CPU after minutes of load on both cores (the same binary: re-promise
# 323 ms and receipt 194 ms when run alone, 493-711 ms and 238-304 ms after
# the HTTP part). The HTTP figures are read as ratios to the fixed response,
# measured interleaved with them.
if ! skipped engine; then
  log "engine (bench_engine); start-up database $BENCH_BIG_DB"
  out=$(BENCH_DIR=$WORK/engine BACKORDER_BIN=$BIN "$BENCHBIN/bench_engine")
  [ -n "$out" ] && record "{\"kind\":\"engine\",\"result\":$(echo "$out" | tr -d '\n')}"
fi

# --- 2. HTTP --------------------------------------------------------------------
export BENCH_LUA_DIR=$ROOT/bench/lua BENCH_TOKEN=$TOKEN BENCH_SKUS=$HTTP_SKUS
if ! skipped http; then
  log "seeding $HTTP_SKUS SKUs"
  seed=$("$BENCHBIN/bench_seed" --db "$WORK/http.db" --skus "$HTTP_SKUS" --token "$TOKEN" \
    2>/dev/null)
  record "{\"kind\":\"seed\",\"result\":$seed}"
  sync "$WORK/http.db" # written back before it is measured (see the big database below)
  PORT=$(free_port)
  # the server logs one line per request to stderr: discarded, as a log shipper would take it
  "${SRV_PIN[@]}" "$BIN" serve --db "$WORK/http.db" --listen "127.0.0.1:$PORT" \
    --admin-token "$TOKEN" --threads "$THREADS" 2>/dev/null &
  SRV=$!
  PIDS+=("$SRV")
  FPORT=$(free_port)
  "${SRV_PIN[@]}" "$BENCHBIN/bench_fixed" --port "$FPORT" --threads "$THREADS" >/dev/null &
  FIX=$!
  PIDS+=("$FIX")
  if wait_http "http://127.0.0.1:$PORT/healthz" && wait_http "http://127.0.0.1:$FPORT/"; then
    U=http://127.0.0.1:$PORT
    F=http://127.0.0.1:$FPORT
    # interleaved per concurrency, so drift of this noisy machine hits all alike
    for c in $CONNS; do
      IO_PID=$FIX run_wrk fixed "$c" "$F" fixed.lua
      IO_PID=$SRV run_wrk orders "$c" "$U" orders.lua
      IO_PID=$SRV run_wrk availability "$c" "$U" availability.lua
      IO_PID=$SRV run_wrk quotes "$c" "$U" quotes.lua
    done
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$SRV/status" 2>/dev/null || echo 0)
    kill "$SRV" "$FIX"
    wait "$SRV" "$FIX" 2>/dev/null
    PIDS=()
    orders=$(sqlite3 "$WORK/http.db" "SELECT count(*) FROM orders" 2>/dev/null || echo -1)
    lines=$(sqlite3 "$WORK/http.db" "SELECT count(*) FROM order_lines" 2>/dev/null || echo -1)
    log "backorder check on the loaded database ($orders orders, $lines lines)"
    t0=$(date +%s.%N)
    check_out=$(timeout "$CHECK_TIMEOUT" "$BIN" check --db "$WORK/http.db" 2>&1)
    check_rc=$?
    t1=$(date +%s.%N)
    echo "$check_out" | tail -3 >&2
    check_msg=$(echo "$check_out" | tail -1 | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')
    record "{\"kind\":\"http_after\",\"result\":{\"server_peak_rss_mb\":$(awk "BEGIN{print ${rss:-0}/1024}"),\"orders\":$orders,\"order_lines\":$lines,\"check_exit\":$check_rc,\"check_seconds\":$(awk "BEGIN{print $t1-$t0}"),\"check_last_line\":$check_msg}}"
  else
    log "a server did not start; HTTP benchmarks skipped"
  fi
fi

# --- 3. SQLite limit --------------------------------------------------------------
if ! skipped sqlite; then
  log "SQLite limit (bench_sqlite)"
  out=$(BENCH_DIR=$WORK/sqlite "$BENCHBIN/bench_sqlite")
  [ -n "$out" ] && record "{\"kind\":\"sqlite\",\"result\":$out}"
fi

# --- 4. memory under HTTP load on the big database ---------------------------------------
# The start-up database again (a copy), served under wrk: orders at 64 connections,
# availability at 256, quotes at 64; the server's peak RSS (VmHWM) afterwards.
if ! skipped engine && ! skipped bigload && [ -f "$BENCH_BIG_DB" ]; then
  log "memory under load on a copy of $BENCH_BIG_DB"
  cp "$BENCH_BIG_DB" "$WORK/big-http.db"
  # on disk before the server starts: 1 GB still being written back from the copy
  # made the log's flushes wait (p99 of the orders 390-570 ms instead of ~30 ms)
  sync "$WORK/big-http.db"
  PORT=$(free_port)
  "${SRV_PIN[@]}" "$BIN" serve --db "$WORK/big-http.db" --listen "127.0.0.1:$PORT" \
    --admin-token "$TOKEN" --threads "$THREADS" 2>/dev/null &
  SRV=$!
  PIDS+=("$SRV")
  if wait_http "http://127.0.0.1:$PORT/healthz"; then
    U=http://127.0.0.1:$PORT
    export BENCH_SKUS=${BENCH_BIG_SKUS:-1000000}
    rss0=$(awk '/VmRSS/ {print $2}' "/proc/$SRV/status")
    IO_PID=$SRV run_wrk big-orders 64 "$U" orders.lua
    IO_PID=$SRV run_wrk big-availability 256 "$U" availability.lua
    IO_PID=$SRV run_wrk big-quotes 64 "$U" quotes.lua
    read -r rss hwm < <(awk '/VmRSS/ {r=$2} /VmHWM/ {h=$2} END {print r, h}' "/proc/$SRV/status")
    record "{\"kind\":\"bigload\",\"result\":{\"skus\":$BENCH_SKUS,\"lines\":${BENCH_BIG_LINES:-10000000},\"rss_ready_mb\":$(awk "BEGIN{print $rss0/1024}"),\"rss_after_mb\":$(awk "BEGIN{print $rss/1024}"),\"hwm_mb\":$(awk "BEGIN{print $hwm/1024}")}}"
    log "server RSS on the big database: $((rss0 / 1024)) MB ready, $((rss / 1024)) MB after, peak $((hwm / 1024)) MB"
    export BENCH_SKUS=$HTTP_SKUS
  fi
  kill "$SRV" 2>/dev/null
  wait "$SRV" 2>/dev/null
  PIDS=()
  rm -f "$WORK"/big-http.db*
fi

# --- report -----------------------------------------------------------------------
mkdir -p "$(dirname "$RESULTS")"
BENCH_MODE=$([ "$QUICK" = 1 ] && echo quick || echo full) BENCH_DURATION=$DUR \
  BENCH_CONNS=$CONNS BENCH_THREADS=$THREADS BENCH_PINNED=$([ ${#SRV_PIN[@]} -gt 0 ] && echo 1 || echo 0) \
  "$PY" bench/report.py "$RES" "$RESULTS"
exit 0
