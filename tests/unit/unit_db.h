/*
 * unit_db.h — shared by the unit tests that use a real SQLite file.
 */
#ifndef BO_UNIT_DB_H
#define BO_UNIT_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Turns a mkstemp template into a fresh name with no file behind it. */
static inline bool unit_db_temp_name(char *path) {
  const int fd = mkstemp(path);
  if (fd < 0) return false;
  close(fd);
  unlink(path);
  return true;
}

/* Fills buf with a JSON object {"f":"xx...x"} of size - 1 characters: event
 * data of a known size, to fill log frames. */
static inline void unit_db_filler_json(char *buf, size_t size) {
  memset(buf, 'x', size - 1);
  memcpy(buf, "{\"f\":\"", 6);
  memcpy(buf + size - 3, "\"}", 3);
}

/* Removes a database file and its write-ahead log and shared-memory index. */
static inline void unit_db_remove(const char *path) {
  char p[1024];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
}

/* Runs SQL on a raw connection (to build an old schema, say); false, with
 * SQLite's message on stderr, when it fails. */
static inline bool unit_db_exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return true;
  fprintf(stderr, "%s: %s\n", sql, msg ? msg : "error");
  sqlite3_free(msg);
  return false;
}

/* The first column of SQL's first row as an integer in *out; false when the
 * statement fails or gives no row. */
static inline bool unit_db_int(sqlite3 *db, const char *sql, long long *out) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return false;
  const bool row = sqlite3_step(st) == SQLITE_ROW;
  if (row) *out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return row;
}

#endif
