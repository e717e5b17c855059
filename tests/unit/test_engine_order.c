/*
 * test_engine_order.c — the engine over a real SQLite file, with faults.
 *
 * A proxy store fails its Nth call; for every N the failed command must
 * leave the database exactly as it was once its savepoint is rolled back
 * (SPEC 3.7), and `bo_check` must find no violation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/engine/engine.h"
#include "../../src/engine/writer.h"
#include "unit_db.h"

#define T0 ((int64_t)bo_day_from_civil(2026, 12, 1) * BO_SECONDS_PER_DAY + 9 * 3600)

/* --- a store that fails on purpose ----------------------------------------- */

/* The SQLite store with its ops table swapped for one whose data calls
 * count themselves and fail when their turn comes; all else passes through. */
typedef struct faulty {
  bo_store *inner;
  long calls, fail_at; /* fail the fail_at-th call (1-based); 0: never */
} faulty;

static bo_store_ops faulty_ops;
static const bo_store_ops *inner_ops;
static faulty *current;

static bool trip(void) { return current->fail_at && ++current->calls == current->fail_at; }

#define WRAP(name, params, args)                 \
  static bo_rc f_##name params {                 \
    if (trip()) return BO_E_STORE;               \
    return inner_ops->name args;                 \
  }
WRAP(sku_get, (bo_store * st, const char *id, bo_sku *out), (st, id, out))
WRAP(sku_update, (bo_store * st, const bo_sku *k), (st, k))
WRAP(incoming_load, (bo_store * st, const char *sku, bo_incomings *out), (st, sku, out))
WRAP(order_insert, (bo_store * st, const bo_order *o), (st, o))
WRAP(line_insert, (bo_store * st, const bo_line *l), (st, l))
WRAP(line_update, (bo_store * st, const bo_line *l), (st, l))
WRAP(queue_load, (bo_store * st, const char *sku, bo_lines *out), (st, sku, out))
WRAP(queue_has_after, (bo_store * st, const bo_line *l, bool *out), (st, l, out))
WRAP(event_append, (bo_store * st, bo_event *e), (st, e))
WRAP(event_append_lines,
     (bo_store * st, int64_t at, const char *sku, const bo_line_event *v, size_t n),
     (st, at, sku, v, n))
WRAP(ledger_append, (bo_store * st, bo_ledger_entry *e), (st, e))
WRAP(order_get, (bo_store * st, const char *id, bo_order *out), (st, id, out))
WRAP(order_lines, (bo_store * st, const char *id, bo_lines *out), (st, id, out))
WRAP(order_update, (bo_store * st, const bo_order *o), (st, o))
WRAP(queue_fill_through, (bo_store * st, const bo_line *l), (st, l))
WRAP(line_update_promise, (bo_store * st, const bo_line *l), (st, l))
WRAP(line_update_promise_run,
     (bo_store * st, const bo_line *a, const bo_line *b, const bo_line *like, bool delayed),
     (st, a, b, like, delayed))
WRAP(order_waiting, (bo_store * st, const char *id, bool *out), (st, id, out))
WRAP(next_id, (bo_store * st, const char *c, int64_t *out), (st, c, out))

static faulty *faulty_open(const char *path) {
  faulty *f = calloc(1, sizeof *f);
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(path, BO_STORE_WRITER, &f->inner, &err), BO_OK);
  inner_ops = f->inner->ops;
  faulty_ops = *inner_ops;
#define USE(name) faulty_ops.name = f_##name;
  USE(sku_get) USE(sku_update) USE(incoming_load) USE(order_insert) USE(line_insert)
  USE(line_update) USE(queue_load) USE(queue_has_after) USE(event_append) USE(event_append_lines) USE(ledger_append)
  USE(order_get) USE(order_lines) USE(order_update) USE(next_id) USE(queue_fill_through)
  USE(line_update_promise) USE(line_update_promise_run) USE(order_waiting)
#undef USE
  f->inner->ops = &faulty_ops;
  current = f;
  return f;
}

