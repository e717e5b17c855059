/*
 * r_orders.c — /v1/orders and /v1/quotes.
 *
 * An order request and a quote request share one parser; a quote runs on
 * the reader and commits nothing, an order goes to the writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "../common/strbuf.h"

static bool printable(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f) return false;
  return true;
}

static bo_rc parse_customer(json_t *body, bool required, bo_order *o, bo_err *err) {
  static const char *const allowed[] = {"id", "email", "tier", NULL};
  json_t *c = json_object_get(body, "customer");
  if (!c || json_is_null(c)) {
    if (required)
      return bo_err_set(err, BO_E_INVALID, "customer", "missing required field \"customer\"");
    return BO_OK;
  }
  bo_rc rc = bo_jin_only(c, allowed, "customer", err);
  if (rc) return rc;
  if ((rc = bo_jin_str(c, "id", "customer", required, BO_ID_LEN_MAX, o->customer_id,
                       sizeof o->customer_id, NULL, err)))
    return rc;
  if (required && (!o->customer_id[0] || !printable(o->customer_id)))
    return bo_err_set(err, BO_E_INVALID, "customer.id", "customer.id must be 1-%d printable characters",
                      BO_ID_LEN_MAX);
  if ((rc = bo_jin_str(c, "email", "customer", false, BO_EMAIL_LEN_MAX, o->customer_email,
                       sizeof o->customer_email, NULL, err)))
    return rc;
  const char *at = strchr(o->customer_email, '@');
  if (o->customer_email[0] &&
      (!at || at == o->customer_email || !at[1] || strchr(at + 1, '@') ||
       !printable(o->customer_email) || strchr(o->customer_email, ' ')))
    return bo_err_set(err, BO_E_INVALID, "customer.email", "customer.email \"%.60s\" is not an email address",
                      o->customer_email);
  int64_t tier = 0;
  if ((rc = bo_jin_int(c, "tier", "customer", false, -BO_TIER_ABS_MAX, BO_TIER_ABS_MAX, &tier,
                       NULL, err)))
    return rc;
  o->tier = (int32_t)tier;
  return BO_OK;
}

static bo_rc parse_lines(json_t *body, bo_order_request *req, bo_err *err) {
  static const char *const allowed[] = {"sku", "qty", NULL};
  json_t *a = json_object_get(body, "lines");
  if (!a) return bo_err_set(err, BO_E_INVALID, "lines", "missing required field \"lines\"");
  if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > BO_LINES_PER_ORDER_MAX)
    return bo_err_set(err, BO_E_INVALID, "lines", "lines must be an array of 1..%d lines",
                      BO_LINES_PER_ORDER_MAX);
  size_t i;
  json_t *l;
  json_array_foreach(a, i, l) {
    char prefix[48]; /* "lines[i]", without printf's cost (every order pays it) */
    memcpy(prefix, "lines[", 6);
    memcpy(bo_dec(prefix + 6, (int64_t)i), "]", 2);
    bo_line_request *lr = &req->lines[i];
    *lr = (bo_line_request){0};
    bo_rc rc = bo_jin_only(l, allowed, prefix, err);
    if (!rc) rc = bo_jin_str(l, "sku", prefix, true, BO_SKU_ID_LEN_MAX, lr->sku, sizeof lr->sku,
                             NULL, err);
    if (rc) return rc;
    if (!bo_id_valid(lr->sku, BO_SKU_ID_LEN_MAX)) {
      char f[64];
      snprintf(f, sizeof f, "%s.sku", prefix);
      return bo_err_set(err, BO_E_INVALID, f, "%s \"%.64s\" is not a valid sku id", f, lr->sku);
    }
    if ((rc = bo_jin_int(l, "qty", prefix, true, 1, BO_QTY_MAX, &lr->qty, NULL, err))) return rc;
    for (size_t j = 0; j < i; j++)
      if (strcmp(req->lines[j].sku, lr->sku) == 0) {
        char f[64];
        snprintf(f, sizeof f, "%s.sku", prefix);
        return bo_err_set(err, BO_E_INVALID, f, "sku \"%s\" appears twice: give one line per sku",
                          lr->sku);
      }
    req->n_lines = (int)i + 1;
  }
  return BO_OK;
}

/* Parses an enum field given as one of two strings. */
static bo_rc parse_choice(json_t *body, const char *key, const char *a, const char *b,
                          int *out, bo_err *err) {
  char v[32];
  bool present = false;
  bo_rc rc = bo_jin_str(body, key, "", false, 30, v, sizeof v, &present, err);
  if (rc || !present || json_is_null(json_object_get(body, key))) return rc;
  if (strcmp(v, a) == 0) *out = 0;
  else if (strcmp(v, b) == 0) *out = 1;
  else return bo_err_set(err, BO_E_INVALID, key, "%s \"%s\" must be %s or %s", key, v, a, b);
  return BO_OK;
}

