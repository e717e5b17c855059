/*
 * bench_fixed.c — the limit of the HTTP library: libmicrohttpd answering a
 * fixed small JSON response with no work behind it, in the threading mode
 * and with the options of src/http/server.c (internal polling thread pool,
 * epoll, suspend/resume allowed, turbo; BO_HTTP_CONN_MEMORY a connection).
 * The request is answered on the second call of the access handler, as the
 * documented two-phase pattern wants.
 *
 *   bench_fixed [--port N] [--threads N]     (port 0 picks one; printed on stdout)
 *
 * Runs until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

static const char body[] = "{\"status\":\"ok\"}";
static struct MHD_Response *fixed;
static int first_call_marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)cls;
  (void)url;
  (void)method;
  (void)version;
  (void)upload_data;
  if (*con_cls == NULL) { /* first call: the request is only announced */
    *con_cls = &first_call_marker;
    return MHD_YES;
  }
  if (*upload_data_size > 0) { /* a body: drain it */
    *upload_data_size = 0;
    return MHD_YES;
  }
  return MHD_queue_response(conn, MHD_HTTP_OK, fixed);
}

int main(int argc, char **argv) {
  unsigned port = 0, threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0) port = (unsigned)strtoul(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--threads") == 0) threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
  }
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  fixed = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(fixed, "Content-Type", "application/json");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
          MHD_USE_TURBO,
      0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 2u, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
      MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)BO_HTTP_CONN_MEMORY, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "bench_fixed: cannot listen on port %u\n", port);
    return 1;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("%u\n", info ? (unsigned)info->port : port);
  fflush(stdout);
  int sig = 0;
  sigwait(&sigs, &sig);
  MHD_stop_daemon(d);
  MHD_destroy_response(fixed);
  return 0;
}