static bo_engine engine_of(faulty *f) {
  return (bo_engine){.st = f->inner,
                     .cfg = {.default_lead_time_days = 10, .max_backorder_days = BO_DAYS_NONE}};
}

/* --- helpers ----------------------------------------------------------------- */

static char db_path[64];

static int setup(void **state) {
  snprintf(db_path, sizeof db_path, "/tmp/bo-unit-%d.db", (int)getpid());
  unlink(db_path);
  faulty *f = faulty_open(db_path);
  *state = f;
  return 0;
}

static void remove_db(void) { unit_db_remove(db_path); }

static int teardown(void **state) {
  faulty *f = *state;
  f->inner->ops = inner_ops;
  f->inner->ops->close(f->inner);
  free(f);
  remove_db();
  return 0;
}

/* Runs fn inside begin/savepoint like the writer does; commits. */
static bo_rc in_tx(faulty *f, bo_rc (*fn)(bo_engine *, void *), void *arg) {
  bo_engine e = engine_of(f);
  assert_int_equal(f->inner->ops->begin(f->inner), BO_OK);
  assert_int_equal(f->inner->ops->savepoint(f->inner), BO_OK);
  const bo_rc rc = fn(&e, arg);
  if (rc)
    f->inner->ops->rollback_to(f->inner);
  else
    f->inner->ops->release(f->inner);
  assert_int_equal(f->inner->ops->commit(f->inner), BO_OK);
  return rc;
}

static bo_rc make_sku(bo_engine *e, void *arg) {
  bo_sku_input in = {.fields = BO_SKU_F_POLICY | BO_SKU_F_ON_HAND};
  snprintf(in.v.id, sizeof in.v.id, "%s", (const char *)arg);
  in.v.policy = BO_POLICY_NOTIFY;
  in.v.on_hand = 15;
  bo_err err;
  return bo_sku_create(e, T0, &in, &err);
}

typedef struct order_arg {
  const char *id, *sku;
  int64_t qty;
  int32_t tier;
} order_arg;

static bo_rc place(bo_engine *e, void *arg) {
  const order_arg *a = arg;
  bo_order_request req = {.n_lines = 1};
  snprintf(req.order.id, sizeof req.order.id, "%s", a->id);
  snprintf(req.order.customer_id, sizeof req.order.customer_id, "c");
  req.order.tier = a->tier;
  req.order.need_by = BO_DAY_NONE;
  snprintf(req.lines[0].sku, sizeof req.lines[0].sku, "%s", a->sku);
  req.lines[0].qty = a->qty;
  bo_err err;
  return bo_order_place(e, T0, &req, NULL, &err);
}

static bo_rc adjust(bo_engine *e, void *arg) {
  bo_err err;
  return bo_adjust(e, T0, "DOLL-1", *(int64_t *)arg, "count", NULL, &err);
}

static bo_rc make_supplier(bo_engine *e, void *arg) {
  (void)arg;
  bo_supplier sp = {.id = "S-1", .name = "S-1", .lead_time_days = 10};
  bo_err err;
  return bo_supplier_create(e, T0, &sp, &err);
}

/* A PO of 40 units of DOLL-1 arriving in 5 days: every waiting line re-dated. */
static bo_rc po_new(bo_engine *e, void *arg) {
  (void)arg;
  bo_po_request req = {.id = "P-1", .supplier = "S-1", .eta = bo_day_of(T0) + 5, .n_lines = 1};
  snprintf(req.lines[0].sku, sizeof req.lines[0].sku, "DOLL-1");
  req.lines[0].qty = 40;
  char id[BO_ID_LEN_MAX + 1];
  bo_err err;
  return bo_po_create(e, T0, &req, id, &err);
}

/* The PO 3 days late: runs of lines re-dated alike, with delay notices. */
static bo_rc po_delay(bo_engine *e, void *arg) {
  (void)arg;
  bo_err err;
  return bo_po_patch(e, T0, "P-1", bo_day_of(T0) + 8, false, &err);
}

