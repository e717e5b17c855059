/*
 * test_store_queue.c — the SQLite store's backorder queue (schema
 * migrations 2, 4 and 6).
 *
 * A waiting line is in its SKU's queue chunks as well as in order_lines;
 * re-dating writes only the chunk, so every reader of lines must see the
 * queue line's promise columns, and a line that leaves the queue must take
 * them (first promise, delays, consent) with it: a fill only removes queue
 * lines (keeping the history of re-dated lines in `filled`), and readers
 * take a line in no queue as allocated. Chunks split and empty as lines
 * come and go, in any order, and the queue reads back in order. Also: a
 * database of schema 1 is migrated with its waiting lines in the queue (by
 * the writer; a reader refuses it and says so).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/schema_sqlite.h"
#include "../../src/store/store.h"
#include "unit_db.h"

#define DAY 20800

static char db_path[64];

static int setup(void **state) {
  (void)state;
  snprintf(db_path, sizeof db_path, "/tmp/bo-queue-XXXXXX");
  return unit_db_temp_name(db_path) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  unit_db_remove(db_path);
  return 0;
}

static bo_store *open_store(void) {
  bo_store *st = NULL;
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(db_path, BO_STORE_WRITER, &st, &err), BO_OK);
  return st;
}

/* Line `no` of order `id`: qty units of SKU "Q", `backordered` of them
 * waiting with a promise of one date, the rest allocated. */
static bo_line line_of(const char *id, int no, int64_t qty, int64_t backordered) {
  bo_line l = {.line_no = no, .qty = qty, .allocated = qty - backordered,
               .backordered = backordered, .queue_us = 1000 + no, .created_at = 1,
               .first_promise = BO_DAY_NONE, .need_by = BO_DAY_NONE, .n_lines = 2};
  snprintf(l.order_id, sizeof l.order_id, "%s", id);
  snprintf(l.sku, sizeof l.sku, "Q");
  if (backordered > 0) {
    l.promise = (bo_schedule){1, {{backordered, DAY, false}}};
    l.first_promise = DAY;
  }
  return l;
}

static bo_line order_line(bo_store *st, const char *id, int no) {
  bo_lines ls = {0};
  assert_int_equal(st->ops->order_lines(st, id, &ls), BO_OK);
  assert_true((size_t)no <= ls.n);
  const bo_line l = ls.v[no - 1];
  bo_lines_release(&ls);
  return l;
}

static size_t queue_len(bo_store *st) {
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  const size_t n = q.n;
  bo_lines_release(&q);
  return n;
}

/* Re-dated in the queue only, read back through order_lines, then filled:
 * the delay and the first promise survive the line leaving the queue. */
static void test_redate_then_fill_keeps_history(void **state) {
  (void)state;
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  bo_line a = line_of("A", 1, 3, 2), b = line_of("A", 2, 1, 1), c = line_of("B", 1, 1, 0);
  assert_int_equal(st->ops->line_insert(st, &a), BO_OK);
  assert_int_equal(st->ops->line_insert(st, &b), BO_OK);
  assert_int_equal(st->ops->line_insert(st, &c), BO_OK);
  assert_int_equal(queue_len(st), 2); /* c does not wait */

  /* a PO is late: both waiting lines re-dated a week later, one delay each */
  bo_line like = a;
  like.promise.parts[0].date = DAY + 7;
  assert_int_equal(st->ops->line_update_promise_run(st, &a, &b, &like, true), BO_OK);
  bo_line r = order_line(st, "A", 1);
  assert_int_equal(r.promise.n, 1);
  assert_int_equal(r.promise.parts[0].date, DAY + 7);
  assert_int_equal(r.first_promise, DAY);
  assert_int_equal(r.delays, 1);
  assert_int_equal(r.backordered, 2);

  /* the customer consents on line 2 (a full write: both tables) */
  b = order_line(st, "A", 2);
  b.consented = true;
  assert_int_equal(st->ops->line_update(st, &b), BO_OK);

  /* stock arrives for both: they leave the queue with their history */
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  assert_int_equal(q.n, 2);
  assert_int_equal(q.v[1].consented, true);
  assert_int_equal(st->ops->queue_fill_through(st, &q.v[1]), BO_OK);
  bo_lines_release(&q);
  assert_int_equal(queue_len(st), 0);
  r = order_line(st, "A", 1);
  assert_int_equal(r.allocated, 3);
  assert_int_equal(r.backordered, 0);
  assert_int_equal(r.promise.n, 0);
  assert_int_equal(r.first_promise, DAY);
  assert_int_equal(r.delays, 1);
  r = order_line(st, "A", 2);
  assert_int_equal(r.allocated, 1);
  assert_int_equal(r.delays, 1);
  assert_int_equal(r.consented, true);
  bool waiting = true;
  assert_int_equal(st->ops->order_waiting(st, "A", &waiting), BO_OK);
  assert_false(waiting);
  assert_int_equal(st->ops->commit(st), BO_OK);
  st->ops->close(st);
}

