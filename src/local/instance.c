#include "local/instance.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "local/internal.h"

#define LOG_KEEP (1024 * 1024) /* the most of one invocation's log a result keeps (the end of it) */
#define NEXT_GRACE_S 0.1       /* how long an answered invocation waits for the runtime's next GET /next */

/* ---- descriptions ----------------------------------------------------------------------------- */

struct local_fn *local_fn_new(void)
{
	struct local_fn *fn = xcalloc(1, sizeof(*fn));

	fn->refs = 1;
	return fn;
}

struct local_fn *local_fn_ref(struct local_fn *fn)
{
	if (fn)
		__atomic_add_fetch(&fn->refs, 1, __ATOMIC_RELAXED);
	return fn;
}

void local_fn_unref(struct local_fn *fn)
{
	if (!fn || __atomic_sub_fetch(&fn->refs, 1, __ATOMIC_ACQ_REL))
		return;
	free(fn->name);
	free(fn->handler);
	free(fn->region);
	free(fn->account);
	free(fn->task_root);
	free(fn->opt_dir);
	free(fn->bb);
	free(fn->runtime);
	free(fn->on_success);
	free(fn->on_failure);
	/* credentials are in there */
	for (size_t i = 0; i < fn->env.nr; i++)
		OPENSSL_cleanse(fn->env.items[i].value, strlen(fn->env.items[i].value));
	kvlist_clear(&fn->env);
	strlist_clear(&fn->routes);
	strlist_clear(&fn->keep);
	free(fn);
}

void local_result_release(struct local_result *r)
{
	buf_release(&r->payload);
	buf_release(&r->log);
	free(r->error_type);
	free(r->content_type);
	local_result_init(r);
}

void local_result_init(struct local_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->payload);
	buf_init(&r->log);
}

