/*
 * test_core_date.c — calendar days and instants (src/core/date.c).
 *
 * Expected day numbers were worked out by hand (days since 1970-01-01):
 *   2000-01-01 = 30*365 + 7 leap days                  = 10957 (BO_DAY_MIN)
 *   2024-01-01 = 54*365 + 13                           = 19723, so 2024-02-29 = 19782
 *   2026-01-01 = 56*365 + 14                           = 20454, so 2026-12-01 = 20788
 *   2100-01-01 = 130*365 + 32                          = 47482, so 2100-02-28 = 47540
 *   2200-01-01 = 230*365 + 56 (2100 not leap)          = 84006, so 2199-12-31 = 84005
 * The round-trip tests check against an independent day-by-day calendar walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "../../src/core/date.h"
#include "../../src/core/limits.h"

#define D_2026_12_01 20788
#define D_2026_12_06 20793
#define T_2026_12_01_0900 1796115600LL /* 20788 * 86400 + 9 * 3600 */

/* --- an independent calendar, one day at a time ------------------------- */

static bool oracle_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int oracle_dim(int y, int m) {
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && oracle_leap(y) ? 29 : dim[m - 1];
}

static void oracle_next(int *y, int *m, int *d) {
  if (++*d > oracle_dim(*y, *m)) {
    *d = 1;
    if (++*m > 12) {
      *m = 1;
      ++*y;
    }
  }
}

static void oracle_prev(int *y, int *m, int *d) {
  if (--*d < 1) {
    if (--*m < 1) {
      *m = 12;
      --*y;
    }
    *d = oracle_dim(*y, *m);
  }
}

static void check_both_ways(bo_day n, int y, int m, int d) {
  assert_int_equal(bo_day_from_civil(y, m, d), n);
  int yy = 0, mm = 0, dd = 0;
  bo_day_to_civil(n, &yy, &mm, &dd);
  assert_int_equal(yy, y);
  assert_int_equal(mm, m);
  assert_int_equal(dd, d);
}

/* --- civil conversions -------------------------------------------------- */

static void test_civil_anchors(void **state) {
  (void)state;
  check_both_ways(0, 1970, 1, 1);
  check_both_ways(-1, 1969, 12, 31);
  check_both_ways(-365, 1969, 1, 1);
  check_both_ways(365, 1971, 1, 1);
  check_both_ways(10957, 2000, 1, 1);
  check_both_ways(BO_DAY_MIN, 2000, 1, 1);
  check_both_ways(BO_DAY_MAX, 2199, 12, 31);
  check_both_ways(19723, 2024, 1, 1);
  check_both_ways(19781, 2024, 2, 28);
  check_both_ways(19782, 2024, 2, 29);
  check_both_ways(19783, 2024, 3, 1);
  check_both_ways(20454, 2026, 1, 1);
  check_both_ways(D_2026_12_01, 2026, 12, 1);
  check_both_ways(D_2026_12_06, 2026, 12, 6);
  check_both_ways(47482, 2100, 1, 1);
  check_both_ways(47540, 2100, 2, 28);
  check_both_ways(47541, 2100, 3, 1); /* 2100 is not a leap year */
}

static void test_civil_walk_forward(void **state) {
  (void)state;
  /* 1970-01-01 .. 2200-12-31, every day, against the oracle calendar */
  int y = 1970, m = 1, d = 1;
  for (bo_day n = 0; y <= 2200; n++) {
    check_both_ways(n, y, m, d);
    oracle_next(&y, &m, &d);
  }
  /* the walk passed 2000-02-29 (leap, /400) and skipped 2100-02-29 */
  assert_int_equal(bo_day_from_civil(2100, 3, 1) - bo_day_from_civil(2100, 2, 28), 1);
  assert_int_equal(bo_day_from_civil(2000, 3, 1) - bo_day_from_civil(2000, 2, 28), 2);
}

static void test_civil_walk_backward(void **state) {
  (void)state;
  /* 1970-01-01 back to 1800-01-01 (1900 and 1800 are not leap years) */
  int y = 1970, m = 1, d = 1;
  for (bo_day n = 0; y >= 1800; n--) {
    check_both_ways(n, y, m, d);
    oracle_prev(&y, &m, &d);
  }
  assert_int_equal(bo_day_from_civil(1900, 3, 1) - bo_day_from_civil(1900, 2, 28), 1);
}

/* --- bo_day_of ---------------------------------------------------------- */

static void test_day_of(void **state) {
  (void)state;
  assert_int_equal(bo_day_of(0), 0);
  assert_int_equal(bo_day_of(1), 0);
  assert_int_equal(bo_day_of(86399), 0);
  assert_int_equal(bo_day_of(86400), 1);
  assert_int_equal(bo_day_of(T_2026_12_01_0900), D_2026_12_01);
  assert_int_equal(bo_day_of((int64_t)D_2026_12_01 * 86400 - 1), D_2026_12_01 - 1);
}

