#ifndef BLAMBDA_CORE_WAIT_H
#define BLAMBDA_CORE_WAIT_H

#include "core/observer.h"

/*
 * The one poller: ask `check` again and again, with a growing delay, until it
 * says done or failed, or the deadline passes. Every wait in blambda goes
 * through it (a function becoming Active, an update finishing, a new role
 * becoming usable), so they back off alike, and each tells its observer
 * what it waits for, a few times a second, so a command can draw one
 * spinner for all of them. BLAMBDA_WAIT_SCALE (a factor, e.g. 0.01) shortens
 * the delays, not the deadline, for tests.
 */

enum wait_answer { WAIT_DONE, WAIT_AGAIN, WAIT_FAILED };

struct wait_opts {
	const char *label;   /* what is awaited, for people: "function 'hello' to become Active" */
	const struct observer *obs; /* told of the wait while it lasts; may be NULL */
	double timeout_s;    /* give up after this long */
	double first_delay_s; /* 0: 1 s */
	double max_delay_s;   /* 0: 10 s */
};

/*
 * Returns 0 when check said WAIT_DONE, 1 when the deadline passed, -1 when
 * check said WAIT_FAILED, 2 when a stop was asked for (core/interrupt.h):
 * the wait ends within a quarter of a second.
 */
int wait_until(const struct wait_opts *o, enum wait_answer (*check)(void *ctx), void *ctx);

/* BLAMBDA_WAIT_SCALE (a factor in (0, 1], for tests), else 1 */
double wait_scale(void);
/* Sleep for s seconds (scaled by BLAMBDA_WAIT_SCALE), resuming after signals. */
void wait_sleep(double s);

#endif