/* A fill stops at the given line; a line written with nothing backordered
 * leaves the queue; a rolled-back savepoint puts the queue back. */
static void test_fill_through_and_leave(void **state) {
  (void)state;
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  bo_line l[3] = {line_of("A", 1, 1, 1), line_of("B", 1, 2, 2), line_of("C", 1, 4, 4)};
  for (int i = 0; i < 3; i++) assert_int_equal(st->ops->line_insert(st, &l[i]), BO_OK);
  assert_int_equal(st->ops->savepoint(st), BO_OK);
  assert_int_equal(st->ops->queue_fill_through(st, &l[0]), BO_OK);
  assert_int_equal(queue_len(st), 2);
  assert_int_equal(st->ops->rollback_to(st), BO_OK); /* and releases it */
  assert_int_equal(queue_len(st), 3);
  assert_int_equal(order_line(st, "A", 1).backordered, 1);

  assert_int_equal(st->ops->queue_fill_through(st, &l[0]), BO_OK);
  assert_int_equal(order_line(st, "A", 1).allocated, 1);
  assert_int_equal(order_line(st, "B", 1).backordered, 2);
  /* B is cancelled: it leaves the queue */
  l[1].backordered = 0;
  l[1].cancelled = 2;
  l[1].promise.n = 0;
  assert_int_equal(st->ops->line_update(st, &l[1]), BO_OK);
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  assert_int_equal(q.n, 1);
  assert_string_equal(q.v[0].order_id, "C");
  assert_int_equal(q.v[0].backordered, 4);
  bo_lines_release(&q);
  bool after = true;
  assert_int_equal(st->ops->queue_has_after(st, &l[1], &after), BO_OK);
  assert_true(after);
  assert_int_equal(st->ops->queue_has_after(st, &l[2], &after), BO_OK);
  assert_false(after);
  assert_int_equal(st->ops->commit(st), BO_OK);
  st->ops->close(st);
}

/* A database of schema 1 with a waiting and a filled line: after the
 * migration the waiting one is in the queue, with its promise. */