static void test_day_of_negative(void **state) {
  (void)state;
  assert_int_equal(bo_day_of(-1), -1);
  assert_int_equal(bo_day_of(-86399), -1);
  assert_int_equal(bo_day_of(-86400), -1);
  assert_int_equal(bo_day_of(-86401), -2);
  assert_int_equal(bo_day_of(-172800), -2);
  assert_int_equal(bo_day_of(-172801), -3);
}

/* --- bo_day_parse ------------------------------------------------------- */

static void test_day_parse_accepts(void **state) {
  (void)state;
  bo_day d = 0;
  assert_true(bo_day_parse("2026-12-06", &d));
  assert_int_equal(d, D_2026_12_06);
  assert_true(bo_day_parse("2024-02-29", &d));
  assert_int_equal(d, 19782);
  assert_true(bo_day_parse("2000-01-01", &d));
  assert_int_equal(d, BO_DAY_MIN);
  assert_true(bo_day_parse("2199-12-31", &d));
  assert_int_equal(d, BO_DAY_MAX);
  assert_true(bo_day_parse("2000-02-29", &d)); /* divisible by 400: leap */
  assert_int_equal(d, 10957 + 31 + 28);
  assert_true(bo_day_parse("2100-02-28", &d));
  assert_int_equal(d, 47540);
}

static void test_day_parse_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "2026-13-01", "2026-00-10", "2026-02-30", "2026-02-29", "2100-02-29", "2026-04-31",
      "2026-12-00", "2026-12-32", "2026-1-01",  "2026-01-1",  "26-12-06",   "",
      "2026-12-06x", "2026-12-06 ", " 2026-12-06", "2026/12/06", "2026-12-0a", "20261206",
      "1999-12-31", "1970-01-01", "2200-01-01", "9999-12-31", "0000-01-01", "+026-12-06",
      "2026-12-06T00:00:00Z",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    bo_day d = 12345;
    if (bo_day_parse(bad[i], &d)) fail_msg("bo_day_parse accepted \"%s\"", bad[i]);
    assert_int_equal(d, 12345); /* out untouched on failure */
  }
  bo_day d = 0;
  assert_false(bo_day_parse(NULL, &d));
}

/* --- formatting --------------------------------------------------------- */

static void test_day_format(void **state) {
  (void)state;
  char buf[11];
  assert_string_equal(bo_day_format(D_2026_12_06, buf), "2026-12-06");
  assert_ptr_equal(bo_day_format(D_2026_12_06, buf), buf);
  assert_string_equal(bo_day_format(0, buf), "1970-01-01");
  assert_string_equal(bo_day_format(-1, buf), "1969-12-31");
  assert_string_equal(bo_day_format(19782, buf), "2024-02-29");
  assert_string_equal(bo_day_format(47541, buf), "2100-03-01");
  assert_string_equal(bo_day_format(BO_DAY_MIN, buf), "2000-01-01");
  assert_string_equal(bo_day_format(BO_DAY_MAX, buf), "2199-12-31");
}

static void test_day_format_parse_round_trip(void **state) {
  (void)state;
  char buf[11];
  for (bo_day n = BO_DAY_MIN; n <= BO_DAY_MAX; n++) {
    bo_day back = BO_DAY_NONE;
    bo_day_format(n, buf);
    assert_int_equal(strlen(buf), 10);
    if (!bo_day_parse(buf, &back)) fail_msg("could not parse back \"%s\"", buf);
    assert_int_equal(back, n);
  }
}

static void test_day_format_human(void **state) {
  (void)state;
  char buf[16];
  assert_string_equal(bo_day_format_human(D_2026_12_06, buf), "6 Dec 2026");
  assert_ptr_equal(bo_day_format_human(D_2026_12_06, buf), buf);
  assert_string_equal(bo_day_format_human(D_2026_12_01 + 2, buf), "3 Dec 2026");
  assert_string_equal(bo_day_format_human(20454, buf), "1 Jan 2026");
  assert_string_equal(bo_day_format_human(19782, buf), "29 Feb 2024");
  assert_string_equal(bo_day_format_human(BO_DAY_MAX, buf), "31 Dec 2199");
  static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  /* the 15th of each month of 2026: 2026-01-15 = 20454 + 14 */
  static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  for (int m = 0; m < 12; m++) {
    char want[16];
    memcpy(want, "15 ", 3);
    memcpy(want + 3, months[m], 3);
    memcpy(want + 6, " 2026", 6);
    assert_string_equal(bo_day_format_human(20454 + before[m] + 14, buf), want);
  }
}

