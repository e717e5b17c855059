/*
 * server.c — libmicrohttpd server, routing, authentication, request bodies,
 * error responses and the hand-off of writes to the group-commit writer.
 *
 * A request is answered on the final call of the access handler (the
 * documented two-phase pattern: answering on the first call closes
 * keep-alive connections). Writes suspend the connection; the writer
 * resumes it once the batch holding the write is durable.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdatomic.h>

#include "../common/logbuf.h"
#include "../common/strbuf.h"
#include "cache.h"
#include "http.h"

/* the access log's lines reach stderr in blocks at most this late */
#define BO_ACCESS_LOG_FLUSH_MS 100

struct bo_server {
  struct MHD_Daemon *daemon;
  bo_server_config cfg;
  bo_writer *writer;
  bo_cache *cache; /* availability answers; NULL when off */
  bo_logbuf *log;  /* the access log: one line per request, to stderr */
  int port;
  _Atomic bool stopping; /* new requests are turned away (503) */
  pthread_mutex_t readers_mu;
  struct reader *readers[64]; /* one per server thread, closed at stop */
  int n_readers;
};

/*
 * A server thread's read-only engine. Its read transaction stays open from
 * one request to the next while the writer commits nothing (a transaction's
 * start and end cost SQLite three system calls, dear on a VM: ~12 % of the
 * server's CPU per availability read here). `commits` is the writer's count
 * when the snapshot began; a request that finds the count moved begins a new
 * one, so it sees every write answered before it arrived. Any snapshot on
 * the log keeps it from starting over, and an old one from being copied:
 * while a checkpoint cycle runs (bo_writer.cycle) a request ends its
 * snapshot, and the checkpointer ends those of idle threads before each pass
 * (end_idle_snapshots). `mu` is held by the thread for a request and by the
 * checkpointer for the end.
 */
typedef struct reader {
  bo_engine e;
  pthread_mutex_t mu;
  uint64_t commits;
  bool open; /* a read transaction is open */
} reader_t;

static _Thread_local reader_t *tl_reader;

typedef struct route {
  const char *method;
  const char *pattern; /* segments; "*" captures one */
  bo_rc (*handler)(bo_req *r);
  unsigned flags;
} route;

enum {
  ROUTE_PUBLIC = 1, /* no token needed */
  ROUTE_CACHED = 2, /* a GET of one SKU's derived state, answered from the cache */
};

/* GET /v1/stats: what an operator tunes the fast path by (--wal-mb,
 * --cache-entries). Counters since the start; it reads no data. */
static bo_rc h_stats(bo_req *r) {
  const bo_server *s = r->srv;
  bo_writer *w = s->writer;
  bo_store *st = w->engine->st;
  const uint64_t batches = atomic_load(&w->batches), jobs = atomic_load(&w->jobs);
  json_t *log = json_pack("{s:I,s:I,s:I,s:b}", "checkpoint_at_frames",
                          (json_int_t)w->checkpoint_frames, "pending_frames",
                          (json_int_t)(st->ops->log_pending ? st->ops->log_pending(st) : 0),
                          "restarts", (json_int_t)(st->ops->log_restarts ? st->ops->log_restarts(st) : 0),
                          "checkpoint_cycle", atomic_load(&w->cycle));
  json_t *cache = json_null();
  if (s->cache) {
    const bo_cache_stats c = bo_cache_stats_get(s->cache);
    const uint64_t asked = c.hits + c.misses;
    cache = json_pack("{s:I,s:I,s:I,s:I,s:I,s:f}", "configured_entries",
                      (json_int_t)s->cfg.cache_entries, "entries", (json_int_t)c.entries, "bytes",
                      (json_int_t)c.bytes, "hits", (json_int_t)c.hits, "misses",
                      (json_int_t)c.misses, "hit_rate", asked ? (double)c.hits / (double)asked : 0.0);
  }
  r->resp = json_pack("{s:{s:I,s:I,s:f},s:o,s:o}", "writer", "batches", (json_int_t)batches,
                      "jobs", (json_int_t)jobs, "jobs_per_batch",
                      batches ? (double)jobs / (double)batches : 0.0, "log", log,
                      "availability_cache", cache);
  return r->resp ? BO_OK : bo_err_set(&r->err, BO_E_NOMEM, "", "out of memory");
}

