#ifndef BLAMBDA_CORE_INTERRUPT_H
#define BLAMBDA_CORE_INTERRUPT_H

/*
 * A request to stop, made by a signal (Ctrl-C) and looked at by long work
 * at the points where stopping leaves things whole: deploy between its
 * steps and while it waits, never in the middle of a call to AWS. What was
 * done can then be said, and a rerun finishes the rest. The command that
 * catches the signal calls interrupt_request() from its handler.
 */

/* Ask the work under way to stop; `sig` is the signal that asked. Safe in a signal handler. */
void interrupt_request(int sig);
/* The signal that asked to stop, or 0 while nobody has. */
int interrupt_requested(void);

#endif
