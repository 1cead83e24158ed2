#ifndef BLAMBDA_LOCAL_INSTANCE_H
#define BLAMBDA_LOCAL_INSTANCE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/payload.h"
#include "core/strlist.h"

/*
 * One execution environment of a function on this machine, as Lambda runs
 * one: the layer's `bootstrap` (host architecture) started under a keeper
 * (local/keeper.h), in Lambda's file system when fn->sandbox, against a
 * Runtime API served by blambda on loopback, kept warm and frozen between
 * invocations, killed and started afresh after a timeout, a crash, an init
 * error or a run over its memory. Every invocation gets a result and its
 * log: the runtime's own output, INIT_START, START, END and REPORT lines in
 * Lambda's format, Max Memory Used measured from every process of the
 * environment.
 *
 * Nothing here prints: the runtime's output and those lines go to the log
 * callback as they happen, and into the result.
 */

/* Lambda's limits, as its Runtime Interface Emulator enforces them */
#define LOCAL_MAX_RESPONSE 6291556 /* bytes a response may have */
#define LOCAL_MAX_REQUEST PAYLOAD_MAX /* bytes a synchronous request may have */
#define LOCAL_EVENT_MAX (256 * 1024)  /* bytes an asynchronous (Event) request may have, as in Lambda */
#define LOCAL_INIT_LIMIT_S 10      /* an init takes at most this long, then counts against the timeout */

/* How to run one function: made once, shared by reference, never changed (a new one replaces it). */
struct local_fn {
	int refs;
	char *name, *handler, *region, *account;
	char *runtime;         /* function.runtime: provided.al2023 */
	long reserved;         /* function.reserved-concurrency, or -1: at most this many instances serve it */
	long async_retries;    /* function.async.max-retries (Lambda's default: 2) */
	long async_max_age_s;  /* function.async.max-event-age (Lambda's default: 21600) */
	char *on_success;      /* function.async.on-success, or NULL */
	char *on_failure;      /* function.async.on-failure, or NULL */
	long memory_mb, timeout_s;
	char *task_root;       /* absolute: the first source path (LAMBDA_TASK_ROOT and the working directory) */
	char *opt_dir;         /* absolute: bootstrap, blambda/runtime.clj and the deps layer, as /opt in Lambda */
	char *bb;              /* the host's Babashka (BLAMBDA_BB of the runtime) */
	int sandbox;           /* run in Lambda's file system, see local/sandbox.h */
	long tmp_mb;           /* the size of its /tmp there (function.ephemeral-storage) */
	struct strlist keep;   /* the host paths it reaches by name there: the source paths, bb's directory */
	struct kvlist env;     /* the rest of the environment: configured variables, credentials, PATH, ... */
	struct strlist routes; /* its http routes (function.events): "GET /hello/{name}" */
};

/* A new description with one reference; local_fn_unref frees it (wiping env) with the last. */
struct local_fn *local_fn_new(void);
struct local_fn *local_fn_ref(struct local_fn *fn);
void local_fn_unref(struct local_fn *fn);

struct local_request {
	const char *payload;        /* the event, JSON */
	size_t len;
	const char *client_context; /* JSON, or NULL */
	const char *identity;       /* JSON, or NULL */
	const char *request_id;     /* the invocation's id (an Event retried keeps its own), or NULL for a new one */
};

enum local_outcome {
	LOCAL_OK,             /* the function answered */
	LOCAL_FUNCTION_ERROR, /* it reported an error (handler, init) or answered too much */
	LOCAL_TIMEOUT,        /* it ran past the timeout and was killed */
	LOCAL_EXIT,           /* the runtime exited */
	LOCAL_OOM,            /* it used more than its memory and was killed */
};

struct local_result {
	enum local_outcome outcome;
	char request_id[37];
	struct buf payload;    /* the answer, or the error as Lambda gives it to the caller */
	char *error_type;      /* NULL on LOCAL_OK */
	char *content_type;    /* the Content-Type the runtime posted its answer with, or NULL */
	struct buf log;        /* the output since the last invocation's REPORT, this one's START..REPORT */
	double duration_ms, init_ms; /* init_ms < 0: a warm start */
	long billed_ms, memory_mb, max_memory_mb;
};

void local_result_init(struct local_result *r);
void local_result_release(struct local_result *r);

/*
 * Where each log line goes as it is made (without its line break). It is
 * called with the instance locked, to keep the lines in order: it must not
 * block (queue the line; never write to a terminal or pipe from it).
 */
typedef void (*local_log_fn)(void *ctx, const struct local_fn *fn, const char *line, size_t len);

struct local_instance;

struct local_instance *local_instance_new(local_log_fn log, void *log_ctx);
/*
 * Run one invocation of fn, starting the runtime first when none is running
 * or the one running was started from another description (an edit under
 * --watch). Blocks until the invocation ends. 0 with *res filled whatever
 * the function did; -1 with err when the runtime could not be started at
 * all, or the instance was aborted (local_instance_abort: EXIT_INTERRUPTED).
 */
int local_invoke(struct local_instance *in, struct local_fn *fn, const struct local_request *req,
		 struct local_result *res, struct error *err);
/* The description of the running runtime (a new reference), or NULL. */
struct local_fn *local_instance_fn(struct local_instance *in);
/*
 * Kill the runtime now and for good: an invocation in progress ends (as a
 * runtime exit) and later ones do not start one. For a signal to blambda.
 */
void local_instance_abort(struct local_instance *in);
/* Stop the runtime (as local_instance_free does) and keep the instance for a later start. */
void local_instance_stop(struct local_instance *in);
/* Stop the runtime (SIGTERM, then SIGKILL after a second) and free everything. */
void local_instance_free(struct local_instance *in);

#endif
