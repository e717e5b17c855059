/*
 * bench_util.h — small helpers shared by the benchmark programs: monotonic
 * time, environment-tunable sizes, a fast deterministic PRNG, percentiles,
 * and the memory figures of a process.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An integer from the environment, or `def` when unset or not a number. */
static inline int64_t bench_env_i64(const char *name, int64_t def) {
  const char *v = getenv(name);
  if (!v || !*v) return def;
  char *end;
  const long long x = strtoll(v, &end, 10);
  return *end ? def : (int64_t)x;
}

static inline const char *bench_env_str(const char *name, const char *def) {
  const char *v = getenv(name);
  return v && *v ? v : def;
}

/* xorshift64*: deterministic, fast, good enough to pick SKUs. */
typedef struct bench_rng {
  uint64_t s;
} bench_rng;

static inline uint64_t bench_rand(bench_rng *r) {
  uint64_t x = r->s;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  r->s = x;
  return x * 2685821657736338717ull;
}

/* Uniform in [0, n). */
static inline int64_t bench_rand_below(bench_rng *r, int64_t n) {
  return (int64_t)(bench_rand(r) % (uint64_t)n);
}

static int bench_cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of v[0..n), sorting v in place. */
static inline double bench_percentile(double *v, size_t n, double p, bool sorted) {
  if (n == 0) return 0;
  if (!sorted) qsort(v, n, sizeof *v, bench_cmp_double);
  size_t i = (size_t)((p / 100.0) * (double)n);
  if (i >= n) i = n - 1;
  return v[i];
}

/* VmRSS and VmHWM of a process in KiB (-1 when unreadable). */
static inline void bench_proc_mem(long pid, long *rss_kib, long *hwm_kib) {
  char path[64], line[256];
  *rss_kib = *hwm_kib = -1;
  snprintf(path, sizeof path, "/proc/%ld/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "VmRSS:", 6) == 0) *rss_kib = strtol(line + 6, NULL, 10);
    if (strncmp(line, "VmHWM:", 6) == 0) *hwm_kib = strtol(line + 6, NULL, 10);
  }
  fclose(f);
}

/* Bytes a process passed to write calls (wchar: the WAL, checkpoints, logs) and
 * its write calls, from /proc/PID/io (pid 0: this process); -1 when unreadable. */
static inline void bench_proc_io(long pid, long long *wchar, long long *syscw) {
  char path[64], line[256];
  *wchar = *syscw = -1;
  if (pid)
    snprintf(path, sizeof path, "/proc/%ld/io", pid);
  else
    snprintf(path, sizeof path, "/proc/self/io");
  FILE *f = fopen(path, "r");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "wchar:", 6) == 0) *wchar = strtoll(line + 6, NULL, 10);
    if (strncmp(line, "syscw:", 6) == 0) *syscw = strtoll(line + 6, NULL, 10);
  }
  fclose(f);
}

#endif
