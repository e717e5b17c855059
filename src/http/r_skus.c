/*
 * r_skus.c — /v1/skus: SKUs and their policies, availability, adjustments
 * and the stock ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static bo_rc parse_limit(json_t *body, bo_sku_input *in, bo_err *err) {
  json_t *v = json_object_get(body, "backorder_limit");
  if (!v) return BO_OK;
  in->fields |= BO_SKU_F_LIMIT;
  if (json_is_null(v)) {
    in->v.backorder_limit = BO_LIMIT_NONE;
  } else if (json_is_string(v) && strcmp(json_string_value(v), "incoming") == 0) {
    in->v.backorder_limit = BO_LIMIT_INCOMING;
  } else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
             json_integer_value(v) <= BO_QTY_MAX) {
    in->v.backorder_limit = json_integer_value(v);
  } else {
    return bo_err_set(err, BO_E_INVALID, "backorder_limit",
                      "backorder_limit must be null, \"incoming\" or an integer 0..%lld",
                      (long long)BO_QTY_MAX);
  }
  return BO_OK;
}

/* Optional day counts: null (unset) or 0..BO_DAYS_MAX. */
static bo_rc parse_days(json_t *body, const char *key, unsigned flag, int32_t *out,
                        bo_sku_input *in, bo_err *err) {
  json_t *v = json_object_get(body, key);
  if (!v) return BO_OK;
  in->fields |= flag;
  if (json_is_null(v)) {
    *out = BO_DAYS_NONE;
    return BO_OK;
  }
  int64_t x;
  const bo_rc rc = bo_jin_int(body, key, "", true, 0, BO_DAYS_MAX, &x, NULL, err);
  if (rc) return rc;
  *out = (int32_t)x;
  return BO_OK;
}

static bo_rc parse_substitutes(json_t *body, bo_sku_input *in, bo_err *err) {
  json_t *a = json_object_get(body, "substitutes");
  if (!a) return BO_OK;
  in->fields |= BO_SKU_F_SUBSTITUTES;
  in->v.n_substitutes = 0;
  if (json_is_null(a)) return BO_OK;
  if (!json_is_array(a) || json_array_size(a) > BO_SUBSTITUTES_MAX)
    return bo_err_set(err, BO_E_INVALID, "substitutes",
                      "substitutes must be an array of at most %d sku ids", BO_SUBSTITUTES_MAX);
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    char field[48];
    snprintf(field, sizeof field, "substitutes[%zu]", i);
    if (!json_is_string(v) || !bo_id_valid(json_string_value(v), BO_SKU_ID_LEN_MAX))
      return bo_err_set(err, BO_E_INVALID, field, "%s must be a sku id", field);
    for (int j = 0; j < in->v.n_substitutes; j++)
      if (strcmp(in->v.substitutes[j], json_string_value(v)) == 0)
        return bo_err_set(err, BO_E_INVALID, field, "substitute \"%s\" is listed twice",
                          json_string_value(v));
    snprintf(in->v.substitutes[in->v.n_substitutes++], BO_SKU_ID_LEN_MAX + 1, "%s",
             json_string_value(v));
  }
  return BO_OK;
}

/* Parses the policy fields shared by create and patch. */
static bo_rc parse_sku_fields(json_t *body, bo_sku_input *in, bo_err *err) {
  bool p = false;
  int64_t x;
  bo_rc rc;
  char policy[16];
  if ((rc = bo_jin_str(body, "name", "", false, BO_NAME_LEN_MAX, in->v.name, sizeof in->v.name,
                       &p, err)))
    return rc;
  if (p) in->fields |= BO_SKU_F_NAME;
  if ((rc = bo_jin_str(body, "backorder_policy", "", false, 10, policy, sizeof policy, &p, err)))
    return rc;
  if (p && json_is_string(json_object_get(body, "backorder_policy"))) {
    if (!bo_policy_parse(policy, &in->v.policy))
      return bo_err_set(err, BO_E_INVALID, "backorder_policy",
                        "backorder_policy \"%s\" must be deny, allow or notify", policy);
    in->fields |= BO_SKU_F_POLICY;
  }
  if ((rc = parse_limit(body, in, err))) return rc;
  if ((rc = bo_jin_int(body, "low_stock_threshold", "", false, 0, BO_QTY_MAX, &x, &p, err)))
    return rc;
  if (p && json_object_get(body, "low_stock_threshold") != json_null()) {
    in->v.low_stock_threshold = x;
    in->fields |= BO_SKU_F_THRESHOLD;
  }
  if ((rc = bo_jin_int(body, "handling_days", "", false, 0, BO_DAYS_MAX, &x, &p, err))) return rc;
  if (p && json_object_get(body, "handling_days") != json_null()) {
    in->v.handling_days = (int32_t)x;
    in->fields |= BO_SKU_F_HANDLING;
  }
  if ((rc = parse_days(body, "max_backorder_days", BO_SKU_F_MAX_DAYS, &in->v.max_backorder_days,
                       in, err)) ||
      (rc = parse_days(body, "lead_time_days", BO_SKU_F_LEAD, &in->v.lead_time_days, in, err)))
    return rc;
  if ((rc = bo_jin_bool(body, "discontinued", "", &in->v.discontinued, &p, err))) return rc;
  if (p) in->fields |= BO_SKU_F_DISCONTINUED;
  if ((rc = bo_jin_bool(body, "protect_promises", "", &in->v.protect_promises, &p, err))) return rc;
  if (p) in->fields |= BO_SKU_F_PROTECT;
  if ((rc = bo_jin_str(body, "supplier", "", false, BO_ID_LEN_MAX, in->v.supplier,
                       sizeof in->v.supplier, &p, err)))
    return rc;
  if (p) {
    in->fields |= BO_SKU_F_SUPPLIER;
    if (in->v.supplier[0] && !bo_id_valid(in->v.supplier, BO_ID_LEN_MAX))
      return bo_err_set(err, BO_E_INVALID, "supplier", "supplier \"%s\" is not a valid id",
                        in->v.supplier);
  }
  return parse_substitutes(body, in, err);
}

