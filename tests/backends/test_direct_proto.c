/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/proto.c: JSON lines over a socket, and the manager's file names. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"

Test(direct_proto, lines_in_pieces)
{
	struct direct_linebuf lb = { 0 };
	json_t *msg = json_pack("{s:s, s:[s]}", "op", "stop", "names", "celery"), *got;
	int sv[2], bad;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	cr_assert_eq(direct_send(sv[0], msg, DIRECT_LINE_MAX, 1000), 0);
	cr_assert_eq(write(sv[0], "{\"op\": \"pi", 10), 10);
	cr_assert_gt(direct_linebuf_fill(&lb, sv[1]), 0);
	got = direct_linebuf_next(&lb, &bad);
	cr_assert(got);
	cr_expect(json_equal(got, msg));
	json_decref(got);
	cr_expect_null(direct_linebuf_next(&lb, &bad), "half a line is not a line");
	cr_expect_eq(bad, 0);
	cr_assert_eq(write(sv[0], "ng\"}\n[1]\n", 9), 9);
	cr_assert_gt(direct_linebuf_fill(&lb, sv[1]), 0);
	got = direct_linebuf_next(&lb, &bad);
	cr_expect_str_eq(json_string_value(json_object_get(got, "op")), "ping");
	json_decref(got);
	cr_expect_null(direct_linebuf_next(&lb, &bad));
	cr_expect_eq(bad, 1, "a line that is not an object is reported");
	cr_expect_eq(direct_linebuf_fill(&lb, sv[1]), -EAGAIN);
	close(sv[0]);
	cr_expect_eq(direct_linebuf_fill(&lb, sv[1]), 0);
	close(sv[1]);
	direct_linebuf_release(&lb);
	json_decref(msg);
}

Test(direct_proto, send_waits_for_room)
{
	json_t *msg = json_pack("{s:s}", "pad", "");
	char *big = malloc(1 << 20);
	int sv[2], r;

	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	json_object_set_new(msg, "pad", json_string(big));
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	r = direct_send(sv[0], msg, DIRECT_LINE_MAX, 100);
	cr_expect_eq(r, -ETIMEDOUT, "nobody reads: the send gives up");
	close(sv[0]);
	close(sv[1]);
	json_decref(msg);
	free(big);
}

Test(direct_proto, line_caps)
{
	struct direct_linebuf lb = { .max = 64 << 10 };
	json_t *msg = json_pack("{s:s}", "pad", "0123456789");
	char chunk[4096];
	int sv[2];
	long n = 0;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	cr_expect_eq(direct_send(sv[0], msg, 20, 100), -E2BIG, "a line over max_len is not sent");
	cr_expect_eq(direct_send(sv[0], msg, 64, 100), 0);
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 64 && n >= 0; i++) {
		cr_assert_eq(write(sv[0], chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
		n = direct_linebuf_fill(&lb, sv[1]);
	}
	cr_expect_eq(n, -E2BIG, "a line without end stops at the reader's max");
	cr_expect_leq(lb.alloc, (size_t)(64 << 10) + 8192);
	close(sv[0]);
	close(sv[1]);
	direct_linebuf_release(&lb);
	json_decref(msg);
}

Test(direct_proto, paths)
{
	struct direct_paths p;

	cr_assert_eq(direct_paths_init(&p, "/srv/state"), 0);
	if (geteuid() == 0) {
		direct_paths_release(&p);
		/* Root's are not in the state dir, the services' user's: FNV-1a 64 of the path. */
		cr_assert_eq(direct_paths_init(&p, "/nonexistent-gx-test/state"), 0);
		cr_expect_str_eq(p.dir, "/run/galaxyctl/ef20417456f30fbc");
		cr_expect_str_eq(p.sock, "/run/galaxyctl/ef20417456f30fbc/manager.sock");
		direct_paths_release(&p);
		return;
	}
	cr_expect_str_eq(p.dir, "/srv/state/direct");
	cr_expect_str_eq(p.lock, "/srv/state/direct/lock");
	cr_expect_str_eq(p.pid, "/srv/state/direct/manager.pid");
	cr_expect_str_eq(p.sock, "/srv/state/direct/manager.sock");
	cr_expect_str_eq(p.log, "/srv/state/direct/manager.log");
	cr_expect_str_eq(p.children, "/srv/state/direct/children");
	direct_paths_release(&p);
}
