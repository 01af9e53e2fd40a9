/* SPDX-License-Identifier: MIT */
/* galaxyctl's side of the direct manager: the lock, finding or starting the manager, requests. */
#ifndef DIRECT_CLIENT_H
#define DIRECT_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "proto.h"

/* A connection to a manager.  fd is -1 when not connected. */
struct direct_conn {
	int fd;
	struct direct_linebuf in;
};

/*
 * Take the lock that serialises galaxyctl runs on one state dir (blocking;
 * when another run holds it, say so once through note()).  Returns the
 * locked fd, or a negative errno.
 */
int direct_client_lock(const struct direct_paths *p, void (*note)(const char *msg));

/*
 * Connect to the manager of p.  0 when connected; -ENOENT when no manager
 * runs (a stale pid file or socket is left to the next manager, which
 * holds the lock that proves it stale); -EAGAIN when a manager lives but
 * does not answer; another negative errno otherwise.
 */
int direct_client_connect(const struct direct_paths *p, struct direct_conn *c);

/* The pid of the live manager of p, or 0. */
pid_t direct_client_manager_pid(const struct direct_paths *p);

/*
 * Send req and wait up to timeout_ms for the reply.  A reply with "ok"
 * false becomes -EPROTO with its error text in why.
 */
int direct_client_call(struct direct_conn *c, json_t *req, int timeout_ms, json_t **ret_reply,
		       char *why, size_t len);

void direct_client_close(struct direct_conn *c);

/* Wait up to timeout_ms for process pid to end (a zombie counts as ended): 0 or -ETIMEDOUT. */
int direct_client_wait_exit(pid_t pid, int timeout_ms);

/*
 * Start a detached manager for state_dir: exe (the galaxyctl-direct
 * program) when given, else a fork of this process.  Waits until it
 * listens (or says why it cannot).  The manager learns this process's
 * pid and its detaching child's (--client-pid), to take them along out
 * of the cgroup it prepares for memory limits while they wait there.
 */
int direct_client_spawn(const struct direct_paths *p, const char *state_dir, const char *exe,
			char *why, size_t len);

#endif
