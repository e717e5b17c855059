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
 * SKU is the chunk's. queue_us and created_at are stored as the difference
 * from the line before (lines placed one after the other differ little).
 * Re-dating rewrites only the promise part of each line (repromise).
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

/* Writes lines *v[0..n) with their flags to buf, which holds at least
 * n * BO_QCHUNK_LINE_BYTES; returns the bytes written. */
size_t bo_qchunk_encode(const bo_line *const *v, const uint8_t *flags, size_t n, uint8_t *buf);

/* What re-dating changes of a line, and its chunk flags. */
typedef struct bo_qchunk_promise {
  bo_schedule promise;
  bo_day first_promise;
  int32_t delays;
  bool consented;
  uint8_t flags;
} bo_qchunk_promise;

/* Given a line's key (queue_prio, queue_us, order_id and line_no set, the
 * rest zero) and its promise part: whether it changed that part. */
typedef bool (*bo_qchunk_fn)(void *ctx, const bo_line *key, bo_qchunk_promise *pr);

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
