/*
 * read.c — answers that commit nothing: availability and quotes.
 *
 * Both date a hypothetical new demand the way placing it would: available
 * stock first, then the supply left after every unit queued ahead of it.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "../common/strbuf.h"

/* Units of the SKU's queue that a new line `nl` would wait behind. */
static bo_rc units_ahead(bo_engine *e, const bo_sku *sku, bo_line *nl, int64_t *out) {
  *out = sku->backordered;
  if (sku->backordered == 0) return BO_OK;
  bool jumps = false;
  bo_rc rc = e->st->ops->queue_has_after(e->st, nl, &jumps);
  if (rc || !jumps) return rc;
  bo_lines q = {0};
  if ((rc = e->st->ops->queue_load(e->st, sku->id, &q))) return rc;
  if (sku->protect_promises) bo_protect_position(q.v, q.n, nl);
  *out = 0;
  for (size_t i = 0; i < q.n && bo_line_queue_cmp(&q.v[i], nl) < 0; i++) *out += q.v[i].backordered;
  bo_lines_release(&q);
  return BO_OK;
}

/* The schedule `qty` new units of sku would get now for a customer of `tier`. */
static bo_rc quote_schedule(bo_engine *e, int64_t now, const bo_sku *sku, const bo_incomings *in,
                            int32_t tier, int64_t qty, bo_schedule *out) {
  bo_line nl = {.queue_prio = -(int64_t)tier, .queue_us = now * BO_US_PER_SECOND, .line_no = 1};
  memcpy(nl.sku, sku->id, sizeof nl.sku);
  memset(nl.order_id, 0x7f, BO_ID_LEN_MAX); /* sorts after every real id of the same time */
  bo_supply supply[BO_OPEN_SUPPLY_MAX];
  if (bo_sku_available(sku) >= qty) { /* all from stock: no queue, no lead time to look up */
    const bo_promise_ctx ctx = {.today = bo_day_of(now), .handling_days = sku->handling_days};
    bo_promise_quote(bo_sku_available(sku), supply, 0, 0, qty, &ctx, out);
    return BO_OK;
  }
  int64_t ahead;
  const bo_rc rc = units_ahead(e, sku, &nl, &ahead);
  if (rc) return rc;
  const size_t n_supply = bo__supply(in, supply);
  const bo_promise_ctx ctx = bo__promise_ctx(e, sku, now, supply, n_supply, ahead,
                                             qty - bo_sku_available(sku));
  bo_promise_quote(bo_sku_available(sku), supply, n_supply, ahead, qty, &ctx, out);
  return BO_OK;
}

/* The substitutes of sku that can ship `qty` units now, with their availability. */
static json_t *substitutes_json(bo_engine *e, const bo_sku *sku, int64_t qty) {
  json_t *a = json_array();
  for (int i = 0; i < sku->n_substitutes; i++) {
    bo_sku sub;
    bo_incomings in;
    if (e->st->ops->sku_get(e->st, sku->substitutes[i], &sub) ||
        e->st->ops->incoming_load(e->st, sub.id, &in) || bo_sku_available(&sub) < qty)
      continue;
    const bo_status st = bo_sku_status(&sub, in.total);
    char message[BO_MESSAGE_LEN_MAX];
    bo_status_message(&sub, st, BO_DAY_NONE, false, message, sizeof message);
    json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:s,s:s}", "sku", sub.id, "name", sub.name,
                                       "available", (json_int_t)bo_sku_available(&sub), "status",
                                       bo_status_name(st), "message", message));
  }
  return a;
}

static void sb_incoming(bo_strbuf *sb, const bo_incomings *in) {
  bo_sb_raw(sb, "[", 1);
  for (int i = 0; i < in->n; i++) {
    bo_sb_str(sb, i ? ",{\"purchase_order\":" : "{\"purchase_order\":");
    bo_sb_json_str(sb, in->v[i].po);
    bo__sb_int(sb, "qty", in->v[i].qty);
    bo__sb_key(sb, "eta");
    bo__sb_day(sb, in->v[i].eta);
    bo_sb_raw(sb, "}", 1);
  }
  bo_sb_raw(sb, "]", 1);
}

/* Substitutes that can ship now (only when this SKU has nothing available). */
static void sb_substitutes(bo_strbuf *sb, bo_engine *e, const bo_sku *sku) {
  char *text = NULL; /* none named: no array to build */
  if (sku->n_substitutes > 0) {
    json_t *subs = substitutes_json(e, sku, 1);
    text = subs ? json_dumps(subs, JSON_COMPACT) : NULL;
    json_decref(subs);
  }
  bo__sb_key(sb, "substitutes");
  bo_sb_str(sb, text ? text : "[]");
  free(text);
}

