/*
 * test_store_events.c — line events folded into few rows, read back one by one.
 *
 * The SQLite store may keep many line events of one command in one row
 * (event_append_lines); event_list must give back exactly the events that
 * one event_append per event would have stored: ids dense and in order,
 * type, order, SKU and data, from any `after` and with any page size, also
 * across rows, around ordinary events and after a rolled-back savepoint.
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

#include "../../src/store/store.h"
#include "unit_db.h"

#define EV_MAX 4096

typedef struct expected {
  int64_t id;
  char type[48];
  char order_id[BO_ID_LEN_MAX + 1];
  char sku[BO_SKU_ID_LEN_MAX + 1];
  char data[1024];
} expected;

static expected want[EV_MAX];
static int n_want;
static char db_path[64];

/* Tails that could confuse a reader of the fold: its own separators, digits
 * right after a string, an empty one, a long one. */
static const char *const tails[] = {
    "",
    ",\"qty\":1,\"allocated\":1,\"backordered\":0",
    ",\"reason\":\"a;b:c,d.e 12:34\"",
    ",\"n\":-5",
    (",\"long\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""),
};
static const char *const types[] = {"order.promise_changed", "order.delay_notice",
                                    "order.allocated"};

static void expect(int64_t id, const char *type, const char *order, const char *sku,
                   const char *data) {
  assert_true(n_want < EV_MAX);
  expected *x = &want[n_want++];
  x->id = id;
  snprintf(x->type, sizeof x->type, "%s", type);
  snprintf(x->order_id, sizeof x->order_id, "%s", order);
  snprintf(x->sku, sizeof x->sku, "%s", sku);
  snprintf(x->data, sizeof x->data, "%s", data);
}

static void ordinary(bo_store *st, const char *type) {
  bo_event ev = {.at = 7, .data = "{\"purchase_order\":\"PO-1\"}"};
  snprintf(ev.type, sizeof ev.type, "%s", type);
  assert_int_equal(st->ops->event_append(st, &ev), BO_OK);
  expect(ev.id, type, "", "", ev.data);
}

/* Appends n line events of sku in one call: two events per line, like a
 * re-promise's, and two lines per order. */
static void lines(bo_store *st, const char *sku, int n, int seed) {
  static char orders[EV_MAX][BO_ID_LEN_MAX + 1];
  bo_line_event *v = calloc((size_t)n, sizeof *v);
  int64_t last;
  assert_int_equal(st->ops->event_last_id(st, &last), BO_OK);
  for (int i = 0; i < n; i++) {
    const int line = i / 2;
    /* ids of 1..64 characters, some sharing a prefix */
    const int order = line / 2; /* two lines per order: same order, another line */
    const int len = 1 + (order * 7 + seed) % 64;
    for (int k = 0; k < len; k++) orders[i][k] = "AB-._9"[(order + k) % 6];
    orders[i][len] = '\0';
    v[i] = (bo_line_event){types[(i + seed) % 2 ? 1 : (line % 3 == 2 ? 2 : 0)], orders[i],
                           1 + (line * 13) % 100, tails[(line / 3 + i % 2 + seed) % 5]};
    char data[1024];
    const int w = snprintf(data, sizeof data, "{\"order\":\"%s\",\"sku\":\"%s\",\"line\":%d%s}",
                           v[i].order_id, sku, v[i].line_no, v[i].tail);
    assert_true(w > 0 && (size_t)w < sizeof data);
    expect(last + 1 + i, v[i].type, v[i].order_id, sku, data);
  }
  assert_int_equal(st->ops->event_append_lines(st, 7, sku, v, (size_t)n), BO_OK);
  free(v);
  int64_t now;
  assert_int_equal(st->ops->event_last_id(st, &now), BO_OK);
  assert_int_equal(now, last + n);
}

typedef struct got {
  int n;
  int64_t first;
} got;

static bo_rc check_one(void *p, const bo_event *e) {
  got *g = p;
  const int k = (int)(g->first - 1 + g->n); /* index into want */
  assert_true(k < n_want);
  assert_int_equal(e->id, want[k].id);
  assert_string_equal(e->type, want[k].type);
  assert_string_equal(e->order_id, want[k].order_id);
  assert_string_equal(e->sku, want[k].sku);
  assert_string_equal(e->data, want[k].data);
  assert_int_equal(e->at, 7);
  g->n++;
  return BO_OK;
}

/* Every `after` and a few page sizes give the expected events. */
static void check_feed(bo_store *st) {
  for (int k = 0; k < n_want; k++) assert_int_equal(want[k].id, k + 1);
  const int limits[] = {1, 2, 3, 511, 1000};
  for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++) {
    const int step = limits[li] > 3 ? 37 : 1; /* long pages: every 37th start */
    for (int after = 0; after <= n_want; after += step) {
      got g = {.first = after + 1};
      assert_int_equal(st->ops->event_list(st, after, limits[li], check_one, &g), BO_OK);
      const int left = n_want - after;
      assert_int_equal(g.n, left < limits[li] ? left : limits[li]);
    }
  }
}

static bo_store *open_store(void) {
  bo_store *st;
  bo_err err = {0};
  assert_int_equal(bo_store_sqlite_open(db_path, BO_STORE_WRITER, &st, &err), BO_OK);
  return st;
}

static void remove_db(void) { unit_db_remove(db_path); }

static void test_folded_events_read_back_one_by_one(void **state) {
  (void)state;
  snprintf(db_path, sizeof db_path, "/tmp/bo-unit-ev-%d.db", (int)getpid());
  remove_db();
  n_want = 0;
  bo_store *st = open_store();
  assert_int_equal(st->ops->begin(st), BO_OK);
  ordinary(st, "po.delayed");
  lines(st, "SKU-A", 1, 0); /* a run of one: an ordinary row */
  lines(st, "SKU-A", 2, 1);
  ordinary(st, "sku.status_changed");
  lines(st, "S.K_U-9", 512, 2); /* exactly one full row */
  lines(st, "SKU-A", 513, 3);   /* a full row and a run of one */
  lines(st, "SKU-B", 1100, 4);  /* three rows */
  ordinary(st, "po.received");
  /* a savepoint rolled back takes its folded rows with it: ids go on densely */
  assert_int_equal(st->ops->savepoint(st), BO_OK);
  const int keep = n_want;
  lines(st, "SKU-C", 700, 5);
  assert_int_equal(st->ops->rollback_to(st), BO_OK);
  n_want = keep;
  lines(st, "SKU-C", 3, 6);
  ordinary(st, "po.created");
  check_feed(st);
  assert_int_equal(st->ops->commit(st), BO_OK);
  st->ops->close(st);
  /* the same from disk, on a new connection */
  st = open_store();
  check_feed(st);
  st->ops->close(st);
  remove_db();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_folded_events_read_back_one_by_one),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
