/* SPDX-License-Identifier: MIT */
/* Unit tests for backends/direct/fsm.c: the supervision table, cell by cell. */
#include <criterion/criterion.h>

#include "fsm.h"

static struct direct_step step(enum gx_state s, enum direct_event ev)
{
	return direct_fsm_step(s, ev, 0, 3);
}

Test(direct_fsm, start_spawns_from_every_resting_state)
{
	const enum gx_state resting[] = { GX_STATE_STOPPED, GX_STATE_BACKOFF, GX_STATE_EXITED,
					  GX_STATE_FATAL };

	for (size_t i = 0; i < sizeof(resting) / sizeof(*resting); i++) {
		struct direct_step s = step(resting[i], DIRECT_EV_START);

		cr_expect(!s.ignored);
		cr_expect_eq(s.next, GX_STATE_STARTING, "from %d", resting[i]);
		cr_expect_eq(s.action, DIRECT_ACT_SPAWN, "from %d", resting[i]);
	}
}

Test(direct_fsm, start_while_running_does_nothing)
{
	const enum gx_state busy[] = { GX_STATE_STARTING, GX_STATE_RUNNING, GX_STATE_STOPPING };

	for (size_t i = 0; i < sizeof(busy) / sizeof(*busy); i++) {
		struct direct_step s = step(busy[i], DIRECT_EV_START);

		cr_expect_eq(s.next, busy[i]);
		cr_expect_eq(s.action, DIRECT_ACT_NONE);
	}
}

Test(direct_fsm, stop)
{
	cr_expect_eq(step(GX_STATE_STARTING, DIRECT_EV_STOP).next, GX_STATE_STOPPING);
	cr_expect_eq(step(GX_STATE_STARTING, DIRECT_EV_STOP).action, DIRECT_ACT_TERM);
	cr_expect_eq(step(GX_STATE_RUNNING, DIRECT_EV_STOP).next, GX_STATE_STOPPING);
	cr_expect_eq(step(GX_STATE_RUNNING, DIRECT_EV_STOP).action, DIRECT_ACT_TERM);
	/* Nothing runs: the scheduled start is dropped. */
	cr_expect_eq(step(GX_STATE_BACKOFF, DIRECT_EV_STOP).next, GX_STATE_STOPPED);
	cr_expect_eq(step(GX_STATE_BACKOFF, DIRECT_EV_STOP).action, DIRECT_ACT_CANCEL);
	cr_expect_eq(step(GX_STATE_EXITED, DIRECT_EV_STOP).next, GX_STATE_STOPPED);
	cr_expect_eq(step(GX_STATE_EXITED, DIRECT_EV_STOP).action, DIRECT_ACT_CANCEL);
	/* FATAL stays FATAL, so that status still says why. */
	cr_expect_eq(step(GX_STATE_FATAL, DIRECT_EV_STOP).next, GX_STATE_FATAL);
	cr_expect_eq(step(GX_STATE_STOPPED, DIRECT_EV_STOP).next, GX_STATE_STOPPED);
	cr_expect_eq(step(GX_STATE_STOPPING, DIRECT_EV_STOP).action, DIRECT_ACT_NONE);
}

Test(direct_fsm, stop_timeout_kills)
{
	struct direct_step s = step(GX_STATE_STOPPING, DIRECT_EV_TIMER);

	cr_expect_eq(s.next, GX_STATE_STOPPING);
	cr_expect_eq(s.action, DIRECT_ACT_KILL);
	s = step(GX_STATE_STOPPING, DIRECT_EV_EXIT);
	cr_expect_eq(s.next, GX_STATE_STOPPED);
}

Test(direct_fsm, start_timeout_means_running_and_resets_failures)
{
	struct direct_step s = direct_fsm_step(GX_STATE_STARTING, DIRECT_EV_TIMER, 2, 3);

	cr_expect_eq(s.next, GX_STATE_RUNNING);
	cr_expect_eq(s.failures, 0);
}

