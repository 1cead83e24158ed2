#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "cli/result.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/msg.h"
#include "core/payload.h"
#include "core/xalloc.h"
#include "local/instance.h"
#include "local/server.h"
#include "local/setup.h"
#include "local/watch.h"

/* the options of each subcommand, in the order of its table at the end */
enum { INVOKE__N = PAYLOAD__N };
enum { START_OPT_PORT, START_OPT_WATCH, START_OPT_CONCURRENCY, START__N };

#define PLACEHOLDER_ACCOUNT "000000000000"

/* ---- what every local run needs ------------------------------------------------------------ */

struct local_env {
	char *region, *account;
	struct kvlist base;   /* the environment every function starts from */
	int have_creds;
};

/* variables of blambda's environment that a function run here gets too */
static const char *const passed_on[] = {
	"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "JAVA_HOME", "TERM", "BABASHKA_PODS_DIR",
	"AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", NULL,
};

/*
 * The account of these credentials as STS named it before, kept in the cache
 * under a digest of the access key id (no secret); with `account`, remember
 * it. NULL when not known.
 */
static char *cached_account(const struct aws_credentials *creds, const char *account)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char digest[SHA256_HEX_LEN + 1];
	char *r = NULL;

	fs_cache_dir(&path);
	sha256_hex(creds->access_key_id.ptr, creds->access_key_id.len, digest);
	buf_addf(&path, "/accounts/%.32s", digest);
	if (account) {
		char *dir = xstrndup(path.ptr, (size_t)(strrchr(path.ptr, '/') - path.ptr));

		if (!fs_mkdirs(dir, 0700))
			fs_write_atomic(path.ptr, account, strlen(account), 0600);
		free(dir);
	} else if (!fs_read_file(path.ptr, &text, 64) && text.len == 12 &&
		   strspn(text.ptr, "0123456789") == 12) {
		r = buf_detach(&text);
	}
	buf_release(&path);
	buf_release(&text);
	return r;
}

/*
 * The region, the account and the environment: blambda's own credentials
 * chain resolves the user's credentials for handlers that call AWS, and STS
 * says whose they are (the function ARN's account). Offline, or with no
 * credentials, the function runs without them under a placeholder account.
 */
static int local_env_init(struct local_env *e, const struct config *cfg)
{
	struct aws a;
	const char *region = NULL;
	const struct aws_credentials *creds = NULL;
	extern char **environ;

	memset(e, 0, sizeof(*e));
	for (size_t i = 0; passed_on[i]; i++) {
		const char *v = getenv(passed_on[i]);

		if (v)
			kvlist_set(&e->base, passed_on[i], v);
	}
	for (char **v = environ; *v; v++) {
		/* per-service endpoint overrides (AWS_ENDPOINT_URL_S3, ...) for handlers run against local stand-ins */
		const char *eq = strchr(*v, '=');

		if (eq && !strncmp(*v, "AWS_ENDPOINT_URL_", 17)) {
			char *k = xstrndup(*v, (size_t)(eq - *v));

			kvlist_set(&e->base, k, eq + 1);
			free(k);
		}
	}
	if (aws_init_from(&a, cfg)) {
		aws_release(&a);
		return -1;
	}
	e->region = xstrdup(aws_region_try(&a, &region) ? "us-east-1" : region);
	msg_mute(1);
	if (!aws_get_credentials(&a, &creds) && creds) {
		struct sts_identity id = { 0 };
		struct aws_error err = { 0 };

		e->have_creds = 1;
		kvlist_set(&e->base, "AWS_ACCESS_KEY_ID", creds->access_key_id.ptr);
		kvlist_set(&e->base, "AWS_SECRET_ACCESS_KEY", creds->secret_access_key.ptr);
		if (creds->session_token.len)
			kvlist_set(&e->base, "AWS_SESSION_TOKEN", creds->session_token.ptr);
		e->account = cached_account(creds, NULL);
		/* whose they are: asked once (and remembered), quickly; offline the placeholder stands */
		a.quick_ms = 3000;
		if (!e->account && !sts_get_caller_identity(&a, creds, region ? NULL : e->region, &id, &err) &&
		    id.account) {
			e->account = xstrdup(id.account);
			cached_account(creds, id.account);
		}
		sts_identity_release(&id);
		aws_error_release(&err);
	}
	msg_mute(0);
	msg_reset_status();
	if (!e->have_creds)
		verbose(1, "no AWS credentials found: the function runs without them");
	if (!e->account) {
		e->account = xstrdup(PLACEHOLDER_ACCOUNT);
		verbose(1, "the function ARN has the placeholder account %s", PLACEHOLDER_ACCOUNT);
	}
	aws_release(&a);
	return 0;
}

