#ifndef BLAMBDA_CORE_OBSERVER_H
#define BLAMBDA_CORE_OBSERVER_H

#include <stdint.h>

/*
 * What a module tells its caller while it works, for people to see as it
 * happens: notes (a warning, a step done), the bytes of a transfer, a wait
 * going on, and diagnostics for -v. Modules never print; a command passes an
 * observer that draws on its terminal (or writes plain lines, or nothing).
 * Every callback may be NULL, and so may the observer: nothing is then made.
 * Callbacks may be called from several threads at once (deploy works in
 * several regions): they must be safe for that.
 */
enum note_kind { NOTE_INFO, NOTE_WARNING };
enum step_phase { STEP_BEGIN, STEP_END };

struct observer {
	void *ctx;
	int draws; /* it draws one line in place (a terminal): labels may change a few times a second */
	int trace_level; /* the most detail wanted by trace: 1 for -v, 2 for -vv, 0 for none */
	void (*trace)(void *ctx, int level, const char *text);
	void (*note)(void *ctx, enum note_kind kind, const char *text);
	/* bytes of a transfer: done of total (0 when unknown); called with 0, 0 when it ends */
	void (*transfer)(void *ctx, const char *label, uint64_t done, uint64_t total);
	/* a wait for `label` ("function 'x' to become Active"), elapsed seconds so far; -1 when it ends */
	void (*wait)(void *ctx, const char *label, double elapsed);
	/*
	 * A step of the work begins ("creating function 'x'") or ends ("function
	 * 'x': created", "function 'x': failed") after `elapsed` seconds. Steps
	 * come one at a time, each begun ended before the next begins; waits and
	 * transfers come within them.
	 */
	void (*step)(void *ctx, enum step_phase phase, const char *label, double elapsed);
};

/* Whether o wants trace text of this level (so that costly text is not made for nothing). */
int observe_tracing(const struct observer *o, int level);
void observe_trace(const struct observer *o, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void observe_note(const struct observer *o, enum note_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void observe_transfer(const struct observer *o, const char *label, uint64_t done, uint64_t total);
void observe_wait(const struct observer *o, const char *label, double elapsed);
void observe_step(const struct observer *o, enum step_phase phase, double elapsed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
