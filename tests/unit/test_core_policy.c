/*
 * test_core_policy.c — backorder policy, the split of a new line and the
 * storefront status (SPEC 4, "Backorder policy", "Availability status").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/core/domain.h"

#define D_2026_12_06 20793 /* 2026-01-01 = 20454, + 334 days to Dec 1, + 5 */

/* A SKU with the given policy and stock; no limit, threshold 3. */
static bo_sku sku_of(bo_policy policy, int64_t on_hand, int64_t allocated, int64_t backordered) {
  bo_sku s;
  memset(&s, 0, sizeof s);
  snprintf(s.id, sizeof s.id, "DOLL-RED-30CM");
  snprintf(s.name, sizeof s.name, "Doll");
  s.policy = policy;
  s.backorder_limit = BO_LIMIT_NONE;
  s.low_stock_threshold = 3;
  s.max_backorder_days = BO_DAYS_NONE;
  s.lead_time_days = BO_DAYS_NONE;
  s.on_hand = on_hand;
  s.allocated = allocated;
  s.backordered = backordered;
  return s;
}

static void expect_split(bo_split got, int64_t allocated, int64_t backordered, bo_rc rc) {
  assert_int_equal(got.rc, rc);
  if (rc == BO_OK) {
    assert_true(got.allocated == allocated);
    assert_true(got.backordered == backordered);
    assert_true(got.allocated + got.backordered == allocated + backordered);
  }
}

/* --- bo_split_line ------------------------------------------------------ */

static void test_split_doll_example(void **state) {
  (void)state;
  /* SPEC 5: 15 available, an order of 20 -> 15 allocated, 5 backordered */
  const bo_sku s = sku_of(BO_POLICY_NOTIFY, 15, 0, 0);
  expect_split(bo_split_line(&s, 10, 20), 15, 5, BO_OK);
  const bo_sku a = sku_of(BO_POLICY_ALLOW, 15, 0, 0);
  expect_split(bo_split_line(&a, 0, 20), 15, 5, BO_OK);
}

static void test_split_within_available(void **state) {
  (void)state;
  /* whatever the policy, a line that fits in available is allocated whole */
  const bo_policy all[] = {BO_POLICY_DENY, BO_POLICY_ALLOW, BO_POLICY_NOTIFY};
  for (size_t i = 0; i < 3; i++) {
    bo_sku s = sku_of(all[i], 20, 5, 0); /* available 15 */
    expect_split(bo_split_line(&s, 0, 1), 1, 0, BO_OK);
    expect_split(bo_split_line(&s, 0, 15), 15, 0, BO_OK);
    s.discontinued = true;
    expect_split(bo_split_line(&s, 0, 15), 15, 0, BO_OK);
    s.discontinued = false;
    s.backorder_limit = 0;
    expect_split(bo_split_line(&s, 0, 15), 15, 0, BO_OK);
  }
}

static void test_split_nothing_available(void **state) {
  (void)state;
  const bo_sku s = sku_of(BO_POLICY_ALLOW, 7, 7, 2); /* available 0 */
  expect_split(bo_split_line(&s, 0, 4), 0, 4, BO_OK);
  const bo_sku n = sku_of(BO_POLICY_NOTIFY, 0, 0, 0);
  expect_split(bo_split_line(&n, 0, 1), 0, 1, BO_OK);
}

static void test_split_deny(void **state) {
  (void)state;
  const bo_sku s = sku_of(BO_POLICY_DENY, 15, 0, 0);
  expect_split(bo_split_line(&s, 100, 16), 0, 0, BO_E_OUT_OF_STOCK);
  const bo_sku empty = sku_of(BO_POLICY_DENY, 4, 4, 0);
  expect_split(bo_split_line(&empty, 100, 1), 0, 0, BO_E_OUT_OF_STOCK);
}

