/*
 * sku.c — creating and changing SKUs, and stock adjustments.
 *
 * Every change of on_hand is a ledger entry with a reason (SPEC 3.2); after
 * it the SKU is settled so that new stock goes to waiting customers at once.
 */
#include <string.h>

#include "engine.h"

/* Copies the fields present in `in` onto sku. */
static void apply_fields(bo_sku *sku, const bo_sku_input *in) {
  const unsigned f = in->fields;
  const bo_sku *v = &in->v;
  if (f & BO_SKU_F_NAME) memcpy(sku->name, v->name, sizeof sku->name);
  if (f & BO_SKU_F_POLICY) sku->policy = v->policy;
  if (f & BO_SKU_F_LIMIT) sku->backorder_limit = v->backorder_limit;
  if (f & BO_SKU_F_THRESHOLD) sku->low_stock_threshold = v->low_stock_threshold;
  if (f & BO_SKU_F_HANDLING) sku->handling_days = v->handling_days;
  if (f & BO_SKU_F_MAX_DAYS) sku->max_backorder_days = v->max_backorder_days;
  if (f & BO_SKU_F_LEAD) sku->lead_time_days = v->lead_time_days;
  if (f & BO_SKU_F_DISCONTINUED) sku->discontinued = v->discontinued;
  if (f & BO_SKU_F_PROTECT) sku->protect_promises = v->protect_promises;
  if (f & BO_SKU_F_SUPPLIER) memcpy(sku->supplier, v->supplier, sizeof sku->supplier);
  if (f & BO_SKU_F_SUBSTITUTES) {
    sku->n_substitutes = v->n_substitutes;
    memcpy(sku->substitutes, v->substitutes, sizeof sku->substitutes);
  }
}

/* Substitutes must name other, existing SKUs. */
static bo_rc check_substitutes(bo_engine *e, const bo_sku *sku, bo_err *err) {
  for (int i = 0; i < sku->n_substitutes; i++) {
    if (strcmp(sku->substitutes[i], sku->id) == 0)
      return bo_err_set(err, BO_E_INVALID, "substitutes", "sku \"%s\" cannot substitute itself",
                        sku->id);
    bo_sku other;
    const bo_rc rc = e->st->ops->sku_get(e->st, sku->substitutes[i], &other);
    if (rc == BO_E_NOT_FOUND)
      return bo_err_set(err, BO_E_INVALID, "substitutes", "substitute sku \"%s\" not found",
                        sku->substitutes[i]);
    if (rc) return bo_err_set(err, rc, "", "cannot read sku \"%s\"", sku->substitutes[i]);
  }
  return BO_OK;
}

/* A policy change may not strand backorders the new policy forbids (SPEC 3.6). */
static bo_rc check_policy_change(const bo_sku *sku, int64_t incoming, bo_err *err) {
  if (sku->backordered == 0) return BO_OK;
  if (sku->policy == BO_POLICY_DENY)
    return bo_err_set(err, BO_E_CONFLICT, "backorder_policy",
                      "sku \"%s\" has %lld units on backorder: cancel or fill them before "
                      "setting policy deny",
                      sku->id, (long long)sku->backordered);
  const int64_t limit = sku->backorder_limit == BO_LIMIT_INCOMING ? incoming : sku->backorder_limit;
  if (sku->backorder_limit != BO_LIMIT_NONE && sku->backordered > limit)
    return bo_err_set(err, BO_E_CONFLICT, "backorder_limit",
                      "sku \"%s\" has %lld units on backorder, more than the limit %lld",
                      sku->id, (long long)sku->backordered, (long long)limit);
  return BO_OK;
}

