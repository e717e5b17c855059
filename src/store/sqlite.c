/*
 * sqlite.c — the embedded SQLite backend of store.h.
 *
 * The writer connection runs WAL with synchronous=NORMAL and its commits are
 * made durable by flush() (an fdatasync of the log) before anyone is told,
 * so an acknowledged batch survives a crash or power loss; reader connections (one per HTTP thread)
 * see the last commit and never wait for the writer. Every statement is
 * prepared once per connection and reused.
 *
 * A line with backordered units is also in its SKU's queue, packed in
 * chunks of up to 64 lines a row of `queue_chunks`, in queue order (schema
 * migration 6; "the queue in chunks" below): the queue is read, re-dated
 * and filled one chunk at a time. Re-dating writes only the chunk, so the
 * promise columns of a waiting line are read from there. A fill only takes
 * the filled lines out of the queue (migration 4): a line that order_lines
 * says waits but that is in no queue is read as fully allocated. Every
 * other change of a line writes its order_lines row.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../common/strbuf.h"
#include "pcache.h"
#include "qchunk.h"
#include "schema_sqlite.h"
#include "store.h"
#include "walbuf.h"

/* Every statement of the backend: symbol and SQL. */
#define SQL_TABLE(X)                                                                        \
  X(BEGIN, "BEGIN IMMEDIATE")                                                               \
  X(BEGIN_READ, "BEGIN")                                                                    \
  X(COMMIT, "COMMIT")                                                                       \
  X(ROLLBACK, "ROLLBACK")                                                                   \
  X(SAVEPOINT, "SAVEPOINT req")                                                             \
  X(RELEASE, "RELEASE req")                                                                 \
  X(ROLLBACK_TO, "ROLLBACK TO req")                                                         \
  X(META_GET, "SELECT value FROM meta WHERE key=?1")                                        \
  X(META_SET, "INSERT INTO meta(key,value) VALUES(?1,?2)"                                   \
              " ON CONFLICT(key) DO UPDATE SET value=excluded.value")                       \
  X(NEXT_ID, "INSERT INTO counters(name,value) VALUES(?1,1)"                                \
             " ON CONFLICT(name) DO UPDATE SET value=value+1 RETURNING value")              \
  X(SKU_GET, "SELECT " SKU_COLS " FROM skus WHERE id=?1")                                   \
  X(SKU_INSERT, "INSERT INTO skus(" SKU_COLS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11," \
                "?12,?13,?14,?15,?16,?17,?18)")                                             \
  X(SKU_UPDATE, "UPDATE skus SET name=?2,policy=?3,backorder_limit=?4,"                     \
                "low_stock_threshold=?5,handling_days=?6,max_backorder_days=?7,"            \
                "lead_time_days=?8,discontinued=?9,protect_promises=?10,supplier=?11,"      \
                "substitutes=?12,on_hand=?13,allocated=?14,backordered=?15,status=?16,"     \
                "created_at=?17,updated_at=?18 WHERE id=?1")                                \
  X(SKU_COUNTERS, "UPDATE skus SET on_hand=?2,allocated=?3,backordered=?4,updated_at=?5"    \
                  " WHERE id=?1")                                                           \
  X(ORDER_NEXT_SEQ, "SELECT coalesce(max(seq),0)+1 FROM orders")                            \
  X(SKU_LIST, "SELECT " SKU_COLS " FROM skus WHERE id>?1 ORDER BY id LIMIT ?2")             \
  X(SKU_LIST_STATUS, "SELECT " SKU_COLS " FROM skus WHERE status=?3 AND id>?1"              \
                     " ORDER BY id LIMIT ?2")                                               \
  X(SKU_COUNT, "SELECT count(*) FROM skus")                                                 \
  X(LEDGER_APPEND, "INSERT INTO ledger(sku,delta,on_hand_after,reason,ref,at)"              \
                   " VALUES(?1,?2,?3,?4,?5,?6)")                                            \
  X(LEDGER_LIST, "SELECT id,sku,delta,on_hand_after,reason,ref,at FROM ledger"              \
                 " WHERE sku=?1 AND id>?2 ORDER BY id LIMIT ?3")                            \
  X(LEDGER_SUM, "SELECT coalesce(sum(delta),0) FROM ledger WHERE sku=?1")                   \
  X(INCOMING, "SELECT po_id, qty-received, eta FROM po_lines WHERE sku=?1 AND open=1"       \
              " ORDER BY eta, po_id, line_no")                                              \
  X(ORDER_INSERT, "INSERT INTO orders(id,seq,customer_id,customer_email,tier,ship_policy,"  \
                  "need_by,if_late,status,created_at,updated_at) VALUES(?1,"                \
                  "(SELECT coalesce(max(seq),0)+1 FROM orders),?2,?3,?4,?5,?6,?7,?8,?9,?10)") \
  X(ORDER_UPDATE, "UPDATE orders SET status=?2, updated_at=?3 WHERE id=?1")                 \
  X(ORDER_GET, "SELECT " ORDER_COLS " FROM orders WHERE id=?1")                             \
  X(ORDER_LIST, "SELECT " ORDER_COLS " FROM orders WHERE seq < coalesce("                   \
                "(SELECT seq FROM orders WHERE id=?1), 9223372036854775807)"                \
                " ORDER BY seq DESC LIMIT ?2")                                              \
  X(ORDER_LIST_STATUS, "SELECT " ORDER_COLS " FROM orders WHERE status=?3 AND seq <"        \
                       " coalesce((SELECT seq FROM orders WHERE id=?1),"                    \
                       " 9223372036854775807) ORDER BY seq DESC LIMIT ?2")                  \
  X(ORDER_LINES, "SELECT " LINE_COLS_FILLED " WHERE ol.order_id=?1 ORDER BY ol.line_no")     \
  X(LINE_INSERT, "INSERT INTO order_lines(" LINE_COLS ") VALUES(" LINE_PARAMS ")")          \
  X(LINE_UPDATE, "UPDATE order_lines SET sku=?3,qty=?4,allocated=?5,backordered=?6,"        \
                 "shipped=?7,cancelled=?8,queue_prio=?9,queue_us=?10,tier=?11,"             \
                 "created_at=?12,promise=?13,first_promise=?14,delays=?15,consented=?16,"   \
                 "need_by=?17,if_late=?18,n_lines=?19 WHERE order_id=?1 AND line_no=?2")    \
  X(FILLED_DROP, "DELETE FROM filled WHERE " QUEUE_ROW)                                     \
  X(FILLED_PUT, "INSERT INTO filled(sku," QUEUE_KEY_COLS ",first_promise,delays,consented)" \
                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8)")                                         \
  X(REDATED_MARK, "INSERT OR IGNORE INTO queue_redated(sku) VALUES(?1)")                    \
  X(REDATED_HAS, "SELECT 1 FROM queue_redated WHERE sku=?1")                                \
  X(REDATED_CLEAR, "DELETE FROM queue_redated WHERE sku=?1")                                \
  X(CHUNK_AT, "SELECT " QUEUE_KEY_COLS " FROM queue_chunks WHERE sku=?1 AND " QUEUE_KEY     \
              " <= (?2,?3,?4,?5) ORDER BY " QUEUE_KEY_DESC " LIMIT 1")                      \
  X(CHUNK_OF, "SELECT id,n,lines FROM queue_chunks WHERE sku=?1 AND " QUEUE_KEY            \
              " <= (?2,?3,?4,?5) ORDER BY " QUEUE_KEY_DESC " LIMIT 1")                      \
  X(CHUNK_RANGE, "SELECT id,n,lines FROM queue_chunks WHERE sku=?1 AND " QUEUE_KEY          \
                 " >= (?2,?3,?4,?5) AND " QUEUE_KEY " <= (?6,?7,?8,?9) ORDER BY "            \
                 QUEUE_KEY_COLS)                                                            \
  X(CHUNK_FROM, "SELECT id,n,lines FROM queue_chunks WHERE sku=?1 AND " QUEUE_KEY           \
                " >= (?2,?3,?4,?5) ORDER BY " QUEUE_KEY_COLS)                               \
  X(CHUNK_AFTER, "SELECT 1 FROM queue_chunks WHERE sku=?1 AND " QUEUE_KEY                   \
                 " > (?2,?3,?4,?5) LIMIT 1")                                                \
  X(CHUNK_LAST, "SELECT id,n,lines," QUEUE_KEY_COLS " FROM queue_chunks WHERE sku=?1"       \
                " ORDER BY " QUEUE_KEY_DESC " LIMIT 1")                                    \
  X(CHUNK_COUNT, "SELECT coalesce(sum(n),0) FROM queue_chunks WHERE sku=?1")               \
  X(CHUNK_DROP_BEFORE, "DELETE FROM queue_chunks WHERE sku=?1 AND " QUEUE_KEY                \
                       " < (?2,?3,?4,?5)")                                                  \
  X(CHUNK_PUT, "UPDATE queue_chunks SET n=?2,lines=?3 WHERE id=?1")                         \
  X(CHUNK_NEW, "INSERT INTO queue_chunks(sku," QUEUE_KEY_COLS ",n,lines)"                   \
               " VALUES(?1,?2,?3,?4,?5,?6,?7)")                                             \
  X(CHUNK_DROP, "DELETE FROM queue_chunks WHERE id=?1")                                     \
  X(CHUNK_AT_ANY, "SELECT sku," QUEUE_KEY_COLS " FROM queue_chunks WHERE (sku,"              \
                  QUEUE_KEY_COLS ") <= (?1,?2,?3,?4,?5) ORDER BY sku DESC," QUEUE_KEY_DESC  \
                  " LIMIT 1")                                                               \
  X(CHUNK_FROM_ANY, "SELECT id,n,lines,sku FROM queue_chunks WHERE (sku," QUEUE_KEY_COLS     \
                    ") >= (?1,?2,?3,?4,?5) ORDER BY sku," QUEUE_KEY_COLS)                   \
  X(ORDER_WAITING, "SELECT sku," QUEUE_KEY_COLS " FROM order_lines"                         \
                   " WHERE order_id=?1 AND backordered>0")                                  \
  X(LINES_SCAN, "SELECT " LINE_COLS_FILLED)                                                 \
  X(EVENT_APPEND, "INSERT INTO events(type,at,order_id,sku,data) VALUES(?1,?2,?3,?4,?5)")   \
  X(EVENT_FOLD, "INSERT INTO events(id,type,at,order_id,sku,data,n) VALUES("                \
                "(SELECT coalesce(max(id),0) FROM events)+?4,'',?1,'',?2,?3,?4)")          \
  X(EVENT_LIST, "SELECT id,type,at,order_id,sku,data,n FROM events WHERE id>?1"             \
                " ORDER BY id LIMIT ?2")                                                    \
  X(SUPPLIER_INSERT, "INSERT INTO suppliers(id,name,lead_time_days,created_at)"             \
                     " VALUES(?1,?2,?3,?4)")                                                \
  X(SUPPLIER_GET, "SELECT id,name,lead_time_days,created_at FROM suppliers WHERE id=?1")   \
  X(SUPPLIER_LIST, "SELECT id,name,lead_time_days,created_at FROM suppliers WHERE id>?1"   \
                   " ORDER BY id LIMIT ?2")                                                 \
  X(PO_INSERT, "INSERT INTO purchase_orders(id,seq,supplier,eta,status,created_at,"         \
               "updated_at) VALUES(?1,(SELECT coalesce(max(seq),0)+1 FROM purchase_orders)," \
               "?2,?3,?4,?5,?6)")                                                           \
  X(PO_UPDATE, "UPDATE purchase_orders SET supplier=?2,eta=?3,status=?4,updated_at=?6"      \
               " WHERE id=?1")                                                              \
  X(PO_GET, "SELECT id,supplier,eta,status,created_at,updated_at FROM purchase_orders"      \
            " WHERE id=?1")                                                                 \
  X(PO_LIST, "SELECT id FROM purchase_orders WHERE seq < coalesce((SELECT seq FROM"         \
             " purchase_orders WHERE id=?1), 9223372036854775807) ORDER BY seq DESC LIMIT ?2") \
  X(PO_LINE_UPSERT, "INSERT INTO po_lines(po_id,line_no,sku,qty,received,open,eta)"         \
                    " VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(po_id,line_no) DO UPDATE SET" \
                    " sku=excluded.sku,qty=excluded.qty,received=excluded.received,"        \
                    " open=excluded.open,eta=excluded.eta")                                 \
  X(PO_LINES, "SELECT line_no,sku,qty,received,open FROM po_lines WHERE po_id=?1"           \
              " ORDER BY line_no")                                                          \
  X(SHIPMENT_INSERT, "INSERT INTO shipments(id,order_id,at,lines) VALUES(?1,?2,?3,?4)")     \
  X(SHIPMENT_LIST, "SELECT id,order_id,at,lines FROM shipments WHERE order_id=?1"           \
                   " ORDER BY at, id")                                                      \
  X(WAITING_SKUS, "SELECT id FROM skus WHERE id > ?1 AND backordered > 0 ORDER BY id"      \
                  " LIMIT ?2")                                                              \
  X(EVENT_LAST, "SELECT coalesce(max(id),0) FROM events")                                 \
  X(IDEM_GET, "SELECT status,fingerprint,body FROM idempotency WHERE key=?1")               \
  X(IDEM_PUT, "INSERT INTO idempotency(key,status,fingerprint,body,at)"                     \
              " VALUES(?1,?2,?3,?4,?5)")

#define SKU_COLS                                                                    \
  "id,name,policy,backorder_limit,low_stock_threshold,handling_days,"               \
  "max_backorder_days,lead_time_days,discontinued,protect_promises,supplier,"       \
  "substitutes,on_hand,allocated,backordered,status,created_at,updated_at"
#define ORDER_COLS                                                                  \
  "id,customer_id,customer_email,tier,ship_policy,need_by,if_late,status,created_at," \
  "updated_at"
#define LINE_COLS                                                                   \
  "order_id,line_no,sku,qty,allocated,backordered,shipped,cancelled,queue_prio,"    \
  "queue_us,tier,created_at,promise,first_promise,delays,consented,need_by,if_late,n_lines"
