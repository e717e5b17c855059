/*
 * clock.h — the one place that reads the wall clock.
 *
 * The server hands `bo_clock_now()` to the engine as a parameter. With a
 * manual clock (--manual-clock, for tests) time only moves when told to.
 */
#ifndef BO_CLOCK_H
#define BO_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct bo_clock {
  bool manual;
  _Atomic int64_t manual_now; /* seconds since the epoch, UTC */
} bo_clock;

/* Seconds since the epoch: the manual time, or the wall clock. */
int64_t bo_clock_now(bo_clock *c);
/* Sets the manual time; callers check it moves forward. */
void bo_clock_set(bo_clock *c, int64_t now);

#endif
