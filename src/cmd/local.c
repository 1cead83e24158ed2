#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/msg.h"
#include "cli/result.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/array.h"
#include "core/outq.h"
#include "core/xalloc.h"
#include "local/env.h"
#include "local/instance.h"
#include "local/procs.h"
#include "local/sandbox.h"
#include "local/server.h"
#include "local/setup.h"
#include "local/watch.h"

/* the options of each subcommand, in the order of its table at the end */
enum { INVOKE_OPT_INHERIT = PAYLOAD__N, INVOKE_OPT_SANDBOX, INVOKE__N };
enum { START_OPT_PORT, START_OPT_WATCH, START_OPT_CONCURRENCY, START_OPT_INHERIT, START_OPT_SANDBOX,
       START_OPT_RETRY_DELAY, START_OPT_SEND_RECORDS, START__N };

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
	for (size_t i = 0; i < ARRAY_SIZE(stops); i++) {
		struct sigaction old;

		if (!sigaction(stops[i], NULL, &old) && old.sa_handler != SIG_IGN)
			sigaddset(&set, stops[i]);
	}
	sigaddset(&set, SIGUSR1);
	return set;
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
	local_procs_adopt_orphans();
}

/* ---- printing: the runtimes' output and blambda's messages through one queue ------------------ */

/*
 * The runtimes' output and the START/END/REPORT lines go to stderr through a
 * queue with a thread of its own (core/outq.h): a stderr that blocks (a
 * pager, Ctrl-S) holds up that thread alone, never an invocation, a timeout
 * or a stop. blambda's own messages take the same way (msg_set_sink), so
 * they keep their order with the runtimes' lines.
 */
struct printer {
	struct outq *q;
	int prefix; /* several functions: each line starts with its name */
	int quiet;
};

static void print_message(void *ctx, const char *text, size_t len)
{
	struct printer *p = ctx;

	outq_add(p->q, NULL, text, len, 0);
}

/* the log callback: queue the line, never wait (the instance is locked) */
static void print_log(void *ctx, const struct local_fn *fn, const char *line, size_t len)
{
	struct printer *p = ctx;

	if (!p->quiet)
		outq_add(p->q, p->prefix && fn ? fn->name : NULL, line, len, 1);
}

static void printer_start(struct printer *p, int prefix)
{
	p->q = outq_start(STDERR_FILENO);
	p->prefix = prefix;
	p->quiet = msg_level() < MSG_NORMAL;
	msg_set_sink(print_message, p);
}

static void printer_stop(struct printer *p)
{
	msg_set_sink(NULL, NULL);
	outq_stop(p->q);
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

static cJSON *result_json(const struct invoke_view *v, const struct local_result *res)
{
	cJSON *o = invoke_view_json(v);

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
	return o;
}

/* the result as `blambda invoke` shows one, and what only a local run knows; the exit status */
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
	if (!args_flag(args, GLOBAL_JSON))
		return invoke_view_print(&v);
	json_print(result_json(&v, res));
	if (v.function_error)
		return error_exit(EXIT_FUNCTION, "'%s' failed: %s", name, res->error_type ? res->error_type : "error");
	return EXIT_OK;
}

/* ---- what both subcommands run with ------------------------------------------------------------ */

/* The environment, the host's runtime and the functions' descriptions. */
struct local_setup {
	struct local_env env;
	struct local_host host;
	struct local_fn **fns;
	size_t nfns;
	struct http_fetcher fetch;
	struct aws records;   /* --send-records: the client records are sent with (the one that found the account) */
	int have_records;
};

/*
 * --sandbox: unless --no-sandbox, when this machine can; else a word of what
 * the function sees instead (1 or 0), or -1 with err when --sandbox was asked
 * for and cannot be had.
 */
