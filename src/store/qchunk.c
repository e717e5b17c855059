/*
 * qchunk.c — the byte format of a chunk of queue lines; see qchunk.h.
 *
 * A line, in this order: its key (order id length and bytes, line_no,
 * queue_prio, queue_us), its counters and terms (qty, allocated,
 * backordered, shipped, cancelled, tier, created_at, need_by, if_late,
 * n_lines), then what re-dating changes (the promise's parts, first_promise,
 * delays, a flags byte: consented, then the chunk flags). Re-dating copies
 * the first two parts as they are and writes the last anew.
 *
 * Reading never looks past a chunk's bytes, without a bounds check per
 * number: a line is parsed from the chunk itself while a line of the
 * longest kind fits before its end, from a zero-padded copy of the rest
 * after that (see cursor), and a line that ends past the end is an error.
 */
#include "qchunk.h"

#include <string.h>

static uint8_t *put_u(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

static uint8_t *put_i(uint8_t *p, int64_t v) {
  return put_u(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* At most 10 bytes; an over-long number reads as what its 10 bytes say. */
static inline const uint8_t *get_u(const uint8_t *p, uint64_t *v) {
  if (*p < 0x80) {
    *v = *p;
    return p + 1;
  }
  uint64_t x = 0;
  for (int i = 0; i < 10; i++) {
    const uint8_t b = *p++;
    x |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) break;
  }
  *v = x;
  return p;
}

static inline const uint8_t *get_i(const uint8_t *p, int64_t *v) {
  uint64_t u;
  p = get_u(p, &u);
  *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
  return p;
}

static inline const uint8_t *skip(const uint8_t *p) {
  for (int i = 0; i < 10 && (*p++ & 0x80); i++) {
  }
  return p;
}

/* --- the three parts of a line ---------------------------------------------- */

static uint8_t *put_key(uint8_t *p, const bo_line *l) {
  const size_t id_len = strnlen(l->order_id, BO_ID_LEN_MAX);
  *p++ = (uint8_t)id_len;
  memcpy(p, l->order_id, id_len);
  p += id_len;
  p = put_i(p, l->line_no);
  p = put_i(p, l->queue_prio);
  return put_i(p, l->queue_us);
}

static uint8_t *put_terms(uint8_t *p, const bo_line *l) {
  p = put_i(p, l->qty);
  p = put_i(p, l->allocated);
  p = put_i(p, l->backordered);
  p = put_i(p, l->shipped);
  p = put_i(p, l->cancelled);
  p = put_i(p, l->tier);
  p = put_i(p, l->created_at);
  p = put_i(p, l->need_by);
  p = put_i(p, l->if_late);
  return put_i(p, l->n_lines);
}

static uint8_t *put_promise(uint8_t *p, const bo_qchunk_promise *pr) {
  p = put_u(p, (uint64_t)pr->promise.n);
  for (int k = 0; k < pr->promise.n; k++) {
    p = put_i(p, pr->promise.parts[k].qty);
    p = put_i(p, pr->promise.parts[k].date);
    *p++ = pr->promise.parts[k].estimate;
  }
  p = put_i(p, pr->first_promise);
  p = put_i(p, pr->delays);
  *p++ = (uint8_t)((pr->consented ? 1 : 0) | pr->flags << 1);
  return p;
}

/* The key of a line: its numbers, and its order id where it is in p. */
static const uint8_t *get_key(const uint8_t *p, bo_qchunk_key *k) {
  k->id_len = *p++;
  if (k->id_len > BO_ID_LEN_MAX) return NULL;
  k->order_id = p;
  p += k->id_len;
  int64_t v;
  p = get_i(p, &v);
  k->line_no = (int32_t)v;
  p = get_i(p, &k->queue_prio);
  return get_i(p, &k->queue_us);
}

static const uint8_t *get_terms(const uint8_t *p, bo_line *l) {
  int64_t v;
  p = get_i(p, &l->qty);
  p = get_i(p, &l->allocated);
  p = get_i(p, &l->backordered);
  p = get_i(p, &l->shipped);
  p = get_i(p, &l->cancelled);
  p = get_i(p, &v);
  l->tier = (int32_t)v;
  p = get_i(p, &l->created_at);
  p = get_i(p, &v);
  l->need_by = (bo_day)v;
  p = get_i(p, &v);
  l->if_late = v ? BO_IF_LATE_CANCEL : BO_IF_LATE_KEEP;
  p = get_i(p, &v);
  l->n_lines = (int32_t)v;
  return p;
}

static const uint8_t *skip_terms(const uint8_t *p) {
  for (int i = 0; i < 10; i++) p = skip(p);
  return p;
}

static const uint8_t *get_promise(const uint8_t *p, bo_qchunk_promise *pr) {
  uint64_t parts;
  int64_t v;
  p = get_u(p, &parts);
  if (parts > BO_PROMISE_PARTS_MAX) return NULL;
  pr->promise.n = (int)parts;
  for (int k = 0; k < pr->promise.n; k++) {
    p = get_i(p, &pr->promise.parts[k].qty);
    p = get_i(p, &v);
    pr->promise.parts[k].date = (bo_day)v;
    pr->promise.parts[k].estimate = *p++ != 0;
  }
  p = get_i(p, &v);
  pr->first_promise = (bo_day)v;
  p = get_i(p, &v);
  pr->delays = (int32_t)v;
  const uint8_t f = *p++;
  pr->consented = f & 1;
  pr->flags = f >> 1;
  return p;
}

/* --- chunks ------------------------------------------------------------------ */

size_t bo_qchunk_encode(const bo_line *l, uint8_t flags, uint8_t *buf) {
  const bo_qchunk_promise pr = {l->promise, l->first_promise, l->delays, l->consented, flags};
  return (size_t)(put_promise(put_terms(put_key(buf, l), l), &pr) - buf);
}

int bo_qchunk_cmp(const bo_qchunk_key *k, const bo_line *l) {
  if (k->queue_prio != l->queue_prio) return k->queue_prio < l->queue_prio ? -1 : 1;
  if (k->queue_us != l->queue_us) return k->queue_us < l->queue_us ? -1 : 1;
  /* as strcmp: bytes, then the shorter first */
  const size_t l_len = strnlen(l->order_id, BO_ID_LEN_MAX);
  const int c = memcmp(k->order_id, l->order_id, k->id_len < l_len ? k->id_len : l_len);
  if (c != 0) return c < 0 ? -1 : 1;
  if (k->id_len != l_len) return k->id_len < l_len ? -1 : 1;
  return (k->line_no > l->line_no) - (k->line_no < l->line_no);
}

/* A cursor over a chunk's lines. When less than a longest line is left, the
 * rest is copied once to `pad`, zeros after it: a line that starts before
 * the end is then read within pad, however malformed. */
typedef struct cursor {
  const uint8_t *p, *end;
  bool padded;
  uint8_t pad[2 * BO_QCHUNK_LINE_BYTES];
} cursor;

static const uint8_t *line_start(cursor *c) {
  const size_t left = (size_t)(c->end - c->p);
  if (!c->padded && left < BO_QCHUNK_LINE_BYTES) {
    if (left) memcpy(c->pad, c->p, left);
    memset(c->pad + left, 0, sizeof c->pad - left);
    c->p = c->pad;
    c->end = c->pad + left;
    c->padded = true;
  }
  return c->p;
}

/* Moves past a line that ended at q; false when that is past the chunk. */
static bool line_end(cursor *c, const uint8_t *q) {
  if (q > c->end) return false;
  c->p = q;
  return true;
}

bool bo_qchunk_decode(const uint8_t *p, size_t len, size_t n, const char *sku, bo_line *v,
                      uint8_t *flags) {
  if (len == 0) return n == 0; /* (SQLite gives an empty blob as NULL) */
  cursor c = {.p = p, .end = p + len};
  const size_t sku_len = strnlen(sku, BO_SKU_ID_LEN_MAX);
  for (size_t i = 0; i < n; i++) {
    bo_line *l = &v[i];
    const uint8_t *q = line_start(&c);
    bo_qchunk_key k;
    bo_qchunk_promise pr;
    if (!(q = get_key(q, &k))) return false;
    q = get_terms(q, l);
    if (!(q = get_promise(q, &pr)) || !line_end(&c, q)) return false;
    memcpy(l->order_id, k.order_id, k.id_len);
    l->order_id[k.id_len] = '\0';
    l->line_no = k.line_no;
    l->queue_prio = k.queue_prio;
    l->queue_us = k.queue_us;
    memcpy(l->sku, sku, sku_len);
    l->sku[sku_len] = '\0';
    l->promise = pr.promise;
    l->first_promise = pr.first_promise;
    l->delays = pr.delays;
    l->consented = pr.consented;
    if (flags) flags[i] = pr.flags;
  }
  return c.p == c.end;
}

bool bo_qchunk_scan(const uint8_t *p, size_t len, size_t n, bo_qchunk_key *keys, uint32_t *off) {
  off[0] = 0;
  if (len == 0) return n == 0;
  cursor c = {.p = p, .end = p + len};
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *q = line_start(&c);
    bo_qchunk_promise pr;
    off[i] = (uint32_t)at;
    if (!(q = get_key(q, &keys[i]))) return false;
    keys[i].order_id = p + at + (size_t)(keys[i].order_id - c.p); /* in p, not in c.pad */
    q = skip_terms(q);
    if (!(q = get_promise(q, &pr))) return false;
    at += (size_t)(q - c.p);
    if (!line_end(&c, q)) return false;
  }
  off[n] = (uint32_t)at;
  return c.p == c.end;
}

size_t bo_qchunk_repromise(const uint8_t *in, size_t len, size_t n, bo_qchunk_fn fn, void *ctx,
                           uint8_t *out, bool *changed) {
  *changed = false;
  if (len == 0) return 0;
  cursor c = {.p = in, .end = in + len};
  uint8_t *o = out;
  for (size_t i = 0; i < n; i++) {
    const uint8_t *start = line_start(&c), *q = start;
    bo_qchunk_key key;
    bo_qchunk_promise pr;
    if (!(q = get_key(q, &key))) return 0;
    q = skip_terms(q);
    const size_t kept = (size_t)(q - start); /* key and terms, copied as they are */
    if (!(q = get_promise(q, &pr)) || !line_end(&c, q)) return 0;
    memcpy(o, start, kept);
    o += kept;
    if (fn(ctx, &key, &pr)) {
      *changed = true;
      o = put_promise(o, &pr);
    } else {
      const size_t tail = (size_t)(q - start) - kept;
      memcpy(o, start + kept, tail);
      o += tail;
    }
  }
  return c.p == c.end ? (size_t)(o - out) : 0;
}
