#include "core/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int level = MSG_NORMAL;
static int color;
static enum exit_status recorded = EXIT_OK;
static int muted;

void msg_mute(int on)
{
	muted = on;
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

static void emit(const char *prefix, const char *colour, const char *fmt, va_list ap)
{
	if (muted)
		return;
	if (color && colour)
		fprintf(stderr, "blambda: \033[%sm%s\033[0m", colour, prefix);
	else
		fprintf(stderr, "blambda: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error: ", "1;31", fmt, ap);
	va_end(ap);
	return -1;
}

int error_status(enum exit_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error: ", "1;31", fmt, ap);
	va_end(ap);
	if (recorded == EXIT_OK || recorded == EXIT_FAIL)
		recorded = status;
	return -1;
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

	if (muted)
		return;
	va_start(ap, fmt);
	if (color)
		fputs("\033[36mhint:\033[0m ", stderr);
	else
		fputs("hint: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (level < MSG_NORMAL)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void verbose(int lvl, const char *fmt, ...)
{
	va_list ap;

	if (level < lvl)
		return;
	va_start(ap, fmt);
	fputs("* ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

enum exit_status msg_exit_status(void)
{
	return recorded == EXIT_OK ? EXIT_FAIL : recorded;
}

void msg_reset_status(void)
{
	recorded = EXIT_OK;
}
