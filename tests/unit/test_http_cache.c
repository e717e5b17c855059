/*
 * test_http_cache.c — the availability cache (src/http/cache.c): a kept
 * answer is served only for its key and day, a drop forgets it, and an
 * answer computed before a drop is never kept (the ticket rule). Bodies are
 * kept packed and come back byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/cache.h"

/* The kept body of key on day, or NULL; *t is the ticket of a miss. */
static char *get(bo_cache *c, const char *key, int32_t day, bo_cache_ticket *t) {
  size_t len = 0;
  bo_cache_ticket unused;
  char *b = bo_cache_get(c, key, day, &len, t ? t : &unused);
  if (b) assert_int_equal(len, strlen(b));
  return b;
}

static void put(bo_cache *c, const char *key, int32_t day, const char *body) {
  bo_cache_ticket t;
  free(get(c, key, day, &t));
  bo_cache_put(c, &t, key, day, body, strlen(body));
}

static void assert_kept(bo_cache *c, const char *key, int32_t day, const char *body) {
  char *b = get(c, key, day, NULL);
  assert_non_null(b);
  assert_string_equal(b, body);
  free(b);
}

static void assert_missing(bo_cache *c, const char *key, int32_t day) {
  char *b = get(c, key, day, NULL);
  assert_null(b);
}

static void test_kept_for_its_key_and_day_only(void **state) {
  (void)state;
  bo_cache *c = bo_cache_new(64);
  assert_missing(c, "A", 1);
  put(c, "A", 1, "{\"a\":1}");
  assert_kept(c, "A", 1, "{\"a\":1}");
  assert_missing(c, "A", 2); /* another day: dates move with it */
  assert_missing(c, "B", 1);
  put(c, "A", 2, "{\"a\":2}"); /* replaces the answer of the day before */
  assert_kept(c, "A", 2, "{\"a\":2}");
  assert_missing(c, "A", 1);
  const bo_cache_stats st = bo_cache_stats_get(c);
  assert_int_equal(st.entries, 1);
  assert_true(st.hits >= 2 && st.misses >= 4);
  bo_cache_free(c);
}

static void test_drop_forgets_one_key_and_null_forgets_all(void **state) {
  (void)state;
  bo_cache *c = bo_cache_new(64);
  put(c, "A", 1, "a");
  put(c, "B", 1, "b");
  bo_cache_drop(c, "A");
  assert_missing(c, "A", 1);
  assert_kept(c, "B", 1, "b");
  bo_cache_drop(c, "nothing-kept"); /* harmless */
  assert_kept(c, "B", 1, "b");
  bo_cache_drop(c, NULL);
  assert_missing(c, "B", 1);
  put(c, "B", 1, "b2");
  assert_kept(c, "B", 1, "b2");
  bo_cache_free(c);
}

static void test_an_answer_older_than_a_drop_is_not_kept(void **state) {
  (void)state;
  bo_cache *c = bo_cache_new(64);
  bo_cache_ticket t;
  assert_null(get(c, "A", 1, &t)); /* a reader misses, then reads the store... */
  bo_cache_drop(c, "A");           /* ...while the writer commits a change of A */
  bo_cache_put(c, &t, "A", 1, "old", 3);
  assert_missing(c, "A", 1);
  /* the same after a drop of everything */
  assert_null(get(c, "A", 1, &t));
  bo_cache_drop(c, NULL);
  bo_cache_put(c, &t, "A", 1, "old", 3);
  assert_missing(c, "A", 1);
  /* a ticket taken after the drop is good */
  put(c, "A", 1, "new");
  assert_kept(c, "A", 1, "new");
  bo_cache_free(c);
}