static int want_sandbox(const struct opt_value *opt, const struct local_host *h, struct error *err)
{
	struct buf why = BUF_INIT;
	char cwd[4096];
	const char *paths[3], *opt_path; /* what the runtime needs of this machine: a sandbox cannot keep /opt */
	int r;

	if (opt->set && !opt->count)
		return 0;
	paths[0] = h->bb;
	paths[1] = h->opt_dir;
	paths[2] = getcwd(cwd, sizeof(cwd));
	if ((opt_path = local_sandbox_under_opt(paths, ARRAY_SIZE(paths)))) {
		r = 0;
		buf_addf(&why, "'%s' is under /opt, where Lambda's layers go", opt_path);
	} else {
		r = local_sandbox_available(&why);
	}
	if (!r && opt->set) {
		/* asked for: not given silently without it */
		error_set(err, EXIT_FAIL, "--sandbox: Lambda's file system cannot be made here: %s", why.ptr);
		error_hint(err, "it needs user and mount namespaces (or root), and the project and bb outside /opt");
		r = -1;
	} else if (!r) {
		warning("Lambda's file system is not emulated here (%s): the function sees this machine's paths, its "
			"/tmp included; its task root is a read-only copy of the source", why.ptr);
	}
	buf_release(&why);
	return r;
}

/*
 * What local invoke and local start run from. `records`: the functions'
 * records will be sent to AWS (local start --send-records), so their ARNs
 * must carry the credentials' real account: one STS cannot name fails.
 */
static int local_setup(struct local_setup *ls, struct config *cfg, const struct strlist *names,
		       const struct strlist *inherit, const struct opt_value *sandbox, int records, struct error *err)
{
	struct aws a;
	int r;

	memset(ls, 0, sizeof(*ls));
	ls->fetch.obs = term_observer();
	r = cmd_aws_init(&a, cfg, err);
	if (!r)
		local_env_init(&ls->env, &a);
	for (size_t i = 0; !r && i < inherit->nr; i++)
		local_env_inherit(&ls->env, inherit->items[i]);
	if (!r && records && (r = local_env_account(&ls->env, &a, err))) {
		error_prefix(err, "--send-records: records cannot be sent");
		error_hint(err, "check the credentials, or leave out --send-records: the records are then shown in the log "
			   "only");
	}
	if (!r && records) {
		ls->records = a; /* kept: its credentials are found already */
		ls->have_records = 1;
	} else {
		aws_release(&a);
	}
	if (r || local_host_prepare(cfg, "target", &ls->fetch, &ls->host, err))
		return -1;
	if ((ls->host.sandbox = want_sandbox(sandbox, &ls->host, err)) < 0)
		return -1;
	return local_fns_make(cfg, names, &ls->host, &ls->env, &ls->fns, &ls->nfns, err);
}

static void local_setup_release(struct local_setup *ls)
{
	if (ls->have_records)
		aws_release(&ls->records);
	local_fns_free(ls->fns, ls->nfns);
	local_host_release(&ls->host);
	local_env_release(&ls->env);
	http_fetcher_release(&ls->fetch);
}

/* ---- local invoke ---------------------------------------------------------------------------- */

struct invoke_job {
	struct local_instance *in;
	struct local_fn *fn;
	struct local_request req;
	struct local_result res;
	struct error err;
	int r;
	int done; /* set before the SIGUSR1 that says so: a stray SIGUSR1 is not taken for it */
};

static void *invoke_thread(void *arg)
{
	struct invoke_job *j = arg;

	j->r = local_invoke(j->in, j->fn, &j->req, &j->res, &j->err);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	kill(getpid(), SIGUSR1);
	return NULL;
}

/* Wait for the invocation or a stop signal; 1 when a signal came first (the runtime is then killed). */
static int wait_for_invocation(struct invoke_job *job)
{
	sigset_t set = stop_signals();
	int sig = 0;

	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGUSR1 && __atomic_load_n(&job->done, __ATOMIC_ACQUIRE))
			return 0;
		if (sig != SIGUSR1) {
			/* the runtime goes with us: nothing is left running */
			local_instance_abort(job->in);
			return 1;
		}
	}
}

static int invoke_here(struct args *args, struct local_fn *fn, const struct buf *payload, struct printer *pr)
{
	struct invoke_job job = { .err = ERROR_INIT };
	pthread_t t;
	int status, stopped;

	job.fn = fn;
	job.req.payload = payload->ptr;
	job.req.len = payload->len;
	job.in = local_instance_new(print_log, pr);
	if (pthread_create(&t, NULL, invoke_thread, &job)) {
		local_instance_free(job.in);
		return error_exit(EXIT_FAIL, "cannot start the invocation");
	}
	stopped = wait_for_invocation(&job);
	pthread_join(t, NULL);
	local_instance_free(job.in);
	if (stopped) {
		status = error_exit(EXIT_INTERRUPTED, "interrupted: the function's runtime was stopped");
	} else if (job.r) {
		error_prefix(&job.err, "cannot run '%s' here", fn->name);
		status = error_print(&job.err);
	} else {
		status = print_result(args, fn->name, &job.res);
	}
	if (!job.r)
		local_result_release(&job.res);
	error_release(&job.err);
	return status;
}

