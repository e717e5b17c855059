/*
 * writer.c — the writer, syncer and checkpointer threads; see writer.h.
 *
 * The writer runs a batch in one transaction and commits it without waiting
 * for the disk (the store commits with synchronous=NORMAL), then hands the
 * batch to the syncer and goes on with the next one. The syncer makes every
 * commit so far durable with one flush of the log (fdatasync of the WAL),
 * and only then answers the batches it covered. So the CPU work of batch
 * N+1 overlaps the fsync of batch N, and no answer leaves before its commit
 * is on disk: a crash loses only unanswered work. WAL recovery stops at the
 * last complete commit, so a batch half-written at the crash is simply gone.
 *
 * A third thread copies the log into the database (a checkpoint) when the
 * syncer finds enough of it waiting, so neither the copy nor the database
 * file's flush holds up a batch.
 */
#include "writer.h"

#include <stdio.h>
#include <time.h>

#define BO_WRITER_IDLE_TICK_S 1 /* the tick runs at least this often (a slice of the daily pass) */
/* log frames waiting that start a checkpoint, by default (`serve --wal-mb`):
 * the more frames, the more often a hot page was written several times and
 * is copied once (16,384 -> 65,536: +12% orders/s at 64 connections;
 * -> 262,144: +15-25% more, and with the checkpointer's paced write-back
 * (walbuf.h) a shorter tail too); the log file grows to ~1.2 GiB */
#define BO_CHECKPOINT_FRAMES ((int64_t)BO_WAL_MB_DEFAULT * BO_WAL_FRAMES_PER_MB)
#define BO_CHECKPOINT_TAIL_FRAMES 64 /* left to the writer (under sqlite.c's catch-up limit) */
#define BO_CHECKPOINT_PASSES_MAX 16

/* Runs the jobs of one batch in one transaction, each in a savepoint of
 * its own or (savepoints false) without; returns the commit's result.
 * Without savepoints, a job that fails after writing rolls the batch back
 * and sets *again. */
static bo_rc run_jobs(bo_writer *w, bo_job *jobs, int64_t now, bool savepoints, bool *again) {
  bo_store *st = w->engine->st;
  bo_rc rc = st->ops->begin(st);
  if (rc) return rc;
  if (w->tick && st->ops->savepoint(st) == BO_OK) {
    if (w->tick(w->engine, now, w->tick_ctx) == BO_OK)
      st->ops->release(st);
    else
      st->ops->rollback_to(st);
  }
  for (bo_job *j = jobs; j && !rc; j = j->next) {
    if (savepoints) {
      if ((rc = st->ops->savepoint(st))) break;
      j->rc = j->run(j, w->engine, now);
      rc = j->rc ? st->ops->rollback_to(st) : st->ops->release(st);
      continue;
    }
    const int64_t mark = st->ops->write_mark(st);
    j->rc = j->run(j, w->engine, now);
    if (j->rc && (mark < 0 || st->ops->write_mark(st) != mark)) {
      st->ops->rollback(st);
      *again = true;
      return BO_OK;
    }
  }
  if (!rc) rc = st->ops->commit(st);
  if (rc) st->ops->rollback(st);
  return rc;
}

bo_rc bo_writer_run_batch(bo_writer *w, bo_job *jobs) {
  const int64_t now = bo_clock_now(w->clock);
  bool again = false;
  bo_rc rc = run_jobs(w, jobs, now, !w->engine->st->ops->write_mark, &again);
  if (again) {
    for (bo_job *j = jobs; j; j = j->next)
      if (j->reset) j->reset(j);
    rc = run_jobs(w, jobs, now, true, &again);
  }
  atomic_fetch_add(&w->commits, 1);
  return rc;
}

typedef struct change_hook {
  void (*fn)(void *ctx, const char *sku);
  void *ctx;
} change_hook;

static bo_rc tell_change(void *arg, const char *sku) {
  const change_hook *h = arg;
  h->fn(h->ctx, sku);
  return BO_OK;
}

/* Tells the hook which SKUs the last batch wrote (called before its answers). */
static void tell_changes(bo_writer *w) {
  bo_store *st = w->engine->st;
  if (!st->ops->changes_take) return;
  pthread_mutex_lock(&w->hook_mu);
  const change_hook h = {w->on_change, w->on_change_ctx};
  bool all = false;
  /* under the lock, so that the hook cannot be cleared while it runs */
  if (h.fn) {
    st->ops->changes_take(st, &all, tell_change, (void *)&h);
    if (all) h.fn(h.ctx, NULL);
  } else {
    st->ops->changes_take(st, &all, NULL, NULL);
  }
  pthread_mutex_unlock(&w->hook_mu);
}

