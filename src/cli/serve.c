/*
 * serve.c — `backorder serve`: options, start-up, the writer and the HTTP
 * server, and a clean stop on SIGTERM/SIGINT.
 *
 * Every option is also read from the environment as BACKORDER_<NAME>
 * (BACKORDER_DB, BACKORDER_LISTEN, BACKORDER_ADMIN_TOKEN, ...); the command
 * line wins.
 */
#include <getopt.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../http/http.h"
#include "cli.h"

typedef struct serve_opts {
  const char *db;
  char host[64];
  int port;
  const char *admin_token;
  bool manual_clock;
  const char *clock_start;
  bool demo;
  unsigned threads;
  long cache_entries;
  long wal_mb;
  bo_config engine;
} serve_opts;

static void serve_usage(FILE *f) {
  fputs("usage: backorder serve [options]\n"
        "  --db PATH                 SQLite database file (default backorder.db)\n"
        "  --listen HOST:PORT        address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
        "  --admin-token TOKEN       the admin bearer token (default: generated once, kept in the db)\n"
        "  --manual-clock[=TIME]     time moves only through POST /v1/clock (tests)\n"
        "  --demo                    load the demo data set when the database is empty\n"
        "  --threads N               HTTP threads (default 2)\n"
        "  --cache-entries N         availability answers kept in memory (default 131072, ~20 MB\n"
        "                            when full; 0 turns the cache off)\n"
        "  --wal-mb N                size of the write-ahead log, in MiB, that starts copying it\n"
        "                            into the database (default 1024; the file grows a little past it)\n"
        "  --default-lead-time-days N  lead time when neither SKU nor supplier gives one (14)\n"
        "  --max-backorder-days N    global default for max_backorder_days (none)\n"
        "Each option may also be given as an environment variable BACKORDER_<OPTION>.\n",
        f);
}

static bool parse_listen(const char *s, serve_opts *o) {
  const char *colon = strrchr(s, ':');
  if (!colon || colon == s || (size_t)(colon - s) >= sizeof o->host) return false;
  char *end;
  const long port = strtol(colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535) return false;
  snprintf(o->host, sizeof o->host, "%.*s", (int)(colon - s), s);
  if (strcmp(o->host, "localhost") == 0) snprintf(o->host, sizeof o->host, "127.0.0.1");
  o->port = (int)port;
  return true;
}

static bool parse_days(const char *s, int32_t *out) {
  char *end;
  const long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0 || v > BO_DAYS_MAX) return false;
  *out = (int32_t)v;
  return true;
}

enum { O_DB = 1, O_LISTEN, O_TOKEN, O_MANUAL, O_DEMO, O_THREADS, O_CACHE, O_WAL, O_LEAD, O_MAXDAYS, O_HELP };

/* Applies one option (from argv or the environment); false when invalid. */
static bool apply_opt(serve_opts *o, int code, const char *v) {
  switch (code) {
    case O_DB: o->db = v; return true;
    case O_LISTEN: return parse_listen(v, o);
    case O_TOKEN: o->admin_token = v; return v[0] != '\0' && strlen(v) <= BO_TOKEN_LEN_MAX;
    case O_MANUAL:
      o->manual_clock = !v || strcmp(v, "0") != 0;
      if (v && strcmp(v, "1") != 0 && strcmp(v, "0") != 0) o->clock_start = v;
      return true;
    case O_DEMO: o->demo = !v || strcmp(v, "0") != 0; return true;
    case O_THREADS: {
      char *end;
      const long n = strtol(v, &end, 10);
      o->threads = (unsigned)n;
      return end != v && !*end && n >= 1 && n <= 32;
    }
    case O_CACHE: {
      char *end;
      o->cache_entries = strtol(v, &end, 10);
      return end != v && !*end && o->cache_entries >= 0 && o->cache_entries <= BO_CACHE_ENTRIES_MAX;
    }
    case O_WAL: {
      char *end;
      o->wal_mb = strtol(v, &end, 10);
      return end != v && !*end && o->wal_mb >= 1 && o->wal_mb <= BO_WAL_MB_MAX;
    }
    case O_LEAD: return parse_days(v, &o->engine.default_lead_time_days);
    case O_MAXDAYS: return parse_days(v, &o->engine.max_backorder_days);
  }
  return false;
}

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"listen", required_argument, NULL, O_LISTEN},
    {"admin-token", required_argument, NULL, O_TOKEN},
    {"manual-clock", optional_argument, NULL, O_MANUAL},
    {"demo", no_argument, NULL, O_DEMO},
    {"threads", required_argument, NULL, O_THREADS},
    {"cache-entries", required_argument, NULL, O_CACHE},
    {"wal-mb", required_argument, NULL, O_WAL},
    {"default-lead-time-days", required_argument, NULL, O_LEAD},
    {"max-backorder-days", required_argument, NULL, O_MAXDAYS},
    {"help", no_argument, NULL, O_HELP},
    {0, 0, 0, 0}};

