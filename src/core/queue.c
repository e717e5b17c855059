/*
 * queue.c — the backorder queue: its order and the hand-out of arriving stock
 * (SPEC 4, "Allocation of arriving stock").
 */
#include <string.h>

#include "domain.h"

bool bo_line_balanced(const bo_line *l) {
  return l->qty > 0 && l->allocated >= 0 && l->backordered >= 0 && l->shipped >= 0 &&
         l->cancelled >= 0 &&
         l->qty == l->allocated + l->backordered + l->shipped + l->cancelled;
}

int bo_line_queue_cmp(const bo_line *a, const bo_line *b) {
  if (a->queue_prio != b->queue_prio) return a->queue_prio < b->queue_prio ? -1 : 1;
  if (a->queue_us != b->queue_us) return a->queue_us < b->queue_us ? -1 : 1;
  const int c = strcmp(a->order_id, b->order_id);
  if (c != 0) return c < 0 ? -1 : 1;
  return (a->line_no > b->line_no) - (a->line_no < b->line_no);
}

int64_t bo_allocate(int64_t available, bo_line *lines, size_t n, int64_t *taken) {
  BO_ASSERT(available >= 0);
  int64_t handed = 0;
  for (size_t i = 0; i < n && handed < available; i++) {
    bo_line *l = &lines[i];
    BO_ASSERT(bo_line_balanced(l));
    BO_ASSERT(i == 0 || bo_line_queue_cmp(&lines[i - 1], l) < 0);
    const int64_t room = available - handed;
    const int64_t take = l->backordered < room ? l->backordered : room;
    if (take == 0) continue;
    l->backordered -= take;
    l->allocated += take;
    handed += take;
    if (taken) taken[i] = take;
    BO_ASSERT(bo_line_balanced(l));
  }
  BO_ASSERT(handed <= available);
  return handed;
}

void bo_protect_position(const bo_line *queue, size_t n, bo_line *nl) {
  size_t last_known = n;
  for (size_t i = 0; i < n; i++)
    for (int p = 0; p < queue[i].promise.n; p++)
      if (!queue[i].promise.parts[p].estimate) last_known = i;
  if (last_known == n || bo_line_queue_cmp(nl, &queue[last_known]) > 0) return;
  /* Right behind it: same priority, a time inside the same second (order
   * times are whole seconds), after the lines placed there before. */
  const bo_line *l = &queue[last_known];
  int64_t us = l->queue_us;
  for (size_t i = last_known + 1; i < n; i++)
    if (queue[i].queue_prio == l->queue_prio && queue[i].queue_us > us &&
        queue[i].queue_us < l->queue_us + BO_US_PER_SECOND)
      us = queue[i].queue_us;
  BO_ASSERT(us + 1 < l->queue_us + BO_US_PER_SECOND);
  nl->queue_prio = l->queue_prio;
  nl->queue_us = us + 1;
  BO_ASSERT(bo_line_queue_cmp(nl, l) > 0);
}
