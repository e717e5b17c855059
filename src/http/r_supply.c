/*
 * r_supply.c — /v1/suppliers, /v1/purchase-orders (with receipts) and
 * /v1/simulations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* Parses [{sku, qty}] lines (1..BO_LINES_PER_ORDER_MAX, one per sku). */
bo_rc bo_parse_sku_lines(json_t *body, bool required, bo_line_request *out, int *n,
                         bo_err *err) {
  static const char *const allowed[] = {"sku", "qty", NULL};
  json_t *a = json_object_get(body, "lines");
  *n = 0;
  if (!a || json_is_null(a))
    return required ? bo_err_set(err, BO_E_INVALID, "lines", "missing required field \"lines\"")
                    : BO_OK;
  if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > BO_LINES_PER_ORDER_MAX)
    return bo_err_set(err, BO_E_INVALID, "lines", "lines must be an array of 1..%d lines",
                      BO_LINES_PER_ORDER_MAX);
  size_t i;
  json_t *l;
  json_array_foreach(a, i, l) {
    char prefix[48], f[64];
    snprintf(prefix, sizeof prefix, "lines[%zu]", i);
    snprintf(f, sizeof f, "%s.sku", prefix);
    bo_rc rc = bo_jin_only(l, allowed, prefix, err);
    if (!rc) rc = bo_jin_str(l, "sku", prefix, true, BO_SKU_ID_LEN_MAX, out[i].sku,
                             sizeof out[i].sku, NULL, err);
    if (rc) return rc;
    if (!bo_id_valid(out[i].sku, BO_SKU_ID_LEN_MAX))
      return bo_err_set(err, BO_E_INVALID, f, "%s \"%.64s\" is not a valid sku id", f, out[i].sku);
    for (size_t j = 0; j < i; j++)
      if (strcmp(out[j].sku, out[i].sku) == 0)
        return bo_err_set(err, BO_E_INVALID, f, "sku \"%s\" appears twice: give one line per sku",
                          out[i].sku);
    if ((rc = bo_jin_int(l, "qty", prefix, true, 1, BO_QTY_MAX, &out[i].qty, NULL, err))) return rc;
    *n = (int)i + 1;
  }
  return BO_OK;
}

/* Parses an optional id field that must use the id alphabet. */
static bo_rc parse_id(json_t *body, const char *key, bool required, char *out, bo_err *err) {
  bool present = false;
  bo_rc rc = bo_jin_str(body, key, "", required, BO_ID_LEN_MAX, out, BO_ID_LEN_MAX + 1, &present,
                        err);
  if (rc || !out[0]) return rc;
  if (!bo_id_valid(out, BO_ID_LEN_MAX))
    return bo_err_set(err, BO_E_INVALID, key, "%s \"%.64s\" must be 1-64 characters of A-Z a-z 0-9 . _ -",
                      key, out);
  return BO_OK;
}

static bo_rc write_supplier(bo_req *r, bo_engine *e, int64_t now) {
  const bo_supplier *s = r->arg;
  bo_rc rc = bo_supplier_create(e, now, s, &r->err);
  if (rc) return rc;
  bo_supplier got;
  if ((rc = e->st->ops->supplier_get(e->st, s->id, &got))) return rc;
  r->status = 201;
  r->resp = bo_supplier_json(&got);
  return BO_OK;
}