static void local_env_release(struct local_env *e)
{
	free(e->region);
	free(e->account);
	/* the credentials are in there: wipe them */
	for (size_t i = 0; i < e->base.nr; i++)
		if (!strncmp(e->base.items[i].key, "AWS_", 4) && e->base.items[i].value)
			memset(e->base.items[i].value, 0, strlen(e->base.items[i].value));
	kvlist_clear(&e->base);
}

/* the descriptions of the functions named (all when none is), over a prepared host */
static int make_functions(const struct config *cfg, const struct strlist *names, const struct local_host *h,
			  const struct local_env *e, struct local_fn ***out, size_t *n)
{
	struct config *fns = NULL;
	size_t nfns = 0;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (config_select_functions(cfg, names, &fns, &nfns))
		return -1;
	if (!nfns) {
		free(fns);
		error_status(EXIT_USAGE, "%s names no function", cfg->path ? cfg->path : "the project");
		hint("set function.name and function.handler in blambda.yml, or run 'blambda new-function NAME'");
		return -1;
	}
	*out = xcalloc(nfns, sizeof(**out));
	for (size_t i = 0; i < nfns; i++) {
		if (!r && !((*out)[*n] = local_fn_from_config(&fns[i], h, e->region, e->account, &e->base)))
			r = -1;
		else if (!r)
			(*n)++;
		config_release(&fns[i]);
	}
	free(fns);
	return r;
}

static void free_functions(struct local_fn **fns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		local_fn_unref(fns[i]);
	free(fns);
}

/* ---- signals: the main thread waits for them, the work runs in others ---------------------- */

/*
 * The signals that stop a local run (those not ignored when blambda started:
 * nohup keeps its SIGHUP away), and SIGUSR1, by which the work says it is
 * done. SIGPIPE is ignored: a closed stdout or stderr is a write error, not
 * an end that leaves the runtime behind.
 */
static sigset_t stop_signals(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		struct sigaction old;

		if (!sigaction(stops[i], NULL, &old) && old.sa_handler != SIG_IGN)
			sigaddset(&set, stops[i]);
	}
	sigaddset(&set, SIGUSR1);
	return set;
}

/* ---- printing -------------------------------------------------------------------------------- */

#define PRINT_QUEUE_MAX (8u << 20) /* output held for a stderr that is not being read, at most */

/*
 * The runtimes' output and the START/END/REPORT lines go to stderr through a
 * queue and a thread of their own: a stderr that blocks (a pager, Ctrl-S)
 * holds up that thread alone, never an invocation, a timeout or a stop.
 */
struct printer {
	int prefix;  /* several functions: each line starts with its name */
	int quiet;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct buf queue;
	unsigned long dropped;
	int stop, running;
	pthread_t thread;
};

static void print_message(void *ctx, const char *text, size_t len);

