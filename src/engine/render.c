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
#include "../common/strbuf.h"

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

/* --- orders as text: the hot path renders without building a tree ------- */

void bo__sb_day(bo_strbuf *sb, bo_day d) {
  char buf[11];
  if (d == BO_DAY_NONE) {
    bo_sb_str(sb, "null");
    return;
  }
  bo_sb_raw(sb, "\"", 1);
  bo_sb_str(sb, bo_day_format(d, buf));
  bo_sb_raw(sb, "\"", 1);
}

static void sb_time(bo_strbuf *sb, int64_t t) {
  char buf[21];
  bo_sb_raw(sb, "\"", 1);
  bo_sb_str(sb, bo_time_format(t, buf));
  bo_sb_raw(sb, "\"", 1);
}

void bo__sb_schedule(bo_strbuf *sb, const bo_schedule *s) {
  bo_sb_raw(sb, "[", 1);
  for (int i = 0; i < s->n; i++) {
    bo_sb_str(sb, i ? ",{\"qty\":" : "{\"qty\":");
    bo_sb_i64(sb, s->parts[i].qty);
    bo__sb_key(sb, "date");
    bo__sb_day(sb, s->parts[i].date);
    bo_sb_str(sb, s->parts[i].estimate ? ",\"estimate\":true}" : ",\"estimate\":false}");
  }
  bo_sb_raw(sb, "]", 1);
}

static void line_text(const bo_line *l, bo_strbuf *sb) {
  bo_sb_str(sb, "{\"sku\":");
  bo_sb_json_str(sb, l->sku);
  const struct {
    const char *key;
    int64_t v;
  } counts[] = {{"qty", l->qty}, {"allocated", l->allocated}, {"backordered", l->backordered},
                {"shipped", l->shipped}, {"cancelled", l->cancelled}};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) bo__sb_int(sb, counts[i].key, counts[i].v);
  bo__sb_key(sb, "promises");
  bo__sb_schedule(sb, &l->promise);
  bo__sb_key(sb, "promise_date");
  bo__sb_day(sb, l->promise.n ? bo_schedule_date(&l->promise) : BO_DAY_NONE);
  bo__sb_key(sb, "first_promise");
  bo__sb_day(sb, l->first_promise);
  bo__sb_key(sb, "line");
  bo_sb_i64(sb, l->line_no);
  bo__sb_key(sb, "delay_notices");
  bo_sb_i64(sb, l->delays);
  bo_sb_raw(sb, "}", 1);
}

static void sb_customer(bo_strbuf *sb, const bo_order *o) {
  bo_sb_str(sb, "{\"id\":");
  bo_sb_json_str(sb, o->customer_id);
  bo__sb_key(sb, "email");
  if (o->customer_email[0])
    bo_sb_json_str(sb, o->customer_email);
  else
    bo_sb_str(sb, "null");
  bo__sb_key(sb, "tier");
  bo_sb_i64(sb, o->tier);
  bo_sb_raw(sb, "}", 1);
}

static void order_text(const bo_order *o, const bo_line *lines, size_t n, bo_strbuf *sb) {
  bo_sb_str(sb, "{\"id\":");
  bo_sb_json_str(sb, o->id);
  bo__sb_key(sb, "status");
  bo_sb_json_str(sb, bo_order_status_name(o->status));
  bo__sb_key(sb, "created_at");
  sb_time(sb, o->created_at);
  bo__sb_key(sb, "customer");
  sb_customer(sb, o);
  bo__sb_key(sb, "ship_policy");
  bo_sb_str(sb, o->ship_policy == BO_SHIP_COMPLETE ? "\"complete\"" : "\"partial\"");
  bo__sb_key(sb, "need_by");
  bo__sb_day(sb, o->need_by);
  bo__sb_key(sb, "if_late");
  bo_sb_str(sb, o->if_late == BO_IF_LATE_CANCEL ? "\"cancel_backorder\"" : "\"keep\"");
  bo__sb_key(sb, "updated_at");
  sb_time(sb, o->updated_at);
  bo__sb_key(sb, "lines");
  bo_sb_raw(sb, "[", 1);
  for (size_t i = 0; i < n; i++) {
    if (i) bo_sb_raw(sb, ",", 1);
    line_text(&lines[i], sb);
  }
  bo_sb_raw(sb, "]}", 2);
}

