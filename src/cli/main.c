/*
 * main.c — the backorder binary: dispatches to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f) {
  fputs("usage: backorder <command> [options]\n"
        "\n"
        "commands:\n"
        "  serve   run the HTTP service (see `backorder serve --help`)\n"
        "  check   verify every invariant of a database: backorder check --db PATH\n"
        "  version print the version\n",
        f);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "serve") == 0) return bo_cmd_serve(argc - 1, argv + 1);
  if (strcmp(argv[1], "check") == 0) return bo_cmd_check(argc - 1, argv + 1);
  if (strcmp(argv[1], "version") == 0) {
    puts("backorder 0.1.0");
    return 0;
  }
  if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "backorder: unknown command \"%s\"\n", argv[1]);
  usage(stderr);
  return 2;
}
