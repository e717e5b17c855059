/*
 * test_core_promise.c — time-phased available-to-promise (SPEC 4, "Promises"
 * and "Keeping promises honest"): the walk of the queue against supply, the
 * quote of a new demand, and the stored form of a schedule.
 *
 * All dates are relative to D = 2026-12-01 = day 20788 (2026-01-01 = 20454,
 * + 334 days to 1 Dec); every expected schedule below was worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/core/domain.h"

#define D 20788 /* 2026-12-01 */
#define LEAD 14

typedef bo_promise_part P;
#define SUP(q, e) ((bo_supply){.qty = (q), .eta = (e)})
#define PART(q, d) ((P){.qty = (q), .date = (d), .estimate = false})
#define EST(q, d) ((P){.qty = (q), .date = (d), .estimate = true})

/* A fresh backordered line: `backordered` units waiting, never promised. */
static bo_line line_of(const char *order_id, int64_t backordered) {
  static int64_t clock_us = 1000;
  bo_line l;
  memset(&l, 0, sizeof l);
  snprintf(l.order_id, sizeof l.order_id, "%s", order_id);
  l.line_no = 1;
  snprintf(l.sku, sizeof l.sku, "DOLL-1");
  l.qty = backordered;
  l.backordered = backordered;
  l.queue_us = clock_us++;
  l.first_promise = BO_DAY_NONE;
  l.need_by = BO_DAY_NONE;
  l.if_late = BO_IF_LATE_KEEP;
  return l;
}

/* The line was promised `parts` before (and first promised `first`). */
static void promised(bo_line *l, bo_day first, size_t n, const P *parts) {
  l->promise.n = (int)n;
  for (size_t i = 0; i < n; i++) l->promise.parts[i] = parts[i];
  l->first_promise = first;
}

static bo_promise_ctx ctx_of(bo_day today, int32_t handling) {
  return (bo_promise_ctx){.today = today, .handling_days = handling, .lead_time_days = LEAD};
}

static void expect_schedule_(const bo_schedule *got, size_t n, const P *want, int line) {
  if ((size_t)got->n != n) fail_msg("line %d: %d parts, want %zu", line, got->n, n);
  for (size_t i = 0; i < n; i++) {
    const P *g = &got->parts[i];
    if (g->qty != want[i].qty || g->date != want[i].date || g->estimate != want[i].estimate)
      fail_msg("line %d: part %zu is %lld@D%+d%s, want %lld@D%+d%s", line, i, (long long)g->qty,
               (int)(g->date - D), g->estimate ? "e" : "", (long long)want[i].qty,
               (int)(want[i].date - D), want[i].estimate ? "e" : "");
  }
}
#define expect_schedule(got, ...)                                                  \
  do {                                                                             \
    const P want_[] = {__VA_ARGS__};                                               \
    expect_schedule_((got), sizeof want_ / sizeof want_[0], want_, __LINE__);      \
  } while (0)
#define expect_empty(got) assert_int_equal((got)->n, 0)

static void expect_plain(const bo_walk_result *r) {
  assert_true(r->cancel_late == 0);
  assert_true(r->cancel_delay == 0);
  assert_false(r->delayed);
}

/* --- the walk: dates from supply ----------------------------------------- */

static void test_walk_two_pos_three_lines(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(10, D + 5), SUP(10, D + 12)};
  const bo_line q[] = {line_of("A-1", 5), line_of("A-2", 8), line_of("A-3", 10)};
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[3];
  memset(r, 0xA5, sizeof r);
  bo_promise_walk(sup, 2, 0, q, 3, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5));
  expect_schedule(&r[1].promise, PART(5, D + 5), PART(3, D + 12)); /* split over two POs */
  expect_schedule(&r[2].promise, PART(7, D + 12), EST(3, D + LEAD));
  for (int i = 0; i < 3; i++) expect_plain(&r[i]);
  assert_int_equal(bo_schedule_date(&r[1].promise), D + 12);
  assert_int_equal(bo_schedule_date(&r[2].promise), D + LEAD);
}