/* One number from SQL through a raw connection. */
static int64_t scalar(const char *sql) {
  sqlite3 *db;
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  const int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

/* Counts the rows of a table through a raw connection. */
static int64_t rows_of(const char *table) {
  char sql[64];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  return scalar(sql);
}

/* A fill takes lines out of the queue and writes nothing else but the
 * history of re-dated lines: readers take a line in no queue as allocated, with
 * its history. A filled line written again (shipped) is exact on its own. */
static void test_filled_lines_read_as_allocated(void **state) {
  (void)state;
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  bo_line l[5];
  char id[8];
  for (int i = 0; i < 5; i++) {
    snprintf(id, sizeof id, "O%d", i);
    l[i] = line_of(id, 1, 2, 2);
    l[i].n_lines = 1;
    assert_int_equal(st->ops->line_insert(st, &l[i]), BO_OK);
  }
  /* O2..O4 are re-dated with a delay; then O0..O3 are filled */
  bo_line like = l[0];
  like.promise.parts[0].date = DAY + 3;
  assert_int_equal(st->ops->line_update_promise_run(st, &l[2], &l[4], &like, true), BO_OK);
  assert_int_equal(st->ops->queue_fill_through(st, &l[3]), BO_OK);
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(queue_len(st), 1);
  assert_int_equal(rows_of("filled"), 2); /* the history of O2 and O3 only */

  /* O2 ships: a whole write, and its history leaves `filled` */
  assert_int_equal(st->ops->begin(st), BO_OK);
  bo_line shipped = order_line(st, "O2", 1);
  assert_int_equal(shipped.allocated, 2);
  assert_int_equal(shipped.delays, 1);
  shipped.allocated = 0;
  shipped.shipped = 2;
  assert_int_equal(st->ops->line_update(st, &shipped), BO_OK);
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(rows_of("filled"), 1);

  for (int i = 0; i < 5; i++) {
    snprintf(id, sizeof id, "O%d", i);
    const bo_line r = order_line(st, id, 1);
    assert_int_equal(r.allocated, i == 2 || i == 4 ? 0 : 2);
    assert_int_equal(r.shipped, i == 2 ? 2 : 0);
    assert_int_equal(r.backordered, i == 4 ? 2 : 0);
    assert_int_equal(r.promise.n, i == 4 ? 1 : 0);
    assert_int_equal(r.first_promise, DAY);
    assert_int_equal(r.delays, i >= 2 ? 1 : 0);
    bool waiting = true;
    assert_int_equal(st->ops->order_waiting(st, id, &waiting), BO_OK);
    assert_int_equal(waiting, i == 4);
  }
  st->ops->close(st);
}

/* A re-date without a delay of lines already promised changes no history:
 * filling them keeps nothing in `filled`; the same with a delay keeps it. */
static void test_only_delays_leave_history(void **state) {
  (void)state;
  bo_store *st = open_store();
  for (int delayed = 0; delayed < 2; delayed++) {
    assert_int_equal(st->ops->begin(st), BO_OK);
    bo_line l[3];
    for (int i = 0; i < 3; i++) {
      char id[16];
      snprintf(id, sizeof id, "D%d-%d", delayed, i);
      l[i] = line_of(id, 1, 1, 1);
      assert_int_equal(st->ops->line_insert(st, &l[i]), BO_OK);
    }
    bo_line like = l[0];
    like.promise.parts[0].date = DAY + (delayed ? 5 : -2);
    assert_int_equal(st->ops->line_update_promise_run(st, &l[0], &l[2], &like, delayed), BO_OK);
    assert_int_equal(st->ops->queue_fill_through(st, &l[2]), BO_OK);
    assert_int_equal(st->ops->commit(st), BO_OK);
    assert_int_equal(rows_of("filled"), delayed ? 3 : 0);
    assert_int_equal(order_line(st, l[1].order_id, 1).delays, delayed);
  }
  st->ops->close(st);
}

/* A re-dating rolled back with its savepoint, then done again: the fill
 * must still find the re-dated line (its SKU marked again). */
static void test_redate_mark_survives_rollback(void **state) {
  (void)state;
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  bo_line a = line_of("A", 1, 1, 1);
  assert_int_equal(st->ops->line_insert(st, &a), BO_OK);
  bo_line like = a;
  like.promise.parts[0].date = DAY + 2;
  assert_int_equal(st->ops->savepoint(st), BO_OK);
  assert_int_equal(st->ops->line_update_promise_run(st, &a, &a, &like, true), BO_OK);
  assert_int_equal(st->ops->rollback_to(st), BO_OK);
  assert_int_equal(order_line(st, "A", 1).delays, 0);
  assert_int_equal(st->ops->line_update_promise_run(st, &a, &a, &like, true), BO_OK);
  assert_int_equal(st->ops->queue_fill_through(st, &a), BO_OK);
  const bo_line r = order_line(st, "A", 1);
  assert_int_equal(r.allocated, 1);
  assert_int_equal(r.delays, 1);
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(rows_of("queue_redated"), 0); /* its queue is empty */
  st->ops->close(st);
}

static bo_rc collect(void *ctx, const bo_line *l) { return bo_lines_push(ctx, l); }

/* The queue of "Q" read back: in order, and the same through every reader. */
static void assert_queue_reads(bo_store *st, size_t n) {
  bo_lines q = {0}, paged = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  assert_int_equal(q.n, n);
  for (size_t i = 1; i < q.n; i++) assert_true(bo_line_queue_cmp(&q.v[i - 1], &q.v[i]) < 0);
  /* pages of 7, of this SKU and of all SKUs, give the same lines */
  for (int all = 0; all < 2; all++) {
    char after[256] = "";
    paged.n = 0;
    for (;;) {
      const size_t before = paged.n;
      bo_page page = {.after = after, .limit = 7};
      assert_int_equal(st->ops->queue_list(st, all ? NULL : "Q", &page, collect, &paged),
                       BO_OK);
      if (paged.n == before) break;
      const bo_line *l = &paged.v[paged.n - 1];
      snprintf(after, sizeof after, "%s~%lld~%lld~%s~%d", l->sku, (long long)l->queue_prio,
               (long long)l->queue_us, l->order_id, l->line_no);
    }
    size_t k = 0;
    for (size_t i = 0; i < paged.n; i++)
      if (strcmp(paged.v[i].sku, "Q") == 0) {
        assert_true(k < q.n);
        assert_int_equal(bo_line_queue_cmp(&paged.v[i], &q.v[k]), 0);
        assert_int_equal(paged.v[i].delays, q.v[k].delays);
        k++;
      }
    assert_int_equal(k, q.n);
  }
  if (n > 1) {
    bool after = true;
    assert_int_equal(st->ops->queue_has_after(st, &q.v[n - 1], &after), BO_OK);
    assert_false(after);
    assert_int_equal(st->ops->queue_has_after(st, &q.v[n - 2], &after), BO_OK);
    assert_true(after);
  }
  bo_lines_release(&q);
  bo_lines_release(&paged);
  /* the chunks hold exactly the queue, none past its size (committed, to
   * be seen by another connection) */
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(st->ops->begin(st), BO_OK);
  assert_int_equal(scalar("SELECT sum(n) FROM queue_chunks WHERE sku='Q'"), (int64_t)n);
  assert_true(scalar("SELECT coalesce(max(n),0) FROM queue_chunks") <= 64);
  assert_int_equal(scalar("SELECT count(*) FROM queue_chunks WHERE n<1"), 0);
}

/* Lines placed in a scrambled order, some leaving, a run re-dated, the head
 * filled: the chunks split and empty, and the queue always reads in order.
 * Lines placed one after the other fill their chunks. */
static void test_chunks_split_and_read_in_order(void **state) {
  (void)state;
  enum { N = 300 };
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  /* another SKU's queue around Q's, placed in order: full chunks */
  for (int i = 0; i < 130; i++) {
    char id[16];
    snprintf(id, sizeof id, "S%03d", i);
    bo_line l = line_of(id, 1, 1, 1);
    l.queue_us = i;
    snprintf(l.sku, sizeof l.sku, "R");
    assert_int_equal(st->ops->line_insert(st, &l), BO_OK);
  }
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(scalar("SELECT count(*) FROM queue_chunks WHERE sku='R'"), 3);
  assert_int_equal(st->ops->begin(st), BO_OK);
  for (int i = 0; i < N; i++) {
    char id[16];
    snprintf(id, sizeof id, "C%03d", i);
    bo_line l = line_of(id, 1, 1, 1);
    l.queue_us = (int64_t)i * 7919 % N; /* every key once, out of order */
    assert_int_equal(st->ops->line_insert(st, &l), BO_OK);
  }
  assert_queue_reads(st, N);
  /* every third line in queue order is allocated: it leaves the queue */
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  for (size_t i = 0; i < q.n; i += 3) {
    bo_line l = order_line(st, q.v[i].order_id, 1);
    l.allocated = 1;
    l.backordered = 0;
    assert_int_equal(st->ops->line_update(st, &l), BO_OK);
  }
  assert_queue_reads(st, N - N / 3);
  /* the 10th to the 150th waiting line re-dated with a delay */
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  bo_line like = q.v[0];
  like.promise.parts[0].date = DAY + 9;
  assert_int_equal(st->ops->line_update_promise_run(st, &q.v[10], &q.v[150], &like, true), BO_OK);
  assert_queue_reads(st, N - N / 3);
  bo_lines r = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &r), BO_OK);
  for (size_t i = 0; i < r.n; i++) {
    const bool in_run = i >= 10 && i <= 150;
    assert_int_equal(r.v[i].delays, in_run ? 1 : 0);
    assert_int_equal(r.v[i].promise.parts[0].date, in_run ? DAY + 9 : DAY);
  }
  assert_int_equal(order_line(st, r.v[150].order_id, 1).delays, 1);
  assert_int_equal(order_line(st, r.v[151].order_id, 1).delays, 0);
  /* the first 100 filled: the 90 re-dated among them keep their history */
  assert_int_equal(st->ops->queue_fill_through(st, &r.v[99]), BO_OK);
  assert_queue_reads(st, N - N / 3 - 100);
  assert_int_equal(rows_of("filled"), 90);
  const bo_line filled = order_line(st, r.v[50].order_id, 1);
  assert_int_equal(filled.allocated, 1);
  assert_int_equal(filled.backordered, 0);
  assert_int_equal(filled.delays, 1);
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(scalar("SELECT sum(n) FROM queue_chunks WHERE sku='R'"), 130);
  bo_lines_release(&q);
  bo_lines_release(&r);
  st->ops->close(st);
}

