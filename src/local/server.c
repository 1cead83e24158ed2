#include "local/server.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/hash.h"
#include "core/json.h"
#include "core/clock.h"
#include "core/xalloc.h"
#include "local/httpd.h"
#include "local/internal.h"
#include "local/routes.h"
#include "local/server_internal.h"

#define CLIENT_CONTEXT_MAX 3583 /* Lambda's limit for X-Amz-Client-Context, base64 */
#define TAIL_BYTES 4096        /* X-Amz-Log-Result holds the last 4 KB of the log */
#define IDLE_S 60              /* a client connection that sends nothing for this long is closed */

static struct local_pool *find_pool(struct local_server *s, const char *name)
{
	for (size_t i = 0; i < s->npools; i++)
		if (!strcmp(s->pools[i]->name, name))
			return s->pools[i];
	return NULL;
}

int local_pool_acquire(struct local_server *s, struct local_pool *p, struct local_fn **fn, int wait)
{
	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->stopping || !p->fn) {
			int why = s->stopping ? LOCAL_ACQUIRE_STOPPING : LOCAL_ACQUIRE_GONE;

			pthread_mutex_unlock(&s->lock);
			return why;
		}
		for (unsigned i = 0; i < p->limit; i++) {
			if (!p->busy[i]) {
				p->busy[i] = 1;
				*fn = local_fn_ref(p->fn);
				pthread_mutex_unlock(&s->lock);
				return (int)i;
			}
		}
		if (!wait) {
			pthread_mutex_unlock(&s->lock);
			return LOCAL_ACQUIRE_BUSY;
		}
		pthread_cond_wait(&s->freed, &s->lock);
	}
}

