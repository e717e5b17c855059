/*
 * simulate.c — "what if this PO is late / cancelled / short?" (SPEC 4).
 *
 * The hypothetical changes are applied with the very code that applies real
 * ones, inside a nested savepoint; the promise changes they cause are read
 * back from the events they wrote, and everything is rolled back. So a
 * simulation cannot disagree with what the real change would then do.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"

/* Applies one change object; errors name the field "changes[i].…". */
static bo_rc apply_change(bo_engine *e, int64_t now, size_t i, json_t *c, bo_err *err) {
  char f[64];
  snprintf(f, sizeof f, "changes[%zu]", i);
  const char *type = json_string_value(json_object_get(c, "type"));
  const char *po_id = json_string_value(json_object_get(c, "purchase_order"));
  if (!json_is_object(c) || !type || !po_id)
    return bo_err_set(err, BO_E_INVALID, f, "%s needs \"type\" and \"purchase_order\"", f);
  bo_po po;
  bo_rc rc = e->st->ops->po_get(e->st, po_id, &po);
  if (rc == BO_E_NOT_FOUND)
    return bo_err_set(err, BO_E_INVALID, f, "%s: purchase order \"%.64s\" not found", f, po_id);
  if (rc) return rc;
  if (strcmp(type, "delay") == 0) {
    json_t *d = json_object_get(c, "days");
    if (!json_is_integer(d) || json_integer_value(d) < -BO_DAYS_MAX ||
        json_integer_value(d) > BO_DAYS_MAX || json_integer_value(d) == 0)
      return bo_err_set(err, BO_E_INVALID, f, "%s.days must be a non-zero integer of days", f);
    return bo_po_patch(e, now, po_id, po.eta + (bo_day)json_integer_value(d), false, err);
  }
  if (strcmp(type, "eta") == 0) {
    bo_day eta;
    if (!bo_day_parse(json_string_value(json_object_get(c, "eta")), &eta))
      return bo_err_set(err, BO_E_INVALID, f, "%s.eta must be a date YYYY-MM-DD", f);
    return bo_po_patch(e, now, po_id, eta, false, err);
  }
  if (strcmp(type, "cancel") == 0) return bo_po_patch(e, now, po_id, BO_DAY_NONE, true, err);
  if (strcmp(type, "short") == 0) {
    /* the PO arrives with only these quantities and is closed */
    json_t *lines = json_object_get(c, "lines");
    bo_line_request req[BO_LINES_PER_ORDER_MAX];
    size_t k;
    json_t *l;
    if (!json_is_array(lines) || json_array_size(lines) > BO_LINES_PER_ORDER_MAX)
      return bo_err_set(err, BO_E_INVALID, f, "%s.lines must be an array of {sku, qty}", f);
    json_array_foreach(lines, k, l) {
      const char *sku = json_string_value(json_object_get(l, "sku"));
      json_t *q = json_object_get(l, "qty");
      if (!sku || strlen(sku) > BO_SKU_ID_LEN_MAX || !json_is_integer(q) ||
          json_integer_value(q) < 1 || json_integer_value(q) > BO_QTY_MAX)
        return bo_err_set(err, BO_E_INVALID, f, "%s.lines[%zu] must be {sku, qty >= 1}", f, k);
      snprintf(req[k].sku, sizeof req[k].sku, "%s", sku);
      req[k].qty = json_integer_value(q);
    }
    return bo_po_receive(e, now, po_id, req, (int)json_array_size(lines), true, err);
  }
  return bo_err_set(err, BO_E_INVALID, f, "%s.type \"%.20s\" must be delay, eta, cancel or short",
                    f, type);
}

typedef struct collect_ctx {
  bo_engine *e;
  json_t *affected;
  json_t *events;
  int64_t last;
  int n;
} collect_ctx;

/* Turns one event of the simulated change into an entry of the answer. */
static bo_rc collect_event(void *p, const bo_event *ev) {
  collect_ctx *c = p;
  c->last = ev->id;
  c->n++;
  json_t *data = json_loads(ev->data, 0, NULL);
  if (!data) return BO_E_NOMEM;
  json_array_append_new(c->events, json_pack("{s:s,s:O}", "type", ev->type, "data", data));
  const bool promise = strcmp(ev->type, "order.promise_changed") == 0;
  const bool delay = strcmp(ev->type, "order.delay_notice") == 0;
  const bool cancel = strcmp(ev->type, "order.cancelled") == 0;
  if (ev->order_id[0] && (promise || delay || cancel)) {
    bo_order o;
    if (c->e->st->ops->order_get(c->e->st, ev->order_id, &o) == BO_OK) {
      json_t *a = json_pack("{s:s,s:s,s:s,s:{s:s,s:o,s:i}}", "change", ev->type, "order",
                            ev->order_id, "sku", ev->sku, "customer", "id", o.customer_id,
                            "email", o.customer_email[0] ? json_string(o.customer_email) : json_null(),
                            "tier", o.tier);
      json_object_update(a, data);
      json_array_append_new(c->affected, a);
    }
  }
  json_decref(data);
  return BO_OK;
}

bo_rc bo_simulate(bo_engine *e, int64_t now, json_t *changes, json_t **out, bo_err *err) {
  if (!json_is_array(changes) || json_array_size(changes) == 0 ||
      json_array_size(changes) > BO_LINES_PER_ORDER_MAX)
    return bo_err_set(err, BO_E_INVALID, "changes", "changes must be an array of 1..%d changes",
                      BO_LINES_PER_ORDER_MAX);
  int64_t mark;
  bo_rc rc = e->st->ops->event_last_id(e->st, &mark);
  if (!rc) rc = e->st->ops->savepoint(e->st);
  if (rc) return bo_err_set(err, rc, "", "cannot start the simulation");
  size_t i;
  json_t *c;
  json_array_foreach(changes, i, c) {
    if ((rc = apply_change(e, now, i, c, err))) break;
  }
  collect_ctx cc = {.e = e, .affected = json_array(), .events = json_array(), .last = mark};
  do {
    cc.n = 0;
    if (!rc) rc = e->st->ops->event_list(e->st, cc.last, 500, collect_event, &cc);
  } while (!rc && cc.n == 500);
  const bo_rc undo = e->st->ops->rollback_to(e->st);
  if (rc || undo) {
    json_decref(cc.affected);
    json_decref(cc.events);
    if (!err->rc) bo_err_set(err, rc ? rc : undo, "", "simulation failed");
    return rc ? rc : undo;
  }
  *out = json_pack("{s:o,s:o,s:b}", "affected", cc.affected, "events", cc.events, "committed", 0);
  return BO_OK;
}