static void *printer_thread(void *arg)
{
	struct printer *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct buf out;
		unsigned long dropped;

		while (!p->queue.len && !p->dropped && !p->stop)
			pthread_cond_wait(&p->more, &p->lock);
		if (!p->queue.len && !p->dropped)
			break;
		out = p->queue;
		buf_init(&p->queue);
		dropped = p->dropped;
		p->dropped = 0;
		pthread_mutex_unlock(&p->lock);
		fwrite(out.ptr, 1, out.len, stderr);
		if (dropped)
			fprintf(stderr, "blambda: %lu line%s of output dropped: standard error was not being read\n", dropped,
				dropped == 1 ? "" : "s");
		fflush(stderr);
		buf_release(&out);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* on the heap: a printer given up on (its stderr never drained) lives on, with its thread, until exit */
static struct printer *printer_start(int prefix)
{
	struct printer *p = xcalloc(1, sizeof(*p));

	buf_init(&p->queue);
	p->prefix = prefix;
	p->quiet = msg_level() < MSG_NORMAL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	p->running = !pthread_create(&p->thread, NULL, printer_thread, p);
	if (p->running)
		msg_set_sink(print_message, p);
	return p;
}

/* Print what is queued and stop; a stderr that stays blocked for two seconds is given up on. */
static void printer_stop(struct printer *p)
{
	struct timespec until;

	msg_set_sink(NULL, NULL);
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
	if (p->running) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		if (pthread_timedjoin_np(p->thread, NULL, &until)) {
			pthread_detach(p->thread);
			return; /* still writing: it keeps the printer, freed by the exit */
		}
	}
	buf_release(&p->queue);
	pthread_cond_destroy(&p->more);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* text to the queue (or, past its limit, counted as dropped); never waits */
static void printer_add(struct printer *p, const char *prefix, const char *text, size_t len, int newline)
{
	pthread_mutex_lock(&p->lock);
	if (p->queue.len > PRINT_QUEUE_MAX) {
		p->dropped++;
	} else {
		if (prefix)
			buf_addf(&p->queue, "%s | ", prefix);
		buf_add(&p->queue, text, len);
		if (newline)
			buf_addch(&p->queue, '\n');
	}
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
}

/* blambda's own messages take the same way (see msg_set_sink) */
static void print_message(void *ctx, const char *text, size_t len)
{
	printer_add(ctx, NULL, text, len, 0);
}

/* the log callback: queue the line, never wait (the instance is locked) */
static void print_log(void *ctx, const struct local_fn *fn, const char *line, size_t len)
{
	struct printer *p = ctx;

	if (!p->quiet)
		printer_add(p, p->prefix && fn ? fn->name : NULL, line, len, 1);
}

static const char *outcome_name(enum local_outcome o)
{
	switch (o) {
	case LOCAL_OK: return "ok";
	case LOCAL_FUNCTION_ERROR: return "error";
	case LOCAL_TIMEOUT: return "timeout";
	case LOCAL_EXIT: return "exit";
	case LOCAL_OOM: return "out-of-memory";
	}
	return "?";
}

/* the result as `blambda invoke` shows one, and what only a local run knows */
static int print_result(const struct args *args, const char *name, const struct local_result *res)
{
	struct invoke_view v = { 0 };

	v.name = name;
	v.status_code = 200;
	v.executed_version = "$LATEST";
	v.function_error = res->outcome == LOCAL_OK ? NULL : "Unhandled";
	v.error_type = res->error_type;
	v.payload = &res->payload;
	v.log = &res->log;
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *o = invoke_view_json(&v);

		cJSON_AddStringToObject(o, "request_id", res->request_id);
		cJSON_AddStringToObject(o, "outcome", outcome_name(res->outcome));
		if (res->error_type)
			cJSON_AddStringToObject(o, "error_type", res->error_type);
		else
			cJSON_AddNullToObject(o, "error_type");
		cJSON_AddNumberToObject(o, "duration_ms", res->duration_ms);
		cJSON_AddNumberToObject(o, "billed_duration_ms", (double)res->billed_ms);
		if (res->init_ms >= 0)
			cJSON_AddNumberToObject(o, "init_duration_ms", res->init_ms);
		else
			cJSON_AddNullToObject(o, "init_duration_ms");
		cJSON_AddNumberToObject(o, "memory_size_mb", (double)res->memory_mb);
		cJSON_AddNumberToObject(o, "max_memory_used_mb", (double)res->max_memory_mb);
		json_print(o);
		if (v.function_error) {
			error_status(EXIT_FUNCTION, "'%s' failed: %s", name, res->error_type ? res->error_type : "error");
			return EXIT_FUNCTION;
		}
		return EXIT_OK;
	}
	return invoke_view_print(&v);
}

