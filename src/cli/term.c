#include "cli/term.h"

#include "core/json.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <unistd.h>

#include "cli/msg.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/interrupt.h"
#include "core/xalloc.h"

/*
 * The one line drawn in place on a terminal: a bar, a wait's spinner, or the
 * step under way with its time so far (redrawn by a ticker thread while
 * nothing else draws); `drawn` when something is on it.
 */
static pthread_mutex_t line_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t step_cond = PTHREAD_COND_INITIALIZER;
static int drawn;
static double last_draw;
static unsigned frame;
static const char *const frames[] = { "|", "/", "-", "\\" };
/* the step under way (its label made printable), and the thread that keeps its spinner turning */
static struct buf step_label = BUF_INIT;
static double step_start;
static int step_active, ticking;
static int bar_full; /* a bar drawn full: the transfer is over but for its answer */
static pthread_t ticker;
/* steps said as plain lines when nothing is drawn (deploy, unless --json); the wait said last */
static int plain_steps;
static char *plain_wait;

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
	bar_full = 0;
	if (drawn)
		fputs("\r\033[K", stderr);
	drawn = 0;
	fflush(stderr);
}

/* The step under way and its time so far, with the lock held */
static void draw_step(void)
{
	fprintf(stderr, "\r%s %s (%.0f s)\033[K", frames[frame++ % 4], step_label.ptr, clock_seconds() - step_start);
	fflush(stderr);
	drawn = 1;
	last_draw = clock_seconds();
}

/* While a step is under way: its spinner, each time nothing else (a wait, a bar) was drawn for a moment */
static void *tick(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&line_lock);
	while (step_active) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&step_cond, &line_lock, &until);
		if (step_active && clock_seconds() - last_draw >= 0.5)
			draw_step();
	}
	pthread_mutex_unlock(&line_lock);
	return NULL;
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

/* A size for people: "340 KB", "12.5 MB" */
static void add_size(struct buf *b, uint64_t bytes)
{
	if (bytes >= 1048576)
		buf_addf(b, "%.1f MB", (double)bytes / 1048576.0);
	else
		buf_addf(b, "%.0f KB", (double)bytes / 1024.0);
}

/* A transfer's bar, redrawn at most ten times a second; 0, 0 clears it. */
static void on_transfer(void *ctx, const char *label, uint64_t done, uint64_t total)
{
	double now = clock_seconds();

	(void)ctx;
	pthread_mutex_lock(&line_lock);
	if (!done && !total) {
		clear_line();
	} else if (step_active && done == total && bar_full) {
		; /* all sent, the answer awaited: the step's spinner turns again, not a frozen full bar */
	} else if (now - last_draw >= 0.1 || done == total) {
		last_draw = now;
		drawn = 1;
		bar_full = done == total;
		if (total) {
			int width = 30, filled = (int)((double)done / (double)total * width);

			struct buf of = BUF_INIT;

			add_size(&of, done);
			buf_addch(&of, '/');
			add_size(&of, total);
			fprintf(stderr, "\r%s [%-*.*s] %3d%% %s\033[K", label, width, filled,
				"##############################", (int)(done * 100 / total), of.ptr);
			buf_release(&of);
		} else {
			struct buf of = BUF_INIT;

			add_size(&of, done);
			fprintf(stderr, "\r%s %s\033[K", label, of.ptr);
			buf_release(&of);
		}
		fflush(stderr);
	}
	pthread_mutex_unlock(&line_lock);
}

/* A wait's spinner with the time waited so far; elapsed < 0 clears it. */
static void on_wait(void *ctx, const char *label, double elapsed)
{
	(void)ctx;
	pthread_mutex_lock(&line_lock);
	if (elapsed < 0) {
		clear_line();
		last_draw = 0; /* the step's own spinner again */
	} else {
		drawn = 1;
		last_draw = clock_seconds();
		fprintf(stderr, "\r%s waiting for %s (%.0f s)\033[K", frames[frame++ % 4], label, elapsed);
		fflush(stderr);
	}
	pthread_mutex_unlock(&line_lock);
}