static const route routes[] = {
    {"GET", "/healthz", bo_h_health, ROUTE_PUBLIC},
    {"POST", "/v1/skus", bo_h_sku_create, 0},
    {"GET", "/v1/skus", bo_h_sku_list, 0},
    {"GET", "/v1/skus/*", bo_h_sku_get, 0},
    {"PATCH", "/v1/skus/*", bo_h_sku_patch, 0},
    {"GET", "/v1/skus/*/availability", bo_h_availability, ROUTE_CACHED},
    {"POST", "/v1/skus/*/adjustments", bo_h_adjust, 0},
    {"GET", "/v1/skus/*/ledger", bo_h_ledger, 0},
    {"POST", "/v1/quotes", bo_h_quote, 0},
    {"POST", "/v1/orders", bo_h_order_create, 0},
    {"GET", "/v1/orders", bo_h_order_list, 0},
    {"GET", "/v1/orders/*", bo_h_order_get, 0},
    {"GET", "/v1/backorders", bo_h_backorders, 0},
    {"GET", "/v1/events", bo_h_events, 0},
    {"GET", "/v1/clock", bo_h_clock_get, 0},
    {"POST", "/v1/clock", bo_h_clock_set, 0},
    {"POST", "/v1/orders/*/shipments", bo_h_order_ship, 0},
    {"GET", "/v1/orders/*/shipments", bo_h_order_shipments, 0},
    {"POST", "/v1/orders/*/cancel", bo_h_order_cancel, 0},
    {"POST", "/v1/orders/*/consent", bo_h_order_consent, 0},
    {"POST", "/v1/suppliers", bo_h_supplier_create, 0},
    {"GET", "/v1/suppliers", bo_h_supplier_list, 0},
    {"POST", "/v1/purchase-orders", bo_h_po_create, 0},
    {"GET", "/v1/purchase-orders", bo_h_po_list, 0},
    {"GET", "/v1/purchase-orders/*", bo_h_po_get, 0},
    {"PATCH", "/v1/purchase-orders/*", bo_h_po_patch, 0},
    {"POST", "/v1/purchase-orders/*/receipts", bo_h_po_receive, 0},
    {"POST", "/v1/simulations", bo_h_simulation, 0},
    {"GET", "/v1/stats", h_stats, 0},
};

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *bo_query(bo_req *r, const char *key) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bo_rc bo_body_object(bo_req *r, json_t **out) {
  json_error_t je;
  if (r->body_len == 0)
    return bo_err_set(&r->err, BO_E_MALFORMED, "", "request body is empty: a JSON object is expected");
  json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
  if (!j)
    return bo_err_set(&r->err, BO_E_MALFORMED, "", "malformed JSON at line %d column %d: %s",
                      je.line, je.column, je.text);
  if (!json_is_object(j)) {
    json_decref(j);
    return bo_err_set(&r->err, BO_E_INVALID, "", "request body must be a JSON object");
  }
  *out = j;
  return BO_OK;
}

static void reader_close(reader_t *rd) {
  rd->e.st->ops->close(rd->e.st);
  pthread_mutex_destroy(&rd->mu);
  free(rd);
}

/* This thread's reader, opened on first use. */
static reader_t *reader(bo_server *s, bo_err *err) {
  if (tl_reader) return tl_reader;
  reader_t *rd = calloc(1, sizeof *rd);
  if (!rd) return NULL;
  rd->e.cfg = s->cfg.engine;
  if (bo_store_sqlite_open(s->cfg.db_path, BO_STORE_READER, &rd->e.st, err)) {
    free(rd);
    return NULL;
  }
  pthread_mutex_init(&rd->mu, NULL);
  pthread_mutex_lock(&s->readers_mu);
  if (s->n_readers < (int)(sizeof s->readers / sizeof s->readers[0])) {
    s->readers[s->n_readers++] = rd;
    tl_reader = rd;
  }
  pthread_mutex_unlock(&s->readers_mu);
  if (!tl_reader) {
    reader_close(rd);
    bo_err_set(err, BO_E_UNAVAILABLE, "", "too many server threads");
  }
  return tl_reader;
}

