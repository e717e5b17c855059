/*
 * lifecycle.c — the rest of an order's life (SPEC 4, "Lifecycle"):
 * shipments, cancellations, consent after a delay notice, and the daily
 * tick that expires old backorders and re-dates promises whose date passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* Loads an order and its lines; 404 when missing. */
static bo_rc load_order(bo_engine *e, const char *id, bo_order *o, bo_lines *lines,
                        bo_err *err) {
  bo_rc rc = e->st->ops->order_get(e->st, id, o);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "order \"%s\" not found", id);
  if (!rc) rc = e->st->ops->order_lines(e->st, id, lines);
  return rc ? bo_err_set(err, rc, "", "cannot read order \"%s\"", id) : BO_OK;
}

/* Index of the order's line for sku, or -1. */
static int line_of(const bo_lines *lines, const char *sku) {
  for (size_t i = 0; i < lines->n; i++)
    if (strcmp(lines->v[i].sku, sku) == 0) return (int)i;
  return -1;
}

/* Per-line quantities a request asks for (want[i]); all of `open_of` when none given. */
static bo_rc requested(const bo_lines *lines, const bo_line_request *req, int n, int64_t *want,
                       int64_t (*open_of)(const bo_line *), const char *verb, bo_err *err) {
  for (size_t i = 0; i < lines->n; i++) want[i] = n ? 0 : open_of(&lines->v[i]);
  for (int k = 0; k < n; k++) {
    char field[48];
    snprintf(field, sizeof field, "lines[%d].sku", k);
    const int i = line_of(lines, req[k].sku);
    if (i < 0)
      return bo_err_set(err, BO_E_INVALID, field, "sku \"%s\" is not on this order", req[k].sku);
    want[i] += req[k].qty;
    if (want[i] > open_of(&lines->v[i])) {
      snprintf(field, sizeof field, "lines[%d].qty", k);
      return bo_err_set(err, BO_E_CONFLICT, field, "cannot %s %lld units of sku \"%s\": %lld can be",
                        verb, (long long)want[i], req[k].sku, (long long)open_of(&lines->v[i]));
    }
  }
  return BO_OK;
}

static int64_t allocated_of(const bo_line *l) { return l->allocated; }
static int64_t open_units(const bo_line *l) { return l->allocated + l->backordered; }

/* Ships `qty` allocated units of line l: ledger, SKU counters. */
static bo_rc ship_line(bo_engine *e, int64_t now, bo_line *l, int64_t qty, const char *ship_id) {
  bo_sku sku;
  bo_incomings in;
  bo_rc rc = e->st->ops->sku_get(e->st, l->sku, &sku);
  if (!rc) rc = e->st->ops->incoming_load(e->st, l->sku, &in);
  if (rc) return rc;
  BO_ASSERT(qty > 0 && qty <= l->allocated && qty <= sku.allocated);
  l->allocated -= qty;
  l->shipped += qty;
  sku.allocated -= qty;
  sku.on_hand -= qty;
  bo_ledger_entry entry = {.delta = -qty, .on_hand_after = sku.on_hand, .at = now};
  memcpy(entry.sku, sku.id, sizeof entry.sku);
  snprintf(entry.reason, sizeof entry.reason, "shipment");
  snprintf(entry.ref, sizeof entry.ref, "%s", ship_id);
  if ((rc = e->st->ops->ledger_append(e->st, &entry))) return rc;
  if ((rc = e->st->ops->line_update(e->st, l))) return rc;
  return bo__sku_save(e, now, &sku, in.total);
}