static void test_split_discontinued(void **state) {
  (void)state;
  bo_sku s = sku_of(BO_POLICY_ALLOW, 15, 0, 0);
  s.discontinued = true;
  expect_split(bo_split_line(&s, 100, 16), 0, 0, BO_E_DISCONTINUED);
  s.policy = BO_POLICY_NOTIFY;
  expect_split(bo_split_line(&s, 100, 20), 0, 0, BO_E_DISCONTINUED);
  /* deny and discontinued: refused either way */
  s.policy = BO_POLICY_DENY;
  assert_int_not_equal(bo_split_line(&s, 100, 20).rc, BO_OK);
}

static void test_split_fixed_limit(void **state) {
  (void)state;
  /* limit 10, 4 already backordered: room for 6 more */
  bo_sku s = sku_of(BO_POLICY_NOTIFY, 5, 2, 4); /* available 3 */
  s.backorder_limit = 10;
  assert_true(bo_backorder_room(&s, 0) == 6);
  expect_split(bo_split_line(&s, 0, 9), 3, 6, BO_OK);  /* 3 now + 6 = limit */
  expect_split(bo_split_line(&s, 0, 10), 0, 0, BO_E_LIMIT); /* 7 > 6 */
  /* incoming supply does not matter for a fixed limit */
  expect_split(bo_split_line(&s, 1000, 10), 0, 0, BO_E_LIMIT);
  /* limit already reached */
  s.backordered = 10;
  assert_true(bo_backorder_room(&s, 0) == 0);
  expect_split(bo_split_line(&s, 0, 4), 0, 0, BO_E_LIMIT);
  expect_split(bo_split_line(&s, 0, 3), 3, 0, BO_OK); /* fits in available */
  /* a limit of zero means no backorders */
  s.backorder_limit = 0;
  s.backordered = 0;
  expect_split(bo_split_line(&s, 0, 4), 0, 0, BO_E_LIMIT);
}

static void test_split_incoming_limit(void **state) {
  (void)state;
  /* limit "incoming": up to the units on POs, counting what is already backordered */
  bo_sku s = sku_of(BO_POLICY_ALLOW, 0, 0, 4);
  s.backorder_limit = BO_LIMIT_INCOMING;
  assert_true(bo_backorder_room(&s, 10) == 6);
  expect_split(bo_split_line(&s, 10, 6), 0, 6, BO_OK);
  expect_split(bo_split_line(&s, 10, 7), 0, 0, BO_E_LIMIT);
  expect_split(bo_split_line(&s, 11, 7), 0, 7, BO_OK);
  /* nothing incoming: nothing can be backordered */
  s.backordered = 0;
  assert_true(bo_backorder_room(&s, 0) == 0);
  expect_split(bo_split_line(&s, 0, 1), 0, 0, BO_E_LIMIT);
  /* with stock: the available part is allocated, the rest bounded by incoming */
  s.on_hand = 15;
  expect_split(bo_split_line(&s, 5, 20), 15, 5, BO_OK);
  expect_split(bo_split_line(&s, 5, 21), 0, 0, BO_E_LIMIT);
  /* more backordered than incoming (a PO was cancelled): no room, not negative */
  s.backordered = 8;
  assert_true(bo_backorder_room(&s, 5) == 0);
}

static void test_backorder_room(void **state) {
  (void)state;
  bo_sku s = sku_of(BO_POLICY_ALLOW, 0, 0, 1000);
  assert_true(bo_backorder_room(&s, 0) == INT64_MAX);
  s.policy = BO_POLICY_NOTIFY;
  assert_true(bo_backorder_room(&s, 0) == INT64_MAX);
  s.policy = BO_POLICY_DENY;
  assert_true(bo_backorder_room(&s, 50) == 0);
  s.policy = BO_POLICY_ALLOW;
  s.discontinued = true;
  assert_true(bo_backorder_room(&s, 50) == 0);
  s.discontinued = false;
  s.backorder_limit = 1500;
  assert_true(bo_backorder_room(&s, 0) == 500);
}

/* --- bo_sku_status ------------------------------------------------------ */