static bo_rc respond_sku(bo_req *r, bo_engine *e, const char *id, int status) {
  bo_sku sku;
  const bo_rc rc = e->st->ops->sku_get(e->st, id, &sku);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(&r->err, rc, "", "sku \"%s\" not found", id);
  if (rc) return bo_err_set(&r->err, rc, "", "cannot read sku \"%s\"", id);
  r->status = status;
  r->resp = bo_sku_json(&sku);
  return BO_OK;
}

static bo_rc write_sku_create(bo_req *r, bo_engine *e, int64_t now) {
  const bo_sku_input *in = r->arg;
  const bo_rc rc = bo_sku_create(e, now, in, &r->err);
  return rc ? rc : respond_sku(r, e, in->v.id, 201);
}

bo_rc bo_h_sku_create(bo_req *r) {
  static const char *const allowed[] = {
      "sku", "name", "backorder_policy", "backorder_limit", "low_stock_threshold",
      "handling_days", "max_backorder_days", "discontinued", "substitutes", "supplier",
      "lead_time_days", "protect_promises", "on_hand", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  bo_sku_input *in = calloc(1, sizeof *in);
  int64_t on_hand = 0;
  bool has_on_hand = false;
  if (!in) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = bo_jin_str(body, "sku", "", true, BO_SKU_ID_LEN_MAX, in->v.id, sizeof in->v.id,
                           NULL, &r->err);
  if (!rc && !bo_id_valid(in->v.id, BO_SKU_ID_LEN_MAX))
    rc = bo_err_set(&r->err, BO_E_INVALID, "sku",
                    "sku \"%.64s\" must be 1-64 characters of A-Z a-z 0-9 . _ -", in->v.id);
  if (!rc) rc = parse_sku_fields(body, in, &r->err);
  if (!rc) rc = bo_jin_int(body, "on_hand", "", false, 0, BO_QTY_MAX, &on_hand, &has_on_hand,
                           &r->err);
  json_decref(body);
  if (rc) {
    free(in);
    return rc;
  }
  if (has_on_hand) {
    in->fields |= BO_SKU_F_ON_HAND;
    in->v.on_hand = on_hand;
  }
  r->arg = in;
  r->write = write_sku_create;
  return BO_OK;
}

typedef struct list_ctx {
  json_t *items;
  char last[BO_SKU_ID_LEN_MAX + 1];
  int n;
} list_ctx;

static bo_rc list_sku(void *p, const bo_sku *k) {
  list_ctx *c = p;
  json_array_append_new(c->items, bo_sku_json(k));
  memcpy(c->last, k->id, sizeof c->last);
  c->n++;
  return BO_OK;
}

static bool status_parse(const char *s, int *out) {
  static const bo_status all[] = {BO_STATUS_IN_STOCK, BO_STATUS_LOW_STOCK, BO_STATUS_BACKORDER,
                                  BO_STATUS_OUT_OF_STOCK};
  for (size_t i = 0; i < 4; i++)
    if (strcmp(s, bo_status_name(all[i])) == 0) {
      *out = (int)all[i];
      return true;
    }
  return false;
}

bo_rc bo_h_sku_list(bo_req *r) {
  int status = -1;
  bo_page page;
  bo_rc rc = bo_query_page(r, BO_SKU_ID_LEN_MAX, &page);
  if (rc) return rc;
  const char *st = bo_query(r, "status");
  if (st && !status_parse(st, &status))
    return bo_err_set(&r->err, BO_E_INVALID, "status",
                      "status \"%.20s\" must be in_stock, low_stock, backorder or out_of_stock", st);
  list_ctx c = {.items = json_array()};
  rc = r->reader->st->ops->sku_list(r->reader->st, status, &page, list_sku, &c);
  return bo_list_done(r, rc, c.items, c.n, &page, c.last);
}

bo_rc bo_h_sku_get(bo_req *r) { return respond_sku(r, r->reader, r->params[0], 200); }

static bo_rc write_sku_patch(bo_req *r, bo_engine *e, int64_t now) {
  const bo_sku_input *in = r->arg;
  const bo_rc rc = bo_sku_patch(e, now, in->v.id, in, &r->err);
  return rc ? rc : respond_sku(r, e, in->v.id, 200);
}

bo_rc bo_h_sku_patch(bo_req *r) {
  static const char *const allowed[] = {
      "name", "backorder_policy", "backorder_limit", "low_stock_threshold", "handling_days",
      "max_backorder_days", "discontinued", "substitutes", "supplier", "lead_time_days",
      "protect_promises", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  bo_sku_input *in = calloc(1, sizeof *in);
  if (!in) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = parse_sku_fields(body, in, &r->err);
  json_decref(body);
  if (rc) {
    free(in);
    return rc;
  }
  snprintf(in->v.id, sizeof in->v.id, "%s", r->params[0]);
  r->arg = in;
  r->write = write_sku_patch;
  return BO_OK;
}

bo_rc bo_h_availability(bo_req *r) {
  return bo_availability_text(r->reader, r->now, r->params[0], &r->resp_text, &r->cacheable,
                              &r->err);
}

typedef struct adjust_arg {
  char sku[BO_SKU_ID_LEN_MAX + 1];
  int64_t delta;
  char reason[BO_REASON_LEN_MAX + 1];
} adjust_arg;

static bo_rc write_adjust(bo_req *r, bo_engine *e, int64_t now) {
  const adjust_arg *a = r->arg;
  bo_ledger_entry entry;
  bo_rc rc = bo_adjust(e, now, a->sku, a->delta, a->reason, &entry, &r->err);
  if (rc) return rc;
  json_t *avail;
  if ((rc = bo_availability_json(e, now, a->sku, &avail, &r->err))) return rc;
  r->status = 201;
  r->resp = json_pack("{s:o,s:o}", "entry", bo_ledger_json(&entry), "availability", avail);
  return BO_OK;
}

bo_rc bo_h_adjust(bo_req *r) {
  static const char *const allowed[] = {"delta", "reason", NULL};
  json_t *body;
  bo_rc rc = bo_body_object(r, &body);
  if (rc) return rc;
  adjust_arg *a = calloc(1, sizeof *a);
  if (!a) rc = bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
  if (!rc) rc = bo_jin_only(body, allowed, "", &r->err);
  if (!rc) rc = bo_jin_int(body, "delta", "", true, -BO_QTY_MAX, BO_QTY_MAX, &a->delta, NULL,
                           &r->err);
  if (!rc && a->delta == 0) rc = bo_err_set(&r->err, BO_E_INVALID, "delta", "delta must not be 0");
  if (!rc) rc = bo_jin_str(body, "reason", "", true, BO_REASON_LEN_MAX, a->reason,
                           sizeof a->reason, NULL, &r->err);
  if (!rc && !a->reason[0])
    rc = bo_err_set(&r->err, BO_E_INVALID, "reason", "reason must not be empty");
  json_decref(body);
  if (rc) {
    free(a);
    return rc;
  }
  snprintf(a->sku, sizeof a->sku, "%s", r->params[0]);
  r->arg = a;
  r->write = write_adjust;
  return BO_OK;
}

typedef struct ledger_ctx {
  json_t *items;
  int64_t last;
  int n;
} ledger_ctx;

static bo_rc list_ledger(void *p, const bo_ledger_entry *e) {
  ledger_ctx *c = p;
  json_array_append_new(c->items, bo_ledger_json(e));
  c->last = e->id;
  c->n++;
  return BO_OK;
}

bo_rc bo_h_ledger(bo_req *r) {
  int limit;
  bo_rc rc = bo_query_limit(r, &limit);
  if (rc) return rc;
  bo_sku sku;
  rc = r->reader->st->ops->sku_get(r->reader->st, r->params[0], &sku);
  if (rc == BO_E_NOT_FOUND)
    return bo_err_set(&r->err, rc, "", "sku \"%s\" not found", r->params[0]);
  if (rc) return rc;
  const char *cursor = bo_query(r, "cursor");
  long long after = 0;
  if (cursor) {
    char *end;
    after = strtoll(cursor, &end, 10);
    if (end == cursor || *end || after < 0)
      return bo_err_set(&r->err, BO_E_INVALID, "cursor", "cursor \"%.20s\" is not valid", cursor);
  }
  ledger_ctx c = {.items = json_array()};
  rc = r->reader->st->ops->ledger_list(r->reader->st, sku.id, after, limit, list_ledger, &c);
  if (rc) {
    json_decref(c.items);
    return rc;
  }
  char next[24];
  snprintf(next, sizeof next, "%lld", (long long)c.last);
  r->resp = bo_page_json(c.items, c.n == limit ? next : NULL);
  return BO_OK;
}
