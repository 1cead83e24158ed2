#define _GNU_SOURCE /* posix_spawn_file_actions_addchdir_np */
#include "local/instance.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "local/httpd.h"

#define LOG_KEEP (1024 * 1024) /* the most of one invocation's log a result keeps (the end of it) */
#define SAMPLE_MS 10           /* how often the memory of the runtime's processes is read */
#define RESCAN_EVERY 25        /* samples between looks for new processes in the group */
#define MAX_TRACKED 64
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
	/* credentials are in there */
	for (size_t i = 0; i < fn->env.nr; i++)
		OPENSSL_cleanse(fn->env.items[i].value, strlen(fn->env.items[i].value));
	kvlist_clear(&fn->env);
	free(fn);
}

void local_result_release(struct local_result *r)
{
	buf_release(&r->payload);
	buf_release(&r->log);
	free(r->error_type);
	local_result_init(r);
}

void local_result_init(struct local_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->payload);
	buf_init(&r->log);
}

static void random_hex(char *out, size_t nbytes)
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

/* a version 4 UUID, as Lambda's request ids are */
static void new_request_id(char out[37])
{
	char h[33];

	random_hex(h, 16);
	h[12] = '4';
	h[16] = "89ab"[h[16] % 4];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* ---- the instance ----------------------------------------------------------------------------- */

struct invocation {
	char id[37];
	const struct local_request *req;
	int handed_out, done, refused; /* refused: its answer got a 413 */
	double handed_at, done_at;
	enum local_outcome outcome;
	struct buf payload;
	char *error_type;
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
	pid_t pid;
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
	int init_error_posted;
	long peak_kb;
	pid_t members[MAX_TRACKED]; /* the runtime's processes, as the monitor last found them */
	size_t nmembers;

	struct invocation *cur;
	struct buf log;        /* lines since the last REPORT */
};

static void emit(struct local_instance *in, const char *line, size_t len)
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

static void emitf(struct local_instance *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emitf(struct local_instance *in, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	emit(in, b.ptr, b.len);
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

/* ---- the Runtime API -------------------------------------------------------------------------- */

static void reply_json(struct httpd_reply *rep, unsigned status, const char *body)
{
	rep->status = status;
	buf_adds(&rep->body, body);
	kvlist_add(&rep->headers, "Content-Type", "application/json");
}

static void reply_error(struct httpd_reply *rep, unsigned status, const char *type, const char *message)
{
	rep->status = status;
	json_error_body(&rep->body, type, message);
	kvlist_add(&rep->headers, "Content-Type", "application/json");
}

/* GET /next: wait for an event, hand it out with Lambda's headers */
static void api_next(struct local_instance *in, unsigned gen, struct httpd_reply *rep)
{
	struct invocation *inv;
	char trace[32], parent[17], arn[512], deadline[32];
	long long deadline_ms;

	pthread_mutex_lock(&in->lock);
	if (gen == in->gen && !in->ready_at) {
		in->ready_at = clock_seconds();
		pthread_cond_broadcast(&in->cond);
	}
	if (gen == in->gen) {
		in->at_next = 1;
		pthread_cond_broadcast(&in->cond);
	}
	while (gen == in->gen && !(in->cur && !in->cur->handed_out && !in->cur->done))
		pthread_cond_wait(&in->cond, &in->lock);
	if (gen != in->gen) {
		pthread_mutex_unlock(&in->lock);
		reply_error(rep, 410, "RuntimeStopped", "this runtime has been stopped");
		rep->close = 1;
		return;
	}
	in->at_next = 0;
	inv = in->cur;
	inv->handed_out = 1;
	inv->handed_at = clock_seconds();
	deadline_ms = clock_epoch_ms() + in->fn->timeout_s * 1000;
	emitf(in, "START RequestId: %s Version: $LATEST", inv->id);
	pthread_cond_broadcast(&in->cond);

	random_hex(trace, 12);
	random_hex(parent, 8);
	snprintf(arn, sizeof(arn), "arn:aws:lambda:%s:%s:function:%s", in->fn->region, in->fn->account,
		 in->fn->name);
	snprintf(deadline, sizeof(deadline), "%lld", deadline_ms);
	kvlist_add(&rep->headers, "Lambda-Runtime-Aws-Request-Id", inv->id);
	kvlist_add(&rep->headers, "Lambda-Runtime-Deadline-Ms", deadline);
	kvlist_add(&rep->headers, "Lambda-Runtime-Invoked-Function-Arn", arn);
	{
		char *t = buf_fmt("Root=1-%08llx-%s;Parent=%s;Sampled=0", clock_epoch_ms() / 1000, trace, parent);

		kvlist_add(&rep->headers, "Lambda-Runtime-Trace-Id", t);
		free(t);
	}
	if (inv->req->client_context)
		kvlist_add(&rep->headers, "Lambda-Runtime-Client-Context", inv->req->client_context);
	if (inv->req->identity)
		kvlist_add(&rep->headers, "Lambda-Runtime-Cognito-Identity", inv->req->identity);
	kvlist_add(&rep->headers, "Content-Type", "application/json");
	buf_add(&rep->body, inv->req->payload, inv->req->len);
	pthread_mutex_unlock(&in->lock);
}

/* POST /invocation/ID/response|error */
static void api_result(struct local_instance *in, unsigned gen, const char *id, int is_error,
		       const struct httpd_request *req, struct httpd_reply *rep)
{
	struct invocation *inv;
	struct buf msg = BUF_INIT, too_large = BUF_INIT;

	buf_addf(&too_large, "Exceeded maximum allowed payload size (%d bytes).", LOCAL_MAX_RESPONSE);
	pthread_mutex_lock(&in->lock);
	inv = in->cur;
	if (gen != in->gen || !inv || !inv->handed_out || inv->done || strcmp(inv->id, id)) {
		pthread_mutex_unlock(&in->lock);
		buf_release(&too_large);
		return reply_error(rep, 400, "InvalidRequestID", "Invalid request ID");
	}
	if (!is_error && req->total > LOCAL_MAX_RESPONSE) {
		inv->outcome = LOCAL_FUNCTION_ERROR;
		inv->error_type = xstrdup("Function.ResponseSizeTooLarge");
		buf_addf(&msg, "Response payload size exceeded maximum allowed payload size (%d bytes).", LOCAL_MAX_RESPONSE);
		json_error_body(&inv->payload, "Function.ResponseSizeTooLarge", msg.ptr);
		reply_error(rep, 413, "RequestEntityTooLarge", too_large.ptr);
		inv->refused = 1;
	} else if (is_error && req->too_large) {
		inv->outcome = LOCAL_FUNCTION_ERROR;
		inv->error_type = xstrdup("Runtime.ErrorTooLarge");
		json_error_body(&inv->payload, "Runtime.ErrorTooLarge", "The error the runtime reported is too large.");
		reply_error(rep, 413, "RequestEntityTooLarge", too_large.ptr);
		inv->refused = 1;
	} else {
		const char *type = httpd_header(req, "Lambda-Runtime-Function-Error-Type");

		inv->outcome = is_error ? LOCAL_FUNCTION_ERROR : LOCAL_OK;
		if (is_error)
			inv->error_type = xstrdup(type && *type ? type : "Unhandled");
		buf_add(&inv->payload, req->body, req->len);
		reply_json(rep, 202, "{\"status\":\"OK\"}");
	}
	inv->done = 1;
	inv->done_at = clock_seconds();
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	buf_release(&msg);
	buf_release(&too_large);
}

static void api_init_error(struct local_instance *in, unsigned gen, const struct httpd_request *req,
			   struct httpd_reply *rep)
{
	const char *type = httpd_header(req, "Lambda-Runtime-Function-Error-Type");

	pthread_mutex_lock(&in->lock);
	if (gen != in->gen || in->init_error_posted || in->ready_at) {
		pthread_mutex_unlock(&in->lock);
		return reply_error(rep, 403, "InvalidStateTransition", "State transition from Ready to InitError failed");
	}
	in->init_error_posted = 1;
	buf_reset(&in->init_error);
	if (!req->too_large)
		buf_add(&in->init_error, req->body, req->len);
	free(in->init_error_type);
	in->init_error_type = xstrdup(type && *type ? type : "Runtime.Unknown");
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	reply_json(rep, 202, "{\"status\":\"OK\"}");
}

static void runtime_api(void *ctx, const struct httpd_request *req, struct httpd_reply *rep)
{
	struct api_ctx *a = ctx;
	static const char base[] = "/2018-06-01/runtime/";
	const char *p = req->url;

	if (strncmp(p, base, sizeof(base) - 1))
		return reply_error(rep, 404, "NotFound", "not found");
	p += sizeof(base) - 1;
	if (!strcmp(req->method, "GET") && !strcmp(p, "invocation/next"))
		return api_next(a->in, a->gen, rep);
	if (!strcmp(req->method, "POST") && !strcmp(p, "init/error"))
		return api_init_error(a->in, a->gen, req, rep);
	if (!strcmp(req->method, "POST") && !strncmp(p, "invocation/", 11)) {
		const char *id = p + 11, *slash = strchr(id, '/');
		char idbuf[64];

		if (slash && (size_t)(slash - id) < sizeof(idbuf) && (!strcmp(slash, "/response") || !strcmp(slash, "/error"))) {
			memcpy(idbuf, id, (size_t)(slash - id));
			idbuf[slash - id] = '\0';
			return api_result(a->in, a->gen, idbuf, !strcmp(slash, "/error"), req, rep);
		}
	}
	reply_error(rep, 404, "NotFound", "not found");
}

/* ---- the runtime's processes ------------------------------------------------------------------ */

enum mem_kind { MEM_RSS, MEM_HWM, MEM_PSS };

/*
 * A process's memory in kB (0 when it is gone): resident (cheap), its peak
 * resident (the kernel's high-water mark) or its proportional share (shared
 * pages divided among the processes sharing them: what forked children
 * really add).
 */
static long proc_kb(pid_t pid, enum mem_kind kind)
{
	static const char *const files[] = { "statm", "status", "smaps_rollup" };
	char path[64], text[4096];
	const char *field;
	long pages = 0;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[kind]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	if (kind == MEM_RSS)
		return sscanf(text, "%*d %ld", &pages) == 1 ? pages * (sysconf(_SC_PAGESIZE) / 1024) : 0;
	field = strstr(text, kind == MEM_HWM ? "\nVmHWM:" : "\nPss:");
	return field ? strtol(strchr(field, ':') + 1, NULL, 10) : 0;
}

/*
 * The runtime's processes: its process group, and every descendant of
 * `root` that left it (setsid, setpgid), from one walk of /proc.
 */
static size_t runtime_members(pid_t root, pid_t *out, size_t max)
{
	struct proc { pid_t pid, ppid, pgrp; } *all = NULL;
	size_t n = 0, alloc = 0, found = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], text[1024], *close_paren;
		long ppid, pgrp;
		int fd;
		ssize_t len;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, text, sizeof(text) - 1);
		close(fd);
		if (len <= 0)
			continue;
		text[len] = '\0';
		/* pid (comm) state ppid pgrp ...: comm may hold anything, so from its last ')' */
		close_paren = strrchr(text, ')');
		if (!close_paren || sscanf(close_paren + 1, " %*c %ld %ld", &ppid, &pgrp) != 2)
			continue;
		XGROW(all, alloc, n + 1);
		all[n].pid = (pid_t)atol(e->d_name);
		all[n].ppid = (pid_t)ppid;
		all[n].pgrp = (pid_t)pgrp;
		n++;
	}
	closedir(d);
	for (size_t i = 0; i < n && found < max; i++)
		if (all[i].pgrp == root || all[i].pid == root)
			out[found++] = all[i].pid;
	/* descendants that left the group: passes until none is added (a tree is shallow) */
	for (int pass = 0, added = 1; added && pass < 16; pass++) {
		added = 0;
		for (size_t i = 0; i < n && found < max; i++) {
			size_t k;
			int parent_in = 0, in_already = 0;

			for (k = 0; k < found; k++) {
				parent_in |= out[k] == all[i].ppid;
				in_already |= out[k] == all[i].pid;
			}
			if (parent_in && !in_already) {
				out[found++] = all[i].pid;
				added = 1;
			}
		}
	}
	free(all);
	return found;
}