/* ---- local invoke ---------------------------------------------------------------------------- */

struct invoke_job {
	struct local_instance *in;
	struct local_fn *fn;
	struct local_request req;
	struct local_result res;
	struct buf why;
	int r;
	int done; /* set before the SIGUSR1 that says so: a stray SIGUSR1 is not taken for it */
};

static void *invoke_thread(void *arg)
{
	struct invoke_job *j = arg;

	j->r = local_invoke(j->in, j->fn, &j->req, &j->res, &j->why);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	kill(getpid(), SIGUSR1);
	return NULL;
}

static int local_invoke_cmd(struct args *args, struct local_fn *fn, const struct buf *payload, struct printer *pr)
{
	struct invoke_job job = { .why = BUF_INIT };
	sigset_t set = stop_signals();
	pthread_t t;
	int sig = 0, status;

	job.fn = fn;
	job.req.payload = payload->ptr;
	job.req.len = payload->len;
	job.in = local_instance_new(print_log, pr);
	if (pthread_create(&t, NULL, invoke_thread, &job)) {
		local_instance_free(job.in);
		return error("cannot start the invocation");
	}
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGUSR1 && __atomic_load_n(&job.done, __ATOMIC_ACQUIRE))
			break;
		if (sig != SIGUSR1) {
			/* the runtime goes with us: nothing is left running */
			local_instance_abort(job.in);
			break;
		}
	}
	pthread_join(t, NULL);
	local_instance_free(job.in);
	if (sig != SIGUSR1) {
		if (!job.r)
			local_result_release(&job.res);
		buf_release(&job.why);
		error_status(EXIT_INTERRUPTED, "interrupted: the function's runtime was stopped");
		return -1;
	}
	if (job.r) {
		error("cannot run '%s' here: %s", fn->name, job.why.ptr);
		buf_release(&job.why);
		return -1;
	}
	status = print_result(args, fn->name, &job.res);
	local_result_release(&job.res);
	buf_release(&job.why);
	return status;
}

/* ---- local start ----------------------------------------------------------------------------- */

struct serve_ctx {
	struct args *args;
	struct local_server *server;
	struct http_client *http;
	const struct strlist *names;
	struct local_env *env;
};

/* --watch: read the project again and serve what it says now (the old code keeps serving on a mistake) */
static void reload(void *arg)
{
	struct serve_ctx *c = arg;
	struct config cfg;
	struct local_host h;
	struct local_fn **fns = NULL;
	size_t n = 0;

	info("Change seen: reloading");
	if (args_load_config(c->args, &cfg) || local_host_prepare(&cfg, "target", &c->http, &h)) {
		config_release(&cfg);
		warning("keeping the code that was running");
		return;
	}
	if (!make_functions(&cfg, c->names, &h, c->env, &fns, &n)) {
		local_server_set_functions(c->server, fns, n);
		info("Reloaded: the next invocation of each function starts it afresh");
	} else {
		warning("keeping the code that was running");
	}
	free_functions(fns, n);
	local_host_release(&h);
	config_release(&cfg);
}

