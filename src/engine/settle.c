/*
 * settle.c — bringing one SKU back to its rules after any change.
 *
 * After stock, supply, the queue or a policy changes, settling a SKU hands
 * available units to its queue in order (invariant 5), walks the remaining
 * queue against supply to re-date every backordered unit, applies the
 * customer's deadline and the delay rule, and stores exactly the lines that
 * changed, each with its events. Work is proportional to the SKU's queue.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "../common/mem.h"
#include "../common/strbuf.h"

int32_t bo_lead_time_days(bo_engine *e, const bo_sku *sku) {
  if (sku->lead_time_days != BO_DAYS_NONE) return sku->lead_time_days;
  bo_supplier sp;
  if (sku->supplier[0] && e->st->ops->supplier_get(e->st, sku->supplier, &sp) == BO_OK)
    return sp.lead_time_days;
  return e->cfg.default_lead_time_days;
}

bo_promise_ctx bo__promise_ctx(bo_engine *e, const bo_sku *sku, int64_t now,
                               const bo_supply *supply, size_t n, int64_t ahead, int64_t units) {
  int64_t room = -ahead; /* supply left for the units */
  for (size_t i = 0; i < n && room < units; i++) room += supply[i].qty;
  return (bo_promise_ctx){.today = bo_day_of(now),
                          .handling_days = sku->handling_days,
                          .lead_time_days = room < units ? bo_lead_time_days(e, sku) : 0};
}

size_t bo__supply(const bo_incomings *in, bo_supply *out) {
  for (int i = 0; i < in->n; i++) out[i] = (bo_supply){.qty = in->v[i].qty, .eta = in->v[i].eta};
  return (size_t)in->n;
}

bo_rc bo__event_text(bo_engine *e, int64_t now, const char *type, const char *order_id,
                     const char *sku, const char *data) {
  bo_event ev = {.at = now, .data = data};
  memcpy(ev.type, type, strnlen(type, sizeof ev.type - 1) + 1);
  memcpy(ev.order_id, order_id, strnlen(order_id, BO_ID_LEN_MAX) + 1);
  memcpy(ev.sku, sku, strnlen(sku, BO_SKU_ID_LEN_MAX) + 1);
  return e->st->ops->event_append(e->st, &ev);
}

bo_rc bo__event(bo_engine *e, int64_t now, const char *type, const char *order_id,
                const char *sku, json_t *data) {
  if (data == NULL) return BO_E_NOMEM;
  if (order_id[0] && !json_object_get(data, "order"))
    json_object_set_new(data, "order", json_string(order_id));
  if (sku[0] && !json_object_get(data, "sku")) json_object_set_new(data, "sku", json_string(sku));
  char *text = json_dumps(data, JSON_COMPACT);
  json_decref(data);
  if (text == NULL) return BO_E_NOMEM;
  const bo_rc rc = bo__event_text(e, now, type, order_id, sku, text);
  free(text);
  return rc;
}

bo_rc bo__sku_save(bo_engine *e, int64_t now, bo_sku *sku, int64_t incoming_total) {
  BO_ASSERT(sku->on_hand >= 0 && sku->allocated >= 0 && sku->allocated <= sku->on_hand);
  BO_ASSERT(sku->backordered >= 0);
  BO_ASSERT(bo_sku_available(sku) == 0 || sku->backordered == 0);
  const bo_status before = sku->status;
  sku->status = bo_sku_status(sku, incoming_total);
  sku->updated_at = now;
  if (before == sku->status) return e->st->ops->sku_update_counters(e->st, sku);
  const bo_rc rc = e->st->ops->sku_update(e->st, sku);
  if (rc) return rc;
  return bo__event(e, now, "sku.status_changed", "", sku->id,
                   json_pack("{s:s,s:s}", "from", bo_status_name(before), "to",
                             bo_status_name(sku->status)));
}

