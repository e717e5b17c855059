/*
 * r_misc.c — health, the backorder queue, the event feed and the clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

bo_rc bo_h_health(bo_req *r) {
  r->resp = json_pack("{s:s}", "status", "ok");
  return BO_OK;
}

typedef struct queue_ctx {
  bo_engine *e;
  int64_t now;
  json_t *items;
  char last[256];
  int n;
} queue_ctx;

static bo_rc list_queue_line(void *p, const bo_line *l) {
  queue_ctx *c = p;
  bo_order o;
  const bo_rc rc = c->e->st->ops->order_get(c->e->st, l->order_id, &o);
  if (rc) return rc;
  json_t *j = bo_line_json(l);
  json_object_set_new(j, "order", json_string(l->order_id));
  json_object_set_new(j, "customer", json_pack("{s:s,s:i}", "id", o.customer_id, "tier", o.tier));
  json_object_set_new(j, "tier", json_integer(o.tier));
  char at[21];
  json_object_set_new(j, "ordered_at", json_string(bo_time_format(l->created_at, at)));
  json_object_set_new(j, "age_days", json_integer(bo_day_of(c->now) - bo_day_of(l->created_at)));
  json_array_append_new(c->items, j);
  snprintf(c->last, sizeof c->last, "%s~%lld~%lld~%s~%d", l->sku, (long long)l->queue_prio,
           (long long)l->queue_us, l->order_id, l->line_no);
  c->n++;
  return BO_OK;
}

bo_rc bo_h_backorders(bo_req *r) {
  bo_page page;
  bo_rc rc = bo_query_page(r, 250, &page);
  if (rc) return rc;
  const char *sku = bo_query(r, "sku");
  if (sku && !bo_id_valid(sku, BO_SKU_ID_LEN_MAX))
    return bo_err_set(&r->err, BO_E_INVALID, "sku", "sku \"%.64s\" is not a valid sku id", sku);
  queue_ctx c = {.e = r->reader, .now = r->now, .items = json_array()};
  rc = r->reader->st->ops->queue_list(r->reader->st, sku, &page, list_queue_line, &c);
  if (rc == BO_E_INVALID)
    bo_err_set(&r->err, rc, "cursor", "cursor \"%.60s\" is not valid", page.after);
  return bo_list_done(r, rc, c.items, c.n, &page, c.last);
}

typedef struct event_ctx {
  json_t *items;
  int64_t last;
  int n;
} event_ctx;

static bo_rc list_event(void *p, const bo_event *ev) {
  event_ctx *c = p;
  json_array_append_new(c->items, bo_event_json(ev));
  c->last = ev->id;
  c->n++;
  return BO_OK;
}

/* Parses a non-negative integer query parameter named key. */
static bo_rc query_id(bo_req *r, const char *key, int64_t *out) {
  const char *s = bo_query(r, key);
  *out = 0;
  if (!s) return BO_OK;
  char *end;
  const long long v = strtoll(s, &end, 10);
  if (end == s || *end || v < 0)
    return bo_err_set(&r->err, BO_E_INVALID, key, "%s \"%.20s\" must be a non-negative integer",
                      key, s);
  *out = v;
  return BO_OK;
}

bo_rc bo_h_events(bo_req *r) {
  int limit;
  int64_t after, cursor;
  bo_rc rc = bo_query_limit(r, &limit);
  if (!rc) rc = query_id(r, "after", &after);
  if (!rc) rc = query_id(r, "cursor", &cursor);
  if (rc) return rc;
  if (cursor > after) after = cursor;
  event_ctx c = {.items = json_array()};
  rc = r->reader->st->ops->event_list(r->reader->st, after, limit, list_event, &c);
  if (rc) {
    json_decref(c.items);
    return rc;
  }
  char next[24];
  snprintf(next, sizeof next, "%lld", (long long)c.last);
  r->resp = bo_page_json(c.items, c.n == limit ? next : NULL);
  return BO_OK;
}

static json_t *clock_json(bo_req *r, int64_t now) {
  char at[21], day[11];
  return json_pack("{s:s,s:s,s:b}", "now", bo_time_format(now, at), "today",
                   bo_day_format(bo_day_of(now), day), "manual", r->clock->manual);
}

bo_rc bo_h_clock_get(bo_req *r) {
  r->resp = clock_json(r, r->now);
  return BO_OK;
}

static bo_rc write_clock(bo_req *r, bo_engine *e, int64_t now) {
  const int64_t *to = r->arg;
  if (*to < now) {
    char a[21], b[21];
    return bo_err_set(&r->err, BO_E_INVALID, "now", "clock cannot move back from %s to %s",
                      bo_time_format(now, a), bo_time_format(*to, b));
  }
  char text[24];
  snprintf(text, sizeof text, "%lld", (long long)*to);
  const bo_rc rc = e->st->ops->meta_set(e->st, "manual_clock", text);
  if (rc) return bo_err_set(&r->err, rc, "", "cannot store the clock");
  /* what the new day brings (expiry, passed promises) happens with the move */
  const bo_rc tick = bo_tick(e, *to, true, &r->err);
  if (tick) return tick;
  bo_clock_set(r->clock, *to);
  r->resp = clock_json(r, *to);
  return BO_OK;
}

bo_rc bo_h_clock_set(bo_req *r) {
  static const char *const allowed[] = {"now", NULL};
  if (!r->clock->manual)
    return bo_err_set(&r->err, BO_E_CONFLICT, "", "the clock is not manual: start with --manual-clock");
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  char text[40];
  int64_t *to = calloc(1, sizeof *to);
  if (!to) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = bo_jin_str(body, "now", "", true, 35, text, sizeof text, NULL, &r->err);
  if (!rc && !bo_time_parse(text, to))
    rc = bo_err_set(&r->err, BO_E_INVALID, "now", "now \"%s\" is not an RFC 3339 UTC time", text);
  if (!rc && (bo_day_of(*to) < BO_DAY_MIN || bo_day_of(*to) > BO_DAY_MAX))
    rc = bo_err_set(&r->err, BO_E_INVALID, "now", "now \"%s\" is out of range", text);
  json_decref(body);
  if (rc) {
    free(to);
    return rc;
  }
  r->arg = to;
  r->write = write_clock;
  return BO_OK;
}