static int local_start_cmd(struct args *args, struct config *cfg, const struct strlist *names, struct local_fn **fns,
			   size_t n, struct local_env *env, struct http_client **http, struct printer *pr)
{
	const struct opt_value *port = args_value(args, START_OPT_PORT), *conc = args_value(args, START_OPT_CONCURRENCY);
	struct serve_ctx ctx = { 0 };
	struct local_watch *watch = NULL;
	struct buf why = BUF_INIT;
	sigset_t set = stop_signals();
	int sig = 0;

	ctx.server = local_server_start(port->set ? (unsigned)port->num : 9001, conc->set ? (unsigned)conc->num : 1,
					print_log, pr, &why);
	if (!ctx.server) {
		error("cannot serve the Invoke API: %s", why.ptr);
		if (strstr(why.ptr, "in use"))
			hint("choose another with --port, or 0 for any free port");
		buf_release(&why);
		return -1;
	}
	local_server_set_functions(ctx.server, fns, n);
	ctx.args = args;
	ctx.http = *http;
	*http = NULL;
	ctx.names = names;
	ctx.env = env;
	if (args_flag(args, START_OPT_WATCH)) {
		struct strlist dirs = STRLIST_INIT, files = STRLIST_INIT;
		const struct strlist *paths = config_list(cfg, CFG_FUNCTION_SOURCE_PATHS);

		for (size_t i = 0; paths && i < paths->nr; i++)
			strlist_add(&dirs, paths->items[i]);
		strlist_add(&files, cfg->path ? cfg->path : "blambda.yml");
		strlist_add(&files, config_str(cfg, CFG_DEPS_FILE));
		watch = local_watch_start(&dirs, &files, reload, &ctx, &why);
		strlist_clear(&dirs);
		strlist_clear(&files);
		if (!watch) {
			local_server_stop(ctx.server);
			http_client_free(ctx.http);
			error("%s", why.ptr);
			buf_release(&why);
			return -1;
		}
	}
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "functions");
		char url[64];

		snprintf(url, sizeof(url), "http://127.0.0.1:%u", local_server_port(ctx.server));
		cJSON_AddStringToObject(o, "endpoint_url", url);
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(list, cJSON_CreateString(fns[i]->name));
		json_print(o);
		fflush(stdout);
	} else {
		printf("Serving Lambda's Invoke API on http://127.0.0.1:%u\n", local_server_port(ctx.server));
		for (size_t i = 0; i < n; i++)
			printf("  %s\n", fns[i]->name);
		fflush(stdout);
		info("Invoke with: aws lambda invoke --endpoint-url http://127.0.0.1:%u --function-name %s out.json",
		     local_server_port(ctx.server), fns[0]->name);
		info("Stop with Ctrl-C");
	}
	/* until a stop signal (SIGUSR1 means nothing here) */
	while (sigwait(&set, &sig) || sig == SIGUSR1)
		;
	info("Stopping");
	local_watch_stop(watch);
	local_server_stop(ctx.server);
	http_client_free(ctx.http);
	buf_release(&why);
	return EXIT_OK;
}

/* Every child left now is an orphan a runtime left behind (the runtimes are stopped): kill and reap it. */
static void end_orphans(void)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[300], text[512], *paren;
		long ppid;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(text, sizeof(text), f) && (paren = strrchr(text, ')')) &&
		    sscanf(paren + 1, " %*c %ld", &ppid) == 1 && ppid == self) {
			pid_t pid = (pid_t)atol(e->d_name);

			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		fclose(f);
	}
	if (d)
		closedir(d);
}

/* ---- the commands ---------------------------------------------------------------------------- */


/* What both subcommands run with: the environment, the host's runtime and the functions' descriptions. */
struct local_setup {
	struct local_env env;
	struct local_host host;
	struct local_fn **fns;
	size_t nfns;
	struct http_client *http;
};

static int local_setup(struct local_setup *ls, struct config *cfg, const struct strlist *names)
{
	memset(ls, 0, sizeof(*ls));
	if (local_env_init(&ls->env, cfg) || local_host_prepare(cfg, "target", &ls->http, &ls->host))
		return -1;
	return make_functions(cfg, names, &ls->host, &ls->env, &ls->fns, &ls->nfns);
}

static void local_setup_release(struct local_setup *ls)
{
	free_functions(ls->fns, ls->nfns);
	local_host_release(&ls->host);
	local_env_release(&ls->env);
	http_client_free(ls->http);
}

/*
 * Before any thread starts: the stop signals are for the main thread's
 * sigwait alone, and orphans of the runtimes (a double fork, setsid) come to
 * blambda, to be ended with it.
 */