static void test_migration_fills_queue(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
  assert_true(unit_db_exec(db, bo__sqlite_migrations[0]));
  assert_true(unit_db_exec(db, "PRAGMA user_version=1;"
              "INSERT INTO order_lines VALUES('A',1,'Q',2,0,2,0,0,0,5,0,1,'2@20800',20800,1,0,"
              "NULL,0,1);"
              "INSERT INTO order_lines VALUES('B',1,'Q',1,1,0,0,0,0,6,0,1,'',20800,0,0,NULL,0,1);"));
  sqlite3_close(db);
  /* a reader cannot migrate, and says what to do */
  bo_store *rd = NULL;
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(db_path, BO_STORE_READER, &rd, &err), BO_E_STORE);
  assert_non_null(strstr(err.message, "has schema 1"));
  assert_non_null(strstr(err.message, "backorder serve"));
  bo_store *st = open_store();
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  assert_int_equal(q.n, 1);
  assert_string_equal(q.v[0].order_id, "A");
  assert_int_equal(q.v[0].backordered, 2);
  assert_int_equal(q.v[0].delays, 1);
  assert_int_equal(q.v[0].promise.n, 1);
  assert_int_equal(q.v[0].promise.parts[0].date, DAY);
  bo_lines_release(&q);
  st->ops->close(st);
}

