/* store.c — helpers shared by every backend. */
#include <stdlib.h>

#include "store.h"

bo_rc bo_lines_push(bo_lines *a, const bo_line *l) {
  if (a->n == a->cap) {
    const size_t cap = a->cap ? a->cap * 2 : 16;
    bo_line *v = realloc(a->v, cap * sizeof *v);
    if (!v) return BO_E_NOMEM;
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = *l;
  return BO_OK;
}

void bo_lines_release(bo_lines *a) {
  free(a->v);
  a->v = NULL;
  a->n = a->cap = 0;
}
