/* cli.h — the subcommands of the backorder binary. */
#ifndef BO_CLI_H
#define BO_CLI_H

#include "../engine/engine.h"

int bo_cmd_serve(int argc, char **argv);
int bo_cmd_check(int argc, char **argv);
/* Loads the demo data set into an empty store (inside its own transaction). */
bo_rc bo_demo_load(bo_engine *e, int64_t now, bo_err *err);

#endif
