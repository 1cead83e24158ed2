#ifndef BLAMBDA_CORE_ERROR_H
#define BLAMBDA_CORE_ERROR_H

#include "core/buf.h"

/*
 * What went wrong, as a value. Modules below cmd/ never print and never
 * exit: a function that can fail returns -1 (or an enum) and fills the
 * `struct error *` its caller passed. cmd/ and main() print it ("blambda:
 * error: MESSAGE", then "hint: HINT") and choose the exit status from its
 * class. An AWS call that failed also carries AWS's code, HTTP status and
 * request id (see aws_error_parse).
 *
 * Messages say what failed first, the subject in quotes, then the cause:
 * "cannot read 'blambda.yml': No such file or directory". A caller that
 * knows more of the context puts it in front with error_prefix().
 */

/* The exit statuses, documented in the man page (EXIT STATUS). */
enum exit_status {
	EXIT_OK = 0,
	EXIT_FAIL = 1,        /* the operation failed */
	EXIT_USAGE = 2,       /* bad command line, bad blambda.yml, or missing configuration */
	EXIT_AWS = 3,         /* AWS refused the request (credentials, permissions, service error) */
	EXIT_NETWORK = 4,     /* a download or AWS endpoint could not be reached */
	EXIT_FUNCTION = 5,    /* the function answered an error, timed out, crashed or ran out of memory */
	EXIT_INTERRUPTED = 130,
};

struct error {
	enum exit_status exit; /* the class of the failure; EXIT_OK while nothing failed */
	char *what;            /* what was being done, put in front by error_prefix(), or NULL */
	char *message;         /* for people, one line */
	char *hint;            /* what the user can do about it, or NULL */
	char *code;            /* for programs: AWS's error code, or blambda's own ("NetworkError"); or NULL */
	long status;           /* nonzero: the HTTP status of the answer that was this error (AWS answered) */
	char *request_id;      /* AWS's request id, or NULL */
	int attempts;          /* how many times the call was tried */
};
#define ERROR_INIT { EXIT_OK, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/* Replace what e holds with a failure of class `exit` (EXIT_FAIL when 0) and this message. Returns -1. */
int error_set(struct error *e, enum exit_status exit, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Set the hint (after error_set). Returns -1. */
int error_hint(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Put what was being done in front of what is there: "WHAT: message" (outermost first). */
void error_prefix(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when e holds a failure. */
int error_failed(const struct error *e);
/* 1 when AWS (or the server asked) answered with this error code. */
int error_is(const struct error *e, const char *code);
/*
 * The error as it is shown, every part from outside made printable: what
 * was being done ("WHAT: "), then for an answer AWS gave "CODE: MESSAGE
 * (request id ID) after N attempts", otherwise the message.
 */
void error_format(const struct error *e, struct buf *out);
/* Move src into dst (dst's old contents released); src is left empty. */
void error_move(struct error *dst, struct error *src);
/* Make dst a deep copy of src (dst's old contents released). */
void error_copy(struct error *dst, const struct error *src);
void error_release(struct error *e);

#endif
