/*
 * cache.c — see cache.h.
 *
 * Each set holds BO_CACHE_WAYS entries, the most recently used first, with
 * their keys' hashes beside them (a lookup reads the set, and only the entry
 * whose hash matches), and a generation that every drop of a key of the set
 * increments. Sets share 256 locks by index; a set counts its hits and
 * misses under its lock (no counter shared by every thread). Dropping
 * everything bumps an epoch that entries carry.
 *
 * Bodies are kept packed: the fragments every availability answer repeats
 * (its keys, statuses, the usual messages) stand for one byte each, a
 * control byte, which JSON text never holds raw (one in a body is kept
 * behind an escape byte). An answer of ~350 bytes keeps in ~130, so the
 * same memory holds more than twice the answers (a miss reads the SKU and
 * its supply in SQLite: ~6 µs more than a hit), and unpacking on a hit is
 * a copy of fragments.
 */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LOCKS 256

typedef struct entry {
  uint64_t epoch;
  int32_t day;
  uint32_t len, packed; /* the body's length, and packed in data */
  char data[];          /* the packed body, then the key */
} entry;

static const char *key_of(const entry *e) { return e->data + e->packed; }

typedef struct set {
  uint64_t gen;
  uint64_t hits, misses;
  uint64_t hash[BO_CACHE_WAYS]; /* of way[i]'s key */
  entry *way[BO_CACHE_WAYS];    /* the used ones first, most recently used first */
} set;

struct bo_cache {
  size_t mask;
  set *sets;
  _Atomic uint64_t epoch;
  _Atomic uint64_t entries, bytes;
  pthread_mutex_t locks[LOCKS];
};

/* The fragments, code i + 1 for fragment i (the longest that matches is
 * taken); codes up to 0x1e (0x1f is the escape of a raw control byte). */
static const char *const FRAG[] = {
    "{\"sku\":\"", "\",\"on_hand\":", ",\"allocated\":", ",\"available\":",
    ",\"backordered\":", ",\"incoming\":[", "{\"purchase_order\":\"", "\",\"qty\":",
    ",\"eta\":\"", "],\"incoming_total\":", ",\"status\":\"", "\",\"message\":\"",
    "\",\"earliest_promise\":", ",\"earliest_promise_estimate\":",
    ",\"backorder_policy\":\"", "\",\"substitutes\":[]}", "On backorder \xe2\x80\x93 ships by ",
    "Out of stock \xe2\x80\x93 ", "In stock", " (estimated)", "backorder", "in_stock",
    "low_stock", "out_of_stock", "false", "true", "null", "allow", "notify", "deny",
};
#define FRAGS ((int)(sizeof FRAG / sizeof FRAG[0]))
#define ESCAPE 0x1f
_Static_assert(FRAGS < ESCAPE && FRAGS <= 32, "fragment codes run into the escape byte");

#define FRAG_ROOM 48 /* every fragment fits; unpacking copies this much at once */
static char frag_pad[FRAGS][FRAG_ROOM];
static uint8_t frag_len[FRAGS];
static uint32_t frag_first[256]; /* the fragments that start with a byte, as bits */
static pthread_once_t frag_once = PTHREAD_ONCE_INIT;

static void frag_init(void) {
  for (int i = 0; i < FRAGS; i++) {
    frag_len[i] = (uint8_t)strlen(FRAG[i]);
    memcpy(frag_pad[i], FRAG[i], frag_len[i]);
    frag_first[(unsigned char)FRAG[i][0]] |= 1u << i;
  }
}

/* Packs text[0..len) into out (room for 2 * len bytes: every byte could
 * need an escape); returns the packed length. */
static size_t pack(const char *text, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    int best = -1;
    for (uint32_t m = frag_first[(unsigned char)text[i]]; m; m &= m - 1) {
      const int f = __builtin_ctz(m);
      if (frag_len[f] <= len - i && (best < 0 || frag_len[f] > frag_len[best]) &&
          memcmp(text + i, FRAG[f], frag_len[f]) == 0)
        best = f;
    }
    if (best >= 0) {
      out[o++] = (char)(best + 1);
      i += frag_len[best];
    } else {
      if ((unsigned char)text[i] <= ESCAPE) out[o++] = ESCAPE;
      out[o++] = text[i++];
    }
  }
  return o;
}

/* Unpacks packed[0..len) into out, which has FRAG_ROOM bytes of room past
 * the unpacked end (a fragment is copied whole, FRAG_ROOM bytes at once). */
static void unpack(const char *packed, size_t len, char *out) {
  for (size_t i = 0; i < len; i++) {
    const unsigned char b = (unsigned char)packed[i];
    if (b == ESCAPE) {
      *out++ = packed[++i];
    } else if (b >= 1 && b <= FRAGS) {
      memcpy(out, frag_pad[b - 1], FRAG_ROOM);
      out += frag_len[b - 1];
    } else {
      *out++ = (char)b;
    }
  }
}

static uint64_t hash_of(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h ^ (h >> 29);
}

bo_cache *bo_cache_new(size_t entries) {
  if (entries == 0) return NULL;
  pthread_once(&frag_once, frag_init);
  const size_t sets = (entries + BO_CACHE_WAYS - 1) / BO_CACHE_WAYS;
  size_t n = 1;
  while (n < sets && n < ((size_t)1 << 30)) n <<= 1;
  bo_cache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->sets = calloc(n, sizeof *c->sets);
  if (!c->sets) {
    free(c);
    return NULL;
  }
  c->mask = n - 1;
  for (int i = 0; i < LOCKS; i++) pthread_mutex_init(&c->locks[i], NULL);
  return c;
}

