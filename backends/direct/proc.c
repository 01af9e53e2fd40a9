/* SPDX-License-Identifier: MIT */
/* What the manager reads of other processes in /proc/PID/stat. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

int direct_proc_stat(pid_t pid, struct direct_procstat *ret)
{
	static long page_kb;
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	/* The command name may hold anything: fields are counted after its closing ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EIO;
	p += 2;
	memset(ret, 0, sizeof(*ret));
	ret->state = *p;
	for (field = 3; *p && field < 24; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 5)
			ret->pgrp = (pid_t)strtol(p + 1, NULL, 10);
		else if (field == 22)
			ret->starttime = strtoll(p + 1, NULL, 10);
		else if (field == 24)
			ret->rss_kb = strtol(p + 1, NULL, 10);
	}
	if (field != 24)
		return -EIO;
	if (!page_kb)
		page_kb = sysconf(_SC_PAGESIZE) / 1024;
	ret->rss_kb *= page_kb;
	return 0;
}
