#ifndef BLAMBDA_LOCAL_INTERNAL_H
#define BLAMBDA_LOCAL_INTERNAL_H

/*
 * The instance's insides, shared by its three parts and nothing else:
 * instance.c (invocations and their reports), runtime.c (starting,
 * watching and stopping the runtime's processes) and runtime_api.c (the
 * Runtime API the runtime talks to).
 *
 * Locking: every field of struct local_instance is under `lock`, and
 * `cond` is broadcast whenever one of them changes something a waiter
 * waits for. Functions that say "called locked" expect the lock held.
 */

#include <pthread.h>
#include <sys/types.h>

#include "local/cgroup.h"
#include "local/httpd.h"
#include "local/instance.h"

#define LOCAL_MAX_TRACKED 1024 /* processes of one environment followed: Lambda's limit on them */

struct invocation {
	char id[37];
	const struct local_request *req;
	int handed_out, done, refused; /* refused: its answer got a 413 */
	int started;           /* its START line is written */
	double handed_at, done_at;
	double phase_at;       /* an init retried in it (suppressed init): when its invoke phase began, else 0 */
	enum local_outcome outcome;
	struct buf payload;
	char *error_type;
	char *content_type; /* of the answer posted, when it said one */
};

/* what a Runtime API server knows of its instance: which runtime it was started for */
struct api_ctx {
	struct local_instance *in;
	unsigned gen;
};

struct local_instance {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	local_log_fn log_cb;
	void *log_ctx;

	/* the runtime now running; fn is NULL when none is */
	struct local_fn *fn;
	unsigned gen;          /* bumped when a runtime starts or stops: a stale /next gets nothing */
	pid_t pid;             /* the environment's keeper (local/keeper.h) */
	pid_t group;           /* bootstrap, and its process group */
	int frozen;            /* its processes stopped while it waits for an invocation */
	struct local_cgroup cgroup; /* the environment's cgroup (local/cgroup.h), or none */
	int cgroup_on;         /* bootstrap is in it: its freezer freezes (else signals do) */
	char *task_copy;       /* outside the sandbox: the read-only copy of the task root it runs in, or NULL */
	int exited, wait_status, oom, log_eof, stop_threads, reader_busy, aborted;
	int at_next;           /* the runtime is waiting in GET /next */
	struct httpd *api;
	struct api_ctx *api_ctx;
	int log_fd;
	pthread_t log_thread, monitor_thread;
	double spawned_at, ready_at; /* ready: its first GET /next; 0 until then */
	int init_reported;
	struct buf init_error;
	char *init_error_type;
	char last_done[37];    /* the invocation answered last: a second answer to it is a wrong transition */
	int init_error_posted;
	long peak_kb;
	pid_t members[LOCAL_MAX_TRACKED]; /* the runtime's processes, as the monitor last found them */
	size_t nmembers;

	struct invocation *cur;
	struct buf log;        /* lines since the last REPORT */
};

/* instance.c */
/* Add a line to the invocation's log and hand it to the log callback; called locked. */
void local_instance_emit(struct local_instance *in, const char *line, size_t len);
void local_instance_emitf(struct local_instance *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 2 * nbytes random hex digits and a NUL into out (nbytes <= 32) */
void local_random_hex(char *out, size_t nbytes);
/* A version 4 UUID, as Lambda's request ids are */
void local_request_id(char out[37]);

/* runtime.c */
/*
 * Start fn's runtime with its Runtime API server; called locked with none
 * running (the lock is dropped for a moment on failure, to stop the server).
 */
int local_runtime_start(struct local_instance *in, struct local_fn *fn, struct error *err);
/*
 * Stop the runtime: SIGTERM first when grace_ms (Lambda's shutdown), else
 * SIGKILL at once (a timeout, a run over memory). Called locked; unlocks
 * while it waits for the threads.
 */
void local_runtime_stop(struct local_instance *in, int grace_ms);
/* SIGKILL to the runtime's process group and every process of it the monitor knows of; called locked */
void local_runtime_kill(struct local_instance *in);
/*
 * Freeze (1) or thaw (0) the environment's processes, as Lambda freezes an
 * environment between invocations: SIGSTOP and SIGCONT to the runtime's
 * process group and to what left it. Called locked.
 */
void local_runtime_freeze(struct local_instance *in, int freeze);
/* The peak memory of the runtime's processes by the kernel's high-water marks (kB), 0 when unknown; called locked. */
long local_runtime_hwm_kb(const struct local_instance *in);

/* runtime_api.c: the Runtime API (an httpd handler; ctx is the instance's struct api_ctx) */
void local_runtime_api(void *ctx, const struct httpd_request *req, struct httpd_reply *rep);

#endif
