#ifndef BLAMBDA_CLI_TERM_H
#define BLAMBDA_CLI_TERM_H

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/observer.h"

/*
 * What commands show while modules work, and the data they print.
 *
 * term_observer() is the observer commands hand to modules: notes as lines
 * on stderr (info is silenced by -q), trace lines with -v / -vv, and on a
 * terminal (not with -q) a progress bar for a transfer and a spinner for a
 * wait, redrawn in place and cleared when done (never in CI: see
 * term_in_ci). One bar or spinner is drawn
 * at a time; its callbacks may be called from several threads.
 */
const struct observer *term_observer(void);
/* The same without bars and spinners (work in several regions at once). */
const struct observer *term_observer_plain(void);
/*
 * Steps (observer.step) and waits said as plain lines on stderr when no
 * spinner is drawn (off a terminal, in CI), for observers made after this
 * call: deploy, unless --json. On a terminal a step is a spinner with its
 * time, cleared when it ends.
 */
void term_plain_steps(int enabled);
/*
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP ask the work under way to stop at its
 * next safe point (core/interrupt.h) and say so; a second signal ends
 * blambda at once. Signals ignored when blambda started stay ignored.
 * term_release_interrupts() puts back what was there.
 */
void term_catch_interrupts(void);
void term_release_interrupts(void);

/*
 * 1 when CI is set (to anything but "", "0", or "false", "no", "off" in any
 * case), as CI services set it: nothing waits on a terminal.
 */
int term_in_ci(void);
/* 1 when a question may be asked: stdin and stderr are a terminal, and this is no CI run. */
int term_can_ask(void);

/* Ask a yes/no question on the terminal (stderr, then a line of stdin); 1 for y or yes, in any case. */
int term_confirm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "not DOING without --yes: ..." (no terminal, or CI) with a hint naming the dry run; the exit status. */
int term_refuse_unasked(const char *doing, const char *dry_run);

/* Print a --json answer on stdout, one document, and free it. */
void json_print(cJSON *root);
/*
 * The one shape of a failure in --json output: o gets "error": {"step"
 * (what was being done, when known), "code" (AWS's error code or
 * blambda's own, "" when none), "message", "request_id" (when AWS gave
 * one)}.
 */
void json_add_error(cJSON *o, const char *step, const struct error *e);

#endif
