#ifndef BLAMBDA_CORE_OUTQ_H
#define BLAMBDA_CORE_OUTQ_H

#include <stddef.h>

/*
 * An output queue: text handed to it is written to a file descriptor by a
 * thread of its own, so a writer never waits on a reader that has stopped
 * reading (a pager, Ctrl-S, a pipe nobody drains). It holds at most
 * OUTQ_MAX bytes; past that, lines are dropped and counted, and the count
 * is written once the reader drains it again.
 */
#define OUTQ_MAX (8u << 20)

struct outq;

/* A queue writing to fd (on the heap: one given up on lives, with its thread, until exit). */
struct outq *outq_start(int fd);
/* Queue text (with `prefix | ` in front when prefix is set, and a line break when newline); never waits. */
void outq_add(struct outq *q, const char *prefix, const char *text, size_t len, int newline);
/* Write what is queued and stop; a descriptor that stays blocked for two seconds is given up on. */
void outq_stop(struct outq *q);

#endif
