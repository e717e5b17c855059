/*
 * bench_engine.c — the engine without HTTP, on temporary SQLite files.
 *
 *   bench_engine [orders] [queues] [quotes] [startup]     (default: all four)
 *
 * orders   orders/s through core + store: bo_order_place inside writer-style
 *          batches (one transaction per BENCH_BATCH orders, a savepoint per
 *          order, the periodic tick first: exactly src/engine/writer.c),
 *          without and with the response (the order as JSON, then its text);
 * queues   a receipt that allocates to a queue of BENCH_QUEUE_LINES lines
 *          (bo_po_receive) and the re-promise after a delay of a PO feeding
 *          as many lines (bo_po_patch), each timed inside its transaction
 *          (repeated, rolled back) and once more with its commit;
 * quotes   quote and availability latency on a reader store (µs per call);
 * startup  start-up time (spawn to the first 200 of /healthz) and RSS of
 *          `backorder serve` ($BACKORDER_BIN) on a database of BENCH_BIG_SKUS
 *          SKUs and BENCH_BIG_LINES order lines, written directly with SQL
 *          (gen.h), kept at BENCH_BIG_DB and reused while its sizes match; the
 *          server runs on a copy. RSS after BENCH_RSS_REQUESTS sequential
 *          requests (40% availability, 30% quotes, 30% orders) over 4
 *          keep-alive connections.
 *
 * Sizes (environment): BENCH_SKUS=100000 BENCH_ORDERS=200000 BENCH_BATCH=1000
 * BENCH_QUEUE_LINES=100000 BENCH_REPS=3 BENCH_QUOTES=20000
 * BENCH_BIG_SKUS=1000000 BENCH_BIG_LINES=10000000 BENCH_BIG_DB=path
 * BENCH_RSS_REQUESTS=20000 BENCH_STARTUP_REPS=3 BENCH_DIR=dir BENCH_KEEP=1.
 * Progress goes to stderr; the results, one JSON object, to stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "engine/engine.h"
#include "gen.h"

#define TOKEN "bench"

typedef struct bench {
  char dir[512];
  char engine_db[600];
  int64_t now;
  int64_t skus;
  json_t *out;
} bench;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("bench_engine: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static bo_engine *engine_open(const char *path, bo_store_mode mode) {
  bo_engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->cfg = (bo_config){.default_lead_time_days = 14, .max_backorder_days = BO_DAYS_NONE};
  bo_err err = {0};
  if (bo_store_sqlite_open(path, mode, &e->st, &err)) {
    say("cannot open %s: %s", path, err.message);
    free(e);
    return NULL;
  }
  return e;
}

static void engine_close(bo_engine *e) {
  if (!e) return;
  e->st->ops->close(e->st);
  free(e);
}

static double ms(double s) { return s * 1000.0; }

/* --- writer-style batches -------------------------------------------------- */

typedef bo_rc (*job_fn)(bo_engine *e, int64_t now, int64_t i, void *ctx);

typedef struct batch_stats {
  int64_t ok, failed, batches;
  double work_s, commit_s;
  long long wchar, syscw; /* bytes written and write calls (WAL, checkpoints) */
} batch_stats;

/* Runs n jobs, `batch` per transaction, a savepoint each, the tick first:
 * the loop of src/engine/writer.c without the thread hand-off. */