/* SIGKILL to the runtime's process group and every process of it the monitor knows of; called locked */
static void kill_runtime(struct local_instance *in)
{
	if (!in->fn)
		return;
	kill(-in->pid, SIGKILL);
	for (size_t i = 0; i < in->nmembers; i++)
		if (in->members[i] != in->pid)
			kill(in->members[i], SIGKILL);
}

/*
 * Reaps the runtime, follows its memory, kills it when it uses more than it
 * may. The memory is the sum of the resident memory of its processes; with
 * more than bootstrap and bb, their proportional share instead (forked
 * children share pages, which must count once), read less often.
 */
static void *monitor(void *arg)
{
	struct local_instance *in = arg;
	pid_t members[MAX_TRACKED];
	size_t nmembers = 0;
	long limit_kb, pss_kb = 0;
	pid_t pid;

	pthread_mutex_lock(&in->lock);
	pid = in->pid;
	limit_kb = in->fn->memory_mb * 1024;
	pthread_mutex_unlock(&in->lock);
	for (unsigned tick = 0;; tick++) {
		struct timespec nap = { 0, SAMPLE_MS * 1000000L };
		int st;
		long kb = 0;

		if (waitpid(pid, &st, WNOHANG) == pid) {
			pthread_mutex_lock(&in->lock);
			/* the environment goes with its runtime: its group and whatever escaped it */
			nmembers = runtime_members(pid, members, MAX_TRACKED);
			memcpy(in->members, members, nmembers * sizeof(*members));
			in->nmembers = nmembers;
			kill_runtime(in);
			in->exited = 1;
			in->wait_status = st;
			pthread_cond_broadcast(&in->cond);
			pthread_mutex_unlock(&in->lock);
			return NULL;
		}
		if (tick % RESCAN_EVERY == 0 || !nmembers)
			nmembers = runtime_members(pid, members, MAX_TRACKED);
		if (nmembers <= 2) {
			for (size_t i = 0; i < nmembers; i++)
				kb += proc_kb(members[i], MEM_RSS);
		} else {
			if (tick % 5 == 0 || !pss_kb) {
				pss_kb = 0;
				for (size_t i = 0; i < nmembers; i++)
					pss_kb += proc_kb(members[i], MEM_PSS);
			}
			kb = pss_kb;
		}
		pthread_mutex_lock(&in->lock);
		memcpy(in->members, members, nmembers * sizeof(*members));
		in->nmembers = nmembers;
		if (kb > in->peak_kb)
			in->peak_kb = kb;
		if (in->peak_kb > limit_kb && !in->oom) {
			in->oom = 1;
			kill_runtime(in);
			pthread_cond_broadcast(&in->cond);
		}
		pthread_mutex_unlock(&in->lock);
		nanosleep(&nap, NULL);
	}
}

