/* SPDX-License-Identifier: MIT */
/* The one rule for names that become file, program, unit and log names. */
#ifndef GX_NAME_CHECK_H
#define GX_NAME_CHECK_H

/*
 * Longest name: <instance>_galaxy_<type>_<name>_<process>.log.10 with an
 * instance and a name of this length stays well under NAME_MAX (255).
 */
#define GX_NAME_MAX 64

/* NULL when name is valid, else the rule it breaks ("may hold only ..."). */
const char *gx_name_problem(const char *name);

#endif