static void no_violation(void *ctx, const char *m) {
  (void)ctx;
  fail_msg("violation: %s", m);
}

/* A fingerprint of everything: counters, queue and event count. */
static void snapshot(faulty *f, char *buf, size_t size) {
  bo_sku k;
  int64_t events;
  assert_int_equal(f->inner->ops->sku_get(f->inner, "DOLL-1", &k), BO_OK);
  assert_int_equal(f->inner->ops->event_last_id(f->inner, &events), BO_OK);
  bo_lines q = {0};
  assert_int_equal(f->inner->ops->queue_load(f->inner, "DOLL-1", &q), BO_OK);
  int n = snprintf(buf, size, "%lld/%lld/%lld/%lld/%zu", (long long)k.on_hand,
                   (long long)k.allocated, (long long)k.backordered, (long long)events, q.n);
  for (size_t i = 0; i < q.n && n > 0 && (size_t)n < size; i++)
    n += snprintf(buf + n, size - (size_t)n, "|%s:%lld:%s%d:%d:%d", q.v[i].order_id,
                  (long long)q.v[i].backordered,
                  q.v[i].promise.n && q.v[i].promise.parts[0].estimate ? "e" : "",
                  q.v[i].promise.n ? bo_schedule_date(&q.v[i].promise) : 0, q.v[i].first_promise,
                  q.v[i].delays);
  bo_lines_release(&q);
}

/* --- tests ------------------------------------------------------------------- */

/* The doll example through the engine: 15 allocated, 5 backordered. */
static void test_doll(void **state) {
  faulty *f = *state;
  assert_int_equal(in_tx(f, make_sku, "DOLL-1"), BO_OK);
  assert_int_equal(in_tx(f, place, &(order_arg){"A-1", "DOLL-1", 20, 0}), BO_OK);
  bo_lines lines = {0};
  assert_int_equal(f->inner->ops->order_lines(f->inner, "A-1", &lines), BO_OK);
  assert_int_equal(lines.n, 1);
  assert_int_equal(lines.v[0].allocated, 15);
  assert_int_equal(lines.v[0].backordered, 5);
  /* no supply: estimated at today + 10 days of lead time */
  assert_int_equal(lines.v[0].promise.n, 1);
  assert_true(lines.v[0].promise.parts[0].estimate);
  assert_int_equal(lines.v[0].promise.parts[0].date, bo_day_of(T0) + 10);
  bo_lines_release(&lines);
}

/* Every store call of every command can fail: nothing changes, ever. */
static void test_faults_change_nothing(void **state) {
  faulty *f = *state;
  assert_int_equal(in_tx(f, make_sku, "DOLL-1"), BO_OK);
  assert_int_equal(in_tx(f, place, &(order_arg){"A-1", "DOLL-1", 20, 0}), BO_OK);
  assert_int_equal(in_tx(f, place, &(order_arg){"A-2", "DOLL-1", 4, 0}), BO_OK);
  for (int i = 0; i < 5; i++) { /* one-unit lines: re-dated alike */
    char id[8];
    snprintf(id, sizeof id, "C-%d", i);
    assert_int_equal(in_tx(f, place, &(order_arg){id, "DOLL-1", 1, 0}), BO_OK);
  }
  assert_int_equal(in_tx(f, make_supplier, NULL), BO_OK);
  struct {
    bo_rc (*fn)(bo_engine *, void *);
    void *arg;
  } cmds[] = {
      {place, &(order_arg){"B-1", "DOLL-1", 3, 5}}, /* jumps the queue: full settle */
      {place, &(order_arg){"B-2", "DOLL-1", 2, 0}}, /* tail: fast path */
      {adjust, &(int64_t){6}},                      /* allocation to the queue */
      {po_new, NULL},                               /* estimates become PO dates */
      {po_delay, NULL},                             /* runs of delayed lines */
      {adjust, &(int64_t){9}},                      /* fills the head, one line in part */
  };
  for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
    char before[4096], after[4096];
    snapshot(f, before, sizeof before);
    long n = 1;
    for (;; n++) {
      f->calls = 0;
      f->fail_at = n;
      const bo_rc rc = in_tx(f, cmds[c].fn, cmds[c].arg);
      f->fail_at = 0;
      snapshot(f, after, sizeof after);
      if (rc == BO_OK) break; /* past the last call: the command went through */
      assert_string_equal(before, after);
      bo_engine e = engine_of(f);
      assert_int_equal(bo_check(&e, T0, no_violation, NULL), 0);
    }
    assert_true(n > 3); /* the command made several store calls, each failed once */
    assert_string_not_equal(before, after);
  }
  bo_engine e = engine_of(f);
  assert_int_equal(bo_check(&e, T0, no_violation, NULL), 0);
}