/* Ends rd's read transaction (rd->mu held). */
static void snapshot_end(reader_t *rd) {
  if (rd->open) rd->e.st->ops->commit(rd->e.st);
  rd->open = false;
}

/* Locks rd for a request, with a snapshot that has every commit answered so far. */
static void snapshot_take(bo_server *s, reader_t *rd) {
  pthread_mutex_lock(&rd->mu);
  const uint64_t commits = atomic_load(&s->writer->commits);
  if (rd->open && rd->commits == commits) return;
  snapshot_end(rd);
  rd->commits = commits; /* read before the snapshot begins: never newer than it */
  rd->open = rd->e.st->ops->begin(rd->e.st) == BO_OK;
}

/* The checkpointer's hook: ends the snapshots of threads between requests. */
static void end_idle_snapshots(void *ctx) {
  bo_server *s = ctx;
  pthread_mutex_lock(&s->readers_mu);
  for (int i = 0; i < s->n_readers; i++) {
    reader_t *rd = s->readers[i];
    if (pthread_mutex_trylock(&rd->mu)) continue; /* busy: it renews on its next request */
    snapshot_end(rd);
    pthread_mutex_unlock(&rd->mu);
  }
  pthread_mutex_unlock(&s->readers_mu);
}

/* Matches r->path against the table: the route, or NULL with *method_mismatch. */
static const route *match(bo_req *r, bool *method_mismatch) {
  char *segs[16];
  int n = 0;
  /* split a copy in place: "/v1/skus/X" -> ["v1","skus","X"] */
  memcpy(r->segbuf, r->path, sizeof r->segbuf);
  char *p = r->segbuf;
  while (*p && n < 16) {
    while (*p == '/') *p++ = '\0';
    if (!*p) break;
    segs[n++] = p;
    while (*p && *p != '/') p++;
  }
  if (*p) return NULL;
  *method_mismatch = false;
  const route *found = NULL;
  for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !found; i++) {
    const char *pat = routes[i].pattern + 1;
    int k = 0, np = 0;
    char *params[BO_PATH_PARAMS_MAX];
    bool ok = true;
    while (ok && *pat) {
      const char *end = strchr(pat, '/');
      const size_t len = end ? (size_t)(end - pat) : strlen(pat);
      if (k >= n) ok = false;
      else if (len == 1 && pat[0] == '*') {
        if (np < BO_PATH_PARAMS_MAX) params[np++] = segs[k];
      } else if (strlen(segs[k]) != len || memcmp(segs[k], pat, len) != 0) {
        ok = false;
      }
      k++;
      pat += len + (end != NULL);
    }
    if (!ok || k != n) continue;
    if (strcmp(routes[i].method, r->method) != 0) {
      *method_mismatch = true;
      continue;
    }
    found = &routes[i];
    memcpy(r->params, params, sizeof(char *) * (size_t)np);
    r->n_params = np;
  }
  return found;
}

static bool authorized(bo_server *s, bo_req *r) {
  const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
  if (!h || strncmp(h, "Bearer ", 7) != 0) return false;
  const char *tok = h + 7;
  const size_t n = strlen(tok), m = strlen(s->cfg.admin_token);
  return n == m && CRYPTO_memcmp(tok, s->cfg.admin_token, n) == 0;
}

