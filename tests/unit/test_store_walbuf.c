/*
 * test_store_walbuf.c — the VFS that gathers a commit's log writes
 * (src/store/walbuf.h), on a real file, read back by a second connection on
 * the default VFS as the server's readers do.
 *
 * A commit reaches the file in a few large writes instead of two per page;
 * every committed row is visible to the other connection as soon as the
 * commit returns; a transaction larger than the page cache (frames written
 * before the commit, some rewritten) stays whole; a write that fails fails
 * its commit and leaves the database as it was. A checkpoint through the
 * paced VFS writes back each 1 MiB slice it dirtied once (a short one none),
 * and what it copied is in the database file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../../src/store/walbuf.h"
#include "unit_db.h"

static const char *const PATH = "test_store_walbuf.db";

static void exec(sqlite3 *db, const char *sql) { assert_true(unit_db_exec(db, sql)); }

static long long one(sqlite3 *db, const char *sql) {
  long long v = 0;
  assert_true(unit_db_int(db, sql, &v));
  return v;
}

typedef struct pair {
  sqlite3 *w; /* through the VFS */
  sqlite3 *r; /* the default VFS */
} pair;

static int setup(void **state) {
  static pair p;
  unit_db_remove(PATH);
  assert_int_equal(bo_walbuf_register(), SQLITE_OK);
  assert_int_equal(bo_walbuf_register(), SQLITE_OK); /* again: harmless */
  assert_int_equal(sqlite3_open_v2(PATH, &p.w, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   BO_WALBUF_VFS),
                   SQLITE_OK);
  exec(p.w, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-512;"
            "PRAGMA wal_autocheckpoint=0;"
            "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB)");
  assert_int_equal(sqlite3_open_v2(PATH, &p.r, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  *state = &p;
  return 0;
}

static int teardown(void **state) {
  pair *p = *state;
  sqlite3_close(p->r);
  sqlite3_close(p->w);
  unit_db_remove(PATH);
  return 0;
}

/* Inserts rows [from, from + n) with 1 KB each, in one transaction. */
static int insert_rows(sqlite3 *db, int from, int n) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(id,k,v) VALUES(?1,?2,zeroblob(1000))",
                                      -1, &st, NULL),
                   SQLITE_OK);
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  for (int i = from; rc == SQLITE_OK && i < from + n; i++) {
    char k[32];
    snprintf(k, sizeof k, "key-%09lld", (long long)i * 7919 % 1000003); /* spread over the index */
    sqlite3_bind_int(st, 1, i);
    sqlite3_bind_text(st, 2, k, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  return rc;
}

static void commits_are_gathered_and_visible(void **state) {
  pair *p = *state;
  int rows = 0;
  for (int round = 0; round < 50; round++) {
    const long long before = bo_walbuf_writes();
    assert_int_equal(insert_rows(p->w, rows, 100), SQLITE_OK); /* ~30 pages, ~60 frame writes */
    rows += 100;
    const long long writes = bo_walbuf_writes() - before;
    assert_true(writes >= 1);
    assert_true(writes <= 3);
    /* the other connection sees the commit at once, from the file */
    assert_int_equal(one(p->r, "SELECT count(*) FROM t"), rows);
  }
  assert_int_equal(one(p->r, "SELECT count(*) FROM t WHERE length(v)=1000"), rows);
}

static void a_transaction_larger_than_the_cache_stays_whole(void **state) {
  pair *p = *state;
  const long long base = one(p->r, "SELECT count(*) FROM t");
  /* 4 MB in one transaction with a 512 KiB cache: pages spill into the log
   * before the commit, and some are written there again */
  assert_int_equal(insert_rows(p->w, 100000, 4000), SQLITE_OK);
  exec(p->w, "BEGIN; UPDATE t SET v=zeroblob(900) WHERE id % 3 = 0; COMMIT");
  assert_int_equal(one(p->r, "SELECT count(*) FROM t"), base + 4000);
  assert_int_equal(one(p->r, "SELECT count(*) FROM t WHERE length(v)=900"),
                   one(p->r, "SELECT count(*) FROM t WHERE id % 3 = 0"));
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(p->r, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
  sqlite3_finalize(st);
}

static long long file_bytes(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static void a_failed_write_fails_the_commit_and_changes_nothing(void **state) {
  pair *p = *state;
  exec(p->w, "PRAGMA wal_checkpoint(TRUNCATE)");
  const long long rows = one(p->r, "SELECT count(*) FROM t");
  char wal[256];
  snprintf(wal, sizeof wal, "%s-wal", PATH);
  /* no write of this process may reach past 64 KiB of a file (the log is
   * empty; nothing but the log is written before the commit) */
  struct rlimit old, lim;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN);
  lim = (struct rlimit){.rlim_cur = 64 * 1024, .rlim_max = old.rlim_max};
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  /* ~300 KB of log: less than the VFS gathers, so the commit's own write is
   * the one that fails */
  const int rc = insert_rows(p->w, 200000, 300);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  assert_int_not_equal(rc, SQLITE_OK);
  assert_true(file_bytes(wal) <= 64 * 1024);
  /* nothing of it is visible, and the next commit works and is whole */
  assert_int_equal(one(p->r, "SELECT count(*) FROM t"), rows);
  assert_int_equal(insert_rows(p->w, 300000, 500), SQLITE_OK);
  assert_int_equal(one(p->r, "SELECT count(*) FROM t"), rows + 500);
  assert_int_equal(one(p->r, "SELECT count(*) FROM t WHERE id >= 200000 AND id < 300000"), 0);
  /* and it survives a reopen (recovery reads the log from the file) */
  sqlite3_close(p->w);
  sqlite3_close(p->r);
  assert_int_equal(sqlite3_open_v2(PATH, &p->r, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_open_v2(PATH, &p->w, SQLITE_OPEN_READWRITE, BO_WALBUF_VFS), SQLITE_OK);
  assert_int_equal(one(p->r, "SELECT count(*) FROM t"), rows + 500);
}

static void a_paced_checkpoint_writes_back_each_dirty_slice_once(void **state) {
  pair *p = *state;
  sqlite3 *c;
  assert_int_equal(sqlite3_open_v2(PATH, &c, SQLITE_OPEN_READWRITE, BO_WALBUF_PACED_VFS),
                   SQLITE_OK);
  exec(c, "PRAGMA synchronous=NORMAL"); /* the checkpointer's setting: it syncs the database */
  exec(c, "PRAGMA wal_checkpoint(PASSIVE)"); /* what earlier tests logged */
  const long long rows = one(p->r, "SELECT count(*) FROM t");
  assert_int_equal(insert_rows(p->w, 500000, 24000), SQLITE_OK); /* ~24 MB at the end of the file */
  long long before = bo_walbuf_paced_slices();
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(c, "PRAGMA wal_checkpoint(PASSIVE)", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const int busy = sqlite3_column_int(st, 0), logged = sqlite3_column_int(st, 1),
            copied = sqlite3_column_int(st, 2);
  sqlite3_finalize(st);
  assert_int_equal(busy, 0);
  assert_int_equal(copied, logged); /* all of it */
  const long long slices = bo_walbuf_paced_slices() - before;
  const long long db_bytes = file_bytes(PATH);
  assert_true(db_bytes >= 24 * 1000 * 1000);
  assert_true(slices >= 22);                   /* at least the new rows' slices */
  assert_true(slices <= (db_bytes >> 20) + 1); /* and each slice once */
  /* nothing new: nothing to write back */
  before = bo_walbuf_paced_slices();
  exec(c, "PRAGMA wal_checkpoint(PASSIVE)");
  assert_int_equal(bo_walbuf_paced_slices() - before, 0);
  /* a short pass (a few slices) is left to the sync, unpaced */
  assert_int_equal(insert_rows(p->w, 530000, 3), SQLITE_OK);
  exec(c, "PRAGMA wal_checkpoint(PASSIVE)");
  assert_int_equal(bo_walbuf_paced_slices() - before, 0);
  /* the copy is in the database file: a connection that ignores the log
   * (the log restarted empty) reads every row */
  exec(p->w, "PRAGMA wal_checkpoint(TRUNCATE)");
  char wal[256];
  snprintf(wal, sizeof wal, "%s-wal", PATH);
  assert_int_equal(file_bytes(wal), 0);
  assert_int_equal(one(c, "SELECT count(*) FROM t"), rows + 24003);
  assert_int_equal(one(c, "SELECT count(*) FROM t WHERE id >= 500000"), 24003);
  sqlite3_close(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(commits_are_gathered_and_visible),
      cmocka_unit_test(a_transaction_larger_than_the_cache_stays_whole),
      cmocka_unit_test(a_paced_checkpoint_writes_back_each_dirty_slice_once),
      cmocka_unit_test(a_failed_write_fails_the_commit_and_changes_nothing),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