/* A database of schema 5 whose queue table holds 70 lines of Q (one
 * re-dated in the queue only: `dirty`, its history not in order_lines) and
 * one of R: migration 6 packs them into chunks in order, drops the table,
 * and the re-dated line keeps its history through reads and a fill. */
static void test_migration_packs_queue_with_history(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
  for (int m = 0; m < 5; m++) assert_true(unit_db_exec(db, bo__sqlite_migrations[m]));
  assert_true(unit_db_exec(db, "PRAGMA user_version=5;"
                               "INSERT INTO queue_redated VALUES('Q');"));
  char sql[512];
  for (int i = 0; i < 71; i++) {
    const char *sku = i == 70 ? "R" : "Q";
    const bool redated = i == 0;
    /* placed in reverse order of ids: the queue orders by time first */
    snprintf(sql, sizeof sql,
             "INSERT INTO order_lines VALUES('O%03d',1,'%s',1,0,1,0,0,0,%d,0,1,'1@20800',20800,0,0,"
             "NULL,0,1);"
             "INSERT INTO queue VALUES('O%03d',1,'%s',1,0,1,0,0,0,%d,0,1,'%s',20800,%d,0,NULL,0,1,%d);",
             100 - i, sku, 1000 + i, 100 - i, sku, 1000 + i, redated ? "1@20810" : "1@20800",
             redated ? 2 : 0, redated);
    assert_true(unit_db_exec(db, sql));
  }
  sqlite3_close(db);

  bo_store *st = open_store();
  assert_int_equal(rows_of("queue_chunks"), 3); /* Q: 64 + 6, R: 1 */
  assert_int_equal(scalar("SELECT count(*) FROM sqlite_master WHERE name='queue'"), 0);
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  assert_int_equal(q.n, 70);
  for (size_t i = 0; i < q.n; i++) {
    char id[16];
    snprintf(id, sizeof id, "O%03d", 100 - (int)i);
    assert_string_equal(q.v[i].order_id, id);
    assert_int_equal(q.v[i].queue_us, 1000 + (int64_t)i);
  }
  assert_int_equal(q.v[0].delays, 2);
  assert_int_equal(q.v[0].promise.parts[0].date, 20810);
  assert_int_equal(q.v[1].delays, 0);
  assert_int_equal(order_line(st, "O100", 1).delays, 2);
  /* the head filled: the re-dated line's history is kept */
  assert_int_equal(st->ops->begin(st), BO_OK);
  assert_int_equal(st->ops->queue_fill_through(st, &q.v[1]), BO_OK);
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(rows_of("filled"), 1);
  const bo_line filled = order_line(st, "O100", 1);
  assert_int_equal(filled.allocated, 1);
  assert_int_equal(filled.delays, 2);
  assert_int_equal(queue_len(st), 68);
  bo_lines_release(&q);
  st->ops->close(st);
}

