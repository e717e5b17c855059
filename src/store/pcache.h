/*
 * pcache.h — SQLite's page cache without a full sweep at every commit.
 *
 * When a B-tree page splits, SQLite (3.40) puts the new pages in ascending
 * order by parking one for a moment under the page number of the "pending
 * byte" (1 GiB / page size + 1: 262,145 for 4 KiB pages) and moving it back.
 * The default page cache remembers the largest number it ever held, and at
 * every commit SQLite drops the pages past the end of the database: with
 * that number far past the end, the drop sweeps the whole hash table (8,192
 * slots and every page in a 32 MiB cache). Under the orders load nearly
 * every commit had split a page, and the sweep was 6.7 % of the writer's
 * time (`perf`).
 *
 * This layer passes every call to the default cache and keeps its own
 * bound on the page numbers held, which leaves out a page parked for a
 * split and put back; a truncation that can drop nothing is not passed on.
 */
#ifndef BO_STORE_PCACHE_H
#define BO_STORE_PCACHE_H

/* Installs the layer process-wide; call before SQLite initialises. An
 * SQLite result code (SQLITE_MISUSE once SQLite is initialised: the default
 * cache then stays as it is). */
int bo_sqlite_pcache_install(void);

#endif