/* Routes and runs the handler of a complete request. */
static void dispatch(bo_server *s, bo_req *r) {
  if (atomic_load(&s->stopping)) {
    bo_err_set(&r->err, BO_E_UNAVAILABLE, "", "the server is stopping: try again shortly");
    return;
  }
  bool wrong_method = false;
  const route *rt = match(r, &wrong_method);
  if (r->body_too_large) {
    bo_err_set(&r->err, BO_E_TOO_LARGE, "", "request body exceeds %d bytes", BO_BODY_BYTES_MAX);
    return;
  }
  if (!rt) {
    if (wrong_method)
      bo_err_set(&r->err, BO_E_METHOD, "", "method %s not allowed on %s", r->method, r->path);
    else
      bo_err_set(&r->err, BO_E_NOT_FOUND, "", "no resource at %.200s", r->path);
    return;
  }
  if (!(rt->flags & ROUTE_PUBLIC) && !authorized(s, r)) {
    bo_err_set(&r->err, BO_E_UNAUTHORIZED, "", "missing or wrong bearer token");
    return;
  }
  r->cfg = s->cfg.engine;
  r->clock = s->cfg.clock;
  r->now = bo_clock_now(s->cfg.clock);
  const bool cached = (rt->flags & ROUTE_CACHED) && s->cache;
  const bo_day day = bo_day_of(r->now);
  bo_cache_ticket ticket;
  size_t len = 0;
  /* the ticket is taken before the snapshot is taken or found current (see
   * cache.h): a kept snapshot has seen every commit counted before the
   * ticket, and a commit's keys are dropped only after it is counted */
  if (cached && (r->resp_text = bo_cache_get(s->cache, r->params[0], day, &len, &ticket))) return;
  reader_t *rd = reader(s, &r->err);
  if (!rd) {
    if (!r->err.rc) bo_err_set(&r->err, BO_E_UNAVAILABLE, "", "cannot open the database");
    return;
  }
  r->reader = &rd->e;
  snapshot_take(s, rd);
  const bo_rc rc = rt->handler(r);
  if (atomic_load(&s->writer->cycle)) snapshot_end(rd); /* let the log start over */
  pthread_mutex_unlock(&rd->mu);
  if (rc && !r->err.rc) bo_err_set(&r->err, rc, "", "%s", bo_rc_name(rc));
  if (cached && !rc && !r->err.rc && r->resp_text && !r->status && r->cacheable)
    bo_cache_put(s->cache, &ticket, r->params[0], day, r->resp_text, strlen(r->resp_text));
}

static uint64_t fingerprint(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

/* The writer side of a request: idempotency, then the handler's write. */
static bo_rc job_run(bo_job *job, bo_engine *e, int64_t now) {
  bo_req *r = (bo_req *)((char *)job - offsetof(bo_req, job));
  char key[BO_IDEMPOTENCY_KEY_LEN_MAX + 600];
  const uint64_t fp = r->fingerprint;
  if (r->idempotency_key) {
    snprintf(key, sizeof key, "%s %s %s", r->method, r->path, r->idempotency_key);
    bo_idem got = {0};
    const bo_rc rc = e->st->ops->idem_get(e->st, key, &got);
    if (rc == BO_OK) {
      const bool same = got.fingerprint == fp;
      if (same) {
        r->status = got.status;
        r->resp_text = got.body; /* the first answer, byte for byte */
      } else {
        free(got.body);
      }
      if (!same)
        return bo_err_set(&r->err, BO_E_IDEMPOTENCY, "Idempotency-Key",
                          "idempotency key \"%.60s\" was used with a different request",
                          r->idempotency_key);
      return BO_OK;
    }
    if (rc != BO_E_NOT_FOUND) return bo_err_set(&r->err, rc, "", "cannot read idempotency key");
  }
  r->now = now;
  bo_rc rc = r->write(r, e, now);
  if (rc) {
    if (!r->err.rc) bo_err_set(&r->err, rc, "", "%s", bo_rc_name(rc));
    return rc;
  }
  if (r->idempotency_key) {
    if (!r->resp_text) r->resp_text = json_dumps(r->resp ? r->resp : json_object(), JSON_COMPACT);
    bo_idem put = {.status = r->status, .fingerprint = fp, .body = r->resp_text};
    rc = r->resp_text ? e->st->ops->idem_put(e->st, key, &put, now) : BO_E_NOMEM;
    if (rc) return bo_err_set(&r->err, rc, "", "cannot store idempotency key");
  }
  return BO_OK;
}

/* Before the writer runs the job again (see writer.h): no answer yet. */
static void job_reset(bo_job *job) {
  bo_req *r = (bo_req *)((char *)job - offsetof(bo_req, job));
  json_decref(r->resp);
  free(r->resp_text);
  r->resp = NULL;
  r->resp_text = NULL;
  r->status = 0;
  r->err = (bo_err){0};
}

static void job_done(bo_job *job, bo_rc rc) {
  bo_req *r = (bo_req *)((char *)job - offsetof(bo_req, job));
  if (rc && !r->err.rc) bo_err_set(&r->err, rc, "", "the change could not be committed");
  r->job_done = true;
  MHD_resume_connection(r->conn);
}

/* Sends `text` (taken over and freed) or, when NULL, `body` rendered. */
static enum MHD_Result send_json(bo_req *r, int status, json_t *body, char *text) {
  if (!text) text = json_dumps(body, JSON_COMPACT);
  const size_t len = text ? strlen(text) : 0;
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, text ? text : (char *)"", MHD_RESPMEM_MUST_FREE);
  if (!text) resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  const enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ret;
}