/* Recomputes an order's status from its lines and stores it when it changed. */
bo_rc bo__order_refresh(bo_engine *e, int64_t now, const char *order_id, bool *ready_out) {
  bo_order o;
  bo_lines lines = {0};
  bo_rc rc = e->st->ops->order_get(e->st, order_id, &o);
  if (!rc) rc = e->st->ops->order_lines(e->st, order_id, &lines);
  if (rc) goto done;
  int64_t qty = 0, cancelled = 0, shipped = 0, backordered = 0, allocated = 0;
  for (size_t i = 0; i < lines.n; i++) {
    qty += lines.v[i].qty;
    cancelled += lines.v[i].cancelled;
    shipped += lines.v[i].shipped;
    backordered += lines.v[i].backordered;
    allocated += lines.v[i].allocated;
  }
  bo_order_status st = BO_ORDER_OPEN;
  if (cancelled == qty) st = BO_ORDER_CANCELLED;
  else if (shipped + cancelled == qty) st = BO_ORDER_SHIPPED;
  else if (shipped > 0) st = BO_ORDER_PARTIALLY_SHIPPED;
  if (ready_out) *ready_out = backordered == 0 && allocated > 0;
  if (st != o.status) {
    o.status = st;
    o.updated_at = now;
    rc = e->st->ops->order_update(e->st, &o);
  }
done:
  bo_lines_release(&lines);
  return rc;
}

/*
 * The line events of one settle, handed to the store in one call at the end
 * (it may fold them into few rows). Each event's data is
 * {"order":…,"sku":…,"line":N<tail>}; the tails are built in `text`.
 */
typedef struct line_events {
  struct line_event_ref {
    const char *type;
    size_t order, tail; /* offsets of NUL-terminated strings in text */
    int32_t line_no;
  } *v;
  size_t n, cap;
  size_t order, tail; /* of the event being built */
  bo_strbuf text;
  /* the last tail of each kind and what it was made of: lines moved alike
   * share one tail text instead of rendering it again */
  struct tail_cache {
    bool set;
    bo_schedule a, b;
    bo_day day;
    int64_t k;
    size_t tail;
  } changed, notice;
  struct {
    bool set;
    int64_t took, allocated, backordered;
    size_t tail;
  } allocated;
  struct {
    bool set;
    size_t tail; /* the empty tail of ready_to_ship */
  } ready;
} line_events;

/* Starts an event about line l; its tail is appended to le->text next. */
static bo_strbuf *ev_open(line_events *le, const bo_line *l) {
  le->order = le->text.len;
  bo_sb_raw(&le->text, l->order_id, strlen(l->order_id) + 1);
  le->tail = le->text.len;
  return &le->text;
}

/* Room for `more` events, and for `text` bytes of their text. */
static bo_rc ev_reserve(line_events *le, size_t more, size_t text) {
  if (le->n + more > le->cap) {
    const size_t cap = le->n + more;
    struct line_event_ref *v = realloc(le->v, cap * sizeof *le->v);
    if (!v) return BO_E_NOMEM;
    bo_mem_prefault(v + le->cap, (cap - le->cap) * sizeof *v);
    le->v = v;
    le->cap = cap;
  }
  return bo_sb_room(&le->text, text) ? BO_OK : BO_E_NOMEM;
}

static bo_rc ev_push(line_events *le, const char *type, const bo_line *l) {
  if (le->text.failed) return BO_E_NOMEM;
  if (le->n == le->cap) {
    const bo_rc rc = ev_reserve(le, le->cap ? le->cap : 64, 0);
    if (rc) return rc;
  }
  le->v[le->n++] = (struct line_event_ref){type, le->order, le->tail, l->line_no};
  return BO_OK;
}

static bo_rc ev_close(line_events *le, const char *type, const bo_line *l) {
  bo_sb_raw(&le->text, "", 1);
  return ev_push(le, type, l);
}

