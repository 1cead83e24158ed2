#ifndef BLAMBDA_CLI_RESULT_H
#define BLAMBDA_CLI_RESULT_H

#include "core/buf.h"

/*
 * An invocation's result as `blambda invoke` and `blambda local invoke`
 * show it: the payload on stdout (or one JSON object with --json), and for
 * a function error its type, message and stack trace on stderr with exit
 * status EXIT_FUNCTION.
 */
struct invoke_view {
	const char *name;             /* the function, for messages */
	long status_code;
	const char *executed_version;
	const char *function_error;   /* "Unhandled", or NULL */
	const char *error_type;       /* the error's type when known (else read from the payload) */
	const struct buf *payload;
	const struct buf *log;
};

/* Print the payload and, for a failure, the error. The exit status: EXIT_OK or EXIT_FUNCTION. */
int invoke_view_print(const struct invoke_view *v);
/* The object --json prints, with the fields every invoke shares; the caller adds its own and prints it. */
struct cJSON *invoke_view_json(const struct invoke_view *v);

#endif
