/*
 * test_store_checkpoint.c — the log copied into the database off the
 * writer's thread (store.h: log_pending, checkpoint; writer.c).
 *
 * A checkpoint on its own connection and thread copies what was committed
 * (up to what a reader's snapshot still needs); the writer then copies the
 * last few frames itself before its next transaction, and the log starts
 * over. Nothing committed is lost, and a reader's snapshot stays whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/store/store.h"
#include "unit_db.h"

static char data[3000];

/* One transaction of n events with 3 KB of data each (about n frames). */
static void commit_events(bo_store *st, int n) {
  assert_int_equal(st->ops->begin(st), BO_OK);
  for (int i = 0; i < n; i++) {
    bo_event ev = {.at = 1, .data = data};
    snprintf(ev.type, sizeof ev.type, "test.filler");
    assert_int_equal(st->ops->event_append(st, &ev), BO_OK);
  }
  assert_int_equal(st->ops->commit(st), BO_OK);
}

static void *run_checkpoint(void *arg) {
  bo_store *st = arg;
  return (void *)(intptr_t)st->ops->checkpoint(st);
}

static void test_checkpoint_then_the_writer_catches_up_and_the_log_starts_over(void **state) {
  (void)state;
  char path[] = "/tmp/bo-ckpt-XXXXXX";
  assert_true(unit_db_temp_name(path));
  unit_db_filler_json(data, sizeof data);

  bo_err err = {0};
  bo_store *w = NULL, *r = NULL;
  assert_int_equal(bo_store_sqlite_open(path, BO_STORE_WRITER, &w, &err), BO_OK);
  assert_non_null(w->ops->log_pending);
  assert_non_null(w->ops->checkpoint);
  int64_t events = 0;
  for (int i = 0; i < 100; i++, events += 30) commit_events(w, 30);
  const int64_t before = w->ops->log_pending(w);
  assert_true(before >= 3000);

  /* a reader holds a snapshot through what follows */
  assert_int_equal(bo_store_sqlite_open(path, BO_STORE_READER, &r, &err), BO_OK);
  assert_int_equal(r->ops->begin(r), BO_OK);
  int64_t seen = 0;
  assert_int_equal(r->ops->event_last_id(r, &seen), BO_OK);
  assert_int_equal(seen, events);

  /* more commits that the reader's snapshot does not see */
  for (int i = 0; i < 10; i++, events += 5) commit_events(w, 5);
  /* a checkpoint on another thread copies up to the reader's snapshot only */
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, run_checkpoint, w), 0);
  void *rc = NULL;
  pthread_join(t, &rc);
  assert_int_equal((intptr_t)rc, BO_OK);
  int64_t still = 0;
  assert_int_equal(r->ops->event_last_id(r, &still), BO_OK);
  assert_int_equal(still, seen);
  assert_int_equal(r->ops->commit(r), BO_OK);
  const int64_t after = w->ops->log_pending(w);
  assert_true(after > 0 && after < 128);
  /* the writer's next transaction copies the rest and starts the log over */
  commit_events(w, 1);
  events += 1;
  commit_events(w, 1);
  events += 1;
  assert_true(w->ops->log_pending(w) < 20);

  w->ops->close(w);
  r->ops->close(r);
  assert_int_equal(bo_store_sqlite_open(path, BO_STORE_READER, &r, &err), BO_OK);
  int64_t last = 0;
  assert_int_equal(r->ops->event_last_id(r, &last), BO_OK);
  assert_int_equal(last, events);
  r->ops->close(r);
  unit_db_remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_checkpoint_then_the_writer_catches_up_and_the_log_starts_over),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