#define LOG_METHOD_MAX 64
#define LOG_PATH_MAX 400
/* method, path, status, time, message and the newline always fit */
#define LOG_LINE_MAX (LOG_METHOD_MAX + LOG_PATH_MAX + BO_ERR_MESSAGE_LEN_MAX + 64)

static char *put(char *p, const char *s, size_t n) {
  memcpy(p, s, n);
  return p + n;
}

/* The access log's line for r into line (LOG_LINE_MAX): "GET /path 200
 * 1.234ms", then the error's message; its length. Formatted by hand: it is
 * written for every request, and printf was ~2 % of a read's CPU. */
static size_t access_line(const bo_req *r, int status, uint64_t us, char *line) {
  char *p = put(line, r->method, strnlen(r->method, LOG_METHOD_MAX));
  *p++ = ' ';
  p = put(p, r->path, strnlen(r->path, LOG_PATH_MAX));
  *p++ = ' ';
  p = bo_dec(p, status);
  *p++ = ' ';
  p = bo_dec(p, (int64_t)(us / 1000));
  const unsigned frac = (unsigned)(us % 1000);
  *p++ = '.';
  *p++ = (char)('0' + frac / 100);
  *p++ = (char)('0' + frac / 10 % 10);
  *p++ = (char)('0' + frac % 10);
  p = put(p, "ms", 2);
  if (r->err.rc) {
    *p++ = ' ';
    p = put(p, r->err.message, strnlen(r->err.message, sizeof r->err.message));
  }
  *p++ = '\n';
  return (size_t)(p - line);
}

static enum MHD_Result respond(bo_req *r) {
  int status;
  json_t *body = NULL;
  char *text = NULL;
  if (r->err.rc) {
    status = bo_rc_http_status(r->err.rc);
    body = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", bo_rc_name(r->err.rc), "message",
                     r->err.message, "field", r->err.field);
  } else {
    status = r->status ? r->status : 200;
    text = r->resp_text;
    r->resp_text = NULL;
    if (!text) body = r->resp ? json_incref(r->resp) : json_object();
  }
  const enum MHD_Result ret = send_json(r, status, body, text);
  json_decref(body);
  char line[LOG_LINE_MAX];
  const size_t n = access_line(r, status, (mono_ns() - r->started_ns) / 1000, line);
  bo_logbuf_write(r->srv->log, line, n);
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)version;
  bo_server *s = cls;
  bo_req *r = *con_cls;
  if (!r) {
    r = calloc(1, sizeof *r);
    if (!r) return MHD_NO;
    r->conn = conn;
    r->srv = s;
    r->method = method;
    r->started_ns = mono_ns();
    const size_t n = strnlen(url, sizeof r->path - 1); /* a longer path is cut: 404 */
    memcpy(r->path, url, n);
    r->path[n] = '\0';
    *con_cls = r;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    const size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (r->body_too_large || r->body_len + n > BO_BODY_BYTES_MAX) {
      r->body_too_large = true; /* keep draining; answer 413 at the end */
      return MHD_YES;
    }
    char *b = realloc(r->body, r->body_len + n + 1);
    if (!b) return MHD_NO;
    memcpy(b + r->body_len, upload_data, n);
    r->body = b;
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return MHD_YES;
  }
  if (r->job_done) return respond(r);
  r->idempotency_key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Idempotency-Key");
  if (r->idempotency_key &&
      (!r->idempotency_key[0] || strlen(r->idempotency_key) > BO_IDEMPOTENCY_KEY_LEN_MAX)) {
    bo_err_set(&r->err, BO_E_INVALID, "Idempotency-Key", "Idempotency-Key must be 1..%d characters",
               BO_IDEMPOTENCY_KEY_LEN_MAX);
    return respond(r);
  }
  dispatch(s, r);
  if (r->err.rc || !r->write) return respond(r);
  if (r->idempotency_key) r->fingerprint = fingerprint(r->body ? r->body : "", r->body_len);
  r->job.run = job_run;
  r->job.reset = job_reset;
  r->job.done = job_done;
  r->suspended = true;
  MHD_suspend_connection(conn);
  bo_writer_submit(s->writer, &r->job);
  return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)conn;
  (void)toe;
  bo_req *r = *con_cls;
  if (!r) return;
  free(r->body);
  if (r->arg_json)
    json_decref(r->arg);
  else
    free(r->arg);
  json_decref(r->resp);
  free(r->resp_text);
  free(r);
  *con_cls = NULL;
}

