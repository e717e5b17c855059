/*
 * mem.h — large allocations that are filled at once.
 */
#ifndef BO_MEM_H
#define BO_MEM_H

#include <stddef.h>

/* Asks the kernel to map the pages of [p, p + n) now, in one call, when the
 * range is large, in huge pages where it can: touching fresh memory faults
 * once per 4 KiB page, and a fault costs ~12 us on the 2-core VM of the
 * benchmarks (126 ms for the 42 MB of a 100,000-line queue; 7 ms mapped at
 * once). Even mapped at once, 4 KiB pages new to the process cost the VM's
 * host ~45 ms per 37 MB at their first write, every time; 2 MiB pages freed
 * a moment before come back ready (~3 ms). Best effort: on a kernel without
 * MADV_POPULATE_WRITE the pages fault in as they are used. */
void bo_mem_prefault(void *p, size_t n);

/* calloc(n, size), prefaulted. */
void *bo_mem_calloc(size_t n, size_t size);

#endif
