/*
 * http.h — the HTTP edge: libmicrohttpd server, routing, input validation,
 * and JSON in and out.
 *
 * Reads are answered on the server's threads from a per-thread read-only
 * store. Writes are validated here, then handed to the writer as a job; the
 * connection is suspended until the job's batch is durable (group commit).
 */
#ifndef BO_HTTP_H
#define BO_HTTP_H

#include <jansson.h>
#include <stdbool.h>

#include "../common/clock.h"
#include "../engine/engine.h"
#include "../engine/writer.h"

typedef struct bo_server_config {
  const char *db_path;
  const char *listen_host;
  int listen_port;
  const char *admin_token;
  bo_clock *clock;
  unsigned threads;
  size_t cache_entries; /* availability answers kept (0: none) */
  bo_config engine;
} bo_server_config;

typedef struct bo_server bo_server;

/* Starts serving; `writer` must be running on the writer store. */
bo_rc bo_server_start(const bo_server_config *cfg, bo_writer *writer, bo_server **out,
                      bo_err *err);
/* Turns new requests away with 503 (first step of a clean stop); those
 * already handed to the writer are finished and answered. */
void bo_server_quiesce(bo_server *s);
/* The port actually bound (useful with port 0). */
int bo_server_port(const bo_server *s);
void bo_server_stop(bo_server *s);

/* --- what resource handlers see ------------------------------------------ */

#define BO_PATH_PARAMS_MAX 3

typedef struct bo_req bo_req;
typedef bo_rc (*bo_write_fn)(bo_req *r, bo_engine *e, int64_t now);

struct bo_req {
  struct MHD_Connection *conn;
  bo_server *srv;
  const char *method;
  char path[512];
  char segbuf[512];                 /* path split into segments */
  char *params[BO_PATH_PARAMS_MAX]; /* path parameters, point into segbuf */
  int n_params;
  char *body;
  size_t body_len;
  bool body_too_large;
  const char *idempotency_key;
  uint64_t fingerprint; /* of the body, with an idempotency key (taken off the writer's thread) */
  bo_engine *reader; /* this thread's read-only engine */
  bo_config cfg;
  bo_clock *clock;
  int64_t now;

  /* result */
  int status;
  json_t *resp;
  char *resp_text; /* the body already rendered (wins over resp); malloc'd */
  bool cacheable;  /* on a ROUTE_CACHED route: resp_text depends on params[0] alone */
  bo_err err;

  /* write path: set by a handler that needs the writer */
  bo_write_fn write;
  void *arg;     /* parsed request, freed with free() (json_decref when arg_json) */
  bool arg_json;
  bo_job job;
  bool suspended, job_done;
  uint64_t started_ns;
};

/* Looks up a query parameter; NULL when absent. */
const char *bo_query(bo_req *r, const char *key);

/* Parses the body as a JSON object; 400 when malformed. */
bo_rc bo_body_object(bo_req *r, json_t **out);

/* Resource handlers: each returns BO_OK with r->status/r->resp set, an error
 * with r->err set, or BO_OK with r->write set to hand the work to the writer. */
bo_rc bo_h_health(bo_req *r);
bo_rc bo_h_sku_create(bo_req *r);
bo_rc bo_h_sku_list(bo_req *r);
bo_rc bo_h_sku_get(bo_req *r);
bo_rc bo_h_sku_patch(bo_req *r);
bo_rc bo_h_availability(bo_req *r);
bo_rc bo_h_adjust(bo_req *r);
bo_rc bo_h_ledger(bo_req *r);
bo_rc bo_h_quote(bo_req *r);
bo_rc bo_h_order_create(bo_req *r);
bo_rc bo_h_order_list(bo_req *r);
bo_rc bo_h_order_get(bo_req *r);
bo_rc bo_h_backorders(bo_req *r);
bo_rc bo_h_events(bo_req *r);
bo_rc bo_h_clock_get(bo_req *r);
bo_rc bo_h_clock_set(bo_req *r);
bo_rc bo_h_order_ship(bo_req *r);
bo_rc bo_h_order_cancel(bo_req *r);
bo_rc bo_h_order_consent(bo_req *r);
bo_rc bo_h_order_shipments(bo_req *r);
bo_rc bo_h_supplier_create(bo_req *r);
bo_rc bo_h_supplier_list(bo_req *r);
bo_rc bo_h_po_create(bo_req *r);
bo_rc bo_h_po_list(bo_req *r);
bo_rc bo_h_po_get(bo_req *r);
bo_rc bo_h_po_patch(bo_req *r);
bo_rc bo_h_po_receive(bo_req *r);
bo_rc bo_h_simulation(bo_req *r);
/* Parses "lines": [{sku, qty}] (one line per sku); *n = 0 when absent and optional. */
bo_rc bo_parse_sku_lines(json_t *body, bool required, bo_line_request *out, int *n, bo_err *err);

/* --- JSON input validation (json_in.c) ------------------------------------ */

/* Every check names the offending field ("lines[2].qty") and changes nothing. */
bo_rc bo_jin_only(json_t *obj, const char *const *allowed, const char *prefix, bo_err *err);
bo_rc bo_jin_int(json_t *obj, const char *key, const char *prefix, bool required, int64_t min,
                 int64_t max, int64_t *out, bool *present, bo_err *err);
bo_rc bo_jin_str(json_t *obj, const char *key, const char *prefix, bool required,
                 size_t len_max, char *out, size_t size, bool *present, bo_err *err);
bo_rc bo_jin_bool(json_t *obj, const char *key, const char *prefix, bool *out, bool *present,
                  bo_err *err);
bo_rc bo_jin_day(json_t *obj, const char *key, const char *prefix, bo_day *out, bool *present,
                 bo_err *err);
/* An id of 1..len_max characters of A-Z a-z 0-9 . _ - */
bool bo_id_valid(const char *s, size_t len_max);
/* Parses ?limit= (1..BO_LIST_LIMIT_MAX, default BO_LIST_LIMIT_DEFAULT). */
bo_rc bo_query_limit(bo_req *r, int *out);
/* Parses ?limit= and ?cursor= (at most cursor_len_max characters) into page. */
bo_rc bo_query_page(bo_req *r, size_t cursor_len_max, bo_page *page);
/* Ends a list handler: on rc releases items, else answers the page with
 * `last` as the next cursor when the page is full. */
bo_rc bo_list_done(bo_req *r, bo_rc rc, json_t *items, int n, const bo_page *page,
                   const char *last);
/* Wraps items into {"data":[…], "next": cursor-or-null}. */
json_t *bo_page_json(json_t *items, const char *next);

#endif
