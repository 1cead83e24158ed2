/*
 * The Runtime API, as Lambda serves it to a runtime: GET invocation/next
 * hands out the invocation waiting (with Lambda's headers), POST
 * invocation/ID/response or /error answers it, POST init/error reports an
 * init that failed. One server per runtime started; a request from a
 * runtime since stopped (an older gen) gets nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "local/internal.h"

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

/* An error type a runtime posted, as it goes into REPORT lines and to the caller: printable, one line */
static char *printable_type(const char *type, const char *def)
{
	struct buf b = BUF_INIT;

	if (!type || !*type)
		type = def;
	buf_add_printable(&b, type, strlen(type) > 256 ? 256 : strlen(type), 0);
	return buf_detach(&b);
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
		/*
		 * As Lambda does, the environment is frozen until the next invocation:
		 * background work of the runtime does not go on meanwhile. Not while
		 * an invocation is under way (a runtime that asks again before it
		 * answers would never answer).
		 */
		if (!(in->cur && !in->cur->done))
			local_runtime_freeze(in, 1);
		pthread_cond_broadcast(&in->cond);
	}
	while (gen == in->gen && !(in->cur && !in->cur->handed_out && !in->cur->done))
		pthread_cond_wait(&in->cond, &in->lock);
	if (gen == in->gen)
		local_runtime_freeze(in, 0);
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
	/* from the start of the invoke phase: an init retried in it counts against the timeout */
	deadline_ms = clock_epoch_ms() + in->fn->timeout_s * 1000 -
		      (inv->phase_at ? (long long)((inv->handed_at - inv->phase_at) * 1000.0) : 0);
	if (!inv->started)
		local_instance_emitf(in, "START RequestId: %s Version: $LATEST", inv->id);
	inv->started = 1;
	pthread_cond_broadcast(&in->cond);

	local_random_hex(trace, 12);
	local_random_hex(parent, 8);
	snprintf(arn, sizeof(arn), "arn:%s:lambda:%s:%s:function:%s", aws_partition(in->fn->region), in->fn->region,
		 in->fn->account, in->fn->name);
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
	/* answered already, as the emulator answers it (an Event retried has the id again: that one is new) */
	if (gen == in->gen && !strcmp(in->last_done, id) && !(inv && inv->handed_out && !inv->done && !strcmp(inv->id, id))) {
		pthread_mutex_unlock(&in->lock);
		buf_release(&too_large);
		return reply_error(rep, 403, "InvalidStateTransition",
				   "State transition from RuntimeResponseSent to InvocationResponse failed");
	}
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
			inv->error_type = printable_type(type, "Unhandled");
		else if (httpd_header(req, "Content-Type"))
			inv->content_type = printable_type(httpd_header(req, "Content-Type"), "application/json");
		buf_add(&inv->payload, req->body, req->len);
		reply_json(rep, 202, "{\"status\":\"OK\"}");
	}
	inv->done = 1;
	inv->done_at = clock_seconds();
	snprintf(in->last_done, sizeof(in->last_done), "%s", inv->id);
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
	in->init_error_type = printable_type(type, "Runtime.Unknown");
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	reply_json(rep, 202, "{\"status\":\"OK\"}");
}

void local_runtime_api(void *ctx, const struct httpd_request *req, struct httpd_reply *rep)
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
