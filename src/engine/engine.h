/*
 * engine.h — the commands of backorder, each one transaction's worth of work.
 *
 * A command loads what it needs from the store, decides with the pure core
 * and writes the result back, with its events, through the same store. It
 * runs inside the transaction (savepoint) its caller opened, so a command
 * that fails changes nothing once its caller rolls back. Time is a parameter.
 */
#ifndef BO_ENGINE_H
#define BO_ENGINE_H

#include <jansson.h>

#include "../common/strbuf.h"
#include "../store/store.h"

typedef struct bo_config {
  int32_t default_lead_time_days; /* when neither the SKU nor its supplier says */
  int32_t max_backorder_days;     /* global default; BO_DAYS_NONE for none */
} bo_config;

typedef struct bo_engine {
  bo_store *st;
  bo_config cfg;
} bo_engine;

/* Fields present in a SKU create or patch request. */
enum {
  BO_SKU_F_NAME = 1u << 0,
  BO_SKU_F_POLICY = 1u << 1,
  BO_SKU_F_LIMIT = 1u << 2,
  BO_SKU_F_THRESHOLD = 1u << 3,
  BO_SKU_F_HANDLING = 1u << 4,
  BO_SKU_F_MAX_DAYS = 1u << 5,
  BO_SKU_F_LEAD = 1u << 6,
  BO_SKU_F_DISCONTINUED = 1u << 7,
  BO_SKU_F_PROTECT = 1u << 8,
  BO_SKU_F_SUPPLIER = 1u << 9,
  BO_SKU_F_SUBSTITUTES = 1u << 10,
  BO_SKU_F_ON_HAND = 1u << 11, /* create only: opening stock, a ledger entry */
};

typedef struct bo_sku_input {
  unsigned fields;
  bo_sku v;
} bo_sku_input;

typedef struct bo_line_request {
  char sku[BO_SKU_ID_LEN_MAX + 1];
  int64_t qty;
} bo_line_request;

typedef struct bo_order_request {
  bo_order order; /* id "" to generate one; status and times are set here */
  int n_lines;
  bo_line_request lines[BO_LINES_PER_ORDER_MAX];
} bo_order_request;

/* SKUs ------------------------------------------------------------------- */

/* Creates a SKU. BO_E_EXISTS when the id is taken. */
bo_rc bo_sku_create(bo_engine *e, int64_t now, const bo_sku_input *in, bo_err *err);
/* Changes the given fields of a SKU and settles it (policies may change promises). */
bo_rc bo_sku_patch(bo_engine *e, int64_t now, const char *id, const bo_sku_input *in,
                   bo_err *err);
/* A count correction or unplanned receipt: a ledger entry, then allocation to the queue. */
bo_rc bo_adjust(bo_engine *e, int64_t now, const char *sku, int64_t delta, const char *reason,
                bo_ledger_entry *out, bo_err *err);

/* Orders ----------------------------------------------------------------- */

/* Places an order: split each line, queue what waits, promise it. The whole
 * order is refused (nothing changes) when any line's policy forbids it.
 * On success *out (when not NULL) is the new order as JSON text (malloc'd). */
bo_rc bo_order_place(bo_engine *e, int64_t now, const bo_order_request *req, char **out,
                     bo_err *err);

/* Ships allocated units: all that is allocated when n_lines is 0. A complete
 * order ships only when every open unit is allocated. Writes the shipment id. */
bo_rc bo_order_ship(bo_engine *e, int64_t now, const char *order_id,
                    const bo_line_request *lines, int n_lines, char ship_id[BO_ID_LEN_MAX + 1],
                    bo_err *err);
/* Cancels a whole order (n_lines 0) or given quantities; backordered units go
 * before allocated ones, and released stock goes to the queue at once. */
bo_rc bo_order_cancel(bo_engine *e, int64_t now, const char *order_id,
                      const bo_line_request *lines, int n_lines, const char *reason,
                      bo_err *err);
/* The customer still wants the delayed units: the next delay will not cancel them. */
bo_rc bo_order_consent(bo_engine *e, int64_t now, const char *order_id, bo_err *err);

/* Periodic work for `now`, once per new day: expiry of backorders past
 * max_backorder_days and re-dating of promises whose date passed, SKU by SKU.
 * With `all` false it settles at most BO_TICK_SKUS_PER_BATCH SKUs and
 * remembers where it stopped (the writer calls it once per batch, so a big
 * database never stalls writes); with `all` true it finishes the day. */
bo_rc bo_tick(bo_engine *e, int64_t now, bool all, bo_err *err);

/* Suppliers and purchase orders ------------------------------------------ */

bo_rc bo_supplier_create(bo_engine *e, int64_t now, const bo_supplier *s, bo_err *err);

typedef struct bo_po_request {
  char id[BO_ID_LEN_MAX + 1]; /* "" to generate */
  char supplier[BO_ID_LEN_MAX + 1];
  bo_day eta;
  int n_lines;
  bo_line_request lines[BO_LINES_PER_ORDER_MAX];
} bo_po_request;

/* Creates an open PO; its units become incoming supply and date the queue. */
bo_rc bo_po_create(bo_engine *e, int64_t now, const bo_po_request *req,
                   char id_out[BO_ID_LEN_MAX + 1], bo_err *err);
/* Moves a PO's ETA (eta != BO_DAY_NONE) and/or cancels it; re-promises its SKUs. */
bo_rc bo_po_patch(bo_engine *e, int64_t now, const char *id, bo_day eta, bool cancel,
                  bo_err *err);