#define LINE_PARAMS "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19"
/* a line's place in its SKU's queue */
#define QUEUE_KEY_COLS "queue_prio,queue_us,order_id,line_no"
#define QUEUE_KEY "(" QUEUE_KEY_COLS ")"
#define QUEUE_KEY_DESC "queue_prio DESC,queue_us DESC,order_id DESC,line_no DESC"
/* one line's row in filled: ?1 its SKU, ?2..?5 its key */
#define QUEUE_ROW "sku=?1 AND queue_prio=?2 AND queue_us=?3 AND order_id=?4 AND line_no=?5"
/* Lines as order_lines has them, with the promise history that `filled`
 * keeps of a filled line (see line_overlay). */
#define LINE_COLS_FILLED                                                            \
  "ol.order_id,ol.line_no,ol.sku,ol.qty,ol.allocated,ol.backordered,ol.shipped,"    \
  "ol.cancelled,ol.queue_prio,ol.queue_us,ol.tier,ol.created_at,ol.promise,"        \
  "ol.first_promise,ol.delays,ol.consented,ol.need_by,ol.if_late,ol.n_lines,"       \
  "f.sku IS NOT NULL,f.first_promise,f.delays,f.consented FROM order_lines ol"      \
  " LEFT JOIN filled f ON ol.backordered>0 AND " LINE_KEY_IS("f")
#define LINE_KEY_IS(t)                                                              \
  t ".sku=ol.sku AND " t ".queue_prio=ol.queue_prio AND " t ".queue_us=ol.queue_us AND " \
  t ".order_id=ol.order_id AND " t ".line_no=ol.line_no"

enum {
#define SQL_ENUM(sym, sql) S_##sym,
  SQL_TABLE(SQL_ENUM)
#undef SQL_ENUM
      S__COUNT
};

static const char *const sql_text[S__COUNT] = {
#define SQL_TEXT(sym, sql) [S_##sym] = sql,
    SQL_TABLE(SQL_TEXT)
#undef SQL_TEXT
};

typedef struct sqlite_store {
  bo_store base;
  sqlite3 *db;
  bool reader;
  int wal_fd;          /* the write-ahead log, for flush; -1 until opened */
  char wal_path[1024];
  /* writer only: a second connection that copies the log into the database
   * (checkpoint), used by one other thread so the writer never waits on it */
  sqlite3 *ckpt_db;
  _Atomic int log_frames; /* frames in the log after the last commit */
  _Atomic int commit_frames;   /* what recent commits logged: the largest, fading */
  _Atomic int catch_up_missed; /* the writer's chances to catch up missed in a row */
  _Atomic int64_t log_restarts; /* commits that found the log shorter than before */
  _Atomic int ckpt_log;   /* the log's size at the last checkpoint ... */
  _Atomic int ckpt_done;  /* ... and how many of its frames it copied */
  _Atomic bool ckpt_fresh; /* a checkpoint ended since the writer last caught up */
  sqlite3_stmt *stmt[S__COUNT];
  /* writer only: the SKUs written since the last changes_take */
  char (*changed)[BO_SKU_ID_LEN_MAX + 1];
  int n_changed;
  bool changed_all; /* too many to list, or a change that concerns every SKU */
  /* writer only: a SKU known to be in queue_redated ("" when none): marks
   * it once per run of re-dates; forgotten on any rollback */
  char redated[BO_SKU_ID_LEN_MAX + 1];
  /* a queue chunk being changed (see "the queue in chunks") */
  struct chunk *chunk;
  uint8_t *chunk_buf; /* its new bytes */
  bo_line *scratch;   /* lines of a chunk being filled */
} sqlite_store;

static sqlite_store *SQ(bo_store *st) { return (sqlite_store *)st; }

/* The SKUs a commit may concern, for caches of what readers derive from them
 * (availability). A SKU written again right after itself is noted once. */
#define BO__CHANGED_MAX 4096

static void note_changed(bo_store *st, const char *sku) {
  sqlite_store *s = SQ(st);
  if (s->reader || s->changed_all) return;
  if (s->n_changed > 0 && strcmp(s->changed[s->n_changed - 1], sku) == 0) return;
  if (!s->changed) s->changed = malloc(BO__CHANGED_MAX * sizeof *s->changed);
  if (!s->changed || s->n_changed == BO__CHANGED_MAX) {
    s->changed_all = true;
    return;
  }
  snprintf(s->changed[s->n_changed++], sizeof s->changed[0], "%s", sku);
}

static void sq_changes_take(bo_store *st, bool *all, bo_id_cb cb, void *ctx) {
  sqlite_store *s = SQ(st);
  *all = s->changed_all;
  for (int i = 0; cb && !s->changed_all && i < s->n_changed; i++) cb(ctx, s->changed[i]);
  s->n_changed = 0;
  s->changed_all = false;
}

static void log_error(sqlite3 *db, const char *what) {
  fprintf(stderr, "store: %s failed: %s\n", what, sqlite3_errmsg(db));
}

/* The prepared statement `id`, reset and with its bindings cleared. */
static sqlite3_stmt *stmt(bo_store *st, int id) {
  sqlite_store *s = SQ(st);
  if (s->stmt[id] == NULL) {
    if (sqlite3_prepare_v3(s->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
                           NULL) != SQLITE_OK) {
      log_error(s->db, sql_text[id]);
      return NULL;
    }
  } else {
    sqlite3_reset(s->stmt[id]);
    sqlite3_clear_bindings(s->stmt[id]);
  }
  return s->stmt[id];
}

static bo_rc rc_of(sqlite3 *db, int code, const char *what) {
  if (code == SQLITE_DONE || code == SQLITE_OK || code == SQLITE_ROW) return BO_OK;
  if ((code & 0xff) == SQLITE_CONSTRAINT) return BO_E_EXISTS;
  log_error(db, what);
  return BO_E_STORE;
}

/* Runs a statement; *row (NULL when no row is expected) tells whether it
 * gave one. */
static bo_rc step_row(bo_store *st, sqlite3_stmt *s, bool *row) {
  const int code = sqlite3_step(s);
  if (row) *row = code == SQLITE_ROW;
  const bo_rc rc = rc_of(SQ(st)->db, code, sqlite3_sql(s));
  sqlite3_reset(s);
  return rc;
}

/* Runs a statement that returns no row. */
static bo_rc step_done(bo_store *st, sqlite3_stmt *s) { return step_row(st, s, NULL); }

static bo_rc exec_stmt(bo_store *st, int id) {
  sqlite3_stmt *s = stmt(st, id);
  return s ? step_done(st, s) : BO_E_STORE;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v) {
  sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void bind_day(sqlite3_stmt *s, int i, bo_day d) {
  if (d == BO_DAY_NONE)
    sqlite3_bind_null(s, i);
  else
    sqlite3_bind_int(s, i, d);
}

static bo_day col_day(sqlite3_stmt *s, int i) {
  return sqlite3_column_type(s, i) == SQLITE_NULL ? BO_DAY_NONE : sqlite3_column_int(s, i);
}

static void col_text(sqlite3_stmt *s, int i, char *buf, size_t size) {
  const unsigned char *t = sqlite3_column_text(s, i);
  size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
  if (n >= size) n = size - 1;
  if (n) memcpy(buf, t, n);
  buf[n] = '\0';
}

/* Runs statement `id` (first parameter `key` when not NULL) and reads its one
 * row with `read`; BO_E_NOT_FOUND when there is none. */
static bo_rc get_one(bo_store *st, int id, const char *key,
                     void (*read)(sqlite3_stmt *, void *), void *out) {
  sqlite3_stmt *s = stmt(st, id);
  if (!s) return BO_E_STORE;
  if (key) bind_text(s, 1, key);
  const int code = sqlite3_step(s);
  if (code == SQLITE_ROW) read(s, out);
  sqlite3_reset(s);
  if (code == SQLITE_DONE) return BO_E_NOT_FOUND;
  return rc_of(SQ(st)->db, code, sql_text[id]);
}

static void read_int64(sqlite3_stmt *s, void *out) { *(int64_t *)out = sqlite3_column_int64(s, 0); }

/* A query of one integer (count, sum, max): the value, 0 without a row. */
static bo_rc get_int64(bo_store *st, int id, const char *key, int64_t *out) {
  *out = 0;
  const bo_rc rc = get_one(st, id, key, read_int64, out);
  return rc == BO_E_NOT_FOUND ? BO_OK : rc;
}

/* --- transactions ------------------------------------------------------- */

/* When the checkpointer has copied all but the last few frames of a long
 * log, the writer copies the rest itself before its next transaction: a
 * checkpoint that reaches the end lets that transaction start the log over
 * (it cannot while frames keep arriving behind the checkpointer).
 *
 * The writer's pause, mostly the database file's fsync, was 4-90 ms here
 * and tends to grow with what it copies (6-12 ms for 40-220 frames in one
 * trace, 50-90 ms for 670-940 in another), so it takes its chance only
 * when little is left: at most 512 frames, or, when batches are larger, as
 * much as the largest recent commit logged (up to 8,192), since what is
 * left includes the batches committed during the checkpointer's pass.
 * Below that the writer never catches up and the log grows on: at a fixed
 * 128 frames, to 1.2-1.8 GB in 10 s of orders at 64 connections; at a fixed
 * 512, to 2.2-3.9 GB in 20 s at 256 connections on a Xeon whose batches log
 * 600-3,000 frames, at two thirds of the order rate. Should the
 * checkpointer fall behind for good, the limit doubles after every
 * BO__CATCH_UP_PATIENCE chances missed in a row, until the writer copies
 * whatever is left: one long pause rather than a log without end. */
#define BO__CATCH_UP_FRAMES 512
#define BO__CATCH_UP_FRAMES_BATCHES 8192 /* 32 MiB: a single large commit asks no more */
#define BO__CATCH_UP_PATIENCE 4 /* 8 let the log of test_engine_writer_log's large batches reach
                                   314 of 316 MB on an EPYC whose checkpointer lags */
#define BO__CATCH_UP_DOUBLINGS 6

static int catch_up_limit(sqlite_store *s) {
  const int doublings = atomic_load(&s->catch_up_missed) / BO__CATCH_UP_PATIENCE;
  if (doublings > BO__CATCH_UP_DOUBLINGS) return INT_MAX;
  int limit = atomic_load(&s->commit_frames);
  if (limit < BO__CATCH_UP_FRAMES) limit = BO__CATCH_UP_FRAMES;
  if (limit > BO__CATCH_UP_FRAMES_BATCHES) limit = BO__CATCH_UP_FRAMES_BATCHES;
  return limit << doublings;
}

static void catch_up_log(sqlite_store *s) {
  if (!atomic_load(&s->ckpt_fresh)) return;
  const int frames = atomic_load(&s->log_frames), done = atomic_load(&s->ckpt_done);
  if (frames < atomic_load(&s->ckpt_log)) { /* the log started over since */
    atomic_store(&s->catch_up_missed, 0);
    return;
  }
  atomic_store(&s->ckpt_fresh, false); /* one chance per pass of the checkpointer */
  if (frames - done > catch_up_limit(s)) {
    atomic_fetch_add(&s->catch_up_missed, 1);
    return;
  }
  atomic_store(&s->catch_up_missed, 0);
  if (frames == done) return;
  int log = 0, copied = 0;
  if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
    atomic_store(&s->ckpt_log, log);
    atomic_store(&s->ckpt_done, copied);
  }
}

static void forget_chunk(sqlite_store *q);

/* What the store remembers of data a rollback may just have undone. */
static void forget_undone(sqlite_store *q) {
  q->redated[0] = '\0';
  forget_chunk(q);
}

static bo_rc sq_begin(bo_store *st) {
  forget_chunk(SQ(st));
  if (!SQ(st)->reader) catch_up_log(SQ(st));
  return exec_stmt(st, SQ(st)->reader ? S_BEGIN_READ : S_BEGIN);
}
static bo_rc sq_commit(bo_store *st) {
  forget_chunk(SQ(st));
  return exec_stmt(st, S_COMMIT);
}
static bo_rc sq_rollback(bo_store *st) {
  forget_undone(SQ(st));
  return exec_stmt(st, S_ROLLBACK);
}
static bo_rc sq_savepoint(bo_store *st) { return exec_stmt(st, S_SAVEPOINT); }
static bo_rc sq_release(bo_store *st) {
  forget_chunk(SQ(st)); /* it may end the transaction */
  return exec_stmt(st, S_RELEASE);
}
static bo_rc sq_rollback_to(bo_store *st) {
  forget_undone(SQ(st));
  const bo_rc rc = exec_stmt(st, S_ROLLBACK_TO);
  return rc ? rc : exec_stmt(st, S_RELEASE);
}

static int64_t sq_write_mark(bo_store *st) {
  sqlite3 *db = SQ(st)->db;
  return sqlite3_get_autocommit(db) ? -1 : sqlite3_total_changes64(db);
}

/* Commits are written with synchronous=NORMAL (no fsync); the writer's
 * syncer calls this before it acknowledges them. An fdatasync of the WAL
 * makes every frame written so far durable: with the commit frames, WAL
 * recovery replays exactly the committed transactions. */