static const char *const env_names[] = {
    [O_DB] = "BACKORDER_DB", [O_LISTEN] = "BACKORDER_LISTEN",
    [O_TOKEN] = "BACKORDER_ADMIN_TOKEN", [O_MANUAL] = "BACKORDER_MANUAL_CLOCK",
    [O_DEMO] = "BACKORDER_DEMO", [O_THREADS] = "BACKORDER_THREADS",
    [O_CACHE] = "BACKORDER_CACHE_ENTRIES", [O_WAL] = "BACKORDER_WAL_MB",
    [O_LEAD] = "BACKORDER_DEFAULT_LEAD_TIME_DAYS", [O_MAXDAYS] = "BACKORDER_MAX_BACKORDER_DAYS"};

static int parse_opts(int argc, char **argv, serve_opts *o) {
  *o = (serve_opts){.db = "backorder.db", .host = "127.0.0.1", .port = 8080, .threads = 2,
                    .cache_entries = 131072, .wal_mb = BO_WAL_MB_DEFAULT,
                    .engine = {.default_lead_time_days = 14, .max_backorder_days = BO_DAYS_NONE}};
  for (int code = O_DB; code < O_HELP; code++) {
    const char *v = getenv(env_names[code]);
    if (v && !apply_opt(o, code, v)) {
      fprintf(stderr, "serve: %s=\"%s\" is not valid\n", env_names[code], v);
      return 2;
    }
  }
  int c;
  while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
    if (c == O_HELP) {
      serve_usage(stdout);
      return 1;
    }
    if (c == '?' || !apply_opt(o, c, optarg)) {
      if (c != '?') fprintf(stderr, "serve: option value \"%s\" is not valid\n", optarg);
      serve_usage(stderr);
      return 2;
    }
  }
  return 0;
}

/* The admin token: given, or kept in the database, or generated and kept. */
static bo_rc admin_token(bo_store *st, const char *given, char *out, size_t size) {
  if (given) {
    snprintf(out, size, "%s", given);
    return BO_OK;
  }
  bo_rc rc = st->ops->meta_get(st, "admin_token", out, size);
  if (rc != BO_E_NOT_FOUND) return rc;
  unsigned char raw[20];
  if (RAND_bytes(raw, sizeof raw) != 1) return BO_E_INTERNAL;
  for (size_t i = 0; i < sizeof raw; i++) snprintf(out + 2 * i, size - 2 * i, "%02x", raw[i]);
  if ((rc = st->ops->begin(st))) return rc;
  rc = st->ops->meta_set(st, "admin_token", out);
  if (rc) return st->ops->rollback(st), rc;
  rc = st->ops->commit(st);
  return rc ? rc : st->ops->flush(st);
}