static bo_rc parse_order(json_t *body, bool quote, bo_order_request *req, bo_err *err) {
  static const char *const order_fields[] = {"id", "customer", "lines", "ship_policy",
                                             "need_by", "if_late", NULL};
  static const char *const quote_fields[] = {"customer", "lines", NULL};
  bo_rc rc = bo_jin_only(body, quote ? quote_fields : order_fields, "", err);
  if (rc) return rc;
  bo_order *o = &req->order;
  o->need_by = BO_DAY_NONE;
  if ((rc = parse_customer(body, !quote, o, err)) || (rc = parse_lines(body, req, err))) return rc;
  if (quote) return BO_OK;
  if ((rc = bo_jin_str(body, "id", "", false, BO_ID_LEN_MAX, o->id, sizeof o->id, NULL, err)))
    return rc;
  if (json_object_get(body, "id") && !json_is_null(json_object_get(body, "id")) &&
      !bo_id_valid(o->id, BO_ID_LEN_MAX))
    return bo_err_set(err, BO_E_INVALID, "id",
                      "id \"%.64s\" must be 1-64 characters of A-Z a-z 0-9 . _ -", o->id);
  int ship = 0, late = 0;
  if ((rc = parse_choice(body, "ship_policy", "partial", "complete", &ship, err)) ||
      (rc = parse_choice(body, "if_late", "keep", "cancel_backorder", &late, err)) ||
      (rc = bo_jin_day(body, "need_by", "", &o->need_by, NULL, err)))
    return rc;
  o->ship_policy = ship ? BO_SHIP_COMPLETE : BO_SHIP_PARTIAL;
  o->if_late = late ? BO_IF_LATE_CANCEL : BO_IF_LATE_KEEP;
  return BO_OK;
}

static bo_rc parse_request(bo_req *r, bool quote, bo_order_request **out) {
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  /* ~7.7 KB for 100 lines: only the header and the lines given are set */
  bo_order_request *req = malloc(sizeof *req);
  if (!req) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  else {
    memset(&req->order, 0, sizeof req->order);
    req->n_lines = 0;
  }
  if (!rc) rc = parse_order(body, quote, req, &r->err);
  json_decref(body);
  if (rc) {
    free(req);
    return rc;
  }
  *out = req;
  return BO_OK;
}

bo_rc bo_h_quote(bo_req *r) {
  bo_order_request *req;
  bo_rc rc = parse_request(r, true, &req);
  if (rc) return rc;
  rc = bo_quote_json(r->reader, r->now, req, &r->resp, &r->err);
  free(req);
  return rc;
}

static bo_rc write_order(bo_req *r, bo_engine *e, int64_t now) {
  const bo_rc rc = bo_order_place(e, now, r->arg, &r->resp_text, &r->err);
  if (!rc) r->status = 201;
  return rc;
}

bo_rc bo_h_order_create(bo_req *r) {
  bo_order_request *req;
  const bo_rc rc = parse_request(r, false, &req);
  if (rc) return rc;
  r->arg = req;
  r->write = write_order;
  return BO_OK;
}

bo_rc bo_h_order_get(bo_req *r) {
  return bo_order_json(r->reader, r->params[0], &r->resp, &r->err);
}

typedef struct order_list_ctx {
  bo_engine *e;
  json_t *items;
  char last[BO_ID_LEN_MAX + 1];
  int n;
} order_list_ctx;

static bo_rc list_order(void *p, const bo_order *o) {
  order_list_ctx *c = p;
  json_t *j;
  const bo_rc rc = bo_order_json(c->e, o->id, &j, NULL);
  if (rc) return rc;
  json_array_append_new(c->items, j);
  memcpy(c->last, o->id, sizeof c->last);
  c->n++;
  return BO_OK;
}

bo_rc bo_h_order_list(bo_req *r) {
  static const bo_order_status all[] = {BO_ORDER_OPEN, BO_ORDER_PARTIALLY_SHIPPED,
                                        BO_ORDER_SHIPPED, BO_ORDER_CANCELLED};
  int status = -1;
  bo_page page;
  bo_rc rc = bo_query_page(r, BO_ID_LEN_MAX, &page);
  if (rc) return rc;
  const char *st = bo_query(r, "status");
  for (size_t i = 0; st && i < 4; i++)
    if (strcmp(st, bo_order_status_name(all[i])) == 0) status = (int)all[i];
  if (st && status < 0)
    return bo_err_set(&r->err, BO_E_INVALID, "status",
                      "status \"%.20s\" must be open, partially_shipped, shipped or cancelled", st);
  order_list_ctx c = {.e = r->reader, .items = json_array()};
  rc = r->reader->st->ops->order_list(r->reader->st, status, &page, list_order, &c);
  return bo_list_done(r, rc, c.items, c.n, &page, c.last);
}

