/*
 * supply.c — suppliers, purchase orders and receipts: the supply side of
 * time-phased ATP (SPEC 4, "Promises" and "Allocation of arriving stock").
 *
 * Every change to a PO's open units or ETA re-settles each SKU it carries,
 * in the same transaction: receipts allocate to the queue, and every line
 * whose promise moved gets its event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static const char *po_status_name(bo_po_status st) {
  switch (st) {
    case BO_PO_OPEN: return "open";
    case BO_PO_PARTIALLY_RECEIVED: return "partially_received";
    case BO_PO_RECEIVED: return "received";
    case BO_PO_CANCELLED: return "cancelled";
  }
  return "unknown";
}

json_t *bo_po_json(const bo_po *po) {
  char eta[11], at[21];
  json_t *lines = json_array();
  for (int i = 0; i < po->n_lines; i++) {
    const bo_po_line *l = &po->lines[i];
    json_array_append_new(lines, json_pack("{s:s,s:I,s:I,s:I}", "sku", l->sku, "qty",
                                           (json_int_t)l->qty, "received",
                                           (json_int_t)l->received, "open",
                                           (json_int_t)(l->open ? l->qty - l->received : 0)));
  }
  json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", po->id, "supplier", po->supplier, "eta",
                        bo_day_format(po->eta, eta), "status", po_status_name(po->status),
                        "lines", lines);
  json_object_set_new(j, "created_at", json_string(bo_time_format(po->created_at, at)));
  json_object_set_new(j, "updated_at", json_string(bo_time_format(po->updated_at, at)));
  return j;
}

json_t *bo_supplier_json(const bo_supplier *s) {
  char at[21];
  return json_pack("{s:s,s:s,s:i,s:s}", "id", s->id, "name", s->name, "lead_time_days",
                   s->lead_time_days, "created_at", bo_time_format(s->created_at, at));
}

bo_rc bo_supplier_create(bo_engine *e, int64_t now, const bo_supplier *in, bo_err *err) {
  bo_supplier s = *in;
  s.created_at = now;
  const bo_rc rc = e->st->ops->supplier_insert(e->st, &s);
  if (rc == BO_E_EXISTS) return bo_err_set(err, rc, "id", "supplier \"%s\" already exists", s.id);
  if (rc) return bo_err_set(err, rc, "", "cannot store supplier \"%s\"", s.id);
  return BO_OK;
}

/* Settles one SKU by id (after its supply changed). */
static bo_rc settle_id(bo_engine *e, int64_t now, const char *id, bo_err *err) {
  bo_sku sku;
  const bo_rc rc = e->st->ops->sku_get(e->st, id, &sku);
  if (rc) return bo_err_set(err, rc, "", "cannot read sku \"%s\"", id);
  return bo__settle(e, now, &sku, err);
}

static bo_rc settle_po_skus(bo_engine *e, int64_t now, const bo_po *po, bo_err *err) {
  for (int i = 0; i < po->n_lines; i++) {
    bool seen = false;
    for (int j = 0; j < i && !seen; j++) seen = strcmp(po->lines[j].sku, po->lines[i].sku) == 0;
    if (seen) continue;
    const bo_rc rc = settle_id(e, now, po->lines[i].sku, err);
    if (rc) return rc;
  }
  return BO_OK;
}

