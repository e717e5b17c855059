#!/usr/bin/env python3
"""report.py RESULTS.jsonl OUT.json — the table and latest.json of bench/run.sh.

Reads the JSON lines written by run.sh (one per measurement), adds the date
and the machine, evaluates the targets of issue 5, prints a table and writes
OUT.json. Never fails on a missed target.
"""
import datetime
import json
import os
import platform
import subprocess
import sys


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001 - machine info is best effort
        return ""


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_mb = 0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_mb": mem_mb,
        "kernel": platform.release(),
        "os": sh(". /etc/os-release 2>/dev/null && echo \"$PRETTY_NAME\""),
        "compiler": sh("cc --version | head -1"),
        "libmicrohttpd": sh("pkg-config --modversion libmicrohttpd"),
        "sqlite": sh("pkg-config --modversion sqlite3"),
        "jansson": sh("pkg-config --modversion jansson"),
        "wrk": sh("wrk -v 2>&1 | head -1").split(" Copyright")[0],
        "git_commit": sh("git rev-parse --short HEAD"),
        "git_dirty": sh("git status --porcelain --untracked-files=no src") != "",
        "git_head_at_report": sh("git rev-parse --short HEAD"),
        "loadavg_at_report": [round(x, 2) for x in os.getloadavg()],
    }


def load(path):
    out = {"http": {}, "seed": None, "http_after": None, "sqlite": None, "engine": None,
           "bigload": None, "loadavg_start": None, "build": None}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                print("report: skipping a malformed result line", file=sys.stderr)
                continue
            if r["kind"] == "http":
                res = dict(r["result"])
                if r.get("io") and res.get("requests"):
                    res["server_write_bytes"] = r["io"]["server_write_bytes"]
                    res["server_write_kib_per_request"] = round(
                        r["io"]["server_write_bytes"] / 1024 / res["requests"], 2)
                    res["server_write_calls_per_request"] = round(
                        r["io"]["server_write_calls"] / res["requests"], 2)
                    res["server_threads_cpu_pct"] = r["io"].get("server_threads_cpu_pct", [])
                    # CPU per request is steadier than req/s on a machine whose
                    # capacity drifts: compare builds on it too
                    if res["server_threads_cpu_pct"] and res.get("rps"):
                        res["server_cpu_us_per_request"] = round(
                            sum(res["server_threads_cpu_pct"]) / 100 * 1e6 / res["rps"], 1)
                out["http"].setdefault(r["workload"], {})[str(r["conns"])] = res
            else:
                out[r["kind"]] = r["result"]
    return out


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def target(name, measured, op, goal, unit, note="", at_size=True):
    """One target: met or missed, and by how much."""
    if measured is None:
        return {"target": name, "goal": f"{op} {goal:g} {unit}", "measured": None,
                "met": None, "margin": "not measured", "note": note}
    met = measured >= goal if op == ">=" else measured < goal
    if op == ">=":
        ratio = measured / goal if goal else 0
        margin = (f"met, x{ratio:.2f} of the goal" if met else
                  f"missed by {100 * (1 - ratio):.0f}% (x{goal / measured:.1f} needed)"
                  if measured > 0 else "missed")
    else:
        ratio = measured / goal if goal else 0
        margin = (f"met, {100 * ratio:.0f}% of the budget" if met else
                  f"missed: x{ratio:.1f} the budget")
    t = {"target": name, "goal": f"{op} {goal:g} {unit}", "measured": round(measured, 3),
         "unit": unit, "met": met, "margin": margin}
    if note:
        t["note"] = note
    if not at_size:
        t["met"] = None
        t["margin"] = "not at the target size: " + margin
    return t