bo_rc bo_availability_text(bo_engine *e, int64_t now, const char *id, char **out, bool *own,
                           bo_err *err) {
  bo_sku sku;
  bo_incomings in;
  bo_rc rc = e->st->ops->sku_get(e->st, id, &sku);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "sku \"%s\" not found", id);
  if (!rc) rc = e->st->ops->incoming_load(e->st, id, &in);
  if (rc) return bo_err_set(err, rc, "", "cannot read sku \"%s\"", id);
  const bo_status st = bo_sku_status(&sku, in.total);
  bo_schedule s = {0};
  bo_day earliest = BO_DAY_NONE;
  bool estimate = false;
  if (st != BO_STATUS_OUT_OF_STOCK) {
    if ((rc = quote_schedule(e, now, &sku, &in, 0, 1, &s)))
      return bo_err_set(err, rc, "", "cannot date sku \"%s\"", id);
    earliest = bo_schedule_date(&s);
    estimate = s.n > 0 && s.parts[s.n - 1].estimate;
  }
  char message[BO_MESSAGE_LEN_MAX];
  bo_status_message(&sku, st, earliest, estimate, message, sizeof message);
  bo_strbuf sb = {0};
  bo_sb_str(&sb, "{\"sku\":");
  bo_sb_json_str(&sb, sku.id);
  bo__sb_int(&sb, "on_hand", sku.on_hand);
  bo__sb_int(&sb, "allocated", sku.allocated);
  bo__sb_int(&sb, "available", bo_sku_available(&sku));
  bo__sb_int(&sb, "backordered", sku.backordered);
  bo__sb_key(&sb, "incoming");
  sb_incoming(&sb, &in);
  bo__sb_int(&sb, "incoming_total", in.total);
  bo__sb_key(&sb, "status");
  bo_sb_json_str(&sb, bo_status_name(st));
  bo__sb_key(&sb, "message");
  bo_sb_json_str(&sb, message);
  bo__sb_key(&sb, "earliest_promise");
  bo__sb_day(&sb, earliest);
  bo_sb_str(&sb, estimate ? ",\"earliest_promise_estimate\":true" : ",\"earliest_promise_estimate\":false");
  bo__sb_key(&sb, "backorder_policy");
  bo_sb_json_str(&sb, bo_policy_name(sku.policy));
  const bool subs = bo_sku_available(&sku) == 0;
  if (subs) sb_substitutes(&sb, e, &sku);
  if (own) *own = !subs || sku.n_substitutes == 0;
  bo_sb_raw(&sb, "}", 1);
  *out = bo_sb_take(&sb);
  return *out ? BO_OK : bo_err_set(err, BO_E_NOMEM, "", "out of memory");
}

bo_rc bo_availability_json(bo_engine *e, int64_t now, const char *id, json_t **out,
                           bo_err *err) {
  char *text;
  const bo_rc rc = bo_availability_text(e, now, id, &text, NULL, err);
  if (rc) return rc;
  *out = json_loads(text, 0, NULL);
  free(text);
  return *out ? BO_OK : bo_err_set(err, BO_E_NOMEM, "", "out of memory");
}

/* One quote line: the split and promise a new line would get, or why not. */
static bo_rc quote_line(bo_engine *e, int64_t now, int32_t tier, const bo_line_request *lr,
                        json_t **out, bool *accepted) {
  bo_sku sku;
  bo_incomings in;
  bo_rc rc = e->st->ops->sku_get(e->st, lr->sku, &sku);
  if (rc == BO_E_NOT_FOUND) {
    *accepted = false;
    *out = json_pack("{s:s,s:I,s:b,s:s,s:s}", "sku", lr->sku, "qty", (json_int_t)lr->qty,
                     "accepted", 0, "reason", "not_found", "message", "sku not found");
    return BO_OK;
  }
  if (!rc) rc = e->st->ops->incoming_load(e->st, lr->sku, &in);
  if (rc) return rc;
  const bo_split split = bo_split_line(&sku, in.total, lr->qty);
  bo_schedule s = {0};
  if (split.rc == BO_OK && split.backordered > 0) {
    bo_schedule all;
    if ((rc = quote_schedule(e, now, &sku, &in, tier, lr->qty, &all))) return rc;
    /* the promise covers the backordered units: drop the part shipping now */
    int64_t skip = split.allocated;
    for (int i = 0; i < all.n; i++) {
      bo_promise_part p = all.parts[i];
      const int64_t d = skip < p.qty ? skip : p.qty;
      p.qty -= d;
      skip -= d;
      if (p.qty > 0) s.parts[s.n++] = p;
    }
  }
  *accepted = split.rc == BO_OK;
  *out = json_pack("{s:s,s:I,s:I,s:I,s:b,s:o,s:o}", "sku", lr->sku, "qty", (json_int_t)lr->qty,
                   "allocated", (json_int_t)(split.rc == BO_OK ? split.allocated : 0),
                   "backordered", (json_int_t)(split.rc == BO_OK ? split.backordered : 0),
                   "accepted", split.rc == BO_OK, "promises", bo_schedule_json(&s),
                   "promise_date", s.n ? json_string(bo_day_format(bo_schedule_date(&s), (char[11]){0}))
                                       : json_null());
  if (split.rc != BO_OK) json_object_set_new(*out, "reason", json_string(bo_rc_name(split.rc)));
  if (split.rc != BO_OK || split.backordered > 0)
    json_object_set_new(*out, "substitutes", substitutes_json(e, &sku, lr->qty));
  return BO_OK;
}

bo_rc bo_quote_json(bo_engine *e, int64_t now, const bo_order_request *req, json_t **out,
                    bo_err *err) {
  json_t *lines = json_array();
  bool all = true;
  for (int i = 0; i < req->n_lines; i++) {
    json_t *l;
    bool ok;
    const bo_rc rc = quote_line(e, now, req->order.tier, &req->lines[i], &l, &ok);
    if (rc) {
      json_decref(lines);
      return bo_err_set(err, rc, "", "cannot quote sku \"%s\"", req->lines[i].sku);
    }
    all = all && ok;
    json_array_append_new(lines, l);
  }
  *out = json_pack("{s:o,s:b}", "lines", lines, "accepted", all);
  return BO_OK;
}