/*
 * The peak of the runtime's processes by the kernel's high-water marks, more
 * exact than sampling; the processes as the monitor found them (a walk of
 * /proc for every invocation would cost more than the invocation).
 */
static long group_hwm_kb(const struct local_instance *in)
{
	long kb = 0;

	/* with forked children the marks count shared pages twice: the sampled share stands */
	if (in->nmembers > 2)
		return 0;
	for (size_t i = 0; i < in->nmembers; i++)
		kb += proc_kb(in->members[i], MEM_HWM);
	return kb;
}

/* forwards the runtime's output, a line at a time */
static void *log_reader(void *arg)
{
	struct local_instance *in = arg;
	struct buf line = BUF_INIT;
	char chunk[8192];
	int fd = in->log_fd;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int stop;
		ssize_t n;

		pthread_mutex_lock(&in->lock);
		stop = in->stop_threads;
		pthread_mutex_unlock(&in->lock);
		if (stop)
			break;
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pthread_mutex_lock(&in->lock);
		in->reader_busy = 1;
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				emit(in, line.ptr, line.len);
				buf_reset(&line);
			} else if (line.len < 256 * 1024) {
				buf_addch(&line, chunk[i]);
			}
		}
		in->reader_busy = 0;
		pthread_mutex_unlock(&in->lock);
	}
	pthread_mutex_lock(&in->lock);
	if (line.len)
		emit(in, line.ptr, line.len);
	in->log_eof = 1;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	buf_release(&line);
	return NULL;
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

