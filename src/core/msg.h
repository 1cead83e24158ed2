#ifndef BLAMBDA_CORE_MSG_H
#define BLAMBDA_CORE_MSG_H

#include <stddef.h>

#include "core/error.h"

/*
 * Messages to the user. Everything here writes to stderr; stdout is for data.
 *
 * error() prints "blambda: error: ..." and returns -1, so library code can
 * `return error("cannot read '%s': %s", path, strerror(errno));`. The exit
 * status is chosen once, in main(): a failure exits 1 unless the code that
 * reported it named a more specific status with error_status().
 */


enum msg_level { MSG_QUIET = -1, MSG_NORMAL = 0, MSG_VERBOSE = 1, MSG_DEBUG = 2 };

void msg_set_level(int level);
/*
 * Silence every message while on (for a step whose failure is expected and
 * handled, such as looking for optional credentials). Not for threads.
 */
void msg_mute(int on);
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

int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Print an error value: "blambda: error: MESSAGE" (see error_format), then
 * its hint. Returns its exit status (EXIT_FAIL when it has none).
 */
int error_print(const struct error *e);
/* Like error(), and makes `status` the exit status unless a more severe one was recorded. */
int error_status(enum exit_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A hint the user can act on ("hint: ..."), printed after an error. */
void hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and results for humans; silenced by -q. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Details shown with -v (level 1) or -vv (level 2). */
void verbose(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The exit status recorded by error_status(), or EXIT_FAIL if none was. */
enum exit_status msg_exit_status(void);
void msg_reset_status(void);

#endif