/* An event about line l whose tail is the text at offset `tail` already. */
static bo_rc ev_same(line_events *le, const char *type, const bo_line *l, size_t tail) {
  ev_open(le, l);
  le->tail = tail;
  return ev_push(le, type, l);
}

static bool cache_hit(const struct tail_cache *c, const bo_schedule *a, const bo_schedule *b,
                      bo_day day, int64_t k) {
  return c->set && c->day == day && c->k == k && bo_schedule_equal(&c->a, a) &&
         bo_schedule_equal(&c->b, b);
}

/* Appends the collected events (ids in the order they were made) and empties le. */
static bo_rc ev_flush(bo_engine *e, int64_t now, const char *sku, line_events *le) {
  bo_rc rc = BO_OK;
  if (le->n > 0) {
    bo_line_event *v = malloc(le->n * sizeof *v);
    if (!v) return BO_E_NOMEM;
    bo_mem_prefault(v, le->n * sizeof *v);
    for (size_t i = 0; i < le->n; i++)
      v[i] = (bo_line_event){le->v[i].type, le->text.buf + le->v[i].order, le->v[i].line_no,
                             le->text.buf + le->v[i].tail};
    rc = e->st->ops->event_append_lines(e->st, now, sku, v, le->n);
    free(v);
  }
  le->n = 0;
  le->text.len = 0;
  le->changed.set = le->notice.set = le->allocated.set = le->ready.set = false;
  return rc;
}

static void ev_release(line_events *le) {
  free(le->v);
  free(le->text.buf);
  *le = (line_events){0};
}

/* Whether no line of the order waits any more (an allocation cannot change
 * the order's status, only whether it is ready to ship). */
static bo_rc order_ready(bo_engine *e, const bo_line *l, bool *ready) {
  *ready = false;
  if (l->backordered > 0) return BO_OK;
  *ready = l->n_lines == 1; /* its only line: no need to look */
  if (*ready) return BO_OK;
  bool waiting = true;
  const bo_rc rc = e->st->ops->order_waiting(e->st, l->order_id, &waiting);
  *ready = !rc && !waiting;
  return rc;
}

/* Events for a line whose allocation grew by `took` units. */
static bo_rc line_allocated(bo_engine *e, line_events *le, const bo_line *l, int64_t took) {
  bo_rc rc;
  if (le->allocated.set && le->allocated.took == took &&
      le->allocated.allocated == l->allocated && le->allocated.backordered == l->backordered) {
    rc = ev_same(le, "order.allocated", l, le->allocated.tail);
  } else {
    bo_strbuf *sb = ev_open(le, l);
    le->allocated.set = true;
    le->allocated.took = took;
    le->allocated.allocated = l->allocated;
    le->allocated.backordered = l->backordered;
    le->allocated.tail = le->tail;
    bo__sb_int(sb, "qty", took);
    bo__sb_int(sb, "allocated", l->allocated);
    bo__sb_int(sb, "backordered", l->backordered);
    rc = ev_close(le, "order.allocated", l);
  }
  bool ready = false;
  if (!rc) rc = order_ready(e, l, &ready);
  if (!rc && ready && le->ready.set) {
    rc = ev_same(le, "order.ready_to_ship", l, le->ready.tail);
  } else if (!rc && ready) {
    ev_open(le, l);
    le->ready.set = true;
    le->ready.tail = le->tail;
    rc = ev_close(le, "order.ready_to_ship", l);
  }
  return rc;
}

static bo_rc line_cancelled(bo_engine *e, int64_t now, line_events *le, const bo_line *l,
                            int64_t qty, const char *reason) {
  bo_strbuf *sb = ev_open(le, l);
  bo__sb_int(sb, "qty", qty);
  bo__sb_key(sb, "reason");
  bo_sb_json_str(sb, reason);
  bo__sb_int(sb, "cancelled", l->cancelled);
  const bo_rc rc = ev_close(le, "order.cancelled", l);
  return rc ? rc : bo__order_refresh(e, now, l->order_id, NULL);
}

