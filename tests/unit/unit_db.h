/*
 * unit_db.h — shared by the unit tests that use a real SQLite file.
 */
#ifndef BO_UNIT_DB_H
#define BO_UNIT_DB_H

#include <stdio.h>
#include <unistd.h>

/* Removes a database file and its write-ahead log and shared-memory index. */
static inline void unit_db_remove(const char *path) {
  char p[1024];
  unlink(path);
  snprintf(p, sizeof p, "%s-wal", path);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", path);
  unlink(p);
}

#endif
