/* writer.c — one thread, one transaction per batch; see writer.h. */
#include "writer.h"

#include <stdio.h>
#include <time.h>

#define BO_WRITER_IDLE_TICK_S 30 /* the tick runs at least this often */

/* Runs the jobs of one batch in one transaction; returns the commit result. */
static bo_rc run_batch(bo_writer *w, bo_job *jobs, bo_rc *results, int n) {
  bo_store *st = w->engine->st;
  const int64_t now = bo_clock_now(w->clock);
  bo_rc rc = st->ops->begin(st);
  if (rc) return rc;
  if (w->tick && st->ops->savepoint(st) == BO_OK) {
    if (w->tick(w->engine, now, w->tick_ctx) == BO_OK)
      st->ops->release(st);
    else
      st->ops->rollback_to(st);
  }
  int i = 0;
  for (bo_job *j = jobs; j; j = j->next, i++) {
    BO_ASSERT(i < n);
    if ((rc = st->ops->savepoint(st))) break;
    results[i] = j->run(j, w->engine, now);
    rc = results[i] ? st->ops->rollback_to(st) : st->ops->release(st);
    if (rc) break;
  }
  if (!rc) rc = st->ops->commit(st);
  if (rc) st->ops->rollback(st);
  return rc;
}

static void *writer_main(void *arg) {
  bo_writer *w = arg;
  static bo_rc results[BO_BATCH_JOBS_MAX];
  for (;;) {
    pthread_mutex_lock(&w->mu);
    bool timed_out = false;
    while (!w->head && !w->stopping && !timed_out) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += BO_WRITER_IDLE_TICK_S;
      timed_out = pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0;
    }
    if (!w->head && w->stopping) {
      pthread_mutex_unlock(&w->mu);
      break;
    }
    if (!w->head) { /* idle: a batch of no job still runs the periodic tick */
      pthread_mutex_unlock(&w->mu);
      if (w->tick) run_batch(w, NULL, results, 0);
      continue;
    }
    bo_job *jobs = w->head, *last = jobs;
    int n = 1;
    while (last->next && n < BO_BATCH_JOBS_MAX) {
      last = last->next;
      n++;
    }
    w->head = last->next;
    if (!w->head) w->tail = NULL;
    last->next = NULL;
    pthread_mutex_unlock(&w->mu);

    for (int i = 0; i < n; i++) results[i] = BO_E_STORE;
    const bo_rc commit = run_batch(w, jobs, results, n);
    atomic_fetch_add(&w->batches, 1);
    atomic_fetch_add(&w->jobs, (uint64_t)n);
    int i = 0;
    for (bo_job *j = jobs, *next; j; j = next, i++) {
      next = j->next;
      j->done(j, commit ? commit : results[i]);
    }
  }
  return NULL;
}

bo_rc bo_writer_start(bo_writer *w, bo_engine *e, bo_clock *clock) {
  w->engine = e;
  w->clock = clock;
  w->head = w->tail = NULL;
  w->stopping = false;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  if (pthread_create(&w->thread, NULL, writer_main, w) != 0) return BO_E_INTERNAL;
  w->started = true;
  return BO_OK;
}

void bo_writer_submit(bo_writer *w, bo_job *job) {
  job->next = NULL;
  pthread_mutex_lock(&w->mu);
  if (w->tail)
    w->tail->next = job;
  else
    w->head = job;
  w->tail = job;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

void bo_writer_stop(bo_writer *w) {
  if (!w->started) return;
  pthread_mutex_lock(&w->mu);
  w->stopping = true;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  w->started = false;
}