static void test_walk_handling_days_on_every_date(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(10, D + 5), SUP(10, D + 12)};
  const bo_line q[] = {line_of("A-1", 5), line_of("A-2", 8), line_of("A-3", 10)};
  const bo_promise_ctx ctx = ctx_of(D, 2);
  bo_walk_result r[3];
  bo_promise_walk(sup, 2, 0, q, 3, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 7));
  expect_schedule(&r[1].promise, PART(5, D + 7), PART(3, D + 14));
  expect_schedule(&r[2].promise, PART(7, D + 14), EST(3, D + LEAD + 2));
}

static void test_walk_estimate_is_its_own_part(void **state) {
  (void)state;
  /* the estimate falls on the same day as the last PO but stays a separate part */
  const bo_supply sup[] = {SUP(10, D + LEAD)};
  const bo_line q[] = {line_of("A-1", 12)};
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[1];
  bo_promise_walk(sup, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(10, D + LEAD), EST(2, D + LEAD));
}

static void test_walk_skip_units(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(10, D + 5), SUP(10, D + 12)};
  const bo_line q[] = {line_of("A-1", 5), line_of("A-2", 8), line_of("A-3", 10)};
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[3];

  /* 12 units taken ahead: 8 left on the second PO */
  bo_promise_walk(sup, 2, 12, q, 3, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 12));
  expect_schedule(&r[1].promise, PART(3, D + 12), EST(5, D + LEAD));
  expect_schedule(&r[2].promise, EST(10, D + LEAD));

  /* exactly the first PO taken ahead */
  bo_promise_walk(sup, 2, 10, q, 3, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 12));
  expect_schedule(&r[1].promise, PART(5, D + 12), EST(3, D + LEAD));
  expect_schedule(&r[2].promise, EST(10, D + LEAD));

  /* 3 taken ahead */
  bo_promise_walk(sup, 2, 3, q, 3, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5));
  expect_schedule(&r[1].promise, PART(2, D + 5), PART(6, D + 12));
  expect_schedule(&r[2].promise, PART(4, D + 12), EST(6, D + LEAD));

  /* more taken ahead than there is supply */
  bo_promise_walk(sup, 2, 25, q, 3, &ctx, r);
  expect_schedule(&r[0].promise, EST(5, D + LEAD));
  expect_schedule(&r[1].promise, EST(8, D + LEAD));
  expect_schedule(&r[2].promise, EST(10, D + LEAD));
}

static void test_walk_no_supply(void **state) {
  (void)state;
  const bo_line q[] = {line_of("A-1", 1), line_of("A-2", 4)};
  const bo_promise_ctx ctx = ctx_of(D, 3);
  bo_walk_result r[2];
  bo_promise_walk(NULL, 0, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, EST(1, D + LEAD + 3));
  expect_schedule(&r[1].promise, EST(4, D + LEAD + 3));
  expect_plain(&r[0]);
  expect_plain(&r[1]);
}

static void test_walk_past_eta_is_today(void **state) {
  (void)state;
  /* an overdue PO, one due today and one due tomorrow; handling 1 day */
  const bo_supply sup[] = {SUP(4, D - 3), SUP(4, D), SUP(4, D + 1)};
  const bo_line q[] = {line_of("A-1", 3), line_of("A-2", 9)};
  const bo_promise_ctx ctx = ctx_of(D, 1);
  bo_walk_result r[2];
  bo_promise_walk(sup, 3, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(3, D + 1));
  /* 1 left of the overdue PO and 4 of today's share the date D+1: one part */
  expect_schedule(&r[1].promise, PART(5, D + 1), PART(4, D + 2));
  /* handling 0: the overdue PO is dated today, not in the past */
  const bo_promise_ctx ctx0 = ctx_of(D, 0);
  bo_promise_walk(sup, 3, 0, q, 1, &ctx0, r);
  expect_schedule(&r[0].promise, PART(3, D));
}

