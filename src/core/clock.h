#ifndef BLAMBDA_CORE_CLOCK_H
#define BLAMBDA_CORE_CLOCK_H

/* Seconds from a monotonic clock: for durations, never for dates. */
double clock_seconds(void);

#endif