/* Whether a line sorts after l in the queue of "Q". */
static bool has_after(bo_store *st, bo_line l) {
  bool after = false;
  assert_int_equal(st->ops->queue_has_after(st, &l, &after), BO_OK);
  return after;
}

static bo_line waiting(const char *id, int64_t queue_us) {
  bo_line l = line_of(id, 1, 1, 1);
  l.queue_us = queue_us;
  return l;
}

/* queue_has_after reads the queue's last chunk, and the line placed next is
 * spliced into that chunk as read, unless something was written or rolled
 * back in between: a line undone by a rollback does not come back. */
static void test_has_after_and_the_chunk_it_read(void **state) {
  (void)state;
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  assert_false(has_after(st, waiting("A", 1))); /* no queue yet */
  bo_line v[70];
  for (int i = 0; i < 70; i++) { /* two chunks: 64 and 6 lines */
    char id[16];
    snprintf(id, sizeof id, "O%03d", i);
    v[i] = waiting(id, 2000 + i);
    assert_false(has_after(st, v[i])); /* each joins at the tail */
    assert_int_equal(st->ops->line_insert(st, &v[i]), BO_OK);
  }
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(scalar("SELECT count(*) FROM queue_chunks WHERE sku='Q'"), 2);
  assert_int_equal(st->ops->begin(st), BO_OK);
  assert_true(has_after(st, v[10]));           /* in the first chunk */
  assert_true(has_after(st, v[68]));           /* in the last */
  assert_false(has_after(st, v[69]));          /* the last line */
  assert_true(has_after(st, waiting("A", 1))); /* before every line */
  assert_true(has_after(st, waiting("O066a", 2066)));
  assert_false(has_after(st, waiting("Z", 5000)));

  assert_int_equal(st->ops->savepoint(st), BO_OK);
  bo_line undone = waiting("Y", 4000), next = waiting("Z", 5000);
  assert_int_equal(st->ops->line_insert(st, &undone), BO_OK);
  assert_false(has_after(st, next)); /* reads the last chunk, with Y */
  assert_int_equal(st->ops->rollback_to(st), BO_OK);
  assert_int_equal(st->ops->line_insert(st, &next), BO_OK);
  bo_lines q = {0};
  assert_int_equal(st->ops->queue_load(st, "Q", &q), BO_OK);
  assert_int_equal(q.n, 71);
  assert_string_equal(q.v[69].order_id, "O069");
  assert_string_equal(q.v[70].order_id, "Z");
  bo_lines_release(&q);
  /* a write between the two (another line placed) is seen as well */
  bo_line w1 = waiting("ZA", 6000), w2 = waiting("ZB", 7000);
  assert_false(has_after(st, w2));
  assert_int_equal(st->ops->line_insert(st, &w1), BO_OK);
  assert_int_equal(st->ops->line_insert(st, &w2), BO_OK);
  assert_int_equal(queue_len(st), 73);
  assert_int_equal(st->ops->commit(st), BO_OK);
  assert_int_equal(scalar("SELECT sum(n) FROM queue_chunks WHERE sku='Q'"), 73);
  st->ops->close(st);
}

