/* mem.c — see mem.h. */
#include "mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define BO_PREFAULT_MIN (1u << 20) /* smaller ranges are not worth a system call */

void bo_mem_prefault(void *p, size_t n) {
#ifdef MADV_POPULATE_WRITE
  if (!p || n < BO_PREFAULT_MIN) return;
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
  const uintptr_t end = ((uintptr_t)p + n) & ~(page - 1);
  if (end <= start) return;
#ifdef MADV_HUGEPAGE
  (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
  (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)n;
#endif
}

void *bo_mem_calloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p) bo_mem_prefault(p, n * size);
  return p;
}
