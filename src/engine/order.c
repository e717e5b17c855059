/*
 * order.c — placing an order (SPEC 4, "Placing an order").
 *
 * Each line is split at once into what is allocated from available stock and
 * what waits. A line that waits joins its SKU's queue by tier, then order
 * time, then order id, and gets its promise. The common case, a line that
 * joins at the tail of the queue, is dated without touching the rest of the
 * queue; a line that jumps ahead (a higher tier) re-settles the SKU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/*
 * With protect_promises, a line that would sort ahead of units already
 * promised from known supply is placed right behind the last such line, so
 * nobody's promise moves later (SPEC 4).
 */
static bo_rc protect_position(bo_engine *e, bo_line *nl) {
  bo_lines q = {0};
  const bo_rc rc = e->st->ops->queue_load(e->st, nl->sku, &q);
  if (!rc) bo_protect_position(q.v, q.n, nl);
  bo_lines_release(&q);
  return rc;
}

/* Dates a new line that waits at the tail of its queue: everything ahead of
 * it takes supply first. Cancels at once what falls after need_by. */
static void promise_tail(bo_engine *e, int64_t now, const bo_sku *sku, const bo_incomings *in,
                         int64_t ahead, bo_line *l, int64_t *cancelled_late) {
  bo_supply supply[BO_OPEN_SUPPLY_MAX];
  const size_t n_supply = bo__supply(in, supply);
  const bo_promise_ctx ctx = bo__promise_ctx(e, sku, now, supply, n_supply, ahead, l->backordered);
  bo_walk_result r;
  bo_promise_walk(supply, n_supply, ahead, l, 1, &ctx, &r);
  BO_ASSERT(r.cancel_delay == 0);
  l->backordered -= r.cancel_late;
  l->cancelled += r.cancel_late;
  l->promise = r.promise;
  l->first_promise = r.promise.n ? bo_schedule_date(&r.promise) : BO_DAY_NONE;
  *cancelled_late = r.cancel_late;
}

/* Stores the order header; a generated id is "O-" and the order's sequence
 * number, skipping ids a client already took. */
static bo_rc insert_order(bo_engine *e, bo_order *o, bool generate) {
  int64_t seq = 0;
  bo_rc rc = generate ? e->st->ops->order_next_seq(e->st, &seq) : BO_OK;
  for (int tries = 0; !rc && tries < 1000; tries++, seq++) {
    if (generate) snprintf(o->id, sizeof o->id, "O-%06lld", (long long)seq);
    rc = e->st->ops->order_insert(e->st, o);
    if (rc != BO_E_EXISTS || !generate) return rc;
    rc = BO_OK;
  }
  return rc ? rc : BO_E_CONFLICT;
}

/* "lines[i].what" in buf (48 bytes), for an error about that field. */
static const char *line_field(char *buf, int i, const char *what) {
  snprintf(buf, 48, "lines[%d].%s", i, what);
  return buf;
}

/* Checks every line against its SKU's policy before anything is written. */
static bo_rc check_lines(bo_engine *e, const bo_order_request *req, bo_sku *skus,
                         bo_split *splits, int64_t *incoming_total, bo_err *err) {
  for (int i = 0; i < req->n_lines; i++) {
    const bo_line_request *lr = &req->lines[i];
    char field[48]; /* named only for an error (formatting costs on the hot path) */
    for (int j = 0; j < i; j++)
      if (strcmp(req->lines[j].sku, lr->sku) == 0)
        return bo_err_set(err, BO_E_INVALID, line_field(field, i, "sku"),
                          "sku \"%s\" appears twice: give one line per sku", lr->sku);
    bo_rc rc = e->st->ops->sku_get(e->st, lr->sku, &skus[i]);
    if (rc == BO_E_NOT_FOUND)
      return bo_err_set(err, BO_E_INVALID, line_field(field, i, "sku"), "sku \"%s\" not found", lr->sku);
    if (rc) return bo_err_set(err, rc, line_field(field, i, "sku"), "cannot read sku \"%s\"", lr->sku);
    /* the open supply only matters to a limit of "incoming" (and status) */
    incoming_total[i] = 0;
    if (skus[i].backorder_limit == BO_LIMIT_INCOMING) {
      bo_incomings in;
      if ((rc = e->st->ops->incoming_load(e->st, lr->sku, &in)))
        return bo_err_set(err, rc, line_field(field, i, "sku"), "cannot read supply of sku \"%s\"", lr->sku);
      incoming_total[i] = in.total;
    }
    splits[i] = bo_split_line(&skus[i], incoming_total[i], lr->qty);
    switch (splits[i].rc) {
      case BO_OK: break;
      case BO_E_OUT_OF_STOCK:
        return bo_err_set(err, BO_E_OUT_OF_STOCK, line_field(field, i, "qty"),
                          "sku \"%s\" has %lld available and does not take backorders",
                          lr->sku, (long long)bo_sku_available(&skus[i]));
      case BO_E_DISCONTINUED:
        return bo_err_set(err, BO_E_DISCONTINUED, line_field(field, i, "qty"),
                          "sku \"%s\" is discontinued and has %lld available", lr->sku,
                          (long long)bo_sku_available(&skus[i]));
      default:
        return bo_err_set(err, BO_E_LIMIT, line_field(field, i, "qty"),
                          "sku \"%s\" can take %lld more units on backorder, %lld asked",
                          lr->sku, (long long)bo_backorder_room(&skus[i], incoming_total[i]),
                          (long long)splits[i].backordered);
    }
  }
  return BO_OK;
}

