/*
 * check.c — `backorder check --db PATH`: verifies the invariants of SPEC 3
 * against a database and exits non-zero naming each violation.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

static void print_violation(void *ctx, const char *message) {
  (void)ctx;
  printf("violation: %s\n", message);
}

int bo_cmd_check(int argc, char **argv) {
  const char *db = getenv("BACKORDER_DB");
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'd') db = optarg;
    else return 2;
  }
  if (!db) {
    fprintf(stderr, "check: missing --db PATH\n");
    return 2;
  }
  bo_err err = {0};
  bo_engine e = {.cfg = {.default_lead_time_days = 14, .max_backorder_days = BO_DAYS_NONE}};
  if (bo_store_sqlite_open(db, BO_STORE_READER, &e.st, &err)) {
    fprintf(stderr, "check: %s\n", err.message);
    return 2;
  }
  e.st->ops->begin(e.st);
  /* promises were last settled on the day of the last tick (manual or wall clock) */
  int64_t now = (int64_t)time(NULL);
  char buf[24];
  if (e.st->ops->meta_get(e.st, "tick_day", buf, sizeof buf) == BO_OK)
    now = strtoll(buf, NULL, 10) * BO_SECONDS_PER_DAY;
  const int64_t n = bo_check(&e, now, print_violation, NULL);
  e.st->ops->commit(e.st);
  e.st->ops->close(e.st);
  if (n < 0) {
    fprintf(stderr, "check: cannot read the database (%s)\n", bo_rc_name((bo_rc)n));
    return 2;
  }
  if (n > 0) {
    printf("%lld violation(s)\n", (long long)n);
    return 1;
  }
  printf("ok: every invariant holds\n");
  return 0;
}
