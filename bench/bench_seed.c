/*
 * bench_seed.c — writes a benchmark database before a server starts on it.
 *
 *   bench_seed --db PATH [--skus N] [--lines N] [--token T] [--stock N] [--po-qty N]
 *
 * Defaults: 100,000 SKUs (half in stock, half on backorder with a PO), no
 * order lines, token "bench". See gen.h for what the database holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "gen.h"

int main(int argc, char **argv) {
  bench_gen g = {.skus = 100000, .lines = 0, .now = (int64_t)time(NULL), .stock = 1000000,
                 .po_qty = 20, .token = "bench", .progress = true};
  const char *db = NULL;
  static const struct option opts[] = {
      {"db", required_argument, NULL, 'd'},     {"skus", required_argument, NULL, 's'},
      {"lines", required_argument, NULL, 'l'},  {"token", required_argument, NULL, 't'},
      {"stock", required_argument, NULL, 'k'},  {"po-qty", required_argument, NULL, 'p'},
      {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 's': g.skus = strtoll(optarg, NULL, 10); break;
      case 'l': g.lines = strtoll(optarg, NULL, 10); break;
      case 't': g.token = optarg; break;
      case 'k': g.stock = strtoll(optarg, NULL, 10); break;
      case 'p': g.po_qty = strtoll(optarg, NULL, 10); break;
      default:
        fprintf(stderr, "usage: bench_seed --db PATH [--skus N] [--lines N] [--token T]"
                        " [--stock N] [--po-qty N]\n");
        return 2;
    }
  }
  if (!db || g.skus < 1 || g.lines < 0) {
    fprintf(stderr, "bench_seed: --db PATH is required, --skus >= 1, --lines >= 0\n");
    return 2;
  }
  const double t0 = bench_now_s();
  if (bench_gen_db(db, &g)) return 1;
  printf("{\"skus\":%lld,\"lines\":%lld,\"seconds\":%.3f}\n", (long long)g.skus,
         (long long)g.lines, bench_now_s() - t0);
  return 0;
}