static void env_add(struct strlist *env, const char *k, const char *v)
{
	strlist_add_owned(env, buf_fmt("%s=%s", k, v));
}

/*
 * Start fn's runtime; called locked with none running (the lock is dropped
 * for a moment on failure, to stop the Runtime API server).
 */
static int start_runtime(struct local_instance *in, struct local_fn *fn, struct error *err)
{
	struct strlist env = STRLIST_INIT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	char *argv[2], date[16], stream[64], port[32], mem[32];
	int pfd[2], e;
	pid_t pid;
	time_t now = time(NULL);
	struct tm tm;

	if (access(fn->task_root, X_OK)) {
		error_set(err, EXIT_FAIL, "cannot use the task root '%s': %s", fn->task_root, strerror(errno));
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		error_set(err, EXIT_FAIL, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	in->gen++;
	in->api_ctx = xcalloc(1, sizeof(*in->api_ctx));
	in->api_ctx->in = in;
	in->api_ctx->gen = in->gen;
	/* no idle limit: a runtime's connection rests while its handler works */
	in->api = httpd_start(0, LOCAL_MAX_RESPONSE, 0, runtime_api, in->api_ctx, err);
	if (!in->api) {
		free(in->api_ctx);
		in->api_ctx = NULL;
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y/%m/%d", &tm);
	{
		char hex[33];

		random_hex(hex, 16);
		snprintf(stream, sizeof(stream), "%s/[$LATEST]%s", date, hex);
	}
	snprintf(port, sizeof(port), "127.0.0.1:%u", httpd_port(in->api));
	snprintf(mem, sizeof(mem), "%ld", fn->memory_mb);
	env_add(&env, "_HANDLER", fn->handler);
	env_add(&env, "LAMBDA_TASK_ROOT", fn->task_root);
	env_add(&env, "LAMBDA_RUNTIME_DIR", fn->opt_dir);
	env_add(&env, "AWS_LAMBDA_RUNTIME_API", port);
	env_add(&env, "AWS_LAMBDA_FUNCTION_NAME", fn->name);
	env_add(&env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", mem);
	env_add(&env, "AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
	env_add(&env, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
	env_add(&env, "AWS_REGION", fn->region);
	env_add(&env, "AWS_DEFAULT_REGION", fn->region);
	{
		char *group = buf_fmt("/aws/lambda/%s", fn->name);

		env_add(&env, "AWS_LAMBDA_LOG_GROUP_NAME", group);
		free(group);
	}
	env_add(&env, "AWS_LAMBDA_LOG_STREAM_NAME", stream);
	env_add(&env, "TZ", ":UTC");
	env_add(&env, "BLAMBDA_BB", fn->bb);
	/* then the rest, where Lambda's own names are not set already (Lambda reserves them) */
	for (size_t i = 0; i < fn->env.nr; i++) {
		size_t klen = strlen(fn->env.items[i].key), k;

		for (k = 0; k < env.nr; k++)
			if (!strncmp(env.items[k], fn->env.items[i].key, klen) && env.items[k][klen] == '=')
				break;
		if (k == env.nr)
			env_add(&env, fn->env.items[i].key, fn->env.items[i].value);
	}
	strlist_add_owned(&env, NULL); /* the NULL that ends environ */
	env.nr--;

	argv[0] = buf_fmt("%s/bootstrap", fn->opt_dir);
	argv[1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_addchdir_np(&fa, fn->task_root);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&defaults);
	for (int s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaddset(&defaults, s);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(&pid, argv[0], &fa, &attr, argv, env.items);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	for (size_t i = 0; i < env.nr; i++)
		OPENSSL_cleanse(env.items[i], strlen(env.items[i]));
	strlist_clear(&env);
	if (e) {
		error_set(err, EXIT_FAIL, "cannot run '%s': %s", argv[0], strerror(e));
		free(argv[0]);
		close(pfd[0]);
		in->gen++;
		pthread_mutex_unlock(&in->lock);
		httpd_stop(in->api);
		pthread_mutex_lock(&in->lock);
		in->api = NULL;
		free(in->api_ctx);
		in->api_ctx = NULL;
		return -1;
	}
	free(argv[0]);
	in->fn = local_fn_ref(fn);
	in->pid = pid;
	in->exited = in->oom = in->log_eof = in->stop_threads = 0;
	in->wait_status = 0;
	in->log_fd = pfd[0];
	in->spawned_at = clock_seconds();
	in->ready_at = 0;
	in->init_reported = 0;
	in->init_error_posted = 0;
	buf_reset(&in->init_error);
	in->peak_kb = 0;
	in->nmembers = 0;
	in->at_next = 0;
	pthread_create(&in->monitor_thread, NULL, monitor, in);
	pthread_create(&in->log_thread, NULL, log_reader, in);
	return 0;
}

/*
 * Stop the runtime: SIGTERM first when grace_ms (Lambda's shutdown), else
 * SIGKILL at once (a timeout, a run over memory). Called locked; unlocks
 * while it waits for the threads.
 */
static void stop_runtime(struct local_instance *in, int grace_ms)
{
	pid_t pid = in->pid;
	struct httpd *api = in->api;
	struct api_ctx *ctx = in->api_ctx;

	if (!in->fn)
		return;
	in->gen++; /* a /next of this runtime now gets nothing */
	pthread_cond_broadcast(&in->cond);
	if (!in->exited) {
		/* what left the process group would outlive it: those go first, at once */
		in->nmembers = runtime_members(pid, in->members, MAX_TRACKED);
		for (size_t i = 0; i < in->nmembers; i++)
			if (in->members[i] != pid && getpgid(in->members[i]) != pid)
				kill(in->members[i], SIGKILL);
	}
	if (!in->exited && grace_ms > 0) {
		kill(-pid, SIGTERM);
		for (int waited = 0; !in->exited && waited < grace_ms; waited += 10) {
			pthread_mutex_unlock(&in->lock);
			usleep(10000);
			pthread_mutex_lock(&in->lock);
		}
	}
	if (!in->exited)
		kill_runtime(in);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->monitor_thread, NULL);
	pthread_mutex_lock(&in->lock);
	in->stop_threads = 1;
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->log_thread, NULL);
	httpd_stop(api);
	free(ctx);
	pthread_mutex_lock(&in->lock);
	close(in->log_fd);
	in->log_fd = -1;
	in->api = NULL;
	in->api_ctx = NULL;
	local_fn_unref(in->fn);
	in->fn = NULL;
	in->pid = 0;
}

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

int local_invoke(struct local_instance *in, struct local_fn *fn, const struct local_request *req,
		 struct local_result *res, struct error *err)
{
	struct invocation inv = { .payload = BUF_INIT };
	const char *status = NULL, *etype = NULL;
	struct buf what = BUF_INIT;
	int cold = 0, kill_after = 0;
	double end, spawned, start;

	local_result_init(res);
	pthread_mutex_lock(&in->lock);
	if (in->aborted) {
		pthread_mutex_unlock(&in->lock);
		error_set(err, EXIT_INTERRUPTED, "stopped");
		return -1;
	}
	if (in->fn && (in->fn != fn || in->exited))
		stop_runtime(in, in->exited ? 0 : 1000);
	if (!in->fn) {
		if (start_runtime(in, fn, err)) {
			pthread_mutex_unlock(&in->lock);
			return -1;
		}
		cold = 1;
	}
	spawned = in->spawned_at;
	/* a cold start may take LOCAL_INIT_LIMIT_S to init before its timeout counts */
	start = cold ? spawned + LOCAL_INIT_LIMIT_S : clock_seconds();
	new_request_id(inv.id);
	inv.req = req;
	in->cur = &inv;
	pthread_cond_broadcast(&in->cond);

	for (;;) {
		double now = clock_seconds(), deadline;

		if (inv.done)
			break;
		if (in->oom) {
			inv.outcome = LOCAL_OOM;
			break;
		}
		if (in->aborted && !in->exited) {
			/* the monitor reaps it and says so */
			kill_runtime(in);
			wait_locked(in, now + 0.01);
			continue;
		}
		if (in->init_error_posted || in->exited) {
			inv.outcome = in->init_error_posted ? LOCAL_FUNCTION_ERROR : LOCAL_EXIT;
			break;
		}
		deadline = inv.handed_out ? inv.handed_at + (double)fn->timeout_s
					  : start + (double)fn->timeout_s;
		if (now >= deadline) {
			inv.outcome = LOCAL_TIMEOUT;
			break;
		}
		wait_locked(in, deadline);
	}
	/* decided: an answer posted from now on is for no invocation */
	in->cur = NULL;
	if (inv.outcome != LOCAL_OK && inv.outcome != LOCAL_FUNCTION_ERROR) {
		kill_runtime(in); /* as Lambda does, before a word is written about it */
		kill_after = 1;
	}
	if (in->init_error_posted && !inv.done)
		kill_after = 1;
	end = clock_seconds();
	if (inv.done) {
		/*
		 * As in Lambda, the invocation ends when the runtime asks for the next
		 * one: what it prints after its answer (bootstrap's word on a 413, a
		 * handler's late output) is part of it, and so is the time it takes,
		 * up to the deadline.
		 */
		double until = clock_seconds() + NEXT_GRACE_S;

		/*
		 * Up to a moment: Lambda gives the caller the answer once it is
		 * posted; a runtime still busy after that keeps its instance busy,
		 * and what it prints goes to the next invocation's log.
		 */
		wait_for_next(in, until < inv.handed_at + (double)fn->timeout_s ? until
										: inv.handed_at + (double)fn->timeout_s);
		end = clock_seconds();
	}
	drain_log(in);

	memcpy(res->request_id, inv.id, sizeof(inv.id));
	res->outcome = inv.outcome;
	res->memory_mb = fn->memory_mb;
	res->init_ms = -1;
	if (cold || !in->init_reported) {
		double ready = in->ready_at ? in->ready_at : end;

		res->init_ms = (ready - spawned) * 1000.0;
		in->init_reported = 1;
	}
	res->duration_ms = inv.handed_out ? (end - inv.handed_at) * 1000.0 : 0;
	switch (inv.outcome) {
	case LOCAL_OK:
	case LOCAL_FUNCTION_ERROR:
		if (inv.done) {
			buf_add(&res->payload, inv.payload.ptr, inv.payload.len);
			res->error_type = inv.error_type ? xstrdup(inv.error_type) : NULL;
		} else {
			/* the runtime reported that its init failed: Lambda hands that error to the caller */
			etype = in->init_error_type;
			status = "error";
			emitf(in, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s",
			      res->init_ms, etype);
			if (in->init_error.len)
				buf_add(&res->payload, in->init_error.ptr, in->init_error.len);
			else
				json_error_body(&res->payload, etype, "");
			res->error_type = xstrdup(etype);
		}
		break;
	case LOCAL_TIMEOUT: {
		struct buf line = BUF_INIT;

		buf_addf(&what, "Task timed out after %ld.00 seconds", fn->timeout_s);
		clock_iso8601_ms(clock_epoch_ms(), &line);
		buf_addf(&line, " %s %s", inv.id, what.ptr);
		if (!inv.handed_out)
			emitf(in, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: timeout", res->init_ms);
		emit(in, line.ptr, line.len);
		buf_release(&line);
		sandbox_error(res, "Sandbox.Timedout", what.ptr);
		status = "timeout";
		if (inv.handed_out)
			res->duration_ms = (double)fn->timeout_s * 1000.0;
		break;
	}
	case LOCAL_OOM:
		buf_adds(&what, "Runtime exited with error: signal: killed");
		sandbox_error(res, "Runtime.OutOfMemory", what.ptr);
		emitf(in, "RequestId: %s Error: %s", inv.id, what.ptr);
		status = "error";
		etype = "Runtime.OutOfMemory";
		break;
	case LOCAL_EXIT:
		buf_adds(&what, "Runtime exited with error: ");
		describe_exit(in->wait_status, &what);
		sandbox_error(res, "Runtime.ExitError", what.ptr);
		emitf(in, "RequestId: %s Error: %s", inv.id, what.ptr);
		status = "error";
		etype = "Runtime.ExitError";
		break;
	}
	if (!inv.handed_out)
		emitf(in, "START RequestId: %s Version: $LATEST", inv.id);
	emitf(in, "END RequestId: %s", inv.id);
	{
		long kb = in->peak_kb, hwm = in->exited ? 0 : group_hwm_kb(in);
		struct buf report = BUF_INIT;

		kb = hwm > kb ? hwm : kb;
		res->max_memory_mb = (kb + 1023) / 1024;
		/* a provided runtime is billed for its init too, to the millisecond */
		double billed = res->duration_ms + (res->init_ms > 0 ? res->init_ms : 0);

		res->billed_ms = (long)billed;
		if ((double)res->billed_ms < billed)
			res->billed_ms++;
		if (res->billed_ms < 1)
			res->billed_ms = 1;
		buf_addf(&report, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\tMemory Size: %ld MB\t"
				  "Max Memory Used: %ld MB\t", inv.id, res->duration_ms, res->billed_ms, fn->memory_mb,
			 res->max_memory_mb);
		if (res->init_ms >= 0)
			buf_addf(&report, "Init Duration: %.2f ms\t", res->init_ms);
		if (status)
			buf_addf(&report, "Status: %s\t", status);
		if (etype)
			buf_addf(&report, "Error Type: %s\t", etype);
		emit(in, report.ptr, report.len);
		buf_release(&report);
	}
	buf_add(&res->log, in->log.ptr, in->log.len);
	buf_reset(&in->log);
	in->cur = NULL;
	if (kill_after)
		stop_runtime(in, 0);
	pthread_mutex_unlock(&in->lock);
	buf_release(&inv.payload);
	free(inv.error_type);
	buf_release(&what);
	return 0;
}

void local_instance_abort(struct local_instance *in)
{
	pthread_mutex_lock(&in->lock);
	in->aborted = 1;
	if (in->fn && !in->exited)
		kill_runtime(in);
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
}

void local_instance_stop(struct local_instance *in)
{
	pthread_mutex_lock(&in->lock);
	stop_runtime(in, 1000);
	pthread_mutex_unlock(&in->lock);
}

void local_instance_free(struct local_instance *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	stop_runtime(in, 1000);
	pthread_mutex_unlock(&in->lock);
	buf_release(&in->init_error);
	free(in->init_error_type);
	buf_release(&in->log);
	pthread_cond_destroy(&in->cond);
	pthread_mutex_destroy(&in->lock);
	free(in);
}