bo_rc bo_po_create(bo_engine *e, int64_t now, const bo_po_request *req,
                   char id_out[BO_ID_LEN_MAX + 1], bo_err *err) {
  BO_ASSERT(req->n_lines > 0 && req->n_lines <= BO_LINES_PER_ORDER_MAX);
  bo_po *po = calloc(1, sizeof *po);
  if (!po) return bo_err_set(err, BO_E_NOMEM, "", "out of memory");
  bo_rc rc = BO_OK;
  bo_supplier sp;
  if ((rc = e->st->ops->supplier_get(e->st, req->supplier, &sp))) {
    bo_err_set(err, rc == BO_E_NOT_FOUND ? BO_E_INVALID : rc, "supplier",
               "supplier \"%s\" not found", req->supplier);
    goto done;
  }
  memcpy(po->id, req->id, sizeof po->id);
  if (!po->id[0]) {
    int64_t n;
    if ((rc = e->st->ops->next_id(e->st, "po", &n))) goto done;
    snprintf(po->id, sizeof po->id, "PO-%06lld", (long long)n);
  }
  memcpy(po->supplier, req->supplier, sizeof po->supplier);
  po->eta = req->eta;
  po->status = BO_PO_OPEN;
  po->created_at = po->updated_at = now;
  po->n_lines = req->n_lines;
  for (int i = 0; i < req->n_lines; i++) {
    bo_sku sku;
    if ((rc = e->st->ops->sku_get(e->st, req->lines[i].sku, &sku))) {
      char field[48];
      snprintf(field, sizeof field, "lines[%d].sku", i);
      bo_err_set(err, rc == BO_E_NOT_FOUND ? BO_E_INVALID : rc, field, "sku \"%s\" not found",
                 req->lines[i].sku);
      goto done;
    }
    bo_incomings in;
    if ((rc = e->st->ops->incoming_load(e->st, sku.id, &in))) goto done;
    if (in.n >= BO_OPEN_SUPPLY_MAX) {
      char field[48];
      snprintf(field, sizeof field, "lines[%d].sku", i);
      rc = bo_err_set(err, BO_E_CONFLICT, field,
                      "sku \"%s\" already has %d open purchase-order lines: receive or cancel some",
                      sku.id, BO_OPEN_SUPPLY_MAX);
      goto done;
    }
    po->lines[i] = (bo_po_line){.line_no = i + 1, .qty = req->lines[i].qty, .open = true};
    memcpy(po->lines[i].sku, req->lines[i].sku, sizeof po->lines[i].sku);
  }
  rc = e->st->ops->po_insert(e->st, po);
  if (rc == BO_E_EXISTS) {
    bo_err_set(err, rc, "id", "purchase order \"%s\" already exists", po->id);
    goto done;
  }
  if (!rc) rc = bo__event(e, now, "po.created", "", "", json_pack("{s:s,s:o}", "purchase_order", po->id, "po", bo_po_json(po)));
  if (!rc) rc = settle_po_skus(e, now, po, err);
  if (!rc) memcpy(id_out, po->id, BO_ID_LEN_MAX + 1);
done:
  free(po);
  if (rc && !err->rc) bo_err_set(err, rc, "", "cannot store purchase order");
  return rc;
}

static bo_rc po_load_open(bo_engine *e, const char *id, bo_po *po, bo_err *err) {
  const bo_rc rc = e->st->ops->po_get(e->st, id, po);
  if (rc == BO_E_NOT_FOUND) return bo_err_set(err, rc, "", "purchase order \"%s\" not found", id);
  if (rc) return bo_err_set(err, rc, "", "cannot read purchase order \"%s\"", id);
  if (po->status == BO_PO_RECEIVED || po->status == BO_PO_CANCELLED)
    return bo_err_set(err, BO_E_CONFLICT, "", "purchase order \"%s\" is %s", id,
                      po_status_name(po->status));
  return BO_OK;
}

bo_rc bo_po_patch(bo_engine *e, int64_t now, const char *id, bo_day eta, bool cancel,
                  bo_err *err) {
  bo_po *po = malloc(sizeof *po);
  if (!po) return bo_err_set(err, BO_E_NOMEM, "", "out of memory");
  bo_rc rc = po_load_open(e, id, po, err);
  if (rc) goto done;
  char from[11], to[11];
  const bo_day old_eta = po->eta;
  if (eta != BO_DAY_NONE) po->eta = eta;
  if (cancel) {
    po->status = BO_PO_CANCELLED;
    for (int i = 0; i < po->n_lines; i++) po->lines[i].open = false;
  }
  po->updated_at = now;
  if ((rc = e->st->ops->po_update(e->st, po))) goto done;
  if (eta != BO_DAY_NONE && eta != old_eta)
    rc = bo__event(e, now, eta > old_eta ? "po.delayed" : "po.eta_changed", "", "",
                   json_pack("{s:s,s:s,s:s,s:i}", "purchase_order", po->id, "old_eta",
                             bo_day_format(old_eta, from), "eta", bo_day_format(eta, to),
                             "days", eta - old_eta));
  if (!rc && cancel)
    rc = bo__event(e, now, "po.cancelled", "", "", json_pack("{s:s}", "purchase_order", po->id));
  if (!rc) rc = settle_po_skus(e, now, po, err);
done:
  free(po);
  if (rc && !err->rc) bo_err_set(err, rc, "", "cannot update purchase order \"%s\"", id);
  return rc;
}