/* Stock arrives: ledger entries, allocation to the queues. `close` ends the PO
 * short: what was not received stops being incoming. */
bo_rc bo_po_receive(bo_engine *e, int64_t now, const char *id, const bo_line_request *lines,
                    int n_lines, bool close, bo_err *err);
json_t *bo_po_json(const bo_po *po);
json_t *bo_supplier_json(const bo_supplier *s);

/* Simulation: applies hypothetical changes, reports the promise changes they
 * cause, and rolls everything back. Must run inside a transaction. */
bo_rc bo_simulate(bo_engine *e, int64_t now, json_t *changes, json_t **out, bo_err *err);

/* Reads (any store, reader or writer) ------------------------------------ */

/* The lead time that applies to sku: its own, its supplier's, or the default. */
int32_t bo_lead_time_days(bo_engine *e, const bo_sku *sku);

/* Availability of one SKU (SPEC 5 shape) as JSON text (malloc'd). *own (may
 * be NULL) tells whether it depends on this SKU's rows alone: not when it
 * lists the substitutes that could ship instead. */
bo_rc bo_availability_text(bo_engine *e, int64_t now, const char *sku, char **out, bool *own,
                           bo_err *err);
/* Availability of one SKU (SPEC 5 shape), as a new JSON object. */
bo_rc bo_availability_json(bo_engine *e, int64_t now, const char *sku, json_t **out,
                           bo_err *err);
/* What an order would get now, committing nothing (SPEC 5 quote shape). */
bo_rc bo_quote_json(bo_engine *e, int64_t now, const bo_order_request *req, json_t **out,
                    bo_err *err);

/* JSON renderings of stored objects (new references). */
json_t *bo_sku_json(const bo_sku *sku);
json_t *bo_line_json(const bo_line *l);
bo_rc bo_order_json(bo_engine *e, const char *id, json_t **out, bo_err *err);
json_t *bo_schedule_json(const bo_schedule *s);
json_t *bo_ledger_json(const bo_ledger_entry *l);
json_t *bo_event_json(const bo_event *ev);

/* Invariants ------------------------------------------------------------- */

/* Checks every invariant of SPEC 3 (1–6) over the whole store; calls `report`
 * once per violation. Returns the number of violations, or a negative bo_rc. */
typedef void (*bo_violation_cb)(void *ctx, const char *message);
int64_t bo_check(bo_engine *e, int64_t now, bo_violation_cb report, void *ctx);

/* Internal, shared by the engine's files --------------------------------- */

/* Appends an event whose data is already JSON text (borrowed). */
bo_rc bo__event_text(bo_engine *e, int64_t now, const char *type, const char *order_id,
                     const char *sku, const char *data);
/* Appends an event; takes ownership of data and adds data.order / data.sku. */
bo_rc bo__event(bo_engine *e, int64_t now, const char *type, const char *order_id,
                const char *sku, json_t *data);
/* Allocates available stock to the SKU's queue, re-promises it, stores the
 * changed lines with their events and the SKU with its new counters and status. */
bo_rc bo__settle(bo_engine *e, int64_t now, bo_sku *sku, bo_err *err);
/* Recomputes an order's status from its stored lines and stores it when it
 * changed; *ready (may be NULL) tells whether nothing waits and something is allocated. */
bo_rc bo__order_refresh(bo_engine *e, int64_t now, const char *order_id, bool *ready);
/* Stores the SKU after recomputing its status; emits sku.status_changed. */
bo_rc bo__sku_save(bo_engine *e, int64_t now, bo_sku *sku, int64_t incoming_total);
/* The dating context of sku: today, handling and lead time. The lead time
 * dates only the units the open supply cannot cover (an estimate), so it is
 * looked up (the supplier's, a read) only when `units` wanted after the
 * first `ahead` units of supply[0..n) go past it; INT64_MAX: always. */
bo_promise_ctx bo__promise_ctx(bo_engine *e, const bo_sku *sku, int64_t now,
                               const bo_supply *supply, size_t n, int64_t ahead, int64_t units);
/* Emits order.created (and order.backordered when a line waits) for a new
 * order `o` with its lines, rendered as `text` (all borrowed). */
bo_rc bo_order_events(bo_engine *e, int64_t now, const bo_order *o, const bo_lines *lines,
                      const char *text);
/* Renders an order and its lines as the API shows them (text, malloc'd; NULL
 * when out of memory). */
char *bo_order_text(const bo_order *o, const bo_line *lines, size_t n);
/* Loads an order and its lines and renders it as the API shows it (text, malloc'd). */
bo_rc bo_order_text_load(bo_engine *e, const char *id, bo_order *o, bo_lines *lines,
                         char **out, bo_err *err);
/* Text rendering helpers (render.c): `,"key":`, a date or null, a schedule. */
static inline void bo__sb_key(bo_strbuf *sb, const char *key) {
  bo_sb_raw(sb, ",\"", 2);
  bo_sb_str(sb, key);
  bo_sb_raw(sb, "\":", 2);
}
static inline void bo__sb_int(bo_strbuf *sb, const char *key, int64_t v) { /* `,"key":N` */
  bo__sb_key(sb, key);
  bo_sb_i64(sb, v);
}
void bo__sb_day(bo_strbuf *sb, bo_day d);
void bo__sb_schedule(bo_strbuf *sb, const bo_schedule *s);
/* Copies the open supply into the core's form; returns the count. */
size_t bo__supply(const bo_incomings *in, bo_supply *out);

#endif