bo_rc bo_order_ship(bo_engine *e, int64_t now, const char *order_id,
                    const bo_line_request *req, int n, char ship_id[BO_ID_LEN_MAX + 1],
                    bo_err *err) {
  bo_order o;
  bo_lines lines = {0};
  int64_t want[BO_LINES_PER_ORDER_MAX];
  bo_rc rc = load_order(e, order_id, &o, &lines, err);
  if (rc) goto done;
  if (o.status == BO_ORDER_CANCELLED || o.status == BO_ORDER_SHIPPED) {
    rc = bo_err_set(err, BO_E_CONFLICT, "", "order \"%s\" is %s", order_id,
                    bo_order_status_name(o.status));
    goto done;
  }
  int64_t waiting = 0, total = 0;
  for (size_t i = 0; i < lines.n; i++) waiting += lines.v[i].backordered;
  if (o.ship_policy == BO_SHIP_COMPLETE && waiting > 0) {
    rc = bo_err_set(err, BO_E_CONFLICT, "", "order \"%s\" ships complete and %lld units still wait "
                    "on backorder", order_id, (long long)waiting);
    goto done;
  }
  if ((rc = requested(&lines, req, n, want, allocated_of, "ship", err))) goto done;
  for (size_t i = 0; i < lines.n; i++) total += want[i];
  if (total == 0) {
    rc = bo_err_set(err, BO_E_CONFLICT, "", "order \"%s\" has no allocated units to ship", order_id);
    goto done;
  }
  int64_t seq;
  if ((rc = e->st->ops->next_id(e->st, "shipment", &seq))) goto done;
  snprintf(ship_id, BO_ID_LEN_MAX + 1, "S-%06lld", (long long)seq);
  json_t *shipped = json_array();
  for (size_t i = 0; i < lines.n && !rc; i++) {
    if (want[i] == 0) continue;
    rc = ship_line(e, now, &lines.v[i], want[i], ship_id);
    json_array_append_new(shipped, json_pack("{s:s,s:I}", "sku", lines.v[i].sku, "qty",
                                             (json_int_t)want[i]));
  }
  char *text = rc ? NULL : json_dumps(shipped, JSON_COMPACT);
  if (!rc) {
    bo_shipment sh = {.at = now, .lines = text ? text : "[]"};
    memcpy(sh.id, ship_id, sizeof sh.id);
    memcpy(sh.order_id, o.id, sizeof sh.order_id);
    rc = e->st->ops->shipment_insert(e->st, &sh);
  }
  free(text);
  if (!rc) rc = bo__order_refresh(e, now, o.id, NULL);
  if (!rc) rc = e->st->ops->order_get(e->st, o.id, &o);
  if (!rc)
    rc = bo__event(e, now, "order.shipped", o.id, "",
                   json_pack("{s:s,s:O,s:s}", "shipment", ship_id, "lines", shipped, "status",
                             bo_order_status_name(o.status)));
  json_decref(shipped);
  if (rc && !err->rc) bo_err_set(err, rc, "", "cannot ship order \"%s\"", order_id);
done:
  bo_lines_release(&lines);
  return rc;
}

/* Cancels `qty` open units of line l, backordered first, on the SKU's
 * counters too; the caller settles the SKU (released stock goes to the queue). */
static bo_rc cancel_units(bo_engine *e, int64_t now, bo_sku *sku, bo_line *l, int64_t qty,
                          const char *reason) {
  BO_ASSERT(qty > 0 && qty <= l->backordered + l->allocated);
  const int64_t from_backorder = qty < l->backordered ? qty : l->backordered;
  const int64_t from_allocated = qty - from_backorder;
  l->backordered -= from_backorder;
  l->allocated -= from_allocated;
  l->cancelled += qty;
  if (l->backordered == 0) l->promise.n = 0;
  sku->backordered -= from_backorder;
  sku->allocated -= from_allocated;
  const bo_rc rc = e->st->ops->line_update(e->st, l);
  if (rc) return rc;
  return bo__event(e, now, "order.cancelled", l->order_id, l->sku,
                   json_pack("{s:i,s:I,s:I,s:I,s:s}", "line", l->line_no, "qty", (json_int_t)qty,
                             "backordered", (json_int_t)from_backorder, "allocated",
                             (json_int_t)from_allocated, "reason", reason));
}

/* Cancels units of one line and settles its SKU. */
static bo_rc cancel_line(bo_engine *e, int64_t now, bo_line *l, int64_t qty, const char *reason,
                         bo_err *err) {
  bo_sku sku;
  bo_rc rc = e->st->ops->sku_get(e->st, l->sku, &sku);
  if (!rc) rc = cancel_units(e, now, &sku, l, qty, reason);
  if (rc) return bo_err_set(err, rc, "", "cannot cancel line %d of order \"%s\"", l->line_no,
                            l->order_id);
  return bo__settle(e, now, &sku, err);
}

bo_rc bo_order_cancel(bo_engine *e, int64_t now, const char *order_id,
                      const bo_line_request *req, int n, const char *reason, bo_err *err) {
  bo_order o;
  bo_lines lines = {0};
  int64_t want[BO_LINES_PER_ORDER_MAX];
  bo_rc rc = load_order(e, order_id, &o, &lines, err);
  if (rc) goto done;
  if (o.status == BO_ORDER_CANCELLED || o.status == BO_ORDER_SHIPPED) {
    rc = bo_err_set(err, BO_E_CONFLICT, "", "order \"%s\" is %s: nothing left to cancel",
                    order_id, bo_order_status_name(o.status));
    goto done;
  }
  if ((rc = requested(&lines, req, n, want, open_units, "cancel", err))) goto done;
  for (size_t i = 0; i < lines.n && !rc; i++)
    if (want[i] > 0) rc = cancel_line(e, now, &lines.v[i], want[i], reason, err);
  if (!rc) rc = bo__order_refresh(e, now, o.id, NULL);
  if (rc && !err->rc) bo_err_set(err, rc, "", "cannot cancel order \"%s\"", order_id);
done:
  bo_lines_release(&lines);
  return rc;
}

