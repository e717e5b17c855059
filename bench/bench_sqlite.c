/*
 * bench_sqlite.c — the limit of the store: an order transaction done
 * directly on SQLite in a tight C loop, prepared statements, WAL,
 * synchronous=FULL (every commit durable), 100,000 SKUs.
 *
 * minimal     read SKU, update stock, insert order and 2 lines; BENCH_BATCH
 *             (1000) orders per transaction — the figure the service is
 *             read against;
 * savepoint   the same with a SAVEPOINT per order (what the writer added
 *             until the twelfth session; it now takes them only to run a
 *             batch again after a request failed having written);
 * single      one transaction per order: the fsync floor without group commit;
 * schema      the backorder schema itself (src/store/schema_sqlite.h): read
 *             3 full SKU rows, write them back, insert the order (seq
 *             subquery) and its 3 lines with all their columns, no savepoint
 *             (as the writer), BENCH_BATCH per transaction — what the engine's
 *             writes cost without its reads of supply, queues, events, JSON;
 * schema_lean the same with an UPDATE of the SKU's counters only (and without
 *             the lines_open index where the schema still has it): what a
 *             leaner write path buys.
 * queue       the storage of one SKU's backorder queue of BENCH_QUEUE_LINES
 *             (100,000) lines, two ways: a row per line (the `queue` table
 *             as it is) and the lines packed 32 to a row in a blob (a
 *             design for re-promising under 100 ms): read them all,
 *             re-date them all, add one line at the tail (per order).
 * The bytes written per order (/proc/self/io wchar: WAL frames and checkpoint
 * copies; savepoint journals stay in memory, temp_store=MEMORY as in the store)
 * are reported with each rate.
 *
 * BENCH_SQLITE_ORDERS=200000 BENCH_SQLITE_SINGLE=3000 BENCH_BATCH=1000
 * BENCH_QUEUE_LINES=100000 BENCH_DIR=dir. Results as one JSON object on stdout.
 */
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
#include "store/schema_sqlite.h"

#define SKUS 100000

static sqlite3_stmt *prep(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
    fprintf(stderr, "bench_sqlite: %s: %s\n", sql, sqlite3_errmsg(db));
    exit(1);
  }
  return s;
}

static void exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "bench_sqlite: %s: %s\n", sql, msg ? msg : "");
    exit(1);
  }
}

static void run(sqlite3 *db, sqlite3_stmt *s) {
  if (!s) return;
  const int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "bench_sqlite: %s: %s\n", sqlite3_sql(s), sqlite3_errmsg(db));
    exit(1);
  }
  sqlite3_reset(s);
}

static sqlite3 *open_db(const char *path) {
  char side[600];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK) exit(1);
  /* the writer's settings in src/store/sqlite.c (savepoint journals in memory) */
  exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
           " PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=10000;");
  return db;
}

static void sku_id(int64_t i, char *buf) { snprintf(buf, 32, "SKU-%07lld", (long long)i); }

