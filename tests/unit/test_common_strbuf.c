/*
 * test_common_strbuf.c — the text buffer the hot paths render into
 * (src/common/strbuf.h): appends inline with the growth out of line, numbers,
 * JSON strings, and what a failed allocation leaves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/common/strbuf.h"

/* Takes sb's text and checks it is `want`. */
static void expect_text(bo_strbuf *sb, const char *want) {
  char *got = bo_sb_take(sb);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

/* Pieces of 0..37 bytes up to 10,000 bytes: every growth boundary is
 * crossed by appends of all sizes, and the text is the same as a plain copy. */
static void test_appends_across_growth_keep_every_byte(void **state) {
  (void)state;
  enum { TOTAL = 10000 };
  char *want = malloc(TOTAL + 64);
  assert_non_null(want);
  bo_strbuf sb = {0};
  size_t len = 0;
  unsigned seed = 7;
  while (len < TOTAL) {
    char piece[38];
    const size_t n = (seed = seed * 1103515245u + 12345u) % 38;
    for (size_t i = 0; i < n; i++) piece[i] = (char)('a' + (len + i) % 26);
    if (n % 3 == 0 && n > 0) {
      piece[n] = '\0';
      bo_sb_str(&sb, piece);
    } else {
      bo_sb_raw(&sb, piece, n);
    }
    memcpy(want + len, piece, n);
    len += n;
    assert_int_equal(sb.len, len);
    if (len > 0) {
      assert_true(sb.cap >= len + 1);
      assert_int_equal(sb.buf[len], '\0');
    }
  }
  assert_false(sb.failed);
  char *got = bo_sb_take(&sb);
  assert_non_null(got);
  assert_int_equal(strlen(got), len);
  assert_memory_equal(got, want, len);
  assert_null(sb.buf); /* taken: the buffer starts over */
  assert_int_equal(sb.len, 0);
  free(got);
  free(want);
}

static void test_numbers_in_place(void **state) {
  (void)state;
  bo_strbuf sb = {0};
  const int64_t v[] = {0, 9, 10, -1, 1234567890123LL, INT64_MAX, INT64_MIN};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    bo_sb_i64(&sb, v[i]);
    bo_sb_raw(&sb, ",", 1);
  }
  /* bo_sb_room and bo_sb_wrote: several pieces written without a call each */
  char *p = bo_sb_room(&sb, 40);
  assert_non_null(p);
  p = bo_dec(p, 42);
  *p++ = ':';
  p = bo_dec(p, -7);
  bo_sb_wrote(&sb, p);
  expect_text(&sb, "0,9,10,-1,1234567890123,9223372036854775807,-9223372036854775808,42:-7");
}

static void test_json_strings_are_escaped(void **state) {
  (void)state;
  bo_strbuf sb = {0};
  bo_sb_json_str(&sb, "plain");
  bo_sb_json_str(&sb, "a\"b\\c");
  bo_sb_json_str(&sb, "tab\there\nnl\x01");
  bo_sb_json_str(&sb, "caf\xc3\xa9 \xe2\x80\x93"); /* UTF-8 passes as it is */
  bo_sb_json_str(&sb, "");
  expect_text(&sb, "\"plain\"\"a\\\"b\\\\c\"\"tab\\u0009here\\u000anl\\u0001\""
                   "\"caf\xc3\xa9 \xe2\x80\x93\"\"\"");
}

static void test_an_empty_buffer_gives_an_empty_text(void **state) {
  (void)state;
  bo_strbuf sb = {0};
  expect_text(&sb, "");
}

/* Once an allocation failed the text is incomplete: whatever is appended
 * after, taking it gives NULL (and frees the buffer). */
static void test_a_failed_buffer_gives_no_text(void **state) {
  (void)state;
  bo_strbuf sb = {0};
  bo_sb_str(&sb, "{\"partial\":");
  sb.failed = true; /* as bo__sb_grow leaves it when realloc fails */
  bo_sb_str(&sb, "1}"); /* fits in the buffer: the inline path may still write */
  assert_false(bo__sb_grow(&sb, 1 << 20));
  assert_null(bo_sb_take(&sb));
  assert_null(sb.buf);
  assert_false(sb.failed);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_appends_across_growth_keep_every_byte),
      cmocka_unit_test(test_numbers_in_place),
      cmocka_unit_test(test_json_strings_are_escaped),
      cmocka_unit_test(test_an_empty_buffer_gives_an_empty_text),
      cmocka_unit_test(test_a_failed_buffer_gives_no_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
