/*
 * cache.h — rendered answers kept per key until the data under them changes.
 *
 * The storefront asks for a SKU's availability far more often than the SKU
 * changes. The cache keeps the rendered body per SKU and day; the writer
 * drops a key after every commit that wrote it (bo_cache_drop, before the
 * commit is acknowledged), so a client never reads an answer older than its
 * own acknowledged write.
 *
 * A reader that misses takes a ticket *before* it opens its read transaction
 * and stores its answer only if nothing dropped the key's set since: an
 * answer computed from a snapshot older than a drop is never kept.
 *
 * Set associative (BO_CACHE_WAYS entries a set, least recently used out), a
 * fixed number of sets: memory is bounded by the configuration, not by the
 * catalogue. Safe for any number of threads.
 */
#ifndef BO_HTTP_CACHE_H
#define BO_HTTP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BO_CACHE_BODY_MAX 2048 /* larger bodies are not kept */
/* entries a key can go to: with 65,536 entries over 100,000 SKUs asked for
 * uniformly, 2 ways keep 58% of the answers asked for, 8 ways 64% (a fully
 * associative cache 65.5%); with 131,072 (the server's default since the
 * answers are kept packed) 8 ways keep 94% */
#define BO_CACHE_WAYS 8

typedef struct bo_cache bo_cache;

typedef struct bo_cache_ticket {
  size_t set;
  uint64_t gen;
  uint64_t epoch;
} bo_cache_ticket;

/* A cache of at least `entries` entries (whole sets, a power of two of
 * them); NULL when entries is 0 (caching off) or memory is short. */
bo_cache *bo_cache_new(size_t entries);
void bo_cache_free(bo_cache *c);

/* The body kept for key on day, as a malloc'd copy (*len its length); NULL
 * on a miss, with *t filled for bo_cache_put. */
char *bo_cache_get(bo_cache *c, const char *key, int32_t day, size_t *len, bo_cache_ticket *t);
/* Keeps body for key on day unless the key's set was dropped since t. */
void bo_cache_put(bo_cache *c, const bo_cache_ticket *t, const char *key, int32_t day,
                  const char *body, size_t len);
/* Forgets key; NULL forgets everything. */
void bo_cache_drop(bo_cache *c, const char *key);

typedef struct bo_cache_stats {
  uint64_t hits, misses, entries, bytes;
} bo_cache_stats;
bo_cache_stats bo_cache_stats_get(bo_cache *c);

#endif