/* The minimal schema and order, as in /work/shared/NOTES.md. */
static double run_minimal(const char *path, int64_t n, int64_t batch, bool savepoint) {
  sqlite3 *db = open_db(path);
  exec(db, "CREATE TABLE skus(id TEXT PRIMARY KEY, on_hand INTEGER NOT NULL,"
           " allocated INTEGER NOT NULL) WITHOUT ROWID;"
           "CREATE TABLE orders(id TEXT PRIMARY KEY, customer TEXT NOT NULL,"
           " created_at INTEGER NOT NULL) WITHOUT ROWID;"
           "CREATE TABLE order_lines(order_id TEXT NOT NULL, line_no INTEGER NOT NULL,"
           " sku TEXT NOT NULL, qty INTEGER NOT NULL, allocated INTEGER NOT NULL,"
           " PRIMARY KEY(order_id, line_no)) WITHOUT ROWID;");
  sqlite3_stmt *ins_sku = prep(db, "INSERT INTO skus VALUES(?1, ?2, 0)");
  exec(db, "BEGIN");
  for (int64_t i = 0; i < SKUS; i++) {
    char id[32];
    sku_id(i, id);
    sqlite3_bind_text(ins_sku, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins_sku, 2, i % 2 ? 0 : 1000000);
    run(db, ins_sku);
  }
  exec(db, "COMMIT");
  sqlite3_finalize(ins_sku);
  sqlite3_stmt *get = prep(db, "SELECT on_hand, allocated FROM skus WHERE id=?1");
  sqlite3_stmt *upd = prep(db, "UPDATE skus SET allocated=allocated+?2 WHERE id=?1");
  sqlite3_stmt *ord = prep(db, "INSERT INTO orders(id, customer, created_at) VALUES(?1,?2,?3)");
  sqlite3_stmt *lin = prep(db, "INSERT INTO order_lines VALUES(?1,?2,?3,?4,?5)");
  sqlite3_stmt *sp = prep(db, "SAVEPOINT o"), *rel = prep(db, "RELEASE o");
  sqlite3_stmt *begin = prep(db, "BEGIN IMMEDIATE"), *commit = prep(db, "COMMIT");
  bench_rng rng = {42};
  const double t0 = bench_now_s();
  for (int64_t i = 0; i < n;) {
    run(db, begin);
    const int64_t end = i + batch < n ? i + batch : n;
    for (; i < end; i++) {
      if (savepoint) run(db, sp);
      char oid[32], sku[32];
      snprintf(oid, sizeof oid, "O-%08lld", (long long)i);
      const int64_t k = bench_rand_below(&rng, SKUS);
      sku_id(k, sku);
      const int64_t qty = 1 + bench_rand_below(&rng, 3);
      sqlite3_bind_text(get, 1, sku, -1, SQLITE_STATIC);
      int64_t avail = 0;
      if (sqlite3_step(get) == SQLITE_ROW)
        avail = sqlite3_column_int64(get, 0) - sqlite3_column_int64(get, 1);
      sqlite3_reset(get);
      const int64_t take = qty < avail ? qty : avail;
      sqlite3_bind_text(upd, 1, sku, -1, SQLITE_STATIC);
      sqlite3_bind_int64(upd, 2, take);
      run(db, upd);
      sqlite3_bind_text(ord, 1, oid, -1, SQLITE_STATIC);
      sqlite3_bind_text(ord, 2, "c-1", -1, SQLITE_STATIC);
      sqlite3_bind_int64(ord, 3, (int64_t)time(NULL));
      run(db, ord);
      for (int l = 1; l <= 2; l++) {
        sqlite3_bind_text(lin, 1, oid, -1, SQLITE_STATIC);
        sqlite3_bind_int(lin, 2, l);
        sqlite3_bind_text(lin, 3, sku, -1, SQLITE_STATIC);
        sqlite3_bind_int64(lin, 4, qty);
        sqlite3_bind_int64(lin, 5, l == 1 ? take : 0);
        run(db, lin);
      }
      if (savepoint) run(db, rel);
    }
    run(db, commit);
  }
  const double dt = bench_now_s() - t0;
  sqlite3_stmt *all[] = {get, upd, ord, lin, sp, rel, begin, commit};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sqlite3_finalize(all[i]);
  sqlite3_close(db);
  return (double)n / dt;
}

#define SKU_COLS                                                                    \
  "id,name,policy,backorder_limit,low_stock_threshold,handling_days,"               \
  "max_backorder_days,lead_time_days,discontinued,protect_promises,supplier,"       \
  "substitutes,on_hand,allocated,backordered,status,created_at,updated_at"
#define LINE_COLS                                                                   \
  "order_id,line_no,sku,qty,allocated,backordered,shipped,cancelled,queue_prio,"    \
  "queue_us,tier,created_at,promise,first_promise,delays,consented,need_by,if_late"

/* The same kind of order on the backorder schema: 3 lines, full rows. `lean`: without
 * the lines_open index and writing back only the SKU counters (a narrower UPDATE). */