static void test_status_stock_levels(void **state) {
  (void)state;
  bo_sku s = sku_of(BO_POLICY_NOTIFY, 10, 0, 0); /* threshold 3 */
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_IN_STOCK);
  s.allocated = 6; /* available 4 > 3 */
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_IN_STOCK);
  s.allocated = 7; /* available 3 == threshold */
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_LOW_STOCK);
  s.allocated = 9; /* available 1 */
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_LOW_STOCK);
  s.allocated = 10; /* available 0, notify: can be backordered */
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_BACKORDER);
  /* threshold 0: one unit is in stock */
  s.low_stock_threshold = 0;
  s.allocated = 9;
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_IN_STOCK);
  /* low stock does not depend on the policy */
  bo_sku d = sku_of(BO_POLICY_DENY, 2, 0, 0);
  assert_int_equal(bo_sku_status(&d, 0), BO_STATUS_LOW_STOCK);
  d.on_hand = 50;
  assert_int_equal(bo_sku_status(&d, 0), BO_STATUS_IN_STOCK);
}

static void test_status_backorder_and_out(void **state) {
  (void)state;
  bo_sku s = sku_of(BO_POLICY_ALLOW, 0, 0, 0);
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_BACKORDER);
  s.policy = BO_POLICY_DENY;
  assert_int_equal(bo_sku_status(&s, 100), BO_STATUS_OUT_OF_STOCK);
  s.policy = BO_POLICY_NOTIFY;
  s.discontinued = true;
  assert_int_equal(bo_sku_status(&s, 100), BO_STATUS_OUT_OF_STOCK);
  s.discontinued = false;
  /* fixed limit: backorder while below, out of stock once reached */
  s.backorder_limit = 5;
  s.backordered = 4;
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_BACKORDER);
  s.backordered = 5;
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_OUT_OF_STOCK);
  /* incoming limit */
  s.backorder_limit = BO_LIMIT_INCOMING;
  s.backordered = 10;
  assert_int_equal(bo_sku_status(&s, 10), BO_STATUS_OUT_OF_STOCK);
  assert_int_equal(bo_sku_status(&s, 11), BO_STATUS_BACKORDER);
  s.backordered = 0;
  assert_int_equal(bo_sku_status(&s, 0), BO_STATUS_OUT_OF_STOCK);
  /* stock on hand but all allocated counts as nothing available */
  bo_sku a = sku_of(BO_POLICY_DENY, 8, 8, 0);
  assert_int_equal(bo_sku_status(&a, 0), BO_STATUS_OUT_OF_STOCK);
  /* with stock available, a discontinued SKU still sells what it has */
  bo_sku dc = sku_of(BO_POLICY_ALLOW, 2, 0, 0);
  dc.discontinued = true;
  assert_int_equal(bo_sku_status(&dc, 0), BO_STATUS_LOW_STOCK);
}

/* --- messages and names ------------------------------------------------- */

static void test_status_messages(void **state) {
  (void)state;
  char buf[BO_MESSAGE_LEN_MAX];
  bo_sku s = sku_of(BO_POLICY_NOTIFY, 10, 7, 0); /* available 3 */
  bo_status_message(&s, BO_STATUS_LOW_STOCK, BO_DAY_NONE, false, buf, sizeof buf);
  assert_string_equal(buf, "Only 3 left");
  s.allocated = 9;
  bo_status_message(&s, BO_STATUS_LOW_STOCK, BO_DAY_NONE, false, buf, sizeof buf);
  assert_string_equal(buf, "Only 1 left");
  s.allocated = 0;
  bo_status_message(&s, BO_STATUS_IN_STOCK, BO_DAY_NONE, false, buf, sizeof buf);
  assert_string_equal(buf, "In stock");

  s.allocated = 10;
  bo_status_message(&s, BO_STATUS_BACKORDER, D_2026_12_06, false, buf, sizeof buf);
  assert_string_equal(buf, "On backorder – ships by 6 Dec 2026");
  assert_string_equal(buf, "On backorder \xe2\x80\x93 ships by 6 Dec 2026"); /* an en dash */
  bo_status_message(&s, BO_STATUS_BACKORDER, D_2026_12_06 - 3, false, buf, sizeof buf);
  assert_string_equal(buf, "On backorder – ships by 3 Dec 2026");
  bo_status_message(&s, BO_STATUS_BACKORDER, D_2026_12_06, true, buf, sizeof buf);
  assert_string_equal(buf, "On backorder – ships by 6 Dec 2026 (estimated)");
  bo_status_message(&s, BO_STATUS_BACKORDER, BO_DAY_NONE, false, buf, sizeof buf);
  assert_string_equal(buf, "On backorder");

  bo_status_message(&s, BO_STATUS_OUT_OF_STOCK, BO_DAY_NONE, false, buf, sizeof buf);
  assert_string_equal(buf, "Out of stock – get notified");
  s.discontinued = true;
  bo_status_message(&s, BO_STATUS_OUT_OF_STOCK, BO_DAY_NONE, false, buf, sizeof buf);
  assert_string_equal(buf, "Out of stock – discontinued");
}