typedef struct lines_arg {
  char id[BO_ID_LEN_MAX + 1];
  char reason[BO_REASON_LEN_MAX + 1];
  int n;
  bo_line_request lines[BO_LINES_PER_ORDER_MAX];
} lines_arg;

/* Parses {lines?: [{sku, qty}], reason?} for shipments and cancellations. */
static bo_rc parse_lines_arg(bo_req *r, bool with_reason, lines_arg **out) {
  static const char *const ship_fields[] = {"lines", NULL};
  static const char *const cancel_fields[] = {"lines", "reason", NULL};
  json_t *body = NULL;
  bo_rc rc = r->body_len ? bo_body_object(r, &body) : BO_OK;
  if (rc) return rc;
  if (!body) body = json_object();
  lines_arg *a = calloc(1, sizeof *a);
  if (!a) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, with_reason ? cancel_fields : ship_fields, "", &r->err);
  if (!rc) rc = bo_parse_sku_lines(body, false, a->lines, &a->n, &r->err);
  if (!rc && with_reason)
    rc = bo_jin_str(body, "reason", "", false, BO_REASON_LEN_MAX, a->reason, sizeof a->reason,
                    NULL, &r->err);
  json_decref(body);
  if (rc) {
    free(a);
    return rc;
  }
  if (with_reason && !a->reason[0]) snprintf(a->reason, sizeof a->reason, "requested");
  snprintf(a->id, sizeof a->id, "%s", r->params[0]);
  *out = a;
  return BO_OK;
}

static bo_rc write_ship(bo_req *r, bo_engine *e, int64_t now) {
  const lines_arg *a = r->arg;
  char ship_id[BO_ID_LEN_MAX + 1];
  bo_rc rc = bo_order_ship(e, now, a->id, a->lines, a->n, ship_id, &r->err);
  json_t *order;
  if (!rc) rc = bo_order_json(e, a->id, &order, &r->err);
  if (rc) return rc;
  r->status = 201;
  r->resp = json_pack("{s:s,s:o}", "shipment", ship_id, "order", order);
  return BO_OK;
}

bo_rc bo_h_order_ship(bo_req *r) {
  lines_arg *a;
  const bo_rc rc = parse_lines_arg(r, false, &a);
  if (rc) return rc;
  r->arg = a;
  r->write = write_ship;
  return BO_OK;
}

static bo_rc write_cancel(bo_req *r, bo_engine *e, int64_t now) {
  const lines_arg *a = r->arg;
  const bo_rc rc = bo_order_cancel(e, now, a->id, a->lines, a->n, a->reason, &r->err);
  return rc ? rc : bo_order_json(e, a->id, &r->resp, &r->err);
}

bo_rc bo_h_order_cancel(bo_req *r) {
  lines_arg *a;
  const bo_rc rc = parse_lines_arg(r, true, &a);
  if (rc) return rc;
  r->arg = a;
  r->write = write_cancel;
  return BO_OK;
}

static bo_rc write_consent(bo_req *r, bo_engine *e, int64_t now) {
  const char *id = r->arg;
  const bo_rc rc = bo_order_consent(e, now, id, &r->err);
  return rc ? rc : bo_order_json(e, id, &r->resp, &r->err);
}

bo_rc bo_h_order_consent(bo_req *r) {
  r->arg = strdup(r->params[0]);
  if (!r->arg) return bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  r->write = write_consent;
  return BO_OK;
}

static bo_rc list_shipment(void *p, const bo_shipment *s) {
  char at[21];
  json_t *lines = json_loads(s->lines, 0, NULL);
  json_array_append_new(p, json_pack("{s:s,s:s,s:s,s:o}", "id", s->id, "order", s->order_id, "at",
                                     bo_time_format(s->at, at), "lines",
                                     lines ? lines : json_array()));
  return BO_OK;
}

bo_rc bo_h_order_shipments(bo_req *r) {
  bo_order o;
  bo_rc rc = r->reader->st->ops->order_get(r->reader->st, r->params[0], &o);
  if (rc == BO_E_NOT_FOUND)
    return bo_err_set(&r->err, rc, "", "order \"%s\" not found", r->params[0]);
  if (rc) return rc;
  json_t *items = json_array();
  if ((rc = r->reader->st->ops->shipment_list(r->reader->st, o.id, list_shipment, items))) {
    json_decref(items);
    return rc;
  }
  r->resp = bo_page_json(items, NULL);
  return BO_OK;
}
