/*
 * promise.c — time-phased available-to-promise (SPEC 4, "Promises" and
 * "Keeping promises honest").
 *
 * The supply timeline of a SKU is its open purchase-order lines by ETA. The
 * queue is walked against it: each backordered unit takes the next unit of
 * supply and is promised that supply's date plus handling days. Whatever no
 * supply covers is estimated from the lead time. The walk also applies the
 * customer's deadline (need_by with cancel) and the delay rule, because a
 * cancelled unit takes no supply and so moves everyone behind it earlier.
 */
#include <stdio.h>
#include <stdlib.h>

#include "domain.h"

bo_day bo_schedule_date(const bo_schedule *s) {
  bo_day d = BO_DAY_NONE;
  for (int i = 0; i < s->n; i++)
    if (s->parts[i].date > d) d = s->parts[i].date;
  return d;
}

int64_t bo_schedule_qty(const bo_schedule *s) {
  int64_t q = 0;
  for (int i = 0; i < s->n; i++) q += s->parts[i].qty;
  return q;
}

bool bo_schedule_equal(const bo_schedule *a, const bo_schedule *b) {
  if (a->n != b->n) return false;
  for (int i = 0; i < a->n; i++) {
    const bo_promise_part *x = &a->parts[i], *y = &b->parts[i];
    if (x->qty != y->qty || x->date != y->date || x->estimate != y->estimate) return false;
  }
  return true;
}

/* Appends the decimal digits of v (>= 0) at buf + len; the new length. */
static size_t put_digits(char *buf, size_t len, int64_t v) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) buf[len++] = tmp[--n];
  return len;
}

size_t bo_schedule_encode(const bo_schedule *s, char *buf, size_t size) {
  /* the longest part: ';' qty (<= 1e9: 10 digits) '@' date (< 1e9) 'e' */
  enum { PART_MAX = 1 + 10 + 1 + 9 + 1 };
  size_t len = 0;
  BO_ASSERT(size > (size_t)s->n * PART_MAX);
  for (int i = 0; i < s->n; i++) {
    const bo_promise_part *p = &s->parts[i];
    BO_ASSERT(p->qty >= 0 && p->qty <= BO_QTY_MAX && p->date >= 0 && p->date < 1000000000);
    if (i) buf[len++] = ';';
    len = put_digits(buf, len, p->qty);
    buf[len++] = '@';
    len = put_digits(buf, len, p->date);
    if (p->estimate) buf[len++] = 'e';
  }
  buf[len] = '\0';
  return len;
}

/* Reads a run of decimal digits into *out (no sign, no space); false when empty or too long. */
static bool read_digits(const char **p, int64_t max, int64_t *out) {
  int64_t v = 0;
  const char *s = *p;
  if (*s < '0' || *s > '9') return false;
  for (; *s >= '0' && *s <= '9'; s++) {
    v = v * 10 + (*s - '0');
    if (v > max) return false;
  }
  *p = s;
  *out = v;
  return true;
}

bool bo_schedule_decode(const char *text, bo_schedule *out) {
  bo_schedule s = {0};
  const char *p = text;
  while (*p) {
    int64_t qty, date;
    if (s.n == BO_PROMISE_PARTS_MAX || !read_digits(&p, BO_STOCK_MAX, &qty) || qty == 0 ||
        *p++ != '@' || !read_digits(&p, BO_DAY_MAX + BO_DAYS_MAX * 3, &date))
      return false;
    bo_promise_part *part = &s.parts[s.n++];
    part->qty = qty;
    part->date = (bo_day)date;
    part->estimate = *p == 'e';
    p += *p == 'e';
    if (*p == ';' && p[1]) p++;
    else if (*p) return false;
  }
  *out = s;
  return true;
}

/* Adds qty units dated `date` to s, merging with the last part when the date
 * and kind match; past the part limit the units join the last part, which
 * then carries the later date (a promise may only get more cautious). */
static void schedule_add(bo_schedule *s, int64_t qty, bo_day date, bool estimate) {
  BO_ASSERT(qty > 0);
  if (s->n > 0) {
    bo_promise_part *last = &s->parts[s->n - 1];
    if ((last->date == date && last->estimate == estimate) || s->n == BO_PROMISE_PARTS_MAX) {
      last->qty += qty;
      if (date > last->date) last->date = date;
      last->estimate = last->estimate || estimate;
      return;
    }
  }
  s->parts[s->n++] = (bo_promise_part){.qty = qty, .date = date, .estimate = estimate};
}

/* A cursor over the supply timeline. */
typedef struct cursor {
  const bo_supply *supply;
  size_t n, i;
  int64_t used; /* units taken from supply[i] */
} cursor;

