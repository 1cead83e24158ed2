#ifndef BLAMBDA_CLI_MSG_H
#define BLAMBDA_CLI_MSG_H

#include <stddef.h>

#include "core/error.h"

/*
 * Messages to the user, for commands and main() only: the modules below
 * them never print (they fill a struct error and tell an observer), and the
 * build keeps them from calling anything here. Everything here writes to
 * stderr; stdout is for data.
 *
 * error_print() shows an error value ("blambda: error: ...", then its hint)
 * and returns its exit status; error_exit() says what a command finds
 * itself and returns the exit status to end with. A command returns its
 * exit status to main(): nothing here keeps one.
 */

enum msg_level { MSG_QUIET = -1, MSG_NORMAL = 0, MSG_VERBOSE = 1, MSG_DEBUG = 2 };

void msg_set_level(int level);
/*
 * Hand every message, whole and with its line break, to fn instead of
 * writing it to stderr (NULL: stderr again). For commands whose stderr is
 * written by a thread of its own (blambda local), so that no other thread
 * ever waits on a stderr nobody reads. fn must not block.
 */
void msg_set_sink(void (*fn)(void *ctx, const char *text, size_t len), void *ctx);
int msg_level(void);
/* Colour applies to stderr only, and only when it is a terminal and NO_COLOR is unset. */
void msg_set_color(int enabled);
int msg_color(void);
/* 1 if stderr is a terminal (progress bars are drawn only then). */
int msg_stderr_is_tty(void);

/* "blambda: error: ..." on stderr; -1. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like error(), for a command's own finding: returns `status`, the exit status to end with. */
int error_exit(enum exit_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Print an error value: "blambda: error: MESSAGE" (see error_format), then
 * its hint. Returns its exit status (EXIT_FAIL when it has none).
 */
int error_print(const struct error *e);
/* error_print(), then error_release(). */
int error_print_release(struct error *e);
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error value said as a warning ("blambda: warning: MESSAGE"), then its hint: something failed that is not fatal. */
void warning_error(const struct error *e);
/* A hint the user can act on ("hint: ..."), printed after an error. */
void hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and results for humans; silenced by -q. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Details shown with -v (level 1) or -vv (level 2). */
void verbose(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
