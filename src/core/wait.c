#include "core/wait.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/msg.h"

static double scale(void)
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

	s *= scale();
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void spin(const char *label, double elapsed, int frame)
{
	static const char *const frames[] = { "|", "/", "-", "\\" };

	fprintf(stderr, "\r%s waiting for %s (%.0f s)\033[K", frames[frame % 4], label, elapsed);
	fflush(stderr);
}

int wait_until(const struct wait_opts *o, enum wait_answer (*check)(void *ctx), void *ctx)
{
	double start = clock_seconds(), delay = o->first_delay_s > 0 ? o->first_delay_s : 1.0;
	double max = o->max_delay_s > 0 ? o->max_delay_s : 10.0;
	int tty = o->label && msg_stderr_is_tty() && msg_level() >= MSG_NORMAL, frame = 0, r;

	for (;;) {
		enum wait_answer a = check(ctx);

		if (a != WAIT_AGAIN) {
			r = a == WAIT_DONE ? 0 : -1;
			break;
		}
		if (clock_seconds() - start + delay * scale() > o->timeout_s) {
			r = 1;
			break;
		}
		if (tty) {
			/* redraw the spinner while sleeping, a few times a second */
			double until = clock_seconds() + delay * scale();

			while (clock_seconds() < until) {
				spin(o->label, clock_seconds() - start, frame++);
				wait_sleep(0.25 / scale() < until - clock_seconds() ? 0.25 / scale() : (until - clock_seconds()) / scale());
			}
		} else {
			verbose(1, "waiting %.1f s for %s", delay * scale(), o->label ? o->label : "AWS");
			wait_sleep(delay);
		}
		delay = delay * 1.5 > max ? max : delay * 1.5;
	}
	if (tty) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	return r;
}
