#include "core/observer.h"

#include <stdarg.h>

#include "core/buf.h"

int observe_tracing(const struct observer *o, int level)
{
	return o && o->trace && level <= o->trace_level;
}

void observe_trace(const struct observer *o, int level, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!observe_tracing(o, level))
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	o->trace(o->ctx, level, b.ptr);
	buf_release(&b);
}

void observe_note(const struct observer *o, enum note_kind kind, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!o || !o->note)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	o->note(o->ctx, kind, b.ptr);
	buf_release(&b);
}

void observe_transfer(const struct observer *o, const char *label, uint64_t done, uint64_t total)
{
	if (o && o->transfer)
		o->transfer(o->ctx, label, done, total);
}

void observe_wait(const struct observer *o, const char *label, double elapsed)
{
	if (o && o->wait)
		o->wait(o->ctx, label, elapsed);
}

void observe_step(const struct observer *o, enum step_phase phase, double elapsed, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (!o || !o->step)
		return;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	o->step(o->ctx, phase, b.ptr, elapsed);
	buf_release(&b);
}
