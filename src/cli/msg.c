#include "cli/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

static int level = MSG_NORMAL;
static int color;
static void (*sink)(void *ctx, const char *text, size_t len);
static void *sink_ctx;

void msg_set_sink(void (*fn)(void *ctx, const char *text, size_t len), void *ctx)
{
	sink = fn;
	sink_ctx = ctx;
}

void msg_set_level(int l)
{
	level = l;
}

int msg_level(void)
{
	return level;
}

void msg_set_color(int enabled)
{
	color = enabled && msg_stderr_is_tty();
}

int msg_color(void)
{
	return color;
}

int msg_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO);
}

/* one message, whole: to the sink when one is set, else to stderr in one write */
static void put(const char *lead, const char *fmt, va_list ap)
{
	char small[1024], *text = small;
	int n, lead_len = (int)strlen(lead);
	va_list again;

	va_copy(again, ap);
	n = vsnprintf(small + lead_len, sizeof(small) - (size_t)lead_len - 1, fmt, ap);
	if (n < 0) {
		va_end(again);
		return;
	}
	if ((size_t)n + (size_t)lead_len + 2 > sizeof(small)) {
		text = malloc((size_t)n + (size_t)lead_len + 2);
		if (!text) {
			va_end(again);
			return;
		}
		vsnprintf(text + lead_len, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	memcpy(text, lead, (size_t)lead_len);
	text[lead_len + n] = '\n';
	text[lead_len + n + 1] = '\0';
	if (sink)
		sink(sink_ctx, text, (size_t)(lead_len + n + 1));
	else
		fputs(text, stderr);
	if (text != small)
		free(text);
}

static void emit(const char *prefix, const char *colour, const char *fmt, va_list ap)
{
	char lead[64];

	if (color && colour)
		snprintf(lead, sizeof(lead), "blambda: \033[%sm%s\033[0m", colour, prefix);
	else
		snprintf(lead, sizeof(lead), "blambda: %s", prefix);
	put(lead, fmt, ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error: ", "1;31", fmt, ap);
	va_end(ap);
	return -1;
}

int error_exit(enum exit_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error: ", "1;31", fmt, ap);
	va_end(ap);
	return (int)status;
}

int error_print(const struct error *e)
{
	struct buf m = BUF_INIT;
	enum exit_status status = e->exit ? e->exit : EXIT_FAIL;

	error_format(e, &m);
	error("%s", m.ptr);
	if (e->hint)
		hint("%s", e->hint);
	buf_release(&m);
	return (int)status;
}

int error_print_release(struct error *e)
{
	int status = error_print(e);

	error_release(e);
	return status;
}

void warning_error(const struct error *e)
{
	struct buf m = BUF_INIT;

	error_format(e, &m);
	warning("%s", m.ptr);
	if (e->hint)
		hint("%s", e->hint);
	buf_release(&m);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning: ", "1;33", fmt, ap);
	va_end(ap);
}

void hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(color ? "\033[36mhint:\033[0m " : "hint: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (level < MSG_NORMAL)
		return;
	va_start(ap, fmt);
	put("", fmt, ap);
	va_end(ap);
}

void verbose(int lvl, const char *fmt, ...)
{
	va_list ap;

	if (level < lvl)
		return;
	va_start(ap, fmt);
	put("* ", fmt, ap);
	va_end(ap);
}
