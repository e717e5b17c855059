/* store.c — helpers shared by every backend. */
#include <stdlib.h>

#include "../common/mem.h"
#include "store.h"

bo_line *bo_lines_add(bo_lines *a) {
  if (a->n == a->cap) {
    const size_t cap = a->cap ? a->cap * 2 : 16;
    bo_line *v = realloc(a->v, cap * sizeof *v);
    if (!v) return NULL;
    bo_mem_prefault(v + a->cap, (cap - a->cap) * sizeof *v); /* the new half */
    a->v = v;
    a->cap = cap;
  }
  return &a->v[a->n++];
}

bo_rc bo_lines_reserve(bo_lines *a, size_t n) {
  if (a->n + n <= a->cap) return BO_OK;
  /* exactly what is asked the first time; growing again, at least double */
  const size_t cap = a->cap && a->n + n < 2 * a->cap ? 2 * a->cap : a->n + n;
  bo_line *v = realloc(a->v, cap * sizeof *v);
  if (!v) return BO_E_NOMEM;
  bo_mem_prefault(v + a->cap, (cap - a->cap) * sizeof *v);
  a->v = v;
  a->cap = cap;
  return BO_OK;
}

bo_rc bo_lines_push(bo_lines *a, const bo_line *l) {
  bo_line *slot = bo_lines_add(a);
  if (!slot) return BO_E_NOMEM;
  *slot = *l;
  return BO_OK;
}

void bo_lines_release(bo_lines *a) {
  free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}