void local_random_hex(char *out, size_t nbytes)
{
	unsigned char b[32];

	if (nbytes > sizeof(b))
		nbytes = sizeof(b);
	if (getrandom(b, nbytes, 0) != (ssize_t)nbytes)
		for (size_t i = 0; i < nbytes; i++) /* never short for so few bytes; a fallback all the same */
			b[i] = (unsigned char)(rand() ^ (int)(clock_seconds() * 1e6));
	for (size_t i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

void local_request_id(char out[37])
{
	char h[33];

	local_random_hex(h, 16);
	h[12] = '4';
	h[16] = "89ab"[h[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* ---- the instance ----------------------------------------------------------------------------- */

void local_instance_emit(struct local_instance *in, const char *line, size_t len)
{
	if (in->log.len > LOG_KEEP) {
		/* keep the end: Lambda's tail is the end of the log */
		size_t drop = in->log.len - LOG_KEEP / 2;
		const char *nl = memchr(in->log.ptr + drop, '\n', in->log.len - drop);

		drop = nl ? (size_t)(nl + 1 - in->log.ptr) : drop;
		memmove(in->log.ptr, in->log.ptr + drop, in->log.len - drop);
		buf_setlen(&in->log, in->log.len - drop);
	}
	buf_add(&in->log, line, len);
	buf_addch(&in->log, '\n');
	if (in->log_cb)
		in->log_cb(in->log_ctx, in->fn, line, len);
}

void local_instance_emitf(struct local_instance *in, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	local_instance_emit(in, b.ptr, b.len);
	buf_release(&b);
}

struct local_instance *local_instance_new(local_log_fn log, void *log_ctx)
{
	struct local_instance *in = xcalloc(1, sizeof(*in));
	pthread_condattr_t ca;

	buf_init(&in->init_error);
	buf_init(&in->log);
	pthread_mutex_init(&in->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&in->cond, &ca);
	pthread_condattr_destroy(&ca);
	in->log_cb = log;
	in->log_ctx = log_ctx;
	in->log_fd = -1;
	return in;
}

struct local_fn *local_instance_fn(struct local_instance *in)
{
	struct local_fn *fn;

	pthread_mutex_lock(&in->lock);
	fn = local_fn_ref(in->fn);
	pthread_mutex_unlock(&in->lock);
	return fn;
}

/* wait on the instance's condition until `until` (clock_seconds) at the latest; called locked */
static void wait_locked(struct local_instance *in, double until)
{
	struct timespec ts;

	ts.tv_sec = (time_t)until;
	ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&in->cond, &in->lock, &ts);
}

/* until the runtime is back in GET /next (0), or it exited, or `until` passed (-1); called locked */
static int wait_for_next(struct local_instance *in, double until)
{
	while (!in->at_next) {
		if (in->exited || in->aborted || clock_seconds() >= until)
			return in->exited ? 0 : -1;
		wait_locked(in, until);
	}
	return 0;
}

/* Wait (briefly) until the log pipe is empty: output written before now is in the log. Called locked. */
static void drain_log(struct local_instance *in)
{
	for (int i = 0; i < 50 && in->log_fd >= 0 && !in->log_eof; i++) {
		int avail = 0;

		if (ioctl(in->log_fd, FIONREAD, &avail) || (!avail && !in->reader_busy))
			return;
		pthread_mutex_unlock(&in->lock);
		usleep(1000);
		pthread_mutex_lock(&in->lock);
	}
}


/* what REPORT says of how an invocation ended, beyond its numbers */
struct report_words {
	const char *status; /* "error", "timeout", or NULL */
	const char *etype;  /* its Error Type, or NULL */
};

/* "exit status 3" / "signal: killed", as Lambda words how a runtime ended */
static void describe_exit(int st, struct buf *out)
{
	if (WIFEXITED(st)) {
		buf_addf(out, "exit status %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		const char *name = WTERMSIG(st) == SIGKILL ? "killed" : WTERMSIG(st) == SIGSEGV ? "segmentation fault"
				 : WTERMSIG(st) == SIGABRT ? "aborted" : WTERMSIG(st) == SIGTERM ? "terminated" : NULL;

		if (name)
			buf_addf(out, "signal: %s", name);
		else
			buf_addf(out, "signal: %d", WTERMSIG(st));
	} else {
		buf_adds(out, "unknown status");
	}
}

/* the error Lambda gives the caller when the environment failed rather than the function */
static void sandbox_error(struct local_result *res, const char *type, const char *what)
{
	struct buf msg = BUF_INIT;

	buf_addf(&msg, "RequestId: %s Error: %s", res->request_id, what);
	buf_reset(&res->payload);
	json_error_body(&res->payload, type, msg.ptr);
	free(res->error_type);
	res->error_type = xstrdup(type);
	buf_release(&msg);
}

/*
 * Make the invocation the instance's current one, starting a runtime when
 * none runs or the one running is of another description (an edit under
 * --watch) or has exited. Called locked. *cold says whether one started.
 */
static int begin(struct local_instance *in, struct local_fn *fn, struct invocation *inv, int *cold,
		 struct error *err)
{
	*cold = 0;
	if (in->aborted) {
		error_set(err, EXIT_INTERRUPTED, "stopped");
		return -1;
	}
	if (in->fn && (in->fn != fn || in->exited))
		local_runtime_stop(in, in->exited ? 0 : 1000);
	if (!in->fn) {
		if (local_runtime_start(in, fn, err))
			return -1;
		*cold = 1;
	}
	if (inv->req->request_id && strlen(inv->req->request_id) < sizeof(inv->id))
		snprintf(inv->id, sizeof(inv->id), "%s", inv->req->request_id);
	else
		local_request_id(inv->id);
	in->cur = inv;
	pthread_cond_broadcast(&in->cond);
	return 0;
}

/*
 * An init past Lambda's limit: as Lambda does, the environment is reset and
 * the init tried again inside the invocation (a suppressed init), under the
 * function's timeout, counted from now. Called locked.
 */
static void retry_init(struct local_instance *in, struct local_fn *fn, struct invocation *inv, double now)
{
	struct error err = ERROR_INIT;

	local_instance_emitf(in, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: timeout",
			     (now - in->spawned_at) * 1000.0);
	inv->phase_at = now; /* START comes when it is handed out, after the init, as Lambda writes it */
	local_runtime_stop(in, 0);
	if (local_runtime_start(in, fn, &err)) {
		/* as a runtime that could not run: the invocation fails as one that exited */
		local_instance_emitf(in, "%s", err.message ? err.message : "the runtime could not be started again");
		in->wait_status = 127 << 8;
		in->exited = 1;
	}
	error_release(&err);
}

/*
 * Wait until the invocation is decided: answered, its runtime gone or over
 * its memory, or its time up (counted from `start` until it is handed out,
 * then from then). Called locked.
 */
static void await_outcome(struct local_instance *in, struct local_fn *fn, struct invocation *inv,
			  double start)
{
	for (;;) {
		double now = clock_seconds(), deadline;
		int init_limit;

		if (inv->done)
			return;
		if (in->oom) {
			inv->outcome = LOCAL_OOM;
			return;
		}
		if (in->aborted && !in->exited) {
			/* the monitor reaps it and says so */
			local_runtime_kill(in);
			wait_locked(in, now + 0.01);
			continue;
		}
		if (in->init_error_posted || in->exited) {
			inv->outcome = in->init_error_posted ? LOCAL_FUNCTION_ERROR : LOCAL_EXIT;
			return;
		}
		init_limit = !inv->handed_out && !inv->phase_at && !in->ready_at;
		if (init_limit && now >= in->spawned_at + LOCAL_INIT_LIMIT_S) {
			retry_init(in, fn, inv, now);
			continue;
		}
		deadline = (inv->phase_at ? inv->phase_at : inv->handed_out ? inv->handed_at : start) + (double)fn->timeout_s;
		if (now >= deadline) {
			inv->outcome = LOCAL_TIMEOUT;
			return;
		}
		wait_locked(in, init_limit && in->spawned_at + LOCAL_INIT_LIMIT_S < deadline ? in->spawned_at + LOCAL_INIT_LIMIT_S
											     : deadline);
	}
}

/*
 * After the decision: a runtime that failed is killed at once, as Lambda
 * does, before a word is written about it; one that answered is given a
 * moment to ask for the next invocation. Returns when the invocation ended;
 * *kill_after says the runtime must go once it is reported. Called locked.
 */
static double settle(struct local_instance *in, const struct local_fn *fn, const struct invocation *inv,
		     int *kill_after)
{
	double end;

	/* an answer posted from now on is for no invocation */
	in->cur = NULL;
	*kill_after = inv->outcome != LOCAL_OK && inv->outcome != LOCAL_FUNCTION_ERROR;
	if (*kill_after)
		local_runtime_kill(in);
	if (in->init_error_posted && !inv->done)
		*kill_after = 1;
	end = clock_seconds();
	if (inv->done) {
		/*
		 * As in Lambda, the invocation ends when the runtime asks for the next
		 * one: what it prints after its answer (bootstrap's word on a 413, a
		 * handler's late output) is part of it, and so is the time it takes,
		 * up to the deadline. Up to a moment only: Lambda gives the caller
		 * the answer once it is posted; a runtime still busy after that keeps
		 * its instance busy, and what it prints goes to the next invocation's
		 * log.
		 */
		double until = clock_seconds() + NEXT_GRACE_S, deadline = inv->handed_at + (double)fn->timeout_s;

		wait_for_next(in, until < deadline ? until : deadline);
		end = clock_seconds();
	}
	drain_log(in);
	return end;
}

/* An error type as Lambda's INIT_REPORT and REPORT lines name it: its own kinds, any other as Runtime.Unknown */
static const char *report_type(const char *type)
{
	return type && (!strncmp(type, "Runtime.", 8) || !strncmp(type, "Function.", 9)) ? type : "Runtime.Unknown";
}

/* What an invocation that failed its init tells the caller (the detail) and the log (Lambda's kind). Called locked. */
static void init_failed(struct local_instance *in, double inv_phase_at, struct local_result *res,
			struct report_words *words)
{
	double init_ms = inv_phase_at ? (clock_seconds() - in->spawned_at) * 1000.0 : res->init_ms;

	words->etype = report_type(in->init_error_type);
	words->status = "error";
	local_instance_emitf(in, "INIT_REPORT Init Duration: %.2f ms\tPhase: %s\tStatus: error\tError Type: %s",
			     init_ms, inv_phase_at ? "invoke" : "init", words->etype);
	if (in->init_error.len)
		buf_add(&res->payload, in->init_error.ptr, in->init_error.len);
	else
		json_error_body(&res->payload, in->init_error_type ? in->init_error_type : words->etype, "");
	res->error_type = xstrdup(in->init_error_type ? in->init_error_type : words->etype);
}

/*
 * The result as Lambda gives it to the caller, and the lines Lambda writes
 * about an invocation that did not end well. Called locked.
 */
static void outcome_result(struct local_instance *in, const struct local_fn *fn, const struct invocation *inv,
			   struct local_result *res, struct report_words *words)
{
	struct buf what = BUF_INIT, line = BUF_INIT;

	switch (inv->outcome) {
	case LOCAL_OK:
	case LOCAL_FUNCTION_ERROR:
		if (!inv->done) {
			/* the runtime reported that its init failed: Lambda hands that error to the caller */
			init_failed(in, inv->phase_at, res, words);
			break;
		}
		buf_add(&res->payload, inv->payload.ptr, inv->payload.len);
		res->error_type = xstrdup_or_null(inv->error_type);
		res->content_type = xstrdup_or_null(inv->content_type);
		break;
	case LOCAL_TIMEOUT:
		buf_addf(&what, "Task timed out after %ld.00 seconds", fn->timeout_s);
		clock_iso8601_ms(clock_epoch_ms(), &line);
		buf_addf(&line, " %s %s", inv->id, what.ptr);
		if (!inv->handed_out && inv->phase_at)
			local_instance_emitf(in, "INIT_REPORT Init Duration: %.2f ms\tPhase: invoke\tStatus: timeout",
					     (clock_seconds() - in->spawned_at) * 1000.0);
		else if (!inv->handed_out)
			local_instance_emitf(in, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: timeout", res->init_ms);
		local_instance_emit(in, line.ptr, line.len);
		sandbox_error(res, "Sandbox.Timedout", what.ptr);
		words->status = "timeout";
		if (inv->handed_out || inv->phase_at)
			res->duration_ms = (double)fn->timeout_s * 1000.0;
		break;
	case LOCAL_OOM:
	case LOCAL_EXIT:
		buf_adds(&what, "Runtime exited with error: ");
		if (inv->outcome == LOCAL_OOM)
			buf_adds(&what, "signal: killed");
		else
			describe_exit(in->wait_status, &what);
		words->etype = inv->outcome == LOCAL_OOM ? "Runtime.OutOfMemory" : "Runtime.ExitError";
		words->status = "error";
		sandbox_error(res, words->etype, what.ptr);
		local_instance_emitf(in, "RequestId: %s Error: %s", inv->id, what.ptr);
		break;
	}
	buf_release(&what);
	buf_release(&line);
}

/* END and REPORT, with the memory and the billed time; called locked */
static void report(struct local_instance *in, const struct local_fn *fn, const struct invocation *inv,
		   struct local_result *res, const struct report_words *words)
{
	long kb = in->peak_kb, hwm = in->exited ? 0 : local_runtime_hwm_kb(in);
	/* a provided runtime is billed for its init too, to the millisecond */
	double billed = res->duration_ms + (res->init_ms > 0 ? res->init_ms : 0);
	struct buf line = BUF_INIT;

	if (!inv->started)
		local_instance_emitf(in, "START RequestId: %s Version: $LATEST", inv->id);
	local_instance_emitf(in, "END RequestId: %s", inv->id);
	res->max_memory_mb = ((hwm > kb ? hwm : kb) + 1023) / 1024;
	if (res->max_memory_mb > fn->memory_mb) /* as Lambda reports a run that went over: never above the size */
		res->max_memory_mb = fn->memory_mb;
	res->billed_ms = (long)billed;
	if ((double)res->billed_ms < billed)
		res->billed_ms++;
	if (res->billed_ms < 1)
		res->billed_ms = 1;
	buf_addf(&line, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\tMemory Size: %ld MB\t"
			"Max Memory Used: %ld MB\t", inv->id, res->duration_ms, res->billed_ms, fn->memory_mb,
		 res->max_memory_mb);
	if (res->init_ms >= 0)
		buf_addf(&line, "Init Duration: %.2f ms\t", res->init_ms);
	if (words->status)
		buf_addf(&line, "Status: %s\t", words->status);
	if (words->etype)
		buf_addf(&line, "Error Type: %s\t", words->etype);
	local_instance_emit(in, line.ptr, line.len);
	buf_release(&line);
}

int local_invoke(struct local_instance *in, struct local_fn *fn, const struct local_request *req,
		 struct local_result *res, struct error *err)
{
	struct invocation inv = { .req = req, .payload = BUF_INIT };
	struct report_words words = { NULL, NULL };
	int cold, kill_after;
	double end, spawned, start;

	local_result_init(res);
	pthread_mutex_lock(&in->lock);
	if (begin(in, fn, &inv, &cold, err)) {
		pthread_mutex_unlock(&in->lock);
		return -1;
	}
	spawned = in->spawned_at;
	/* a cold start may take LOCAL_INIT_LIMIT_S to init before its timeout counts */
	start = cold ? spawned + LOCAL_INIT_LIMIT_S : clock_seconds();
	await_outcome(in, fn, &inv, start);
	end = settle(in, fn, &inv, &kill_after);

	memcpy(res->request_id, inv.id, sizeof(inv.id));
	res->outcome = inv.outcome;
	res->memory_mb = fn->memory_mb;
	res->init_ms = -1;
	if (inv.phase_at) {
		/* a suppressed init has no Init Duration: it is in the Duration */
		in->init_reported = 1;
	} else if (cold || !in->init_reported) {
		res->init_ms = ((in->ready_at ? in->ready_at : end) - spawned) * 1000.0;
		in->init_reported = 1;
	}
	res->duration_ms = inv.phase_at ? (end - inv.phase_at) * 1000.0 : inv.handed_out ? (end - inv.handed_at) * 1000.0 : 0;
	outcome_result(in, fn, &inv, res, &words);
	report(in, fn, &inv, res, &words);
	buf_add(&res->log, in->log.ptr, in->log.len);
	buf_reset(&in->log);
	if (kill_after)
		local_runtime_stop(in, 0);
	pthread_mutex_unlock(&in->lock);
	buf_release(&inv.payload);
	free(inv.error_type);
	free(inv.content_type);
	return 0;
}

void local_instance_abort(struct local_instance *in)
{
	pthread_mutex_lock(&in->lock);
	in->aborted = 1;
	if (in->fn && !in->exited)
		local_runtime_kill(in);
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

void local_instance_stop(struct local_instance *in)
{
	pthread_mutex_lock(&in->lock);
	local_runtime_stop(in, 1000);
	pthread_mutex_unlock(&in->lock);
}

void local_instance_free(struct local_instance *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	local_runtime_stop(in, 1000);
	pthread_mutex_unlock(&in->lock);
	buf_release(&in->init_error);
	free(in->init_error_type);
	buf_release(&in->log);
	pthread_cond_destroy(&in->cond);
	pthread_mutex_destroy(&in->lock);
	free(in);
}
