/*
 * test_store_pcache.c — the page cache layer (src/store/pcache.h) over
 * SQLite's default cache, on a real file in WAL mode as the writer uses it.
 *
 * Under the layer sits a recorder that counts the truncations passed on to
 * the default cache. Every commit asks to drop the pages past the end of
 * the file; with the layer, commits of
 * a table whose pages split (the splits park pages past the end for a
 * moment) pass none on, while a rolled-back growth of the file still drops
 * its pages, and what is read afterwards is what was committed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "../../src/store/pcache.h"
#include "unit_db.h"

static sqlite3_pcache_methods2 def; /* SQLite's default cache */
static long truncations;            /* past the end, passed on to it */

static void rec_truncate(sqlite3_pcache *p, unsigned limit) {
  if (limit > 1) truncations++; /* not a cache emptied (a statement's temporary table's) */
  def.xTruncate(p, limit);
}

/* Restarts SQLite with the recorder as its cache, and the layer on top
 * when `layer`. */
static void configure(bool layer) {
  assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
  static bool have_def;
  if (!have_def) {
    assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &def), SQLITE_OK);
    have_def = true;
  }
  sqlite3_pcache_methods2 rec = def;
  rec.xTruncate = rec_truncate;
  assert_int_equal(sqlite3_config(SQLITE_CONFIG_PCACHE2, &rec), SQLITE_OK);
  if (layer) assert_int_equal(bo_sqlite_pcache_install(), SQLITE_OK);
  assert_int_equal(sqlite3_initialize(), SQLITE_OK);
}

static char path[64];

/* n rows numbered `value` from 1 */
#define SERIES(n) "(WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s" \
                  " WHERE value < " #n ") SELECT value FROM s)"

static void exec(sqlite3 *db, const char *sql) { assert_true(unit_db_exec(db, sql)); }

static long long one(sqlite3 *db, const char *sql) {
  long long v = 0;
  assert_true(unit_db_int(db, sql, &v));
  return v;
}

static sqlite3 *open_db(void) {
  static int n;
  snprintf(path, sizeof path, "/tmp/bo-pcache-%d-%d.db", (int)getpid(), n++);
  unit_db_remove(path);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  exec(db, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-8192;"
           "CREATE TABLE t(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
  return db;
}

static void close_db(sqlite3 *db) {
  sqlite3_close(db);
  unit_db_remove(path);
}

/* `commits` transactions of 20 rows at random keys (pages split). */
static long commit_rows(sqlite3 *db, int commits, int salt) {
  const long before = truncations;
  char sql[320];
  for (int i = 0; i < commits; i++) {
    snprintf(sql, sizeof sql,
             "INSERT INTO t SELECT hex(randomblob(8)) || '%d', zeroblob(300) FROM " SERIES(20),
             salt);
    exec(db, "BEGIN");
    exec(db, sql);
    exec(db, "COMMIT");
  }
  return truncations - before;
}

static void test_commits_pass_no_truncation_on(void **state) {
  (void)state;
  configure(false); /* without the layer: one per commit, each a sweep */
  sqlite3 *db = open_db();
  assert_true(commit_rows(db, 100, 0) >= 100);
  close_db(db);

  configure(true);
  db = open_db();
  assert_int_equal(commit_rows(db, 100, 0), 0);
  assert_true(one(db, "SELECT count(*) FROM t") == 2000);
  close_db(db);
}

/* A transaction that grows the file and is rolled back leaves pages past
 * the end: they must go, or a later growth would find the rolled-back
 * content in the cache. */
static void test_rolled_back_growth_is_dropped(void **state) {
  (void)state;
  configure(true);
  sqlite3 *db = open_db();
  commit_rows(db, 10, 1);
  const long long pages = one(db, "PRAGMA page_count");
  exec(db, "BEGIN");
  exec(db, "INSERT INTO t SELECT 'gone' || value, randomblob(3000) FROM " SERIES(200));
  assert_true(one(db, "PRAGMA page_count") > pages + 100);
  const long before = truncations;
  exec(db, "ROLLBACK");
  assert_true(truncations > before);
  assert_int_equal(one(db, "PRAGMA page_count"), pages);

  exec(db, "BEGIN");
  exec(db, "SAVEPOINT s");
  exec(db, "INSERT INTO t SELECT 'also gone' || value, randomblob(3000) FROM " SERIES(200));
  exec(db, "ROLLBACK TO s");
  exec(db, "RELEASE s");
  exec(db, "INSERT INTO t SELECT 'kept' || value, zeroblob(3000) FROM " SERIES(200));
  exec(db, "COMMIT");
  assert_int_equal(one(db, "SELECT count(*) FROM t WHERE k GLOB 'gone*' OR k GLOB 'also*'"), 0);
  assert_int_equal(one(db, "SELECT count(*) FROM t WHERE k GLOB 'kept*' AND v = zeroblob(3000)"),
                   200);
  assert_int_equal(one(db, "SELECT count(*) FROM t"), 400);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
  sqlite3_finalize(st);
  close_db(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_commits_pass_no_truncation_on),
      cmocka_unit_test(test_rolled_back_growth_is_dropped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