static int exec_local_invoke(struct args *args, struct config *cfg)
{
	struct strlist names = STRLIST_INIT;
	struct buf payload = BUF_INIT;
	struct error err = ERROR_INIT;
	struct local_setup ls;
	struct printer pr;
	int r;

	memset(&ls, 0, sizeof(ls));
	if (args->pos.nr)
		strlist_add(&names, args->pos.items[0]);
	/* a payload that is not JSON is refused before anything is built or run */
	if (cmd_payload(args, cfg, args->pos.nr ? args->pos.items[0] : config_function_name(cfg, 0), &payload, &err) ||
	    local_setup(&ls, cfg, &names, &args_value(args, INVOKE_OPT_INHERIT)->list, args_value(args, INVOKE_OPT_SANDBOX), 0,
			&err)) {
		r = error_print_release(&err);
	} else if (ls.nfns > 1) {
		r = error_exit(EXIT_USAGE, "the project has %zu functions: name the one to invoke", ls.nfns);
		hint("'blambda local invoke %s'", ls.fns[0]->name);
	} else {
		take_signals_and_orphans();
		printer_start(&pr, 0);
		r = invoke_here(args, ls.fns[0], &payload, &pr);
		local_procs_end_orphans();
		printer_stop(&pr);
	}
	local_setup_release(&ls);
	buf_release(&payload);
	strlist_clear(&names);
	return r;
}

/* ---- local start ----------------------------------------------------------------------------- */

struct serve_ctx {
	struct args *args;
	struct local_server *server;
	struct http_fetcher *fetch;
	const struct strlist *names;
	struct local_env *env;
	int sandbox; /* as chosen at the start: a reload keeps it */
};

/* --watch: read the project again and serve what it says now (the old code keeps serving on a mistake) */
static void reload(void *arg)
{
	struct serve_ctx *c = arg;
	struct error err = ERROR_INIT;
	struct config cfg;
	struct local_host h = { 0 };
	struct local_fn **fns = NULL;
	size_t n = 0;

	info("Change seen: reloading");
	if (!cmd_load_config(c->args, &cfg, &err) && !local_host_prepare(&cfg, "target", c->fetch, &h, &err))
		h.sandbox = c->sandbox;
	if (err.message || local_fns_make(&cfg, c->names, &h, c->env, &fns, &n, &err)) {
		error_print_release(&err);
		warning("keeping the code that was running");
	} else {
		local_server_set_functions(c->server, fns, n);
		info("Reloaded: the next invocation of each function starts it afresh");
	}
	local_fns_free(fns, n);
	local_host_release(&h);
	config_release(&cfg);
}

/* The directories and files --watch watches: the source paths, blambda.yml and the deps file. */
static struct local_watch *watch_project(const struct config *cfg, struct serve_ctx *ctx, struct error *err)
{
	struct strlist dirs = STRLIST_INIT, files = STRLIST_INIT;
	const struct strlist *paths = config_list(cfg, CFG_FUNCTION_SOURCE_PATHS);
	struct local_watch *w;

	for (size_t i = 0; paths && i < paths->nr; i++)
		strlist_add(&dirs, paths->items[i]);
	strlist_add(&files, cfg->path ? cfg->path : "blambda.yml");
	strlist_add(&files, config_str(cfg, CFG_DEPS_FILE));
	w = local_watch_start(&dirs, &files, reload, ctx, err);
	strlist_clear(&dirs);
	strlist_clear(&files);
	return w;
}

