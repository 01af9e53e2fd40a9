/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: bytes as a galaxy.yml, through config splitting, settings and instances. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "host.h"
#include "instance.h"
#include "plugins.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gx_plugins plugins;
static const struct gx_host *host;
static char path[] = "/dev/shm/gx-fuzz-XXXXXX/config/galaxy.yml";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct gx_error err = { 0 };
	char dir[] = "/dev/shm/gx-fuzz-XXXXXX";
	char sub[sizeof(dir) + 16];

	if (!mkdtemp(dir))
		abort();
	memcpy(path, dir, strlen(dir));
	snprintf(sub, sizeof(sub), "%s/config", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/lib", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/lib/galaxy", dir);
	mkdir(sub, 0755);
	host = gx_host_init("/usr/bin/galaxyctl", false);
	if (gx_plugins_init(&plugins, GX_BUILDDIR, NULL) < 0 || gx_plugins_load(&plugins, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err.message);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *files[] = { path };
	struct gx_config_sources src = { .files = files, .n_files = 1 };
	struct gx_instance_env env = { 0 };
	struct gx_config cfg = { 0 };
	struct gx_instances insts = { 0 };
	struct gx_diag diag = { 0 };
	struct gx_error err = { 0 };
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (gx_config_find(&cfg, &src, &err) == 0 && gx_config_load(&cfg, &diag) == 0 &&
	    gx_instances_build(&cfg, &plugins, host, &env, &diag, &insts) == 0)
		gx_instances_release(&insts);
	gx_config_release(&cfg);
	gx_diag_release(&diag);
	return 0;
}
