/* SPDX-License-Identifier: MIT */
/* galaxyctl-direct: the direct backend's manager daemon, a small program of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager.h"

static int usage(void)
{
	fputs("usage: galaxyctl-direct --state-dir DIR [--ready-fd FD]\n"
	      "The direct backend's manager; galaxyctl starts it (galaxyctl start).\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *state_dir = NULL;
	int ready_fd = -1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc)
			state_dir = argv[++i];
		else if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc)
			ready_fd = atoi(argv[++i]);
		else
			return usage();
	}
	if (!state_dir)
		return usage();
	return direct_manager_serve(state_dir, ready_fd);
}
