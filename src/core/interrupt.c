#include "core/interrupt.h"

#include <stdatomic.h>

/* written by a signal handler, read by every thread of a deploy: a lock-free atomic is safe for both */
static atomic_int requested;

void interrupt_request(int sig)
{
	atomic_store(&requested, sig > 0 ? sig : 1);
}

int interrupt_requested(void)
{
	return atomic_load(&requested);
}