/* Parses text this file rendered; NULL only when out of memory. */
static json_t *parse_own(char *text) {
  json_t *j = text ? json_loads(text, 0, NULL) : NULL;
  free(text);
  return j;
}

json_t *bo_line_json(const bo_line *l) {
  bo_strbuf sb = {0};
  line_text(l, &sb);
  return parse_own(bo_sb_take(&sb));
}

char *bo_order_text(const bo_order *o, const bo_line *lines, size_t n) {
  bo_strbuf sb = {0};
  order_text(o, lines, n, &sb);
  return bo_sb_take(&sb);
}

bo_rc bo_order_text_load(bo_engine *e, const char *id, bo_order *o, bo_lines *lines,
                         char **out, bo_err *err) {
  bo_rc rc = e->st->ops->order_get(e->st, id, o);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "order \"%s\" not found", id);
  if (!rc) rc = e->st->ops->order_lines(e->st, id, lines);
  if (rc) return bo_err_set(err, rc, "", "cannot read order \"%s\"", id);
  *out = bo_order_text(o, lines->v, lines->n);
  return *out ? BO_OK : bo_err_set(err, BO_E_NOMEM, "", "out of memory");
}

bo_rc bo_order_json(bo_engine *e, const char *id, json_t **out, bo_err *err) {
  bo_order o;
  bo_lines lines = {0};
  char *text = NULL;
  const bo_rc rc = bo_order_text_load(e, id, &o, &lines, &text, err);
  bo_lines_release(&lines);
  if (rc) return rc;
  *out = parse_own(text);
  return *out ? BO_OK : bo_err_set(err, BO_E_NOMEM, "", "out of memory");
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

bo_rc bo_order_events(bo_engine *e, int64_t now, const bo_order *o, const bo_lines *lines,
                      const char *text) {
  /* order.created carries the order as the API shows it, plus data.order */
  BO_ASSERT(text[0] == '{');
  bo_strbuf sb = {0};
  bo_sb_str(&sb, "{\"order\":");
  bo_sb_json_str(&sb, o->id);
  bo_sb_raw(&sb, ",", 1);
  bo_sb_str(&sb, text + 1);
  char *data = bo_sb_take(&sb);
  bo_rc rc = data ? bo__event_text(e, now, "order.created", o->id, "", data) : BO_E_NOMEM;
  free(data);
  /* order.backordered: who waits for what, until when */
  bool any = false;
  bo_sb_str(&sb, "{\"order\":");
  bo_sb_json_str(&sb, o->id);
  bo__sb_key(&sb, "customer");
  sb_customer(&sb, o);
  bo__sb_key(&sb, "lines");
  bo_sb_raw(&sb, "[", 1);
  for (size_t i = 0; i < lines->n; i++) {
    const bo_line *l = &lines->v[i];
    if (l->backordered == 0) continue;
    bo_sb_str(&sb, any ? ",{\"sku\":" : "{\"sku\":");
    bo_sb_json_str(&sb, l->sku);
    bo__sb_key(&sb, "backordered");
    bo_sb_i64(&sb, l->backordered);
    bo__sb_key(&sb, "promises");
    bo__sb_schedule(&sb, &l->promise);
    bo_sb_raw(&sb, "}", 1);
    any = true;
  }
  bo_sb_raw(&sb, "]}", 2);
  data = bo_sb_take(&sb);
  if (!rc && any) rc = data ? bo__event_text(e, now, "order.backordered", o->id, "", data) : BO_E_NOMEM;
  free(data);
  return rc;
}