static void test_walk_part_limit(void **state) {
  (void)state;
  /* ten POs of one unit each, D+1 .. D+10: at most BO_PROMISE_PARTS_MAX (8) parts,
   * the units past the limit join the last part, which takes the latest date */
  bo_supply sup[10];
  for (int i = 0; i < 10; i++) sup[i] = SUP(1, D + 1 + i);
  const bo_line q[] = {line_of("A-1", 10)};
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[1];
  bo_promise_walk(sup, 10, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(1, D + 1), PART(1, D + 2), PART(1, D + 3), PART(1, D + 4),
                  PART(1, D + 5), PART(1, D + 6), PART(1, D + 7), PART(3, D + 10));
  assert_int_equal(bo_schedule_date(&r[0].promise), D + 10);
  assert_true(bo_schedule_qty(&r[0].promise) == 10);

  /* eight POs fill the parts; two estimated units join the last, now an estimate */
  const bo_line q2[] = {line_of("A-2", 10)};
  bo_promise_walk(sup, 8, 0, q2, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(1, D + 1), PART(1, D + 2), PART(1, D + 3), PART(1, D + 4),
                  PART(1, D + 5), PART(1, D + 6), PART(1, D + 7), EST(3, D + LEAD));
}

/* --- the walk: estimates that do not slide -------------------------------- */

static void test_walk_keeps_unpassed_estimate(void **state) {
  (void)state;
  bo_line q[] = {line_of("A-1", 3), line_of("A-2", 4)};
  promised(&q[0], D + 10, 1, (P[]){EST(3, D + 10)});
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[2];
  bo_promise_walk(NULL, 0, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, EST(3, D + 10)); /* not D + 14 */
  expect_schedule(&r[1].promise, EST(4, D + LEAD));
  expect_plain(&r[0]);
  expect_plain(&r[1]);

  /* five days later the estimate still says D+10, not today + lead */
  const bo_promise_ctx later = ctx_of(D + 5, 0);
  bo_promise_walk(NULL, 0, 0, q, 1, &later, r);
  expect_schedule(&r[0].promise, EST(3, D + 10));
  expect_plain(&r[0]);

  /* on the estimate's own day it has not passed yet */
  const bo_promise_ctx on_day = ctx_of(D + 10, 0);
  bo_promise_walk(NULL, 0, 0, q, 1, &on_day, r);
  expect_schedule(&r[0].promise, EST(3, D + 10));
  expect_plain(&r[0]);
}

static void test_walk_estimate_with_new_supply(void **state) {
  (void)state;
  /* supply now covers part of an estimated line; the rest keeps its estimate */
  bo_line q[] = {line_of("A-1", 8)};
  promised(&q[0], D + 10, 1, (P[]){EST(8, D + 10)});
  const bo_supply sup[] = {SUP(5, D + 3)};
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[1];
  bo_promise_walk(sup, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 3), EST(3, D + 10));
  expect_plain(&r[0]);
}

static void test_walk_passed_estimate_is_a_delay(void **state) {
  (void)state;
  /* the estimate D+10 passed with no supply: a fresh estimate, and a delay */
  bo_line q[] = {line_of("A-1", 3)};
  promised(&q[0], D + 10, 1, (P[]){EST(3, D + 10)});
  const bo_promise_ctx ctx = ctx_of(D + 11, 0);
  bo_walk_result r[1];
  bo_promise_walk(NULL, 0, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, EST(3, D + 11 + LEAD));
  assert_true(r[0].delayed);
  assert_true(r[0].cancel_delay == 0);
  assert_true(r[0].cancel_late == 0);
}

/* --- the walk: need_by ----------------------------------------------------- */