/* Off a terminal: a wait said once as it begins, with what it waits for */
static void on_wait_plain(void *ctx, const char *label, double elapsed)
{
	(void)ctx;
	pthread_mutex_lock(&line_lock);
	if (elapsed < 0) {
		free(plain_wait);
		plain_wait = NULL;
	} else if (!plain_wait || strcmp(plain_wait, label)) {
		free(plain_wait);
		plain_wait = xstrdup(label);
		info("waiting for %s", label);
	}
	pthread_mutex_unlock(&line_lock);
}

/* A step on a terminal: its spinner while under way, gone when it ends (the command says what was done) */
static void on_step(void *ctx, enum step_phase phase, const char *label, double elapsed)
{
	(void)ctx;
	(void)elapsed;
	pthread_mutex_lock(&line_lock);
	if (phase == STEP_BEGIN) {
		buf_reset(&step_label);
		buf_add_printable(&step_label, label, strlen(label), 0);
		step_start = clock_seconds();
		step_active = 1;
		draw_step();
		if (!ticking && !pthread_create(&ticker, NULL, tick, NULL))
			ticking = 1;
	} else {
		step_active = 0;
		clear_line();
		pthread_cond_signal(&step_cond);
	}
	pthread_mutex_unlock(&line_lock);
	if (phase == STEP_END && ticking) {
		pthread_join(ticker, NULL);
		ticking = 0;
	}
}

/* A step off a terminal: a line as it begins, and one as it ends with its time */
static void on_step_plain(void *ctx, enum step_phase phase, const char *label, double elapsed)
{
	struct buf b = BUF_INIT;

	(void)ctx;
	buf_add_printable(&b, label, strlen(label), 0);
	if (phase == STEP_BEGIN)
		info("%s", b.ptr);
	else
		info("%s (%.1f s)", b.ptr, elapsed);
	buf_release(&b);
}

void term_plain_steps(int enabled)
{
	plain_steps = enabled;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction stop_saved[3];
static int stop_caught[3];

/* The first signal asks to stop and says so (write(2) alone: a signal handler); the next ends blambda */
static void on_stop(int sig)
{
	static const char said_int[] = "blambda: stopping after the call under way (Ctrl-C again to stop at once)\n";
	static const char said_other[] = "blambda: stopping after the call under way (a second signal stops at once)\n";
	const char *said = sig == SIGINT ? said_int : said_other;
	size_t len = sig == SIGINT ? sizeof(said_int) - 1 : sizeof(said_other) - 1;
	int saved = errno;
	ssize_t w = 0;

	interrupt_request(sig);
	for (size_t i = 0; i < 3; i++) /* the next signal, of any of the three, ends blambda */
		if (stop_caught[i])
			signal(stop_signals[i], SIG_DFL);

	/* a failed write: nothing to be done about it here */
	if (isatty(STDERR_FILENO))
		w = write(STDERR_FILENO, "\r\033[K", 4);
	w += write(STDERR_FILENO, said, len);
	(void)w;
	errno = saved;
}

void term_catch_interrupts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 3; i++) {
		stop_caught[i] = !sigaction(stop_signals[i], NULL, &stop_saved[i]) && stop_saved[i].sa_handler != SIG_IGN &&
				 !sigaction(stop_signals[i], &sa, NULL);
	}
}

void term_release_interrupts(void)
{
	for (size_t i = 0; i < 3; i++)
		if (stop_caught[i])
			sigaction(stop_signals[i], &stop_saved[i], NULL);
	memset(stop_caught, 0, sizeof(stop_caught));
}

const struct observer *term_observer(void)
{
	static struct observer o;

	o.trace_level = msg_level() > 0 ? msg_level() : 0;
	o.trace = on_trace;
	o.note = on_note;
	o.draws = drawing();
	o.transfer = drawing() ? on_transfer : NULL;
	o.wait = drawing() ? on_wait : plain_steps && msg_level() >= MSG_NORMAL ? on_wait_plain : NULL;
	o.step = drawing() ? on_step : plain_steps && msg_level() >= MSG_NORMAL ? on_step_plain : NULL;
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