static void cache_drop(void *ctx, const char *sku) { bo_cache_drop(ctx, sku); }

static void stop_cache(bo_server *s) {
  if (!s->cache) return;
  bo_writer_on_change(s->writer, NULL, NULL);
  bo_cache_free(s->cache);
  s->cache = NULL;
}

/* Undoes what a start that failed part-way set up; returns rc. */
static bo_rc start_failed(bo_server *s, bo_rc rc) {
  stop_cache(s);
  bo_logbuf_close(s->log);
  pthread_mutex_destroy(&s->readers_mu);
  free(s);
  return rc;
}

bo_rc bo_server_start(const bo_server_config *cfg, bo_writer *writer, bo_server **out,
                      bo_err *err) {
  bo_server *s = calloc(1, sizeof *s);
  if (!s) return bo_err_set(err, BO_E_NOMEM, "", "out of memory");
  s->cfg = *cfg;
  s->writer = writer;
  pthread_mutex_init(&s->readers_mu, NULL);
  if (!(s->log = bo_logbuf_open(STDERR_FILENO, BO_ACCESS_LOG_FLUSH_MS)))
    return start_failed(s, bo_err_set(err, BO_E_NOMEM, "", "cannot start the access log"));
  if (cfg->cache_entries) {
    if (!(s->cache = bo_cache_new(cfg->cache_entries)))
      return start_failed(s, bo_err_set(err, BO_E_NOMEM, "cache-entries",
                                        "cannot allocate the cache"));
    bo_writer_on_change(writer, cache_drop, s->cache);
  }
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->listen_port)};
  if (inet_pton(AF_INET, cfg->listen_host, &addr.sin_addr) != 1)
    return start_failed(s, bo_err_set(err, BO_E_INVALID, "listen",
                                      "listen host \"%s\" is not an IPv4 address",
                                      cfg->listen_host));
  s->daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
          MHD_USE_TURBO,
      0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 2u,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
      MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)BO_HTTP_CONN_MEMORY,
      MHD_OPTION_END);
  if (!s->daemon)
    return start_failed(s, bo_err_set(err, BO_E_UNAVAILABLE, "listen", "cannot listen on %s:%d",
                                      cfg->listen_host, cfg->listen_port));
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : cfg->listen_port;
  bo_writer_on_checkpoint(writer, end_idle_snapshots, s);
  *out = s;
  return BO_OK;
}

int bo_server_port(const bo_server *s) { return s->port; }

/* Not MHD_quiesce_daemon: with a thread pool on epoll, libmicrohttpd 0.9.75
 * may remove the listening socket from a worker's epoll set in the worker
 * and again in the caller, and then aborts ("Failed to remove listen FD from
 * epoll set"): seen here about once in a hundred stops. */
void bo_server_quiesce(bo_server *s) { atomic_store(&s->stopping, true); }

void bo_server_stop(bo_server *s) {
  if (!s) return;
  MHD_stop_daemon(s->daemon);
  bo_logbuf_close(s->log);
  bo_writer_on_checkpoint(s->writer, NULL, NULL);
  for (int i = 0; i < s->n_readers; i++) {
    snapshot_end(s->readers[i]);
    reader_close(s->readers[i]);
  }
  stop_cache(s);
  pthread_mutex_destroy(&s->readers_mu);
  free(s);
}