/* A higher tier jumps ahead; arriving stock follows the queue order. */
static void test_tier_order(void **state) {
  faulty *f = *state;
  assert_int_equal(in_tx(f, make_sku, "DOLL-1"), BO_OK);
  assert_int_equal(in_tx(f, place, &(order_arg){"A-1", "DOLL-1", 15, 0}), BO_OK);
  assert_int_equal(in_tx(f, place, &(order_arg){"A-2", "DOLL-1", 3, 0}), BO_OK);
  assert_int_equal(in_tx(f, place, &(order_arg){"A-3", "DOLL-1", 3, 2}), BO_OK);
  assert_int_equal(in_tx(f, adjust, &(int64_t){4}), BO_OK);
  bo_lines q = {0};
  assert_int_equal(f->inner->ops->queue_load(f->inner, "DOLL-1", &q), BO_OK);
  assert_int_equal(q.n, 1); /* A-3 got 3, A-2 got 1 and waits for 2 */
  assert_string_equal(q.v[0].order_id, "A-2");
  assert_int_equal(q.v[0].backordered, 2);
  bo_lines_release(&q);
}

/* The daily pass settles BO_TICK_SKUS_PER_BATCH SKUs per call and resumes
 * where it stopped; `all` finishes it. Expiry shows which SKUs it reached. */
static bo_rc make_waiting(bo_engine *e, void *arg) {
  const int n = *(int *)arg;
  bo_err err;
  for (int i = 0; i < n; i++) {
    bo_sku_input in = {.fields = BO_SKU_F_POLICY | BO_SKU_F_MAX_DAYS};
    snprintf(in.v.id, sizeof in.v.id, "W-%04d", i);
    in.v.policy = BO_POLICY_ALLOW;
    in.v.max_backorder_days = 1;
    bo_rc rc = bo_sku_create(e, T0, &in, &err);
    char oid[16];
    snprintf(oid, sizeof oid, "WO-%04d", i);
    if (!rc) rc = place(e, &(order_arg){oid, in.v.id, 1, 0});
    if (rc) return rc;
  }
  return BO_OK;
}

static int64_t count_waiting(faulty *f, int n) {
  int64_t waiting = 0;
  for (int i = 0; i < n; i++) {
    char id[16];
    bo_sku k;
    snprintf(id, sizeof id, "W-%04d", i);
    assert_int_equal(f->inner->ops->sku_get(f->inner, id, &k), BO_OK);
    waiting += k.backordered;
  }
  return waiting;
}

static int tick_day_offset = 3;

static bo_rc tick_slice(bo_engine *e, void *arg) {
  bo_err err;
  return bo_tick(e, T0 + tick_day_offset * BO_SECONDS_PER_DAY, *(bool *)arg, &err);
}