static void test_walk_need_by_cancels_late_units(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(5, D + 5), SUP(3, D + 12)};
  bo_line q[] = {line_of("A-1", 8), line_of("A-2", 3)};
  q[0].need_by = D + 8;
  q[0].if_late = BO_IF_LATE_CANCEL;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[2];
  bo_promise_walk(sup, 2, 0, q, 2, &ctx, r);
  /* 3 units would come D+12, after need_by: cancelled, and they take no supply */
  expect_schedule(&r[0].promise, PART(5, D + 5));
  assert_true(r[0].cancel_late == 3);
  assert_true(r[0].cancel_delay == 0);
  assert_false(r[0].delayed);
  expect_schedule(&r[1].promise, PART(3, D + 12)); /* the next line gets them */
  expect_plain(&r[1]);

  /* the same with if_late keep: nothing cancelled, the next line is estimated */
  q[0].if_late = BO_IF_LATE_KEEP;
  bo_promise_walk(sup, 2, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5), PART(3, D + 12));
  expect_plain(&r[0]);
  expect_schedule(&r[1].promise, EST(3, D + LEAD));
}

static void test_walk_need_by_boundaries(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(5, D + 5), SUP(3, D + 12)};
  bo_line q[] = {line_of("A-1", 8), line_of("A-2", 3)};
  q[0].if_late = BO_IF_LATE_CANCEL;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[2];

  /* need_by on the last date: in time */
  q[0].need_by = D + 12;
  bo_promise_walk(sup, 2, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5), PART(3, D + 12));
  expect_plain(&r[0]);
  expect_schedule(&r[1].promise, EST(3, D + LEAD));

  /* one day earlier: the last 3 are late */
  q[0].need_by = D + 11;
  bo_promise_walk(sup, 2, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5));
  assert_true(r[0].cancel_late == 3);

  /* need_by on the first PO's date: those 5 units are in time, the 3 after are not */
  q[0].need_by = D + 5;
  bo_promise_walk(sup, 2, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5));
  assert_true(r[0].cancel_late == 3);
  expect_schedule(&r[1].promise, PART(3, D + 12));

  /* everything late: the whole backordered part is cancelled, supply passes on */
  q[0].need_by = D + 4;
  bo_promise_walk(sup, 2, 0, q, 2, &ctx, r);
  expect_empty(&r[0].promise);
  assert_true(r[0].cancel_late == 8);
  assert_true(r[0].cancel_delay == 0);
  assert_false(r[0].delayed);
  expect_schedule(&r[1].promise, PART(3, D + 5));

  /* handling days count against need_by: D+5+2 > D+6 */
  const bo_promise_ctx ctx2 = ctx_of(D, 2);
  q[0].need_by = D + 6;
  bo_promise_walk(sup, 2, 0, q, 2, &ctx2, r);
  expect_empty(&r[0].promise);
  assert_true(r[0].cancel_late == 8);
  expect_schedule(&r[1].promise, PART(3, D + 7));
}

static void test_walk_need_by_cancels_estimated_units(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(5, D + 5)};
  bo_line q[] = {line_of("A-1", 8)};
  q[0].need_by = D + 10;
  q[0].if_late = BO_IF_LATE_CANCEL;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[1];
  bo_promise_walk(sup, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 5));
  assert_true(r[0].cancel_late == 3);
}

/* --- the walk: the delay rule --------------------------------------------- */

/* A-1 was promised 5 units at D+5; the PO now arrives D+9. A-2 waits behind. */
static void delay_setup(bo_line q[2]) {
  q[0] = line_of("A-1", 5);
  promised(&q[0], D + 5, 1, (P[]){PART(5, D + 5)});
  q[1] = line_of("A-2", 5);
}

static void test_walk_first_delay(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(5, D + 9)};
  bo_line q[2];
  delay_setup(q);
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[2];
  bo_promise_walk(sup, 1, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 9));
  assert_true(r[0].delayed);
  assert_true(r[0].cancel_delay == 0);
  assert_true(r[0].cancel_late == 0);
  expect_schedule(&r[1].promise, EST(5, D + LEAD)); /* A-1 kept its supply */
  expect_plain(&r[1]);
}

