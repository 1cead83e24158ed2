#include "core/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/xalloc.h"

struct progress {
	char *label;
	double last;
	int drawn;
};

struct progress *progress_new(const char *label)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	p->label = xstrdup(label);
	return p;
}

void progress_update(struct progress *p, uint64_t done, uint64_t total)
{
	double t = clock_seconds();

	if (t - p->last < 0.1 && done != total)
		return;
	p->last = t;
	p->drawn = 1;
	if (total) {
		int width = 30, filled = (int)((double)done / (double)total * width);

		fprintf(stderr, "\r%s [%-*.*s] %3d%% %.1f/%.1f MB", p->label, width, filled,
			"##############################", (int)(done * 100 / total), (double)done / 1048576.0,
			(double)total / 1048576.0);
	} else {
		fprintf(stderr, "\r%s %.1f MB", p->label, (double)done / 1048576.0);
	}
	fflush(stderr);
}

void progress_done(struct progress *p)
{
	if (!p)
		return;
	if (p->drawn)
		fputs("\r\033[K", stderr);
	free(p->label);
	free(p);
}
