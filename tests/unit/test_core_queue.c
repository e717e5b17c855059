/*
 * test_core_queue.c — the order of the backorder queue and the hand-out of
 * arriving stock (SPEC 4, "Allocation of arriving stock"; SPEC 3, rules 3, 5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/domain.h"

/* A line of `qty` units, `backordered` of them waiting, the rest allocated. */
static bo_line line_of(const char *order_id, int32_t line_no, int32_t tier, int64_t queue_us,
                       int64_t qty, int64_t backordered) {
  bo_line l;
  memset(&l, 0, sizeof l);
  snprintf(l.order_id, sizeof l.order_id, "%s", order_id);
  l.line_no = line_no;
  snprintf(l.sku, sizeof l.sku, "DOLL-1");
  l.qty = qty;
  l.backordered = backordered;
  l.allocated = qty - backordered;
  l.tier = tier;
  l.queue_prio = -(int64_t)tier;
  l.queue_us = queue_us;
  l.created_at = queue_us / 1000000;
  l.first_promise = BO_DAY_NONE;
  l.need_by = BO_DAY_NONE;
  l.if_late = BO_IF_LATE_KEEP;
  return l;
}

static int sign(int v) { return (v > 0) - (v < 0); }

/* a before b, strictly, seen from both sides */
static void assert_before(const bo_line *a, const bo_line *b) {
  assert_int_equal(sign(bo_line_queue_cmp(a, b)), -1);
  assert_int_equal(sign(bo_line_queue_cmp(b, a)), 1);
}

/* --- bo_line_queue_cmp -------------------------------------------------- */

static void test_cmp_tier_first(void **state) {
  (void)state;
  /* a higher tier goes first even when it ordered later and has a larger id */
  const bo_line gold = line_of("Z-9", 9, 2, 5000, 1, 1);
  const bo_line plain = line_of("A-1", 1, 0, 1000, 1, 1);
  const bo_line poor = line_of("A-0", 0, -1, 1, 1, 1);
  assert_before(&gold, &plain);
  assert_before(&plain, &poor);
  assert_before(&gold, &poor);
  /* large tiers (the API allows |tier| <= 1e6) */
  const bo_line top = line_of("Z", 1, BO_TIER_ABS_MAX, 9, 1, 1);
  const bo_line bottom = line_of("A", 1, -BO_TIER_ABS_MAX, 0, 1, 1);
  assert_before(&top, &gold);
  assert_before(&poor, &bottom);
}

static void test_cmp_queue_prio_overrides_tier(void **state) {
  (void)state;
  /* protect_promises may place a line further back than its tier would */
  bo_line gold = line_of("A-1", 1, 5, 1000, 1, 1);
  const bo_line plain = line_of("B-1", 1, 0, 2000, 1, 1);
  gold.queue_prio = 100;
  assert_before(&plain, &gold);
}

static void test_cmp_time_then_id_then_line(void **state) {
  (void)state;
  const bo_line early = line_of("Z-9", 9, 1, 1000, 1, 1);
  const bo_line late = line_of("A-1", 1, 1, 1001, 1, 1);
  assert_before(&early, &late);
  /* queue_us beyond 32 bits */
  const bo_line t1 = line_of("Z", 1, 0, 1796115600000000LL, 1, 1);
  const bo_line t2 = line_of("A", 1, 0, 1796115600000001LL, 1, 1);
  assert_before(&t1, &t2);
  const bo_line t3 = line_of("A", 1, 0, 1796115600000000LL + 4294967296LL, 1, 1);
  assert_before(&t1, &t3);
  /* same time: order id, as text */
  const bo_line a = line_of("A-1001", 7, 1, 1000, 1, 1);
  const bo_line b = line_of("A-1002", 1, 1, 1000, 1, 1);
  assert_before(&a, &b);
  const bo_line shortid = line_of("A-1", 7, 1, 1000, 1, 1);
  assert_before(&shortid, &a); /* prefix sorts first */
  /* same order: line number */
  const bo_line l1 = line_of("A-1001", 1, 1, 1000, 1, 1);
  const bo_line l2 = line_of("A-1001", 2, 1, 1000, 1, 1);
  const bo_line l10 = line_of("A-1001", 10, 1, 1000, 1, 1);
  assert_before(&l1, &l2);
  assert_before(&l2, &l10);
  /* the same key compares equal */
  const bo_line same = line_of("A-1001", 2, 1, 1000, 9, 3);
  assert_int_equal(bo_line_queue_cmp(&l2, &same), 0);
  assert_int_equal(bo_line_queue_cmp(&l2, &l2), 0);
}

static int qsort_cmp(const void *a, const void *b) { return bo_line_queue_cmp(a, b); }