void local_pool_release(struct local_server *s, struct local_pool *p, int i, struct local_fn *fn)
{
	int gone;

	local_fn_unref(fn);
	pthread_mutex_lock(&s->lock);
	gone = !p->fn;
	pthread_mutex_unlock(&s->lock);
	if (gone) /* a function no longer served: its runtime stops (it starts again if the function comes back) */
		local_instance_stop(p->inst[i]);
	pthread_mutex_lock(&s->lock);
	p->busy[i] = 0;
	pthread_cond_broadcast(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

int local_server_wait(struct local_server *s, double seconds)
{
	struct timespec until;
	int stopping;

	clock_gettime(CLOCK_REALTIME, &until); /* the clock of s->freed */
	until.tv_sec += (time_t)seconds;
	until.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (!s->stopping && pthread_cond_timedwait(&s->freed, &s->lock, &until) != ETIMEDOUT)
		;
	stopping = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stopping;
}

void local_server_say(struct local_server *s, const struct local_fn *fn, const char *text)
{
	if (s->log)
		s->log(s->log_ctx, fn, text, strlen(text));
}

void local_server_sayf(struct local_server *s, const struct local_fn *fn, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&line, fmt, ap);
	va_end(ap);
	local_server_say(s, fn, line.ptr);
	buf_release(&line);
}

/* AWS's error shape for the Lambda REST API: the code in a header and in the body */
static void aws_error_reply(struct httpd_reply *rep, unsigned status, const char *code, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(o, "Type", status >= 500 ? "Service" : "User");
	cJSON_AddStringToObject(o, "Message", message);
	cJSON_AddStringToObject(o, "message", message);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	rep->status = status;
	buf_adds(&rep->body, text);
	free(text);
	kvlist_add(&rep->headers, "Content-Type", "application/json");
	kvlist_add(&rep->headers, "X-Amzn-ErrorType", code);
}

/*
 * The function a path names, as Lambda reads it: NAME[:QUALIFIER],
 * ACCOUNT:function:NAME[:QUALIFIER] or arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
 * NULL when it is none of these (an empty part included); *partition,
 * *region and *account (NULL when not given) are for the caller to check
 * against the function's.
 */
static char *function_name(const char *path_name, char **q, char **partition, char **region, char **account)
{
	struct strlist parts = STRLIST_INIT;
	const char *name = NULL, *qual = NULL, *part = NULL, *reg = NULL, *acc = NULL;
	char *r = NULL;

	*q = *partition = *region = *account = NULL;
	/* an empty part ("hello:", "::hello") names nothing */
	if (!*path_name || path_name[0] == ':' || path_name[strlen(path_name) - 1] == ':' || strstr(path_name, "::"))
		return NULL;
	strlist_split(&parts, path_name, ':');
	if (parts.nr >= 1 && parts.nr <= 2) {
		name = parts.items[0];
		qual = parts.nr == 2 ? parts.items[1] : NULL;
	} else if ((parts.nr == 3 || parts.nr == 4) && !strcmp(parts.items[1], "function")) {
		acc = parts.items[0];
		name = parts.items[2];
		qual = parts.nr == 4 ? parts.items[3] : NULL;
	} else if ((parts.nr == 7 || parts.nr == 8) && !strcmp(parts.items[0], "arn") && !strcmp(parts.items[2], "lambda") &&
		   !strcmp(parts.items[5], "function")) {
		part = parts.items[1];
		reg = parts.items[3];
		acc = parts.items[4];
		name = parts.items[6];
		qual = parts.nr == 8 ? parts.items[7] : NULL;
	}
	if (name && *name) {
		r = xstrdup(name);
		*q = xstrdup_or_null(qual);
		*partition = xstrdup_or_null(part);
		*region = xstrdup_or_null(reg);
		*account = xstrdup_or_null(acc);
	}
	strlist_clear(&parts);
	return r;
}

/* a function still served, for the region and account of messages; called locked */
static const struct local_fn *any_function(const struct local_server *s)
{
	for (size_t i = 0; i < s->npools; i++)
		if (s->pools[i]->fn)
			return s->pools[i]->fn;
	return NULL;
}

/* One Invoke request, as read from its path, query and headers. */
struct invoke_call {
	char *name, *qualifier;         /* the function named, and its qualifier (query or ARN), or NULL */
	char *arn_partition, *arn_region, *arn_account; /* what an ARN or partial ARN in the path said, or NULL */
	const char *type;               /* X-Amz-Invocation-Type, NULL for RequestResponse */
	int is_event, tail;             /* an Event invocation; X-Amz-Log-Type: Tail */
	struct buf context;             /* the client context, compact JSON, or empty */
};

static void invoke_call_release(struct invoke_call *c)
{
	free(c->name);
	free(c->qualifier);
	free(c->arn_partition);
	free(c->arn_region);
	free(c->arn_account);
	buf_release(&c->context);
}

/* The method and the function named by the path into c; 0, or -1 with the error in rep. */
static int read_target(const struct httpd_request *req, struct invoke_call *c, struct httpd_reply *rep)
{
	static const char prefix[] = "/2015-03-31/functions/";
	const char *rest, *slash, *qual = httpd_query(req, "Qualifier");
	char *path_name, *arn_qual = NULL;

	if (strncmp(req->url, prefix, sizeof(prefix) - 1) || !(slash = strchr(rest = req->url + sizeof(prefix) - 1, '/')) ||
	    strcmp(slash, "/invocations") || slash == rest) {
		aws_error_reply(rep, 404, "UnknownOperationException", "blambda local serves Invoke only");
		return -1;
	}
	if (strcmp(req->method, "POST")) {
		aws_error_reply(rep, 405, "UnknownOperationException", "Invoke is a POST");
		return -1;
	}
	path_name = xstrndup(rest, (size_t)(slash - rest));
	c->name = function_name(path_name, &arn_qual, &c->arn_partition, &c->arn_region, &c->arn_account);
	if (c->name)
		free(path_name);
	else
		c->name = path_name;
	c->qualifier = qual ? xstrdup(qual) : arn_qual;
	if (qual)
		free(arn_qual);
	return 0;
}

/* The pool serving the function c names; NULL with Lambda's 404 in rep. */
static struct local_pool *find_target(struct local_server *s, const struct invoke_call *c, struct httpd_reply *rep)
{
	struct buf msg = BUF_INIT;
	const struct local_fn *any;
	const char *region, *account;
	struct local_pool *p;

	pthread_mutex_lock(&s->lock);
	p = find_pool(s, c->name);
	/* an ARN of another partition, region or account names another function */
	if (p && (!p->fn || (c->arn_partition && strcmp(c->arn_partition, aws_partition(p->fn->region))) ||
		  (c->arn_region && strcmp(c->arn_region, p->fn->region)) ||
		  (c->arn_account && strcmp(c->arn_account, p->fn->account))))
		p = NULL;
	if (p && !(c->qualifier && strcmp(c->qualifier, "$LATEST"))) {
		pthread_mutex_unlock(&s->lock);
		return p;
	}
	any = p ? p->fn : any_function(s);
	region = c->arn_region ? c->arn_region : any ? any->region : "us-east-1";
	account = c->arn_account ? c->arn_account : any ? any->account : "000000000000";
	buf_addf(&msg, "Function not found: arn:%s:lambda:%s:%s:function:%s%s%s", aws_partition(region), region, account,
		 c->name, c->qualifier ? ":" : "", c->qualifier ? c->qualifier : "");
	pthread_mutex_unlock(&s->lock);
	aws_error_reply(rep, 404, "ResourceNotFoundException", msg.ptr);
	buf_release(&msg);
	return NULL;
}

/* The client context, handed on as a header: one line of compact JSON, and an object. 0 or -1. */
static int read_client_context(const char *cc, struct buf *out)
{
	struct buf raw = BUF_INIT;
	size_t line, column;

	if (!base64_decode(cc, strlen(cc), &raw) && !json_check(raw.ptr, raw.len, &line, &column))
		json_compact(raw.ptr, raw.len, out);
	if (out->len && out->ptr[0] != '{')
		buf_reset(out);
	buf_release(&raw);
	return out->len ? 0 : -1;
}

/* The rest of the request, checked as Lambda checks it, into c; 0, or -1 with the error in rep. */
static int read_call(const struct httpd_request *req, struct invoke_call *c, struct httpd_reply *rep)
{
	const char *tail = httpd_header(req, "X-Amz-Log-Type"), *cc = httpd_header(req, "X-Amz-Client-Context");
	struct buf msg = BUF_INIT;
	size_t line, column;
	int r = -1;

	c->type = httpd_header(req, "X-Amz-Invocation-Type");
	c->is_event = c->type && !strcmp(c->type, "Event");
	c->tail = tail && !strcmp(tail, "Tail");
	if (c->type && strcmp(c->type, "RequestResponse") && strcmp(c->type, "Event") && strcmp(c->type, "DryRun")) {
		aws_error_reply(rep, 400, "InvalidParameterValueException",
				"X-Amz-Invocation-Type must be RequestResponse, Event or DryRun");
	} else if (req->too_large || req->total > (c->is_event ? LOCAL_EVENT_MAX : LOCAL_MAX_REQUEST)) {
		/* as Lambda words it */
		buf_addf(&msg, "Request must be smaller than %u bytes for the InvokeFunction operation",
			 (unsigned)(c->is_event ? LOCAL_EVENT_MAX : LOCAL_MAX_REQUEST));
		aws_error_reply(rep, 413, "RequestEntityTooLargeException", msg.ptr);
	} else if (cc && strlen(cc) > CLIENT_CONTEXT_MAX) {
		buf_addf(&msg, "Client context must be at most %d bytes of base64-encoded data", CLIENT_CONTEXT_MAX);
		aws_error_reply(rep, 400, "InvalidParameterValueException", msg.ptr);
	} else if (req->len && json_check(req->body, req->len, &line, &column)) {
		buf_addf(&msg, "Could not parse request body into json: a mistake at line %zu, column %zu", line, column);
		aws_error_reply(rep, 400, "InvalidRequestContentException", msg.ptr);
	} else if (cc && *cc && read_client_context(cc, &c->context)) {
		aws_error_reply(rep, 400, "InvalidRequestContentException",
				"Client context must be a valid Base64-encoded JSON object.");
	} else {
		r = 0;
	}
	buf_release(&msg);
	return r;
}

/* An Event invocation: queued (202) to run on its own thread, or refused when too many wait */
static void invoke_event(struct local_server *s, struct local_pool *p, const struct invoke_call *c,
			 const struct httpd_request *req, struct httpd_reply *rep)
{
	char id[37];
	int r = local_event_queue(s, p, req->body, req->len, &c->context, id);

	if (!r) {
		rep->status = 202;
		kvlist_add(&rep->headers, "X-Amzn-RequestId", id);
	} else if (r > 0) {
		struct buf msg = BUF_INIT;

		buf_addf(&msg, "%d Event invocations are waiting already", LOCAL_EVENTS_MAX);
		aws_error_reply(rep, 429, "TooManyRequestsException", msg.ptr);
		buf_release(&msg);
	} else {
		aws_error_reply(rep, 500, "ServiceException", "cannot start the invocation");
	}
}

/* Lambda's answer to a RequestResponse invocation that ran */
static void reply_result(const struct invoke_call *c, const struct local_result *res, struct httpd_reply *rep)
{
	rep->status = 200;
	buf_add(&rep->body, res->payload.ptr, res->payload.len);
	/* the runtime's own, as Lambda passes it on (a streamed or binary answer says what it is) */
	kvlist_add(&rep->headers, "Content-Type", res->content_type ? res->content_type : "application/json");
	kvlist_add(&rep->headers, "X-Amz-Executed-Version", "$LATEST");
	kvlist_add(&rep->headers, "X-Amzn-RequestId", res->request_id);
	if (res->error_type)
		kvlist_add(&rep->headers, "X-Amz-Function-Error", "Unhandled");
	if (c->tail) {
		struct buf b64 = BUF_INIT;
		size_t from = res->log.len > TAIL_BYTES ? res->log.len - TAIL_BYTES : 0;

		base64_encode(res->log.ptr + from, res->log.len - from, &b64);
		kvlist_add(&rep->headers, "X-Amz-Log-Result", b64.ptr);
		buf_release(&b64);
	}
}

/* A RequestResponse invocation: waits for a free instance, runs, answers */
static void invoke_sync(struct local_server *s, struct local_pool *p, const struct invoke_call *c,
			const struct httpd_request *req, struct httpd_reply *rep)
{
	struct local_request lr = { 0 };
	struct local_result res;
	struct error err = ERROR_INIT;
	struct local_fn *fn = NULL;
	int i = local_pool_acquire(s, p, &fn, 0);

	if (i == LOCAL_ACQUIRE_BUSY) /* as Lambda answers past a function's concurrency */
		return aws_error_reply(rep, 429, "TooManyRequestsException", "Rate Exceeded.");
	if (i == LOCAL_ACQUIRE_STOPPING)
		return aws_error_reply(rep, 503, "ServiceException", "blambda local is stopping");
	if (i == LOCAL_ACQUIRE_GONE)
		return aws_error_reply(rep, 404, "ResourceNotFoundException", "the function is no longer served");
	lr.payload = req->len ? req->body : "{}";
	lr.len = req->len ? req->len : 2;
	lr.client_context = c->context.len ? c->context.ptr : NULL;
	if (local_invoke(p->inst[i], fn, &lr, &res, &err)) {
		struct buf msg = BUF_INIT;

		buf_adds(&msg, "cannot start the function's runtime: ");
		error_format(&err, &msg);
		aws_error_reply(rep, 500, "ServiceException", msg.ptr);
		local_server_sayf(s, fn, "blambda: %s", msg.ptr); /* where the developer looks, not only to the caller */
		buf_release(&msg);
	} else {
		reply_result(c, &res, rep);
		local_result_release(&res);
	}
	local_pool_release(s, p, i, fn);
	error_release(&err);
}

static void http_message(struct httpd_reply *rep, unsigned status, const char *message)
{
	rep->status = status;
	buf_addf(&rep->body, "{\"message\":\"%s\"}", message);
	kvlist_add(&rep->headers, "Content-Type", "application/json");
}

/* The pool whose function has the most specific route for the request, its route key and parameters; NULL: none */
static struct local_pool *find_route(struct local_server *s, const char *method, const char *path, char **route,
			       struct kvlist *params)
{
	const char **keys = NULL;
	struct local_pool **owner = NULL;
	size_t n = 0;
	struct local_pool *best = NULL;
	int at;

	*route = NULL;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->npools; i++)
		for (size_t k = 0; s->pools[i]->fn && k < s->pools[i]->fn->routes.nr; k++) {
			keys = xrealloc(keys, (n + 1) * sizeof(*keys));
			owner = xrealloc(owner, (n + 1) * sizeof(*owner));
			keys[n] = s->pools[i]->fn->routes.items[k];
			owner[n++] = s->pools[i];
		}
	if ((at = local_route_pick(keys, n, method, path, params)) >= 0) {
		best = owner[at];
		*route = xstrdup(keys[at]);
	}
	pthread_mutex_unlock(&s->lock);
	free(keys);
	free(owner);
	return best;
}