static void take_signals_and_orphans(void)
{
	sigset_t set = stop_signals();

	pthread_sigmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static int exec_local_invoke(struct args *args, struct config *cfg)
{
	struct strlist names = STRLIST_INIT;
	struct buf payload = BUF_INIT;
	struct local_setup ls;
	struct printer *pr;
	int r = -1;

	memset(&ls, 0, sizeof(ls));
	if (args->pos.nr)
		strlist_add(&names, args->pos.items[0]);
	/* a payload that is not JSON is refused before anything is built or run */
	if (args_payload(args, &payload) || local_setup(&ls, cfg, &names))
		goto out;
	if (ls.nfns > 1) {
		error_status(EXIT_USAGE, "the project has %zu functions: name the one to invoke", ls.nfns);
		hint("'blambda local invoke %s'", ls.fns[0]->name);
		goto out;
	}
	take_signals_and_orphans();
	pr = printer_start(0);
	r = local_invoke_cmd(args, ls.fns[0], &payload, pr);
	end_orphans();
	printer_stop(pr);
out:
	local_setup_release(&ls);
	buf_release(&payload);
	strlist_clear(&names);
	return r;
}

static int exec_local_start(struct args *args, struct config *cfg)
{
	struct strlist names = STRLIST_INIT;
	struct local_setup ls;
	struct printer *pr;
	int r = -1;

	for (size_t i = 0; i < args->pos.nr; i++)
		strlist_add(&names, args->pos.items[i]);
	if (local_setup(&ls, cfg, &names))
		goto out;
	take_signals_and_orphans();
	pr = printer_start(ls.nfns > 1);
	r = local_start_cmd(args, cfg, &names, ls.fns, ls.nfns, &ls.env, &ls.http, pr);
	end_orphans();
	printer_stop(pr);
out:
	local_setup_release(&ls);
	strlist_clear(&names);
	return r;
}

static const struct opt invoke_opts[INVOKE__N + 1] = {
	PAYLOAD_OPTS,
	[INVOKE__N] = OPT_END,
};

static const struct opt start_opts[START__N + 1] = {
	[START_OPT_PORT] = OPT_INT(0, "port", "PORT", 0, 65535, "serve the Invoke API on this port of 127.0.0.1, 0 for any "
			       "(default 9001)"),
	[START_OPT_WATCH] = OPT_BOOL('w', "watch", "restart a function's runtime after a change to its code or "
				 "blambda.yml"),
	[START_OPT_CONCURRENCY] = OPT_INT(0, "concurrency", "N", 1, 64, "warm instances of each function (default 1)"),
	[START__N] = OPT_END,
};

const struct command cmd_local_invoke = {
	.name = "invoke",
	.summary = "run one invocation here, cold start included",
	.usage = "[NAME]",
	.description =
		"Runs one invocation of the function (the project's only one, or NAME), cold start included, "
		"as 'blambda local' describes. The answer goes to standard output; the runtime's output and "
		"the START, END and REPORT lines go to standard error as they happen. With --json: an object "
		"with status_code, executed_version, function_error, payload, log, request_id, outcome, "
		"error_type, duration_ms, billed_duration_ms, init_duration_ms, memory_size_mb and "
		"max_memory_used_mb. A function error, timeout, crash or run out of memory exits with status 5, "
		"after printing the error's type, message and stack trace. The payload must be JSON: a mistake "
		"is refused, with its line and column, before anything runs.",
	.opts = invoke_opts,
	.nopts = INVOKE__N,
	.pos = POS_WORD,
	.min_pos = 0,
	.max_pos = 1,
	.flags = CMD_CONFIG,
	.examples = "blambda local invoke --event example\trun the function once with events/example.json\n"
		    "blambda local invoke -p '{\"name\":\"jmglov\"}' --json\tthe answer, log and REPORT figures as JSON",
	.exec = exec_local_invoke,
	.parent = &cmd_local,
};

const struct command cmd_local_start = {
	.name = "start",
	.summary = "keep the functions warm and serve Lambda's Invoke API on loopback",
	.usage = "[NAME...]",
	.description =
		"Keeps the functions' runtimes warm (all of the project's, or those named) and serves "
		"Lambda's Invoke API on 127.0.0.1 (POST /2015-03-31/functions/NAME/invocations; "
		"RequestResponse, Event and DryRun; X-Amz-Log-Type: Tail gives the last 4 KB of the log in "
		"X-Amz-Log-Result; errors carry X-Amz-Function-Error: Unhandled), so 'aws lambda invoke "
		"--endpoint-url', the SDKs and curl work. Each function is served under its own name. "
		"Invocations beyond --concurrency wait for an instance, as for a function held to that "
		"concurrency. With --watch a change under a source path, to blambda.yml or to the deps file "
		"restarts each runtime before its next invocation, never during one; a blambda.yml with a "
		"mistake keeps the running code. With --json the endpoint and the functions are printed as one "
		"object. Ctrl-C (or SIGTERM) stops the runtimes and the server.",
	.opts = start_opts,
	.nopts = START__N,
	.pos = POS_WORD,
	.min_pos = 0,
	.max_pos = -1,
	.flags = CMD_CONFIG,
	.examples = "blambda local start --watch\tserve the Invoke API on port 9001, restarting after each edit\n"
		    "curl -d '{}' http://127.0.0.1:9001/2015-03-31/functions/hello/invocations\t"
		    "invoke what 'local start' serves",
	.exec = exec_local_start,
	.parent = &cmd_local,
};

static const struct command *const local_subcommands[] = { &cmd_local_invoke, &cmd_local_start, NULL };

const struct command cmd_local = {
	.name = "local",
	.summary = "run the function on this machine as Lambda would, without Docker",
	.usage = "invoke|start",
	.description =
		"Runs the project's real runtime here: the same bootstrap that goes into the runtime layer (for "
		"this machine's architecture), a Babashka for this machine (BLAMBDA_BB, else bb on PATH, else "
		"the release in blambda's cache, fetched when missing), the first source path as "
		"LAMBDA_TASK_ROOT (and working directory) with the others on the classpath, and the deps layer "
		"built for this machine under target/local/. blambda serves the Runtime API itself on loopback, "
		"as Lambda's does: a deadline from function.timeout, the function ARN from the region and the "
		"account (000000000000 when no credentials say otherwise), request and trace ids, 202 answers, "
		"413 for a response over 6 MB, /runtime/init/error.\n\n"
		"The function gets Lambda's environment (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, "
		"AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_MEMORY_SIZE, AWS_LAMBDA_FUNCTION_VERSION, "
		"AWS_REGION, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, TZ), function.environment, "
		"PATH, HOME, TMPDIR, TERM, LANG, LC_ALL, LC_CTYPE, JAVA_HOME, BABASHKA_PODS_DIR, AWS_CA_BUNDLE, "
		"AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_* from here, and the credentials blambda's own chain finds "
		"(SSO and role profiles too), so a handler that calls AWS works; the account in the function ARN "
		"is the one STS names for them (asked once, with a 3 second limit, and remembered in the "
		"cache).\n\n"
		"As in Lambda, the timeout is enforced: past it the invocation fails with 'Task timed out after "
		"N.00 seconds' (Sandbox.Timedout) and the runtime is killed, to start afresh on the next one. "
		"Max Memory Used is measured from the runtime's processes (the peak of the sum of their resident "
		"memory); a run over function.memory is killed and fails with Runtime.OutOfMemory. A runtime "
		"that exits fails the invocation with Runtime.ExitError; an init error is reported with its "
		"INIT_REPORT line and handed to the caller. The runtime's output and START, END and REPORT lines "
		"in Lambda's format (Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration on "
		"a cold start, Status on a failure) go to standard error as they happen.",
	.pos = POS_NONE,
	.subcommands = local_subcommands,
};
