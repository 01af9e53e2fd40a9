/* SPDX-License-Identifier: MIT */
/* galaxyctl-direct: the direct backend's manager daemon, a small program of its own. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager_int.h"

static int usage(void)
{
	fputs("usage: galaxyctl-direct --state-dir DIR [--ready-fd FD] [--client-pid PID]...\n"
	      "The direct backend's manager; galaxyctl starts it (galaxyctl start), and names\n"
	      "with --client-pid itself and the process that detached the manager: while they\n"
	      "wait in the cgroup the manager prepares for memory limits, they move with it.\n",
	      stderr);
	return 2;
}

/* A pid, or 0 when text is not one. */
static pid_t parse_pid(const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	return errno || end == text || *end || v <= 0 || (pid_t)v != v ? 0 : (pid_t)v;
}

int main(int argc, char **argv)
{
	const char *state_dir = NULL;
	pid_t chain[DIRECT_CGROUP_CHAIN_MAX];
	size_t n_chain = 0;
	int ready_fd = -1;

	for (int i = 1; i < argc; i++) {
		const char *pid = NULL;

		if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc)
			state_dir = argv[++i];
		else if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc)
			ready_fd = atoi(argv[++i]);
		else if (strcmp(argv[i], "--client-pid") == 0 && i + 1 < argc)
			pid = argv[++i];
		else if (strncmp(argv[i], "--client-pid=", 13) == 0)
			pid = argv[i] + 13;
		else
			return usage();
		if (pid) {
			if (n_chain == DIRECT_CGROUP_CHAIN_MAX || !(chain[n_chain] = parse_pid(pid)))
				return usage();
			n_chain++;
		}
	}
	if (!state_dir)
		return usage();
	return direct_manager_serve_chain(state_dir, ready_fd, chain, n_chain);
}
