/* SPDX-License-Identifier: MIT */
/*
 * Test plugin: a module that provides nothing, with its ABI version
 * (TP_ABI_MAJOR, TP_ABI_MINOR) and struct size (TP_SIZE) chosen at build
 * time, for the loader's handshake checks.
 */
#include "galaxyctl/plugin.h"

#ifndef TP_ABI_MAJOR
#define TP_ABI_MAJOR GX_ABI_MAJOR
#endif
#ifndef TP_ABI_MINOR
#define TP_ABI_MINOR GX_ABI_MINOR
#endif
#ifndef TP_SIZE
#define TP_SIZE sizeof(struct gx_module)
#endif

const struct gx_module gx_module = {
	.abi_major = TP_ABI_MAJOR,
	.abi_minor = TP_ABI_MINOR,
	.size = TP_SIZE,
	.name = "tp_header",
};
