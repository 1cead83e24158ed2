#include "core/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static char *vformat(const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	buf_vaddf(&b, fmt, ap);
	return buf_detach(&b);
}

int error_set(struct error *e, enum exit_status exit, const char *fmt, ...)
{
	va_list ap;

	error_release(e);
	e->exit = exit ? exit : EXIT_FAIL;
	va_start(ap, fmt);
	e->message = vformat(fmt, ap);
	va_end(ap);
	return -1;
}

int error_hint(struct error *e, const char *fmt, ...)
{
	va_list ap;

	free(e->hint);
	va_start(ap, fmt);
	e->hint = vformat(fmt, ap);
	va_end(ap);
	if (!e->exit)
		e->exit = EXIT_FAIL;
	return -1;
}

void error_prefix(struct error *e, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (e->what)
		buf_addf(&b, ": %s", e->what);
	free(e->what);
	e->what = buf_detach(&b);
	if (!e->exit)
		e->exit = EXIT_FAIL;
}

int error_failed(const struct error *e)
{
	return e->exit != EXIT_OK;
}

int error_is(const struct error *e, const char *code)
{
	return e->status && e->code && !strcmp(e->code, code);
}

static void add_printable(struct buf *out, const char *s)
{
	buf_add_printable(out, s, strlen(s), 0);
}

void error_format(const struct error *e, struct buf *out)
{
	if (e->what) {
		add_printable(out, e->what);
		buf_adds(out, ": ");
	}
	if (!e->status) {
		add_printable(out, e->message ? e->message : "failed");
		return;
	}
	add_printable(out, e->code ? e->code : "error");
	if (e->message && *e->message) {
		buf_adds(out, ": ");
		add_printable(out, e->message);
	}
	if (e->request_id) {
		buf_adds(out, " (request id ");
		add_printable(out, e->request_id);
		buf_addch(out, ')');
	}
	if (e->attempts > 1)
		buf_addf(out, " after %d attempts", e->attempts);
}

void error_move(struct error *dst, struct error *src)
{
	struct error empty = ERROR_INIT;

	error_release(dst);
	*dst = *src;
	*src = empty;
}

void error_copy(struct error *dst, const struct error *src)
{
	struct error c = *src;

	c.what = xstrdup_or_null(src->what);
	c.message = xstrdup_or_null(src->message);
	c.hint = xstrdup_or_null(src->hint);
	c.code = xstrdup_or_null(src->code);
	c.request_id = xstrdup_or_null(src->request_id);
	error_release(dst);
	*dst = c;
}

void error_release(struct error *e)
{
	struct error empty = ERROR_INIT;

	free(e->what);
	free(e->message);
	free(e->hint);
	free(e->code);
	free(e->request_id);
	*e = empty;
}