/* A reader outside a transaction sees each commit of the writer: the chunk
 * it read for a line is not kept from one read to the next (its own change
 * count never moves), nor across its transactions. */
static void test_a_reader_sees_each_commit(void **state) {
  (void)state;
  bo_store *st = open_store();
  bo_line a = line_of("R", 1, 2, 2);
  assert_int_equal(st->ops->begin(st), BO_OK);
  assert_int_equal(st->ops->line_insert(st, &a), BO_OK);
  assert_int_equal(st->ops->commit(st), BO_OK);
  bo_store *rd = NULL;
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(db_path, BO_STORE_READER, &rd, &err), BO_OK);
  assert_int_equal(order_line(rd, "R", 1).promise.parts[0].date, DAY);
  for (int round = 1; round <= 3; round++) {
    /* the writer moves the promise a day later each round; the reader
     * reads between, outside a transaction, then inside one */
    a.promise.parts[0].date = DAY + round;
    assert_int_equal(st->ops->begin(st), BO_OK);
    assert_int_equal(st->ops->line_update(st, &a), BO_OK);
    assert_int_equal(st->ops->commit(st), BO_OK);
    assert_int_equal(order_line(rd, "R", 1).promise.parts[0].date, DAY + round);
  }
  for (int round = 4; round <= 6; round++) {
    assert_int_equal(rd->ops->begin(rd), BO_OK);
    assert_int_equal(order_line(rd, "R", 1).promise.parts[0].date, DAY + round - 1);
    assert_int_equal(rd->ops->commit(rd), BO_OK);
    a.promise.parts[0].date = DAY + round;
    assert_int_equal(st->ops->begin(st), BO_OK);
    assert_int_equal(st->ops->line_update(st, &a), BO_OK);
    assert_int_equal(st->ops->commit(st), BO_OK);
  }
  rd->ops->close(rd);
  st->ops->close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_redate_then_fill_keeps_history, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fill_through_and_leave, setup, teardown),
      cmocka_unit_test_setup_teardown(test_filled_lines_read_as_allocated, setup, teardown),
      cmocka_unit_test_setup_teardown(test_redate_mark_survives_rollback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_only_delays_leave_history, setup, teardown),
      cmocka_unit_test_setup_teardown(test_chunks_split_and_read_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_has_after_and_the_chunk_it_read, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_reader_sees_each_commit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_migration_fills_queue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_migration_packs_queue_with_history, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
