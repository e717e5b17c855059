/*
 * test_common_mem.c — large allocations mapped at once.
 *
 * bo_mem_calloc must give zeroed memory whose pages are already resident
 * (one system call instead of a fault per page), and bo_mem_prefault must
 * leave small ranges and the bytes themselves alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/common/mem.h"

/* Resident pages of this process (/proc/self/statm, second field). */
static long resident_pages(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = -1;
  if (f) {
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
  }
  return resident;
}

/* Whether this kernel populates on request (it does since Linux 5.14). */
static bool kernel_populates(void) {
  const size_t n = 1u << 16;
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
#ifdef MADV_POPULATE_WRITE
  const bool ok = madvise(p, n, MADV_POPULATE_WRITE) == 0;
#else
  const bool ok = false;
#endif
  munmap(p, n);
  return ok;
}

static void test_large_calloc_is_resident_and_zero(void **state) {
  (void)state;
  if (!kernel_populates()) skip();
  const size_t n = 8u << 20;
  const long page = sysconf(_SC_PAGESIZE);
  const long before = resident_pages();
  unsigned char *p = bo_mem_calloc(n, 1);
  assert_non_null(p);
  const long after = resident_pages();
  /* nearly every page is there before anything touched it */
  assert_true(after - before >= (long)(n / (size_t)page) * 9 / 10);
  for (size_t i = 0; i < n; i += 4093) assert_int_equal(p[i], 0);
  free(p);
}

static void test_small_and_unaligned_ranges(void **state) {
  (void)state;
  char buf[64];
  memset(buf, 'x', sizeof buf);
  bo_mem_prefault(buf, sizeof buf); /* below the threshold: nothing */
  bo_mem_prefault(NULL, 1u << 24);
  for (size_t i = 0; i < sizeof buf; i++) assert_int_equal(buf[i], 'x');
  /* an unaligned large range inside a buffer with data: the data stays */
  const size_t n = 3u << 20;
  char *p = malloc(n);
  assert_non_null(p);
  memset(p, 'y', n);
  bo_mem_prefault(p + 1000, n - 2000);
  for (size_t i = 0; i < n; i += 997) assert_int_equal(p[i], 'y');
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_large_calloc_is_resident_and_zero),
      cmocka_unit_test(test_small_and_unaligned_ranges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