/* The events of a line whose promise moved: promise_changed, delay_notice. */
static bo_rc promise_events(line_events *le, const bo_line *l, const bo_line *old,
                            bool delayed) {
  bo_rc rc = BO_OK;
  struct tail_cache *c = &le->changed;
  if (old->promise.n > 0 && cache_hit(c, &old->promise, &l->promise, l->first_promise, 0)) {
    rc = ev_same(le, "order.promise_changed", l, c->tail);
  } else if (old->promise.n > 0) {
    bo_strbuf *sb = ev_open(le, l);
    *c = (struct tail_cache){true, old->promise, l->promise, l->first_promise, 0, le->tail};
    bo__sb_key(sb, "old");
    bo__sb_schedule(sb, &old->promise);
    bo__sb_key(sb, "new");
    bo__sb_schedule(sb, &l->promise);
    bo__sb_key(sb, "first_promise");
    bo__sb_day(sb, l->first_promise);
    rc = ev_close(le, "order.promise_changed", l);
  }
  c = &le->notice;
  if (!rc && delayed && cache_hit(c, &l->promise, &l->promise, l->first_promise, l->delays)) {
    rc = ev_same(le, "order.delay_notice", l, c->tail);
  } else if (!rc && delayed) {
    bo_strbuf *sb = ev_open(le, l);
    *c = (struct tail_cache){true, l->promise, l->promise, l->first_promise, l->delays, le->tail};
    bo__sb_key(sb, "first_promise");
    bo__sb_day(sb, l->first_promise);
    bo__sb_key(sb, "promises");
    bo__sb_schedule(sb, &l->promise);
    bo__sb_int(sb, "delays", l->delays);
    bo_sb_str(sb, ",\"can_cancel\":true");
    rc = ev_close(le, "order.delay_notice", l);
  }
  return rc;
}

/* A run of consecutive queue lines re-dated alike (same new promise, same
 * delay) whose store update waits, to be written in one statement. */
typedef struct promise_run {
  size_t from, to; /* queue indices, both included */
  bool delayed;
  bool open;
} promise_run;

static bo_rc run_flush(bo_engine *e, const bo_lines *q, promise_run *run) {
  if (!run->open) return BO_OK;
  run->open = false;
  const bo_line *a = &q->v[run->from];
  if (run->from == run->to) return e->st->ops->line_update_promise(e->st, a);
  return e->st->ops->line_update_promise_run(e->st, a, &q->v[run->to], a, run->delayed);
}

/* Line i was only re-dated: extends the pending run or starts a new one. */
static bo_rc run_add(bo_engine *e, const bo_lines *q, size_t i, bool delayed, promise_run *run) {
  if (run->open && run->to + 1 == i && run->delayed == delayed &&
      bo_schedule_equal(&q->v[run->from].promise, &q->v[i].promise)) {
    run->to = i;
    return BO_OK;
  }
  const bo_rc rc = run_flush(e, q, run);
  *run = (promise_run){.from = i, .to = i, .delayed = delayed, .open = true};
  return rc;
}

