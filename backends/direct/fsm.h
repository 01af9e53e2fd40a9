/* SPDX-License-Identifier: MIT */
/* The direct manager's supervision rules: one state × event table per supervised process. */
#ifndef DIRECT_FSM_H
#define DIRECT_FSM_H

#include <stdbool.h>

#include <galaxyctl/plugin.h>

/*
 * States are the ABI's enum gx_state, so that status rows need no mapping:
 * STOPPED, STARTING, RUNNING, BACKOFF, STOPPING, EXITED, FATAL.
 *
 *   STARTING  spawned, not yet up for start_timeout seconds
 *   RUNNING   up for start_timeout seconds; the failed-start count is reset
 *   BACKOFF   the last start failed; the next one is scheduled
 *   EXITED    exited after a good run; the restart is scheduled (at once)
 *   STOPPING  SIGTERM sent to the process group; SIGKILL at stop_timeout
 *   STOPPED   stopped on request (or never started)
 *   FATAL     start_retries starts in a row failed; only a start request revives it
 */

enum direct_event {
	DIRECT_EV_START,      /* start requested */
	DIRECT_EV_STOP,       /* stop requested */
	DIRECT_EV_EXIT,       /* the process exited (or could not be executed) */
	DIRECT_EV_TIMER,      /* the state's deadline passed */
	DIRECT_EV_MAX
};

enum direct_action {
	DIRECT_ACT_NONE,
	DIRECT_ACT_SPAWN,     /* fork and exec; deadline start_timeout */
	DIRECT_ACT_TERM,      /* SIGTERM to the group; deadline stop_timeout */
	DIRECT_ACT_KILL,      /* SIGKILL to the group */
	DIRECT_ACT_SCHEDULE,  /* deadline after the backoff delay */
	DIRECT_ACT_CANCEL,    /* drop the pending deadline */
	DIRECT_ACT_MAX
};

/* What a step decides. */
struct direct_step {
	enum gx_state next;
	enum direct_action action;
	unsigned failures;    /* the failed-start count after the step */
	bool ignored;         /* the event means nothing in this state */
};

/*
 * One step: state × event, with the count of failed starts in a row and
 * the limit start_retries (a start that fails the limit-th time is FATAL;
 * a limit of 0 is taken as 1).  Pure.
 */
struct direct_step direct_fsm_step(enum gx_state state, enum direct_event ev, unsigned failures,
				   unsigned start_retries);

/* Seconds before the next start after `failures` failed starts in a row: 0, 1, 2, 4, ... 30. */
unsigned direct_backoff_delay(unsigned failures);

/* A process exists in this state (its pid is valid). */
bool direct_state_has_process(enum gx_state state);

/* Nothing runs and nothing is scheduled: STOPPED or FATAL. */
bool direct_state_settled(enum gx_state state);

const char *direct_event_name(enum direct_event ev);
const char *direct_action_name(enum direct_action action);

#endif
