/*
 * policy.c — what a SKU's backorder policy allows, and how its availability
 * reads on a storefront (SPEC 4, "Backorder policy" and "Availability status").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"

_Noreturn void bo__assert_fail(const char *expr, const char *file, int line) {
  fprintf(stderr, "backorder: assertion failed: %s (%s:%d)\n", expr, file, line);
  abort();
}

int64_t bo_backorder_room(const bo_sku *sku, int64_t incoming_units) {
  if (sku->policy == BO_POLICY_DENY || sku->discontinued) return 0;
  int64_t limit;
  if (sku->backorder_limit == BO_LIMIT_NONE) return INT64_MAX;
  limit = sku->backorder_limit == BO_LIMIT_INCOMING ? incoming_units : sku->backorder_limit;
  return limit > sku->backordered ? limit - sku->backordered : 0;
}

bo_split bo_split_line(const bo_sku *sku, int64_t incoming_units, int64_t qty) {
  BO_ASSERT(qty > 0 && qty <= BO_QTY_MAX);
  const int64_t available = bo_sku_available(sku);
  BO_ASSERT(available >= 0);
  bo_split s = {.allocated = qty < available ? qty : available, .rc = BO_OK};
  s.backordered = qty - s.allocated;
  if (s.backordered == 0) return s;
  if (sku->policy == BO_POLICY_DENY) {
    s.rc = BO_E_OUT_OF_STOCK;
  } else if (sku->discontinued) {
    s.rc = BO_E_DISCONTINUED;
  } else if (s.backordered > bo_backorder_room(sku, incoming_units)) {
    s.rc = BO_E_LIMIT;
  }
  return s;
}

bo_status bo_sku_status(const bo_sku *sku, int64_t incoming_units) {
  const int64_t available = bo_sku_available(sku);
  if (available > sku->low_stock_threshold) return BO_STATUS_IN_STOCK;
  if (available > 0) return BO_STATUS_LOW_STOCK;
  return bo_backorder_room(sku, incoming_units) > 0 ? BO_STATUS_BACKORDER
                                                    : BO_STATUS_OUT_OF_STOCK;
}

void bo_status_message(const bo_sku *sku, bo_status st, bo_day earliest, bool estimate,
                       char *buf, size_t size) {
  char day[16];
  switch (st) {
    case BO_STATUS_IN_STOCK:
      snprintf(buf, size, "In stock");
      return;
    case BO_STATUS_LOW_STOCK:
      snprintf(buf, size, "Only %lld left", (long long)bo_sku_available(sku));
      return;
    case BO_STATUS_BACKORDER:
      if (earliest == BO_DAY_NONE)
        snprintf(buf, size, "On backorder");
      else
        snprintf(buf, size, "On backorder – ships by %s%s", bo_day_format_human(earliest, day),
                 estimate ? " (estimated)" : "");
      return;
    case BO_STATUS_OUT_OF_STOCK:
      snprintf(buf, size, sku->discontinued ? "Out of stock – discontinued"
                                            : "Out of stock – get notified");
      return;
  }
  snprintf(buf, size, "Unknown");
}

const char *bo_status_name(bo_status st) {
  switch (st) {
    case BO_STATUS_IN_STOCK: return "in_stock";
    case BO_STATUS_LOW_STOCK: return "low_stock";
    case BO_STATUS_BACKORDER: return "backorder";
    case BO_STATUS_OUT_OF_STOCK: return "out_of_stock";
  }
  return "unknown";
}

const char *bo_policy_name(bo_policy p) {
  switch (p) {
    case BO_POLICY_DENY: return "deny";
    case BO_POLICY_ALLOW: return "allow";
    case BO_POLICY_NOTIFY: return "notify";
  }
  return "unknown";
}

bool bo_policy_parse(const char *s, bo_policy *out) {
  static const bo_policy all[] = {BO_POLICY_DENY, BO_POLICY_ALLOW, BO_POLICY_NOTIFY};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
    if (strcmp(s, bo_policy_name(all[i])) == 0) {
      *out = all[i];
      return true;
    }
  }
  return false;
}

const char *bo_order_status_name(bo_order_status st) {
  switch (st) {
    case BO_ORDER_OPEN: return "open";
    case BO_ORDER_PARTIALLY_SHIPPED: return "partially_shipped";
    case BO_ORDER_SHIPPED: return "shipped";
    case BO_ORDER_CANCELLED: return "cancelled";
  }
  return "unknown";
}
