#include "cli/term.h"

#include "core/json.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/msg.h"
#include "core/clock.h"

/* the one line drawn in place: a bar or a spinner; `drawn` when something is on it */
static pthread_mutex_t line_lock = PTHREAD_MUTEX_INITIALIZER;
static int drawn;
static double last_draw;
static unsigned frame;

int term_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && *ci && strcasecmp(ci, "false") && strcasecmp(ci, "no") && strcasecmp(ci, "off") && strcmp(ci, "0");
}

int term_can_ask(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO) && !term_in_ci();
}

static int drawing(void)
{
	return msg_stderr_is_tty() && msg_level() >= MSG_NORMAL && !term_in_ci();
}

static void clear_line(void)
{
	if (drawn)
		fputs("\r\033[K", stderr);
	drawn = 0;
	fflush(stderr);
}

static void on_trace(void *ctx, int level, const char *text)
{
	(void)ctx;
	pthread_mutex_lock(&line_lock);
	clear_line();
	pthread_mutex_unlock(&line_lock);
	verbose(level, "%s", text);
}

static void on_note(void *ctx, enum note_kind kind, const char *text)
{
	(void)ctx;
	pthread_mutex_lock(&line_lock);
	clear_line();
	pthread_mutex_unlock(&line_lock);
	if (kind == NOTE_WARNING)
		warning("%s", text);
	else
		info("%s", text);
}

/* A transfer's bar, redrawn at most ten times a second; 0, 0 clears it. */
static void on_transfer(void *ctx, const char *label, uint64_t done, uint64_t total)
{
	double now = clock_seconds();

	(void)ctx;
	pthread_mutex_lock(&line_lock);
	if (!done && !total) {
		clear_line();
	} else if (now - last_draw >= 0.1 || done == total) {
		last_draw = now;
		drawn = 1;
		if (total) {
			int width = 30, filled = (int)((double)done / (double)total * width);

			fprintf(stderr, "\r%s [%-*.*s] %3d%% %.1f/%.1f MB\033[K", label, width, filled,
				"##############################", (int)(done * 100 / total), (double)done / 1048576.0,
				(double)total / 1048576.0);
		} else {
			fprintf(stderr, "\r%s %.1f MB\033[K", label, (double)done / 1048576.0);
		}
		fflush(stderr);
	}
	pthread_mutex_unlock(&line_lock);
}

/* A wait's spinner with the time waited so far; elapsed < 0 clears it. */
static void on_wait(void *ctx, const char *label, double elapsed)
{
	static const char *const frames[] = { "|", "/", "-", "\\" };

	(void)ctx;
	pthread_mutex_lock(&line_lock);
	if (elapsed < 0) {
		clear_line();
	} else {
		drawn = 1;
		fprintf(stderr, "\r%s waiting for %s (%.0f s)\033[K", frames[frame++ % 4], label, elapsed);
		fflush(stderr);
	}
	pthread_mutex_unlock(&line_lock);
}

const struct observer *term_observer(void)
{
	static struct observer o;

	o.trace_level = msg_level() > 0 ? msg_level() : 0;
	o.trace = on_trace;
	o.note = on_note;
	o.transfer = drawing() ? on_transfer : NULL;
	o.wait = drawing() ? on_wait : NULL;
	return &o;
}

const struct observer *term_observer_plain(void)
{
	static struct observer o;

	o.trace_level = msg_level() > 0 ? msg_level() : 0;
	o.trace = on_trace;
	o.note = on_note;
	return &o;
}

void json_print(cJSON *root)
{
	struct buf text = BUF_INIT;

	json_pretty(root, &text);
	puts(text.ptr);
	buf_release(&text);
	cJSON_Delete(root);
}

void json_add_error(cJSON *o, const char *step, const struct error *e)
{
	cJSON *j = cJSON_AddObjectToObject(o, "error");
	const char *code = e->code ? e->code : e->exit == EXIT_NETWORK ? "NetworkError" : "Error";

	if (step)
		json_add_text(j, "step", step, strlen(step));
	json_add_text(j, "code", code, strlen(code));
	json_add_text(j, "message", e->message ? e->message : "", e->message ? strlen(e->message) : 0);
	if (e->request_id)
		json_add_text(j, "request_id", e->request_id, strlen(e->request_id));
}

int term_confirm(const char *fmt, ...)
{
	char answer[16] = "";
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" [y/N] ", stderr);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin)) {
		fputc('\n', stderr); /* end the question's line */
		return 0;
	}
	answer[strcspn(answer, "\r\n")] = '\0';
	return !strcasecmp(answer, "y") || !strcasecmp(answer, "yes");
}

int term_refuse_unasked(const char *doing, const char *dry_run)
{
	int r = error_exit(EXIT_USAGE, "not %s without --yes: %s", doing,
			   term_in_ci() ? "CI is set, so nothing is asked" : "there is no terminal to ask on");

	hint("see what it would do with '%s'", dry_run);
	return r;
}
