/*
 * check.c — verifies the invariants of SPEC 3 (1–6) over a whole store.
 *
 * Used by `backorder check` after every API test scenario: it reads only,
 * and names every violation it finds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Per-SKU sums over the open lines, in an open-addressing hash table. */
typedef struct sku_sums {
  char sku[BO_SKU_ID_LEN_MAX + 1];
  int64_t allocated, backordered;
} sku_sums;

typedef struct checker {
  bo_engine *e;
  int64_t now;
  bo_violation_cb report;
  void *ctx;
  int64_t violations;
  bo_rc rc;
  sku_sums *sums;
  size_t cap, used; /* cap is a power of two */
} checker;

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* The sums slot of sku (created when missing; NULL when out of memory). */
static sku_sums *sums_of(checker *c, const char *sku, bool create) {
  if (create && (c->used + 1) * 2 > c->cap) {
    const size_t cap = c->cap ? c->cap * 2 : 1024;
    sku_sums *t = calloc(cap, sizeof *t);
    if (!t) return NULL;
    for (size_t i = 0; i < c->cap; i++) {
      if (!c->sums[i].sku[0]) continue;
      size_t k = hash(c->sums[i].sku) & (cap - 1);
      while (t[k].sku[0]) k = (k + 1) & (cap - 1);
      t[k] = c->sums[i];
    }
    free(c->sums);
    c->sums = t;
    c->cap = cap;
  }
  if (!c->cap) return NULL;
  size_t k = hash(sku) & (c->cap - 1);
  while (c->sums[k].sku[0]) {
    if (strcmp(c->sums[k].sku, sku) == 0) return &c->sums[k];
    k = (k + 1) & (c->cap - 1);
  }
  if (!create) return NULL;
  snprintf(c->sums[k].sku, sizeof c->sums[k].sku, "%s", sku);
  c->used++;
  return &c->sums[k];
}

__attribute__((format(printf, 2, 3))) static void violation(checker *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->violations++;
  c->report(c->ctx, msg);
}

static bo_rc check_line(void *p, const bo_line *l) {
  checker *c = p;
  if (!bo_line_balanced(l))
    violation(c, "order \"%s\" line %d (%s): qty %lld != allocated %lld + backordered %lld + "
                 "shipped %lld + cancelled %lld",
              l->order_id, l->line_no, l->sku, (long long)l->qty, (long long)l->allocated,
              (long long)l->backordered, (long long)l->shipped, (long long)l->cancelled);
  if (l->backordered > 0 && bo_schedule_qty(&l->promise) != l->backordered)
    violation(c, "order \"%s\" line %d (%s): promise covers %lld units, %lld backordered",
              l->order_id, l->line_no, l->sku, (long long)bo_schedule_qty(&l->promise),
              (long long)l->backordered);
  if (l->backordered == 0 && l->promise.n > 0)
    violation(c, "order \"%s\" line %d (%s): promise kept with nothing backordered",
              l->order_id, l->line_no, l->sku);
  if (l->n_lines < 0 || (l->n_lines > 0 && l->line_no > l->n_lines))
    violation(c, "order \"%s\" line %d (%s): numbered beyond the %d lines of its order",
              l->order_id, l->line_no, l->sku, l->n_lines);
  if (l->allocated == 0 && l->backordered == 0) return BO_OK;
  sku_sums *sum = sums_of(c, l->sku, true);
  if (!sum) return BO_E_NOMEM;
  sum->allocated += l->allocated;
  sum->backordered += l->backordered;
  return BO_OK;
}

static void check_counters(checker *c, const bo_sku *k) {
  if (k->on_hand < 0 || k->allocated < 0 || k->allocated > k->on_hand)
    violation(c, "sku \"%s\": on_hand %lld, allocated %lld break 0 <= allocated <= on_hand",
              k->id, (long long)k->on_hand, (long long)k->allocated);
  if (k->backordered < 0)
    violation(c, "sku \"%s\": backordered %lld is negative", k->id, (long long)k->backordered);
  int64_t sum;
  if ((c->rc = c->e->st->ops->ledger_sum(c->e->st, k->id, &sum))) return;
  if (sum != k->on_hand)
    violation(c, "sku \"%s\": on_hand %lld but the ledger sums to %lld", k->id,
              (long long)k->on_hand, (long long)sum);
  if (bo_sku_available(k) > 0 && k->backordered > 0)
    violation(c, "sku \"%s\": %lld units available while %lld wait in the queue", k->id,
              (long long)bo_sku_available(k), (long long)k->backordered);
  if ((k->policy == BO_POLICY_DENY) && k->backordered > 0)
    violation(c, "sku \"%s\": policy deny with %lld units backordered", k->id,
              (long long)k->backordered);
  if (k->backorder_limit >= 0 && k->backordered > k->backorder_limit)
    violation(c, "sku \"%s\": %lld units backordered beyond the limit %lld", k->id,
              (long long)k->backordered, (long long)k->backorder_limit);
}