static void say_serving(const struct args *args, unsigned port, struct local_fn *const *fns, size_t n)
{
	if (args_flag(args, GLOBAL_JSON)) {
		cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "functions");
		char url[64];

		snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
		cJSON_AddStringToObject(o, "endpoint_url", url);
		cJSON_AddBoolToObject(o, "send_records", args_flag(args, START_OPT_SEND_RECORDS));
		cJSON *routes = cJSON_AddArrayToObject(o, "routes");

		for (size_t i = 0; i < n; i++) {
			cJSON_AddItemToArray(list, cJSON_CreateString(fns[i]->name));
			for (size_t k = 0; k < fns[i]->routes.nr; k++) {
				cJSON *r = cJSON_CreateObject();

				cJSON_AddStringToObject(r, "route", fns[i]->routes.items[k]);
				cJSON_AddStringToObject(r, "function", fns[i]->name);
				cJSON_AddItemToArray(routes, r);
			}
		}
		json_print(o);
	} else {
		size_t routes = 0;

		printf("Serving Lambda's Invoke API on http://127.0.0.1:%u\n", port);
		for (size_t i = 0; i < n; i++) {
			printf("  %s\n", fns[i]->name);
			/* what --send-records writes to AWS, and as whom */
			if (args_flag(args, START_OPT_SEND_RECORDS) && fns[i]->on_success)
				printf("    its Event records on success go to %s\n", fns[i]->on_success);
			if (args_flag(args, START_OPT_SEND_RECORDS) && fns[i]->on_failure)
				printf("    its Event records on failure go to %s\n", fns[i]->on_failure);
		}
		if (args_flag(args, START_OPT_SEND_RECORDS))
			printf("Records are sent to AWS with the credentials of account %s\n", fns[0]->account);
		for (size_t i = 0; i < n; i++)
			routes += fns[i]->routes.nr;
		if (routes)
			printf("and the http routes, as API Gateway's HTTP API would:\n");
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < fns[i]->routes.nr; k++) {
				const char *r = fns[i]->routes.items[k], *sp = strchr(r, ' ');

				printf("  %.*s http://127.0.0.1:%u%s -> %s\n", (int)(sp - r), r, port, sp + 1, fns[i]->name);
			}
		info("Invoke with: aws lambda invoke --endpoint-url http://127.0.0.1:%u --function-name %s out.json",
		     port, fns[0]->name);
		info("Stop with Ctrl-C");
	}
	fflush(stdout);
}

/* --send-records with no destination to send to: said */
static void records_check(const struct local_setup *ls)
{
	size_t with = 0;

	for (size_t i = 0; i < ls->nfns; i++)
		with += ls->fns[i]->on_success || ls->fns[i]->on_failure;
	if (!with)
		warning("--send-records: no function served has function.async.on-success or on-failure: no record "
			"will be sent");
}

static int serve(struct args *args, struct config *cfg, const struct strlist *names, struct local_setup *ls,
		 struct aws *records, struct printer *pr)
{
	const struct opt_value *port = args_value(args, START_OPT_PORT), *conc = args_value(args, START_OPT_CONCURRENCY);
	struct serve_ctx ctx = { args, NULL, &ls->fetch, names, &ls->env, ls->host.sandbox };
	struct local_watch *watch = NULL;
	struct error err = ERROR_INIT;
	sigset_t set = stop_signals();
	int sig = 0;

	ctx.server = local_server_start(port->set ? (unsigned)port->num : 9001, conc->set ? (unsigned)conc->num : 1,
					print_log, pr, &err);
	if (!ctx.server) {
		error_prefix(&err, "cannot serve the Invoke API");
		if (strstr(err.message, "in use"))
			error_hint(&err, "choose another with --port, or 0 for any free port");
		return error_print_release(&err);
	}
	if (args_value(args, START_OPT_RETRY_DELAY)->set)
		local_server_set_retry_delay(ctx.server, (double)args_value(args, START_OPT_RETRY_DELAY)->num);
	if (records)
		local_server_set_records_client(ctx.server, records);
	local_server_set_functions(ctx.server, ls->fns, ls->nfns);
	{
		struct local_cors cors = { 0 };
		const char *cred = config_str(cfg, CFG_HTTP_API_CORS_CREDENTIALS);

		strlist_add_all(&cors.origins, config_list(cfg, CFG_HTTP_API_CORS_ORIGINS));
		strlist_add_all(&cors.methods, config_list(cfg, CFG_HTTP_API_CORS_METHODS));
		strlist_add_all(&cors.headers, config_list(cfg, CFG_HTTP_API_CORS_HEADERS));
		cors.max_age = config_has_http_cors(cfg) ? config_int(cfg, CFG_HTTP_API_CORS_MAX_AGE) : 0;
		cors.credentials = cred && !strcmp(cred, "true");
		local_server_set_cors(ctx.server, &cors);
		strlist_clear(&cors.origins);
		strlist_clear(&cors.methods);
		strlist_clear(&cors.headers);
	}
	/* a reload's download is said in lines, through the queue: a progress bar would write to stderr itself */
	ls->fetch.obs = term_observer_plain();
	if (args_flag(args, START_OPT_WATCH) && !(watch = watch_project(cfg, &ctx, &err))) {
		local_server_stop(ctx.server);
		return error_print_release(&err);
	}
	say_serving(args, local_server_port(ctx.server), ls->fns, ls->nfns);
	/* until a stop signal (SIGUSR1 means nothing here) */
	while (sigwait(&set, &sig) || sig == SIGUSR1)
		;
	info("Stopping");
	local_watch_stop(watch);
	local_server_stop(ctx.server);
	/* as a shell reports a command a signal ended: Ctrl-C is 130 */
	return sig == SIGINT ? EXIT_INTERRUPTED : 128 + sig;
}

