/*
 * writer.h — the single writer and its group commit.
 *
 * Write requests are handed to one thread. It takes every job waiting at
 * that moment (up to BO_BATCH_JOBS_MAX), runs them in one transaction and
 * commits once; a syncer thread then makes the commit durable (one flush of
 * the log for all batches committed since the last flush) and only then
 * reports each job's outcome, while the writer already runs the next batch.
 *
 * A job that fails changes nothing and its neighbours still commit. Jobs
 * run without a savepoint each at first: a savepoint makes SQLite copy
 * every page the job then changes (13 % of an order's work), and a job that
 * fails almost always does so before it writes (a refused request). One
 * that fails after writing makes the writer roll the whole batch back and
 * run it again, each job in its own savepoint (reset first).
 */
#ifndef BO_WRITER_H
#define BO_WRITER_H

#include <pthread.h>

#include "../common/clock.h"
#include "engine.h"

typedef struct bo_job bo_job;
struct bo_job {
  bo_job *next;
  /* Runs inside the batch's transaction; a non-zero result undoes what it
   * wrote. It may run twice: again, after `reset`, when a neighbour failed
   * after writing (see above), so its work must depend only on the job,
   * the store and `now`. */
  bo_rc (*run)(bo_job *job, bo_engine *e, int64_t now);
  /* Forgets what run left in the job, before it runs again. May be NULL. */
  void (*reset)(bo_job *job);
  /* Called after the batch is durable (rc BO_OK) or failed; from the syncer thread. */
  void (*done)(bo_job *job, bo_rc rc);
  bo_rc rc; /* the outcome of run, kept until done */
};

typedef struct bo_writer {
  bo_engine *engine;
  bo_clock *clock;
  pthread_t thread, syncer, checkpointer;
  pthread_mutex_t mu;
  /* one condition per waiting thread, so that a job's arrival wakes only the
   * writer (one shared condition woke all three on every submit: ~3,000
   * needless wake-ups a second of the checkpointer under load) */
  pthread_cond_t work_cv, sync_cv, ckpt_cv;
  bo_job *head, *tail;           /* waiting to run */
  bo_job *sync_head, *sync_tail; /* committed, waiting for the flush */
  bool stopping, writer_done, syncer_done;
  bool checkpoint_wanted; /* the syncer found enough log to copy */
  int64_t checkpoint_frames; /* log frames that start a checkpoint cycle; 0: the default */
  /* a checkpoint cycle runs until the log starts over; set by the syncer.
   * While it is set, a reader should not keep a snapshot after its request
   * (any snapshot on the log stops it starting over) */
  _Atomic bool cycle;
  int64_t cycle_restarts;
  bool started, checkpoints;
  /* Called once per batch before the jobs, inside the transaction: periodic
   * work such as expiry. May be NULL. */
  bo_rc (*tick)(bo_engine *e, int64_t now, void *ctx);
  void *tick_ctx;
  /* Told of every SKU each batch wrote (NULL: possibly every SKU) after its
   * commit and before any of its jobs is answered; see bo_writer_on_change. */
  void (*on_change)(void *ctx, const char *sku);
  void *on_change_ctx;
  /* Called by the checkpointer before each pass; see bo_writer_on_checkpoint. */
  void (*on_checkpoint)(void *ctx);
  void *on_checkpoint_ctx;
  pthread_mutex_t hook_mu; /* guards the hooks */
  /* Counts the batches run: it moves after each commit and before on_change
   * is told of it (a reader whose snapshot began when it had a value has
   * seen every commit answered so far while it keeps that value). */
  _Atomic uint64_t commits;
  /* statistics */
  _Atomic uint64_t batches, jobs;
} bo_writer;

bo_rc bo_writer_start(bo_writer *w, bo_engine *e, bo_clock *clock);
/* Runs one batch in the calling thread (the writer thread's work, without
 * the threads: for tests); returns the commit's result, each job's in rc. */
bo_rc bo_writer_run_batch(bo_writer *w, bo_job *jobs);
/* Queues a job; its done() will be called exactly once. */
void bo_writer_submit(bo_writer *w, bo_job *job);
/* Sets (or, with fn NULL, clears) the on_change hook of a running writer. */
void bo_writer_on_change(bo_writer *w, void (*fn)(void *ctx, const char *sku), void *ctx);
/* Sets (or clears) the hook the checkpointer calls before each pass, from
 * its thread: the place to end read transactions kept open between requests,
 * which would stop the log from being copied and starting over. */
void bo_writer_on_checkpoint(bo_writer *w, void (*fn)(void *ctx), void *ctx);
/* Finishes the queued jobs and stops the threads; a job submitted later is
 * answered at once with BO_E_UNAVAILABLE. */
void bo_writer_stop(bo_writer *w);

#endif
