/*
 * test_store_qchunk.c — the byte format of a chunk of queue lines.
 *
 * Lines with every field at its extremes read back as written; scan finds
 * each line's key and offset, and orders keys as bo_line_queue_cmp does;
 * re-dating rewrites only the promise part of the lines it is asked to;
 * bytes that are not whole lines (cut short, one too many, an id or a
 * promise too long) are refused, never read past.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/qchunk.h"

#define N 40

/* Line i of a varied set: short and longest ids, extreme numbers, no
 * promise up to every part. */
static bo_line line_of(int i) {
  bo_line l = {0};
  if (i % 5 == 0) memset(l.order_id, 'z', BO_ID_LEN_MAX);
  else snprintf(l.order_id, sizeof l.order_id, "O-%d", i);
  snprintf(l.sku, sizeof l.sku, "SKU-Q");
  const int64_t big[] = {0, 1, -1, INT64_MAX, INT64_MIN, 127, 128, -64, -65, 1LL << 40};
  l.line_no = i % 3 ? i : INT32_MAX;
  l.qty = big[i % 10];
  l.allocated = big[(i + 1) % 10];
  l.backordered = big[(i + 2) % 10];
  l.shipped = big[(i + 3) % 10];
  l.cancelled = big[(i + 4) % 10];
  l.queue_prio = i % 7 == 0 ? INT64_MIN : -(i % 3);
  l.queue_us = i % 11 == 0 ? INT64_MAX : 1790000000000000LL + i;
  l.tier = i % 4 == 0 ? INT32_MIN : i;
  l.created_at = big[(i + 5) % 10];
  l.promise.n = i % (BO_PROMISE_PARTS_MAX + 1);
  for (int k = 0; k < l.promise.n; k++)
    l.promise.parts[k] = (bo_promise_part){big[(i + k) % 10], 20800 + k * 7 - i, k % 2 == 0};
  l.first_promise = i % 2 ? BO_DAY_NONE : 20790 + i;
  l.delays = i % 6 == 0 ? INT32_MAX : i % 3;
  l.consented = i % 2 == 0;
  l.need_by = i % 3 ? BO_DAY_NONE : INT32_MAX;
  l.if_late = i % 2 ? BO_IF_LATE_CANCEL : BO_IF_LATE_KEEP;
  l.n_lines = i % 9;
  return l;
}

static void assert_line_equal(const bo_line *a, const bo_line *b) {
  assert_string_equal(a->order_id, b->order_id);
  assert_string_equal(a->sku, b->sku);
  assert_int_equal(a->line_no, b->line_no);
  assert_true(a->qty == b->qty && a->allocated == b->allocated &&
              a->backordered == b->backordered && a->shipped == b->shipped &&
              a->cancelled == b->cancelled);
  assert_true(a->queue_prio == b->queue_prio && a->queue_us == b->queue_us);
  assert_int_equal(a->tier, b->tier);
  assert_true(a->created_at == b->created_at);
  assert_true(bo_schedule_equal(&a->promise, &b->promise));
  assert_int_equal(a->first_promise, b->first_promise);
  assert_int_equal(a->delays, b->delays);
  assert_int_equal(a->consented, b->consented);
  assert_int_equal(a->need_by, b->need_by);
  assert_int_equal(a->if_late, b->if_late);
  assert_int_equal(a->n_lines, b->n_lines);
}

static size_t encode_all(const bo_line *v, size_t n, uint8_t *buf) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) len += bo_qchunk_encode(&v[i], (uint8_t)(i % 2), buf + len);
  return len;
}

static void test_lines_read_back_as_written(void **state) {
  (void)state;
  static bo_line v[N], w[N];
  static uint8_t buf[N * BO_QCHUNK_LINE_BYTES];
  uint8_t fl[N];
  bo_qchunk_key keys[N];
  uint32_t off[N + 1];
  for (int i = 0; i < N; i++) v[i] = line_of(i);
  const size_t len = encode_all(v, N, buf);
  assert_true(bo_qchunk_decode(buf, len, N, "SKU-Q", w, fl));
  for (int i = 0; i < N; i++) {
    assert_line_equal(&v[i], &w[i]);
    assert_int_equal(fl[i], i % 2);
  }
  /* scan: each line's key and where it starts; one line decodes alone */
  assert_true(bo_qchunk_scan(buf, len, N, keys, off));
  assert_int_equal(off[0], 0);
  assert_int_equal(off[N], len);
  for (int i = 0; i < N; i++) {
    bo_line one;
    assert_true(bo_qchunk_decode(buf + off[i], off[i + 1] - off[i], 1, "SKU-Q", &one, NULL));
    assert_line_equal(&v[i], &one);
    for (int j = 0; j < N; j++) {
      const int want = bo_line_queue_cmp(&v[i], &v[j]);
      assert_int_equal(bo_qchunk_cmp(&keys[i], &v[j]), want);
    }
  }
}

static bool redate_none(void *ctx, const bo_qchunk_key *key, bo_qchunk_promise *pr) {
  (void)ctx;
  (void)key;
  (void)pr;
  return false;
}

