/* gen.c — a benchmark database written directly with SQL; see gen.h. */
#include "gen.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "store/schema_sqlite.h"
#include "store/store.h"

#define GEN_COMMIT_ROWS 1000000 /* rows per transaction */
#define GEN_PO_LINES 100        /* lines per purchase order (the API's maximum) */
#define GEN_HANDLING_DAYS 1
#define GEN_LEAD_DAYS 14

void bench_sku_id(int64_t i, char *buf) { snprintf(buf, 32, "SKU-%07lld", (long long)i); }

static bool in_stock(int64_t i) { return i % 2 == 0; }

/* The PO of backordered SKU i: number, line and ETA. */
static int64_t po_of(int64_t i) { return (i / 2) / GEN_PO_LINES; }
static int po_line_of(int64_t i) { return (int)((i / 2) % GEN_PO_LINES) + 1; }
static bo_day po_eta(int64_t po, bo_day today) { return today + 7 + (bo_day)(po % 28); }

/* The sizes and the schema (a hash of every migration's text): a database
 * written for another schema is written again. */
static void gen_fingerprint(const bench_gen *g, char *buf, size_t size) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (int m = 0; m < BO__SQLITE_SCHEMA_VERSION; m++)
    for (const char *p = bo__sqlite_migrations[m]; *p; p++)
      h = (h ^ (unsigned char)*p) * 1099511628211ull;
  snprintf(buf, size, "v1 skus=%lld lines=%lld stock=%lld po_qty=%lld schema=%016llx",
           (long long)g->skus, (long long)g->lines, (long long)g->stock, (long long)g->po_qty,
           (unsigned long long)h);
}

static int exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "gen: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
    fprintf(stderr, "gen: prepare %s: %s\n", sql, sqlite3_errmsg(db));
  return s;
}

static int step(sqlite3 *db, sqlite3_stmt *s) {
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "gen: %s: %s\n", sqlite3_sql(s), sqlite3_errmsg(db));
    return -1;
  }
  return 0;
}

bool bench_gen_matches(const char *path, const bench_gen *g) {
  if (access(path, R_OK) != 0) return false;
  sqlite3 *db = NULL;
  bool same = false;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='bench_gen'", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      char want[160];
      gen_fingerprint(g, want, sizeof want);
      same = strcmp((const char *)sqlite3_column_text(s, 0), want) == 0;
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return same;
}

typedef struct gen_state {
  sqlite3 *db;
  const bench_gen *g;
  bo_day today;
  int64_t rows;       /* since the last commit */
  int64_t *allocated; /* per SKU, over open lines */
  int64_t *backordered;
  double t0;
} gen_state;

static int maybe_commit(gen_state *s) {
  if (++s->rows < GEN_COMMIT_ROWS) return 0;
  s->rows = 0;
  return exec(s->db, "COMMIT; BEGIN");
}