static bo_rc run_batches(bo_engine *e, int64_t now, int64_t n, int64_t batch, job_fn fn,
                         void *ctx, batch_stats *bs) {
  bo_store *st = e->st;
  long long w0, c0, w1, c1;
  bench_proc_io(0, &w0, &c0);
  for (int64_t i = 0; i < n;) {
    const double t0 = bench_now_s();
    if (st->ops->begin(st)) return BO_E_STORE;
    if (st->ops->savepoint(st) == BO_OK) {
      bo_err err = {0};
      if (bo_tick(e, now, false, &err) == BO_OK)
        st->ops->release(st);
      else
        st->ops->rollback_to(st);
    }
    const int64_t end = i + batch < n ? i + batch : n;
    /* no savepoint per job, as in the writer (writer.h), which takes them
     * only to run a batch again after a job failed having written */
    for (; i < end; i++) {
      const int64_t mark = st->ops->write_mark(st);
      if (fn(e, now, i, ctx) == BO_OK) {
        bs->ok++;
      } else {
        bs->failed++;
        if (st->ops->write_mark(st) != mark) return BO_E_STORE; /* not expected here */
      }
    }
    const double t1 = bench_now_s();
    if (st->ops->commit(st)) {
      st->ops->rollback(st);
      return BO_E_STORE;
    }
    if (st->ops->flush(st)) return BO_E_STORE; /* durable, as the writer makes it */
    const double t2 = bench_now_s();
    bs->work_s += t1 - t0;
    bs->commit_s += t2 - t1;
    bs->batches++;
  }
  bench_proc_io(0, &w1, &c1);
  bs->wchar += w1 - w0;
  bs->syscw += c1 - c0;
  return BO_OK;
}

static json_t *batch_json(const batch_stats *bs) {
  const double total = bs->work_s + bs->commit_s;
  const double n = (double)(bs->ok + bs->failed);
  return json_pack("{s:I,s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "orders", (json_int_t)bs->ok,
                   "failed",
                   (json_int_t)bs->failed, "batches", (json_int_t)bs->batches, "seconds", total,
                   "orders_per_s", total > 0 ? n / total : 0.0, "us_per_order_work",
                   n > 0 ? bs->work_s * 1e6 / n : 0.0, "commit_ms_per_batch",
                   bs->batches ? ms(bs->commit_s) / (double)bs->batches : 0.0, "commit_share",
                   total > 0 ? bs->commit_s / total : 0.0, "write_kib_per_order",
                   n > 0 ? (double)bs->wchar / 1024.0 / n : 0.0, "write_calls_per_order",
                   n > 0 ? (double)bs->syscw / n : 0.0);
}

/* --- random orders ------------------------------------------------------------ */

typedef struct order_ctx {
  bench_rng rng;
  int64_t skus;
  bool render;
  const char *sku; /* one fixed SKU of one unit per order, or NULL for 3 random lines */
  int errors;
} order_ctx;

static void random_lines(bench_rng *rng, int64_t skus, bo_order_request *req, int n) {
  int64_t picked[3];
  req->n_lines = n;
  for (int j = 0; j < n; j++) {
    int64_t k;
    bool dup;
    do {
      k = bench_rand_below(rng, skus);
      dup = false;
      for (int p = 0; p < j; p++) dup = dup || picked[p] == k;
    } while (dup);
    picked[j] = k;
    bench_sku_id(k, req->lines[j].sku);
    req->lines[j].qty = 1 + bench_rand_below(rng, 3);
  }
}

static bo_rc order_job(bo_engine *e, int64_t now, int64_t i, void *p) {
  order_ctx *c = p;
  static bo_order_request req;
  memset(&req.order, 0, sizeof req.order);
  req.order.need_by = BO_DAY_NONE;
  snprintf(req.order.customer_id, sizeof req.order.customer_id, "C-%lld", (long long)(i % 10000));
  if (c->sku) {
    req.n_lines = 1;
    snprintf(req.lines[0].sku, sizeof req.lines[0].sku, "%s", c->sku);
    req.lines[0].qty = 1;
  } else {
    random_lines(&c->rng, c->skus, &req, 3);
  }
  bo_err err = {0};
  char *text = NULL; /* the response text, as the HTTP layer sends it */
  const bo_rc rc = bo_order_place(e, now, &req, c->render ? &text : NULL, &err);
  free(text);
  if (rc && c->errors++ < 3) say("order failed: %s", err.message);
  return rc;
}

