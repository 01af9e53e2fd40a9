/* SPDX-License-Identifier: MIT */
/* The direct manager's supervision rules: one state × event table per supervised process. */
#include "fsm.h"

/* A cell of the table. */
struct fsm_rule {
	enum gx_state next;
	enum direct_action action;
	unsigned char flags;
};

enum {
	FSM_IGNORE = 1u << 0, /* the event means nothing here */
	FSM_FAIL = 1u << 1,   /* a failed start: count it, FATAL at the limit */
	FSM_RESET = 1u << 2,  /* the failed-start count starts again */
};

#define IGNORE(s) { .next = (s), .action = DIRECT_ACT_NONE, .flags = FSM_IGNORE }

static const struct fsm_rule fsm_table[GX_STATE_MAX][DIRECT_EV_MAX] = {
	[GX_STATE_STOPPED] = {
		[DIRECT_EV_START] = { GX_STATE_STARTING, DIRECT_ACT_SPAWN, 0 },
		[DIRECT_EV_STOP] = { GX_STATE_STOPPED, DIRECT_ACT_NONE, 0 },
		[DIRECT_EV_EXIT] = IGNORE(GX_STATE_STOPPED),
		[DIRECT_EV_TIMER] = IGNORE(GX_STATE_STOPPED),
	},
	[GX_STATE_STARTING] = {
		[DIRECT_EV_START] = { GX_STATE_STARTING, DIRECT_ACT_NONE, 0 },
		[DIRECT_EV_STOP] = { GX_STATE_STOPPING, DIRECT_ACT_TERM, 0 },
		[DIRECT_EV_EXIT] = { GX_STATE_BACKOFF, DIRECT_ACT_SCHEDULE, FSM_FAIL },
		[DIRECT_EV_TIMER] = { GX_STATE_RUNNING, DIRECT_ACT_NONE, FSM_RESET },
	},
	[GX_STATE_RUNNING] = {
		[DIRECT_EV_START] = { GX_STATE_RUNNING, DIRECT_ACT_NONE, 0 },
		[DIRECT_EV_STOP] = { GX_STATE_STOPPING, DIRECT_ACT_TERM, 0 },
		[DIRECT_EV_EXIT] = { GX_STATE_EXITED, DIRECT_ACT_SCHEDULE, FSM_RESET },
		[DIRECT_EV_TIMER] = IGNORE(GX_STATE_RUNNING),
	},
	[GX_STATE_BACKOFF] = {
		[DIRECT_EV_START] = { GX_STATE_STARTING, DIRECT_ACT_SPAWN, 0 },
		[DIRECT_EV_STOP] = { GX_STATE_STOPPED, DIRECT_ACT_CANCEL, 0 },
		[DIRECT_EV_EXIT] = IGNORE(GX_STATE_BACKOFF),
		[DIRECT_EV_TIMER] = { GX_STATE_STARTING, DIRECT_ACT_SPAWN, 0 },
	},
	[GX_STATE_STOPPING] = {
		[DIRECT_EV_START] = { GX_STATE_STOPPING, DIRECT_ACT_NONE, 0 },
		[DIRECT_EV_STOP] = { GX_STATE_STOPPING, DIRECT_ACT_NONE, 0 },
		[DIRECT_EV_EXIT] = { GX_STATE_STOPPED, DIRECT_ACT_CANCEL, 0 },
		[DIRECT_EV_TIMER] = { GX_STATE_STOPPING, DIRECT_ACT_KILL, 0 },
	},
	[GX_STATE_EXITED] = {
		[DIRECT_EV_START] = { GX_STATE_STARTING, DIRECT_ACT_SPAWN, 0 },
		[DIRECT_EV_STOP] = { GX_STATE_STOPPED, DIRECT_ACT_CANCEL, 0 },
		[DIRECT_EV_EXIT] = IGNORE(GX_STATE_EXITED),
		[DIRECT_EV_TIMER] = { GX_STATE_STARTING, DIRECT_ACT_SPAWN, 0 },
	},
	[GX_STATE_FATAL] = {
		[DIRECT_EV_START] = { GX_STATE_STARTING, DIRECT_ACT_SPAWN, FSM_RESET },
		[DIRECT_EV_STOP] = { GX_STATE_FATAL, DIRECT_ACT_NONE, 0 },
		[DIRECT_EV_EXIT] = IGNORE(GX_STATE_FATAL),
		[DIRECT_EV_TIMER] = IGNORE(GX_STATE_FATAL),
	},
	[GX_STATE_UNKNOWN] = {
		[DIRECT_EV_START] = IGNORE(GX_STATE_UNKNOWN),
		[DIRECT_EV_STOP] = IGNORE(GX_STATE_UNKNOWN),
		[DIRECT_EV_EXIT] = IGNORE(GX_STATE_UNKNOWN),
		[DIRECT_EV_TIMER] = IGNORE(GX_STATE_UNKNOWN),
	},
};

struct direct_step direct_fsm_step(enum gx_state state, enum direct_event ev, unsigned failures,
				   unsigned start_retries)
{
	struct direct_step step = { .next = state, .failures = failures, .ignored = true };
	const struct fsm_rule *rule;

	if ((unsigned)state >= GX_STATE_MAX || (unsigned)ev >= DIRECT_EV_MAX)
		return step;
	rule = &fsm_table[state][ev];
	step.next = rule->next;
	step.action = rule->action;
	step.ignored = rule->flags & FSM_IGNORE;
	if (rule->flags & FSM_RESET)
		step.failures = 0;
	if (rule->flags & FSM_FAIL) {
		step.failures = failures + 1;
		if (step.failures >= (start_retries ? start_retries : 1)) {
			step.next = GX_STATE_FATAL;
			step.action = DIRECT_ACT_CANCEL;
		}
	}
	return step;
}

unsigned direct_backoff_delay(unsigned failures)
{
	if (failures == 0)
		return 0;
	if (failures > 5)
		return 30;
	return 1u << (failures - 1);
}

bool direct_state_has_process(enum gx_state state)
{
	return state == GX_STATE_STARTING || state == GX_STATE_RUNNING ||
	       state == GX_STATE_STOPPING;
}

bool direct_state_settled(enum gx_state state)
{
	return state == GX_STATE_STOPPED || state == GX_STATE_FATAL;
}

static const char *const event_names[DIRECT_EV_MAX] = {
	[DIRECT_EV_START] = "start",
	[DIRECT_EV_STOP] = "stop",
	[DIRECT_EV_EXIT] = "exit",
	[DIRECT_EV_TIMER] = "timer",
};

static const char *const action_names[DIRECT_ACT_MAX] = {
	[DIRECT_ACT_NONE] = "none",	  [DIRECT_ACT_SPAWN] = "spawn",
	[DIRECT_ACT_TERM] = "term",	  [DIRECT_ACT_KILL] = "kill",
	[DIRECT_ACT_SCHEDULE] = "schedule", [DIRECT_ACT_CANCEL] = "cancel",
};

const char *direct_event_name(enum direct_event ev)
{
	return (unsigned)ev < DIRECT_EV_MAX ? event_names[ev] : "?";
}

const char *direct_action_name(enum direct_action action)
{
	return (unsigned)action < DIRECT_ACT_MAX ? action_names[action] : "?";
}