/* Orders of 3 lines (the last may have fewer) until g->lines lines exist. */
static int gen_orders(gen_state *s) {
  const bench_gen *g = s->g;
  if (g->lines <= 0) return 0;
  if (g->skus < 3) {
    fprintf(stderr, "gen: order lines need at least 3 skus\n");
    return -1;
  }
  sqlite3_stmt *o = prep(s->db,
                         "INSERT INTO orders(id,seq,customer_id,customer_email,tier,ship_policy,"
                         "need_by,if_late,status,created_at,updated_at)"
                         " VALUES(?1,?2,?3,'',0,0,NULL,0,?4,?5,?5)");
  sqlite3_stmt *l = prep(s->db,
                         "INSERT INTO order_lines(order_id,line_no,sku,qty,allocated,backordered,"
                         "shipped,cancelled,queue_prio,queue_us,tier,created_at,promise,"
                         "first_promise,delays,consented,need_by,if_late)"
                         " VALUES(?1,?2,?3,?4,?5,?6,?7,0,0,?8,0,?9,?10,?11,0,0,NULL,0)");
  if (!o || !l) return -1;
  bench_rng rng = {0x9e3779b97f4a7c15ull};
  const int64_t n_orders = (g->lines + 2) / 3;
  const bo_promise_ctx ctx = {.today = s->today, .handling_days = GEN_HANDLING_DAYS,
                              .lead_time_days = GEN_LEAD_DAYS};
  int64_t done = 0;
  int rc = 0;
  for (int64_t k = 0; k < n_orders && !rc; k++) {
    char oid[32], cust[32];
    snprintf(oid, sizeof oid, "H-%08lld", (long long)(k + 1));
    snprintf(cust, sizeof cust, "C-%lld", (long long)(k % 100000));
    const int64_t at = g->now - (n_orders - k); /* one order a second, in the past */
    const int n_lines = g->lines - done < 3 ? (int)(g->lines - done) : 3;
    int64_t sku_of[3];
    int shipped_lines = 0;
    for (int j = 0; j < n_lines && !rc; j++) {
      int64_t sku;
      bool dup;
      do {
        sku = bench_rand_below(&rng, g->skus);
        dup = false;
        for (int p = 0; p < j; p++) dup = dup || sku_of[p] == sku;
      } while (dup);
      sku_of[j] = sku;
      bo_line line = {.line_no = j + 1, .qty = 1 + bench_rand_below(&rng, 3),
                      .queue_us = at * 1000000LL, .created_at = at,
                      .first_promise = BO_DAY_NONE, .need_by = BO_DAY_NONE};
      const bool open = bench_rand_below(&rng, 100) < 10;
      char promise[BO_PROMISE_PARTS_MAX * 40] = "";
      if (!open) {
        line.shipped = line.qty;
        shipped_lines++;
      } else if (in_stock(sku)) {
        line.allocated = line.qty;
        s->allocated[sku] += line.qty;
      } else {
        line.backordered = line.qty;
        const bo_supply supply = {.qty = g->po_qty, .eta = po_eta(po_of(sku), s->today)};
        bo_walk_result r;
        bo_promise_walk(&supply, g->po_qty > 0 ? 1 : 0, s->backordered[sku], &line, 1, &ctx, &r);
        line.promise = r.promise;
        line.first_promise = bo_schedule_date(&r.promise);
        bo_schedule_encode(&line.promise, promise, sizeof promise);
        s->backordered[sku] += line.qty;
      }
      char sku_id[32];
      bench_sku_id(sku, sku_id);
      sqlite3_bind_text(l, 1, oid, -1, SQLITE_STATIC);
      sqlite3_bind_int(l, 2, line.line_no);
      sqlite3_bind_text(l, 3, sku_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64(l, 4, line.qty);
      sqlite3_bind_int64(l, 5, line.allocated);
      sqlite3_bind_int64(l, 6, line.backordered);
      sqlite3_bind_int64(l, 7, line.shipped);
      sqlite3_bind_int64(l, 8, line.queue_us);
      sqlite3_bind_int64(l, 9, line.created_at);
      sqlite3_bind_text(l, 10, promise, -1, SQLITE_STATIC);
      if (line.first_promise == BO_DAY_NONE)
        sqlite3_bind_null(l, 11);
      else
        sqlite3_bind_int(l, 11, line.first_promise);
      rc = step(s->db, l);
      if (!rc) rc = maybe_commit(s);
      done++;
      if (g->progress && done % 1000000 == 0)
        fprintf(stderr, "gen: %lld/%lld order lines (%.0f lines/s)\n", (long long)done,
                (long long)g->lines, (double)done / (bench_now_s() - s->t0));
    }
    const int status = shipped_lines == n_lines ? BO_ORDER_SHIPPED
                       : shipped_lines > 0      ? BO_ORDER_PARTIALLY_SHIPPED
                                                : BO_ORDER_OPEN;
    sqlite3_bind_text(o, 1, oid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(o, 2, k + 1);
    sqlite3_bind_text(o, 3, cust, -1, SQLITE_STATIC);
    sqlite3_bind_int(o, 4, status);
    sqlite3_bind_int64(o, 5, at);
    if (!rc) rc = step(s->db, o);
    if (!rc) rc = maybe_commit(s);
  }
  sqlite3_finalize(o);
  sqlite3_finalize(l);
  /* the waiting lines in queue chunks, as the store keeps them */
  if (!rc && bo_sqlite_queue_pack(s->db, "order_lines") != SQLITE_OK) {
    fprintf(stderr, "gen: packing the queues: %s\n", sqlite3_errmsg(s->db));
    rc = -1;
  }
  return rc;
}

/* SKUs with their final counters, their ledger entries, POs and PO lines. */
static int gen_skus(gen_state *s) {
  const bench_gen *g = s->g;
  sqlite3_stmt *k = prep(s->db,
                         "INSERT INTO skus(id,name,policy,backorder_limit,low_stock_threshold,"
                         "handling_days,max_backorder_days,lead_time_days,discontinued,"
                         "protect_promises,supplier,substitutes,on_hand,allocated,backordered,"
                         "status,created_at,updated_at)"
                         " VALUES(?1,?2,?3,-1,5,?4,-1,-1,0,0,'SUP-1','',?5,?6,?7,?8,?9,?9)");
  sqlite3_stmt *led = prep(s->db,
                           "INSERT INTO ledger(sku,delta,on_hand_after,reason,ref,at)"
                           " VALUES(?1,?2,?2,'initial_count','',?3)");
  sqlite3_stmt *pl = prep(s->db,
                          "INSERT INTO po_lines(po_id,line_no,sku,qty,received,open,eta)"
                          " VALUES(?1,?2,?3,?4,0,1,?5)");
  sqlite3_stmt *po = prep(s->db,
                          "INSERT INTO purchase_orders(id,seq,supplier,eta,status,created_at,"
                          "updated_at) VALUES(?1,?2,'SUP-1',?3,0,?4,?4)");
  if (!k || !led || !pl || !po) return -1;
  const int64_t created = g->now - 90 * 86400LL;
  int rc = 0;
  for (int64_t i = 0; i < g->skus && !rc; i++) {
    char id[32], name[64], po_id[32];
    bench_sku_id(i, id);
    snprintf(name, sizeof name, "Bench item %lld", (long long)i);
    bo_sku sku = {.policy = BO_POLICY_ALLOW, .backorder_limit = BO_LIMIT_NONE,
                  .low_stock_threshold = 5, .allocated = s->allocated[i],
                  .backordered = s->backordered[i]};
    const bool stocked = in_stock(i);
    sku.on_hand = stocked ? g->stock + sku.allocated : 0;
    const int64_t incoming = stocked ? 0 : g->po_qty;
    sku.status = bo_sku_status(&sku, incoming);
    sqlite3_bind_text(k, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(k, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(k, 3, sku.policy);
    sqlite3_bind_int(k, 4, GEN_HANDLING_DAYS);
    sqlite3_bind_int64(k, 5, sku.on_hand);
    sqlite3_bind_int64(k, 6, sku.allocated);
    sqlite3_bind_int64(k, 7, sku.backordered);
    sqlite3_bind_int(k, 8, sku.status);
    sqlite3_bind_int64(k, 9, created);
    rc = step(s->db, k);
    if (!rc && sku.on_hand > 0) {
      sqlite3_bind_text(led, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_int64(led, 2, sku.on_hand);
      sqlite3_bind_int64(led, 3, created);
      rc = step(s->db, led);
    }
    if (!rc && !stocked && g->po_qty > 0) {
      snprintf(po_id, sizeof po_id, "PO-B%06lld", (long long)po_of(i));
      sqlite3_bind_text(pl, 1, po_id, -1, SQLITE_STATIC);
      sqlite3_bind_int(pl, 2, po_line_of(i));
      sqlite3_bind_text(pl, 3, id, -1, SQLITE_STATIC);
      sqlite3_bind_int64(pl, 4, g->po_qty);
      sqlite3_bind_int(pl, 5, po_eta(po_of(i), s->today));
      rc = step(s->db, pl);
      if (!rc && po_line_of(i) == 1) {
        sqlite3_bind_text(po, 1, po_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(po, 2, po_of(i) + 1);
        sqlite3_bind_int(po, 3, po_eta(po_of(i), s->today));
        sqlite3_bind_int64(po, 4, created);
        rc = step(s->db, po);
      }
    }
    if (!rc) rc = maybe_commit(s);
  }
  sqlite3_finalize(k);
  sqlite3_finalize(led);
  sqlite3_finalize(pl);
  sqlite3_finalize(po);
  return rc;
}

static int gen_meta(gen_state *s) {
  char fp[160], day[32], sql[512];
  gen_fingerprint(s->g, fp, sizeof fp);
  snprintf(day, sizeof day, "%d", s->today);
  snprintf(sql, sizeof sql,
           "INSERT INTO suppliers(id,name,lead_time_days,created_at) VALUES('SUP-1','Bench"
           " supplier',%d,%lld);"
           "INSERT INTO meta(key,value) VALUES('tick_day','%s'),('bench_gen','%s'),"
           "('admin_token','%s');",
           GEN_LEAD_DAYS, (long long)s->g->now, day, fp, s->g->token ? s->g->token : "bench");
  return exec(s->db, sql);
}

int bench_gen_db(const char *path, const bench_gen *g) {
  char side[4096];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  /* the real schema, by the real migrations */
  bo_store *st;
  bo_err err = {0};
  if (bo_store_sqlite_open(path, BO_STORE_WRITER, &st, &err)) {
    fprintf(stderr, "gen: %s\n", err.message);
    return -1;
  }
  st->ops->close(st);

  gen_state s = {.g = g, .today = bo_day_of(g->now), .t0 = bench_now_s()};
  s.allocated = calloc((size_t)g->skus + 1, sizeof *s.allocated);
  s.backordered = calloc((size_t)g->skus + 1, sizeof *s.backordered);
  int rc = s.allocated && s.backordered ? 0 : -1;
  if (!rc && sqlite3_open_v2(path, &s.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) rc = -1;
  if (!rc)
    rc = exec(s.db,
              "PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
              " PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY; BEGIN");
  if (!rc) rc = gen_orders(&s);
  if (!rc) rc = gen_skus(&s);
  if (!rc) rc = gen_meta(&s);
  if (!rc) rc = exec(s.db, "COMMIT");
  if (!rc) rc = exec(s.db, "PRAGMA journal_mode=WAL");
  if (s.db) sqlite3_close(s.db);
  free(s.allocated);
  free(s.backordered);
  if (!rc && g->progress)
    fprintf(stderr, "gen: %lld skus, %lld order lines in %.1f s\n", (long long)g->skus,
            (long long)g->lines, bench_now_s() - s.t0);
  return rc;
}