static void sec_orders(bench *b) {
  const int64_t n = bench_env_i64("BENCH_ORDERS", 200000);
  const int64_t batch = bench_env_i64("BENCH_BATCH", 1000);
  bo_engine *e = engine_open(b->engine_db, BO_STORE_WRITER);
  if (!e) return;
  json_t *o = json_object();
  for (int render = 0; render < 2; render++) {
    order_ctx c = {.rng = {0x1234567u + (uint64_t)render}, .skus = b->skus, .render = render};
    batch_stats bs = {0};
    say("orders: %lld orders of 3 lines over %lld skus, %lld per transaction%s", (long long)n,
        (long long)b->skus, (long long)batch, render ? ", response rendered" : "");
    if (run_batches(e, b->now, n, batch, order_job, &c, &bs)) say("orders: store error");
    json_t *j = batch_json(&bs);
    say("orders: %.0f orders/s (%.1f us/order of work, commit %.2f ms/batch, %.0f%% of time,"
        " %.1f KiB written/order)",
        json_real_value(json_object_get(j, "orders_per_s")),
        json_real_value(json_object_get(j, "us_per_order_work")),
        json_real_value(json_object_get(j, "commit_ms_per_batch")),
        100 * json_real_value(json_object_get(j, "commit_share")),
        json_real_value(json_object_get(j, "write_kib_per_order")));
    json_object_set_new(o, render ? "place_render" : "place", j);
  }
  json_object_set_new(o, "skus", json_integer(b->skus));
  json_object_set_new(o, "batch", json_integer(batch));
  json_object_set_new(b->out, "orders", o);
  engine_close(e);
}

/* --- receipt and re-promise on long queues --------------------------------------- */

static bo_rc make_sku(bo_engine *e, int64_t now, const char *id) {
  bo_sku_input in = {.fields = BO_SKU_F_NAME | BO_SKU_F_POLICY | BO_SKU_F_SUPPLIER |
                               BO_SKU_F_HANDLING};
  snprintf(in.v.id, sizeof in.v.id, "%s", id);
  snprintf(in.v.name, sizeof in.v.name, "Queue bench %s", id);
  in.v.policy = BO_POLICY_ALLOW;
  in.v.handling_days = 1;
  snprintf(in.v.supplier, sizeof in.v.supplier, "SUP-1");
  bo_err err = {0};
  const bo_rc rc = bo_sku_create(e, now, &in, &err);
  if (rc) say("sku %s: %s", id, err.message);
  return rc;
}

static bo_rc make_po(bo_engine *e, int64_t now, const char *id, const char *sku, int64_t qty) {
  bo_po_request req = {.eta = bo_day_of(now) + 10, .n_lines = 1};
  snprintf(req.id, sizeof req.id, "%s", id);
  snprintf(req.supplier, sizeof req.supplier, "SUP-1");
  snprintf(req.lines[0].sku, sizeof req.lines[0].sku, "%s", sku);
  req.lines[0].qty = qty;
  char out[BO_ID_LEN_MAX + 1];
  bo_err err = {0};
  const bo_rc rc = bo_po_create(e, now, &req, out, &err);
  if (rc) say("po %s: %s", id, err.message);
  return rc;
}

typedef bo_rc (*op_fn)(bo_engine *e, int64_t now, void *ctx, bo_err *err);