/* --- instants ----------------------------------------------------------- */

static void test_time_parse(void **state) {
  (void)state;
  int64_t t = 0;
  assert_true(bo_time_parse("2026-12-01T09:00:00Z", &t));
  assert_true(t == T_2026_12_01_0900);
  t = 0;
  assert_true(bo_time_parse("2026-12-01T09:00:00.123Z", &t));
  assert_true(t == T_2026_12_01_0900); /* fractions ignored */
  t = 0;
  assert_true(bo_time_parse("2026-12-01T09:00:00.5+00:00", &t));
  assert_true(t == T_2026_12_01_0900);
  t = 0;
  assert_true(bo_time_parse("2026-12-01T09:00:00+00:00", &t));
  assert_true(t == T_2026_12_01_0900);
  assert_true(bo_time_parse("2026-12-01T23:59:59Z", &t));
  assert_true(t == (int64_t)D_2026_12_01 * 86400 + 86399);
  assert_true(bo_time_parse("2000-01-01T00:00:00Z", &t));
  assert_true(t == (int64_t)BO_DAY_MIN * 86400);
  assert_true(bo_time_parse("2026-12-01T12:34:56Z", &t));
  assert_true(t == (int64_t)D_2026_12_01 * 86400 + 12 * 3600 + 34 * 60 + 56);
}

static void test_time_parse_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "2026-12-01T09:00:00+01:00", "2026-12-01T09:00:00-05:00", "2026-12-01T09:00:00+00",
      "2026-12-01T09:00:00",       "2026-12-01T24:00:00Z",      "2026-12-01T25:00:00Z",
      "2026-12-01T09:60:00Z",      "2026-12-01T09:00:60Z",      "2026-12-01T9:00:00Z",
      "2026-12-01T09:00:00.Z",     "2026-12-01T09:00:00ZZ",     "2026-12-01T09:00:00Zx",
      "2026-12-01X09:00:00Z",      "2026-13-01T09:00:00Z",      "2026-02-30T09:00:00Z",
      "1999-12-31T23:59:59Z",      "2200-01-01T00:00:00Z",      "2026-12-01",
      "",                          "2026-12-01T09-00-00Z",      "2026-12-01T09:00:0aZ",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t t = 777;
    if (bo_time_parse(bad[i], &t)) fail_msg("bo_time_parse accepted \"%s\"", bad[i]);
    assert_true(t == 777);
  }
  int64_t t = 0;
  assert_false(bo_time_parse(NULL, &t));
}

static void test_time_format(void **state) {
  (void)state;
  char buf[21];
  assert_string_equal(bo_time_format(T_2026_12_01_0900, buf), "2026-12-01T09:00:00Z");
  assert_ptr_equal(bo_time_format(T_2026_12_01_0900, buf), buf);
  assert_string_equal(bo_time_format(0, buf), "1970-01-01T00:00:00Z");
  assert_string_equal(bo_time_format(-1, buf), "1969-12-31T23:59:59Z");
  assert_string_equal(bo_time_format(-86400, buf), "1969-12-31T00:00:00Z");
  assert_string_equal(bo_time_format((int64_t)D_2026_12_01 * 86400 + 12 * 3600 + 34 * 60 + 56,
                                     buf),
                      "2026-12-01T12:34:56Z");
  assert_string_equal(bo_time_format((int64_t)19782 * 86400 + 86399, buf),
                      "2024-02-29T23:59:59Z");
}

static void test_time_round_trip(void **state) {
  (void)state;
  char buf[21];
  /* a spread of instants across the accepted range, odd seconds included */
  for (int64_t t = (int64_t)BO_DAY_MIN * 86400; t < (int64_t)(BO_DAY_MAX + 1) * 86400;
       t += 86400 * 97 + 3671) {
    int64_t back = -1;
    bo_time_format(t, buf);
    if (!bo_time_parse(buf, &back)) fail_msg("could not parse back \"%s\"", buf);
    assert_true(back == t);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_civil_anchors),
      cmocka_unit_test(test_civil_walk_forward),
      cmocka_unit_test(test_civil_walk_backward),
      cmocka_unit_test(test_day_of),
      cmocka_unit_test(test_day_of_negative),
      cmocka_unit_test(test_day_parse_accepts),
      cmocka_unit_test(test_day_parse_rejects),
      cmocka_unit_test(test_day_format),
      cmocka_unit_test(test_day_format_parse_round_trip),
      cmocka_unit_test(test_day_format_human),
      cmocka_unit_test(test_time_parse),
      cmocka_unit_test(test_time_parse_rejects),
      cmocka_unit_test(test_time_format),
      cmocka_unit_test(test_time_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
