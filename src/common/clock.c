/* clock.c — wall clock or manual clock; see clock.h. */
#include "clock.h"

#include <time.h>

int64_t bo_clock_now(bo_clock *c) {
  if (c->manual) return atomic_load(&c->manual_now);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec;
}

void bo_clock_set(bo_clock *c, int64_t now) { atomic_store(&c->manual_now, now); }