static void test_status_message_truncates(void **state) {
  (void)state;
  char buf[13];
  memset(buf, 'x', sizeof buf);
  const bo_sku s = sku_of(BO_POLICY_NOTIFY, 0, 0, 0);
  bo_status_message(&s, BO_STATUS_BACKORDER, D_2026_12_06, true, buf, sizeof buf);
  assert_int_equal(strlen(buf), 12);
  assert_string_equal(buf, "On backorder");
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(bo_status_name(BO_STATUS_IN_STOCK), "in_stock");
  assert_string_equal(bo_status_name(BO_STATUS_LOW_STOCK), "low_stock");
  assert_string_equal(bo_status_name(BO_STATUS_BACKORDER), "backorder");
  assert_string_equal(bo_status_name(BO_STATUS_OUT_OF_STOCK), "out_of_stock");
  assert_string_equal(bo_policy_name(BO_POLICY_DENY), "deny");
  assert_string_equal(bo_policy_name(BO_POLICY_ALLOW), "allow");
  assert_string_equal(bo_policy_name(BO_POLICY_NOTIFY), "notify");
  assert_string_equal(bo_order_status_name(BO_ORDER_OPEN), "open");
  assert_string_equal(bo_order_status_name(BO_ORDER_PARTIALLY_SHIPPED), "partially_shipped");
  assert_string_equal(bo_order_status_name(BO_ORDER_SHIPPED), "shipped");
  assert_string_equal(bo_order_status_name(BO_ORDER_CANCELLED), "cancelled");
}

static void test_policy_parse(void **state) {
  (void)state;
  bo_policy p = BO_POLICY_ALLOW;
  assert_true(bo_policy_parse("deny", &p));
  assert_int_equal(p, BO_POLICY_DENY);
  assert_true(bo_policy_parse("notify", &p));
  assert_int_equal(p, BO_POLICY_NOTIFY);
  assert_true(bo_policy_parse("allow", &p));
  assert_int_equal(p, BO_POLICY_ALLOW);
  static const char *const bad[] = {"", "Deny", "ALLOW", "notif", "notifyx", " allow",
                                    "allow ", "none", "backorder"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    p = BO_POLICY_NOTIFY;
    if (bo_policy_parse(bad[i], &p)) fail_msg("bo_policy_parse accepted \"%s\"", bad[i]);
    assert_int_equal(p, BO_POLICY_NOTIFY);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_split_doll_example),
      cmocka_unit_test(test_split_within_available),
      cmocka_unit_test(test_split_nothing_available),
      cmocka_unit_test(test_split_deny),
      cmocka_unit_test(test_split_discontinued),
      cmocka_unit_test(test_split_fixed_limit),
      cmocka_unit_test(test_split_incoming_limit),
      cmocka_unit_test(test_backorder_room),
      cmocka_unit_test(test_status_stock_levels),
      cmocka_unit_test(test_status_backorder_and_out),
      cmocka_unit_test(test_status_messages),
      cmocka_unit_test(test_status_message_truncates),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_policy_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
