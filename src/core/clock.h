#ifndef BLAMBDA_CORE_CLOCK_H
#define BLAMBDA_CORE_CLOCK_H

/* Seconds from a monotonic clock: for durations, never for dates. */
double clock_seconds(void);

struct buf;
/* Milliseconds since the epoch. */
long long clock_epoch_ms(void);
/* ms since the epoch as ISO 8601 UTC with milliseconds ("2026-11-28T09:30:00.123Z"), appended to out. */
void clock_iso8601_ms(long long ms, struct buf *out);

#endif