static void entry_free(bo_cache *c, entry *e) {
  if (!e) return;
  atomic_fetch_sub(&c->entries, 1);
  atomic_fetch_sub(&c->bytes, sizeof *e + e->packed + strlen(key_of(e)) + 1);
  free(e);
}

void bo_cache_free(bo_cache *c) {
  if (!c) return;
  for (size_t i = 0; i <= c->mask; i++)
    for (int w = 0; w < BO_CACHE_WAYS; w++) entry_free(c, c->sets[i].way[w]);
  for (int i = 0; i < LOCKS; i++) pthread_mutex_destroy(&c->locks[i]);
  free(c->sets);
  free(c);
}

static pthread_mutex_t *lock_of(bo_cache *c, size_t si) { return &c->locks[si % LOCKS]; }

static bool holds(const set *s, int w, uint64_t h, const char *key) {
  return s->way[w] && s->hash[w] == h && strcmp(key_of(s->way[w]), key) == 0;
}

/* Moves way w of s to the front, the ones before it one place back. */
static void to_front(set *s, int w) {
  entry *e = s->way[w];
  const uint64_t h = s->hash[w];
  memmove(&s->way[1], &s->way[0], (size_t)w * sizeof s->way[0]);
  memmove(&s->hash[1], &s->hash[0], (size_t)w * sizeof s->hash[0]);
  s->way[0] = e;
  s->hash[0] = h;
}

char *bo_cache_get(bo_cache *c, const char *key, int32_t day, size_t *len, bo_cache_ticket *t) {
  const uint64_t h = hash_of(key);
  const size_t si = (size_t)h & c->mask;
  set *s = &c->sets[si];
  char *out = NULL;
  pthread_mutex_t *mu = lock_of(c, si);
  pthread_mutex_lock(mu);
  const uint64_t epoch = atomic_load(&c->epoch);
  for (int w = 0; w < BO_CACHE_WAYS && s->way[w] && !out; w++) {
    if (!holds(s, w, h, key)) continue;
    const entry *e = s->way[w];
    if (e->day != day || e->epoch != epoch) break; /* a key is kept once */
    if ((out = malloc(e->len + FRAG_ROOM))) {
      unpack(e->data, e->packed, out);
      out[e->len] = '\0';
      *len = e->len;
      to_front(s, w);
    }
  }
  *t = (bo_cache_ticket){.set = si, .gen = s->gen, .epoch = epoch};
  if (out)
    s->hits++;
  else
    s->misses++;
  pthread_mutex_unlock(mu);
  return out;
}

void bo_cache_put(bo_cache *c, const bo_cache_ticket *t, const char *key, int32_t day,
                  const char *body, size_t len) {
  if (len > BO_CACHE_BODY_MAX) return;
  const uint64_t h = hash_of(key);
  if (((size_t)h & c->mask) != t->set) return;
  char packed[2 * BO_CACHE_BODY_MAX];
  const size_t plen = pack(body, len, packed);
  const size_t klen = strlen(key);
  entry *e = malloc(sizeof *e + plen + klen + 1);
  if (!e) return;
  *e = (entry){.epoch = t->epoch, .day = day, .len = (uint32_t)len, .packed = (uint32_t)plen};
  memcpy(e->data, packed, plen);
  memcpy(e->data + plen, key, klen + 1);
  set *s = &c->sets[t->set];
  entry *gone = e;
  pthread_mutex_t *mu = lock_of(c, t->set);
  pthread_mutex_lock(mu);
  if (s->gen == t->gen && atomic_load(&c->epoch) == t->epoch) {
    /* replace this key's entry if kept, else the least recently used */
    int w = 0;
    while (w < BO_CACHE_WAYS - 1 && s->way[w] && !holds(s, w, h, key)) w++;
    gone = s->way[w];
    s->way[w] = e;
    s->hash[w] = h;
    to_front(s, w);
    atomic_fetch_add(&c->entries, 1);
    atomic_fetch_add(&c->bytes, sizeof *e + plen + klen + 1);
  }
  pthread_mutex_unlock(mu);
  if (gone == e)
    free(e);
  else
    entry_free(c, gone);
}

void bo_cache_drop(bo_cache *c, const char *key) {
  if (!key) {
    atomic_fetch_add(&c->epoch, 1);
    return;
  }
  const uint64_t h = hash_of(key);
  const size_t si = (size_t)h & c->mask;
  set *s = &c->sets[si];
  entry *gone = NULL;
  pthread_mutex_t *mu = lock_of(c, si);
  pthread_mutex_lock(mu);
  s->gen++;
  for (int w = 0; w < BO_CACHE_WAYS && s->way[w]; w++)
    if (holds(s, w, h, key)) { /* a key is kept once: close the gap */
      gone = s->way[w];
      const size_t after = (size_t)(BO_CACHE_WAYS - 1 - w);
      memmove(&s->way[w], &s->way[w + 1], after * sizeof s->way[0]);
      memmove(&s->hash[w], &s->hash[w + 1], after * sizeof s->hash[0]);
      s->way[BO_CACHE_WAYS - 1] = NULL;
      break;
    }
  pthread_mutex_unlock(mu);
  entry_free(c, gone);
}

bo_cache_stats bo_cache_stats_get(bo_cache *c) {
  bo_cache_stats st = {.entries = atomic_load(&c->entries), .bytes = atomic_load(&c->bytes)};
  for (size_t i = 0; i <= c->mask; i++) {
    pthread_mutex_t *mu = lock_of(c, i);
    pthread_mutex_lock(mu);
    st.hits += c->sets[i].hits;
    st.misses += c->sets[i].misses;
    pthread_mutex_unlock(mu);
  }
  return st;
}