static void test_walk_second_delay_without_consent_cancels(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(5, D + 9)};
  bo_line q[2];
  delay_setup(q);
  q[0].delays = 1;
  q[0].consented = false;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[2];
  bo_promise_walk(sup, 1, 0, q, 2, &ctx, r);
  assert_true(r[0].cancel_delay == 5);
  assert_true(r[0].cancel_late == 0);
  expect_empty(&r[0].promise);
  expect_schedule(&r[1].promise, PART(5, D + 9)); /* the cancelled units took no supply */
  expect_plain(&r[1]);

  /* more than one notice sent and still no consent: cancelled as well */
  q[0].delays = 2;
  bo_promise_walk(sup, 1, 0, q, 2, &ctx, r);
  assert_true(r[0].cancel_delay == 5);
  expect_schedule(&r[1].promise, PART(5, D + 9));
}

static void test_walk_second_delay_with_consent(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(5, D + 9)};
  bo_line q[2];
  delay_setup(q);
  q[0].delays = 1;
  q[0].consented = true;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[2];
  bo_promise_walk(sup, 1, 0, q, 2, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 9));
  assert_true(r[0].delayed);
  assert_true(r[0].cancel_delay == 0);
  expect_schedule(&r[1].promise, EST(5, D + LEAD));
}

static void test_walk_no_delay_when_not_later(void **state) {
  (void)state;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[1];
  bo_line q[1];

  /* already delayed to D+9 (one notice, no consent yet), unchanged: nothing new */
  q[0] = line_of("A-1", 5);
  promised(&q[0], D + 5, 1, (P[]){PART(5, D + 9)});
  q[0].delays = 1;
  const bo_supply at9[] = {SUP(5, D + 9)};
  bo_promise_walk(at9, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 9));
  expect_plain(&r[0]);

  /* moved earlier: no delay */
  const bo_supply at3[] = {SUP(5, D + 3)};
  bo_promise_walk(at3, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 3));
  expect_plain(&r[0]);

  /* later than the current promise but not later than the first one: no delay */
  promised(&q[0], D + 9, 1, (P[]){PART(5, D + 3)});
  bo_promise_walk(at9, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 9));
  expect_plain(&r[0]);

  /* a brand-new line is never "delayed" */
  q[0] = line_of("A-2", 5);
  bo_promise_walk(at9, 1, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(5, D + 9));
  expect_plain(&r[0]);
}

static void test_walk_delay_counts_latest_date(void **state) {
  (void)state;
  /* promised 3@D+5 + 2@D+9 (first D+9); the second PO slips: now 3@D+5 + 2@D+12 */
  const bo_supply sup[] = {SUP(3, D + 5), SUP(2, D + 12)};
  bo_line q[] = {line_of("A-1", 5)};
  promised(&q[0], D + 9, 2, (P[]){PART(3, D + 5), PART(2, D + 9)});
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_walk_result r[1];
  bo_promise_walk(sup, 2, 0, q, 1, &ctx, r);
  expect_schedule(&r[0].promise, PART(3, D + 5), PART(2, D + 12));
  assert_true(r[0].delayed);
}

/* --- quotes -------------------------------------------------------------- */

static void test_quote_doll_example(void **state) {
  (void)state;
  /* SPEC 5: 15 available, 20 ordered, PO-7 brings 10 on 2026-12-06 */
  const bo_supply sup[] = {SUP(10, D + 5)};
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_schedule s;
  memset(&s, 0x5A, sizeof s);
  bo_promise_quote(15, sup, 1, 0, 20, &ctx, &s);
  expect_schedule(&s, PART(15, D), PART(5, 20793));
  /* with 2 handling days every date moves */
  const bo_promise_ctx ctx2 = ctx_of(D, 2);
  bo_promise_quote(15, sup, 1, 0, 20, &ctx2, &s);
  expect_schedule(&s, PART(15, D + 2), PART(5, D + 7));
}

