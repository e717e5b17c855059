/*
 * pcache.c — SQLite's default page cache behind a bound of its own; see
 * pcache.h.
 */
#include "pcache.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>

#define BO_PENDING_BYTE 0x40000000u /* SQLite's PENDING_BYTE */

static sqlite3_pcache_methods2 inner_methods; /* the default cache */

typedef struct bound_cache {
  sqlite3_pcache *inner;
  unsigned max_key;  /* no page held has a larger number, the parked one aside */
  unsigned park_key; /* where a split parks a page for a moment */
  bool parked;       /* a page is there now */
} bound_cache;

static bound_cache *BC(sqlite3_pcache *p) { return (bound_cache *)p; }

static int bc_init(void *arg) {
  (void)arg;
  return inner_methods.xInit ? inner_methods.xInit(inner_methods.pArg) : SQLITE_OK;
}

static void bc_shutdown(void *arg) {
  (void)arg;
  if (inner_methods.xShutdown) inner_methods.xShutdown(inner_methods.pArg);
}

static sqlite3_pcache *bc_create(int page_size, int extra, int purgeable) {
  bound_cache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->inner = inner_methods.xCreate(page_size, extra, purgeable);
  if (!c->inner) {
    free(c);
    return NULL;
  }
  c->park_key = page_size > 0 ? BO_PENDING_BYTE / (unsigned)page_size + 1 : 0;
  return (sqlite3_pcache *)c;
}

static void bc_cachesize(sqlite3_pcache *p, int n) { inner_methods.xCachesize(BC(p)->inner, n); }

static int bc_pagecount(sqlite3_pcache *p) { return inner_methods.xPagecount(BC(p)->inner); }

static sqlite3_pcache_page *bc_fetch(sqlite3_pcache *p, unsigned key, int create) {
  bound_cache *c = BC(p);
  sqlite3_pcache_page *page = inner_methods.xFetch(c->inner, key, create);
  if (page && key > c->max_key) c->max_key = key;
  return page;
}

static void bc_unpin(sqlite3_pcache *p, sqlite3_pcache_page *page, int discard) {
  inner_methods.xUnpin(BC(p)->inner, page, discard);
}

static void bc_rekey(sqlite3_pcache *p, sqlite3_pcache_page *page, unsigned from, unsigned to) {
  bound_cache *c = BC(p);
  inner_methods.xRekey(c->inner, page, from, to);
  if (from == c->park_key) c->parked = false;
  if (to == c->park_key)
    c->parked = true;
  else if (to > c->max_key)
    c->max_key = to;
}

static void bc_truncate(sqlite3_pcache *p, unsigned limit) {
  bound_cache *c = BC(p);
  const bool park_goes = c->parked && c->park_key >= limit;
  if (c->max_key < limit && !park_goes) return; /* no page to drop */
  inner_methods.xTruncate(c->inner, limit);
  if (c->max_key >= limit) c->max_key = limit > 0 ? limit - 1 : 0;
  if (park_goes) c->parked = false;
}

static void bc_destroy(sqlite3_pcache *p) {
  bound_cache *c = BC(p);
  inner_methods.xDestroy(c->inner);
  free(c);
}

static void bc_shrink(sqlite3_pcache *p) { inner_methods.xShrink(BC(p)->inner); }

int bo_sqlite_pcache_install(void) {
  int rc = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner_methods);
  if (rc != SQLITE_OK) return rc;
  static const sqlite3_pcache_methods2 methods = {
      .iVersion = 1,
      .xInit = bc_init,
      .xShutdown = bc_shutdown,
      .xCreate = bc_create,
      .xCachesize = bc_cachesize,
      .xPagecount = bc_pagecount,
      .xFetch = bc_fetch,
      .xUnpin = bc_unpin,
      .xRekey = bc_rekey,
      .xTruncate = bc_truncate,
      .xDestroy = bc_destroy,
      .xShrink = bc_shrink,
  };
  return sqlite3_config(SQLITE_CONFIG_PCACHE2, &methods);
}