bo_rc bo_sku_create(bo_engine *e, int64_t now, const bo_sku_input *in, bo_err *err) {
  bo_sku sku = {
      .policy = BO_POLICY_ALLOW,
      .backorder_limit = BO_LIMIT_NONE,
      .max_backorder_days = BO_DAYS_NONE,
      .lead_time_days = BO_DAYS_NONE,
      .created_at = now,
      .updated_at = now,
  };
  memcpy(sku.id, in->v.id, sizeof sku.id);
  apply_fields(&sku, in);
  bo_sku opening = sku; /* status as it will stand once the opening stock is in */
  opening.on_hand = (in->fields & BO_SKU_F_ON_HAND) ? in->v.on_hand : 0;
  sku.status = bo_sku_status(&opening, 0);
  bo_rc rc = check_substitutes(e, &sku, err);
  if (rc) return rc;
  rc = e->st->ops->sku_insert(e->st, &sku);
  if (rc == BO_E_EXISTS) return bo_err_set(err, rc, "sku", "sku \"%s\" already exists", sku.id);
  if (rc) return bo_err_set(err, rc, "", "cannot store sku \"%s\"", sku.id);
  if ((in->fields & BO_SKU_F_ON_HAND) && in->v.on_hand > 0) {
    /* the opening stock is a ledger entry like any other */
    if ((rc = bo_adjust(e, now, sku.id, in->v.on_hand, "initial_count", NULL, err))) return rc;
    if ((rc = e->st->ops->sku_get(e->st, sku.id, &sku))) return rc;
  }
  rc = bo__event(e, now, "sku.created", "", sku.id, bo_sku_json(&sku));
  return rc ? bo_err_set(err, rc, "", "cannot record event") : BO_OK;
}

bo_rc bo_sku_patch(bo_engine *e, int64_t now, const char *id, const bo_sku_input *in,
                   bo_err *err) {
  bo_sku sku;
  bo_rc rc = e->st->ops->sku_get(e->st, id, &sku);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "sku \"%s\" not found", id);
  if (rc) return bo_err_set(err, rc, "", "cannot read sku \"%s\"", id);
  apply_fields(&sku, in);
  sku.updated_at = now;
  bo_incomings incoming;
  rc = e->st->ops->incoming_load(e->st, sku.id, &incoming);
  if (rc) return bo_err_set(err, rc, "", "cannot read supply of sku \"%s\"", id);
  if ((rc = check_policy_change(&sku, incoming.total, err))) return rc;
  if ((rc = check_substitutes(e, &sku, err))) return rc;
  if ((rc = e->st->ops->sku_update(e->st, &sku)))
    return bo_err_set(err, rc, "", "cannot store sku \"%s\"", id);
  return bo__settle(e, now, &sku, err);
}

bo_rc bo_adjust(bo_engine *e, int64_t now, const char *id, int64_t delta, const char *reason,
                bo_ledger_entry *out, bo_err *err) {
  BO_ASSERT(delta != 0);
  bo_sku sku;
  bo_rc rc = e->st->ops->sku_get(e->st, id, &sku);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "sku \"%s\" not found", id);
  if (rc) return bo_err_set(err, rc, "", "cannot read sku \"%s\"", id);
  if (delta < 0 && -delta > bo_sku_available(&sku))
    return bo_err_set(err, BO_E_CONFLICT, "delta",
                      "adjustment %lld of sku \"%s\" exceeds the %lld units available "
                      "(%lld on hand, %lld allocated to orders)",
                      (long long)delta, id, (long long)bo_sku_available(&sku),
                      (long long)sku.on_hand, (long long)sku.allocated);
  if (delta > 0 && sku.on_hand + delta > BO_STOCK_MAX)
    return bo_err_set(err, BO_E_INVALID, "delta", "on_hand of sku \"%s\" would exceed %lld", id,
                      (long long)BO_STOCK_MAX);
  sku.on_hand += delta;
  sku.updated_at = now;
  bo_ledger_entry entry = {.delta = delta, .on_hand_after = sku.on_hand, .at = now};
  memcpy(entry.sku, sku.id, sizeof entry.sku);
  snprintf(entry.reason, sizeof entry.reason, "%s", reason);
  if ((rc = e->st->ops->ledger_append(e->st, &entry)))
    return bo_err_set(err, rc, "", "cannot write ledger of sku \"%s\"", id);
  if (out) *out = entry;
  if ((rc = bo__settle(e, now, &sku, err))) return rc;
  return BO_OK;
}
