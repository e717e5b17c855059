/* qchunk.c — the byte format of a chunk of queue lines; see qchunk.h. */
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

size_t bo_qchunk_encode(const bo_line *const *v, const uint8_t *flags, size_t n, uint8_t *buf) {
  uint8_t *p = buf;
  int64_t us = 0, created = 0;
  for (size_t i = 0; i < n; i++) {
    const bo_line *l = v[i];
    const size_t id_len = strnlen(l->order_id, BO_ID_LEN_MAX);
    *p++ = (uint8_t)id_len;
    memcpy(p, l->order_id, id_len);
    p += id_len;
    p = put_i(p, l->line_no);
    p = put_i(p, l->qty);
    p = put_i(p, l->allocated);
    p = put_i(p, l->backordered);
    p = put_i(p, l->shipped);
    p = put_i(p, l->cancelled);
    p = put_i(p, l->queue_prio);
    p = put_i(p, (int64_t)((uint64_t)l->queue_us - (uint64_t)us));
    p = put_i(p, l->tier);
    p = put_i(p, (int64_t)((uint64_t)l->created_at - (uint64_t)created));
    us = l->queue_us;
    created = l->created_at;
    p = put_u(p, (uint64_t)l->promise.n);
    for (int k = 0; k < l->promise.n; k++) {
      p = put_i(p, l->promise.parts[k].qty);
      p = put_i(p, l->promise.parts[k].date);
      *p++ = l->promise.parts[k].estimate;
    }
    p = put_i(p, l->first_promise);
    p = put_i(p, l->delays);
    p = put_i(p, l->need_by);
    p = put_i(p, l->if_late);
    p = put_i(p, l->n_lines);
    *p++ = (uint8_t)((l->consented ? 1 : 0) | (flags ? flags[i] : 0) << 1);
  }
  return (size_t)(p - buf);
}

typedef struct reader {
  const uint8_t *p, *end;
  bool bad;
} reader;

static uint64_t get_u_long(reader *r) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p == r->end) break;
    const uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  r->bad = true;
  return 0;
}

/* most numbers take one byte */
static inline uint64_t get_u(reader *r) {
  if (r->p < r->end && *r->p < 0x80) return *r->p++;
  return get_u_long(r);
}

static inline int64_t get_i(reader *r) {
  const uint64_t u = get_u(r);
  return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static uint8_t get_byte(reader *r) {
  if (r->p == r->end) {
    r->bad = true;
    return 0;
  }
  return *r->p++;
}

bool bo_qchunk_decode(const uint8_t *p, size_t len, size_t n, const char *sku, bo_line *v,
                      uint8_t *flags) {
  reader r = {p, p + len, false};
  const size_t sku_len = strnlen(sku, BO_SKU_ID_LEN_MAX);
  int64_t us = 0, created = 0;
  for (size_t i = 0; i < n && !r.bad; i++) {
    bo_line *l = &v[i];
    const size_t id_len = get_byte(&r);
    if (id_len > BO_ID_LEN_MAX || (size_t)(r.end - r.p) < id_len) return false;
    memcpy(l->order_id, r.p, id_len);
    l->order_id[id_len] = '\0';
    r.p += id_len;
    memcpy(l->sku, sku, sku_len);
    l->sku[sku_len] = '\0';
    l->line_no = (int32_t)get_i(&r);
    l->qty = get_i(&r);
    l->allocated = get_i(&r);
    l->backordered = get_i(&r);
    l->shipped = get_i(&r);
    l->cancelled = get_i(&r);
    l->queue_prio = get_i(&r);
    l->queue_us = us = (int64_t)((uint64_t)us + (uint64_t)get_i(&r));
    l->tier = (int32_t)get_i(&r);
    l->created_at = created = (int64_t)((uint64_t)created + (uint64_t)get_i(&r));
    const uint64_t parts = get_u(&r);
    if (parts > BO_PROMISE_PARTS_MAX) return false;
    l->promise.n = (int)parts;
    for (int k = 0; k < l->promise.n; k++) {
      l->promise.parts[k].qty = get_i(&r);
      l->promise.parts[k].date = (bo_day)get_i(&r);
      l->promise.parts[k].estimate = get_byte(&r) != 0;
    }
    l->first_promise = (bo_day)get_i(&r);
    l->delays = (int32_t)get_i(&r);
    l->need_by = (bo_day)get_i(&r);
    l->if_late = get_i(&r) ? BO_IF_LATE_CANCEL : BO_IF_LATE_KEEP;
    l->n_lines = (int32_t)get_i(&r);
    const uint8_t f = get_byte(&r);
    l->consented = f & 1;
    if (flags) flags[i] = f >> 1;
  }
  return !r.bad && r.p == r.end;
}