/* Times op inside a transaction `reps` times (rolled back), then once committed. */
static json_t *time_op(bo_engine *e, int64_t now, int reps, op_fn op, void *ctx,
                       const char *what) {
  bo_store *st = e->st;
  /* the server's checkpointer copies the log into the database while it
   * runs, so the log starts over; here the log holds the set-up's orders
   * (~230 MB for the queues) and commits were appended behind them (two of
   * 91 and 109 ms in full runs): copy it first, as the server would have */
  st->ops->checkpoint(st);
  sync();
  double *work = calloc((size_t)reps + 1, sizeof *work);
  json_t *runs = json_array();
  for (int r = 0; r <= reps; r++) {
    const bool commit = r == reps;
    int64_t ev0 = 0, ev1 = 0;
    st->ops->event_last_id(st, &ev0);
    bo_err err = {0};
    const double t0 = bench_now_s();
    st->ops->begin(st);
    const bo_rc rc = op(e, now, ctx, &err);
    const double t1 = bench_now_s();
    if (rc) say("%s failed: %s", what, err.message);
    st->ops->event_last_id(st, &ev1);
    if (commit && !rc) {
      st->ops->commit(st);
      st->ops->flush(st);
    } else
      st->ops->rollback(st);
    const double t2 = bench_now_s();
    work[r] = ms(t1 - t0);
    say("%s: %.1f ms of work%s%.1f ms, %lld events", what, work[r],
        commit ? ", commit " : ", rollback ", ms(t2 - t1), (long long)(ev1 - ev0));
    json_array_append_new(runs, json_pack("{s:f,s:f,s:b,s:I,s:b}", "work_ms", work[r],
                                          commit ? "commit_ms" : "rollback_ms", ms(t2 - t1),
                                          "committed", commit, "events", (json_int_t)(ev1 - ev0),
                                          "ok", rc == BO_OK));
  }
  const double commit_ms =
      json_real_value(json_object_get(json_array_get(runs, (size_t)reps), "commit_ms"));
  const double median = bench_percentile(work, (size_t)reps + 1, 50, false);
  /* what a request doing this waits for: the work (median) and its durable commit */
  json_t *j = json_pack("{s:f,s:f,s:f,s:f,s:o}", "work_ms_median", median, "work_ms_min",
                        work[0], "commit_ms", commit_ms, "total_ms", median + commit_ms, "runs",
                        runs);
  free(work);
  return j;
}

typedef struct queue_ctx {
  int64_t lines;
  bo_day eta;
} queue_ctx;

static bo_rc op_repromise(bo_engine *e, int64_t now, void *p, bo_err *err) {
  const queue_ctx *c = p;
  return bo_po_patch(e, now, "PO-QRP", c->eta, false, err);
}

static bo_rc op_receive(bo_engine *e, int64_t now, void *p, bo_err *err) {
  const queue_ctx *c = p;
  bo_line_request l = {.sku = "Q-RCV", .qty = c->lines};
  return bo_po_receive(e, now, "PO-QRCV", &l, 1, false, err);
}

static void sec_queues(bench *b) {
  const int64_t n = bench_env_i64("BENCH_QUEUE_LINES", 100000);
  const int reps = (int)bench_env_i64("BENCH_REPS", 3);
  bo_engine *e = engine_open(b->engine_db, BO_STORE_WRITER);
  if (!e) return;
  bo_store *st = e->st;
  const int64_t now = b->now;
  st->ops->begin(st);
  bo_rc rc = make_sku(e, now, "Q-RCV");
  if (!rc) rc = make_sku(e, now, "Q-RP");
  if (!rc) rc = make_po(e, now, "PO-QRCV", "Q-RCV", n);
  if (!rc) rc = make_po(e, now, "PO-QRP", "Q-RP", n);
  if (rc) {
    st->ops->rollback(st);
    engine_close(e);
    return;
  }
  st->ops->commit(st);
  json_t *q = json_pack("{s:I}", "queue_lines", (json_int_t)n);
  const char *skus[2] = {"Q-RP", "Q-RCV"};
  for (int k = 0; k < 2; k++) {
    say("queues: placing %lld one-unit orders on %s", (long long)n, skus[k]);
    order_ctx c = {.sku = skus[k]};
    batch_stats bs = {0};
    run_batches(e, now, n, 1000, order_job, &c, &bs);
    json_t *j = batch_json(&bs);
    say("queues: %.0f orders/s into one SKU's queue",
        json_real_value(json_object_get(j, "orders_per_s")));
    if (k == 0) json_object_set_new(q, "setup_orders_one_sku", j);
    else json_decref(j);
  }
  queue_ctx c = {.lines = n, .eta = bo_day_of(now) + 17};
  json_t *rp = time_op(e, now, reps, op_repromise, &c, "re-promise (PO 7 days late)");
  json_object_set_new(q, "repromise", rp);
  json_t *rcv = time_op(e, now, reps, op_receive, &c, "receipt allocating to the queue");
  json_object_set_new(q, "receipt", rcv);
  bo_sku sku;
  if (st->ops->sku_get(st, "Q-RCV", &sku) == BO_OK)
    json_object_set_new(q, "receipt_check",
                        json_pack("{s:I,s:I}", "allocated", (json_int_t)sku.allocated,
                                  "backordered", (json_int_t)sku.backordered));
  json_object_set_new(b->out, "queues", q);
  engine_close(e);
}