static void test_cmp_sorts_a_queue(void **state) {
  (void)state;
  /* expected order worked out by hand: tier desc, time asc, id asc, line asc */
  bo_line q[] = {
      line_of("C", 1, 0, 300, 1, 1),  /* 5 */
      line_of("B", 2, 0, 200, 1, 1),  /* 4 */
      line_of("X", 1, 3, 900, 1, 1),  /* 0 */
      line_of("B", 1, 0, 200, 1, 1),  /* 3 */
      line_of("A", 1, 1, 500, 1, 1),  /* 2 */
      line_of("D", 1, -2, 1, 1, 1),   /* 6 */
      line_of("Y", 1, 1, 100, 1, 1),  /* 1 */
  };
  const char *const want_id[] = {"X", "Y", "A", "B", "B", "C", "D"};
  const int32_t want_line[] = {1, 1, 1, 1, 2, 1, 1};
  const size_t n = sizeof q / sizeof q[0];
  qsort(q, n, sizeof q[0], qsort_cmp);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(q[i].order_id, want_id[i]);
    assert_int_equal(q[i].line_no, want_line[i]);
  }
}

/* --- bo_line_balanced ---------------------------------------------------- */

static void test_line_balanced(void **state) {
  (void)state;
  bo_line l = line_of("A", 1, 0, 0, 10, 4);
  assert_true(bo_line_balanced(&l));
  l.shipped = 3;
  l.allocated = 2;
  l.cancelled = 1;
  assert_true(bo_line_balanced(&l)); /* 2 + 4 + 3 + 1 */
  l.cancelled = 2;
  assert_false(bo_line_balanced(&l));
  l.cancelled = 1;
  l.backordered = -1;
  l.allocated = 7;
  assert_false(bo_line_balanced(&l)); /* sums to 10 with a negative part */
  l = line_of("A", 1, 0, 0, 0, 0);
  assert_false(bo_line_balanced(&l)); /* qty must be positive */
}

/* --- bo_allocate --------------------------------------------------------- */

/* queue of three lines waiting 5, 8 and 10 units, in queue order */
static void three_lines(bo_line q[3]) {
  q[0] = line_of("A-1", 1, 1, 100, 5, 5);
  q[1] = line_of("A-2", 1, 0, 100, 12, 8); /* 4 already allocated */
  q[2] = line_of("A-3", 1, 0, 200, 10, 10);
}

static void assert_line(const bo_line *l, int64_t allocated, int64_t backordered) {
  assert_true(l->allocated == allocated);
  assert_true(l->backordered == backordered);
  assert_true(bo_line_balanced(l));
}

static void test_allocate_partial_last(void **state) {
  (void)state;
  bo_line q[3];
  int64_t taken[3] = {0, 0, 0};
  three_lines(q);
  assert_true(bo_allocate(10, q, 3, taken) == 10);
  assert_line(&q[0], 5, 0);
  assert_line(&q[1], 4 + 5, 3); /* partial: 5 of its 8 */
  assert_line(&q[2], 0, 10);
  assert_true(taken[0] == 5 && taken[1] == 5 && taken[2] == 0);
}

static void test_allocate_exact_and_more(void **state) {
  (void)state;
  bo_line q[3];
  int64_t taken[3] = {0, 0, 0};
  three_lines(q);
  assert_true(bo_allocate(13, q, 3, taken) == 13); /* exactly lines 1 and 2 */
  assert_line(&q[0], 5, 0);
  assert_line(&q[1], 12, 0);
  assert_line(&q[2], 0, 10);
  assert_true(taken[0] == 5 && taken[1] == 8 && taken[2] == 0);

  three_lines(q);
  memset(taken, 0, sizeof taken);
  assert_true(bo_allocate(100, q, 3, taken) == 23); /* never more than waits */
  assert_line(&q[0], 5, 0);
  assert_line(&q[1], 12, 0);
  assert_line(&q[2], 10, 0);
  assert_true(taken[0] == 5 && taken[1] == 8 && taken[2] == 10);
}

static void test_allocate_one_unit(void **state) {
  (void)state;
  bo_line q[3];
  int64_t taken[3] = {0, 0, 0};
  three_lines(q);
  assert_true(bo_allocate(1, q, 3, taken) == 1);
  assert_line(&q[0], 1, 4);
  assert_line(&q[1], 4, 8);
  assert_line(&q[2], 0, 10);
  assert_true(taken[0] == 1 && taken[1] == 0 && taken[2] == 0);
}

