/*
 * store.h — the one interface to durable state.
 *
 * A backend is a table of functions (SQLite's VFS is the model): the engine
 * calls only these, so the SQLite backend and a PostgreSQL one are
 * interchangeable. The store keeps rows; it makes no domain decision.
 *
 * Transactions: the writer opens one transaction per batch (begin/commit)
 * and a savepoint per request inside it (savepoint/release/rollback_to)
 * when one is needed (see writer.h).
 * Readers use a store opened read-only and see the last commit.
 *
 * Errors: BO_E_NOT_FOUND for a missing row, BO_E_EXISTS for a duplicate
 * key, BO_E_STORE for anything the backend could not do.
 */
#ifndef BO_STORE_H
#define BO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/domain.h"

typedef struct bo_store bo_store;

/* A growable array of lines owned by the caller; release with bo_lines_release. */
typedef struct bo_lines {
  bo_line *v;
  size_t n, cap;
} bo_lines;
bo_rc bo_lines_push(bo_lines *a, const bo_line *l);
/* Room for n more lines without growing again. */
bo_rc bo_lines_reserve(bo_lines *a, size_t n);
/* A new last element of a (uninitialised), or NULL when out of memory. */
bo_line *bo_lines_add(bo_lines *a);
void bo_lines_release(bo_lines *a);

/* An open supply line of a SKU with the purchase order it comes from. */
typedef struct bo_incoming {
  char po[BO_ID_LEN_MAX + 1];
  int64_t qty; /* open units: ordered - received */
  bo_day eta;
} bo_incoming;

typedef struct bo_incomings {
  int n;
  int64_t total;
  bo_incoming v[BO_OPEN_SUPPLY_MAX]; /* by eta; a PO that would add more is refused */
} bo_incomings;

typedef struct bo_order {
  char id[BO_ID_LEN_MAX + 1];
  char customer_id[BO_ID_LEN_MAX + 1];
  char customer_email[BO_EMAIL_LEN_MAX + 1];
  int32_t tier;
  bo_ship_policy ship_policy;
  bo_day need_by; /* BO_DAY_NONE when none */
  bo_if_late if_late;
  bo_order_status status;
  int64_t created_at;
  int64_t updated_at;
} bo_order;

typedef struct bo_supplier {
  char id[BO_ID_LEN_MAX + 1];
  char name[BO_NAME_LEN_MAX + 1];
  int32_t lead_time_days;
  int64_t created_at;
} bo_supplier;

typedef enum {
  BO_PO_OPEN,
  BO_PO_PARTIALLY_RECEIVED,
  BO_PO_RECEIVED,
  BO_PO_CANCELLED
} bo_po_status;

typedef struct bo_po_line {
  int32_t line_no;
  char sku[BO_SKU_ID_LEN_MAX + 1];
  int64_t qty;
  int64_t received;
  bool open; /* counts as incoming supply */
} bo_po_line;

typedef struct bo_po {
  char id[BO_ID_LEN_MAX + 1];
  char supplier[BO_ID_LEN_MAX + 1];
  bo_day eta;
  bo_po_status status;
  int64_t created_at;
  int64_t updated_at;
  int n_lines;
  bo_po_line lines[BO_LINES_PER_ORDER_MAX];
} bo_po;

typedef struct bo_shipment {
  char id[BO_ID_LEN_MAX + 1];
  char order_id[BO_ID_LEN_MAX + 1];
  int64_t at;
  const char *lines; /* JSON array text; borrowed */
} bo_shipment;

typedef struct bo_ledger_entry {
  int64_t id;
  char sku[BO_SKU_ID_LEN_MAX + 1];
  int64_t delta;
  int64_t on_hand_after;
  char reason[BO_REASON_LEN_MAX + 1];
  char ref[BO_ID_LEN_MAX + 1]; /* order, PO or "" */
  int64_t at;
} bo_ledger_entry;

typedef struct bo_event {
  int64_t id;
  char type[48];
  int64_t at;
  char order_id[BO_ID_LEN_MAX + 1];
  char sku[BO_SKU_ID_LEN_MAX + 1];
  const char *data; /* JSON object text; borrowed */
} bo_event;

/* An event about one order line, as the engine hands many of them over at
 * once: its data is {"order":order_id,"sku":SKU,"line":line_no<tail>},
 * where tail is "" or JSON members starting with ','. All borrowed. */
typedef struct bo_line_event {
  const char *type;
  const char *order_id;
  int32_t line_no;
  const char *tail;
} bo_line_event;

