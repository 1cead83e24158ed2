#ifndef BLAMBDA_CORE_PROGRESS_H
#define BLAMBDA_CORE_PROGRESS_H

#include <stdint.h>

/* A one-line progress bar on stderr; callers create one only when stderr is a terminal. */
struct progress;

struct progress *progress_new(const char *label);
/* total 0: unknown size, shows bytes only. Redraws at most every 100 ms. */
void progress_update(struct progress *p, uint64_t done, uint64_t total);
/* Clears the line and frees p; NULL is fine. */
void progress_done(struct progress *p);

#endif
