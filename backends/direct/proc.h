/* SPDX-License-Identifier: MIT */
/* What the manager reads of other processes in /proc/PID/stat. */
#ifndef DIRECT_PROC_H
#define DIRECT_PROC_H

#include <sys/types.h>

struct direct_procstat {
	char state;          /* R, S, Z, ... */
	pid_t pgrp;
	long long starttime; /* clock ticks after boot: with the pid, names one process for good */
	long rss_kb;
};

/* 0, or a negative errno (-ENOENT: no such process). */
int direct_proc_stat(pid_t pid, struct direct_procstat *ret);

#endif