static void test_quote_cases(void **state) {
  (void)state;
  const bo_supply sup[] = {SUP(10, D + 5), SUP(10, D + 12)};
  const bo_promise_ctx ctx = ctx_of(D, 1);
  bo_schedule s;

  bo_promise_quote(15, sup, 2, 0, 3, &ctx, &s); /* fits in available */
  expect_schedule(&s, PART(3, D + 1));
  bo_promise_quote(15, sup, 2, 0, 15, &ctx, &s);
  expect_schedule(&s, PART(15, D + 1));

  bo_promise_quote(0, sup, 2, 8, 5, &ctx, &s); /* 8 ahead in the queue */
  expect_schedule(&s, PART(2, D + 6), PART(3, D + 13));

  bo_promise_quote(0, sup, 2, 20, 5, &ctx, &s); /* all supply taken */
  expect_schedule(&s, EST(5, D + LEAD + 1));

  bo_promise_quote(2, NULL, 0, 0, 5, &ctx, &s); /* stock, then an estimate */
  expect_schedule(&s, PART(2, D + 1), EST(3, D + LEAD + 1));

  bo_promise_quote(4, sup, 2, 0, 30, &ctx, &s); /* everything at once */
  expect_schedule(&s, PART(4, D + 1), PART(10, D + 6), PART(10, D + 13),
                  EST(6, D + LEAD + 1));
}

static void test_quote_past_and_same_day_supply(void **state) {
  (void)state;
  const bo_promise_ctx ctx = ctx_of(D, 0);
  bo_schedule s;
  const bo_supply overdue[] = {SUP(10, D - 4)};
  bo_promise_quote(0, overdue, 1, 0, 5, &ctx, &s);
  expect_schedule(&s, PART(5, D));
  /* stock now and an overdue PO share today's date: one part */
  bo_promise_quote(3, overdue, 1, 0, 5, &ctx, &s);
  expect_schedule(&s, PART(5, D));
}

/* --- schedules ----------------------------------------------------------- */

static void test_schedule_date_and_qty(void **state) {
  (void)state;
  bo_schedule s = {.n = 0};
  assert_int_equal(bo_schedule_date(&s), BO_DAY_NONE);
  assert_true(bo_schedule_qty(&s) == 0);
  s = (bo_schedule){.n = 2, .parts = {PART(3, D + 5), EST(2, D + 20)}};
  assert_int_equal(bo_schedule_date(&s), D + 20);
  assert_true(bo_schedule_qty(&s) == 5);
  /* the latest date, even when it is not the last part */
  s = (bo_schedule){.n = 3, .parts = {PART(5, D + 12), PART(1, D + 30), EST(3, D + 5)}};
  assert_int_equal(bo_schedule_date(&s), D + 30);
  assert_true(bo_schedule_qty(&s) == 9);
  /* days before the epoch are still dates */
  s = (bo_schedule){.n = 1, .parts = {PART(1, -5)}};
  assert_int_equal(bo_schedule_date(&s), -5);
}

static void test_schedule_equal(void **state) {
  (void)state;
  const bo_schedule a = {.n = 2, .parts = {PART(5, D + 5), EST(3, D + 12)}};
  bo_schedule b = a;
  assert_true(bo_schedule_equal(&a, &b));
  b.parts[1].estimate = false;
  assert_false(bo_schedule_equal(&a, &b));
  b = a;
  b.parts[0].date++;
  assert_false(bo_schedule_equal(&a, &b));
  b = a;
  b.parts[0].qty++;
  assert_false(bo_schedule_equal(&a, &b));
  b = a;
  b.n = 1;
  assert_false(bo_schedule_equal(&a, &b));
  /* parts past n do not count */
  b = a;
  b.parts[5] = PART(99, 1);
  assert_true(bo_schedule_equal(&a, &b));
}

static void test_schedule_encode(void **state) {
  (void)state;
  char buf[256];
  const bo_schedule s = {.n = 2, .parts = {PART(5, 20793), EST(3, 20800)}};
  assert_int_equal(bo_schedule_encode(&s, buf, sizeof buf), 16);
  assert_string_equal(buf, "5@20793;3@20800e");
  const bo_schedule one = {.n = 1, .parts = {EST(1000000000, 84005)}};
  bo_schedule_encode(&one, buf, sizeof buf);
  assert_string_equal(buf, "1000000000@84005e");
  const bo_schedule empty = {.n = 0};
  memset(buf, 'x', sizeof buf);
  assert_int_equal(bo_schedule_encode(&empty, buf, sizeof buf), 0);
  assert_string_equal(buf, "");
}

