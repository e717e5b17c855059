/*
 * limits.h — every bound of backorder in one place.
 *
 * Inputs are checked against these once, at the HTTP edge; the core asserts
 * them. Units are in the names.
 */
#ifndef BO_LIMITS_H
#define BO_LIMITS_H

#define BO_BODY_BYTES_MAX (1024 * 1024)   /* request body, 413 beyond */
/* libmicrohttpd's memory per connection (its default is 32 KiB), which it
 * clears after every request: 16 KiB still takes a request's headers up to
 * ~14 KB (431 beyond; bodies are copied out as they arrive) and saves ~1 us
 * of server CPU per request (availability reads at 64 connections, 9.1-9.5
 * against 10.3-11.1 us) */
#define BO_HTTP_CONN_MEMORY 16384
#define BO_SKU_ID_LEN_MAX 64              /* SKU ids: 1..64 of [A-Za-z0-9._-] */
#define BO_ID_LEN_MAX 64                  /* order, PO, supplier, customer ids */
#define BO_NAME_LEN_MAX 200               /* display names */
#define BO_EMAIL_LEN_MAX 254              /* RFC 5321 path limit */
#define BO_REASON_LEN_MAX 200             /* ledger / cancellation reasons */
#define BO_TOKEN_LEN_MAX 128              /* bearer tokens */
#define BO_IDEMPOTENCY_KEY_LEN_MAX 255
#define BO_LINES_PER_ORDER_MAX 100        /* lines in one order, quote or receipt */
#define BO_SUBSTITUTES_MAX 8              /* substitutes listed by one SKU */
#define BO_QTY_MAX 1000000000LL           /* any single quantity (1e9 units) */
#define BO_STOCK_MAX 1000000000000LL      /* on_hand of one SKU (1e12 units) */
#define BO_TIER_ABS_MAX 1000000           /* customer tier in [-1e6, 1e6] */
#define BO_DAYS_MAX 3650                  /* lead, handling, max_backorder days */
#define BO_PROMISE_PARTS_MAX 8            /* dated parts in one line's promise */
#define BO_LIST_LIMIT_MAX 1000            /* page size of every list */
#define BO_LIST_LIMIT_DEFAULT 100
#define BO_BATCH_JOBS_MAX 1024            /* write requests in one group commit */
#define BO_TICK_SKUS_PER_BATCH 256        /* SKUs the daily tick settles per write batch */
#define BO_QUEUE_LINES_MAX 10000000       /* open backordered lines of one SKU */
#define BO_OPEN_SUPPLY_MAX 256            /* open purchase-order lines of one SKU */
#define BO_CACHE_ENTRIES_MAX (1 << 22)    /* availability answers kept in memory */
#define BO_WAL_MB_DEFAULT 1024            /* log size (MiB) that starts a checkpoint cycle */
#define BO_WAL_MB_MAX 16384
#define BO_WAL_FRAME_BYTES 4096           /* a log frame's page: SQLite's default page size */
#define BO_WAL_FRAMES_PER_MB (1024 * 1024 / BO_WAL_FRAME_BYTES)
#define BO_EVENTS_PER_ROW_MAX 512         /* line events folded into one stored row */
#define BO_MESSAGE_LEN_MAX 160            /* availability message */
#define BO_ERR_MESSAGE_LEN_MAX 300        /* error message */

/* Calendar bounds of accepted dates: 2000-01-01 .. 2199-12-31 (days since epoch). */
#define BO_DAY_MIN 10957
#define BO_DAY_MAX 84005

#endif