static void test_allocate_nothing(void **state) {
  (void)state;
  bo_line q[3], before[3];
  int64_t taken[3] = {0, 0, 0};
  three_lines(q);
  memcpy(before, q, sizeof q);
  assert_true(bo_allocate(0, q, 3, taken) == 0);
  assert_memory_equal(q, before, sizeof q);
  assert_true(taken[0] == 0 && taken[1] == 0 && taken[2] == 0);
  /* an empty queue takes nothing */
  assert_true(bo_allocate(50, q, 0, taken) == 0);
  assert_memory_equal(q, before, sizeof q);
}

static void test_allocate_skips_lines_not_waiting(void **state) {
  (void)state;
  bo_line q[3];
  int64_t taken[3] = {0, 0, 0};
  q[0] = line_of("A-1", 1, 1, 100, 5, 0); /* fully allocated already */
  q[1] = line_of("A-2", 1, 0, 100, 6, 6);
  q[2] = line_of("A-3", 1, 0, 200, 4, 4);
  assert_true(bo_allocate(7, q, 3, taken) == 7);
  assert_line(&q[0], 5, 0);
  assert_line(&q[1], 6, 0);
  assert_line(&q[2], 1, 3);
  assert_true(taken[0] == 0 && taken[1] == 6 && taken[2] == 1);
}

static void test_allocate_without_taken(void **state) {
  (void)state;
  bo_line q[3];
  three_lines(q);
  assert_true(bo_allocate(6, q, 3, NULL) == 6);
  assert_line(&q[0], 5, 0);
  assert_line(&q[1], 5, 7);
  assert_line(&q[2], 0, 10);
}

static void test_allocate_keeps_other_counters(void **state) {
  (void)state;
  bo_line q[1];
  q[0] = line_of("A-1", 1, 0, 100, 20, 8);
  q[0].allocated = 2;
  q[0].shipped = 7;
  q[0].cancelled = 3;
  assert_true(bo_line_balanced(&q[0]));
  assert_true(bo_allocate(5, q, 1, NULL) == 5);
  assert_true(q[0].allocated == 7);
  assert_true(q[0].backordered == 3);
  assert_true(q[0].shipped == 7);
  assert_true(q[0].cancelled == 3);
  assert_true(q[0].qty == 20);
  assert_true(bo_line_balanced(&q[0]));
}

static void test_allocate_many_lines_conserves_units(void **state) {
  (void)state;
  enum { N = 50 };
  bo_line q[N];
  int64_t taken[N];
  int64_t waiting = 0;
  for (int i = 0; i < N; i++) {
    char id[16];
    snprintf(id, sizeof id, "O-%03d", i);
    q[i] = line_of(id, 1, 0, 1000 + i, 3 + i % 4, 1 + i % 3); /* waits 1, 2, 3, 1, ... */
    waiting += q[i].backordered;
    taken[i] = 0;
  }
  /* i % 3 over 0..49 gives 17 zeros, 17 ones, 16 twos: 17*1 + 17*2 + 16*3 = 99 */
  assert_true(waiting == 99);
  const int64_t avail = 40;
  assert_true(bo_allocate(avail, q, N, taken) == avail);
  int64_t given = 0;
  size_t last_changed = 0;
  for (size_t i = 0; i < N; i++) {
    assert_true(bo_line_balanced(&q[i]));
    const int64_t got = q[i].allocated - (q[i].qty - (1 + (int64_t)i % 3));
    given += got;
    assert_int_equal(taken[i], got);
    if (got > 0) last_changed = i;
  }
  assert_true(given == avail);
  /* prefix sums of 1,2,3,1,2,3,...: 6 per 3 lines, 36 after 18 lines, then 1+2 = 39,
   * so line 20 (the 21st) takes the 40th unit, one of its 3 */
  assert_int_equal(last_changed, 20);
  assert_true(q[20].backordered == 2);
  for (size_t i = 0; i < 20; i++) assert_true(q[i].backordered == 0);
  for (size_t i = 21; i < N; i++) assert_int_equal(taken[i], 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cmp_tier_first),
      cmocka_unit_test(test_cmp_queue_prio_overrides_tier),
      cmocka_unit_test(test_cmp_time_then_id_then_line),
      cmocka_unit_test(test_cmp_sorts_a_queue),
      cmocka_unit_test(test_line_balanced),
      cmocka_unit_test(test_allocate_partial_last),
      cmocka_unit_test(test_allocate_exact_and_more),
      cmocka_unit_test(test_allocate_one_unit),
      cmocka_unit_test(test_allocate_nothing),
      cmocka_unit_test(test_allocate_skips_lines_not_waiting),
      cmocka_unit_test(test_allocate_without_taken),
      cmocka_unit_test(test_allocate_keeps_other_counters),
      cmocka_unit_test(test_allocate_many_lines_conserves_units),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