static bo_rc sq_flush(bo_store *st) {
  sqlite_store *s = SQ(st);
  if (s->wal_fd < 0) {
    s->wal_fd = open(s->wal_path, O_RDONLY | O_CLOEXEC);
    if (s->wal_fd < 0) return errno == ENOENT ? BO_OK : BO_E_STORE; /* nothing logged yet */
    /* the log's directory entry must be durable too */
    char dir[sizeof s->wal_path];
    snprintf(dir, sizeof dir, "%s", s->wal_path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    const int dfd = open(slash ? (dir[0] ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
  }
  return fdatasync(s->wal_fd) == 0 ? BO_OK : BO_E_STORE;
}

static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames) {
  (void)db, (void)name;
  sqlite_store *s = arg;
  const int before = atomic_exchange(&s->log_frames, frames);
  if (before > frames) atomic_fetch_add(&s->log_restarts, 1);
  const int logged = before > frames ? frames : frames - before;
  const int peak = atomic_load(&s->commit_frames);
  atomic_store(&s->commit_frames, logged > peak ? logged : peak - peak / 8);
  return SQLITE_OK;
}

static int64_t sq_log_restarts(bo_store *st) { return atomic_load(&SQ(st)->log_restarts); }

/* Frames committed to the log and not yet copied into the database. After a
 * complete checkpoint the writer starts the log over, so a log shorter than
 * at the last checkpoint holds only new frames. */
static int64_t sq_log_pending(bo_store *st) {
  sqlite_store *s = SQ(st);
  const int frames = atomic_load(&s->log_frames), at = atomic_load(&s->ckpt_log);
  return frames >= at ? frames - atomic_load(&s->ckpt_done) : frames;
}

/* Copies the committed log into the database on the checkpoint connection
 * (PASSIVE: it never waits for, nor blocks, the writer or the readers). */
static bo_rc sq_checkpoint(bo_store *st) {
  sqlite_store *s = SQ(st);
  if (!s->ckpt_db) return BO_OK;
  /* batches larger than the base limit keep the checkpointer at least a
   * batch behind: what it left is the writer's to copy at its next
   * transaction, and a pass now would take the checkpoint from under it */
  const int limit = catch_up_limit(s);
  if (limit > BO__CATCH_UP_FRAMES && atomic_load(&s->ckpt_fresh) &&
      sq_log_pending(st) <= limit)
    return BO_OK;
  int log = 0, done = 0;
  const int rc = sqlite3_wal_checkpoint_v2(s->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    log_error(s->ckpt_db, "checkpoint");
    return BO_E_STORE;
  }
  atomic_store(&s->ckpt_log, log);
  atomic_store(&s->ckpt_done, done);
  atomic_store(&s->ckpt_fresh, true);
  return BO_OK;
}

/* The writer checkpoints itself only when the log grows past this many
 * frames (4 KiB each): the writer thread's checkpointer normally copies it
 * well before, off the writer's path (writer.c). */
#define BO__CHECKPOINT_BACKSTOP "1048576"

/* --- meta ----------------------------------------------------------------- */

static bo_rc sq_meta_get(bo_store *st, const char *key, char *buf, size_t size) {
  sqlite3_stmt *s = stmt(st, S_META_GET);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, key);
  const int code = sqlite3_step(s);
  if (code == SQLITE_ROW) {
    col_text(s, 0, buf, size);
    sqlite3_reset(s);
    return BO_OK;
  }
  sqlite3_reset(s);
  return code == SQLITE_DONE ? BO_E_NOT_FOUND : rc_of(SQ(st)->db, code, "meta_get");
}

static bo_rc sq_meta_set(bo_store *st, const char *key, const char *value) {
  sqlite3_stmt *s = stmt(st, S_META_SET);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, key);
  bind_text(s, 2, value);
  return step_done(st, s);
}

static bo_rc sq_next_id(bo_store *st, const char *counter, int64_t *out) {
  sqlite3_stmt *s = stmt(st, S_NEXT_ID);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, counter);
  const int code = sqlite3_step(s);
  if (code != SQLITE_ROW) {
    sqlite3_reset(s);
    return rc_of(SQ(st)->db, code, "next_id");
  }
  *out = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return BO_OK;
}

/* --- SKUs ----------------------------------------------------------------- */

static void substitutes_join(const bo_sku *k, char *buf, size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < k->n_substitutes; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "", k->substitutes[i]);
}

static void substitutes_split(const char *text, bo_sku *k) {
  k->n_substitutes = 0;
  while (*text && k->n_substitutes < BO_SUBSTITUTES_MAX) {
    const char *comma = strchr(text, ',');
    const size_t len = comma ? (size_t)(comma - text) : strlen(text);
    snprintf(k->substitutes[k->n_substitutes++], BO_SKU_ID_LEN_MAX + 1, "%.*s", (int)len, text);
    text += len + (comma != NULL);
  }
}

static void sku_bind(sqlite3_stmt *s, const bo_sku *k, char *subs, size_t subs_size) {
  substitutes_join(k, subs, subs_size);
  bind_text(s, 1, k->id);
  bind_text(s, 2, k->name);
  sqlite3_bind_int(s, 3, k->policy);
  sqlite3_bind_int64(s, 4, k->backorder_limit);
  sqlite3_bind_int64(s, 5, k->low_stock_threshold);
  sqlite3_bind_int(s, 6, k->handling_days);
  sqlite3_bind_int(s, 7, k->max_backorder_days);
  sqlite3_bind_int(s, 8, k->lead_time_days);
  sqlite3_bind_int(s, 9, k->discontinued);
  sqlite3_bind_int(s, 10, k->protect_promises);
  bind_text(s, 11, k->supplier);
  bind_text(s, 12, subs);
  sqlite3_bind_int64(s, 13, k->on_hand);
  sqlite3_bind_int64(s, 14, k->allocated);
  sqlite3_bind_int64(s, 15, k->backordered);
  sqlite3_bind_int(s, 16, k->status);
  sqlite3_bind_int64(s, 17, k->created_at);
  sqlite3_bind_int64(s, 18, k->updated_at);
}

static void sku_read(sqlite3_stmt *s, void *out) {
  bo_sku *k = out;
  memset(k, 0, sizeof *k);
  col_text(s, 0, k->id, sizeof k->id);
  col_text(s, 1, k->name, sizeof k->name);
  k->policy = (bo_policy)sqlite3_column_int(s, 2);
  k->backorder_limit = sqlite3_column_int64(s, 3);
  k->low_stock_threshold = sqlite3_column_int64(s, 4);
  k->handling_days = sqlite3_column_int(s, 5);
  k->max_backorder_days = sqlite3_column_int(s, 6);
  k->lead_time_days = sqlite3_column_int(s, 7);
  k->discontinued = sqlite3_column_int(s, 8) != 0;
  k->protect_promises = sqlite3_column_int(s, 9) != 0;
  col_text(s, 10, k->supplier, sizeof k->supplier);
  const unsigned char *subs = sqlite3_column_text(s, 11);
  substitutes_split(subs ? (const char *)subs : "", k);
  k->on_hand = sqlite3_column_int64(s, 12);
  k->allocated = sqlite3_column_int64(s, 13);
  k->backordered = sqlite3_column_int64(s, 14);
  k->status = (bo_status)sqlite3_column_int(s, 15);
  k->created_at = sqlite3_column_int64(s, 16);
  k->updated_at = sqlite3_column_int64(s, 17);
}

#define SUBS_TEXT_MAX (BO_SUBSTITUTES_MAX * (BO_SKU_ID_LEN_MAX + 1) + 1)

static bo_rc sq_sku_get(bo_store *st, const char *id, bo_sku *out) {
  return get_one(st, S_SKU_GET, id, sku_read, out);
}

static bo_rc sku_write(bo_store *st, int id, const bo_sku *k) {
  char subs[SUBS_TEXT_MAX];
  note_changed(st, k->id);
  sqlite3_stmt *s = stmt(st, id);
  if (!s) return BO_E_STORE;
  sku_bind(s, k, subs, sizeof subs);
  return step_done(st, s);
}

static bo_rc sq_sku_update_counters(bo_store *st, const bo_sku *k) {
  sqlite3_stmt *s = stmt(st, S_SKU_COUNTERS);
  if (!s) return BO_E_STORE;
  note_changed(st, k->id);
  bind_text(s, 1, k->id);
  sqlite3_bind_int64(s, 2, k->on_hand);
  sqlite3_bind_int64(s, 3, k->allocated);
  sqlite3_bind_int64(s, 4, k->backordered);
  sqlite3_bind_int64(s, 5, k->updated_at);
  return step_done(st, s);
}

static bo_rc sq_order_next_seq(bo_store *st, int64_t *out) {
  return get_int64(st, S_ORDER_NEXT_SEQ, NULL, out);
}

static bo_rc sq_sku_insert(bo_store *st, const bo_sku *k) { return sku_write(st, S_SKU_INSERT, k); }
static bo_rc sq_sku_update(bo_store *st, const bo_sku *k) { return sku_write(st, S_SKU_UPDATE, k); }

/* Steps s to the end, calling `each(ctx, row)` per row; stops on its error. */
static bo_rc each_row(bo_store *st, sqlite3_stmt *s, bo_rc (*each)(sqlite3_stmt *, void *),
                      void *ctx) {
  int code;
  bo_rc rc = BO_OK;
  while (rc == BO_OK && (code = sqlite3_step(s)) == SQLITE_ROW) rc = each(s, ctx);
  if (rc == BO_OK && code != SQLITE_DONE) rc = rc_of(SQ(st)->db, code, sqlite3_sql(s));
  sqlite3_reset(s);
  return rc;
}

typedef struct row_cb {
  bo_rc (*cb)(void *, const void *);
  void *ctx;
} row_cb;

static bo_rc each_sku(sqlite3_stmt *s, void *p) {
  bo_sku k;
  sku_read(s, &k);
  const row_cb *r = p;
  return r->cb(r->ctx, &k);
}

static bo_rc sq_sku_list(bo_store *st, int status, const bo_page *page, bo_sku_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, status < 0 ? S_SKU_LIST : S_SKU_LIST_STATUS);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, page->after ? page->after : "");
  sqlite3_bind_int(s, 2, page->limit);
  if (status >= 0) sqlite3_bind_int(s, 3, status);
  row_cb r = {(bo_rc(*)(void *, const void *))cb, ctx};
  return each_row(st, s, each_sku, &r);
}

static bo_rc sq_sku_count(bo_store *st, int64_t *out) {
  return get_int64(st, S_SKU_COUNT, NULL, out);
}

/* --- ledger --------------------------------------------------------------- */

static bo_rc sq_ledger_append(bo_store *st, bo_ledger_entry *e) {
  sqlite3_stmt *s = stmt(st, S_LEDGER_APPEND);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, e->sku);
  sqlite3_bind_int64(s, 2, e->delta);
  sqlite3_bind_int64(s, 3, e->on_hand_after);
  bind_text(s, 4, e->reason);
  bind_text(s, 5, e->ref);
  sqlite3_bind_int64(s, 6, e->at);
  const bo_rc rc = step_done(st, s);
  if (rc == BO_OK) e->id = sqlite3_last_insert_rowid(SQ(st)->db);
  return rc;
}

static bo_rc each_ledger(sqlite3_stmt *s, void *p) {
  bo_ledger_entry e;
  e.id = sqlite3_column_int64(s, 0);
  col_text(s, 1, e.sku, sizeof e.sku);
  e.delta = sqlite3_column_int64(s, 2);
  e.on_hand_after = sqlite3_column_int64(s, 3);
  col_text(s, 4, e.reason, sizeof e.reason);
  col_text(s, 5, e.ref, sizeof e.ref);
  e.at = sqlite3_column_int64(s, 6);
  const row_cb *r = p;
  return r->cb(r->ctx, &e);
}

static bo_rc sq_ledger_list(bo_store *st, const char *sku, int64_t after_id, int limit,
                            bo_ledger_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_LEDGER_LIST);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sku);
  sqlite3_bind_int64(s, 2, after_id);
  sqlite3_bind_int(s, 3, limit);
  row_cb r = {(bo_rc(*)(void *, const void *))cb, ctx};
  return each_row(st, s, each_ledger, &r);
}

static bo_rc sq_ledger_sum(bo_store *st, const char *sku, int64_t *out) {
  return get_int64(st, S_LEDGER_SUM, sku, out);
}

/* --- supply --------------------------------------------------------------- */

static bo_rc each_incoming(sqlite3_stmt *s, void *p) {
  bo_incomings *in = p;
  const int64_t qty = sqlite3_column_int64(s, 1);
  in->total += qty;
  if (in->n < BO_OPEN_SUPPLY_MAX) {
    bo_incoming *x = &in->v[in->n++];
    col_text(s, 0, x->po, sizeof x->po);
    x->qty = qty;
    x->eta = sqlite3_column_int(s, 2);
  }
  return BO_OK;
}

static bo_rc sq_incoming_load(bo_store *st, const char *sku, bo_incomings *out) {
  sqlite3_stmt *s = stmt(st, S_INCOMING);
  if (!s) return BO_E_STORE;
  out->n = 0;
  out->total = 0;
  bind_text(s, 1, sku);
  return each_row(st, s, each_incoming, out);
}

/* --- orders and lines ----------------------------------------------------- */

static void order_read(sqlite3_stmt *s, void *out) {
  bo_order *o = out;
  memset(o, 0, sizeof *o);
  col_text(s, 0, o->id, sizeof o->id);
  col_text(s, 1, o->customer_id, sizeof o->customer_id);
  col_text(s, 2, o->customer_email, sizeof o->customer_email);
  o->tier = sqlite3_column_int(s, 3);
  o->ship_policy = (bo_ship_policy)sqlite3_column_int(s, 4);
  o->need_by = col_day(s, 5);
  o->if_late = (bo_if_late)sqlite3_column_int(s, 6);
  o->status = (bo_order_status)sqlite3_column_int(s, 7);
  o->created_at = sqlite3_column_int64(s, 8);
  o->updated_at = sqlite3_column_int64(s, 9);
}

static bo_rc sq_order_insert(bo_store *st, const bo_order *o) {
  sqlite3_stmt *s = stmt(st, S_ORDER_INSERT);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, o->id);
  bind_text(s, 2, o->customer_id);
  bind_text(s, 3, o->customer_email);
  sqlite3_bind_int(s, 4, o->tier);
  sqlite3_bind_int(s, 5, o->ship_policy);
  bind_day(s, 6, o->need_by);
  sqlite3_bind_int(s, 7, o->if_late);
  sqlite3_bind_int(s, 8, o->status);
  sqlite3_bind_int64(s, 9, o->created_at);
  sqlite3_bind_int64(s, 10, o->updated_at);
  return step_done(st, s);
}

