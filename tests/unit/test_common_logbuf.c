/*
 * test_common_logbuf.c — the access log written in blocks.
 *
 * Lines from many threads arrive whole, each thread's in order, none lost
 * when the buffer fills; lines wait in memory (no write per line) until the
 * buffer is half full, their time is up or the log is closed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/common/logbuf.h"

#define THREADS 4
#define LINES 20000 /* per thread: ~0.5 MB in all, many times the buffer */

static int temp_file(char *path) {
  strcpy(path, "/tmp/bo-logbuf-XXXXXX");
  const int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  return fd;
}

static off_t file_size(int fd) {
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  return st.st_size;
}

static char *read_all(int fd, size_t *n) {
  const off_t size = file_size(fd);
  char *text = malloc((size_t)size + 1);
  assert_non_null(text);
  assert_int_equal(pread(fd, text, (size_t)size, 0), size);
  text[size] = '\0';
  *n = (size_t)size;
  return text;
}

typedef struct writer_arg {
  bo_logbuf *lb;
  int t;
} writer_arg;

static void *writer_main(void *p) {
  const writer_arg *a = p;
  char line[64];
  for (int i = 0; i < LINES; i++) {
    const int n = snprintf(line, sizeof line, "t%d line %d of the access log\n", a->t, i);
    bo_logbuf_write(a->lb, line, (size_t)n);
  }
  return NULL;
}

static void test_threads_lines_whole_and_ordered(void **state) {
  (void)state;
  char path[32];
  const int fd = temp_file(path);
  bo_logbuf *lb = bo_logbuf_open(fd, 1000);
  assert_non_null(lb);
  pthread_t th[THREADS];
  writer_arg args[THREADS];
  for (int t = 0; t < THREADS; t++) {
    args[t] = (writer_arg){lb, t};
    assert_int_equal(pthread_create(&th[t], NULL, writer_main, &args[t]), 0);
  }
  for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
  bo_logbuf_close(lb);
  size_t n;
  char *text = read_all(fd, &n);
  assert_int_equal(text[n - 1], '\n');
  int next[THREADS] = {0};
  int lines = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    int t = -1, i = -1, used = 0;
    assert_int_equal(sscanf(l, "t%d line %d of the access log%n", &t, &i, &used), 2);
    assert_int_equal((size_t)used, strlen(l)); /* nothing glued to it */
    assert_true(t >= 0 && t < THREADS);
    assert_int_equal(i, next[t]); /* each thread's lines in order, none missing */
    next[t]++;
    lines++;
  }
  assert_int_equal(lines, THREADS * LINES);
  free(text);
  close(fd);
}

static void test_lines_wait_until_close(void **state) {
  (void)state;
  char path[32];
  const int fd = temp_file(path);
  bo_logbuf *lb = bo_logbuf_open(fd, 60 * 1000);
  assert_non_null(lb);
  for (int i = 0; i < 100; i++) bo_logbuf_write(lb, "GET /healthz 200 0.010ms\n", 25);
  usleep(20 * 1000);
  assert_int_equal(file_size(fd), 0); /* 2.5 KB: not half the buffer, not due */
  bo_logbuf_close(lb);
  assert_int_equal(file_size(fd), 100 * 25);
  close(fd);
}

static void test_line_out_when_due(void **state) {
  (void)state;
  char path[32];
  const int fd = temp_file(path);
  bo_logbuf *lb = bo_logbuf_open(fd, 20);
  assert_non_null(lb);
  bo_logbuf_write(lb, "POST /v1/orders 201 1.5ms\n", 26);
  /* out without a close or more lines; waits up to 10 s (never on time) */
  for (int i = 0; i < 1000 && file_size(fd) == 0; i++) usleep(10 * 1000);
  assert_int_equal(file_size(fd), 26);
  bo_logbuf_close(lb);
  assert_int_equal(file_size(fd), 26);
  close(fd);
}

static void test_long_line_cut(void **state) {
  (void)state;
  char path[32];
  const int fd = temp_file(path);
  bo_logbuf *lb = bo_logbuf_open(fd, 1000);
  assert_non_null(lb);
  const size_t big = 200 * 1024;
  char *line = malloc(big);
  assert_non_null(line);
  memset(line, 'x', big);
  bo_logbuf_write(lb, "a\n", 2);
  bo_logbuf_write(lb, line, big); /* waits for the first line's block, then fills one */
  bo_logbuf_write(lb, "b\n", 2);
  bo_logbuf_close(lb);
  free(line);
  size_t n;
  char *text = read_all(fd, &n);
  assert_int_equal(n, 2 + 64 * 1024 + 2);
  assert_memory_equal(text, "a\nx", 3);
  assert_memory_equal(text + n - 3, "xb\n", 3);
  free(text);
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_threads_lines_whole_and_ordered),
      cmocka_unit_test(test_lines_wait_until_close),
      cmocka_unit_test(test_line_out_when_due),
      cmocka_unit_test(test_long_line_cut),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