/* An origin http-api.cors lets call the routes */
static int origin_allowed(const struct local_cors *c, const char *origin)
{
	return strlist_has(&c->origins, "*") || strlist_has(&c->origins, origin);
}

static int route_origin_ok(void *ctx, const struct httpd_request *req, const char *origin)
{
	const struct local_server *s = ctx;

	return strncmp(req->url, "/2015-03-31/", 12) && origin_allowed(&s->cors, origin);
}

static void join(struct buf *out, const struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		buf_addf(out, "%s%s", i ? "," : "", l->items[i]);
}

/* The CORS headers API Gateway adds for an allowed origin; with preflight, its answer to an OPTIONS preflight */
static void cors_headers(const struct local_cors *c, const char *origin, int preflight, struct httpd_reply *rep)
{
	struct buf v = BUF_INIT;

	kvlist_add(&rep->headers, "Access-Control-Allow-Origin",
		   strlist_has(&c->origins, "*") && !c->credentials ? "*" : origin);
	kvlist_add(&rep->headers, "Vary", "Origin");
	if (c->credentials)
		kvlist_add(&rep->headers, "Access-Control-Allow-Credentials", "true");
	if (preflight) {
		join(&v, &c->methods);
		if (v.len)
			kvlist_add(&rep->headers, "Access-Control-Allow-Methods", v.ptr);
		buf_reset(&v);
		join(&v, &c->headers);
		if (v.len)
			kvlist_add(&rep->headers, "Access-Control-Allow-Headers", v.ptr);
		if (c->max_age) {
			buf_reset(&v);
			buf_addf(&v, "%ld", c->max_age);
			kvlist_add(&rep->headers, "Access-Control-Max-Age", v.ptr);
		}
	}
	buf_release(&v);
}