static bo_rc sq_order_update(bo_store *st, const bo_order *o) {
  sqlite3_stmt *s = stmt(st, S_ORDER_UPDATE);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, o->id);
  sqlite3_bind_int(s, 2, o->status);
  sqlite3_bind_int64(s, 3, o->updated_at);
  return step_done(st, s);
}

static bo_rc sq_order_get(bo_store *st, const char *id, bo_order *out) {
  return get_one(st, S_ORDER_GET, id, order_read, out);
}

static bo_rc each_order(sqlite3_stmt *s, void *p) {
  bo_order o;
  order_read(s, &o);
  const row_cb *r = p;
  return r->cb(r->ctx, &o);
}

static bo_rc sq_order_list(bo_store *st, int status, const bo_page *page, bo_order_cb cb,
                           void *ctx) {
  sqlite3_stmt *s = stmt(st, status >= 0 ? S_ORDER_LIST_STATUS : S_ORDER_LIST);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, page->after ? page->after : "");
  sqlite3_bind_int(s, 2, page->limit);
  if (status >= 0) sqlite3_bind_int(s, 3, status);
  row_cb r = {(bo_rc(*)(void *, const void *))cb, ctx};
  return each_row(st, s, each_order, &r);
}

static void line_bind(sqlite3_stmt *s, const bo_line *l) {
  char promise[BO_PROMISE_PARTS_MAX * 40];
  bo_schedule_encode(&l->promise, promise, sizeof promise);
  bind_text(s, 1, l->order_id);
  sqlite3_bind_int(s, 2, l->line_no);
  bind_text(s, 3, l->sku);
  sqlite3_bind_int64(s, 4, l->qty);
  sqlite3_bind_int64(s, 5, l->allocated);
  sqlite3_bind_int64(s, 6, l->backordered);
  sqlite3_bind_int64(s, 7, l->shipped);
  sqlite3_bind_int64(s, 8, l->cancelled);
  sqlite3_bind_int64(s, 9, l->queue_prio);
  sqlite3_bind_int64(s, 10, l->queue_us);
  sqlite3_bind_int(s, 11, l->tier);
  sqlite3_bind_int64(s, 12, l->created_at);
  sqlite3_bind_text(s, 13, promise, -1, SQLITE_TRANSIENT);
  bind_day(s, 14, l->first_promise);
  sqlite3_bind_int(s, 15, l->delays);
  sqlite3_bind_int(s, 16, l->consented);
  bind_day(s, 17, l->need_by);
  sqlite3_bind_int(s, 18, l->if_late);
  sqlite3_bind_int(s, 19, l->n_lines);
}

static void line_read(sqlite3_stmt *s, bo_line *l) {
  memset(l, 0, sizeof *l);
  col_text(s, 0, l->order_id, sizeof l->order_id);
  l->line_no = sqlite3_column_int(s, 1);
  col_text(s, 2, l->sku, sizeof l->sku);
  l->qty = sqlite3_column_int64(s, 3);
  l->allocated = sqlite3_column_int64(s, 4);
  l->backordered = sqlite3_column_int64(s, 5);
  l->shipped = sqlite3_column_int64(s, 6);
  l->cancelled = sqlite3_column_int64(s, 7);
  l->queue_prio = sqlite3_column_int64(s, 8);
  l->queue_us = sqlite3_column_int64(s, 9);
  l->tier = sqlite3_column_int(s, 10);
  l->created_at = sqlite3_column_int64(s, 11);
  const unsigned char *p = sqlite3_column_text(s, 12);
  if (!bo_schedule_decode(p ? (const char *)p : "", &l->promise)) l->promise.n = 0;
  l->first_promise = col_day(s, 13);
  l->delays = sqlite3_column_int(s, 14);
  l->consented = sqlite3_column_int(s, 15) != 0;
  l->need_by = col_day(s, 16);
  l->if_late = (bo_if_late)sqlite3_column_int(s, 17);
  l->n_lines = sqlite3_column_int(s, 18);
}

static void bind_queue_key(sqlite3_stmt *s, int first, const bo_line *l) {
  sqlite3_bind_int64(s, first, l->queue_prio);
  sqlite3_bind_int64(s, first + 1, l->queue_us);
  bind_text(s, first + 2, l->order_id);
  sqlite3_bind_int(s, first + 3, l->line_no);
}

/* Runs a statement that takes a SKU as ?1 and nothing else (see step_row). */
static bo_rc run_sku(bo_store *st, int id, const char *sku, bool *row) {
  sqlite3_stmt *s = stmt(st, id);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sku);
  return step_row(st, s, row);
}

/* Notes that the SKU's queue may hold re-dated lines (see fill_through). */
static bo_rc mark_redated(bo_store *st, const char *sku) {
  sqlite_store *s = SQ(st);
  if (strcmp(s->redated, sku) == 0) return BO_OK;
  const bo_rc rc = run_sku(st, S_REDATED_MARK, sku, NULL);
  if (!rc) snprintf(s->redated, sizeof s->redated, "%s", sku);
  return rc;
}

/*
 * --- the queue in chunks (qchunk.h) -------------------------------------------
 *
 * Each row of queue_chunks holds 1..BO_QCHUNK_MAX waiting lines of one SKU
 * in queue order, under a key that is at most its first line's and above
 * every line of the chunk before it: a line belongs to the last chunk whose
 * key is not above its own (to a chunk of its own when none is). Keys never
 * change; a chunk that grows past BO_QCHUNK_MAX is split (the new part keyed
 * by its first line; a line added at the end of a full chunk starts one of
 * its own, as queues mostly grow at their end), one that empties is deleted.
 * A line's BO_QCHUNK_DIRTY flag says that its promise history
 * (first_promise, delays, consented) may differ from its order_lines row
 * (re-dating writes only the chunk).
 *
 * One line is added, changed or taken out by splicing the bytes of its
 * chunk; reading, re-dating and filling a whole queue pass over its chunks
 * one row at a time.
 */

/* One chunk, read for a key: its bytes, each line's key and offset.
 * Placing a line that waits reads its chunk twice, to see whether it jumps
 * the queue (queue_has_after) and to splice it in (queue_put); the second
 * read is skipped when nothing was written since the first (`seen`: the
 * connection's change count then, the SKU and key it was read for), in
 * the same transaction. A rollback undoes writes without counting them, so
 * it forgets the chunk (forget_chunk). */
typedef struct chunk {
  int64_t id; /* 0: there is none */
  size_t n, len;
  uint8_t bytes[(BO_QCHUNK_MAX + 1) * BO_QCHUNK_LINE_BYTES];
  bo_qchunk_key key[BO_QCHUNK_MAX + 1];
  uint32_t off[BO_QCHUNK_MAX + 2];
  bool kept; /* still as the store holds it, if seen_changes is current */
  int64_t seen_changes;
  bo_line seen; /* the SKU and queue key it was read for */
} chunk;

static bo_rc corrupt_chunk(const char *sku) {
  fprintf(stderr, "store: a queue chunk of sku \"%s\" cannot be read\n", sku);
  return BO_E_STORE;
}

/* A chunk's key from columns first..first+3 of s. */
static void chunk_key_read(sqlite3_stmt *s, int first, bo_line *key) {
  key->queue_prio = sqlite3_column_int64(s, first);
  key->queue_us = sqlite3_column_int64(s, first + 1);
  col_text(s, first + 2, key->order_id, sizeof key->order_id);
  key->line_no = sqlite3_column_int(s, first + 3);
}

static const bo_line QKEY_MIN = {.queue_prio = INT64_MIN, .queue_us = INT64_MIN,
                                 .line_no = INT32_MIN};

/* The key of the chunk that holds `key` in sku's queue (QKEY_MIN when key
 * comes before every chunk). */
static bo_rc chunk_start(bo_store *st, const char *sku, const bo_line *key, bo_line *start) {
  *start = QKEY_MIN;
  sqlite3_stmt *s = stmt(st, S_CHUNK_AT);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sku);
  bind_queue_key(s, 2, key);
  const int code = sqlite3_step(s);
  if (code == SQLITE_ROW) chunk_key_read(s, 0, start);
  sqlite3_reset(s);
  return code == SQLITE_ROW || code == SQLITE_DONE ? BO_OK : rc_of(SQ(st)->db, code, "chunk at");
}

/* The statement that gives (id, n, lines) of the chunks of sku's queue that
 * hold keys from `from` to `to` (NULL: the queue's start, its end). */
static bo_rc chunks_select(bo_store *st, const char *sku, const bo_line *from,
                           const bo_line *to, sqlite3_stmt **out) {
  bo_line start = QKEY_MIN;
  const bo_rc rc = from ? chunk_start(st, sku, from, &start) : BO_OK;
  if (rc) return rc;
  sqlite3_stmt *s = stmt(st, to ? S_CHUNK_RANGE : S_CHUNK_FROM);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sku);
  bind_queue_key(s, 2, &start);
  sqlite3_bind_text(s, 4, start.order_id, -1, SQLITE_TRANSIENT); /* a local */
  if (to) bind_queue_key(s, 6, to);
  *out = s;
  return BO_OK;
}

/* The row's line count (column 1), checked. */
static bo_rc chunk_count(sqlite3_stmt *s, const char *sku, size_t *n) {
  const int64_t v = sqlite3_column_int64(s, 1);
  if (v < 1 || v > BO_QCHUNK_MAX) return corrupt_chunk(sku);
  *n = (size_t)v;
  return BO_OK;
}

/* The store's chunk and buffer of chunk bytes, made on first use. */
static chunk *the_chunk(bo_store *st) {
  sqlite_store *q = SQ(st);
  if (!q->chunk && (q->chunk = malloc(sizeof *q->chunk))) q->chunk->kept = false;
  return q->chunk;
}

/* The chunk read last is kept only inside one transaction, where no other
 * connection's writes show: forgotten at every transaction or savepoint
 * boundary but a new savepoint, and never kept outside a transaction. */
static void forget_chunk(sqlite_store *q) {
  if (q->chunk) q->chunk->kept = false;
}

/* Remembers c as the chunk of l's key (read just now). */
static void chunk_keep(sqlite_store *q, chunk *c, const bo_line *l) {
  c->kept = !sqlite3_get_autocommit(q->db);
  c->seen_changes = sqlite3_total_changes64(q->db);
  memcpy(c->seen.sku, l->sku, sizeof c->seen.sku);
  memcpy(c->seen.order_id, l->order_id, sizeof c->seen.order_id);
  c->seen.queue_prio = l->queue_prio;
  c->seen.queue_us = l->queue_us;
  c->seen.line_no = l->line_no;
}

/* Whether c is the chunk of l's key as the store holds it now. */
static bool chunk_kept(sqlite_store *q, const chunk *c, const bo_line *l) {
  return c->kept && !sqlite3_get_autocommit(q->db) &&
         c->seen_changes == sqlite3_total_changes64(q->db) &&
         bo_line_queue_cmp(&c->seen, l) == 0 && strcmp(c->seen.sku, l->sku) == 0;
}

static uint8_t *chunk_buf(bo_store *st) {
  sqlite_store *q = SQ(st);
  if (!q->chunk_buf) q->chunk_buf = malloc(sizeof q->chunk->bytes);
  return q->chunk_buf;
}

/* Steps s, a query of (id, n, lines[, chunk key]), into c (c->id 0 when
 * it gives no row); the chunk's key into *start when wanted. What c held
 * is forgotten, whatever the outcome. */
static bo_rc chunk_load(bo_store *st, sqlite3_stmt *s, const char *sku, chunk *c,
                        bo_line *start) {
  bo_rc rc = BO_OK;
  c->kept = false;
  c->id = 0;
  c->n = c->len = 0;
  c->off[0] = 0;
  const int code = sqlite3_step(s);
  if (code == SQLITE_ROW && !(rc = chunk_count(s, sku, &c->n))) {
    c->id = sqlite3_column_int64(s, 0);
    c->len = (size_t)sqlite3_column_bytes(s, 2);
    if (c->len > BO_QCHUNK_MAX * BO_QCHUNK_LINE_BYTES) rc = corrupt_chunk(sku);
    else if (c->len) memcpy(c->bytes, sqlite3_column_blob(s, 2), c->len);
    if (!rc && !bo_qchunk_scan(c->bytes, c->len, c->n, c->key, c->off)) rc = corrupt_chunk(sku);
    if (start) chunk_key_read(s, 3, start);
  } else if (code != SQLITE_ROW && code != SQLITE_DONE) {
    rc = rc_of(SQ(st)->db, code, sqlite3_sql(s));
  }
  sqlite3_reset(s);
  return rc;
}

/* Reads into c the chunk that holds l's key (c->id 0 when none does: l
 * comes before every line of its queue). */
static bo_rc chunk_read(bo_store *st, const bo_line *l, chunk *c) {
  sqlite3_stmt *s = stmt(st, S_CHUNK_OF);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, l->sku);
  bind_queue_key(s, 2, l);
  return chunk_load(st, s, l->sku, c, NULL);
}

/* Where l's key is or would go in c; *found when a line has it. */
static size_t chunk_find(const chunk *c, const bo_line *l, bool *found) {
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (bo_qchunk_cmp(&c->key[mid], l) < 0) lo = mid + 1;
    else hi = mid;
  }
  *found = lo < c->n && bo_qchunk_cmp(&c->key[lo], l) == 0;
  return lo;
}

static bo_rc chunk_put(bo_store *st, int64_t id, size_t n, const uint8_t *bytes, size_t len) {
  sqlite3_stmt *s = stmt(st, S_CHUNK_PUT);
  if (!s) return BO_E_STORE;
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int64(s, 2, (int64_t)n);
  sqlite3_bind_blob(s, 3, bytes, (int)len, SQLITE_STATIC);
  return step_done(st, s);
}

static bo_rc chunk_drop(bo_store *st, int64_t id) {
  sqlite3_stmt *s = stmt(st, S_CHUNK_DROP);
  if (!s) return BO_E_STORE;
  sqlite3_bind_int64(s, 1, id);
  return step_done(st, s);
}