static double run_schema(const char *path, int64_t n, int64_t batch, bool lean) {
  sqlite3 *db = open_db(path);
  for (int m = 0; m < BO__SQLITE_SCHEMA_VERSION; m++) exec(db, bo__sqlite_migrations[m]);
  if (lean) exec(db, "DROP INDEX IF EXISTS lines_open");
  sqlite3_stmt *ins_sku = prep(db, "INSERT INTO skus(" SKU_COLS ") VALUES(?1,'Item',1,-1,5,1,"
                                   "-1,-1,0,0,'SUP-1','',?2,0,0,0,0,0)");
  exec(db, "BEGIN");
  for (int64_t i = 0; i < SKUS; i++) {
    char id[32];
    sku_id(i, id);
    sqlite3_bind_text(ins_sku, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins_sku, 2, i % 2 ? 0 : 1000000);
    run(db, ins_sku);
  }
  exec(db, "COMMIT");
  sqlite3_finalize(ins_sku);
  sqlite3_stmt *get = prep(db, "SELECT " SKU_COLS " FROM skus WHERE id=?1");
  sqlite3_stmt *upd = prep(db,
                           "UPDATE skus SET name=?2,policy=?3,backorder_limit=?4,"
                           "low_stock_threshold=?5,handling_days=?6,max_backorder_days=?7,"
                           "lead_time_days=?8,discontinued=?9,protect_promises=?10,supplier=?11,"
                           "substitutes=?12,on_hand=?13,allocated=?14,backordered=?15,status=?16,"
                           "created_at=?17,updated_at=?18 WHERE id=?1");
  sqlite3_stmt *narrow = prep(db, "UPDATE skus SET allocated=?14, backordered=?15, updated_at=?18"
                                  " WHERE id=?1");
  sqlite3_stmt *ord = prep(db,
                           "INSERT INTO orders(id,seq,customer_id,customer_email,tier,ship_policy,"
                           "need_by,if_late,status,created_at,updated_at) VALUES(?1,"
                           "(SELECT coalesce(max(seq),0)+1 FROM orders),?2,'',0,0,NULL,0,0,?3,?3)");
  sqlite3_stmt *lin = prep(db, "INSERT INTO order_lines(" LINE_COLS ") VALUES(?1,?2,?3,?4,?5,"
                               "?6,0,0,0,?7,0,?8,?9,?10,0,0,NULL,0)");
  sqlite3_stmt *begin = prep(db, "BEGIN IMMEDIATE"), *commit = prep(db, "COMMIT");
  bench_rng rng = {43};
  const int64_t now = (int64_t)time(NULL);
  const double t0 = bench_now_s();
  for (int64_t i = 0; i < n;) {
    run(db, begin);
    const int64_t end = i + batch < n ? i + batch : n;
    for (; i < end; i++) {
      char oid[32];
      snprintf(oid, sizeof oid, "O-%08lld", (long long)i);
      sqlite3_bind_text(ord, 1, oid, -1, SQLITE_STATIC);
      sqlite3_bind_text(ord, 2, "c-1", -1, SQLITE_STATIC);
      sqlite3_bind_int64(ord, 3, now);
      run(db, ord);
      int64_t picked[3];
      for (int l = 0; l < 3; l++) {
        char sku[32];
        int64_t k;
        bool dup;
        do {
          k = bench_rand_below(&rng, SKUS);
          dup = false;
          for (int p = 0; p < l; p++) dup = dup || picked[p] == k;
        } while (dup);
        picked[l] = k;
        sku_id(k, sku);
        const int64_t qty = 1 + bench_rand_below(&rng, 3);
        /* read the SKU row, decide, write the whole row (or its counters) back */
        sqlite3_stmt *w = lean ? narrow : upd;
        sqlite3_bind_text(get, 1, sku, -1, SQLITE_STATIC);
        if (sqlite3_step(get) != SQLITE_ROW) exit(1);
        sqlite3_bind_text(w, 1, sku, -1, SQLITE_TRANSIENT);
        for (int c = 1; c < 18 && !lean; c++) {
          if (sqlite3_column_type(get, c) == SQLITE_TEXT)
            sqlite3_bind_text(upd, c + 1, (const char *)sqlite3_column_text(get, c), -1,
                              SQLITE_TRANSIENT);
          else
            sqlite3_bind_int64(upd, c + 1, sqlite3_column_int64(get, c));
        }
        const int64_t on_hand = sqlite3_column_int64(get, 12);
        const int64_t allocated = sqlite3_column_int64(get, 13);
        const int64_t backordered = sqlite3_column_int64(get, 14);
        sqlite3_reset(get);
        const int64_t avail = on_hand - allocated;
        const int64_t take = qty < avail ? qty : avail;
        sqlite3_bind_int64(w, 14, allocated + take);
        sqlite3_bind_int64(w, 15, backordered + qty - take);
        sqlite3_bind_int64(w, 18, now);
        run(db, w);
        sqlite3_bind_text(lin, 1, oid, -1, SQLITE_STATIC);
        sqlite3_bind_int(lin, 2, l + 1);
        sqlite3_bind_text(lin, 3, sku, -1, SQLITE_STATIC);
        sqlite3_bind_int64(lin, 4, qty);
        sqlite3_bind_int64(lin, 5, take);
        sqlite3_bind_int64(lin, 6, qty - take);
        sqlite3_bind_int64(lin, 7, now * 1000000);
        sqlite3_bind_int64(lin, 8, now);
        sqlite3_bind_text(lin, 9, qty - take ? "2@20500e" : "", -1, SQLITE_STATIC);
        if (qty - take)
          sqlite3_bind_int(lin, 10, 20500);
        else
          sqlite3_bind_null(lin, 10);
        run(db, lin);
      }
    }
    run(db, commit);
  }
  const double dt = bench_now_s() - t0;
  sqlite3_stmt *all[] = {get, upd, narrow, ord, lin, begin, commit};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sqlite3_finalize(all[i]);
  sqlite3_close(db);
  return (double)n / dt;
}