/* --- quote and availability latency ------------------------------------------------ */

static json_t *latency_json(double *us, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += us[i];
  qsort(us, n, sizeof *us, bench_cmp_double);
  return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f}", "calls", (json_int_t)n, "mean_us",
                   n ? sum / (double)n : 0.0, "p50_us", bench_percentile(us, n, 50, true),
                   "p99_us", bench_percentile(us, n, 99, true), "p999_us",
                   bench_percentile(us, n, 99.9, true), "calls_per_s",
                   sum > 0 ? (double)n * 1e6 / sum : 0.0);
}

static void sec_quotes(bench *b) {
  const int64_t n = bench_env_i64("BENCH_QUOTES", 20000);
  bo_engine *e = engine_open(b->engine_db, BO_STORE_READER);
  if (!e || n <= 0) {
    engine_close(e);
    return;
  }
  bo_store *st = e->st;
  double *us = calloc((size_t)n, sizeof *us);
  bench_rng rng = {0xfeedu};
  static bo_order_request req;
  json_t *out = json_object();
  for (int kind = 0; kind < 2; kind++) {
    for (int64_t i = 0; i < n; i++) {
      json_t *j = NULL;
      bo_err err = {0};
      char sku[32];
      if (kind == 0)
        random_lines(&rng, b->skus, &req, 3);
      else
        bench_sku_id(bench_rand_below(&rng, b->skus), sku);
      const double t0 = bench_now_s();
      st->ops->begin(st); /* as the HTTP layer does around every read */
      /* each answer's text as the HTTP handlers make it */
      char *text = NULL;
      const bo_rc rc = kind == 0 ? bo_quote_json(e, b->now, &req, &j, &err)
                                 : bo_availability_text(e, b->now, sku, &text, NULL, &err);
      if (j) text = json_dumps(j, JSON_COMPACT);
      free(text);
      json_decref(j);
      st->ops->commit(st);
      us[i] = (bench_now_s() - t0) * 1e6;
      if (rc && i < 3) say("%s failed: %s", kind ? "availability" : "quote", err.message);
    }
    json_t *l = latency_json(us, (size_t)n);
    say("%s: p50 %.1f us, p99 %.1f us, mean %.1f us", kind ? "availability" : "quote (3 lines)",
        json_real_value(json_object_get(l, "p50_us")),
        json_real_value(json_object_get(l, "p99_us")),
        json_real_value(json_object_get(l, "mean_us")));
    json_object_set_new(out, kind ? "availability" : "quote", l);
  }
  free(us);
  json_object_set_new(b->out, "reads", out);
  engine_close(e);
}

/* --- start-up and RSS of `backorder serve` ------------------------------------------ */

static void remove_db(const char *path) {
  char side[700];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
}

typedef struct conn {
  int fd;
  char buf[1 << 16];
} conn;

static int connect_port(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

/* One request on a keep-alive connection (reconnecting when needed); the
 * HTTP status, or -1 when the server cannot be reached. */
static int http_call(conn *c, int port, const char *method, const char *path, const char *body) {
  char head[1024];
  const size_t blen = body ? strlen(body) : 0;
  const int hn = snprintf(head, sizeof head,
                          "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " TOKEN
                          "\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                          method, path, blen);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (c->fd < 0 && (c->fd = connect_port(port)) < 0) return -1;
    if (!write_all(c->fd, head, (size_t)hn) || (blen && !write_all(c->fd, body, blen))) {
      close(c->fd);
      c->fd = -1;
      continue;
    }
    size_t have = 0;
    char *end = NULL;
    while (!(end = memmem(c->buf, have, "\r\n\r\n", 4))) {
      const ssize_t r = have < sizeof c->buf ? read(c->fd, c->buf + have, sizeof c->buf - have) : -1;
      if (r <= 0) break;
      have += (size_t)r;
    }
    if (!end) {
      close(c->fd);
      c->fd = -1;
      continue;
    }
    int status = 0;
    sscanf(c->buf, "HTTP/1.%*d %d", &status);
    size_t clen = 0;
    const char *cl = memmem(c->buf, (size_t)(end - c->buf), "Content-Length:", 15);
    if (!cl) cl = memmem(c->buf, (size_t)(end - c->buf), "content-length:", 15);
    if (cl) clen = strtoul(cl + 15, NULL, 10);
    size_t body_have = have - (size_t)(end + 4 - c->buf);
    while (body_have < clen) {
      char sink[8192];
      const ssize_t r = read(c->fd, sink, sizeof sink);
      if (r <= 0) break;
      body_have += (size_t)r;
    }
    return status;
  }
  return -1;
}

static int free_port(void) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0) close(fd);
  return port;
}

