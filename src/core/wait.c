#include "core/wait.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/interrupt.h"

double wait_scale(void)
{
	const char *v = getenv("BLAMBDA_WAIT_SCALE");
	char *end;
	double f;

	if (!v || !*v)
		return 1.0;
	f = strtod(v, &end);
	return *end || f <= 0 || f > 1 ? 1.0 : f;
}

void wait_sleep(double s)
{
	struct timespec ts;

	s *= wait_scale();
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int wait_until(const struct wait_opts *o, enum wait_answer (*check)(void *ctx), void *ctx)
{
	double start = clock_seconds(), delay = o->first_delay_s > 0 ? o->first_delay_s : 1.0;
	double max = o->max_delay_s > 0 ? o->max_delay_s : 10.0;
	int watched = o->label && o->obs && o->obs->wait, r;

	for (;;) {
		enum wait_answer a = check(ctx);
		double until;

		if (a == WAIT_AGAIN && interrupt_requested()) {
			r = 2;
			break;
		}
		if (a != WAIT_AGAIN) {
			r = a == WAIT_DONE ? 0 : -1;
			break;
		}
		if (clock_seconds() - start + delay * wait_scale() > o->timeout_s) {
			r = 1;
			break;
		}
		observe_trace(o->obs, 1, "waiting %.1f s for %s", delay * wait_scale(), o->label ? o->label : "AWS");
		until = clock_seconds() + delay * wait_scale();
		/* while asleep, the observer hears of the wait a few times a second (a spinner) */
		while (watched && clock_seconds() < until && !interrupt_requested()) {
			double left = until - clock_seconds();

			observe_wait(o->obs, o->label, clock_seconds() - start);
			wait_sleep((left < 0.25 ? left : 0.25) / wait_scale());
		}
		while (!watched && clock_seconds() < until && !interrupt_requested()) {
			double left = until - clock_seconds();

			wait_sleep((left < 0.25 ? left : 0.25) / wait_scale());
		}
		if (interrupt_requested()) {
			r = 2;
			break;
		}
		delay = delay * 1.5 > max ? max : delay * 1.5;
	}
	if (watched)
		observe_wait(o->obs, o->label, -1);
	return r;
}