static void test_tick_in_slices(void **state) {
  faulty *f = *state;
  int n = BO_TICK_SKUS_PER_BATCH + 44;
  assert_int_equal(in_tx(f, make_waiting, &n), BO_OK);
  assert_int_equal(count_waiting(f, n), n);
  bool all = false;
  tick_day_offset = 1; /* a day on which nothing expires yet: a slice, unfinished */
  assert_int_equal(in_tx(f, tick_slice, &all), BO_OK);
  assert_int_equal(count_waiting(f, n), n);
  tick_day_offset = 3; /* a new day starts its pass over, from the first SKU */
  assert_int_equal(in_tx(f, tick_slice, &all), BO_OK); /* one slice: the first 256 expire */
  assert_int_equal(count_waiting(f, n), 44);
  assert_int_equal(in_tx(f, tick_slice, &all), BO_OK); /* the rest, and the day is done */
  assert_int_equal(count_waiting(f, n), 0);
  char day[24];
  assert_int_equal(f->inner->ops->meta_get(f->inner, "tick_day", day, sizeof day), BO_OK);
  assert_int_equal(strtol(day, NULL, 10), bo_day_of(T0) + 3);
  bo_engine e = engine_of(f);
  assert_int_equal(bo_check(&e, T0 + 3 * BO_SECONDS_PER_DAY, no_violation, NULL), 0);
}

/* --- the writer: no answer before the log is flushed ------------------------ */

static bool flush_fails;
static int flushes;
static bo_rc f_flush(bo_store *st) {
  flushes++;
  return flush_fails ? BO_E_STORE : inner_ops->flush(st);
}

typedef struct test_job {
  bo_job job;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool done;
  bo_rc rc;
  int flushes_at_done;
} test_job;

static bo_rc job_place(bo_job *j, bo_engine *e, int64_t now) {
  (void)j;
  (void)now;
  return place(e, &(order_arg){"W-1", "DOLL-1", 2, 0});
}

static void job_done(bo_job *j, bo_rc rc) {
  test_job *t = (test_job *)j;
  pthread_mutex_lock(&t->mu);
  t->done = true;
  t->rc = rc;
  t->flushes_at_done = flushes;
  pthread_cond_signal(&t->cv);
  pthread_mutex_unlock(&t->mu);
}

static bo_rc run_job(faulty *f) {
  bo_engine e = engine_of(f);
  bo_clock clock = {.manual = true};
  bo_clock_set(&clock, T0);
  bo_writer w = {0};
  test_job t = {.job = {.run = job_place, .done = job_done}};
  pthread_mutex_init(&t.mu, NULL);
  pthread_cond_init(&t.cv, NULL);
  assert_int_equal(bo_writer_start(&w, &e, &clock), BO_OK);
  bo_writer_submit(&w, &t.job);
  pthread_mutex_lock(&t.mu);
  while (!t.done) pthread_cond_wait(&t.cv, &t.mu);
  pthread_mutex_unlock(&t.mu);
  bo_writer_stop(&w);
  assert_true(t.flushes_at_done >= 1); /* answered only after a flush */
  return t.rc;
}

static void test_writer_answers_after_the_flush(void **state) {
  faulty *f = *state;
  assert_int_equal(in_tx(f, make_sku, "DOLL-1"), BO_OK);
  faulty_ops.flush = f_flush;
  flushes = 0;
  flush_fails = true; /* the disk refuses: the client must not hear "ok" */
  assert_int_equal(run_job(f), BO_E_STORE);
  flush_fails = false;
  flushes = 0;
  bo_order o;
  /* the commit is in the log: a later successful flush makes it durable */
  assert_int_equal(f->inner->ops->order_get(f->inner, "W-1", &o), BO_OK);
  assert_int_equal(run_job(f), BO_E_EXISTS); /* same id again: refused, still after a flush */
}

/* --- the writer: a batch whose job fails after writing ----------------------- */

typedef struct batch_job {
  bo_job job;
  bo_rc (*fn)(bo_engine *e, void *arg);
  void *arg;
  int runs, resets;
} batch_job;

static bo_rc batch_run(bo_job *j, bo_engine *e, int64_t now) {
  (void)now;
  batch_job *b = (batch_job *)j;
  b->runs++;
  return b->fn(e, b->arg);
}

static void batch_reset(bo_job *j) { ((batch_job *)j)->resets++; }