typedef struct bo_idem {
  int status;
  uint64_t fingerprint; /* of the request body */
  char *body;           /* malloc'd response; caller frees */
} bo_idem;

/* Keyset pagination: `after` is the last key of the previous page ("" first). */
typedef struct bo_page {
  const char *after;
  int limit;
} bo_page;

typedef bo_rc (*bo_sku_cb)(void *ctx, const bo_sku *sku);
typedef bo_rc (*bo_order_cb)(void *ctx, const bo_order *order);
typedef bo_rc (*bo_line_cb)(void *ctx, const bo_line *line);
typedef bo_rc (*bo_ledger_cb)(void *ctx, const bo_ledger_entry *e);
typedef bo_rc (*bo_event_cb)(void *ctx, const bo_event *e);
typedef bo_rc (*bo_supplier_cb)(void *ctx, const bo_supplier *s);
typedef bo_rc (*bo_po_cb)(void *ctx, const bo_po *po);
typedef bo_rc (*bo_shipment_cb)(void *ctx, const bo_shipment *s);
typedef bo_rc (*bo_id_cb)(void *ctx, const char *id);

typedef struct bo_store_ops {
  const char *name;
  void (*close)(bo_store *st);

  bo_rc (*begin)(bo_store *st);
  bo_rc (*commit)(bo_store *st);
  bo_rc (*rollback)(bo_store *st);
  bo_rc (*savepoint)(bo_store *st);
  bo_rc (*release)(bo_store *st);
  bo_rc (*rollback_to)(bo_store *st);
  /* A count that moves with every row written in the open transaction, and
   * -1 once the transaction is gone (a backend may end it on an I/O error):
   * the writer compares two to learn whether a job that failed wrote. */
  int64_t (*write_mark)(bo_store *st);
  /* Makes every commit so far durable (the writer commits without waiting
   * for the disk and calls this, from another thread, before answering). */
  bo_rc (*flush)(bo_store *st);
  /* Backends with a write-ahead log (may be NULL): how much of it waits to
   * be copied into the database, and a checkpoint that copies it without
   * blocking the writer, called from one thread other than the writer's. */
  int64_t (*log_pending)(bo_store *st);
  bo_rc (*checkpoint)(bo_store *st);
  /* How many times the log has started over (NULL with log_pending). */
  int64_t (*log_restarts)(bo_store *st);
  /* Hands over the SKUs written since the last call (rolled-back writes
   * included: telling too much is harmless), or *all when a write may
   * concern every SKU; then forgets them. For caches of derived answers. */
  void (*changes_take)(bo_store *st, bool *all, bo_id_cb cb, void *ctx);

  /* small key/value settings: clock, admin token, id counters */
  bo_rc (*meta_get)(bo_store *st, const char *key, char *buf, size_t size);
  bo_rc (*meta_set)(bo_store *st, const char *key, const char *value);
  /* next value of the named counter (1, 2, ...) */
  bo_rc (*next_id)(bo_store *st, const char *counter, int64_t *out);

  bo_rc (*sku_get)(bo_store *st, const char *id, bo_sku *out);
  bo_rc (*sku_insert)(bo_store *st, const bo_sku *sku);
  bo_rc (*sku_update)(bo_store *st, const bo_sku *sku);
  /* writes only the counters and updated_at (the hot path: no index changes) */
  bo_rc (*sku_update_counters)(bo_store *st, const bo_sku *sku);
  /* SKUs by id after page->after; status < 0 for any status */
  bo_rc (*sku_list)(bo_store *st, int status, const bo_page *page, bo_sku_cb cb, void *ctx);
  bo_rc (*sku_count)(bo_store *st, int64_t *out);

  bo_rc (*ledger_append)(bo_store *st, bo_ledger_entry *e); /* sets e->id */
  bo_rc (*ledger_list)(bo_store *st, const char *sku, int64_t after_id, int limit,
                       bo_ledger_cb cb, void *ctx);
  bo_rc (*ledger_sum)(bo_store *st, const char *sku, int64_t *out);

  /* open purchase-order lines of a SKU, by eta then PO id */
  bo_rc (*incoming_load)(bo_store *st, const char *sku, bo_incomings *out);

  bo_rc (*order_insert)(bo_store *st, const bo_order *o);
  /* one more than the highest order sequence number (for generated ids) */
  bo_rc (*order_next_seq)(bo_store *st, int64_t *out);
  bo_rc (*order_update)(bo_store *st, const bo_order *o);
  bo_rc (*order_get)(bo_store *st, const char *id, bo_order *out);
  /* orders newest first: page->after is the id of the last order seen */
  bo_rc (*order_list)(bo_store *st, int status, const bo_page *page, bo_order_cb cb,
                      void *ctx); /* status < 0 for any */
  bo_rc (*order_lines)(bo_store *st, const char *order_id, bo_lines *out);

  bo_rc (*line_insert)(bo_store *st, const bo_line *l);
  bo_rc (*line_update)(bo_store *st, const bo_line *l);
  /* writes only the promise fields (promise, first_promise, delays, consented)
   * of a line that waits (backordered > 0), for re-dating */
  bo_rc (*line_update_promise)(bo_store *st, const bo_line *l);
  /* Every backordered line of last->sku up to `last` in queue order (included)
   * gets all its backordered units allocated and no promise, keeping its
   * first promise, delays and consent: the head of a queue that arriving
   * stock filled, written in bulk (not line by line). */
  bo_rc (*queue_fill_through)(bo_store *st, const bo_line *last);
  /* Every backordered line of from->sku from `from` to `to` in queue order
   * (both included) gets like->promise, first_promise where it had none
   * (the promise's date), and with `delayed` one more delay and no consent:
   * a run of lines re-dated alike, in one statement. */
  bo_rc (*line_update_promise_run)(bo_store *st, const bo_line *from, const bo_line *to,
                                   const bo_line *like, bool delayed);
  /* whether any line of the order still has backordered units */
  bo_rc (*order_waiting)(bo_store *st, const char *order_id, bool *out);
  /* the SKU's open backordered lines in queue order */
  bo_rc (*queue_load)(bo_store *st, const char *sku, bo_lines *out);
  /* whether any backordered line of l->sku sorts after l in the queue */
  bo_rc (*queue_has_after)(bo_store *st, const bo_line *l, bool *out);
  /* backordered lines (of one SKU when sku != NULL) in queue order, paged */
  bo_rc (*queue_list)(bo_store *st, const char *sku, const bo_page *page, bo_line_cb cb,
                      void *ctx);
  /* every order line, in no particular order (invariant checks) */
  bo_rc (*lines_scan)(bo_store *st, bo_line_cb cb, void *ctx);

  bo_rc (*event_append)(bo_store *st, bo_event *e); /* sets e->id */
  /* Appends n line events of one SKU, all at `at`, with consecutive ids in
   * the order given; the backend may fold them into fewer rows, and
   * event_list gives them back one by one exactly as event_append would. */
  bo_rc (*event_append_lines)(bo_store *st, int64_t at, const char *sku,
                              const bo_line_event *v, size_t n);
  bo_rc (*event_list)(bo_store *st, int64_t after_id, int limit, bo_event_cb cb, void *ctx);
  bo_rc (*event_last_id)(bo_store *st, int64_t *out);

  bo_rc (*supplier_insert)(bo_store *st, const bo_supplier *s);
  bo_rc (*supplier_get)(bo_store *st, const char *id, bo_supplier *out);
  bo_rc (*supplier_list)(bo_store *st, const bo_page *page, bo_supplier_cb cb, void *ctx);

  /* purchase orders with their lines; po_update rewrites the header and lines */
  bo_rc (*po_insert)(bo_store *st, const bo_po *po);
  bo_rc (*po_update)(bo_store *st, const bo_po *po);
  bo_rc (*po_get)(bo_store *st, const char *id, bo_po *out);
  /* newest first; page->after is the id of the last PO seen */
  bo_rc (*po_list)(bo_store *st, const bo_page *page, bo_po_cb cb, void *ctx);

  bo_rc (*shipment_insert)(bo_store *st, const bo_shipment *s);
  bo_rc (*shipment_list)(bo_store *st, const char *order_id, bo_shipment_cb cb, void *ctx);

  /* SKUs with backordered units, by id after page->after (daily re-promise, expiry) */
  bo_rc (*waiting_skus)(bo_store *st, const bo_page *page, bo_id_cb cb, void *ctx);

  bo_rc (*idem_get)(bo_store *st, const char *key, bo_idem *out);
  bo_rc (*idem_put)(bo_store *st, const char *key, const bo_idem *in, int64_t at);
} bo_store_ops;

struct bo_store {
  const bo_store_ops *ops;
};

typedef enum { BO_STORE_WRITER, BO_STORE_READER } bo_store_mode;

/* Opens the SQLite store at path (created and migrated in writer mode). */
bo_rc bo_store_sqlite_open(const char *path, bo_store_mode mode, bo_store **out, bo_err *err);

#endif
