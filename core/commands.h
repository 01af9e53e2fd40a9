/* SPDX-License-Identifier: MIT */
/* Running a parsed command: load plugins and config, route to backends, print results. */
#ifndef GX_COMMANDS_H
#define GX_COMMANDS_H

#include "cli.h"

/* Run galaxyctl (or galaxy) with argv; returns the process exit code (enum gx_exit). */
int gx_main(int argc, char **argv);

#endif