static void test_schedule_round_trip(void **state) {
  (void)state;
  char buf[512];
  bo_schedule s = {.n = BO_PROMISE_PARTS_MAX};
  for (int i = 0; i < BO_PROMISE_PARTS_MAX; i++)
    s.parts[i] = (P){.qty = 1 + 37 * i, .date = BO_DAY_MIN + 9000 * i, .estimate = i % 3 == 1};
  const size_t len = bo_schedule_encode(&s, buf, sizeof buf);
  assert_int_equal(len, strlen(buf));
  bo_schedule back;
  memset(&back, 0, sizeof back);
  assert_true(bo_schedule_decode(buf, &back));
  assert_true(bo_schedule_equal(&s, &back));

  const bo_schedule empty = {.n = 0};
  bo_schedule_encode(&empty, buf, sizeof buf);
  back.n = 3;
  assert_true(bo_schedule_decode(buf, &back));
  assert_int_equal(back.n, 0);

  assert_true(bo_schedule_decode("5@20793;3@20800e", &back));
  expect_schedule(&back, PART(5, 20793), EST(3, 20800));
}

static void test_schedule_decode_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "garbage", "5",          "5@",           "@20793",          "5@x",
      "0@20793", "-3@20793",   "5@20793x",     "5@20793ee",       "5@20793;;3@20800",
      "5#20793", "5@20793,3@1", "5@20793e3@1", "5@20793;3",       "e",
      ";",       "5@20793 ;3@1", "5@20793 3@1",
      /* nine parts: more than BO_PROMISE_PARTS_MAX */
      "1@1;1@2;1@3;1@4;1@5;1@6;1@7;1@8;1@9",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    bo_schedule s;
    if (bo_schedule_decode(bad[i], &s)) fail_msg("bo_schedule_decode accepted \"%s\"", bad[i]);
  }
  /* eight parts is the limit and is fine */
  bo_schedule s;
  assert_true(bo_schedule_decode("1@1;1@2;1@3;1@4;1@5;1@6;1@7;1@8", &s));
  assert_int_equal(s.n, 8);
  assert_int_equal(bo_schedule_date(&s), 8);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_walk_two_pos_three_lines),
      cmocka_unit_test(test_walk_handling_days_on_every_date),
      cmocka_unit_test(test_walk_estimate_is_its_own_part),
      cmocka_unit_test(test_walk_skip_units),
      cmocka_unit_test(test_walk_no_supply),
      cmocka_unit_test(test_walk_past_eta_is_today),
      cmocka_unit_test(test_walk_part_limit),
      cmocka_unit_test(test_walk_keeps_unpassed_estimate),
      cmocka_unit_test(test_walk_estimate_with_new_supply),
      cmocka_unit_test(test_walk_passed_estimate_is_a_delay),
      cmocka_unit_test(test_walk_need_by_cancels_late_units),
      cmocka_unit_test(test_walk_need_by_boundaries),
      cmocka_unit_test(test_walk_need_by_cancels_estimated_units),
      cmocka_unit_test(test_walk_first_delay),
      cmocka_unit_test(test_walk_second_delay_without_consent_cancels),
      cmocka_unit_test(test_walk_second_delay_with_consent),
      cmocka_unit_test(test_walk_no_delay_when_not_later),
      cmocka_unit_test(test_walk_delay_counts_latest_date),
      cmocka_unit_test(test_quote_doll_example),
      cmocka_unit_test(test_quote_cases),
      cmocka_unit_test(test_quote_past_and_same_day_supply),
      cmocka_unit_test(test_schedule_date_and_qty),
      cmocka_unit_test(test_schedule_equal),
      cmocka_unit_test(test_schedule_encode),
      cmocka_unit_test(test_schedule_round_trip),
      cmocka_unit_test(test_schedule_decode_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