/* Manual clock: the time last set (kept in the db), else --manual-clock=TIME, else now. */
static bo_rc start_clock(bo_store *st, const serve_opts *o, bo_clock *clock) {
  clock->manual = false;
  const int64_t wall = bo_clock_now(clock);
  clock->manual = o->manual_clock;
  if (!o->manual_clock) return BO_OK;
  int64_t start = wall;
  if (o->clock_start && !bo_time_parse(o->clock_start, &start)) return BO_E_INVALID;
  char buf[32];
  if (st->ops->meta_get(st, "manual_clock", buf, sizeof buf) == BO_OK) {
    const int64_t kept = strtoll(buf, NULL, 10);
    if (kept > start || !o->clock_start) start = kept;
  }
  bo_clock_set(clock, start);
  return BO_OK;
}

static bo_rc load_demo(bo_engine *e, int64_t now, bo_err *err) {
  int64_t n;
  bo_rc rc = e->st->ops->sku_count(e->st, &n);
  if (rc || n > 0) return rc;
  if ((rc = e->st->ops->begin(e->st))) return rc;
  rc = bo_demo_load(e, now, err);
  if (rc) {
    e->st->ops->rollback(e->st);
    return rc;
  }
  fprintf(stderr, "backorder: demo data loaded\n");
  rc = e->st->ops->commit(e->st);
  return rc ? rc : e->st->ops->flush(e->st);
}

/* The writer's periodic work: expiry and re-dating once per new day. */
static bo_rc tick(bo_engine *e, int64_t now, void *ctx) {
  (void)ctx;
  bo_err err = {0};
  const bo_rc rc = bo_tick(e, now, false, &err);
  if (rc) fprintf(stderr, "backorder: daily tick failed: %s\n", err.message);
  return rc;
}

int bo_cmd_serve(int argc, char **argv) {
  serve_opts o;
  int code = parse_opts(argc, argv, &o);
  if (code) return code == 1 ? 0 : code;
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  bo_err err = {0};
  bo_engine engine = {.cfg = o.engine};
  bo_clock clock = {0};
  bo_writer writer = {0};
  bo_server *server = NULL;
  char token[BO_TOKEN_LEN_MAX + 1];
  code = 1;
  if (bo_store_sqlite_open(o.db, BO_STORE_WRITER, &engine.st, &err)) {
    fprintf(stderr, "serve: %s\n", err.message);
    return 1;
  }
  if (start_clock(engine.st, &o, &clock)) {
    fprintf(stderr, "serve: --manual-clock time \"%s\" is not RFC 3339\n", o.clock_start);
    goto done;
  }
  if (admin_token(engine.st, o.admin_token, token, sizeof token)) {
    fprintf(stderr, "serve: cannot set up the admin token\n");
    goto done;
  }
  if (o.demo && load_demo(&engine, bo_clock_now(&clock), &err)) {
    fprintf(stderr, "serve: cannot load demo data: %s\n", err.message);
    goto done;
  }
  writer.tick = tick;
  writer.checkpoint_frames = o.wal_mb * BO_WAL_FRAMES_PER_MB;
  if (bo_writer_start(&writer, &engine, &clock)) goto done;
  const bo_server_config cfg = {.db_path = o.db, .listen_host = o.host, .listen_port = o.port,
                                .admin_token = token, .clock = &clock, .threads = o.threads,
                                .cache_entries = (size_t)o.cache_entries,
                                .engine = o.engine};
  if (bo_server_start(&cfg, &writer, &server, &err)) {
    fprintf(stderr, "serve: %s\n", err.message);
    goto done;
  }
  fprintf(stderr, "backorder: listening on http://%s:%d/ (db %s%s)\n", o.host,
          bo_server_port(server), o.db, clock.manual ? ", manual clock" : "");
  if (!o.admin_token) fprintf(stderr, "backorder: admin token %s\n", token);
  int sig = 0;
  sigwait(&sigs, &sig);
  fprintf(stderr, "backorder: %s received, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  bo_server_quiesce(server);
  code = 0;
done:
  bo_writer_stop(&writer);
  if (server) {
    usleep(100 * 1000); /* let resumed connections send their answers */
    bo_server_stop(server);
  }
  engine.st->ops->close(engine.st);
  return code;
}