/* --- queue storage: a row per line, or 32 lines packed in a row ---------------- */

#define CHUNK_LINES 32

/* A waiting line as a chunk would pack it: fixed size, no decoding. */
typedef struct packed_line {
  char order_id[24];
  int32_t line_no, tier, delays, consented;
  int64_t qty, allocated, backordered, shipped, cancelled, queue_prio, queue_us, created_at;
  int32_t first_promise, need_by, if_late, n_lines;
  char promise[32];
} packed_line;

typedef struct queue_times {
  double read_ms, redate_ms, commit_ms; /* re-date: the work, then its commit */
  double add_us; /* per line, inside transactions of 1,000 */
} queue_times;

static void packed_fill(packed_line *l, int64_t i) {
  memset(l, 0, sizeof *l);
  snprintf(l->order_id, sizeof l->order_id, "ORD-%012lld", (long long)(i % 1000000000000LL));
  l->line_no = 1;
  l->qty = l->backordered = 1;
  l->queue_us = 1700000000000000LL + i;
  l->created_at = 1700000000 + i;
  l->first_promise = 20400 + (int32_t)(i / 20);
  snprintf(l->promise, sizeof l->promise, "2026-12-%02d:1", (int)(10 + i % 20));
}

/* The re-date's commit: its time in t->commit_ms. */
static void timed_commit(sqlite3 *db, queue_times *t) {
  const double t0 = bench_now_s();
  exec(db, "COMMIT");
  t->commit_ms = (bench_now_s() - t0) * 1e3;
}

/* Adds `adds` lines at the tail with add(db, ctx, line), 1,000 a
 * transaction: the time per line in t->add_us. Line i of the queue's n
 * comes after the n lines written first. */
static void timed_adds(sqlite3 *db, int64_t n, queue_times *t,
                       void (*add)(sqlite3 *, void *, const packed_line *), void *ctx) {
  const int64_t adds = 10000;
  const double t0 = bench_now_s();
  for (int64_t i = 0; i < adds; i++) {
    if (i % 1000 == 0) exec(db, "BEGIN");
    packed_line l;
    packed_fill(&l, n + i);
    add(db, ctx, &l);
    if (i % 1000 == 999) exec(db, "COMMIT");
  }
  t->add_us = (bench_now_s() - t0) * 1e6 / (double)adds;
}

static const char *const ROW_SCHEMA = BO__SQLITE_QUEUE_TABLE;

static sqlite3_stmt *row_insert(sqlite3 *db) {
  return prep(db, "INSERT INTO queue(order_id,line_no,sku,qty,allocated,backordered,shipped,"
                  "cancelled,queue_prio,queue_us,tier,created_at,promise,first_promise,delays,"
                  "consented,need_by,if_late,n_lines) VALUES(?1,?2,'Q',?3,0,?3,0,0,0,?4,0,?5,?6,"
                  "?7,0,0,NULL,0,1)");
}

