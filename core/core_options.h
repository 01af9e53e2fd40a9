/* SPDX-License-Identifier: MIT */
/* The option table of the top-level gravity section. */
#ifndef GX_CORE_OPTIONS_H
#define GX_CORE_OPTIONS_H

#include "galaxyctl/plugin.h"

extern const struct gx_option gx_core_options[];

#endif