static int exec_local_start(struct args *args, struct config *cfg)
{
	struct strlist names = STRLIST_INIT;
	struct error err = ERROR_INIT;
	struct local_setup ls;
	struct printer pr;
	int r;

	for (size_t i = 0; i < args->pos.nr; i++)
		strlist_add(&names, args->pos.items[i]);
	if (local_setup(&ls, cfg, &names, &args_value(args, START_OPT_INHERIT)->list, args_value(args, START_OPT_SANDBOX),
			args_flag(args, START_OPT_SEND_RECORDS),
			&err)) {
		r = error_print_release(&err);
	} else {
		if (ls.have_records)
			records_check(&ls);
		take_signals_and_orphans();
		printer_start(&pr, ls.nfns > 1);
		r = serve(args, cfg, &names, &ls, ls.have_records ? &ls.records : NULL, &pr);
		local_procs_end_orphans();
		printer_stop(&pr);
	}
	local_setup_release(&ls);
	strlist_clear(&names);
	return r;
}

#define INHERIT_OPT OPT_LIST(0, "inherit-env", "NAME", "pass this variable of blambda's environment on to the " \
				 "function too")

#define SANDBOX_OPT OPT_BOOL(0, "sandbox", "run the function in Lambda's file system: /var/task and /opt " \
				  "read-only, a private /tmp (the default where this machine allows it)")

static const struct opt invoke_opts[INVOKE__N + 1] = {
	PAYLOAD_OPTS,
	[INVOKE_OPT_INHERIT] = INHERIT_OPT,
	[INVOKE_OPT_SANDBOX] = SANDBOX_OPT,
	[INVOKE__N] = OPT_END,
};