/* A new chunk of sku keyed by its first line's key k. */
static bo_rc chunk_new(bo_store *st, const char *sku, const bo_qchunk_key *k, size_t n,
                       const uint8_t *bytes, size_t len) {
  sqlite3_stmt *s = stmt(st, S_CHUNK_NEW);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sku);
  sqlite3_bind_int64(s, 2, k->queue_prio);
  sqlite3_bind_int64(s, 3, k->queue_us);
  sqlite3_bind_text(s, 4, (const char *)k->order_id, k->id_len, SQLITE_STATIC);
  sqlite3_bind_int(s, 5, k->line_no);
  sqlite3_bind_int64(s, 6, (int64_t)n);
  sqlite3_bind_blob(s, 7, bytes, (int)len, SQLITE_STATIC);
  return step_done(st, s);
}

/* Stores c with its lines [at, at + drop) replaced by `add` lines of bytes
 * ins[0..ins_len): written back, split, deleted or made. */
static bo_rc chunk_splice(bo_store *st, const char *sku, chunk *c, size_t at, size_t drop,
                          size_t add, const uint8_t *ins, size_t ins_len) {
  uint8_t *buf = chunk_buf(st);
  if (!buf) return BO_E_NOMEM;
  const size_t head = c->off[at], tail = c->len - c->off[at + drop];
  const size_t n = c->n - drop + add, len = head + ins_len + tail;
  if (n == 0) return c->id ? chunk_drop(st, c->id) : BO_OK;
  /* the first line of a queue, or one added at the end of a full chunk:
   * a chunk of its own */
  if (!c->id || (n > BO_QCHUNK_MAX && at == c->n)) {
    BO_ASSERT(add == 1 && drop == 0);
    bo_qchunk_key k;
    uint32_t off[2];
    if (!bo_qchunk_scan(ins, ins_len, 1, &k, off)) return BO_E_STORE;
    return chunk_new(st, sku, &k, 1, ins, ins_len);
  }
  memcpy(buf, c->bytes, head);
  if (ins_len) memcpy(buf + head, ins, ins_len);
  memcpy(buf + head + ins_len, c->bytes + c->off[at + drop], tail);
  if (n <= BO_QCHUNK_MAX) return chunk_put(st, c->id, n, buf, len);
  /* split in two halves: the second a new chunk keyed by its first line */
  memcpy(c->bytes, buf, len);
  c->len = len;
  c->n = n;
  if (!bo_qchunk_scan(c->bytes, c->len, n, c->key, c->off)) return BO_E_STORE;
  const size_t h = n / 2;
  bo_rc rc = chunk_put(st, c->id, h, c->bytes, c->off[h]);
  if (!rc) rc = chunk_new(st, sku, &c->key[h], n - h, c->bytes + c->off[h], len - c->off[h]);
  return rc;
}

/* The queue line with l's key: *found, its index in c (read here). */
static bo_rc queue_find(bo_store *st, const bo_line *l, chunk **out, size_t *at, bool *found) {
  chunk *c = the_chunk(st);
  if (!c) return BO_E_NOMEM;
  bo_rc rc = BO_OK;
  if (!chunk_kept(SQ(st), c, l) && !(rc = chunk_read(st, l, c))) chunk_keep(SQ(st), c, l);
  *at = rc ? 0 : chunk_find(c, l, found);
  *out = c;
  return rc;
}

/* Puts line l in its queue (in place of the line with its key, if any),
 * its promise history the same as order_lines' (not dirty). */
static bo_rc queue_put(bo_store *st, const bo_line *l) {
  uint8_t line[BO_QCHUNK_LINE_BYTES];
  chunk *c;
  size_t at;
  bool found = false;
  const bo_rc rc = queue_find(st, l, &c, &at, &found);
  if (rc) return rc;
  const size_t len = bo_qchunk_encode(l, 0, line);
  return chunk_splice(st, l->sku, c, at, found, 1, line, len);
}

/* Takes the line with l's key out of its queue, if it is there. */
static bo_rc queue_drop(bo_store *st, const bo_line *l) {
  chunk *c;
  size_t at;
  bool found = false;
  const bo_rc rc = queue_find(st, l, &c, &at, &found);
  if (rc || !found) return rc;
  return chunk_splice(st, l->sku, c, at, 1, 0, NULL, 0);
}

/* Whether line l (its SKU and key) waits in its queue; that queue line in
 * *q when it does (q may be NULL). */
static bo_rc queue_line(bo_store *st, const bo_line *l, bool *in, bo_line *q) {
  chunk *c;
  size_t at;
  *in = false;
  bo_rc rc = queue_find(st, l, &c, &at, in);
  if (!rc && *in && q &&
      !bo_qchunk_decode(c->bytes + c->off[at], c->off[at + 1] - c->off[at], 1, l->sku, q, NULL))
    rc = corrupt_chunk(l->sku);
  return rc;
}

static bo_rc line_write(bo_store *st, int id, const bo_line *l) {
  sqlite3_stmt *s = stmt(st, id);
  if (!s) return BO_E_STORE;
  line_bind(s, l);
  return step_done(st, s);
}

/* A line is written to order_lines and, while it waits, to the queue too
 * (its promise history then the same in both: not dirty). */
static bo_rc line_store(bo_store *st, int id, const bo_line *l) {
  note_changed(st, l->sku);
  bo_rc rc;
  /* the queue first: its chunk was most likely read just before, with no
   * write since (struct chunk) */
  if (l->backordered > 0) return (rc = queue_put(st, l)) ? rc : line_write(st, id, l);
  if ((rc = line_write(st, id, l))) return rc;
  if (id == S_LINE_INSERT) return BO_OK;
  /* it waits no more: out of the queue, and its history out of `filled` */
  rc = queue_drop(st, l);
  sqlite3_stmt *s = rc ? NULL : stmt(st, S_FILLED_DROP);
  if (rc || !s) return rc ? rc : BO_E_STORE;
  bind_text(s, 1, l->sku);
  bind_queue_key(s, 2, l);
  return step_done(st, s);
}

static bo_rc sq_line_insert(bo_store *st, const bo_line *l) {
  return line_store(st, S_LINE_INSERT, l);
}
static bo_rc sq_line_update(bo_store *st, const bo_line *l) {
  return line_store(st, S_LINE_UPDATE, l);
}

/* A pass over the chunks of sku's queue from the one that holds `from`
 * (NULL: the first) to the last that may hold `to`, one row at a time:
 * `fn` gets each chunk's id, line count and bytes. Writing the current row
 * of a pending SELECT is safe in SQLite; fn's writes leave the columns it
 * is ordered by alone. */
typedef bo_rc (*chunk_fn)(bo_store *st, void *ctx, int64_t id, size_t n, const uint8_t *bytes,
                          size_t len);

static bo_rc chunk_pass(bo_store *st, const char *sku, const bo_line *from, const bo_line *to,
                        chunk_fn fn, void *ctx) {
  sqlite3_stmt *s = NULL;
  bo_rc rc = chunks_select(st, sku, from, to, &s);
  int code = SQLITE_DONE;
  size_t n = 0;
  while (!rc && (code = sqlite3_step(s)) == SQLITE_ROW && !(rc = chunk_count(s, sku, &n)))
    rc = fn(st, ctx, sqlite3_column_int64(s, 0), n, sqlite3_column_blob(s, 2),
            (size_t)sqlite3_column_bytes(s, 2));
  if (!rc && code != SQLITE_DONE) rc = rc_of(SQ(st)->db, code, sqlite3_sql(s));
  if (s) sqlite3_reset(s);
  return rc;
}

/* A re-date of the lines with keys from..to, all alike (like `like`), or
 * of the one line `like` (its own promise history: from NULL). */
typedef struct redate_ctx {
  const bo_line *from, *to, *like;
  bool delayed;
} redate_ctx;

static bool redate_line(void *p, const bo_qchunk_key *key, bo_qchunk_promise *pr) {
  const redate_ctx *c = p;
  if (bo_qchunk_cmp(key, c->to) > 0 || bo_qchunk_cmp(key, c->from ? c->from : c->to) < 0)
    return false;
  pr->promise = c->like->promise;
  if (!c->from) { /* the line as the engine made it */
    pr->flags |= BO_QCHUNK_DIRTY;
    pr->first_promise = c->like->first_promise;
    pr->delays = c->like->delays;
    pr->consented = c->like->consented;
    return true;
  }
  /* as the engine's apply_walk does to each: first promise kept, a delay
   * counted and unconsented; only then does the history differ from
   * order_lines' (a new date alone is forgotten when the line is filled) */
  if (c->delayed || pr->first_promise == BO_DAY_NONE) pr->flags |= BO_QCHUNK_DIRTY;
  if (pr->first_promise == BO_DAY_NONE)
    pr->first_promise = pr->promise.n > 0 ? bo_schedule_date(&pr->promise) : BO_DAY_NONE;
  if (c->delayed) {
    pr->delays++;
    pr->consented = false;
  }
  return true;
}

static bo_rc redate_chunk(bo_store *st, void *p, int64_t id, size_t n, const uint8_t *bytes,
                          size_t len) {
  const redate_ctx *c = p;
  uint8_t *buf = chunk_buf(st);
  if (!buf) return BO_E_NOMEM;
  bool changed = false;
  const size_t out = bo_qchunk_repromise(bytes, len, n, redate_line, (void *)c, buf, &changed);
  if (out == 0) return corrupt_chunk(c->to->sku);
  return changed ? chunk_put(st, id, n, buf, out) : BO_OK;
}

static bo_rc sq_line_update_promise(bo_store *st, const bo_line *l) {
  BO_ASSERT(l->backordered > 0);
  note_changed(st, l->sku);
  redate_ctx c = {NULL, l, l, false};
  const bo_rc rc = chunk_pass(st, l->sku, l, l, redate_chunk, &c);
  return rc ? rc : mark_redated(st, l->sku);
}

static bo_rc sq_line_update_promise_run(bo_store *st, const bo_line *from, const bo_line *to,
                                        const bo_line *like, bool delayed) {
  BO_ASSERT(strcmp(from->sku, to->sku) == 0 && bo_line_queue_cmp(from, to) <= 0);
  note_changed(st, from->sku);
  redate_ctx c = {from, to, like, delayed};
  const bo_rc rc = chunk_pass(st, from->sku, from, to, redate_chunk, &c);
  return rc ? rc : mark_redated(st, from->sku);
}

typedef struct load_ctx {
  const char *sku;
  bo_lines *out;
} load_ctx;

static bo_rc load_chunk(bo_store *st, void *p, int64_t id, size_t n, const uint8_t *bytes,
                        size_t len) {
  (void)st;
  (void)id;
  load_ctx *c = p;
  const bo_rc rc = bo_lines_reserve(c->out, n);
  if (rc) return rc;
  if (!bo_qchunk_decode(bytes, len, n, c->sku, c->out->v + c->out->n, NULL))
    return corrupt_chunk(c->sku);
  c->out->n += n;
  return BO_OK;
}

/* Room in `out` for all of sku's waiting lines at once (a long queue is
 * tens of MB: no copies as it grows, its pages mapped in one call). */
static bo_rc reserve_queue(bo_store *st, const char *sku, bo_lines *out) {
  sqlite3_stmt *s = stmt(st, S_CHUNK_COUNT);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sku);
  const int code = sqlite3_step(s);
  const int64_t n = code == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (code != SQLITE_ROW) return rc_of(SQ(st)->db, code, "queue size");
  return bo_lines_reserve(out, (size_t)n);
}

static bo_rc sq_queue_load(bo_store *st, const char *sku, bo_lines *out) {
  out->n = 0;
  load_ctx c = {sku, out};
  const bo_rc rc = reserve_queue(st, sku, out);
  return rc ? rc : chunk_pass(st, sku, NULL, NULL, load_chunk, &c);
}

/* Whether a line of sku's queue comes after l's key. Reads the queue's
 * last chunk: a line that joins at the tail (the common case) belongs to
 * it, and queue_put then finds it read. */
static bo_rc sq_queue_has_after(bo_store *st, const bo_line *l, bool *out) {
  chunk *c = the_chunk(st);
  sqlite3_stmt *s = c ? stmt(st, S_CHUNK_LAST) : NULL;
  if (!s) return c ? BO_E_STORE : BO_E_NOMEM;
  *out = false;
  bind_text(s, 1, l->sku);
  bo_line start;
  const bo_rc rc = chunk_load(st, s, l->sku, c, &start);
  if (rc || !c->id) return rc; /* an empty queue */
  if (bo_line_queue_cmp(l, &start) < 0) { /* l goes before the last chunk and all its lines */
    *out = true;
    return BO_OK;
  }
  chunk_keep(SQ(st), c, l);
  bool found;
  *out = chunk_find(c, l, &found) + found < c->n;
  return BO_OK;
}

typedef struct fill_ctx {
  const bo_line *last;
  bool redated; /* keep the history of dirty lines in `filled` */
  bool after;   /* a line after `last` was seen */
} fill_ctx;

/* Takes the lines up to c->last out of a chunk: deletes it, or writes back
 * the lines after. */