/* Writes (5 units counted in), then refuses: what it wrote must go. */
static bo_rc wrote_then_refused(bo_engine *e, void *arg) {
  int64_t five = 5;
  const bo_rc rc = adjust(e, &five);
  return rc ? rc : *(bo_rc *)arg;
}

static bo_rc run_batch_of(faulty *f, batch_job *jobs, int n) {
  bo_engine e = engine_of(f);
  bo_clock clock = {.manual = true};
  bo_clock_set(&clock, T0);
  bo_writer w = {.engine = &e, .clock = &clock};
  for (int i = 0; i < n; i++) {
    jobs[i].job = (bo_job){.next = i + 1 < n ? &jobs[i + 1].job : NULL, .run = batch_run,
                           .reset = batch_reset};
  }
  return bo_writer_run_batch(&w, &jobs[0].job);
}

/* Jobs run without savepoints; one that fails after writing makes the
 * batch run again with a savepoint per job: its neighbours still commit,
 * its writes do not, and a job that fails before writing costs no re-run. */
static void test_writer_batch_with_a_failed_job(void **state) {
  faulty *f = *state;
  assert_int_equal(in_tx(f, make_sku, "DOLL-1"), BO_OK);
  bo_rc invalid = BO_E_INVALID;
  batch_job jobs[] = {
      {.fn = place, .arg = &(order_arg){"B-1", "DOLL-1", 2, 0}},
      {.fn = place, .arg = &(order_arg){"B-2", "NO-SUCH-SKU", 1, 0}}, /* refused, nothing written */
      {.fn = place, .arg = &(order_arg){"B-3", "DOLL-1", 3, 0}},
  };
  assert_int_equal(run_batch_of(f, jobs, 3), BO_OK);
  assert_int_equal(jobs[0].job.rc, BO_OK);
  assert_int_equal(jobs[1].job.rc, BO_E_INVALID);
  assert_int_equal(jobs[2].job.rc, BO_OK);
  for (int i = 0; i < 3; i++) { /* once each: no re-run for a refusal */
    assert_int_equal(jobs[i].runs, 1);
    assert_int_equal(jobs[i].resets, 0);
  }

  batch_job again[] = {
      {.fn = place, .arg = &(order_arg){"B-4", "DOLL-1", 4, 0}},
      {.fn = wrote_then_refused, .arg = &invalid},
      {.fn = place, .arg = &(order_arg){"B-5", "DOLL-1", 1, 0}},
  };
  assert_int_equal(run_batch_of(f, again, 3), BO_OK);
  assert_int_equal(again[0].job.rc, BO_OK);
  assert_int_equal(again[1].job.rc, BO_E_INVALID);
  assert_int_equal(again[2].job.rc, BO_OK);
  assert_int_equal(again[0].runs, 2); /* the batch ran again ... */
  assert_int_equal(again[1].runs, 2);
  assert_int_equal(again[2].runs, 1); /* ... from the failure on */
  for (int i = 0; i < 3; i++) assert_int_equal(again[i].resets, 1);

  bo_sku k;
  assert_int_equal(f->inner->ops->sku_get(f->inner, "DOLL-1", &k), BO_OK);
  assert_int_equal(k.on_hand, 15); /* the 5 counted in by the failed job are gone */
  assert_int_equal(k.allocated, 2 + 3 + 4 + 1);
  bo_order o;
  const char *kept[] = {"B-1", "B-3", "B-4", "B-5"};
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
    assert_int_equal(f->inner->ops->order_get(f->inner, kept[i], &o), BO_OK);
  assert_int_equal(f->inner->ops->order_get(f->inner, "B-2", &o), BO_E_NOT_FOUND);
  bo_engine e = engine_of(f);
  assert_int_equal(bo_check(&e, T0, no_violation, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_doll, setup, teardown),
      cmocka_unit_test_setup_teardown(test_faults_change_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tier_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tick_in_slices, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_answers_after_the_flush, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_batch_with_a_failed_job, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