/* Adds `qty` received units of line l to stock: ledger, counters, settle. */
static bo_rc receive_line(bo_engine *e, int64_t now, const bo_po *po, const char *sku_id,
                          int64_t qty, bo_err *err) {
  bo_sku sku;
  bo_rc rc = e->st->ops->sku_get(e->st, sku_id, &sku);
  if (rc) return bo_err_set(err, rc, "", "cannot read sku \"%s\"", sku_id);
  if (sku.on_hand + qty > BO_STOCK_MAX)
    return bo_err_set(err, BO_E_INVALID, "", "on_hand of sku \"%s\" would exceed %lld", sku_id,
                      (long long)BO_STOCK_MAX);
  sku.on_hand += qty;
  bo_ledger_entry entry = {.delta = qty, .on_hand_after = sku.on_hand, .at = now};
  memcpy(entry.sku, sku.id, sizeof entry.sku);
  snprintf(entry.reason, sizeof entry.reason, "receipt");
  snprintf(entry.ref, sizeof entry.ref, "%s", po->id);
  if ((rc = e->st->ops->ledger_append(e->st, &entry)))
    return bo_err_set(err, rc, "", "cannot write ledger of sku \"%s\"", sku_id);
  return bo__settle(e, now, &sku, err);
}

/* Books the requested quantities on the PO's lines; 409 beyond what is open. */
static bo_rc book_receipt(bo_po *po, const bo_line_request *lines, int n, bool close,
                          bo_err *err) {
  for (int i = 0; i < n; i++) {
    int64_t left = lines[i].qty, open = 0;
    for (int k = 0; k < po->n_lines; k++)
      if (strcmp(po->lines[k].sku, lines[i].sku) == 0 && po->lines[k].open)
        open += po->lines[k].qty - po->lines[k].received;
    char field[48];
    snprintf(field, sizeof field, "lines[%d].qty", i);
    if (left > open)
      return bo_err_set(err, BO_E_CONFLICT, field,
                        "receipt of %lld units of sku \"%s\" exceeds the %lld open on purchase "
                        "order \"%s\"",
                        (long long)left, lines[i].sku, (long long)open, po->id);
    for (int k = 0; k < po->n_lines && left > 0; k++) {
      bo_po_line *l = &po->lines[k];
      if (strcmp(l->sku, lines[i].sku) != 0 || !l->open) continue;
      const int64_t take = left < l->qty - l->received ? left : l->qty - l->received;
      l->received += take;
      left -= take;
      l->open = l->received < l->qty;
    }
  }
  bool any_open = false, any_received = false;
  for (int k = 0; k < po->n_lines; k++) {
    if (close) po->lines[k].open = false;
    any_open = any_open || po->lines[k].open;
    any_received = any_received || po->lines[k].received > 0;
  }
  po->status = any_open ? (any_received ? BO_PO_PARTIALLY_RECEIVED : BO_PO_OPEN)
                        : (any_received ? BO_PO_RECEIVED : BO_PO_CANCELLED);
  return BO_OK;
}

bo_rc bo_po_receive(bo_engine *e, int64_t now, const char *id, const bo_line_request *lines,
                    int n_lines, bool close, bo_err *err) {
  bo_po *po = malloc(sizeof *po);
  if (!po) return bo_err_set(err, BO_E_NOMEM, "", "out of memory");
  bo_rc rc = po_load_open(e, id, po, err);
  if (!rc) {
    for (int i = 0; i < n_lines && !rc; i++) {
      bool on_po = false;
      for (int k = 0; k < po->n_lines && !on_po; k++) on_po = strcmp(po->lines[k].sku, lines[i].sku) == 0;
      if (!on_po) {
        char field[48];
        snprintf(field, sizeof field, "lines[%d].sku", i);
        rc = bo_err_set(err, BO_E_INVALID, field, "sku \"%s\" is not on purchase order \"%s\"",
                        lines[i].sku, id);
      }
    }
  }
  if (!rc) rc = book_receipt(po, lines, n_lines, close, err);
  if (!rc) {
    po->updated_at = now;
    rc = e->st->ops->po_update(e->st, po);
  }
  /* the PO's open units are stored first, so each SKU settles against the new supply */
  for (int i = 0; i < n_lines && !rc; i++) rc = receive_line(e, now, po, lines[i].sku, lines[i].qty, err);
  if (!rc && close) rc = settle_po_skus(e, now, po, err);
  if (!rc) {
    json_t *got = json_array();
    for (int i = 0; i < n_lines; i++)
      json_array_append_new(got, json_pack("{s:s,s:I}", "sku", lines[i].sku, "qty",
                                           (json_int_t)lines[i].qty));
    rc = bo__event(e, now, "po.received", "", "",
                   json_pack("{s:s,s:o,s:s,s:b}", "purchase_order", po->id, "lines", got,
                             "status", po_status_name(po->status), "closed", close));
  }
  free(po);
  if (rc && !err->rc) bo_err_set(err, rc, "", "cannot receive purchase order \"%s\"", id);
  return rc;
}