void bo_writer_on_change(bo_writer *w, void (*fn)(void *ctx, const char *sku), void *ctx) {
  pthread_mutex_lock(&w->hook_mu);
  w->on_change = fn;
  w->on_change_ctx = ctx;
  pthread_mutex_unlock(&w->hook_mu);
}

void bo_writer_on_checkpoint(bo_writer *w, void (*fn)(void *ctx), void *ctx) {
  pthread_mutex_lock(&w->hook_mu);
  w->on_checkpoint = fn;
  w->on_checkpoint_ctx = ctx;
  pthread_mutex_unlock(&w->hook_mu);
}

static void tell_checkpoint(bo_writer *w) {
  pthread_mutex_lock(&w->hook_mu);
  if (w->on_checkpoint) w->on_checkpoint(w->on_checkpoint_ctx);
  pthread_mutex_unlock(&w->hook_mu);
}

/* Takes up to BO_BATCH_JOBS_MAX jobs off the queue (called with mu held). */
static bo_job *take_batch(bo_writer *w) {
  bo_job *jobs = w->head, *last = jobs;
  for (int n = 1; last->next && n < BO_BATCH_JOBS_MAX; n++) last = last->next;
  w->head = last->next;
  if (!w->head) w->tail = NULL;
  last->next = NULL;
  return jobs;
}

/* Hands committed jobs to the syncer (their rc already final unless the flush fails). */
static void to_syncer(bo_writer *w, bo_job *jobs) {
  bo_job *last = jobs;
  while (last->next) last = last->next;
  pthread_mutex_lock(&w->mu);
  if (w->sync_tail)
    w->sync_tail->next = jobs;
  else
    w->sync_head = jobs;
  w->sync_tail = last;
  pthread_cond_signal(&w->sync_cv);
  pthread_mutex_unlock(&w->mu);
}

static void *writer_main(void *arg) {
  bo_writer *w = arg;
  for (;;) {
    pthread_mutex_lock(&w->mu);
    bool timed_out = false;
    while (!w->head && !w->stopping && !timed_out) {
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_sec += BO_WRITER_IDLE_TICK_S;
      timed_out = pthread_cond_timedwait(&w->work_cv, &w->mu, &until) != 0;
    }
    if (!w->head && w->stopping) {
      w->writer_done = true;
      pthread_cond_signal(&w->sync_cv);
      pthread_mutex_unlock(&w->mu);
      break;
    }
    if (!w->head) { /* idle: a batch of no job still runs the periodic tick */
      pthread_mutex_unlock(&w->mu);
      if (w->tick) {
        bo_writer_run_batch(w, NULL);
        tell_changes(w);
      }
      continue;
    }
    bo_job *jobs = take_batch(w);
    pthread_mutex_unlock(&w->mu);
    const bo_rc commit = bo_writer_run_batch(w, jobs);
    tell_changes(w);
    uint64_t n = 0;
    for (bo_job *j = jobs; j; j = j->next, n++)
      if (commit) j->rc = commit;
    atomic_fetch_add(&w->batches, 1);
    atomic_fetch_add(&w->jobs, n);
    to_syncer(w, jobs);
  }
  return NULL;
}

/*
 * A checkpoint cycle starts when checkpoint_frames wait in the log and
 * lasts until the log starts over. The log can start over only when a
 * transaction begins with every frame copied, which the writer's catch-up
 * arranges when the checkpointer has left it little to copy; a batch
 * committed in between, or a reader still on the log, spoils that chance.
 * So within a cycle every flush asks for another (short) pass, and the log
 * does not grow past one cycle's worth (the syncer's thread only; other
 * threads may read w->cycle).
 */
static bool want_checkpoint(bo_writer *w) {
  bo_store *st = w->engine->st;
  if (!st->ops->log_pending) return false;
  const int64_t restarts = st->ops->log_restarts(st);
  if (w->cycle && restarts != w->cycle_restarts) w->cycle = false; /* it started over */
  if (!w->cycle && st->ops->log_pending(st) >= w->checkpoint_frames) {
    w->cycle = true;
    w->cycle_restarts = restarts;
  }
  return w->cycle;
}