def targets(r):
    http = r["http"]
    eng = r["engine"] or {}
    t = []
    o64 = get(http, "orders", "64")
    f64 = get(http, "fixed", "64")
    a64 = get(http, "availability", "64")
    t.append(target("orders/s at 64 connections", o64 and o64["rps"], ">=", 20000, "orders/s"))
    t.append(target("order p99 at 64 connections", o64 and o64["p99_us"] / 1000, "<", 10, "ms"))
    if o64 and f64:
        t.append(target("orders/s vs fixed-response rate at 64", o64["rps"] / f64["rps"], ">=",
                        1 / 3, "x fixed", f"fixed {f64['rps']:.0f} req/s"))
    else:
        t.append(target("orders/s vs fixed-response rate at 64", None, ">=", 1 / 3, "x fixed"))
    if a64 and f64:
        t.append(target("availability reads vs fixed at 64", a64["rps"] / f64["rps"], ">=", 0.6,
                        "x fixed", f"availability {a64['rps']:.0f} req/s"))
    else:
        t.append(target("availability reads vs fixed at 64", None, ">=", 0.6, "x fixed"))
    q = eng.get("queues") or {}
    n = q.get("queue_lines")
    size_ok = n == 100000
    for key, name, goal in (("repromise", "re-promise of 100,000 lines (PO delayed)", 100),
                            ("receipt", "receipt allocating to 100,000 lines", 200)):
        v = get(q, key, "total_ms")
        t.append(target(name, v, "<", goal, "ms",
                        f"{n} lines; work {get(q, key, 'work_ms_median') or 0:.0f} ms (median) + "
                        f"commit {get(q, key, 'commit_ms') or 0:.0f} ms" if n else "", size_ok))
    s = eng.get("startup") or {}
    big_ok = s.get("skus") == 1000000 and s.get("lines") == 10000000
    note = f"{s.get('skus')} skus, {s.get('lines')} lines" if s else ""
    big = r.get("bigload") or {}
    peaks = [x for x in (s.get("hwm_after_load_mb"), big.get("hwm_mb")) if x is not None]
    t.append(target("RSS with the 10M-line database (peak under load)",
                    max(peaks) if peaks else None, "<", 100, "MB",
                    note + f"; sequential mixed load {s.get('hwm_after_load_mb') or 0:.1f} MB,"
                    f" wrk load {big.get('hwm_mb') or 0:.1f} MB", big_ok))
    t.append(target("start-up with the 10M-line database", s.get("startup_ms_median"), "<", 1000,
                    "ms", note, big_ok))
    return t


def fmt_ms(us):
    return f"{us / 1000:8.2f}"


