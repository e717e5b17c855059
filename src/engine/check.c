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

typedef struct checker {
  bo_engine *e;
  int64_t now;
  bo_violation_cb report;
  void *ctx;
  int64_t violations;
  bo_rc rc;
  /* per SKU sums over its open lines */
  int64_t allocated, backordered;
  const bo_sku *sku;
} checker;

__attribute__((format(printf, 2, 3))) static void violation(checker *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->violations++;
  c->report(c->ctx, msg);
}

static void check_promises(checker *c, const bo_sku *k);

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
  c->allocated += l->allocated;
  c->backordered += l->backordered;
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

static bo_rc check_sku(void *p, const bo_sku *k) {
  checker *c = p;
  check_counters(c, k);
  if (c->rc) return c->rc;
  check_promises(c, k);
  if (c->rc) return c->rc;
  c->allocated = c->backordered = 0;
  c->sku = k;
  bo_rc rc = c->e->st->ops->open_lines(c->e->st, k->id, check_line, c);
  if (rc) return rc;
  if (c->allocated != k->allocated || c->backordered != k->backordered)
    violation(c, "sku \"%s\": counters allocated %lld, backordered %lld but its open lines sum "
                 "to %lld, %lld",
              k->id, (long long)k->allocated, (long long)k->backordered, (long long)c->allocated,
              (long long)c->backordered);
  return BO_OK;
}

/* Promises must be what the supply gives now: re-walk the queue and compare. */
static void check_promises(checker *c, const bo_sku *k) {
  if (k->backordered == 0) return;
  bo_store *st = c->e->st;
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
  const bo_promise_ctx ctx = bo__promise_ctx(c->e, k, c->now);
  bo_promise_walk(supply, bo__supply(&in, supply), 0, q.v, q.n, &ctx, res);
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
  last_id page = {.inner = check_sku, .ctx = &c};
  do {
    page.seen = 0;
    char after[BO_SKU_ID_LEN_MAX + 1];
    memcpy(after, page.id, sizeof after);
    const bo_rc rc =
        e->st->ops->sku_list(e->st, -1, &(bo_page){.after = after, .limit = 500}, remember, &page);
    if (rc) return rc;
  } while (page.seen == 500);
  return c.violations;
}