bo_rc bo_h_supplier_create(bo_req *r) {
  static const char *const allowed[] = {"id", "name", "lead_time_days", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  bo_supplier *s = calloc(1, sizeof *s);
  int64_t lead = 0;
  if (!s) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = parse_id(body, "id", true, s->id, &r->err);
  if (!rc) rc = bo_jin_str(body, "name", "", false, BO_NAME_LEN_MAX, s->name, sizeof s->name,
                           NULL, &r->err);
  if (!rc) rc = bo_jin_int(body, "lead_time_days", "", true, 0, BO_DAYS_MAX, &lead, NULL, &r->err);
  json_decref(body);
  if (rc) {
    free(s);
    return rc;
  }
  s->lead_time_days = (int32_t)lead;
  r->arg = s;
  r->write = write_supplier;
  return BO_OK;
}

typedef struct list_ctx {
  json_t *items;
  char last[BO_ID_LEN_MAX + 1];
  int n;
} list_ctx;

static bo_rc list_supplier(void *p, const bo_supplier *s) {
  list_ctx *c = p;
  json_array_append_new(c->items, bo_supplier_json(s));
  memcpy(c->last, s->id, sizeof c->last);
  c->n++;
  return BO_OK;
}

bo_rc bo_h_supplier_list(bo_req *r) {
  bo_page page;
  bo_rc rc = bo_query_page(r, BO_ID_LEN_MAX, &page);
  if (rc) return rc;
  list_ctx c = {.items = json_array()};
  rc = r->reader->st->ops->supplier_list(r->reader->st, &page, list_supplier, &c);
  return bo_list_done(r, rc, c.items, c.n, &page, c.last);
}

static bo_rc respond_po(bo_req *r, bo_engine *e, const char *id, int status) {
  bo_po *po = malloc(sizeof *po);
  if (!po) return bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  const bo_rc rc = e->st->ops->po_get(e->st, id, po);
  if (rc == BO_E_NOT_FOUND) bo_err_set(&r->err, rc, "", "purchase order \"%s\" not found", id);
  if (!rc) {
    r->status = status;
    r->resp = bo_po_json(po);
  }
  free(po);
  return rc;
}

static bo_rc write_po(bo_req *r, bo_engine *e, int64_t now) {
  char id[BO_ID_LEN_MAX + 1];
  const bo_rc rc = bo_po_create(e, now, r->arg, id, &r->err);
  return rc ? rc : respond_po(r, e, id, 201);
}

bo_rc bo_h_po_create(bo_req *r) {
  static const char *const allowed[] = {"id", "supplier", "eta", "lines", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  bo_po_request *req = calloc(1, sizeof *req);
  bool has_eta = false;
  if (!req) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = parse_id(body, "id", false, req->id, &r->err);
  if (!rc) rc = parse_id(body, "supplier", true, req->supplier, &r->err);
  if (!rc) rc = bo_jin_day(body, "eta", "", &req->eta, &has_eta, &r->err);
  if (!rc && !has_eta) rc = bo_err_set(&r->err, BO_E_INVALID, "eta", "missing required field \"eta\"");
  if (!rc) rc = bo_parse_sku_lines(body, true, req->lines, &req->n_lines, &r->err);
  json_decref(body);
  if (rc) {
    free(req);
    return rc;
  }
  r->arg = req;
  r->write = write_po;
  return BO_OK;
}

bo_rc bo_h_po_get(bo_req *r) { return respond_po(r, r->reader, r->params[0], 200); }

static bo_rc list_po(void *p, const bo_po *po) {
  list_ctx *c = p;
  json_array_append_new(c->items, bo_po_json(po));
  memcpy(c->last, po->id, sizeof c->last);
  c->n++;
  return BO_OK;
}

bo_rc bo_h_po_list(bo_req *r) {
  bo_page page;
  bo_rc rc = bo_query_page(r, BO_ID_LEN_MAX, &page);
  if (rc) return rc;
  list_ctx c = {.items = json_array()};
  rc = r->reader->st->ops->po_list(r->reader->st, &page, list_po, &c);
  return bo_list_done(r, rc, c.items, c.n, &page, c.last);
}

typedef struct po_patch_arg {
  char id[BO_ID_LEN_MAX + 1];
  bo_day eta;
  bool cancel;
} po_patch_arg;

static bo_rc write_po_patch(bo_req *r, bo_engine *e, int64_t now) {
  const po_patch_arg *a = r->arg;
  const bo_rc rc = bo_po_patch(e, now, a->id, a->eta, a->cancel, &r->err);
  return rc ? rc : respond_po(r, e, a->id, 200);
}

bo_rc bo_h_po_patch(bo_req *r) {
  static const char *const allowed[] = {"eta", "status", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  po_patch_arg *a = calloc(1, sizeof *a);
  char status[24] = "";
  bool has_status = false;
  if (!a) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) {
    a->eta = BO_DAY_NONE;
    rc = bo_jin_only(body, allowed, "", &r->err);
  }
  if (!rc) rc = bo_jin_day(body, "eta", "", &a->eta, NULL, &r->err);
  if (!rc) rc = bo_jin_str(body, "status", "", false, 20, status, sizeof status, &has_status, &r->err);
  if (!rc && has_status && strcmp(status, "cancelled") != 0)
    rc = bo_err_set(&r->err, BO_E_INVALID, "status",
                    "status can only be set to \"cancelled\" (receipts set the others)");
  if (!rc && a->eta == BO_DAY_NONE && !has_status)
    rc = bo_err_set(&r->err, BO_E_INVALID, "", "give \"eta\" or \"status\": \"cancelled\"");
  json_decref(body);
  if (rc) {
    free(a);
    return rc;
  }
  a->cancel = has_status;
  snprintf(a->id, sizeof a->id, "%s", r->params[0]);
  r->arg = a;
  r->write = write_po_patch;
  return BO_OK;
}

typedef struct receipt_arg {
  char id[BO_ID_LEN_MAX + 1];
  bool close;
  int n;
  bo_line_request lines[BO_LINES_PER_ORDER_MAX];
} receipt_arg;

static bo_rc write_receipt(bo_req *r, bo_engine *e, int64_t now) {
  const receipt_arg *a = r->arg;
  const bo_rc rc = bo_po_receive(e, now, a->id, a->lines, a->n, a->close, &r->err);
  return rc ? rc : respond_po(r, e, a->id, 201);
}

bo_rc bo_h_po_receive(bo_req *r) {
  static const char *const allowed[] = {"lines", "close", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  receipt_arg *a = calloc(1, sizeof *a);
  if (!a) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = bo_parse_sku_lines(body, true, a->lines, &a->n, &r->err);
  if (!rc) rc = bo_jin_bool(body, "close", "", &a->close, NULL, &r->err);
  json_decref(body);
  if (rc) {
    free(a);
    return rc;
  }
  snprintf(a->id, sizeof a->id, "%s", r->params[0]);
  r->arg = a;
  r->write = write_receipt;
  return BO_OK;
}

static bo_rc write_simulation(bo_req *r, bo_engine *e, int64_t now) {
  return bo_simulate(e, now, json_object_get(r->arg, "changes"), &r->resp, &r->err);
}

bo_rc bo_h_simulation(bo_req *r) {
  static const char *const allowed[] = {"changes", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  if ((rc = bo_jin_only(body, allowed, "", &r->err))) {
    json_decref(body);
    return rc;
  }
  r->arg = body;
  r->arg_json = true;
  r->write = write_simulation;
  return BO_OK;
}