static bo_rc fill_chunk(bo_store *st, void *p, int64_t id, size_t n, const uint8_t *bytes,
                        size_t len) {
  fill_ctx *c = p;
  sqlite_store *q = SQ(st);
  if (!q->scratch) q->scratch = malloc(BO_QCHUNK_MAX * sizeof *q->scratch);
  if (!q->scratch) return BO_E_NOMEM;
  bo_line *v = q->scratch;
  uint8_t fl[BO_QCHUNK_MAX];
  bo_qchunk_key key[BO_QCHUNK_MAX];
  uint32_t off[BO_QCHUNK_MAX + 1];
  if (!bo_qchunk_scan(bytes, len, n, key, off)) return corrupt_chunk(c->last->sku);
  size_t k = 0;
  while (k < n && bo_qchunk_cmp(&key[k], c->last) <= 0) k++;
  c->after = c->after || k < n;
  if (k == 0) return BO_OK;
  if (c->redated) { /* the filled lines' promise history, where the queue changed it */
    if (!bo_qchunk_decode(bytes, off[k], k, c->last->sku, v, fl))
      return corrupt_chunk(c->last->sku);
    for (size_t i = 0; i < k; i++) {
      if (!(fl[i] & BO_QCHUNK_DIRTY)) continue;
      sqlite3_stmt *s = stmt(st, S_FILLED_PUT);
      if (!s) return BO_E_STORE;
      bind_text(s, 1, v[i].sku);
      bind_queue_key(s, 2, &v[i]);
      bind_day(s, 6, v[i].first_promise);
      sqlite3_bind_int(s, 7, v[i].delays);
      sqlite3_bind_int(s, 8, v[i].consented);
      const bo_rc rc = step_done(st, s);
      if (rc) return rc;
    }
  }
  if (k == n) return chunk_drop(st, id);
  uint8_t *buf = chunk_buf(st);
  if (!buf) return BO_E_NOMEM;
  memcpy(buf, bytes + off[k], len - off[k]);
  return chunk_put(st, id, n - k, buf, len - off[k]);
}

/* The filled head leaves the queue (no order_lines write: see
 * line_overlay), with the promise history of its re-dated lines kept in
 * `filled`; those are looked for only in a SKU that re-dating has marked in
 * queue_redated (the mark goes when its queue is emptied). The chunks
 * before the one that holds `last` go whole: read only for that history. */
static bo_rc sq_queue_fill_through(bo_store *st, const bo_line *last) {
  note_changed(st, last->sku);
  fill_ctx c = {.last = last, .redated = true};
  bo_rc rc = run_sku(st, S_REDATED_HAS, last->sku, &c.redated);
  if (!rc && !c.redated) { /* the chunks before last's: no history to keep */
    bo_line start;
    sqlite3_stmt *s = NULL;
    if (!(rc = chunk_start(st, last->sku, last, &start)) && !(s = stmt(st, S_CHUNK_DROP_BEFORE)))
      rc = BO_E_STORE;
    if (!rc) {
      bind_text(s, 1, last->sku);
      bind_queue_key(s, 2, &start);
      rc = step_done(st, s);
    }
  }
  /* what is left up to last: the chunk that holds it, or all of them */
  if (!rc) rc = chunk_pass(st, last->sku, NULL, last, fill_chunk, &c);
  if (!rc && !c.after) {
    sqlite3_stmt *s = stmt(st, S_CHUNK_AFTER);
    if (!s) return BO_E_STORE;
    bind_text(s, 1, last->sku);
    bind_queue_key(s, 2, last);
    rc = step_row(st, s, &c.after);
  }
  /* the whole queue filled: no re-dated line left in it */
  if (!rc && !c.after && c.redated) rc = run_sku(st, S_REDATED_CLEAR, last->sku, NULL);
  if (!rc && !c.after && strcmp(SQ(st)->redated, last->sku) == 0) SQ(st)->redated[0] = '\0';
  return rc;
}

typedef struct waiting_ctx {
  bo_store *st;
  bool *out;
} waiting_ctx;

static bo_rc each_waiting(sqlite3_stmt *s, void *p) {
  const waiting_ctx *c = p;
  bo_line l = {0};
  col_text(s, 0, l.sku, sizeof l.sku);
  l.queue_prio = sqlite3_column_int64(s, 1);
  l.queue_us = sqlite3_column_int64(s, 2);
  col_text(s, 3, l.order_id, sizeof l.order_id);
  l.line_no = sqlite3_column_int(s, 4);
  const bo_rc rc = queue_line(c->st, &l, c->out, NULL);
  /* found one: stop (each_row stops on an error, BO_E_EXISTS here) */
  return rc ? rc : *c->out ? BO_E_EXISTS : BO_OK;
}

static bo_rc sq_order_waiting(bo_store *st, const char *order_id, bool *out) {
  sqlite3_stmt *s = stmt(st, S_ORDER_WAITING);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, order_id);
  *out = false;
  waiting_ctx c = {st, out};
  const bo_rc rc = each_row(st, s, each_waiting, &c);
  return rc == BO_E_EXISTS ? BO_OK : rc;
}

/* A line as readers see it, from its order_lines row (LINE_COLS_FILLED):
 * a waiting line takes its promise history from its queue line (re-dating
 * writes only there); a line order_lines says waits but that is in no
 * queue was filled (migration 4): fully allocated, no promise, and its
 * promise history from `filled` when the queue had changed it. */
static bo_rc line_overlay(bo_store *st, sqlite3_stmt *s, bo_line *l) {
  line_read(s, l);
  if (l->backordered == 0) return BO_OK;
  bool in = false;
  bo_line q;
  const bo_rc rc = queue_line(st, l, &in, &q);
  if (rc) return rc;
  if (in) {
    l->promise = q.promise;
    l->first_promise = q.first_promise;
    l->delays = q.delays;
    l->consented = q.consented;
    return BO_OK;
  }
  l->allocated += l->backordered;
  l->backordered = 0;
  l->promise.n = 0;
  if (sqlite3_column_int(s, 19)) {
    l->first_promise = col_day(s, 20);
    l->delays = sqlite3_column_int(s, 21);
    l->consented = sqlite3_column_int(s, 22) != 0;
  }
  return BO_OK;
}

typedef struct lines_ctx {
  bo_store *st;
  bo_lines *out;              /* lines are added here, or ... */
  bo_line_cb cb;              /* ... handed to cb */
  void *ctx;
} lines_ctx;

static bo_rc each_overlay(sqlite3_stmt *s, void *p) {
  const lines_ctx *c = p;
  if (c->out) {
    bo_line *l = bo_lines_add(c->out); /* read in place: no copy of the line */
    return l ? line_overlay(c->st, s, l) : BO_E_NOMEM;
  }
  bo_line l;
  const bo_rc rc = line_overlay(c->st, s, &l);
  return rc ? rc : c->cb(c->ctx, &l);
}

static bo_rc sq_order_lines(bo_store *st, const char *order_id, bo_lines *out) {
  sqlite3_stmt *s = stmt(st, S_ORDER_LINES);
  if (!s) return BO_E_STORE;
  out->n = 0;
  bind_text(s, 1, order_id);
  lines_ctx c = {st, out, NULL, NULL};
  return each_row(st, s, each_overlay, &c);
}

static bo_rc sq_lines_scan(bo_store *st, bo_line_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_LINES_SCAN);
  if (!s) return BO_E_STORE;
  lines_ctx c = {st, NULL, cb, ctx};
  return each_row(st, s, each_overlay, &c);
}

/* Hands cb the lines of the chunks of statement s (id, n, lines[, sku]) that
 * come after (after_sku, after), at most `limit`. */
static bo_rc each_chunk_line(bo_store *st, sqlite3_stmt *s, const char *sku,
                             const char *after_sku, const bo_line *after, int limit,
                             bo_line_cb cb, void *ctx) {
  bo_line *v = malloc(BO_QCHUNK_MAX * sizeof *v);
  int code = SQLITE_DONE, sent = 0;
  bo_rc rc = v ? BO_OK : BO_E_NOMEM;
  while (!rc && sent < limit && (code = sqlite3_step(s)) == SQLITE_ROW) {
    char chunk_sku[BO_SKU_ID_LEN_MAX + 1];
    if (sku) snprintf(chunk_sku, sizeof chunk_sku, "%s", sku);
    else col_text(s, 3, chunk_sku, sizeof chunk_sku);
    size_t n = 0;
    if ((rc = chunk_count(s, chunk_sku, &n))) break;
    if (!bo_qchunk_decode(sqlite3_column_blob(s, 2), (size_t)sqlite3_column_bytes(s, 2), n,
                          chunk_sku, v, NULL)) {
      rc = corrupt_chunk(chunk_sku);
      break;
    }
    const int sku_cmp = strcmp(chunk_sku, after_sku);
    for (size_t i = 0; i < n && !rc && sent < limit; i++) {
      if (sku_cmp < 0 || (sku_cmp == 0 && bo_line_queue_cmp(&v[i], after) <= 0)) continue;
      rc = cb(ctx, &v[i]);
      sent++;
    }
  }
  if (!rc && sent < limit && code != SQLITE_DONE) rc = rc_of(SQ(st)->db, code, sqlite3_sql(s));
  sqlite3_reset(s);
  free(v);
  return rc;
}

/* The queue cursor is the key of the last line: "sku~prio~us~order~line". */
static bo_rc sq_queue_list(bo_store *st, const char *sku, const bo_page *page, bo_line_cb cb,
                           void *ctx) {
  bo_line key = QKEY_MIN;
  char after_sku[BO_SKU_ID_LEN_MAX + 1] = "";
  if (page->after && page->after[0]) {
    long long prio, us;
    int line_no, used = 0;
    if (sscanf(page->after, "%64[^~]~%lld~%lld~%64[^~]~%d%n", after_sku, &prio, &us,
               key.order_id, &line_no, &used) != 5 ||
        page->after[used] != '\0')
      return BO_E_INVALID;
    key.queue_prio = prio;
    key.queue_us = us;
    key.line_no = line_no;
  }
  if (sku) { /* the cursor's key in this SKU's queue (its SKU not looked at) */
    sqlite3_stmt *s = NULL;
    const bo_rc rc = chunks_select(st, sku, &key, NULL, &s);
    return rc ? rc : each_chunk_line(st, s, sku, sku, &key, page->limit, cb, ctx);
  }
  char start_sku[BO_SKU_ID_LEN_MAX + 1] = "";
  bo_line start = QKEY_MIN;
  sqlite3_stmt *s = stmt(st, S_CHUNK_AT_ANY);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, after_sku);
  bind_queue_key(s, 2, &key);
  if (sqlite3_step(s) == SQLITE_ROW) {
    col_text(s, 0, start_sku, sizeof start_sku);
    chunk_key_read(s, 1, &start);
  }
  sqlite3_reset(s);
  s = stmt(st, S_CHUNK_FROM_ANY);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, start_sku);
  bind_queue_key(s, 2, &start);
  return each_chunk_line(st, s, NULL, after_sku, &key, page->limit, cb, ctx);
}

/* --- events --------------------------------------------------------------- */

static bo_rc sq_event_append(bo_store *st, bo_event *e) {
  sqlite3_stmt *s = stmt(st, S_EVENT_APPEND);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, e->type);
  sqlite3_bind_int64(s, 2, e->at);
  bind_text(s, 3, e->order_id);
  bind_text(s, 4, e->sku);
  bind_text(s, 5, e->data);
  const bo_rc rc = step_done(st, s);
  if (rc == BO_OK) e->id = sqlite3_last_insert_rowid(SQ(st)->db);
  return rc;
}

/*
 * Folded line events. A command that touches many lines of one SKU (a
 * receipt, a re-promise) emits two events or so per line; they are stored
 * as rows of up to BO_EVENTS_PER_ROW_MAX events each instead of one row per
 * event, which writes a tenth of the bytes and a fraction of the B-tree
 * work. A folded row has n > 1, its id is the id of its last event, and its
 * data is, with every string preceded by its length and a colon:
 *
 *   D;  then D distinct (type, tail) pairs:  <len>:<type><len>:<tail>
 *   then n entries:  <pair index> followed by ",<line_no>,<len>:<order id>"
 *                    or by "." (same order and line as the entry before)
 *
 * event_list expands each entry back into the event event_append would
 * have stored: data {"order":…,"sku":…,"line":N<tail>}.
 */
#define FOLD_SLOTS (2 * BO_EVENTS_PER_ROW_MAX) /* hash slots of the pair table */