/* A request to an http route, as API Gateway's HTTP API hands it to the function and answers it */
static void serve_route(struct local_server *s, const struct httpd_request *req, struct httpd_reply *rep)
{
	struct kvlist params = KVLIST_INIT, query = KVLIST_INIT, headers = KVLIST_INIT;
	struct local_http_request hr = { 0 };
	struct local_http_response out;
	struct local_request lr = { 0 };
	struct local_result res;
	struct error err = ERROR_INIT;
	struct local_fn *fn = NULL;
	struct buf event = BUF_INIT, path = BUF_INIT;
	const char *origin = httpd_header(req, "Origin"), *q = strchr(req->raw_uri, '?');
	char *route = NULL, hexid[33], id[37];
	struct local_pool *p;
	int i;

	buf_add(&path, req->raw_uri, q ? (size_t)(q - req->raw_uri) : strlen(req->raw_uri));
	if (origin && !strcmp(req->method, "OPTIONS") && httpd_header(req, "Access-Control-Request-Method")) {
		rep->status = 204; /* a preflight: API Gateway answers it from the API's CORS, without the function */
		cors_headers(&s->cors, origin, 1, rep);
		goto out;
	}
	if (origin)
		cors_headers(&s->cors, origin, 0, rep);
	if (!(p = find_route(s, req->method, path.ptr, &route, &params))) {
		http_message(rep, 404, "Not Found");
		goto out;
	}
	if (req->too_large) {
		http_message(rep, 413, "Request Entity Too Large");
		goto out;
	}
	httpd_values(req, 0, &headers);
	httpd_values(req, 1, &query);
	local_random_hex(hexid, 16);
	snprintf(id, sizeof(id), "%.8s-%.4s-%.4s-%.4s-%.12s", hexid, hexid + 8, hexid + 12, hexid + 16, hexid + 20);
	hr.method = req->method;
	hr.path = path.ptr;
	hr.raw_query = q ? q + 1 : "";
	hr.query = &query;
	hr.headers = &headers;
	hr.body = req->body;
	hr.len = req->len;
	hr.source_ip = "127.0.0.1";
	hr.route = route;
	hr.params = &params;
	hr.now_ms = clock_epoch_ms();
	hr.request_id = id;
	local_http_event(&hr, &event);
	if (event.len > LOCAL_MAX_REQUEST) { /* Lambda's limit for the event: API Gateway's answer to it */
		http_message(rep, 413, "Request Entity Too Large");
		goto out;
	}
	i = local_pool_acquire(s, p, &fn, 0);
	if (i == LOCAL_ACQUIRE_BUSY) { /* API Gateway's answer when Lambda throttles */
		http_message(rep, 429, "Too Many Requests");
		goto out;
	}
	if (i < 0) {
		http_message(rep, 503, "Service Unavailable");
		goto out;
	}
	lr.payload = event.ptr;
	lr.len = event.len;
	if (local_invoke(p->inst[i], fn, &lr, &res, &err)) {
		http_message(rep, 500, "Internal Server Error");
	} else {
		local_http_response(res.payload.ptr, res.payload.len, res.error_type != NULL, &out);
		rep->status = out.status;
		buf_add(&rep->body, out.body.ptr, out.body.len);
		for (size_t k = 0; k < out.headers.nr; k++)
			kvlist_add(&rep->headers, out.headers.items[k].key, out.headers.items[k].value);
		kvlist_add(&rep->headers, "Apigw-Requestid", id);
		local_http_response_release(&out);
		local_result_release(&res);
	}
	local_pool_release(s, p, i, fn);
out:
	free(route);
	kvlist_clear(&params);
	kvlist_clear(&query);
	kvlist_clear(&headers);
	buf_release(&event);
	buf_release(&path);
	error_release(&err);
}