def print_table(doc):
    p = print
    m = doc["machine"]
    p("")
    p(f"backorder benchmarks — {doc['date']} — {doc['mode']} run")
    p(f"machine: {m['nproc']} x {m['cpu_model']}, {m['mem_mb']} MB, {m['os']}, "
      f"commit {m['git_commit']}{' (src modified)' if m['git_dirty'] else ''}; load average "
      f"{m.get('loadavg_at_start')} at start, {m.get('loadavg_at_report')} at the end")
    cfg = doc["config"]
    p(f"HTTP: wrk 1 thread{' on cpu 1, server on cpu 0' if cfg['pinned'] else ' and the server sharing both cores'}, "
      f"{cfg['duration_s']} s per run, server --threads {cfg['server_threads']}, "
      f"{cfg['http_skus']} SKUs")
    http = doc["http"]
    if http:
        p("")
        p(f"{'workload':<13}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'p99.9 ms':>10}{'non-2xx':>9}{'x fixed':>9}{'KiB written/req':>17}"
          f"{'cpu us/req':>11}  server threads cpu %")
        for w in ("fixed", "orders", "availability", "quotes"):
            for c in doc["config"]["conns"]:
                r = get(http, w, str(c))
                if not r:
                    continue
                f = get(http, "fixed", str(c))
                rel = f"{r['rps'] / f['rps']:8.2f}" if f and f["rps"] else "       -"
                errs = r["err_status"] + r["err_connect"] + r["err_read"] + r["err_timeout"]
                kib = r.get("server_write_kib_per_request")
                kib = f"{kib:16.2f}" if kib is not None else f"{'-':>16}"
                th = ",".join(f"{x:.0f}" for x in r.get("server_threads_cpu_pct", [])[:4])
                cpu = r.get("server_cpu_us_per_request")
                cpu = f"{cpu:11.1f}" if cpu is not None else f"{'-':>11}"
                p(f"{w:<13}{c:>6}{r['rps']:>10.0f}{fmt_ms(r['p50_us']):>9}{fmt_ms(r['p99_us']):>9}"
                  f"{fmt_ms(r['p999_us']):>10}{errs:>9} {rel} {kib}{cpu}  {th}")
        after = doc.get("http_after")
        if after:
            p(f"after the load: {after['orders']} orders, {after['order_lines']} lines; "
              f"server peak RSS {after['server_peak_rss_mb']:.1f} MB; backorder check: "
              f"{after['check_last_line']} (exit {after['check_exit']}, "
              f"{after['check_seconds']:.1f} s)")
    sq = doc.get("sqlite")
    if sq:
        p("")
        p(f"SQLite limit ({sq['sqlite_version']}, WAL, synchronous=FULL, {sq['batch']} per txn):")
        for key, label in (("minimal", "read SKU + update + order + 2 lines"),
                           ("savepoint", "same, savepoint per order"),
                           ("single_txn", "same, one transaction per order"),
                           ("schema_3_lines", "backorder schema, 3 full lines"),
                           ("schema_lean", "same, counters-only SKU update")):
            if f"{key}_orders_per_s" in sq:
                p(f"  {label:<48} {sq[key + '_orders_per_s']:>9.0f} orders/s "
                  f"{sq.get(key + '_kib_per_order', 0):>7.1f} KiB written/order")
        q = sq.get("queue")
        if q:
            for key, label in (("rows", "a row per line"),
                               ("chunks", f"{q['chunk_lines']} lines packed in a row")):
                r = q[key]
                p(f"  queue of {q['lines']} lines, {label:<26} read {r['read_ms']:6.1f} ms, "
                  f"re-date {r['redate_ms']:6.1f} + commit {r['commit_ms']:5.1f} ms, "
                  f"add one {r['add_us']:4.1f} us")
    eng = doc.get("engine") or {}
    if eng:
        p("")
        p("engine without HTTP:")
        o = eng.get("orders")
        if o:
            for k, label in (("place", "bo_order_place"), ("place_render", "+ response JSON")):
                x = o.get(k)
                if x:
                    p(f"  orders, {label:<16} {x['orders_per_s']:>9.0f} orders/s  "
                      f"({x['us_per_order_work']:.0f} us work/order, commit "
                      f"{x['commit_ms_per_batch']:.1f} ms per {o['batch']}, "
                      f"{x.get('write_kib_per_order', 0):.1f} KiB written/order)")
        q = eng.get("queues")
        if q:
            for k, label in (("repromise", "re-promise"), ("receipt", "receipt")):
                x = q.get(k)
                if x:
                    first = x["runs"][0]["work_ms"] if x.get("runs") else 0
                    p(f"  {label:<10} {q['queue_lines']} lines: work {x['work_ms_median']:.0f} ms "
                      f"(median; the first {first:.0f}) + commit {x['commit_ms']:.0f} ms = "
                      f"{x['total_ms']:.0f} ms")
        rd = eng.get("reads")
        if rd:
            for k in ("quote", "availability"):
                x = rd.get(k)
                if x:
                    p(f"  {k:<12} p50 {x['p50_us']:.1f} us, p99 {x['p99_us']:.1f} us, "
                      f"mean {x['mean_us']:.1f} us")
        s = eng.get("startup")
        if s and s.get("runs"):
            p(f"  start-up on {s['skus']} skus / {s['lines']} lines ({s.get('db_mb', 0):.0f} MB): "
              f"{s.get('startup_ms_median', 0):.1f} ms to /healthz; RSS ready "
              f"{s.get('rss_ready_mb', 0):.1f} MB, after load {s.get('rss_after_load_mb', 0):.1f}"
              f" MB (peak {s.get('hwm_after_load_mb', 0):.1f} MB)")
    big = doc.get("bigload")
    if big:
        p(f"  server on the {big['lines']}-line database under wrk load: RSS "
          f"{big['rss_ready_mb']:.1f} MB ready, {big['rss_after_mb']:.1f} MB after, "
          f"peak {big['hwm_mb']:.1f} MB")
        for w in ("big-orders", "big-availability", "big-quotes"):
            for c, x in (doc["http"].get(w) or {}).items():
                p(f"    {w:<17} c={c:<4} {x['rps']:>8.0f} req/s  p99 {x['p99_us'] / 1000:.2f} ms")
    p("")
    p("targets (issue 5):")
    for t in doc["targets"]:
        mark = {True: "MET   ", False: "MISSED", None: "  -   "}[t["met"]]
        meas = "-" if t["measured"] is None else f"{t['measured']:g} {t.get('unit', '')}"
        p(f"  {mark} {t['target']:<58} {t['goal']:<16} {meas:<20} {t['margin']}")
    p("")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    r = load(sys.argv[1])
    conns = [int(c) for c in os.environ.get("BENCH_CONNS", "1 16 64 256").split()]
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": os.environ.get("BENCH_MODE", "full"),
        "machine": machine(),
        "config": {
            "duration_s": float(os.environ.get("BENCH_DURATION", "10")),
            "conns": conns,
            "server_threads": int(os.environ.get("BENCH_THREADS", "2")),
            "pinned": os.environ.get("BENCH_PINNED", "0") == "1",
            "http_skus": int(os.environ.get("BENCH_HTTP_SKUS", os.environ.get("BENCH_SKUS", "100000"))),
            "wrk": "1 thread, keep-alive, --latency, 127.0.0.1",
        },
        "seed": r["seed"],
        "http": r["http"],
        "http_after": r["http_after"],
        "sqlite": r["sqlite"],
        "engine": r["engine"],
        "bigload": r["bigload"],
    }
    doc["machine"]["loadavg_at_start"] = r["loadavg_start"]
    if r["build"]:  # the commit built and measured (HEAD may have moved during the run)
        doc["machine"]["git_commit"] = r["build"]["commit"]
        doc["machine"]["git_dirty"] = r["build"]["src_modified"]
    doc["targets"] = targets(r)
    with open(sys.argv[2], "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print_table(doc)
    print(f"results written to {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