static void cursor_skip(cursor *c, int64_t units) {
  while (units > 0 && c->i < c->n) {
    const int64_t left = c->supply[c->i].qty - c->used;
    const int64_t take = units < left ? units : left;
    c->used += take > 0 ? take : 0;
    units -= take > 0 ? take : 0;
    if (c->used >= c->supply[c->i].qty) {
      c->i++;
      c->used = 0;
    }
  }
}

static bo_day supply_day(const bo_supply *s, const bo_promise_ctx *ctx) {
  const bo_day from = s->eta > ctx->today ? s->eta : ctx->today;
  return from + ctx->handling_days;
}

/* Dates `qty` units from the cursor (advancing it); the rest is estimated. */
static void take_units(cursor *c, int64_t qty, bo_day estimate_day, const bo_promise_ctx *ctx,
                       bo_schedule *out) {
  while (qty > 0 && c->i < c->n) {
    const int64_t left = c->supply[c->i].qty - c->used;
    if (left <= 0) { /* an empty supply entry dates nothing */
      c->i++;
      c->used = 0;
      continue;
    }
    const int64_t take = qty < left ? qty : left;
    schedule_add(out, take, supply_day(&c->supply[c->i], ctx), false);
    qty -= take;
    cursor_skip(c, take);
  }
  if (qty > 0) schedule_add(out, qty, estimate_day, true);
}

/* The estimate a line keeps: its earlier estimate date while not passed. */
static bo_day estimate_for(const bo_line *l, const bo_promise_ctx *ctx) {
  const bo_day fresh = ctx->today + ctx->lead_time_days + ctx->handling_days;
  for (int i = 0; i < l->promise.n; i++) {
    const bo_promise_part *p = &l->promise.parts[i];
    if (p->estimate && p->date >= ctx->today) return p->date;
  }
  return fresh;
}

/* Units of s dated on or before `day`, counted from the front. */
static int64_t units_by(const bo_schedule *s, bo_day day) {
  int64_t q = 0;
  for (int i = 0; i < s->n && s->parts[i].date <= day; i++) q += s->parts[i].qty;
  return q;
}

void bo_promise_walk(const bo_supply *supply, size_t n_supply, int64_t skip_units,
                     const bo_line *lines, size_t n, const bo_promise_ctx *ctx,
                     bo_walk_result *out) {
  BO_ASSERT(skip_units >= 0);
  cursor c = {.supply = supply, .n = n_supply};
  cursor_skip(&c, skip_units);
  for (size_t i = 0; i < n; i++) {
    const bo_line *l = &lines[i];
    BO_ASSERT(l->backordered > 0 && bo_line_balanced(l));
    bo_walk_result *r = &out[i];
    *r = (bo_walk_result){0};
    const bo_day est = estimate_for(l, ctx);
    cursor trial = c;
    take_units(&trial, l->backordered, est, ctx, &r->promise);
    int64_t keep = l->backordered;
    if (l->if_late == BO_IF_LATE_CANCEL && l->need_by != BO_DAY_NONE &&
        bo_schedule_date(&r->promise) > l->need_by) {
      keep = units_by(&r->promise, l->need_by);
      r->cancel_late = l->backordered - keep;
    }
    const bo_day old_date = bo_schedule_date(&l->promise);
    r->promise.n = 0;
    trial = c;
    take_units(&trial, keep, est, ctx, &r->promise);
    const bo_day new_date = bo_schedule_date(&r->promise);
    if (keep > 0 && l->first_promise != BO_DAY_NONE && old_date != BO_DAY_NONE &&
        new_date > old_date && new_date > l->first_promise) {
      if (l->delays >= 1 && !l->consented) {
        r->cancel_delay = keep;
        keep = 0;
        r->promise.n = 0;
      } else {
        r->delayed = true;
      }
    }
    if (keep > 0) c = trial;
    BO_ASSERT(bo_schedule_qty(&r->promise) == keep);
    BO_ASSERT(keep + r->cancel_late + r->cancel_delay == l->backordered);
  }
}

void bo_promise_quote(int64_t available, const bo_supply *supply, size_t n_supply,
                      int64_t skip_units, int64_t qty, const bo_promise_ctx *ctx,
                      bo_schedule *out) {
  BO_ASSERT(available >= 0 && qty > 0);
  out->n = 0;
  if (available > 0) {
    const int64_t now_units = qty < available ? qty : available;
    schedule_add(out, now_units, ctx->today + ctx->handling_days, false);
    qty -= now_units;
  }
  if (qty == 0) return;
  cursor c = {.supply = supply, .n = n_supply};
  cursor_skip(&c, skip_units);
  take_units(&c, qty, ctx->today + ctx->lead_time_days + ctx->handling_days, ctx, out);
}