void local_server_set_cors(struct local_server *s, const struct local_cors *c)
{
	strlist_add_all(&s->cors.origins, &c->origins);
	strlist_add_all(&s->cors.methods, &c->methods);
	strlist_add_all(&s->cors.headers, &c->headers);
	s->cors.max_age = c->max_age;
	s->cors.credentials = c->credentials;
	httpd_allow_origins(s->http, route_origin_ok);
}

static void invoke_api(void *ctx, const struct httpd_request *req, struct httpd_reply *rep)
{
	struct local_server *s = ctx;
	struct invoke_call c = { .context = BUF_INIT };
	struct local_pool *p;

	if (strncmp(req->url, "/2015-03-31/", 12)) {
		serve_route(s, req, rep);
		return;
	}

	/* each step answers the errors it finds */
	if (!read_target(req, &c, rep) && (p = find_target(s, &c, rep)) && !read_call(req, &c, rep)) {
		if (c.type && !strcmp(c.type, "DryRun"))
			rep->status = 204;
		else if (c.is_event)
			invoke_event(s, p, &c, req, rep);
		else
			invoke_sync(s, p, &c, req, rep);
	}
	if (!kvlist_get_nocase(&rep->headers, "X-Amzn-RequestId")) { /* Lambda sends one with every answer */
		char id[37];

		local_request_id(id);
		kvlist_add(&rep->headers, "X-Amzn-RequestId", id);
	}
	invoke_call_release(&c);
}