static uint64_t fold_hash(const char *type, const char *tail) {
  uint64_t h = 1469598103934665603ULL;
  for (const char *p = type; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  h = (h ^ 0xff) * 1099511628211ULL;
  for (const char *p = tail; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  return h;
}

static void sb_len_str(bo_strbuf *sb, const char *v) {
  const size_t n = strlen(v);
  bo_sb_i64(sb, (int64_t)n);
  bo_sb_raw(sb, ":", 1);
  bo_sb_raw(sb, v, n);
}

/* Encodes v[0..n) (n <= BO_EVENTS_PER_ROW_MAX) into sb as described above. */
static void fold_encode(const bo_line_event *v, size_t n, bo_strbuf *sb) {
  int slot_of[FOLD_SLOTS]; /* pair index + 1, 0 when free */
  int pair_of[BO_EVENTS_PER_ROW_MAX];
  size_t first_of_pair[BO_EVENTS_PER_ROW_MAX]; /* an entry carrying the pair */
  int pairs = 0;
  BO_ASSERT(n > 1 && n <= BO_EVENTS_PER_ROW_MAX);
  memset(slot_of, 0, sizeof slot_of);
  for (size_t i = 0; i < n; i++) {
    /* the same strings as one of the two entries before (a line's events
     * alternate between two kinds): no hashing */
    if (i > 0 && v[i].type == v[i - 1].type && v[i].tail == v[i - 1].tail) {
      pair_of[i] = pair_of[i - 1];
      continue;
    }
    if (i > 1 && v[i].type == v[i - 2].type && v[i].tail == v[i - 2].tail) {
      pair_of[i] = pair_of[i - 2];
      continue;
    }
    size_t h = (size_t)(fold_hash(v[i].type, v[i].tail) % FOLD_SLOTS);
    for (;; h = (h + 1) % FOLD_SLOTS) {
      if (slot_of[h] == 0) {
        first_of_pair[pairs] = i;
        slot_of[h] = ++pairs;
        break;
      }
      const bo_line_event *o = &v[first_of_pair[slot_of[h] - 1]];
      if (strcmp(o->type, v[i].type) == 0 && strcmp(o->tail, v[i].tail) == 0) break;
    }
    pair_of[i] = slot_of[h] - 1;
  }
  sb->len = 0;
  bo_sb_i64(sb, pairs);
  bo_sb_raw(sb, ";", 1);
  for (int k = 0; k < pairs; k++) {
    sb_len_str(sb, v[first_of_pair[k]].type);
    sb_len_str(sb, v[first_of_pair[k]].tail);
  }
  for (size_t i = 0; i < n; i++) { /* each entry written in place: no call per piece */
    const size_t id_len = strnlen(v[i].order_id, BO_ID_LEN_MAX);
    char *p = bo_sb_room(sb, 3 * 20 + 4 + id_len);
    if (!p) return;
    p = bo_dec(p, pair_of[i]);
    if (i > 0 && v[i].line_no == v[i - 1].line_no &&
        strcmp(v[i].order_id, v[i - 1].order_id) == 0) {
      *p++ = '.';
    } else {
      *p++ = ',';
      p = bo_dec(p, v[i].line_no);
      *p++ = ',';
      p = bo_dec(p, (int64_t)id_len);
      *p++ = ':';
      memcpy(p, v[i].order_id, id_len);
      p += id_len;
    }
    bo_sb_wrote(sb, p);
  }
}

static bo_rc fold_insert(bo_store *st, int64_t at, const char *sku, const char *data,
                         size_t n) {
  sqlite3_stmt *s = stmt(st, S_EVENT_FOLD);
  if (!s) return BO_E_STORE;
  sqlite3_bind_int64(s, 1, at);
  bind_text(s, 2, sku);
  bind_text(s, 3, data);
  sqlite3_bind_int64(s, 4, (int64_t)n);
  return step_done(st, s);
}

static bo_rc sq_event_append_lines(bo_store *st, int64_t at, const char *sku,
                                   const bo_line_event *v, size_t n) {
  bo_rc rc = BO_OK;
  bo_strbuf sb = {0};
  for (size_t i = 0; i < n && !rc;) {
    const size_t k = n - i < BO_EVENTS_PER_ROW_MAX ? n - i : BO_EVENTS_PER_ROW_MAX;
    if (k == 1) { /* a run of one is an ordinary row */
      bo_sb_str(&sb, "{\"order\":");
      bo_sb_json_str(&sb, v[i].order_id);
      bo_sb_str(&sb, ",\"sku\":");
      bo_sb_json_str(&sb, sku);
      bo_sb_str(&sb, ",\"line\":");
      bo_sb_i64(&sb, v[i].line_no);
      bo_sb_str(&sb, v[i].tail);
      bo_sb_raw(&sb, "}", 1);
      bo_event ev = {.at = at, .data = sb.buf};
      snprintf(ev.type, sizeof ev.type, "%s", v[i].type);
      snprintf(ev.order_id, sizeof ev.order_id, "%s", v[i].order_id);
      snprintf(ev.sku, sizeof ev.sku, "%s", sku);
      rc = sb.failed ? BO_E_NOMEM : sq_event_append(st, &ev);
    } else {
      fold_encode(v + i, k, &sb);
      rc = sb.failed ? BO_E_NOMEM : fold_insert(st, at, sku, sb.buf, k);
    }
    sb.len = 0;
    i += k;
  }
  free(sb.buf);
  return rc;
}

/* A cursor over a folded row's text. */
typedef struct fold_rd {
  const char *p, *end;
  bool bad;
} fold_rd;

static int64_t rd_int(fold_rd *r) {
  int64_t v = 0;
  const bool neg = r->p < r->end && *r->p == '-';
  if (neg) r->p++;
  const char *start = r->p;
  while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && v < INT64_MAX / 10)
    v = v * 10 + (*r->p++ - '0');
  if (r->p == start) r->bad = true;
  return neg ? -v : v;
}

static bool rd_char(fold_rd *r, char c) {
  if (r->p < r->end && *r->p == c) {
    r->p++;
    return true;
  }
  return false;
}

/* A length-prefixed string: its start and length. */
static const char *rd_str(fold_rd *r, size_t *len) {
  const int64_t n = rd_int(r);
  if (r->bad || !rd_char(r, ':') || n < 0 || n > r->end - r->p) {
    r->bad = true;
    *len = 0;
    return "";
  }
  const char *s = r->p;
  r->p += n;
  *len = (size_t)n;
  return s;
}

static void copy_str(char *dst, size_t size, const char *s, size_t n) {
  if (n >= size) n = size - 1;
  memcpy(dst, s, n);
  dst[n] = '\0';
}

typedef struct fold_pair {
  const char *type, *tail;
  size_t type_len, tail_len;
} fold_pair;

/* Calls cb for the events of the folded row under s whose id > after_id, at
 * most *left of them (decremented). */
static bo_rc fold_expand(sqlite3_stmt *s, int64_t after_id, int *left, bo_event_cb cb,
                         void *ctx) {
  const int64_t last = sqlite3_column_int64(s, 0), n = sqlite3_column_int64(s, 6);
  const char *text = (const char *)sqlite3_column_text(s, 5);
  fold_rd r = {text, text + sqlite3_column_bytes(s, 5), text == NULL};
  bo_event ev = {.at = sqlite3_column_int64(s, 2)};
  col_text(s, 4, ev.sku, sizeof ev.sku);
  const int64_t pairs = r.bad ? 0 : rd_int(&r);
  if (r.bad || !rd_char(&r, ';') || pairs < 1 || pairs > n || n > BO_EVENTS_PER_ROW_MAX)
    return BO_E_STORE;
  fold_pair *pv = malloc((size_t)pairs * sizeof *pv);
  if (!pv) return BO_E_NOMEM;
  for (int64_t k = 0; k < pairs; k++) {
    pv[k].type = rd_str(&r, &pv[k].type_len);
    pv[k].tail = rd_str(&r, &pv[k].tail_len);
  }
  bo_strbuf sb = {0};
  bo_rc rc = BO_OK;
  int32_t line_no = 0;
  for (int64_t i = 0, id = last - n + 1; i < n && !rc && *left > 0 && !r.bad; i++, id++) {
    const int64_t k = rd_int(&r);
    if (rd_char(&r, ',')) {
      line_no = (int32_t)rd_int(&r);
      size_t len = 0;
      const char *order = rd_char(&r, ',') ? rd_str(&r, &len) : (r.bad = true, "");
      copy_str(ev.order_id, sizeof ev.order_id, order, len);
    } else if (i == 0 || !rd_char(&r, '.')) {
      r.bad = true;
    }
    if (r.bad || k < 0 || k >= pairs) break;
    if (id <= after_id) continue;
    sb.len = 0;
    bo_sb_str(&sb, "{\"order\":");
    bo_sb_json_str(&sb, ev.order_id);
    bo_sb_str(&sb, ",\"sku\":");
    bo_sb_json_str(&sb, ev.sku);
    bo_sb_str(&sb, ",\"line\":");
    bo_sb_i64(&sb, line_no);
    bo_sb_raw(&sb, pv[k].tail, pv[k].tail_len);
    bo_sb_raw(&sb, "}", 1);
    if (sb.failed) {
      rc = BO_E_NOMEM;
      break;
    }
    ev.id = id;
    copy_str(ev.type, sizeof ev.type, pv[k].type, pv[k].type_len);
    ev.data = sb.buf;
    rc = cb(ctx, &ev);
    --*left;
  }
  if (!rc && r.bad) rc = BO_E_STORE;
  free(sb.buf);
  free(pv);
  return rc;
}

static bo_rc sq_event_list(bo_store *st, int64_t after_id, int limit, bo_event_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_EVENT_LIST);
  if (!s) return BO_E_STORE;
  sqlite3_bind_int64(s, 1, after_id);
  sqlite3_bind_int(s, 2, limit);
  bo_rc rc = BO_OK;
  int code = SQLITE_DONE, left = limit;
  while (rc == BO_OK && left > 0 && (code = sqlite3_step(s)) == SQLITE_ROW) {
    if (sqlite3_column_int64(s, 6) > 1) {
      rc = fold_expand(s, after_id, &left, cb, ctx);
      if (rc == BO_E_STORE) fprintf(stderr, "store: folded events row %lld is corrupt\n",
                                    (long long)sqlite3_column_int64(s, 0));
      continue;
    }
    bo_event e;
    e.id = sqlite3_column_int64(s, 0);
    col_text(s, 1, e.type, sizeof e.type);
    e.at = sqlite3_column_int64(s, 2);
    col_text(s, 3, e.order_id, sizeof e.order_id);
    col_text(s, 4, e.sku, sizeof e.sku);
    e.data = (const char *)sqlite3_column_text(s, 5);
    rc = cb(ctx, &e);
    left--;
  }
  if (rc == BO_OK && left > 0 && code != SQLITE_DONE) rc = rc_of(SQ(st)->db, code, "event_list");
  sqlite3_reset(s);
  return rc;
}

/* --- suppliers ----------------------------------------------------------- */

static void supplier_read(sqlite3_stmt *s, void *p) {
  bo_supplier *out = p;
  col_text(s, 0, out->id, sizeof out->id);
  col_text(s, 1, out->name, sizeof out->name);
  out->lead_time_days = sqlite3_column_int(s, 2);
  out->created_at = sqlite3_column_int64(s, 3);
}

static bo_rc sq_supplier_insert(bo_store *st, const bo_supplier *sp) {
  sqlite3_stmt *s = stmt(st, S_SUPPLIER_INSERT);
  if (!s) return BO_E_STORE;
  SQ(st)->changed_all = true; /* the lead time of the SKUs that name it */
  bind_text(s, 1, sp->id);
  bind_text(s, 2, sp->name);
  sqlite3_bind_int(s, 3, sp->lead_time_days);
  sqlite3_bind_int64(s, 4, sp->created_at);
  return step_done(st, s);
}

static bo_rc sq_supplier_get(bo_store *st, const char *id, bo_supplier *out) {
  return get_one(st, S_SUPPLIER_GET, id, supplier_read, out);
}

static bo_rc each_supplier(sqlite3_stmt *s, void *p) {
  bo_supplier sp;
  supplier_read(s, &sp);
  const row_cb *r = p;
  return r->cb(r->ctx, &sp);
}

static bo_rc sq_supplier_list(bo_store *st, const bo_page *page, bo_supplier_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_SUPPLIER_LIST);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, page->after ? page->after : "");
  sqlite3_bind_int(s, 2, page->limit);
  row_cb r = {(bo_rc(*)(void *, const void *))cb, ctx};
  return each_row(st, s, each_supplier, &r);
}

/* --- purchase orders ------------------------------------------------------- */

static bo_rc po_lines_write(bo_store *st, const bo_po *po) {
  bo_rc rc = BO_OK;
  for (int i = 0; i < po->n_lines && !rc; i++) {
    const bo_po_line *l = &po->lines[i];
    sqlite3_stmt *s = stmt(st, S_PO_LINE_UPSERT);
    if (!s) return BO_E_STORE;
    note_changed(st, l->sku);
    bind_text(s, 1, po->id);
    sqlite3_bind_int(s, 2, l->line_no);
    bind_text(s, 3, l->sku);
    sqlite3_bind_int64(s, 4, l->qty);
    sqlite3_bind_int64(s, 5, l->received);
    sqlite3_bind_int(s, 6, l->open);
    sqlite3_bind_int(s, 7, po->eta);
    rc = step_done(st, s);
  }
  return rc;
}

static bo_rc po_write(bo_store *st, int id, const bo_po *po) {
  sqlite3_stmt *s = stmt(st, id);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, po->id);
  bind_text(s, 2, po->supplier);
  sqlite3_bind_int(s, 3, po->eta);
  sqlite3_bind_int(s, 4, po->status);
  sqlite3_bind_int64(s, 5, po->created_at);
  sqlite3_bind_int64(s, 6, po->updated_at);
  const bo_rc rc = step_done(st, s);
  return rc ? rc : po_lines_write(st, po);
}

static bo_rc sq_po_insert(bo_store *st, const bo_po *po) { return po_write(st, S_PO_INSERT, po); }
static bo_rc sq_po_update(bo_store *st, const bo_po *po) { return po_write(st, S_PO_UPDATE, po); }

static bo_rc each_po_line(sqlite3_stmt *s, void *p) {
  bo_po *po = p;
  if (po->n_lines == BO_LINES_PER_ORDER_MAX) return BO_E_STORE;
  bo_po_line *l = &po->lines[po->n_lines++];
  l->line_no = sqlite3_column_int(s, 0);
  col_text(s, 1, l->sku, sizeof l->sku);
  l->qty = sqlite3_column_int64(s, 2);
  l->received = sqlite3_column_int64(s, 3);
  l->open = sqlite3_column_int(s, 4) != 0;
  return BO_OK;
}

static bo_rc sq_po_get(bo_store *st, const char *id, bo_po *out) {
  sqlite3_stmt *s = stmt(st, S_PO_GET);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, id);
  const int code = sqlite3_step(s);
  if (code == SQLITE_ROW) {
    col_text(s, 0, out->id, sizeof out->id);
    col_text(s, 1, out->supplier, sizeof out->supplier);
    out->eta = sqlite3_column_int(s, 2);
    out->status = (bo_po_status)sqlite3_column_int(s, 3);
    out->created_at = sqlite3_column_int64(s, 4);
    out->updated_at = sqlite3_column_int64(s, 5);
  }
  sqlite3_reset(s);
  if (code == SQLITE_DONE) return BO_E_NOT_FOUND;
  if (code != SQLITE_ROW) return rc_of(SQ(st)->db, code, "po_get");
  out->n_lines = 0;
  if (!(s = stmt(st, S_PO_LINES))) return BO_E_STORE;
  bind_text(s, 1, id);
  return each_row(st, s, each_po_line, out);
}

typedef struct po_list_ctx {
  bo_store *st;
  bo_po_cb cb;
  void *ctx;
  char ids[BO_LIST_LIMIT_MAX][BO_ID_LEN_MAX + 1];
  int n;
} po_list_ctx;

static bo_rc collect_id(sqlite3_stmt *s, void *p) {
  po_list_ctx *c = p;
  col_text(s, 0, c->ids[c->n++], sizeof c->ids[0]);
  return BO_OK;
}