static void row_add(sqlite3 *db, sqlite3_stmt *ins, const packed_line *l) {
  sqlite3_bind_text(ins, 1, l->order_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(ins, 2, l->line_no);
  sqlite3_bind_int64(ins, 3, l->qty);
  sqlite3_bind_int64(ins, 4, l->queue_us);
  sqlite3_bind_int64(ins, 5, l->created_at);
  sqlite3_bind_text(ins, 6, l->promise, -1, SQLITE_STATIC);
  sqlite3_bind_int(ins, 7, l->first_promise);
  run(db, ins);
}

static void row_add_ctx(sqlite3 *db, void *ins, const packed_line *l) { row_add(db, ins, l); }

static queue_times run_queue_rows(const char *path, int64_t n) {
  queue_times t = {0};
  sqlite3 *db = open_db(path);
  exec(db, ROW_SCHEMA);
  sqlite3_stmt *ins = row_insert(db);
  packed_line l;
  exec(db, "BEGIN");
  for (int64_t i = 0; i < n; i++) {
    packed_fill(&l, i);
    row_add(db, ins, &l);
  }
  exec(db, "COMMIT");
  /* read: every column of every line into a struct, as the store's loader does */
  sqlite3_stmt *sel = prep(db, "SELECT order_id,line_no,qty,allocated,backordered,shipped,"
                               "cancelled,queue_prio,queue_us,tier,created_at,promise,"
                               "first_promise,delays,consented,need_by,if_late,n_lines FROM queue"
                               " WHERE sku='Q' ORDER BY queue_prio,queue_us,order_id,line_no");
  packed_line *v = calloc((size_t)n, sizeof *v);
  memset(v, 1, (size_t)n * sizeof *v); /* faulted in before the clock starts (~12 us a page here) */
  double t0 = bench_now_s();
  exec(db, "BEGIN");
  int64_t k = 0;
  while (sqlite3_step(sel) == SQLITE_ROW && k < n) {
    packed_line *o = &v[k++];
    snprintf(o->order_id, sizeof o->order_id, "%s", (const char *)sqlite3_column_text(sel, 0));
    o->line_no = sqlite3_column_int(sel, 1);
    o->qty = sqlite3_column_int64(sel, 2);
    o->allocated = sqlite3_column_int64(sel, 3);
    o->backordered = sqlite3_column_int64(sel, 4);
    o->shipped = sqlite3_column_int64(sel, 5);
    o->cancelled = sqlite3_column_int64(sel, 6);
    o->queue_prio = sqlite3_column_int64(sel, 7);
    o->queue_us = sqlite3_column_int64(sel, 8);
    o->tier = sqlite3_column_int(sel, 9);
    o->created_at = sqlite3_column_int64(sel, 10);
    snprintf(o->promise, sizeof o->promise, "%s", (const char *)sqlite3_column_text(sel, 11));
    o->first_promise = sqlite3_column_int(sel, 12);
    o->delays = sqlite3_column_int(sel, 13);
    o->consented = sqlite3_column_int(sel, 14);
    o->need_by = sqlite3_column_int(sel, 15);
    o->if_late = sqlite3_column_int(sel, 16);
    o->n_lines = sqlite3_column_int(sel, 17);
  }
  sqlite3_reset(sel);
  exec(db, "COMMIT");
  t.read_ms = (bench_now_s() - t0) * 1e3;
  /* re-date: every line later, one statement (the best case of today's runs) */
  exec(db, "BEGIN");
  t0 = bench_now_s();
  exec(db, "UPDATE queue SET promise='2027-01-05:1', delays=delays+1, consented=0, dirty=1"
           " WHERE sku='Q'");
  t.redate_ms = (bench_now_s() - t0) * 1e3;
  timed_commit(db, &t);
  /* add: one line at the tail per order */
  timed_adds(db, n, &t, row_add_ctx, ins);
  free(v);
  sqlite3_finalize(sel);
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return t;
}

/* Writes one chunk of m lines: `s` inserts (?1 its seq) or updates (?1 its
 * id); ?2 its line count, ?3 the lines. */
static void chunk_write(sqlite3 *db, sqlite3_stmt *s, int64_t key, const packed_line *lines,
                        int m) {
  sqlite3_bind_int64(s, 1, key);
  sqlite3_bind_int(s, 2, m);
  sqlite3_bind_blob(s, 3, lines, (int)((size_t)m * sizeof *lines), SQLITE_STATIC);
  run(db, s);
}

typedef struct chunk_stmts {
  sqlite3_stmt *ins, *put, *last;
} chunk_stmts;

/* Appends line l to the last chunk, or starts a chunk after it when full. */
static void chunk_add(sqlite3 *db, void *ctx, const packed_line *l) {
  const chunk_stmts *cs = ctx;
  packed_line chunk[CHUNK_LINES];
  if (sqlite3_step(cs->last) != SQLITE_ROW) exit(1);
  const int64_t id = sqlite3_column_int64(cs->last, 0), seq = sqlite3_column_int64(cs->last, 1);
  int m = sqlite3_column_int(cs->last, 2);
  memcpy(chunk, sqlite3_column_blob(cs->last, 3), (size_t)m * sizeof chunk[0]);
  sqlite3_reset(cs->last);
  if (m < CHUNK_LINES) {
    chunk[m++] = *l;
    chunk_write(db, cs->put, id, chunk, m);
  } else {
    chunk_write(db, cs->ins, seq + 1, l, 1);
  }
}

static queue_times run_queue_chunks(const char *path, int64_t n) {
  queue_times t = {0};
  sqlite3 *db = open_db(path);
  exec(db, "CREATE TABLE chunks(id INTEGER PRIMARY KEY, sku TEXT NOT NULL, seq INTEGER NOT NULL,"
           " n INTEGER NOT NULL, lines BLOB NOT NULL);"
           "CREATE UNIQUE INDEX chunks_key ON chunks(sku, seq);");
  sqlite3_stmt *ins = prep(db, "INSERT INTO chunks(sku,seq,n,lines) VALUES('Q',?1,?2,?3)");
  sqlite3_stmt *put = prep(db, "UPDATE chunks SET n=?2, lines=?3 WHERE id=?1");
  sqlite3_stmt *last = prep(db, "SELECT id,seq,n,lines FROM chunks WHERE sku='Q'"
                                " ORDER BY seq DESC LIMIT 1");
  sqlite3_stmt *sel = prep(db, "SELECT id,n,lines FROM chunks WHERE sku='Q' ORDER BY seq");
  packed_line chunk[CHUNK_LINES];
  exec(db, "BEGIN");
  for (int64_t i = 0; i < n; i += CHUNK_LINES) {
    const int m = (int)(n - i < CHUNK_LINES ? n - i : CHUNK_LINES);
    for (int j = 0; j < m; j++) packed_fill(&chunk[j], i + j);
    chunk_write(db, ins, i / CHUNK_LINES, chunk, m);
  }
  exec(db, "COMMIT");
  packed_line *v = calloc((size_t)n, sizeof *v);
  int64_t *ids = calloc((size_t)(n / CHUNK_LINES + 2), sizeof *ids);
  memset(v, 1, (size_t)n * sizeof *v);
  double t0 = bench_now_s();
  exec(db, "BEGIN");
  int64_t k = 0, c = 0;
  while (sqlite3_step(sel) == SQLITE_ROW) {
    const int m = sqlite3_column_int(sel, 1);
    if (k + m > n || sqlite3_column_bytes(sel, 2) != (int)(m * sizeof *v)) break;
    ids[c++] = sqlite3_column_int64(sel, 0);
    memcpy(&v[k], sqlite3_column_blob(sel, 2), (size_t)m * sizeof *v);
    k += m;
  }
  sqlite3_reset(sel);
  exec(db, "COMMIT");
  t.read_ms = (bench_now_s() - t0) * 1e3;
  /* re-date: every line changed in memory, every chunk written back */
  exec(db, "BEGIN");
  t0 = bench_now_s();
  for (int64_t i = 0; i < k; i++) {
    snprintf(v[i].promise, sizeof v[i].promise, "2027-01-05:1");
    v[i].delays++;
    v[i].consented = 0;
  }
  for (int64_t j = 0, at = 0; j < c; j++) {
    const int m = (int)(k - at < CHUNK_LINES ? k - at : CHUNK_LINES);
    chunk_write(db, put, ids[j], &v[at], m);
    at += m;
  }
  t.redate_ms = (bench_now_s() - t0) * 1e3;
  timed_commit(db, &t);
  /* add: read the last chunk, append the line, write it back (or start one) */
  chunk_stmts cs = {ins, put, last};
  timed_adds(db, n, &t, chunk_add, &cs);
  free(v);
  free(ids);
  sqlite3_stmt *all[] = {ins, put, last, sel};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sqlite3_finalize(all[i]);
  sqlite3_close(db);
  return t;
}

/* One variant: orders/s and the bytes it wrote per order (WAL frames and checkpoints). */
typedef struct variant {
  const char *key, *label;
  double rate, kib_per_order;
} variant;

static void measure(variant *v, double rate, long long w0, int64_t n) {
  long long w1, c1;
  bench_proc_io(0, &w1, &c1);
  v->rate = rate;
  v->kib_per_order = n > 0 ? (double)(w1 - w0) / 1024.0 / (double)n : 0;
  fprintf(stderr, "bench_sqlite: %-44s %9.0f orders/s, %6.1f KiB written/order\n", v->label,
          v->rate, v->kib_per_order);
}

int main(void) {
  const int64_t n = bench_env_i64("BENCH_SQLITE_ORDERS", 200000);
  const int64_t single = bench_env_i64("BENCH_SQLITE_SINGLE", 3000);
  const int64_t batch = bench_env_i64("BENCH_BATCH", 1000);
  char dir[512], path[600];
  const char *d = getenv("BENCH_DIR");
  if (d && *d) {
    snprintf(dir, sizeof dir, "%s", d);
    mkdir(dir, 0755);
  } else {
    snprintf(dir, sizeof dir, "%s/bench_sqlite.XXXXXX", bench_env_str("TMPDIR", "/tmp"));
    if (!mkdtemp(dir)) return 1;
  }
  snprintf(path, sizeof path, "%s/sqlite.db", dir);
  variant v[] = {{.key = "minimal", .label = "read SKU, update, order + 2 lines"},
                 {.key = "savepoint", .label = "same, savepoint per order"},
                 {.key = "single_txn", .label = "same, one transaction per order"},
                 {.key = "schema_3_lines", .label = "backorder schema, 3 lines"},
                 {.key = "schema_lean", .label = "same, counters-only SKU update"}};
  long long w0, c0;
  bench_proc_io(0, &w0, &c0);
  measure(&v[0], run_minimal(path, n, batch, false), w0, n);
  bench_proc_io(0, &w0, &c0);
  measure(&v[1], run_minimal(path, n, batch, true), w0, n);
  bench_proc_io(0, &w0, &c0);
  measure(&v[2], run_minimal(path, single, 1, false), w0, single);
  bench_proc_io(0, &w0, &c0);
  measure(&v[3], run_schema(path, n, batch, false), w0, n);
  bench_proc_io(0, &w0, &c0);
  measure(&v[4], run_schema(path, n, batch, true), w0, n);
  const int64_t qn = bench_env_i64("BENCH_QUEUE_LINES", 100000);
  const queue_times qr = run_queue_rows(path, qn), qc = run_queue_chunks(path, qn);
  const queue_times *qt[2] = {&qr, &qc};
  for (int i = 0; i < 2; i++)
    fprintf(stderr, "bench_sqlite: queue of %lld lines, %2d a row: read %5.1f ms, re-date %5.1f ms"
            " + commit %5.1f ms, add %4.1f us\n", (long long)qn, i ? CHUNK_LINES : 1,
            qt[i]->read_ms, qt[i]->redate_ms, qt[i]->commit_ms, qt[i]->add_us);
  char side[700];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  if (!d || !*d) rmdir(dir);
  printf("{\"sqlite_version\":\"%s\",\"orders\":%lld,\"batch\":%lld", sqlite3_libversion(),
         (long long)n, (long long)batch);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    printf(",\"%s_orders_per_s\":%.1f,\"%s_kib_per_order\":%.2f", v[i].key, v[i].rate, v[i].key,
           v[i].kib_per_order);
  printf(",\"queue\":{\"lines\":%lld,\"chunk_lines\":%d", (long long)qn, CHUNK_LINES);
  for (int i = 0; i < 2; i++)
    printf(",\"%s\":{\"read_ms\":%.1f,\"redate_ms\":%.1f,\"commit_ms\":%.1f,\"add_us\":%.2f}",
           i ? "chunks" : "rows", qt[i]->read_ms, qt[i]->redate_ms, qt[i]->commit_ms,
           qt[i]->add_us);
  printf("}");
  printf("}\n");
  return 0;
}