struct local_server *local_server_start(unsigned port, unsigned concurrency, local_log_fn log, void *log_ctx,
					struct error *err)
{
	struct local_server *s = xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->freed, NULL);
	pthread_cond_init(&s->events_done, NULL);
	s->concurrency = concurrency ? concurrency : 1;
	s->retry_delay_s = 60;
	s->log = log;
	s->log_ctx = log_ctx;
	s->http = httpd_start(port, LOCAL_MAX_REQUEST, IDLE_S, invoke_api, s, err);
	if (!s->http) {
		pthread_cond_destroy(&s->freed);
		pthread_cond_destroy(&s->events_done);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

unsigned local_server_port(const struct local_server *s)
{
	return httpd_port(s->http);
}

void local_server_set_functions(struct local_server *s, struct local_fn *const *fns, size_t n)
{
	struct stray {
		struct local_pool *pool;
		unsigned i;
	} *strays;
	size_t nstrays = 0;

	pthread_mutex_lock(&s->lock);
	strays = xcalloc(s->npools * s->concurrency + 1, sizeof(*strays));
	for (size_t i = 0; i < s->npools; i++) {
		local_fn_unref(s->pools[i]->fn);
		s->pools[i]->fn = NULL;
	}
	/* functions served before and not now lose their idle runtimes here, their busy ones on release */
	for (size_t k = 0; k < n; k++) {
		struct local_pool *p = find_pool(s, fns[k]->name);

		if (!p) {
			XGROW(s->pools, s->apools, s->npools + 1);
			p = s->pools[s->npools++] = xcalloc(1, sizeof(*p));
			p->name = xstrdup(fns[k]->name);
			p->n = s->concurrency;
			p->inst = xcalloc(p->n, sizeof(*p->inst));
			p->busy = xcalloc(p->n, sizeof(*p->busy));
			for (unsigned i = 0; i < p->n; i++)
				p->inst[i] = local_instance_new(s->log, s->log_ctx);
		}
		p->fn = local_fn_ref(fns[k]);
		/* as Lambda holds a function to its reserved concurrency (0: every call throttled) */
		p->limit = fns[k]->reserved >= 0 && (unsigned long)fns[k]->reserved < p->n ? (unsigned)fns[k]->reserved : p->n;
	}
	for (size_t i = 0; i < s->npools; i++) {
		struct local_pool *p = s->pools[i];

		for (unsigned k = 0; !p->fn && k < p->n; k++) {
			if (!p->busy[k]) {
				p->busy[k] = 1; /* while its runtime stops */
				strays[nstrays].pool = p;
				strays[nstrays++].i = k;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < nstrays; i++)
		local_instance_stop(strays[i].pool->inst[strays[i].i]);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < nstrays; i++)
		strays[i].pool->busy[strays[i].i] = 0;
	pthread_cond_broadcast(&s->freed);
	pthread_mutex_unlock(&s->lock);
	free(strays);
}

void local_server_set_retry_delay(struct local_server *s, double seconds)
{
	s->retry_delay_s = seconds;
}

void local_server_set_records_client(struct local_server *s, struct aws *a)
{
	s->records = a;
}

void local_server_stop(struct local_server *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	atomic_store(&s->stop_sends, 1);
	pthread_cond_broadcast(&s->freed);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < s->npools; i++)
		for (unsigned k = 0; k < s->pools[i]->n; k++)
			local_instance_abort(s->pools[i]->inst[k]);
	httpd_stop(s->http);
	pthread_mutex_lock(&s->lock);
	while (s->events_running)
		pthread_cond_wait(&s->events_done, &s->lock);
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < s->npools; i++) {
		struct local_pool *p = s->pools[i];

		for (unsigned k = 0; k < p->n; k++)
			local_instance_free(p->inst[k]);
		free(p->inst);
		free(p->busy);
		free(p->name);
		local_fn_unref(p->fn);
		free(p);
	}
	free(s->pools);
	strlist_clear(&s->cors.origins);
	strlist_clear(&s->cors.methods);
	strlist_clear(&s->cors.headers);
	pthread_cond_destroy(&s->freed);
	pthread_cond_destroy(&s->events_done);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
