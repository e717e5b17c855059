/*
 * schema_sqlite.h — the SQLite schema, as numbered migrations.
 *
 * Migration i brings the database from user_version i to i + 1. They are
 * applied in order at start, each in its own transaction. Never edit a
 * migration that has shipped: add the next one.
 */
#ifndef BO_SCHEMA_SQLITE_H
#define BO_SCHEMA_SQLITE_H

/* the queue table of migration 2 (also measured alone by bench_sqlite) */
#define BO__SQLITE_QUEUE_TABLE                                                              \
  "CREATE TABLE queue(order_id TEXT NOT NULL, line_no INTEGER NOT NULL,"                    \
  "  sku TEXT NOT NULL, qty INTEGER NOT NULL, allocated INTEGER NOT NULL,"                  \
  "  backordered INTEGER NOT NULL, shipped INTEGER NOT NULL, cancelled INTEGER NOT NULL,"   \
  "  queue_prio INTEGER NOT NULL, queue_us INTEGER NOT NULL, tier INTEGER NOT NULL,"        \
  "  created_at INTEGER NOT NULL, promise TEXT NOT NULL, first_promise INTEGER,"            \
  "  delays INTEGER NOT NULL, consented INTEGER NOT NULL, need_by INTEGER,"                 \
  "  if_late INTEGER NOT NULL, n_lines INTEGER NOT NULL, dirty INTEGER NOT NULL DEFAULT 0,"  \
  "  PRIMARY KEY(sku, queue_prio, queue_us, order_id, line_no)) WITHOUT ROWID;"

/* The waiting lines of order_lines copied into the queue table (migration
 * 2; the benchmark's generator, which writes order_lines directly, too). */
#define BO__SQLITE_QUEUE_FROM_LINES                                                        \
  "INSERT INTO queue SELECT order_id, line_no, sku, qty, allocated, backordered, shipped," \
  "  cancelled, queue_prio, queue_us, tier, created_at, promise, first_promise, delays,"  \
  "  consented, need_by, if_late, n_lines, 0 FROM order_lines WHERE backordered > 0"