static bo_rc sq_po_list(bo_store *st, const bo_page *page, bo_po_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_PO_LIST);
  if (!s) return BO_E_STORE;
  po_list_ctx *c = calloc(1, sizeof *c);
  bo_po *po = malloc(sizeof *po);
  bo_rc rc = c && po ? BO_OK : BO_E_NOMEM;
  if (!rc) {
    bind_text(s, 1, page->after ? page->after : "");
    sqlite3_bind_int(s, 2, page->limit < BO_LIST_LIMIT_MAX ? page->limit : BO_LIST_LIMIT_MAX);
    rc = each_row(st, s, collect_id, c);
  }
  for (int i = 0; !rc && i < c->n; i++)
    if (!(rc = sq_po_get(st, c->ids[i], po))) rc = cb(ctx, po);
  free(c);
  free(po);
  return rc;
}

/* --- shipments ------------------------------------------------------------- */

static bo_rc sq_shipment_insert(bo_store *st, const bo_shipment *sh) {
  sqlite3_stmt *s = stmt(st, S_SHIPMENT_INSERT);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, sh->id);
  bind_text(s, 2, sh->order_id);
  sqlite3_bind_int64(s, 3, sh->at);
  bind_text(s, 4, sh->lines);
  return step_done(st, s);
}

static bo_rc each_shipment(sqlite3_stmt *s, void *p) {
  bo_shipment sh;
  col_text(s, 0, sh.id, sizeof sh.id);
  col_text(s, 1, sh.order_id, sizeof sh.order_id);
  sh.at = sqlite3_column_int64(s, 2);
  sh.lines = (const char *)sqlite3_column_text(s, 3);
  const row_cb *r = p;
  return r->cb(r->ctx, &sh);
}

static bo_rc sq_shipment_list(bo_store *st, const char *order_id, bo_shipment_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_SHIPMENT_LIST);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, order_id);
  row_cb r = {(bo_rc(*)(void *, const void *))cb, ctx};
  return each_row(st, s, each_shipment, &r);
}

static bo_rc each_id(sqlite3_stmt *s, void *p) {
  const row_cb *r = p;
  return r->cb(r->ctx, sqlite3_column_text(s, 0));
}

static bo_rc sq_waiting_skus(bo_store *st, const bo_page *page, bo_id_cb cb, void *ctx) {
  sqlite3_stmt *s = stmt(st, S_WAITING_SKUS);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, page->after ? page->after : "");
  sqlite3_bind_int(s, 2, page->limit);
  row_cb r = {(bo_rc(*)(void *, const void *))cb, ctx};
  return each_row(st, s, each_id, &r);
}

static bo_rc sq_event_last_id(bo_store *st, int64_t *out) {
  return get_int64(st, S_EVENT_LAST, NULL, out);
}

/* --- idempotency ---------------------------------------------------------- */

static bo_rc sq_idem_get(bo_store *st, const char *key, bo_idem *out) {
  sqlite3_stmt *s = stmt(st, S_IDEM_GET);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, key);
  const int code = sqlite3_step(s);
  bo_rc rc = BO_OK;
  if (code == SQLITE_ROW) {
    out->status = sqlite3_column_int(s, 0);
    out->fingerprint = (uint64_t)sqlite3_column_int64(s, 1);
    const unsigned char *b = sqlite3_column_text(s, 2);
    out->body = strdup(b ? (const char *)b : "");
    if (!out->body) rc = BO_E_NOMEM;
  } else {
    rc = code == SQLITE_DONE ? BO_E_NOT_FOUND : rc_of(SQ(st)->db, code, "idem_get");
  }
  sqlite3_reset(s);
  return rc;
}

static bo_rc sq_idem_put(bo_store *st, const char *key, const bo_idem *in, int64_t at) {
  sqlite3_stmt *s = stmt(st, S_IDEM_PUT);
  if (!s) return BO_E_STORE;
  bind_text(s, 1, key);
  sqlite3_bind_int(s, 2, in->status);
  sqlite3_bind_int64(s, 3, (int64_t)in->fingerprint);
  bind_text(s, 4, in->body);
  sqlite3_bind_int64(s, 5, at);
  return step_done(st, s);
}

/* --- open / close --------------------------------------------------------- */

static void sq_close(bo_store *st) {
  if (!st) return;
  sqlite_store *s = SQ(st);
  for (int i = 0; i < S__COUNT; i++) sqlite3_finalize(s->stmt[i]);
  sqlite3_close(s->ckpt_db);
  sqlite3_close(s->db);
  free(s->changed);
  free(s->chunk);
  free(s->chunk_buf);
  free(s->scratch);
  if (s->wal_fd >= 0) close(s->wal_fd);
  free(s);
}

static const bo_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .write_mark = sq_write_mark,
    .flush = sq_flush,
    .log_pending = sq_log_pending,
    .checkpoint = sq_checkpoint,
    .log_restarts = sq_log_restarts,
    .changes_take = sq_changes_take,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .next_id = sq_next_id,
    .sku_get = sq_sku_get,
    .sku_insert = sq_sku_insert,
    .sku_update = sq_sku_update,
    .sku_update_counters = sq_sku_update_counters,
    .order_next_seq = sq_order_next_seq,
    .sku_list = sq_sku_list,
    .sku_count = sq_sku_count,
    .ledger_append = sq_ledger_append,
    .ledger_list = sq_ledger_list,
    .ledger_sum = sq_ledger_sum,
    .incoming_load = sq_incoming_load,
    .order_insert = sq_order_insert,
    .order_update = sq_order_update,
    .order_get = sq_order_get,
    .order_list = sq_order_list,
    .order_lines = sq_order_lines,
    .line_insert = sq_line_insert,
    .line_update = sq_line_update,
    .line_update_promise = sq_line_update_promise,
    .queue_fill_through = sq_queue_fill_through,
    .line_update_promise_run = sq_line_update_promise_run,
    .order_waiting = sq_order_waiting,
    .queue_load = sq_queue_load,
    .queue_has_after = sq_queue_has_after,
    .queue_list = sq_queue_list,
    .lines_scan = sq_lines_scan,
    .event_append = sq_event_append,
    .event_append_lines = sq_event_append_lines,
    .event_list = sq_event_list,
    .event_last_id = sq_event_last_id,
    .supplier_insert = sq_supplier_insert,
    .supplier_get = sq_supplier_get,
    .supplier_list = sq_supplier_list,
    .po_insert = sq_po_insert,
    .po_update = sq_po_update,
    .po_get = sq_po_get,
    .po_list = sq_po_list,
    .shipment_insert = sq_shipment_insert,
    .shipment_list = sq_shipment_list,
    .waiting_skus = sq_waiting_skus,
    .idem_get = sq_idem_get,
    .idem_put = sq_idem_put,
};

static bo_rc exec_sql(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "store: %s: %s\n", msg ? msg : "error", sql);
    sqlite3_free(msg);
    return BO_E_STORE;
  }
  return BO_OK;
}

/* The database's schema version; an error when this binary is older. */
static bo_rc schema_version(sqlite3 *db, int *out, bo_err *err) {
  sqlite3_stmt *s;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
    return bo_err_set(err, BO_E_STORE, "", "cannot read schema version: %s", sqlite3_errmsg(db));
  const int code = sqlite3_step(s);
  *out = code == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
  sqlite3_finalize(s);
  if (code != SQLITE_ROW)
    return bo_err_set(err, BO_E_STORE, "", "cannot read schema version: %s", sqlite3_errstr(code));
  if (*out > BO__SQLITE_SCHEMA_VERSION)
    return bo_err_set(err, BO_E_STORE, "", "database schema %d is newer than this binary (%d)",
                      *out, BO__SQLITE_SCHEMA_VERSION);
  return BO_OK;
}

int bo_sqlite_queue_pack(sqlite3 *db, const char *table) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT " LINE_COLS ",%s FROM %s WHERE backordered>0 ORDER BY sku," QUEUE_KEY_COLS,
           strcmp(table, "queue") == 0 ? "dirty" : "0", table);
  sqlite3_stmt *sel = NULL, *ins = NULL;
  uint8_t *buf = malloc(BO_QCHUNK_MAX * BO_QCHUNK_LINE_BYTES);
  int code = buf ? SQLITE_OK : SQLITE_NOMEM;
  if (!code) code = sqlite3_prepare_v2(db, sql, -1, &sel, NULL);
  if (!code) code = sqlite3_prepare_v2(db, sql_text[S_CHUNK_NEW], -1, &ins, NULL);
  bo_line first = {0}, l; /* the first line of the chunk being made */
  size_t n = 0, len = 0;
  while (!code) {
    const int step = sqlite3_step(sel);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
      code = step;
      break;
    }
    const bool row = step == SQLITE_ROW;
    if (row) line_read(sel, &l);
    /* the chunk so far is written when full, at another SKU, or at the end */
    if (n > 0 && (!row || n == BO_QCHUNK_MAX || strcmp(first.sku, l.sku) != 0)) {
      sqlite3_bind_text(ins, 1, first.sku, -1, SQLITE_STATIC);
      bind_queue_key(ins, 2, &first);
      sqlite3_bind_int64(ins, 6, (int64_t)n);
      sqlite3_bind_blob(ins, 7, buf, (int)len, SQLITE_STATIC);
      const int put = sqlite3_step(ins);
      sqlite3_reset(ins);
      if (put != SQLITE_DONE) code = put;
      n = len = 0;
    }
    if (!row || code) break;
    if (n == 0) first = l;
    len += bo_qchunk_encode(&l, sqlite3_column_int(sel, 19) ? BO_QCHUNK_DIRTY : 0, buf + len);
    n++;
  }
  sqlite3_finalize(sel);
  sqlite3_finalize(ins);
  free(buf);
  return code;
}

/* Migration 6's code, after its text: the queue's rows into chunks. */
static int migrate_queue_chunks(sqlite3 *db) {
  const int code = bo_sqlite_queue_pack(db, "queue");
  return code ? code : exec_sql(db, "DROP TABLE queue");
}

/* Code that completes a migration's text, by index (none for most). */
static int (*const migration_code[BO__SQLITE_SCHEMA_VERSION])(sqlite3 *) = {
    [5] = migrate_queue_chunks,
};

/* Applies the migrations past the database's user_version, each atomically. */
static bo_rc migrate(sqlite3 *db, bo_err *err) {
  int version;
  const bo_rc rc = schema_version(db, &version, err);
  if (rc) return rc;
  for (int v = version; v < BO__SQLITE_SCHEMA_VERSION; v++) {
    char bump[64];
    snprintf(bump, sizeof bump, "PRAGMA user_version=%d", v + 1);
    if (exec_sql(db, "BEGIN IMMEDIATE") || exec_sql(db, bo__sqlite_migrations[v]) ||
        (migration_code[v] && migration_code[v](db)) || exec_sql(db, bump) ||
        exec_sql(db, "COMMIT")) {
      exec_sql(db, "ROLLBACK");
      return bo_err_set(err, BO_E_STORE, "", "migration %d failed", v + 1);
    }
  }
  return BO_OK;
}

/* Process-wide settings, before SQLite initialises itself: no memory
 * statistics (they take a global mutex on every allocation), and the page
 * cache without a sweep at every commit (pcache.h). */
static void configure_sqlite(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  bo_sqlite_pcache_install();
}

bo_rc bo_store_sqlite_open(const char *path, bo_store_mode mode, bo_store **out, bo_err *err) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, configure_sqlite);
  sqlite_store *s = calloc(1, sizeof *s);
  if (!s) return bo_err_set(err, BO_E_NOMEM, "", "out of memory");
  s->base.ops = &sqlite_ops;
  s->reader = mode == BO_STORE_READER;
  s->wal_fd = -1;
  snprintf(s->wal_path, sizeof s->wal_path, "%s-wal", path);
  const int flags = mode == BO_STORE_WRITER ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                            : SQLITE_OPEN_READONLY;
  bo_rc rc = BO_OK;
  /* the writer gathers each commit's log writes into one (walbuf.h) */
  const char *vfs =
      mode == BO_STORE_WRITER && bo_walbuf_register() == SQLITE_OK ? BO_WALBUF_VFS : NULL;
  if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, vfs) != SQLITE_OK) {
    rc = bo_err_set(err, BO_E_STORE, "db", "cannot open database \"%s\": %s", path,
                    s->db ? sqlite3_errmsg(s->db) : "out of memory");
    goto done;
  }
  sqlite3_busy_timeout(s->db, 5000);
  if (mode == BO_STORE_WRITER) {
    if (exec_sql(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-32768;"
                        "PRAGMA temp_store=MEMORY;"
                        "PRAGMA wal_autocheckpoint=" BO__CHECKPOINT_BACKSTOP ";")) {
      rc = bo_err_set(err, BO_E_STORE, "db", "cannot configure database \"%s\"", path);
      goto done;
    }
    sqlite3_wal_hook(s->db, on_wal_commit, s);
    rc = migrate(s->db, err);
    /* the checkpointer writes the database back in slices (walbuf.h) */
    if (!rc && sqlite3_open_v2(path, &s->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                               vfs ? BO_WALBUF_PACED_VFS : NULL) != SQLITE_OK)
      rc = bo_err_set(err, BO_E_STORE, "db", "cannot open database \"%s\" for checkpoints: %s",
                      path, s->ckpt_db ? sqlite3_errmsg(s->ckpt_db) : "out of memory");
    if (!rc) rc = exec_sql(s->ckpt_db, "PRAGMA synchronous=NORMAL;");
  } else {
    rc = exec_sql(s->db, "PRAGMA cache_size=-8192; PRAGMA query_only=1;");
    int version = 0;
    if (!rc) rc = schema_version(s->db, &version, err);
    /* a reader cannot migrate: the writer (`serve`) does, at its start */
    if (!rc && version < BO__SQLITE_SCHEMA_VERSION)
      rc = bo_err_set(err, BO_E_STORE, "db",
                      "database \"%s\" has schema %d, this binary reads %d: start `backorder "
                      "serve` on it once to upgrade it",
                      path, version, BO__SQLITE_SCHEMA_VERSION);
  }
done:
  if (rc != BO_OK) {
    sq_close(&s->base);
    return rc;
  }
  *out = &s->base;
  return BO_OK;
}

