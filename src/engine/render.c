/*
 * render.c — stored objects as the JSON of SPEC 5 "Shapes".
 *
 * Used for HTTP responses and event payloads alike, so a webhook consumer
 * and an API client see the same fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static json_t *day_or_null(bo_day d) {
  char buf[11];
  return d == BO_DAY_NONE ? json_null() : json_string(bo_day_format(d, buf));
}

static json_t *time_json(int64_t t) {
  char buf[21];
  return json_string(bo_time_format(t, buf));
}

json_t *bo_schedule_json(const bo_schedule *s) {
  json_t *a = json_array();
  for (int i = 0; i < s->n; i++) {
    const bo_promise_part *p = &s->parts[i];
    json_array_append_new(a, json_pack("{s:I,s:o,s:b}", "qty", (json_int_t)p->qty, "date",
                                       day_or_null(p->date), "estimate", p->estimate));
  }
  return a;
}

static json_t *limit_json(int64_t limit) {
  if (limit == BO_LIMIT_NONE) return json_null();
  if (limit == BO_LIMIT_INCOMING) return json_string("incoming");
  return json_integer(limit);
}

static json_t *days_or_null(int32_t days) {
  return days == BO_DAYS_NONE ? json_null() : json_integer(days);
}

json_t *bo_sku_json(const bo_sku *k) {
  json_t *subs = json_array();
  for (int i = 0; i < k->n_substitutes; i++) json_array_append_new(subs, json_string(k->substitutes[i]));
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:o,s:I,s:i,s:o,s:b,s:o,s:o,s:o,s:b}", "sku", k->id, "name", k->name,
      "backorder_policy", bo_policy_name(k->policy), "backorder_limit",
      limit_json(k->backorder_limit), "low_stock_threshold", (json_int_t)k->low_stock_threshold,
      "handling_days", k->handling_days, "max_backorder_days", days_or_null(k->max_backorder_days),
      "discontinued", k->discontinued, "substitutes", subs, "supplier",
      k->supplier[0] ? json_string(k->supplier) : json_null(), "lead_time_days",
      days_or_null(k->lead_time_days), "protect_promises", k->protect_promises);
  json_object_set_new(o, "on_hand", json_integer(k->on_hand));
  json_object_set_new(o, "allocated", json_integer(k->allocated));
  json_object_set_new(o, "available", json_integer(bo_sku_available(k)));
  json_object_set_new(o, "backordered", json_integer(k->backordered));
  json_object_set_new(o, "status", json_string(bo_status_name(k->status)));
  json_object_set_new(o, "created_at", time_json(k->created_at));
  json_object_set_new(o, "updated_at", time_json(k->updated_at));
  return o;
}

json_t *bo_line_json(const bo_line *l) {
  json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "sku", l->sku, "qty",
                        (json_int_t)l->qty, "allocated", (json_int_t)l->allocated, "backordered",
                        (json_int_t)l->backordered, "shipped", (json_int_t)l->shipped,
                        "cancelled", (json_int_t)l->cancelled, "promises",
                        bo_schedule_json(&l->promise), "promise_date",
                        day_or_null(l->promise.n ? bo_schedule_date(&l->promise) : BO_DAY_NONE),
                        "first_promise", day_or_null(l->first_promise));
  json_object_set_new(o, "line", json_integer(l->line_no));
  json_object_set_new(o, "delay_notices", json_integer(l->delays));
  return o;
}

json_t *bo_order_head_json(const bo_order *o) {
  json_t *c = json_pack("{s:s,s:o,s:i}", "id", o->customer_id, "email",
                        o->customer_email[0] ? json_string(o->customer_email) : json_null(),
                        "tier", o->tier);
  return json_pack("{s:s,s:s,s:o,s:o,s:s,s:o,s:s,s:o}", "id", o->id, "status",
                   bo_order_status_name(o->status), "created_at", time_json(o->created_at),
                   "customer", c, "ship_policy",
                   o->ship_policy == BO_SHIP_COMPLETE ? "complete" : "partial", "need_by",
                   day_or_null(o->need_by), "if_late",
                   o->if_late == BO_IF_LATE_CANCEL ? "cancel_backorder" : "keep", "updated_at",
                   time_json(o->updated_at));
}

bo_rc bo_order_json(bo_engine *e, const char *id, json_t **out, bo_err *err) {
  bo_order o;
  bo_lines lines = {0};
  bo_rc rc = e->st->ops->order_get(e->st, id, &o);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "order \"%s\" not found", id);
  if (!rc) rc = e->st->ops->order_lines(e->st, id, &lines);
  if (rc) {
    bo_lines_release(&lines);
    return bo_err_set(err, rc, "", "cannot read order \"%s\"", id);
  }
  json_t *j = bo_order_head_json(&o);
  json_t *a = json_array();
  for (size_t i = 0; i < lines.n; i++) json_array_append_new(a, bo_line_json(&lines.v[i]));
  json_object_set_new(j, "lines", a);
  bo_lines_release(&lines);
  *out = j;
  return BO_OK;
}

json_t *bo_ledger_json(const bo_ledger_entry *l) {
  return json_pack("{s:I,s:s,s:I,s:I,s:s,s:o,s:o}", "id", (json_int_t)l->id, "sku", l->sku,
                   "delta", (json_int_t)l->delta, "on_hand_after", (json_int_t)l->on_hand_after,
                   "reason", l->reason, "ref", l->ref[0] ? json_string(l->ref) : json_null(),
                   "at", time_json(l->at));
}

json_t *bo_event_json(const bo_event *ev) {
  json_t *data = json_loads(ev->data ? ev->data : "{}", 0, NULL);
  return json_pack("{s:I,s:s,s:o,s:o}", "id", (json_int_t)ev->id, "type", ev->type, "at",
                   time_json(ev->at), "data", data ? data : json_object());
}

bo_rc bo_order_events(bo_engine *e, int64_t now, json_t *order, const char *text) {
  const char *id = json_string_value(json_object_get(order, "id"));
  /* order.created carries the order as the API shows it, plus data.order */
  BO_ASSERT(text[0] == '{');
  json_t *idj = json_string(id);
  char *quoted = json_dumps(idj, JSON_ENCODE_ANY);
  json_decref(idj);
  if (!quoted) return BO_E_NOMEM;
  const size_t n = strlen(quoted) + strlen(text) + 16;
  char *data = malloc(n);
  bo_rc rc = data ? BO_OK : BO_E_NOMEM;
  if (data) snprintf(data, n, "{\"order\":%s,%s", quoted, text + 1);
  free(quoted);
  if (!rc) rc = bo__event_text(e, now, "order.created", id, "", data);
  free(data);
  json_t *waiting = json_array();
  size_t i;
  json_t *line;
  json_array_foreach(json_object_get(order, "lines"), i, line) {
    if (json_integer_value(json_object_get(line, "backordered")) > 0)
      json_array_append_new(waiting, json_pack("{s:O,s:O,s:O}", "sku", json_object_get(line, "sku"),
                                               "backordered", json_object_get(line, "backordered"),
                                               "promises", json_object_get(line, "promises")));
  }
  if (!rc && json_array_size(waiting) > 0)
    rc = bo__event(e, now, "order.backordered", id, "",
                   json_pack("{s:O,s:O}", "customer", json_object_get(order, "customer"), "lines",
                             waiting));
  json_decref(waiting);
  return rc;
}