static const struct opt start_opts[START__N + 1] = {
	[START_OPT_PORT] = OPT_INT(0, "port", "PORT", 0, 65535, "serve the Invoke API on this port of 127.0.0.1, 0 for any "
			       "(default 9001)"),
	[START_OPT_WATCH] = OPT_BOOL('w', "watch", "restart a function's runtime after a change to its code or "
				 "blambda.yml"),
	[START_OPT_CONCURRENCY] = OPT_INT(0, "concurrency", "N", 1, 64, "instances of each function, each started at its "
					  "first call and kept warm (default 1)"),
	[START_OPT_INHERIT] = INHERIT_OPT,
	[START_OPT_SANDBOX] = SANDBOX_OPT,
	[START_OPT_RETRY_DELAY] = OPT_INT(0, "retry-delay", "SECONDS", 0, 3600, "wait this long before an Event "
					  "invocation that failed is tried again, twice as long before its second retry "
					  "(default 60, as Lambda)"),
	[START_OPT_SEND_RECORDS] = OPT_BOOL(0, "send-records", "send each Event invocation's record to "
					    "function.async.on-success or on-failure, as Lambda sends it (with your "
					    "credentials: it writes to AWS)"),
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
		"after saying the error once on standard error (nothing goes to standard output): its type "
		"and message, its ex-data, each cause in turn, then the stack trace where it began. The payload must be JSON: a mistake "
		"is refused, with its line and column, before anything runs.",
	.opts = invoke_opts,
	.nopts = INVOKE__N,
	.pos = POS_FUNCTION,
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
	.summary = "serve Lambda's Invoke API and the http routes on loopback, the runtimes kept warm",
	.usage = "[NAME...]",
	.description =
		"Keeps the functions' runtimes warm (all of the project's, or those named) and serves "
		"Lambda's Invoke API on 127.0.0.1 (POST /2015-03-31/functions/NAME/invocations; "
		"RequestResponse, Event and DryRun; X-Amz-Log-Type: Tail gives the last 4 KB of the log in "
		"X-Amz-Log-Result; errors carry X-Amz-Function-Error: Unhandled), so 'aws lambda invoke "
		"--endpoint-url', the SDKs and curl work. Each function is served under its own name. "
		"A synchronous invocation beyond --concurrency is refused at once with 429 "
		"TooManyRequestsException (an http route's caller gets 429 Too Many Requests), as Lambda "
		"throttles a function held to that concurrency; Event invocations wait for an instance. "
		"A function.reserved-concurrency below --concurrency holds the function to it (0: every "
		"synchronous call is throttled). "
		"With --watch a change under a source path, to blambda.yml or to the deps file "
		"restarts each runtime before its next invocation, never during one; a blambda.yml with a "
		"mistake keeps the running code. With --json the endpoint, the functions, the routes and "
		"send_records are printed as one object. Ctrl-C (or SIGTERM) stops the runtimes and the server; the exit "
		"status is then 130 (143 for SIGTERM), as a shell reports a command a signal ended.\n\n"
		"Event invocations and their records. An Event invocation that fails (a function error, a timeout, a crash) is tried again as Lambda "
		"tries it: with the same request id, up to function.async.max-retries times (default 2), "
		"after --retry-delay seconds and then twice that (Lambda: one minute, then two), while the "
		"event is younger than function.async.max-event-age; a line says each retry. When it fails for "
		"good, the record Lambda sends to function.async.on-failure is shown in the log, and when it "
		"succeeds, the one for function.async.on-success. A function with "
		"function.reserved-concurrency 0 runs no Event invocation: its record goes to on-failure at once "
		"(approximateInvokeCount 0), as in Lambda. With --send-records each record is also sent, as "
		"Lambda sends it: SQS SendMessage, SNS Publish, EventBridge PutEvents (source \"lambda\", "
		"detail-type \"Lambda Function Invocation Result - Success\" or \"- Failure\"), an Event "
		"invocation of a Lambda function (the one in AWS, never one served here), or (on failure only) "
		"an S3 object under aws/lambda/async/NAME/YYYY/MM/DD/; a record past 256 KB goes without its "
		"payloads. The call goes to the destination's region (a bucket's: the function's), through "
		"AWS_ENDPOINT_URL or the service's own AWS_ENDPOINT_URL_SQS, _SNS, _EVENTBRIDGE, _LAMBDA or _S3 "
		"when set, with your credentials (--profile), not the function's role; the account they belong "
		"to must be known (STS), as it is in the record. A line says what the service answered, or why it "
		"refused; a record being sent when blambda stops is given up, and said so. Without "
		"--send-records no record is sent.\n\n"
		"The same port serves the functions' http routes (function.events) as API Gateway's HTTP API "
		"would: the most specific route takes a request (a method over ANY, a fixed segment over a "
		"parameter, anything over {name+}); the function gets a payload-format-2.0 event (rawPath and "
		"rawQueryString as sent, lower-case headers, cookies, queryStringParameters, pathParameters, "
		"requestContext.http with method, path and sourceIp, a body that is not UTF-8 text in base64); "
		"its answer becomes the response ({statusCode, headers, cookies, body, isBase64Encoded}, or a "
		"Ring map {:status :headers :body}; any other value a 200 of that JSON; an error a 500). No "
		"route: 404. A request from a web page (an Origin header) is refused unless http-api.cors "
		"allows its origin for the routes; a preflight is answered from http-api.cors. The Invoke API "
		"never takes a web page's request.",
	.opts = start_opts,
	.nopts = START__N,
	.pos = POS_FUNCTION,
	.min_pos = 0,
	.max_pos = -1,
	.flags = CMD_CONFIG,
	.examples = "blambda local start --watch\tserve the Invoke API on port 9001, restarting after each edit\n"
		    "curl -d '{}' http://127.0.0.1:9001/2015-03-31/functions/hello/invocations\t"
		    "invoke what 'local start' serves\n"
		    "curl http://127.0.0.1:9001/hello/ada\tcall the function behind route GET /hello/{name}",
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
		"AWS_REGION, AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, LAMBDA_RUNTIME_DIR), "
		"function.environment, then what Lambda sets that a function may set otherwise: TZ=:UTC, "
		"LANG=en_US.UTF-8, PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin (with the directory of the bb "
		"run here at its end) and LD_LIBRARY_PATH (the task root and the layer's lib/). Of this "
		"machine's environment it gets only AWS_CA_BUNDLE, AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_* "
		"(no HOME, TERM or PATH of yours, none of BLAMBDA_* but BLAMBDA_BB, which bootstrap starts), "
		"and each variable named by --inherit-env; and the credentials blambda's own chain finds "
		"(SSO and role profiles too), so a handler that calls AWS works; the account in the function ARN "
		"is the one STS names for them (asked once, with a 3 second limit, and remembered in the "
		"cache).\n\n"
		"An init error whose type is not one of Lambda's own kinds (Runtime.*, Function.*) is "
		"Runtime.Unknown in the INIT_REPORT and REPORT lines, as Lambda writes them; the caller gets "
		"the type and the whole error. Each new environment begins with an INIT_START line (Runtime "
		"Version: provided:al2023.local: no Lambda runtime version runs here). An init may take 10 "
		"seconds, as in Lambda; past them INIT_REPORT says Status: timeout, and the init is tried again "
		"inside the first invocation under the function's timeout (a suppressed init: its REPORT has no "
		"Init Duration, the init is in the Duration). As in Lambda, the timeout is enforced: past it the invocation fails with 'Task timed out after "
		"N.00 seconds' (Sandbox.Timedout) and the runtime is killed, to start afresh on the next one. "
		"Max Memory Used is measured from the runtime's processes (the peak of the sum of their resident "
		"memory); a run over function.memory is killed and fails with Runtime.OutOfMemory. A runtime "
		"that exits fails the invocation with Runtime.ExitError; an init error is reported with its "
		"INIT_REPORT line and handed to the caller. The runtime's output and START, END and REPORT lines "
		"in Lambda's format (Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration on "
		"a cold start, Status on a failure) go to standard error as they happen.\n\n"
		"How close it is to Lambda. Emulated: the file system, where this machine has user and mount "
		"namespaces (Debian's kernel has; as root, mount namespaces do): the task root at /var/task and "
		"the layers at /opt, both read-only, and a private /tmp, a tmpfs of "
		"function.ephemeral-storage, new in each environment (what it holds is storage, not memory: it is "
		"not in Max Memory Used, as in Lambda); every other mount of this machine is "
		"seen read-only, and the function has no capabilities, root's included. The paths the runtime "
		"reaches by their own names (the source paths, target/local/ and bb's directory) stay "
		"reachable: when they lie under /tmp, they are in the private /tmp too, read-only. Where this machine has no "
		"namespaces (or the project or bb lies under /opt), a line says so and the function runs in "
		"this machine's file system, with a copy of the first source path as its task root (in "
		"target/local/, its files read-only, thrown away with the environment: what the function writes "
		"there never reaches the source); --no-sandbox asks for that, and --sandbox fails where the "
		"sandbox cannot be had. Each environment has a keeper process, the subreaper of everything the runtime "
		"starts: a process that leaves by setsid and a double fork still counts against the memory and "
		"is ended with the environment. Between invocations the environment is frozen, as "
		"Lambda freezes it: a future started by a handler goes on only during the next invocation. "
		"Where this machine lets blambda make a cgroup (v2) under its own, the cgroup's freezer stops "
		"every process of the environment at once, unseen by them; elsewhere SIGSTOP and SIGCONT do, and "
		"a process started in the instant before the freeze may run up to a quarter of a second more. "
		"An Event invocation is retried as Lambda retries it, and its record for "
		"function.async.on-success or on-failure is made as Lambda makes it: shown in the log, and sent "
		"only with 'local start --send-records' (with your credentials, not the function's role). "
		"Not emulated: Lambda's Amazon Linux (the host's Babashka runs, on the host's libraries), "
		"its network, its user and its CPU share; no separate process or network namespace, so the "
		"function can see this machine's processes and reach its ports; an environment is not "
		"reused across 'local invoke' runs (each is a cold start).",
	.pos = POS_NONE,
	.subcommands = local_subcommands,
};
