/*
 * logbuf.c — see logbuf.h. Two buffers: writers fill one while the flusher
 * writes the other out of the lock.
 */
#include "logbuf.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOGBUF_CAP (64 * 1024)

struct bo_logbuf {
  int fd;
  int flush_ms;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t flush_cv; /* the flusher waits: a first line, half full, no room, stopping */
  pthread_cond_t space_cv; /* writers wait: room */
  char *buf, *spare;
  size_t len;
  int waiting; /* writers waiting for room */
  struct timespec due; /* when the buffer's first line must be out */
  bool stopping;
};

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return; /* nowhere to log to: the lines are dropped */
    p += w;
    n -= (size_t)w;
  }
}

static void *flusher_main(void *arg) {
  bo_logbuf *lb = arg;
  pthread_mutex_lock(&lb->mu);
  for (;;) {
    while (!lb->stopping && (lb->len == 0 || (lb->len < LOGBUF_CAP / 2 && lb->waiting == 0))) {
      if (lb->len == 0)
        pthread_cond_wait(&lb->flush_cv, &lb->mu);
      else if (pthread_cond_timedwait(&lb->flush_cv, &lb->mu, &lb->due) == ETIMEDOUT)
        break;
    }
    if (lb->len == 0) break; /* stopping, all written */
    char *out = lb->buf;
    const size_t n = lb->len;
    lb->buf = lb->spare;
    lb->spare = out;
    lb->len = 0;
    pthread_cond_broadcast(&lb->space_cv);
    pthread_mutex_unlock(&lb->mu);
    write_all(lb->fd, out, n);
    pthread_mutex_lock(&lb->mu);
  }
  pthread_mutex_unlock(&lb->mu);
  return NULL;
}

static void release(bo_logbuf *lb) {
  pthread_cond_destroy(&lb->flush_cv);
  pthread_cond_destroy(&lb->space_cv);
  pthread_mutex_destroy(&lb->mu);
  free(lb->buf);
  free(lb->spare);
  free(lb);
}

bo_logbuf *bo_logbuf_open(int fd, int flush_ms) {
  bo_logbuf *lb = calloc(1, sizeof *lb);
  if (!lb) return NULL;
  lb->fd = fd;
  lb->flush_ms = flush_ms > 0 ? flush_ms : 1;
  lb->buf = malloc(LOGBUF_CAP);
  lb->spare = malloc(LOGBUF_CAP);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_mutex_init(&lb->mu, NULL);
  pthread_cond_init(&lb->flush_cv, &ca);
  pthread_cond_init(&lb->space_cv, NULL);
  pthread_condattr_destroy(&ca);
  if (!lb->buf || !lb->spare || pthread_create(&lb->thread, NULL, flusher_main, lb) != 0) {
    release(lb);
    return NULL;
  }
  return lb;
}

void bo_logbuf_write(bo_logbuf *lb, const char *line, size_t n) {
  if (n > LOGBUF_CAP) n = LOGBUF_CAP;
  pthread_mutex_lock(&lb->mu);
  while (lb->len + n > LOGBUF_CAP) {
    lb->waiting++;
    pthread_cond_signal(&lb->flush_cv);
    pthread_cond_wait(&lb->space_cv, &lb->mu);
    lb->waiting--;
  }
  if (lb->len == 0) { /* the first line: the flusher starts its clock */
    clock_gettime(CLOCK_MONOTONIC, &lb->due);
    lb->due.tv_sec += lb->flush_ms / 1000;
    lb->due.tv_nsec += (long)(lb->flush_ms % 1000) * 1000000L;
    if (lb->due.tv_nsec >= 1000000000L) {
      lb->due.tv_sec++;
      lb->due.tv_nsec -= 1000000000L;
    }
    pthread_cond_signal(&lb->flush_cv);
  }
  memcpy(lb->buf + lb->len, line, n);
  lb->len += n;
  if (lb->len >= LOGBUF_CAP / 2 && lb->len - n < LOGBUF_CAP / 2) pthread_cond_signal(&lb->flush_cv);
  pthread_mutex_unlock(&lb->mu);
}

void bo_logbuf_close(bo_logbuf *lb) {
  if (!lb) return;
  pthread_mutex_lock(&lb->mu);
  lb->stopping = true;
  pthread_cond_signal(&lb->flush_cv);
  pthread_mutex_unlock(&lb->mu);
  pthread_join(lb->thread, NULL);
  release(lb);
}