static const char *const bo__sqlite_migrations[] = {
    /* 1: the foundation */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE suppliers(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    "  lead_time_days INTEGER NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE skus(id TEXT PRIMARY KEY, name TEXT NOT NULL, policy INTEGER NOT NULL,"
    "  backorder_limit INTEGER NOT NULL, low_stock_threshold INTEGER NOT NULL,"
    "  handling_days INTEGER NOT NULL, max_backorder_days INTEGER NOT NULL,"
    "  lead_time_days INTEGER NOT NULL, discontinued INTEGER NOT NULL,"
    "  protect_promises INTEGER NOT NULL, supplier TEXT NOT NULL, substitutes TEXT NOT NULL,"
    "  on_hand INTEGER NOT NULL, allocated INTEGER NOT NULL, backordered INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    "CREATE INDEX skus_status ON skus(status, id);"
    "CREATE TABLE ledger(id INTEGER PRIMARY KEY, sku TEXT NOT NULL, delta INTEGER NOT NULL,"
    "  on_hand_after INTEGER NOT NULL, reason TEXT NOT NULL, ref TEXT NOT NULL,"
    "  at INTEGER NOT NULL);"
    "CREATE INDEX ledger_sku ON ledger(sku, id);"
    "CREATE TABLE orders(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,"
    "  customer_id TEXT NOT NULL, customer_email TEXT NOT NULL, tier INTEGER NOT NULL,"
    "  ship_policy INTEGER NOT NULL, need_by INTEGER, if_late INTEGER NOT NULL,"
    "  status INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE order_lines(order_id TEXT NOT NULL, line_no INTEGER NOT NULL,"
    "  sku TEXT NOT NULL, qty INTEGER NOT NULL, allocated INTEGER NOT NULL,"
    "  backordered INTEGER NOT NULL, shipped INTEGER NOT NULL, cancelled INTEGER NOT NULL,"
    "  queue_prio INTEGER NOT NULL, queue_us INTEGER NOT NULL, tier INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL, promise TEXT NOT NULL, first_promise INTEGER,"
    "  delays INTEGER NOT NULL, consented INTEGER NOT NULL, need_by INTEGER,"
    "  if_late INTEGER NOT NULL, n_lines INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(order_id, line_no)) WITHOUT ROWID;"
    "CREATE INDEX lines_queue ON order_lines(sku, queue_prio, queue_us, order_id, line_no)"
    "  WHERE backordered > 0;"
    "CREATE TABLE purchase_orders(id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,"
    "  supplier TEXT NOT NULL, eta INTEGER NOT NULL, status INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE po_lines(po_id TEXT NOT NULL, line_no INTEGER NOT NULL, sku TEXT NOT NULL,"
    "  qty INTEGER NOT NULL, received INTEGER NOT NULL, open INTEGER NOT NULL,"
    "  PRIMARY KEY(po_id, line_no)) WITHOUT ROWID;"
    "CREATE INDEX po_lines_open ON po_lines(sku) WHERE open = 1;"
    "CREATE INDEX po_lines_sku ON po_lines(sku, po_id);"
    "CREATE TABLE shipments(id TEXT PRIMARY KEY, order_id TEXT NOT NULL, at INTEGER NOT NULL,"
    "  lines TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX shipments_order ON shipments(order_id);"
    /* a row holds one event, or (n > 1) a run of n line events of one SKU
     * folded into `data` (see sqlite.c, "folded line events"); id is the id
     * of the row's last event, so the ids of a run are id - n + 1 .. id */
    "CREATE TABLE events(id INTEGER PRIMARY KEY, type TEXT NOT NULL, at INTEGER NOT NULL,"
    "  order_id TEXT NOT NULL, sku TEXT NOT NULL, data TEXT NOT NULL,"
    "  n INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE idempotency(key TEXT PRIMARY KEY, status INTEGER NOT NULL,"
    "  fingerprint INTEGER NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID;",
    /* 2: the backorder queue as a table of its own. A line with backordered
     * units has a row here, in queue order, with every column of the line;
     * walking, re-dating and filling a queue then read and write one range
     * of one table instead of the partial index and the rows behind it.
     * order_lines keeps every line: its counters are always exact, but the
     * promise columns (promise, first_promise, delays, consented) of a
     * waiting line are those of its queue row; `dirty` says that the row's
     * first_promise, delays or consented may differ from order_lines' (so a
     * fill copies them back). */
    BO__SQLITE_QUEUE_TABLE
    BO__SQLITE_QUEUE_FROM_LINES ";"
    "DROP INDEX lines_queue;",
    /* 3: a SKU's open supply from one index: each PO line carries its PO's
     * ETA, and the open lines are indexed in supply order with the columns
     * the promise walk reads (no join, no sort). */
    "ALTER TABLE po_lines ADD COLUMN eta INTEGER NOT NULL DEFAULT 0;"
    "UPDATE po_lines SET eta=(SELECT eta FROM purchase_orders p WHERE p.id=po_lines.po_id);"
    "DROP INDEX po_lines_open;"
    "CREATE INDEX po_lines_open ON po_lines(sku, eta, po_id, line_no, qty, received, open)"
    "  WHERE open = 1;",
    /* 4: a fill writes nothing to order_lines. The filled lines' queue rows
     * are deleted; a line that order_lines says waits but that has no queue
     * row was filled (every other change writes order_lines), and readers
     * take it as fully allocated. Only what order_lines does not know of
     * such a line is kept: the promise history of lines re-dated in the
     * queue (`dirty`), here, until the line is written again. */
    "CREATE TABLE filled(sku TEXT NOT NULL, queue_prio INTEGER NOT NULL,"
    "  queue_us INTEGER NOT NULL, order_id TEXT NOT NULL, line_no INTEGER NOT NULL,"
    "  first_promise INTEGER, delays INTEGER NOT NULL, consented INTEGER NOT NULL,"
    "  PRIMARY KEY(sku, queue_prio, queue_us, order_id, line_no)) WITHOUT ROWID;",
    /* 5: the SKUs whose queue may hold re-dated (`dirty`) rows; a fill of
     * any other SKU need not look for them (a scan of the filled range) */
    ("CREATE TABLE queue_redated(sku TEXT PRIMARY KEY) WITHOUT ROWID;"
     "INSERT INTO queue_redated SELECT DISTINCT sku FROM queue WHERE dirty;"),
    /* 6: the queue in chunks (qchunk.h): a SKU's waiting lines packed up to
     * 64 a row, in queue order, under a key at most that of the row's first
     * line. The rows of `queue` are packed by code after this text
     * (bo_sqlite_queue_pack), and the table dropped. */
    ("CREATE TABLE queue_chunks(id INTEGER PRIMARY KEY, sku TEXT NOT NULL,"
     "  queue_prio INTEGER NOT NULL, queue_us INTEGER NOT NULL, order_id TEXT NOT NULL,"
     "  line_no INTEGER NOT NULL, n INTEGER NOT NULL, lines BLOB NOT NULL);"
     "CREATE UNIQUE INDEX queue_chunks_key"
     "  ON queue_chunks(sku, queue_prio, queue_us, order_id, line_no);"),
};

/* Packs the waiting lines of `table` ("queue", with its dirty flags, or
 * "order_lines") into queue_chunks; an SQLite result code. */
struct sqlite3;
int bo_sqlite_queue_pack(struct sqlite3 *db, const char *table);

#define BO__SQLITE_SCHEMA_VERSION \
  ((int)(sizeof bo__sqlite_migrations / sizeof bo__sqlite_migrations[0]))

#endif