bo_rc bo_order_consent(bo_engine *e, int64_t now, const char *order_id, bo_err *err) {
  bo_order o;
  bo_lines lines = {0};
  bo_rc rc = load_order(e, order_id, &o, &lines, err);
  int consented = 0;
  for (size_t i = 0; i < lines.n && !rc; i++) {
    bo_line *l = &lines.v[i];
    if (l->backordered == 0 || l->delays == 0 || l->consented) continue;
    l->consented = true;
    consented++;
    rc = e->st->ops->line_update(e->st, l);
  }
  if (!rc && consented == 0)
    rc = bo_err_set(err, BO_E_CONFLICT, "", "order \"%s\" has no delayed line awaiting consent",
                    order_id);
  if (!rc) rc = bo__event(e, now, "order.consented", order_id, "", json_pack("{s:i}", "lines", consented));
  if (rc && !err->rc) bo_err_set(err, rc, "", "cannot record consent");
  bo_lines_release(&lines);
  return rc;
}

/* --- the daily tick ------------------------------------------------------- */

typedef struct id_list {
  char (*v)[BO_SKU_ID_LEN_MAX + 1];
  size_t n, cap;
} id_list;

static bo_rc collect(void *p, const char *id) {
  id_list *l = p;
  if (l->n == l->cap) {
    const size_t cap = l->cap ? l->cap * 2 : 64;
    void *v = realloc(l->v, cap * sizeof *l->v);
    if (!v) return BO_E_NOMEM;
    l->v = v;
    l->cap = cap;
  }
  snprintf(l->v[l->n++], sizeof l->v[0], "%s", id);
  return BO_OK;
}

/* Cancels the backordered units of the SKU's queue that waited more than
 * max_backorder_days (today - order day > max), then settles the SKU once. */
static bo_rc expire_sku(bo_engine *e, int64_t now, const char *id, bo_err *err) {
  bo_sku sku;
  bo_lines q = {0};
  bo_rc rc = e->st->ops->sku_get(e->st, id, &sku);
  if (rc) return rc;
  const int32_t max_days = sku.max_backorder_days != BO_DAYS_NONE ? sku.max_backorder_days
                                                                  : e->cfg.max_backorder_days;
  if (max_days == BO_DAYS_NONE) return bo__settle(e, now, &sku, err);
  if ((rc = e->st->ops->queue_load(e->st, id, &q))) return rc;
  const bo_day today = bo_day_of(now);
  for (size_t i = 0; i < q.n && !rc; i++) {
    bo_line *l = &q.v[i];
    if (today - bo_day_of(l->created_at) <= max_days) continue;
    rc = cancel_units(e, now, &sku, l, l->backordered, "expired");
    if (!rc) rc = bo__order_refresh(e, now, l->order_id, NULL);
  }
  bo_lines_release(&q);
  return rc ? rc : bo__settle(e, now, &sku, err);
}

bo_rc bo_tick(bo_engine *e, int64_t now, bool all, bo_err *err) {
  char buf[BO_SKU_ID_LEN_MAX + 1];
  const bo_day today = bo_day_of(now);
  bo_rc rc = e->st->ops->meta_get(e->st, "tick_day", buf, sizeof buf);
  if (rc == BO_OK && strtol(buf, NULL, 10) >= today) return BO_OK;
  if (rc && rc != BO_E_NOT_FOUND) return rc;
  /* where today's pass stands: "DAY:last SKU settled" (a pass of an earlier
   * day that did not finish starts over: every SKU is due for today) */
  char pass[BO_SKU_ID_LEN_MAX + 24] = "", after[BO_SKU_ID_LEN_MAX + 1] = "";
  rc = e->st->ops->meta_get(e->st, "tick_pass", pass, sizeof pass);
  if (rc && rc != BO_E_NOT_FOUND) return rc;
  char *colon = strchr(pass, ':');
  if (rc == BO_OK && colon && strtol(pass, NULL, 10) == today)
    snprintf(after, sizeof after, "%s", colon + 1);
  rc = BO_OK;
  id_list ids = {0};
  bool finished = false;
  while (!rc && !finished) {
    ids.n = 0;
    const bo_page page = {.after = after, .limit = BO_TICK_SKUS_PER_BATCH};
    rc = e->st->ops->waiting_skus(e->st, &page, collect, &ids);
    for (size_t i = 0; i < ids.n && !rc; i++) rc = expire_sku(e, now, ids.v[i], err);
    if (ids.n > 0) snprintf(after, sizeof after, "%s", ids.v[ids.n - 1]);
    finished = ids.n < BO_TICK_SKUS_PER_BATCH;
    if (!all) break;
  }
  free(ids.v);
  if (rc) return rc;
  if (!finished) {
    snprintf(pass, sizeof pass, "%d:%s", today, after);
    return e->st->ops->meta_set(e->st, "tick_pass", pass);
  }
  snprintf(buf, sizeof buf, "%d", today);
  return e->st->ops->meta_set(e->st, "tick_day", buf);
}
