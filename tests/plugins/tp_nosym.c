/* SPDX-License-Identifier: MIT */
/* Test plugin: a loadable library that exports its module struct under the wrong name. */
#include "galaxyctl/plugin.h"

const struct gx_module tp_nosym_module = {
	GX_MODULE_HEADER("tp_nosym"),
};