static pid_t spawn_server(const char *bin, const char *db, int port) {
  char listen[64];
  snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDERR_FILENO);
      dup2(null, STDOUT_FILENO);
    }
    execl(bin, bin, "serve", "--db", db, "--listen", listen, "--admin-token", TOKEN,
          (char *)NULL);
    _exit(127);
  }
  return pid;
}

/* Copies src to dst (the start-up runs write to their database: keep the cached one pristine). */
static int copy_file(const char *src, const char *dst) {
  const int in = open(src, O_RDONLY);
  const int out = in >= 0 ? open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
  int rc = in >= 0 && out >= 0 ? 0 : -1;
  while (!rc) {
    const ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
    if (n < 0) rc = -1;
    if (n <= 0) break;
  }
  if (in >= 0) close(in);
  if (out >= 0) close(out);
  return rc;
}

static double file_mb(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0.0;
}

static void sec_startup(bench *b) {
  const char *bin = getenv("BACKORDER_BIN");
  if (!bin || access(bin, X_OK) != 0) {
    say("startup: skipped (set BACKORDER_BIN to the backorder binary)");
    return;
  }
  char big[600];
  snprintf(big, sizeof big, "%s", bench_env_str("BENCH_BIG_DB", ""));
  if (!big[0]) snprintf(big, sizeof big, "%s/big.db", b->dir);
  const bench_gen g = {.skus = bench_env_i64("BENCH_BIG_SKUS", 1000000),
                       .lines = bench_env_i64("BENCH_BIG_LINES", 10000000),
                       .now = b->now, .stock = 1000000, .po_qty = 20, .token = TOKEN,
                       .progress = true};
  json_t *o = json_pack("{s:I,s:I}", "skus", (json_int_t)g.skus, "lines", (json_int_t)g.lines);
  if (bench_gen_matches(big, &g)) {
    say("startup: reusing %s (%lld skus, %lld lines)", big, (long long)g.skus,
        (long long)g.lines);
    json_object_set_new(o, "db_reused", json_true());
  } else {
    say("startup: writing %s: %lld skus, %lld order lines", big, (long long)g.skus,
        (long long)g.lines);
    const double t0 = bench_now_s();
    if (bench_gen_db(big, &g)) {
      json_decref(o);
      return;
    }
    json_object_set_new(o, "db_reused", json_false());
    json_object_set_new(o, "generate_s", json_real(bench_now_s() - t0));
  }
  json_object_set_new(o, "db_mb", json_real(file_mb(big)));
  char run_db[600];
  snprintf(run_db, sizeof run_db, "%s/big-run.db", b->dir);
  if (copy_file(big, run_db)) {
    say("startup: cannot copy %s to %s", big, run_db);
    json_decref(o);
    return;
  }
  const int reps = (int)bench_env_i64("BENCH_STARTUP_REPS", 3);
  const int64_t load_n = bench_env_i64("BENCH_RSS_REQUESTS", 20000);
  double *startup = calloc((size_t)reps, sizeof *startup);
  json_t *runs = json_array();
  for (int r = 0; r < reps; r++) {
    const int port = free_port();
    const double t0 = bench_now_s();
    const pid_t pid = spawn_server(bin, run_db, port);
    conn *c = calloc(1, sizeof *c);
    c->fd = -1;
    int status = -1;
    while (bench_now_s() - t0 < 120) {
      if ((status = http_call(c, port, "GET", "/healthz", NULL)) == 200) break;
      if (waitpid(pid, NULL, WNOHANG) == pid) break;
      usleep(1000);
    }
    const double ready = bench_now_s();
    if (status != 200) {
      say("startup: the server did not answer /healthz");
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      free(c);
      break;
    }
    startup[r] = ms(ready - t0);
    long rss, hwm;
    bench_proc_mem(pid, &rss, &hwm);
    json_t *run = json_pack("{s:f,s:f}", "startup_ms", startup[r], "rss_ready_mb", rss / 1024.0);
    say("startup: ready in %.1f ms, RSS %.1f MB", startup[r], rss / 1024.0);
    if (r == reps - 1) {
      /* the first read and the first write after start (cold caches) */
      char path[128], body[512], s1[32], s2[32], s3[32];
      bench_rng rng = {0xabcdefu};
      bench_sku_id(bench_rand_below(&rng, g.skus), s1);
      snprintf(path, sizeof path, "/v1/skus/%s/availability", s1);
      double t = bench_now_s();
      http_call(c, port, "GET", path, NULL);
      json_object_set_new(run, "first_availability_ms", json_real(ms(bench_now_s() - t)));
      bench_sku_id(1, s1);
      bench_sku_id(2, s2);
      bench_sku_id(3, s3);
      snprintf(body, sizeof body,
               "{\"customer\":{\"id\":\"c-1\"},\"lines\":[{\"sku\":\"%s\",\"qty\":1},"
               "{\"sku\":\"%s\",\"qty\":2},{\"sku\":\"%s\",\"qty\":1}]}",
               s1, s2, s3);
      t = bench_now_s();
      const int st1 = http_call(c, port, "POST", "/v1/orders", body);
      json_object_set_new(run, "first_order_ms", json_real(ms(bench_now_s() - t)));
      json_object_set_new(run, "first_order_status", json_integer(st1));
      /* a mixed load over 4 keep-alive connections, then the memory */
      conn *cs[4] = {c, calloc(1, sizeof *c), calloc(1, sizeof *c), calloc(1, sizeof *c)};
      for (int k = 1; k < 4; k++) cs[k]->fd = -1;
      int64_t errors = 0;
      const double l0 = bench_now_s();
      for (int64_t i = 0; i < load_n; i++) {
        conn *cc = cs[i % 4];
        const int kind = (int)(i % 10);
        int64_t k[3];
        for (int j = 0; j < 3; j++) {
          do {
            k[j] = bench_rand_below(&rng, g.skus);
          } while ((j > 0 && k[j] == k[0]) || (j > 1 && k[j] == k[1]));
        }
        bench_sku_id(k[0], s1);
        bench_sku_id(k[1], s2);
        bench_sku_id(k[2], s3);
        int st;
        if (kind < 4) {
          snprintf(path, sizeof path, "/v1/skus/%s/availability", s1);
          st = http_call(cc, port, "GET", path, NULL);
        } else {
          snprintf(body, sizeof body,
                   "{%s\"lines\":[{\"sku\":\"%s\",\"qty\":1},{\"sku\":\"%s\",\"qty\":2},"
                   "{\"sku\":\"%s\",\"qty\":1}]}",
                   kind < 7 ? "" : "\"customer\":{\"id\":\"c-2\"},", s1, s2, s3);
          st = http_call(cc, port, "POST", kind < 7 ? "/v1/quotes" : "/v1/orders", body);
        }
        if (st < 200 || st > 299) errors++;
      }
      const double l1 = bench_now_s();
      bench_proc_mem(pid, &rss, &hwm);
      json_object_set_new(run, "load_requests", json_integer(load_n));
      json_object_set_new(run, "load_errors", json_integer(errors));
      json_object_set_new(run, "load_rps", json_real(l1 > l0 ? (double)load_n / (l1 - l0) : 0));
      json_object_set_new(run, "rss_after_load_mb", json_real(rss / 1024.0));
      json_object_set_new(run, "hwm_after_load_mb", json_real(hwm / 1024.0));
      say("startup: after %lld mixed requests (%lld errors): RSS %.1f MB, peak %.1f MB",
          (long long)load_n, (long long)errors, rss / 1024.0, hwm / 1024.0);
      json_object_set_new(o, "rss_after_load_mb", json_real(rss / 1024.0));
      json_object_set_new(o, "hwm_after_load_mb", json_real(hwm / 1024.0));
      json_object_set_new(o, "rss_ready_mb", json_real(json_real_value(json_object_get(run, "rss_ready_mb"))));
      for (int k = 1; k < 4; k++) {
        if (cs[k]->fd >= 0) close(cs[k]->fd);
        free(cs[k]);
      }
    }
    if (c->fd >= 0) close(c->fd);
    free(c);
    const double s0 = bench_now_s();
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    json_object_set_new(run, "stop_ms", json_real(ms(bench_now_s() - s0)));
    json_array_append_new(runs, run);
  }
  const size_t got = json_array_size(runs);
  if (got > 0) json_object_set_new(o, "startup_ms_median", json_real(bench_percentile(startup, got, 50, false)));
  json_object_set_new(o, "runs", runs);
  char wal[620];
  snprintf(wal, sizeof wal, "%s-wal", run_db);
  json_object_set_new(o, "wal_mb_after", json_real(file_mb(wal)));
  free(startup);
  if (!getenv("BENCH_KEEP")) remove_db(run_db);
  json_object_set_new(b->out, "startup", o);
}