/* Writes one line and brings its SKU up to date. */
static bo_rc place_line(bo_engine *e, int64_t now, const bo_order *o, int i, int n_lines,
                        bo_sku *sku,
                        const bo_split *split, int64_t qty, int64_t incoming_total, bo_line *l,
                        bool *cancelled, bo_err *err) {
  *l = (bo_line){.line_no = i + 1, .qty = qty, .allocated = split->allocated,
                 .backordered = split->backordered, .queue_prio = -(int64_t)o->tier,
                 .queue_us = now * BO_US_PER_SECOND, .tier = o->tier, .created_at = now,
                 .first_promise = BO_DAY_NONE, .need_by = o->need_by, .if_late = o->if_late,
                 .n_lines = n_lines};
  memcpy(l->order_id, o->id, sizeof l->order_id);
  memcpy(l->sku, sku->id, sizeof l->sku);
  const int64_t ahead = sku->backordered;
  sku->allocated += l->allocated;
  bool jumps = false;
  bo_rc rc = BO_OK;
  if (l->backordered > 0 && ahead > 0) {
    if (sku->protect_promises) rc = protect_position(e, l);
    if (!rc) rc = e->st->ops->queue_has_after(e->st, l, &jumps);
  }
  int64_t late = 0;
  if (!rc && l->backordered > 0 && !jumps) {
    bo_incomings in;
    rc = e->st->ops->incoming_load(e->st, sku->id, &in);
    if (!rc) promise_tail(e, now, sku, &in, ahead, l, &late);
  }
  *cancelled = *cancelled || late > 0 || jumps;
  sku->backordered += l->backordered;
  if (!rc) rc = e->st->ops->line_insert(e->st, l);
  if (rc) return bo_err_set(err, rc, "", "cannot store line %d of order \"%s\"", i + 1, o->id);
  if (jumps) return bo__settle(e, now, sku, err);
  if ((rc = bo__sku_save(e, now, sku, incoming_total)))
    return bo_err_set(err, rc, "", "cannot store sku \"%s\"", sku->id);
  if (late > 0)
    rc = bo__event(e, now, "order.cancelled", o->id, sku->id,
                   json_pack("{s:i,s:I,s:s}", "line", l->line_no, "qty", (json_int_t)late,
                             "reason", "need_by"));
  return rc ? bo_err_set(err, rc, "", "cannot record event") : BO_OK;
}

bo_rc bo_order_place(bo_engine *e, int64_t now, const bo_order_request *req, char **out,
                     bo_err *err) {
  BO_ASSERT(req->n_lines > 0 && req->n_lines <= BO_LINES_PER_ORDER_MAX);
  bo_order o = req->order;
  o.status = BO_ORDER_OPEN;
  o.created_at = o.updated_at = now;
  bo_rc rc = BO_OK;
  bool cancelled = false; /* need_by may cancel units, a queue jump may cancel more */
  bo_lines stored = {0};
  char *text = NULL;
  const size_t n = (size_t)req->n_lines;
  bo_sku *skus = calloc(n, sizeof *skus);
  bo_split *splits = calloc(n, sizeof *splits);
  bo_line *lines = calloc(n, sizeof *lines);
  int64_t *incoming = calloc(n, sizeof *incoming);
  if (!skus || !splits || !lines || !incoming) {
    rc = bo_err_set(err, BO_E_NOMEM, "", "out of memory");
    goto done;
  }
  if ((rc = check_lines(e, req, skus, splits, incoming, err))) goto done;
  rc = insert_order(e, &o, o.id[0] == '\0');
  if (rc == BO_E_EXISTS) {
    bo_err_set(err, rc, "id", "order \"%s\" already exists", o.id);
    goto done;
  }
  if (rc) {
    bo_err_set(err, rc, "", "cannot store order \"%s\"", o.id);
    goto done;
  }
  for (size_t i = 0; i < n && !rc; i++)
    rc = place_line(e, now, &o, (int)i, (int)n, &skus[i], &splits[i], req->lines[i].qty, incoming[i],
                    &lines[i], &cancelled, err);
  if (!rc && cancelled) rc = bo__order_refresh(e, now, o.id, NULL);
  /* the lines as placed are what is stored, unless a settle touched them */
  if (!rc && cancelled) rc = bo_order_text_load(e, o.id, &o, &stored, &text, err);
  if (!rc && !cancelled) {
    stored = (bo_lines){.v = lines, .n = n};
    if (!(text = bo_order_text(&o, lines, n))) rc = bo_err_set(err, BO_E_NOMEM, "", "out of memory");
  }
  if (!rc && (rc = bo_order_events(e, now, &o, &stored, text)))
    bo_err_set(err, rc, "", "cannot record events of order \"%s\"", o.id);
done:
  if (!rc && out) {
    *out = text;
    text = NULL;
  }
  free(text);
  if (stored.v != lines) bo_lines_release(&stored);
  free(skus);
  free(splits);
  free(lines);
  free(incoming);
  return rc;
}