static bo_rc count_line(void *p, const bo_line *l) {
  (void)l;
  ++*(int64_t *)p;
  return BO_OK;
}

/* The queue must hold the SKU's backordered units, and promises must be what
 * the supply gives now: re-walk the queue and compare. */
static void check_promises(checker *c, const bo_sku *k) {
  bo_store *st = c->e->st;
  if (k->backordered == 0) { /* then its queue is empty: one look */
    int64_t n = 0;
    c->rc = st->ops->queue_list(st, k->id, &(bo_page){.after = "", .limit = 1}, count_line, &n);
    if (n > 0) violation(c, "sku \"%s\": lines wait in its queue, none backordered", k->id);
    return;
  }
  bo_lines q = {0};
  bo_incomings in;
  bo_supply supply[BO_OPEN_SUPPLY_MAX];
  if ((c->rc = st->ops->queue_load(st, k->id, &q)) || (c->rc = st->ops->incoming_load(st, k->id, &in)))
    goto done;
  bo_walk_result *res = calloc(q.n, sizeof *res);
  if (!res) {
    c->rc = BO_E_NOMEM;
    goto done;
  }
  int64_t waiting = 0;
  for (size_t i = 0; i < q.n; i++) waiting += q.v[i].backordered;
  if (waiting != k->backordered)
    violation(c, "sku \"%s\": its queue holds %lld units, its counter says %lld backordered",
              k->id, (long long)waiting, (long long)k->backordered);
  const size_t n_supply = bo__supply(&in, supply);
  const bo_promise_ctx ctx = bo__promise_ctx(c->e, k, c->now, supply, n_supply, 0, waiting);
  bo_promise_walk(supply, n_supply, 0, q.v, q.n, &ctx, res);
  for (size_t i = 0; i < q.n; i++) {
    const bo_line *l = &q.v[i];
    if (bo_schedule_equal(&res[i].promise, &l->promise) && !res[i].cancel_late &&
        !res[i].cancel_delay)
      continue;
    char stored[BO_PROMISE_PARTS_MAX * 40], fresh[BO_PROMISE_PARTS_MAX * 40];
    bo_schedule_encode(&l->promise, stored, sizeof stored);
    bo_schedule_encode(&res[i].promise, fresh, sizeof fresh);
    violation(c, "order \"%s\" line %d (%s): promise \"%s\" is not what supply gives now \"%s\"",
              l->order_id, l->line_no, l->sku, stored, fresh);
  }
  free(res);
done:
  bo_lines_release(&q);
}

static bo_rc check_sku(void *p, const bo_sku *k) {
  checker *c = p;
  check_counters(c, k);
  if (!c->rc) check_promises(c, k);
  if (c->rc) return c->rc;
  const sku_sums *sum = sums_of(c, k->id, false);
  const int64_t allocated = sum ? sum->allocated : 0, backordered = sum ? sum->backordered : 0;
  if (allocated != k->allocated || backordered != k->backordered)
    violation(c, "sku \"%s\": counters allocated %lld, backordered %lld but its open lines sum "
                 "to %lld, %lld",
              k->id, (long long)k->allocated, (long long)k->backordered, (long long)allocated,
              (long long)backordered);
  return BO_OK;
}

typedef struct last_id {
  char id[BO_SKU_ID_LEN_MAX + 1];
  bo_sku_cb inner;
  void *ctx;
  int seen;
} last_id;

static bo_rc remember(void *p, const bo_sku *k) {
  last_id *l = p;
  memcpy(l->id, k->id, sizeof l->id);
  l->seen++;
  return l->inner(l->ctx, k);
}

int64_t bo_check(bo_engine *e, int64_t now, bo_violation_cb report, void *ctx) {
  checker c = {.e = e, .now = now, .report = report, .ctx = ctx};
  /* one pass over every line (invariant 3 and promises), summing per SKU */
  const bo_rc scan = e->st->ops->lines_scan(e->st, check_line, &c);
  if (scan) {
    free(c.sums);
    return scan;
  }
  last_id page = {.inner = check_sku, .ctx = &c};
  do {
    page.seen = 0;
    char after[BO_SKU_ID_LEN_MAX + 1];
    memcpy(after, page.id, sizeof after);
    const bo_rc rc =
        e->st->ops->sku_list(e->st, -1, &(bo_page){.after = after, .limit = 500}, remember, &page);
    if (rc) {
      free(c.sums);
      return rc;
    }
  } while (page.seen == 500);
  free(c.sums);
  return c.violations;
}