static void test_cut_or_malformed_bytes_are_refused(void **state) {
  (void)state;
  static bo_line v[N], w[N + 1];
  static uint8_t buf[N * BO_QCHUNK_LINE_BYTES + 1];
  bo_qchunk_key keys[N];
  uint32_t off[N + 1];
  for (int i = 0; i < N; i++) v[i] = line_of(i);
  const size_t len = encode_all(v, N, buf);
  /* every cut, read from a copy of exactly that many bytes (ASan sees a read past it) */
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *copy = malloc(cut + 1);
    memcpy(copy, buf, cut);
    assert_false(bo_qchunk_decode(copy, cut, N, "SKU-Q", w, NULL));
    assert_false(bo_qchunk_scan(copy, cut, N, keys, off));
    free(copy);
  }
  /* no bytes at all (SQLite gives an empty blob as NULL) */
  assert_false(bo_qchunk_decode(NULL, 0, 1, "SKU-Q", w, NULL));
  assert_false(bo_qchunk_scan(NULL, 0, 1, keys, off));
  bool changed = true;
  assert_int_equal(bo_qchunk_repromise(NULL, 0, 1, redate_none, NULL, buf, &changed), 0);
  /* fewer lines than the bytes hold, or more */
  assert_false(bo_qchunk_decode(buf, len, N - 1, "SKU-Q", w, NULL));
  assert_false(bo_qchunk_decode(buf, len, N + 1, "SKU-Q", w, NULL));
  buf[len] = 0;
  assert_false(bo_qchunk_decode(buf, len + 1, N, "SKU-Q", w, NULL));
  /* an order id longer than any, a promise of too many parts */
  uint8_t bad[BO_QCHUNK_LINE_BYTES];
  size_t n = bo_qchunk_encode(&v[1], 0, bad);
  bad[0] = BO_ID_LEN_MAX + 1;
  assert_false(bo_qchunk_decode(bad, n, 1, "SKU-Q", w, NULL));
  bo_line l = line_of(1);
  l.promise.n = 0;
  n = bo_qchunk_encode(&l, 0, bad);
  bo_qchunk_key k;
  assert_true(bo_qchunk_scan(bad, n, 1, &k, off));
  /* the promise part count is the first byte after the 10 terms: find it
   * by encoding the same line with one part and comparing */
  uint8_t one[BO_QCHUNK_LINE_BYTES];
  l.promise = (bo_schedule){1, {{1, 20800, false}}};
  bo_qchunk_encode(&l, 0, one);
  size_t at = 0;
  while (bad[at] == one[at]) at++;
  bad[at] = BO_PROMISE_PARTS_MAX + 1;
  assert_false(bo_qchunk_decode(bad, n, 1, "SKU-Q", w, NULL));
}

typedef struct redate {
  int32_t line_no; /* the one line to re-date */
} redate;

static bool redate_one(void *ctx, const bo_qchunk_key *key, bo_qchunk_promise *pr) {
  const redate *r = ctx;
  if (key->line_no != r->line_no) return false;
  pr->promise = (bo_schedule){2, {{1, 21000, false}, {2, 21007, true}}};
  pr->delays++;
  pr->flags |= BO_QCHUNK_DIRTY;
  return true;
}

static void test_repromise_changes_only_what_it_is_asked(void **state) {
  (void)state;
  static bo_line v[N], w[N];
  static uint8_t buf[N * BO_QCHUNK_LINE_BYTES], out[(N + 1) * BO_QCHUNK_LINE_BYTES];
  uint8_t fl[N];
  for (int i = 0; i < N; i++) v[i] = line_of(i);
  const size_t len = encode_all(v, N, buf);
  bool changed = true;
  assert_int_equal(bo_qchunk_repromise(buf, len, N, redate_none, NULL, out, &changed), len);
  assert_false(changed);
  assert_memory_equal(buf, out, len);
  redate r = {v[7].line_no};
  const size_t n = bo_qchunk_repromise(buf, len, N, redate_one, &r, out, &changed);
  assert_true(changed);
  assert_true(bo_qchunk_decode(out, n, N, "SKU-Q", w, fl));
  for (int i = 0; i < N; i++) {
    if (i != 7) {
      assert_line_equal(&v[i], &w[i]);
      assert_int_equal(fl[i], i % 2);
      continue;
    }
    assert_int_equal(w[i].promise.n, 2);
    assert_int_equal(w[i].promise.parts[1].date, 21007);
    assert_int_equal(w[i].delays, v[i].delays + 1);
    assert_int_equal(fl[i], BO_QCHUNK_DIRTY | 1);
    assert_int_equal(w[i].qty, v[i].qty); /* the rest as it was */
    assert_int_equal(w[i].need_by, v[i].need_by);
  }
  /* bytes that are not the lines they claim: refused */
  assert_int_equal(bo_qchunk_repromise(buf, len - 1, N, redate_none, NULL, out, &changed), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lines_read_back_as_written),
      cmocka_unit_test(test_cut_or_malformed_bytes_are_refused),
      cmocka_unit_test(test_repromise_changes_only_what_it_is_asked),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