static void test_a_full_set_gives_up_its_least_recently_used(void **state) {
  (void)state;
  bo_cache *c = bo_cache_new(1); /* one set: every key shares it */
  char key[8], body[8];
  for (int i = 0; i < BO_CACHE_WAYS; i++) {
    snprintf(key, sizeof key, "K%d", i);
    snprintf(body, sizeof body, "b%d", i);
    put(c, key, 1, body);
  }
  assert_int_equal(bo_cache_stats_get(c).entries, BO_CACHE_WAYS);
  assert_kept(c, "K0", 1, "b0"); /* K0 is now the most recently used, K1 the least */
  put(c, "NEW", 1, "new");       /* K1 goes */
  assert_missing(c, "K1", 1);
  assert_kept(c, "NEW", 1, "new");
  for (int i = 0; i < BO_CACHE_WAYS; i++) {
    if (i == 1) continue;
    snprintf(key, sizeof key, "K%d", i);
    snprintf(body, sizeof body, "b%d", i);
    assert_kept(c, key, 1, body);
  }
  assert_int_equal(bo_cache_stats_get(c).entries, BO_CACHE_WAYS);
  /* a drop in the middle of the set leaves the others, and room */
  bo_cache_drop(c, "K3");
  assert_missing(c, "K3", 1);
  put(c, "K1", 1, "b1again");
  assert_kept(c, "K1", 1, "b1again");
  assert_kept(c, "K2", 1, "b2");
  assert_kept(c, "NEW", 1, "new");
  assert_int_equal(bo_cache_stats_get(c).entries, BO_CACHE_WAYS);
  bo_cache_free(c);
}

static void test_large_bodies_are_not_kept(void **state) {
  (void)state;
  bo_cache *c = bo_cache_new(8);
  char *big = malloc(BO_CACHE_BODY_MAX + 2);
  memset(big, 'x', BO_CACHE_BODY_MAX + 1);
  big[BO_CACHE_BODY_MAX + 1] = '\0';
  put(c, "A", 1, big);
  assert_missing(c, "A", 1);
  free(big);
  assert_null(bo_cache_new(0)); /* 0: caching off */
  bo_cache_free(c);
}

/* An availability answer as the engine renders it, and odd bodies: each
 * comes back exactly, and the answer keeps in well under half its size. */
static void test_bodies_come_back_as_they_were(void **state) {
  (void)state;
  static const char *const bodies[] = {
      "{\"sku\":\"SKU-0000005\",\"on_hand\":0,\"allocated\":0,\"available\":0,"
      "\"backordered\":7,\"incoming\":[{\"purchase_order\":\"PO-B000000\",\"qty\":20,"
      "\"eta\":\"2026-12-09\"},{\"purchase_order\":\"PO-B000001\",\"qty\":5,"
      "\"eta\":\"2026-12-19\"}],\"incoming_total\":25,\"status\":\"backorder\","
      "\"message\":\"On backorder \xe2\x80\x93 ships by 10 Dec 2026 (estimated)\","
      "\"earliest_promise\":\"2026-12-10\",\"earliest_promise_estimate\":true,"
      "\"backorder_policy\":\"allow\",\"substitutes\":[]}",
      "{\"sku\":\"X\",\"on_hand\":3,\"allocated\":0,\"available\":3,\"backordered\":0,"
      "\"incoming\":[],\"incoming_total\":0,\"status\":\"low_stock\",\"message\":\"Only 3 "
      "left\",\"earliest_promise\":null,\"earliest_promise_estimate\":false,"
      "\"backorder_policy\":\"deny\"}",
      "\x01\x02 raw control bytes \x1e\x1f\x1f at the end\x1f",
      "null", "{", "true\x1f",
  };
  bo_cache *c = bo_cache_new(64);
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    char key[8];
    snprintf(key, sizeof key, "K%zu", i);
    put(c, key, 1, bodies[i]);
    assert_kept(c, key, 1, bodies[i]);
    if (i == 0) { /* the entry, its key and its header */
      const bo_cache_stats st = bo_cache_stats_get(c);
      assert_true(st.bytes < strlen(bodies[0]) / 2);
    }
  }
  bo_cache_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bodies_come_back_as_they_were),
      cmocka_unit_test(test_kept_for_its_key_and_day_only),
      cmocka_unit_test(test_drop_forgets_one_key_and_null_forgets_all),
      cmocka_unit_test(test_an_answer_older_than_a_drop_is_not_kept),
      cmocka_unit_test(test_a_full_set_gives_up_its_least_recently_used),
      cmocka_unit_test(test_large_bodies_are_not_kept),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