/* --- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  bool want[4] = {argc < 2, argc < 2, argc < 2, argc < 2};
  static const char *const names[4] = {"orders", "queues", "quotes", "startup"};
  for (int i = 1; i < argc; i++) {
    bool known = false;
    for (int k = 0; k < 4; k++)
      if (strcmp(argv[i], names[k]) == 0) want[k] = known = true;
    if (!known) {
      fprintf(stderr, "usage: bench_engine [orders] [queues] [quotes] [startup]\n");
      return 2;
    }
  }
  bench b = {.now = (int64_t)time(NULL), .skus = bench_env_i64("BENCH_SKUS", 100000),
             .out = json_object()};
  const char *dir = getenv("BENCH_DIR");
  if (dir && *dir) {
    snprintf(b.dir, sizeof b.dir, "%s", dir);
    mkdir(b.dir, 0755);
  } else {
    snprintf(b.dir, sizeof b.dir, "%s/bench_engine.XXXXXX", bench_env_str("TMPDIR", "/tmp"));
    if (!mkdtemp(b.dir)) {
      perror("mkdtemp");
      return 1;
    }
  }
  snprintf(b.engine_db, sizeof b.engine_db, "%s/engine.db", b.dir);
  if (want[0] || want[1] || want[2]) {
    const bench_gen g = {.skus = b.skus, .now = b.now, .stock = 1000000, .po_qty = 20,
                         .token = TOKEN};
    const double t0 = bench_now_s();
    if (bench_gen_db(b.engine_db, &g)) return 1;
    say("database of %lld skus written in %.2f s (%s)", (long long)b.skus, bench_now_s() - t0,
        b.engine_db);
  }
  /* each part starts with what the parts before it wrote on disk: the
   * orders part leaves gigabytes to write back, and on this 2-core VM the
   * writeback took CPU from the queue timings that followed (re-promise
   * 401 ms right after it, 298 ms on the same database once synced) */
  void (*const parts[4])(bench *) = {sec_orders, sec_queues, sec_quotes, sec_startup};
  for (int k = 0; k < 4; k++) {
    if (!want[k]) continue;
    sync();
    parts[k](&b);
  }
  if (!getenv("BENCH_KEEP")) {
    remove_db(b.engine_db);
    if (!getenv("BENCH_BIG_DB")) {
      char big[600];
      snprintf(big, sizeof big, "%s/big.db", b.dir);
      remove_db(big);
    }
    if (!dir || !*dir) rmdir(b.dir);
  }
  char *text = json_dumps(b.out, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
  puts(text ? text : "{}");
  free(text);
  json_decref(b.out);
  return 0;
}
