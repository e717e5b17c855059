/*
 * domain.h — the words of backorder as C types, and the pure rules over them.
 *
 * Nothing here reads a clock, allocates, does I/O or knows SQL or HTTP.
 * Callers own all memory; `today` and `now` are parameters.
 */
#ifndef BO_DOMAIN_H
#define BO_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "limits.h"
#include "rc.h"

#define BO_ASSERT(cond)                                            \
  do {                                                             \
    if (!(cond)) bo__assert_fail(#cond, __FILE__, __LINE__);       \
  } while (0)
_Noreturn void bo__assert_fail(const char *expr, const char *file, int line);

typedef enum { BO_POLICY_DENY, BO_POLICY_ALLOW, BO_POLICY_NOTIFY } bo_policy;
typedef enum {
  BO_STATUS_IN_STOCK,
  BO_STATUS_LOW_STOCK,
  BO_STATUS_BACKORDER,
  BO_STATUS_OUT_OF_STOCK
} bo_status;
typedef enum { BO_SHIP_PARTIAL, BO_SHIP_COMPLETE } bo_ship_policy;
typedef enum { BO_IF_LATE_KEEP, BO_IF_LATE_CANCEL } bo_if_late;
typedef enum {
  BO_ORDER_OPEN,
  BO_ORDER_PARTIALLY_SHIPPED,
  BO_ORDER_SHIPPED,
  BO_ORDER_CANCELLED
} bo_order_status;

#define BO_LIMIT_NONE (-1)     /* backorder_limit: no limit */
#define BO_LIMIT_INCOMING (-2) /* backorder_limit "incoming": up to units on POs */
#define BO_DAYS_NONE (-1)      /* optional day counts left unset */
#define BO_US_PER_SECOND 1000000LL

typedef struct bo_sku {
  char id[BO_SKU_ID_LEN_MAX + 1];
  char name[BO_NAME_LEN_MAX + 1];
  bo_policy policy;
  int64_t backorder_limit; /* units, BO_LIMIT_NONE or BO_LIMIT_INCOMING */
  int64_t low_stock_threshold;
  int32_t handling_days;
  int32_t max_backorder_days; /* BO_DAYS_NONE: the global default */
  int32_t lead_time_days;     /* BO_DAYS_NONE: the supplier's */
  bool discontinued;
  bool protect_promises;
  char supplier[BO_ID_LEN_MAX + 1]; /* "" when none */
  int n_substitutes;
  char substitutes[BO_SUBSTITUTES_MAX][BO_SKU_ID_LEN_MAX + 1];
  /* counters, kept by the engine; see SPEC 3 */
  int64_t on_hand;
  int64_t allocated;
  int64_t backordered;
  bo_status status; /* last status stored, to detect changes */
  int64_t created_at;
  int64_t updated_at;
} bo_sku;

static inline int64_t bo_sku_available(const bo_sku *s) { return s->on_hand - s->allocated; }

/* One dated part of a promise: `qty` units expected to ship by `date`. */
typedef struct bo_promise_part {
  int64_t qty;
  bo_day date;
  bool estimate; /* no known supply covers these units */
} bo_promise_part;

typedef struct bo_schedule {
  int n;
  bo_promise_part parts[BO_PROMISE_PARTS_MAX];
} bo_schedule;

/* The promise date of a schedule: its latest date, BO_DAY_NONE when empty. */
bo_day bo_schedule_date(const bo_schedule *s);
int64_t bo_schedule_qty(const bo_schedule *s);
bool bo_schedule_equal(const bo_schedule *a, const bo_schedule *b);
/* Compact text form for storage: "5@20793;3@20800e" ("" when empty). */
size_t bo_schedule_encode(const bo_schedule *s, char *buf, size_t size);
bool bo_schedule_decode(const char *text, bo_schedule *out);

/* An order line, as the queue and the promise walk see it. */
typedef struct bo_line {
  char order_id[BO_ID_LEN_MAX + 1];
  int32_t line_no;
  char sku[BO_SKU_ID_LEN_MAX + 1];
  int64_t qty, allocated, backordered, shipped, cancelled;
  /* queue key: (queue_prio asc, queue_us asc, order_id asc, line_no asc);
   * queue_prio = -tier unless protect_promises placed the line further back */
  int64_t queue_prio;
  int64_t queue_us;
  int32_t tier;
  int64_t created_at;
  bo_schedule promise;
  bo_day first_promise; /* BO_DAY_NONE until first promised */
  int32_t delays;       /* delay notices sent */
  bool consented;       /* customer confirmed after the last delay notice */
  bo_day need_by;       /* BO_DAY_NONE when none */
  bo_if_late if_late;
  int32_t n_lines; /* lines of its order; 0 when not known (look at them) */
} bo_line;

/* Invariant 3: qty = allocated + backordered + shipped + cancelled, each >= 0. */
bool bo_line_balanced(const bo_line *l);
/* Queue order: negative when a is handed stock before b. Total order over lines. */
int bo_line_queue_cmp(const bo_line *a, const bo_line *b);

/*
 * With protect_promises: moves a new line `nl` that would sort ahead of a
 * line promised from known supply (a non-estimate part) to right behind the
 * last such line of `queue` (sorted), after lines placed there before it, so
 * no existing promise moves later while lines only estimated stay behind it.
 * A line that sorts behind them anyway is left as it is. Order times
 * (queue_us) of placed lines are whole seconds: BO_US_PER_SECOND apart.
 */
void bo_protect_position(const bo_line *queue, size_t n, bo_line *nl);

/* --- placing a line ---------------------------------------------------- */

/* What the SKU's policy lets a new line of qty units get. */
typedef struct bo_split {
  int64_t allocated;
  int64_t backordered;
  bo_rc rc; /* BO_OK, or BO_E_OUT_OF_STOCK / BO_E_LIMIT / BO_E_DISCONTINUED */
} bo_split;

/*
 * Splits qty units of a new line: as much as is available is allocated, the
 * rest backordered if the policy allows (deny, discontinued and
 * backorder_limit refuse; `incoming_units` bounds a limit of "incoming").
 */
bo_split bo_split_line(const bo_sku *sku, int64_t incoming_units, int64_t qty);

/* Units the SKU may still backorder; INT64_MAX when unbounded, 0 when never. */
int64_t bo_backorder_room(const bo_sku *sku, int64_t incoming_units);

/* --- status ------------------------------------------------------------ */

/*
 * The storefront status of a SKU and its message ("Only 3 left",
 * "On backorder – ships by 3 Dec 2026"). `earliest` is the date a new order
 * of one unit would be promised (BO_DAY_NONE when unknown).
 */
bo_status bo_sku_status(const bo_sku *sku, int64_t incoming_units);
void bo_status_message(const bo_sku *sku, bo_status st, bo_day earliest, bool estimate,
                       char *buf, size_t size);
const char *bo_status_name(bo_status st);
const char *bo_policy_name(bo_policy p);
bool bo_policy_parse(const char *s, bo_policy *out);
const char *bo_order_status_name(bo_order_status st);

/* --- allocation -------------------------------------------------------- */

/*
 * Hands `available` units to the queue `lines` (sorted by bo_line_queue_cmp),
 * moving units from backordered to allocated, first come first served.
 * Returns the units handed out; taken[i] gets the units line i took (taken
 * may be NULL; entries of lines that took nothing are left alone).
 */
int64_t bo_allocate(int64_t available, bo_line *lines, size_t n, int64_t *taken);

/* --- promises (time-phased ATP) ---------------------------------------- */

/* One open supply: `qty` units arriving `eta` (a PO line's open quantity). */
typedef struct bo_supply {
  int64_t qty;
  bo_day eta;
} bo_supply;

typedef struct bo_promise_ctx {
  bo_day today;
  int32_t handling_days;
  int32_t lead_time_days;
} bo_promise_ctx;

/* What the walk decided for one line. */
typedef struct bo_walk_result {
  bo_schedule promise;   /* the new schedule of the units still backordered */
  int64_t cancel_late;   /* units cancelled: promised after need_by with cancel */
  int64_t cancel_delay;  /* units cancelled: second delay without consent */
  bool delayed;          /* promise moved later than first_promise: a delay notice */
} bo_walk_result;

/*
 * Walks the queue `lines` (sorted) against the supply timeline `supply`
 * (sorted by eta) after `skip_units` of supply already taken by lines ahead.
 * Each backordered unit gets the date of the supply that covers it
 * (max(eta, today) + handling days); units no supply covers get an estimate
 * (today + lead time + handling days), except that a line keeps its earlier
 * estimate while that date has not passed. Decides need_by cancellations and
 * the delay rule; cancelled units take no supply. Writes n results.
 */
void bo_promise_walk(const bo_supply *supply, size_t n_supply, int64_t skip_units,
                     const bo_line *lines, size_t n, const bo_promise_ctx *ctx,
                     bo_walk_result *out);

/*
 * The schedule a new demand of `qty` units would get now: `available` units
 * today + handling days, then supply after `skip_units`, then an estimate.
 */
void bo_promise_quote(int64_t available, const bo_supply *supply, size_t n_supply,
                      int64_t skip_units, int64_t qty, const bo_promise_ctx *ctx,
                      bo_schedule *out);

#endif
