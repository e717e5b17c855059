/*
 * demo.c — a small demo data set: a toy shop with one SKU in each state,
 * and the doll example of the seed articles (20 ordered, 15 in stock).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct demo_sku {
  const char *id, *name;
  bo_policy policy;
  int64_t on_hand, limit, threshold;
  bool discontinued;
} demo_sku;

static const demo_sku skus[] = {
    {"DOLL-RED-30CM", "Red doll, 30 cm", BO_POLICY_NOTIFY, 15, BO_LIMIT_NONE, 3, false},
    {"DOLL-BLUE-30CM", "Blue doll, 30 cm", BO_POLICY_NOTIFY, 40, BO_LIMIT_NONE, 5, false},
    {"TEDDY-BEAR-L", "Teddy bear, large", BO_POLICY_DENY, 8, BO_LIMIT_NONE, 3, false},
    {"PUZZLE-1000", "Puzzle, 1000 pieces", BO_POLICY_ALLOW, 0, 50, 2, false},
    {"TRAIN-SET-CLASSIC", "Classic train set", BO_POLICY_NOTIFY, 2, BO_LIMIT_NONE, 2, true},
};

bo_rc bo_demo_load(bo_engine *e, int64_t now, bo_err *err) {
  bo_rc rc = BO_OK;
  for (size_t i = 0; i < sizeof skus / sizeof skus[0] && !rc; i++) {
    bo_sku_input in = {.fields = BO_SKU_F_NAME | BO_SKU_F_POLICY | BO_SKU_F_LIMIT |
                                 BO_SKU_F_THRESHOLD | BO_SKU_F_DISCONTINUED | BO_SKU_F_ON_HAND};
    snprintf(in.v.id, sizeof in.v.id, "%s", skus[i].id);
    snprintf(in.v.name, sizeof in.v.name, "%s", skus[i].name);
    in.v.policy = skus[i].policy;
    in.v.backorder_limit = skus[i].limit;
    in.v.low_stock_threshold = skus[i].threshold;
    in.v.discontinued = skus[i].discontinued;
    in.v.on_hand = skus[i].on_hand;
    if (strcmp(skus[i].id, "DOLL-RED-30CM") == 0) {
      in.fields |= BO_SKU_F_SUBSTITUTES | BO_SKU_F_LEAD;
      in.v.lead_time_days = 5;
      in.v.n_substitutes = 0;
    }
    rc = bo_sku_create(e, now, &in, err);
  }
  /* the doll example: 20 ordered, 15 in stock */
  bo_order_request req = {.n_lines = 1};
  snprintf(req.order.id, sizeof req.order.id, "DEMO-1001");
  snprintf(req.order.customer_id, sizeof req.order.customer_id, "teacher-anna");
  snprintf(req.order.customer_email, sizeof req.order.customer_email, "anna@example.com");
  req.order.need_by = BO_DAY_NONE;
  snprintf(req.lines[0].sku, sizeof req.lines[0].sku, "DOLL-RED-30CM");
  req.lines[0].qty = 20;
  if (!rc) rc = bo_order_place(e, now, &req, NULL, err);
  return rc;
}