Test(direct_fsm, failed_starts_back_off_then_fatal)
{
	struct direct_step s = direct_fsm_step(GX_STATE_STARTING, DIRECT_EV_EXIT, 0, 3);

	cr_expect_eq(s.next, GX_STATE_BACKOFF);
	cr_expect_eq(s.action, DIRECT_ACT_SCHEDULE);
	cr_expect_eq(s.failures, 1);
	s = direct_fsm_step(GX_STATE_STARTING, DIRECT_EV_EXIT, 1, 3);
	cr_expect_eq(s.next, GX_STATE_BACKOFF);
	cr_expect_eq(s.failures, 2);
	s = direct_fsm_step(GX_STATE_STARTING, DIRECT_EV_EXIT, 2, 3);
	cr_expect_eq(s.next, GX_STATE_FATAL, "the third failed start of three is FATAL");
	cr_expect_eq(s.failures, 3);
	cr_expect_eq(s.action, DIRECT_ACT_CANCEL);
	/* A limit of 0 is taken as 1. */
	cr_expect_eq(direct_fsm_step(GX_STATE_STARTING, DIRECT_EV_EXIT, 0, 0).next, GX_STATE_FATAL);
}

Test(direct_fsm, exit_after_a_good_run_restarts_at_once)
{
	struct direct_step s = direct_fsm_step(GX_STATE_RUNNING, DIRECT_EV_EXIT, 0, 3);

	cr_expect_eq(s.next, GX_STATE_EXITED);
	cr_expect_eq(s.action, DIRECT_ACT_SCHEDULE);
	cr_expect_eq(direct_backoff_delay(s.failures), 0);
	cr_expect_eq(step(GX_STATE_EXITED, DIRECT_EV_TIMER).action, DIRECT_ACT_SPAWN);
	cr_expect_eq(step(GX_STATE_BACKOFF, DIRECT_EV_TIMER).next, GX_STATE_STARTING);
}

Test(direct_fsm, fatal_start_resets_failures)
{
	struct direct_step s = direct_fsm_step(GX_STATE_FATAL, DIRECT_EV_START, 3, 3);

	cr_expect_eq(s.next, GX_STATE_STARTING);
	cr_expect_eq(s.failures, 0);
}

Test(direct_fsm, meaningless_events_are_ignored)
{
	cr_expect(step(GX_STATE_STOPPED, DIRECT_EV_EXIT).ignored);
	cr_expect(step(GX_STATE_STOPPED, DIRECT_EV_TIMER).ignored);
	cr_expect(step(GX_STATE_RUNNING, DIRECT_EV_TIMER).ignored);
	cr_expect(step(GX_STATE_FATAL, DIRECT_EV_TIMER).ignored);
	cr_expect(step(GX_STATE_UNKNOWN, DIRECT_EV_START).ignored);
	cr_expect(direct_fsm_step(GX_STATE_MAX, DIRECT_EV_START, 0, 3).ignored);
	cr_expect(direct_fsm_step(GX_STATE_RUNNING, DIRECT_EV_MAX, 0, 3).ignored);
}

Test(direct_fsm, backoff_doubles_up_to_30_s)
{
	const unsigned want[] = { 0, 1, 2, 4, 8, 16, 30, 30 };

	for (unsigned i = 0; i < sizeof(want) / sizeof(*want); i++)
		cr_expect_eq(direct_backoff_delay(i), want[i], "after %u failures", i);
	cr_expect_eq(direct_backoff_delay(1000), 30);
}

Test(direct_fsm, state_predicates)
{
	cr_expect(direct_state_has_process(GX_STATE_STARTING));
	cr_expect(direct_state_has_process(GX_STATE_RUNNING));
	cr_expect(direct_state_has_process(GX_STATE_STOPPING));
	cr_expect(!direct_state_has_process(GX_STATE_BACKOFF));
	cr_expect(!direct_state_has_process(GX_STATE_EXITED));
	cr_expect(direct_state_settled(GX_STATE_STOPPED));
	cr_expect(direct_state_settled(GX_STATE_FATAL));
	cr_expect(!direct_state_settled(GX_STATE_BACKOFF));
	cr_expect_str_eq(direct_event_name(DIRECT_EV_TIMER), "timer");
	cr_expect_str_eq(direct_action_name(DIRECT_ACT_KILL), "kill");
	cr_expect_str_eq(direct_action_name(DIRECT_ACT_MAX), "?");
}