/* Applies one walk result to line i of the queue q. */
static bo_rc apply_walk(bo_engine *e, int64_t now, line_events *le, bo_sku *sku, bo_lines *q,
                        size_t i, const bo_walk_result *r, bool allocation_changed,
                        promise_run *run) {
  bo_line *l = &q->v[i];
  const bo_line old = *l;
  const int64_t cancel = r->cancel_late + r->cancel_delay;
  l->backordered -= cancel;
  l->cancelled += cancel;
  sku->backordered -= cancel;
  l->promise = r->promise;
  if (l->first_promise == BO_DAY_NONE && l->promise.n > 0)
    l->first_promise = bo_schedule_date(&l->promise);
  if (r->delayed) {
    l->delays++;
    l->consented = false;
  }
  const bool promise_changed = !bo_schedule_equal(&old.promise, &l->promise);
  if (!promise_changed && cancel == 0 && !allocation_changed) return BO_OK;
  /* only re-dated: a narrow update that leaves the queue index alone, with
   * the lines next to it that moved alike */
  bo_rc rc;
  if (cancel == 0 && !allocation_changed) {
    rc = run_add(e, q, i, r->delayed, run);
  } else {
    rc = run_flush(e, q, run);
    if (!rc) rc = e->st->ops->line_update(e->st, l);
  }
  if (!rc && (promise_changed || r->delayed)) rc = promise_events(le, l, &old, r->delayed);
  if (!rc && r->cancel_late) rc = line_cancelled(e, now, le, l, r->cancel_late, "need_by");
  if (!rc && r->cancel_delay) rc = line_cancelled(e, now, le, l, r->cancel_delay, "delayed");
  return rc;
}

bo_rc bo__settle(bo_engine *e, int64_t now, bo_sku *sku, bo_err *err) {
  bo_incomings in;
  bo_lines q = {0};
  int64_t *taken = NULL; /* units each line takes now */
  bo_walk_result *res = NULL;
  bo_supply supply[BO_OPEN_SUPPLY_MAX];
  line_events le = {0};
  bo_rc rc = e->st->ops->incoming_load(e->st, sku->id, &in);
  /* stock for the whole queue: every line gets filled and none is dated */
  const bool fills_all = bo_sku_available(sku) >= sku->backordered;
  if (!rc && sku->backordered > 0) rc = e->st->ops->queue_load(e->st, sku->id, &q);
  if (rc) goto done;
  /* a line's events are two at most but for the ready_to_ship of a filled
   * one: room for them at once (a long queue's would grow many times) */
  if (q.n > 0 && (rc = ev_reserve(&le, 2 * q.n, q.n * (strlen(q.v[0].order_id) + 2)))) goto done;
  taken = bo_mem_calloc(q.n + 1, sizeof *taken);
  /* the walk fills one result per line it dates */
  res = fills_all ? calloc(1, sizeof *res) : bo_mem_calloc(q.n + 1, sizeof *res);
  if (!taken || !res) {
    rc = BO_E_NOMEM;
    goto done;
  }
  const int64_t handed = bo_allocate(bo_sku_available(sku), q.v, q.n, taken);
  sku->allocated += handed;
  sku->backordered -= handed;
  size_t first = 0;
  while (first < q.n && q.v[first].backordered == 0) first++;
  if (fills_all && first < q.n) { /* the queue and the counter disagree */
    rc = BO_E_STORE;
    goto done;
  }
  const size_t n_supply = bo__supply(&in, supply);
  const bo_promise_ctx ctx = bo__promise_ctx(e, sku, now, supply, n_supply, 0, INT64_MAX);
  if (first < q.n) bo_promise_walk(supply, n_supply, 0, q.v + first, q.n - first, &ctx, res + first);
  /* the head that the stock filled: one statement for all its lines */
  if (first > 0) rc = e->st->ops->queue_fill_through(e->st, &q.v[first - 1]);
  promise_run run = {0};
  for (size_t i = 0; i < q.n && !rc; i++) {
    bo_line *l = &q.v[i];
    if (i < first)
      l->promise.n = 0;
    else
      rc = apply_walk(e, now, &le, sku, &q, i, &res[i], taken[i] > 0, &run);
    if (!rc && taken[i] > 0) rc = line_allocated(e, &le, l, taken[i]);
  }
  if (!rc) rc = run_flush(e, &q, &run);
  if (!rc) rc = ev_flush(e, now, sku->id, &le);
  if (!rc) rc = bo__sku_save(e, now, sku, in.total);
done:
  ev_release(&le);
  free(taken);
  free(res);
  bo_lines_release(&q);
  if (rc) return bo_err_set(err, rc, "", "cannot settle sku \"%s\"", sku->id);
  return BO_OK;
}