static void *syncer_main(void *arg) {
  bo_writer *w = arg;
  for (;;) {
    pthread_mutex_lock(&w->mu);
    while (!w->sync_head && !w->writer_done) pthread_cond_wait(&w->sync_cv, &w->mu);
    bo_job *jobs = w->sync_head;
    w->sync_head = w->sync_tail = NULL;
    const bool last_round = !jobs && w->writer_done;
    pthread_mutex_unlock(&w->mu);
    if (last_round) break;
    /* one flush makes every commit handed over so far durable */
    const bo_rc flushed = w->engine->st->ops->flush(w->engine->st);
    if (flushed) fprintf(stderr, "writer: cannot flush the log to disk: commits not acknowledged\n");
    for (bo_job *j = jobs, *next; j; j = next) {
      next = j->next;
      j->done(j, flushed ? flushed : j->rc);
    }
    if (want_checkpoint(w)) {
      pthread_mutex_lock(&w->mu);
      w->checkpoint_wanted = true;
      pthread_cond_signal(&w->ckpt_cv);
      pthread_mutex_unlock(&w->mu);
    }
  }
  pthread_mutex_lock(&w->mu);
  w->syncer_done = true;
  pthread_cond_signal(&w->ckpt_cv);
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

static void *checkpointer_main(void *arg) {
  bo_writer *w = arg;
  bo_store *st = w->engine->st;
  for (;;) {
    pthread_mutex_lock(&w->mu);
    while (!w->checkpoint_wanted && !w->syncer_done) pthread_cond_wait(&w->ckpt_cv, &w->mu);
    const bool run = w->checkpoint_wanted;
    w->checkpoint_wanted = false;
    pthread_mutex_unlock(&w->mu);
    if (!run) break;
    /* passes back to back while the writer keeps adding: each copies what
     * came during the one before, until what is left is small enough for
     * the writer to copy itself before it starts the log over */
    for (int pass = 0; pass < BO_CHECKPOINT_PASSES_MAX; pass++) {
      tell_checkpoint(w);
      if (st->ops->checkpoint(st)) {
        fprintf(stderr, "writer: checkpoint failed (the log keeps growing)\n");
        break;
      }
      if (st->ops->log_pending(st) <= BO_CHECKPOINT_TAIL_FRAMES) break;
    }
  }
  return NULL;
}

/* Asks the threads to finish and waits for the first `started` of them. */
static void stop_threads(bo_writer *w, int started) {
  pthread_mutex_lock(&w->mu);
  w->stopping = true;
  pthread_cond_signal(&w->work_cv);
  pthread_mutex_unlock(&w->mu);
  if (started > 0) pthread_join(w->thread, NULL);
  if (started > 1) pthread_join(w->syncer, NULL);
  if (started > 2) pthread_join(w->checkpointer, NULL);
}

bo_rc bo_writer_start(bo_writer *w, bo_engine *e, bo_clock *clock) {
  w->engine = e;
  w->clock = clock;
  w->head = w->tail = w->sync_head = w->sync_tail = NULL;
  w->stopping = w->writer_done = w->syncer_done = w->checkpoint_wanted = false;
  w->cycle = false;
  w->on_change = NULL;
  w->on_change_ctx = NULL;
  w->on_checkpoint = NULL;
  w->on_checkpoint_ctx = NULL;
  pthread_mutex_init(&w->mu, NULL);
  pthread_mutex_init(&w->hook_mu, NULL);
  pthread_cond_init(&w->work_cv, NULL);
  pthread_cond_init(&w->sync_cv, NULL);
  pthread_cond_init(&w->ckpt_cv, NULL);
  w->checkpoints = e->st->ops->checkpoint != NULL;
  if (w->checkpoint_frames <= 0) w->checkpoint_frames = BO_CHECKPOINT_FRAMES;
  const int want = w->checkpoints ? 3 : 2;
  int started = 0;
  if (pthread_create(&w->thread, NULL, writer_main, w) == 0) started++;
  if (started == 1 && pthread_create(&w->syncer, NULL, syncer_main, w) == 0) started++;
  if (started == 2 && want == 3 &&
      pthread_create(&w->checkpointer, NULL, checkpointer_main, w) == 0)
    started++;
  if (started < want) { /* stop what started; a thread that failed to start is not joined */
    stop_threads(w, started);
    return BO_E_INTERNAL;
  }
  w->started = true;
  return BO_OK;
}

void bo_writer_submit(bo_writer *w, bo_job *job) {
  job->next = NULL;
  pthread_mutex_lock(&w->mu);
  if (w->writer_done) { /* too late: nothing will run it */
    pthread_mutex_unlock(&w->mu);
    job->done(job, BO_E_UNAVAILABLE);
    return;
  }
  if (w->tail)
    w->tail->next = job;
  else
    w->head = job;
  w->tail = job;
  pthread_cond_signal(&w->work_cv);
  pthread_mutex_unlock(&w->mu);
}

void bo_writer_stop(bo_writer *w) {
  if (!w->started) return;
  stop_threads(w, w->checkpoints ? 3 : 2);
  /* the mutexes stay: a server thread may still submit, and is refused */
  w->started = false;
}
