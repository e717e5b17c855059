/*
 * qchunk.h — the waiting lines of a SKU's queue packed in chunks.
 *
 * The SQLite store keeps a SKU's queue as rows of up to BO_QCHUNK_MAX lines
 * each (schema migration 6), in queue order: reading, re-dating or filling
 * 100,000 lines then costs SQLite a few thousand rows instead of one row
 * per line. This is the chunk's byte format, with nothing of SQLite in it.
 *
 * A line is a run of variable-length integers (LEB128, signed ones
 * zig-zagged), its order id as length and bytes, and one byte of flags; the
 * SKU is the chunk's. Each line stands alone: a line is added, replaced or
 * taken out by splicing bytes (scan gives where each starts), and
 * re-dating rewrites only the promise part of each (repromise).
 */
#ifndef BO_STORE_QCHUNK_H
#define BO_STORE_QCHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/domain.h"

#define BO_QCHUNK_MAX 64 /* lines in one chunk */
/* the most bytes one line takes: the order id, 16 numbers of at most 10
 * bytes, the promise's parts, the flags */
#define BO_QCHUNK_LINE_BYTES (1 + BO_ID_LEN_MAX + 16 * 10 + BO_PROMISE_PARTS_MAX * 21 + 1)

/* A line's flags in a chunk. */
enum {
  BO_QCHUNK_DIRTY = 1, /* its promise history differs from order_lines' (see sqlite.c) */
};

/* Writes line l with its flags to buf (BO_QCHUNK_LINE_BYTES at least);
 * returns the bytes written. A chunk is its lines' bytes one after the
 * other. */
size_t bo_qchunk_encode(const bo_line *l, uint8_t flags, uint8_t *buf);

/* A line's place in its queue, as a chunk holds it (order_id points into
 * the chunk's bytes, not NUL-terminated). */
typedef struct bo_qchunk_key {
  int64_t queue_prio, queue_us;
  int32_t line_no;
  uint8_t id_len;
  const uint8_t *order_id;
} bo_qchunk_key;

/* bo_line_queue_cmp of key k and line l. */
int bo_qchunk_cmp(const bo_qchunk_key *k, const bo_line *l);

/* The keys of the n lines of chunk p[0..len) and where each starts (off[n]
 * = len); false when the bytes are not n whole lines. */
bool bo_qchunk_scan(const uint8_t *p, size_t len, size_t n, bo_qchunk_key *keys, uint32_t *off);

/* What re-dating changes of a line, and its chunk flags. */
typedef struct bo_qchunk_promise {
  bo_schedule promise;
  bo_day first_promise;
  int32_t delays;
  bool consented;
  uint8_t flags;
} bo_qchunk_promise;

/* Given a line's key and its promise part: whether it changed that part. */
typedef bool (*bo_qchunk_fn)(void *ctx, const bo_qchunk_key *key, bo_qchunk_promise *pr);

/* Copies the n lines of chunk `in` to out (as long as in), each with the
 * promise part fn gives it; *changed tells whether fn changed any. Only
 * the changed parts are encoded again. Returns the bytes written, 0 when
 * `in` is not n whole lines. */
size_t bo_qchunk_repromise(const uint8_t *in, size_t len, size_t n, bo_qchunk_fn fn, void *ctx,
                           uint8_t *out, bool *changed);

/* Reads n lines of SKU `sku` from p[0..len) into v and their flags into
 * `flags` (NULL: not wanted); false when the bytes are not n whole lines. */
bool bo_qchunk_decode(const uint8_t *p, size_t len, size_t n, const char *sku, bo_line *v,
                      uint8_t *flags);

#endif
