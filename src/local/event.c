#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/clock.h"
#include "core/xalloc.h"
#include "local/destination.h"
#include "local/internal.h"
#include "local/serve.h"

/* a copy of a request, for an Event invocation that outlives its HTTP request */
struct event_job {
	struct local_server *s;
	struct local_pool *pool;
	struct buf payload, context;
	char id[37]; /* the invocation's id: in the 202, and in every attempt */
};

/*
 * The record Lambda sends to function.async.on-success or on-failure: said
 * in the log, and sent when asked (local_server_send_records), with a line
 * saying what the destination's service answered.
 */
static void deliver(struct local_server *s, const struct local_fn *fn, const struct event_job *job, long invokes,
		    const char *condition, const struct local_result *res)
{
	int ok = !strcmp(condition, "Success");
	const char *dest = ok ? fn->on_success : fn->on_failure;
	const char *key = ok ? "function.async.on-success" : "function.async.on-failure";
	struct buf arn = BUF_INIT, line = BUF_INIT;
	struct local_record r = { job->id, NULL, condition, invokes, job->payload.ptr, job->payload.len, res };
	struct local_delivery d = { 0 };
	struct error err = ERROR_INIT;
	char *text;
	int stopping;

	buf_addf(&arn, "arn:%s:lambda:%s:%s:function:%s:$LATEST", aws_partition(fn->region), fn->region, fn->account,
		 fn->name);
	r.function_arn = arn.ptr;
	text = local_record_json(&r, 0);
	if (!s->aws) {
		buf_addf(&line, "blambda: %s %s gets this record in Lambda (a local run sends it with "
			 "--send-records): %s", key, dest, text);
		local_server_say(s, fn, line.ptr);
		goto out;
	}
	buf_addf(&line, "blambda: the record for %s %s: %s", key, dest, text);
	local_server_say(s, fn, line.ptr);
	buf_reset(&line);
	pthread_mutex_lock(&s->lock);
	stopping = s->stopping;
	pthread_mutex_unlock(&s->lock);
	if (stopping) {
		buf_addf(&line, "blambda: the record of Event invocation %s is not sent: blambda is stopping", job->id);
	} else {
		pthread_mutex_lock(&s->send_lock);
		if (local_destination_send(s->aws, dest, fn->region, fn->name, &r, &d, &err)) {
			buf_addf(&line, "blambda: the record of Event invocation %s could not be sent to %s: ", job->id, dest);
			error_format(&err, &line);
		} else {
			buf_addf(&line, "blambda: the record of Event invocation %s was sent to %s (%s)%s", job->id, dest,
				 d.receipt, d.trimmed ? ", without its payloads: with them it was past what the "
					  "destination takes, as Lambda sends it" : "");
		}
		pthread_mutex_unlock(&s->send_lock);
	}
	local_server_say(s, fn, line.ptr);
out:
	free(text);
	local_delivery_release(&d);
	error_release(&err);
	buf_release(&arn);
	buf_release(&line);
}

/* One line of blambda's own, formatted */
static void sayf(struct local_server *s, const struct local_fn *fn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void sayf(struct local_server *s, const struct local_fn *fn, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&line, fmt, ap);
	va_end(ap);
	local_server_say(s, fn, line.ptr);
	buf_release(&line);
}

/*
 * A function held to reserved concurrency 0 runs no Event invocation:
 * Lambda sends it to function.async.on-failure at once, without a retry,
 * or drops it (`invoked`: the attempts before, should the function be held
 * to 0 between two). 1 when that is what happened.
 */
static int throttled(struct local_server *s, struct event_job *job, long invoked)
{
	struct local_fn *fn = NULL;

	pthread_mutex_lock(&s->lock);
	if (job->pool->limit || !job->pool->fn) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	fn = local_fn_ref(job->pool->fn);
	pthread_mutex_unlock(&s->lock);
	if (fn->on_failure) {
		sayf(s, fn, "blambda: Event invocation %s does not run: function.reserved-concurrency is 0, so Lambda "
		     "sends it to function.async.on-failure at once", job->id);
		deliver(s, fn, job, invoked, "RetriesExhausted", NULL);
	} else {
		sayf(s, fn, "blambda: Event invocation %s does not run: function.reserved-concurrency is 0, and Lambda "
		     "drops it, as no function.async.on-failure is set", job->id);
	}
	local_fn_unref(fn);
	return 1;
}

/*
 * An Event invocation, as Lambda runs one: when it fails (a function error,
 * a timeout, a crash) it is tried again with the same request id, up to
 * function.async.max-retries times, after the retry delay and then twice
 * that (Lambda: one minute, then two), while the event is younger than
 * function.async.max-event-age; then its record for on-failure (or, when
 * it succeeded, on-success).
 */
static void *run_event(void *arg)
{
	struct event_job *job = arg;
	struct local_server *s = job->s;
	struct local_request req = { 0 };
	struct local_fn *fn = NULL;
	const char *id = job->id;
	double queued = clock_seconds();

	req.payload = job->payload.ptr;
	req.len = job->payload.len;
	req.client_context = job->context.len ? job->context.ptr : NULL;
	req.request_id = id;
	for (long attempt = 1; !throttled(s, job, attempt - 1); attempt++) {
		struct local_result res;
		struct error err = ERROR_INIT;
		double delay = s->retry_delay_s * (double)attempt;
		const char *condition = NULL;
		int i = local_pool_acquire(s, job->pool, &fn, 1), failed;

		if (i < 0)
			break;
		if (local_invoke(job->pool->inst[i], fn, &req, &res, &err)) {
			struct buf line = BUF_INIT;

			buf_addf(&line, "blambda: Event invocation %s: cannot start the function's runtime: ", id);
			error_format(&err, &line);
			local_server_say(s, fn, line.ptr);
			buf_release(&line);
			error_release(&err);
			local_pool_release(s, job->pool, i, fn);
			break;
		}
		failed = res.error_type != NULL;
		if (failed && attempt > fn->async_retries)
			condition = "RetriesExhausted";
		else if (failed && clock_seconds() - queued + delay > (double)fn->async_max_age_s)
			condition = "EventAgeExceeded";
		if (!failed && fn->on_success)
			deliver(s, fn, job, attempt, "Success", &res);
		else if (condition && fn->on_failure)
			deliver(s, fn, job, attempt, condition, &res);
		else if (condition)
			sayf(s, fn, "blambda: Event invocation %s failed for good (%s after %ld attempts): Lambda drops "
			     "it, as no function.async.on-failure is set", id, condition, attempt);
		else if (failed)
			sayf(s, fn, "blambda: Event invocation %s failed (%s): it is tried again in %.0f s, as Lambda "
			     "retries it", id, res.error_type, delay);
		local_result_release(&res);
		local_pool_release(s, job->pool, i, fn);
		if (!failed || condition || local_server_wait(s, delay))
			break;
	}
	buf_release(&job->payload);
	buf_release(&job->context);
	free(job);
	pthread_mutex_lock(&s->lock);
	s->events_running--;
	pthread_cond_broadcast(&s->events_done);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int local_event_queue(struct local_server *s, struct local_pool *p, const void *payload, size_t len,
		      const struct buf *context, char id[37])
{
	struct event_job *job = xcalloc(1, sizeof(*job));
	pthread_t t;
	pthread_attr_t attr;
	int full, failed;

	buf_init(&job->payload);
	buf_init(&job->context);
	job->s = s;
	job->pool = p;
	local_request_id(job->id);
	buf_add(&job->payload, len ? payload : "{}", len ? len : 2);
	buf_add(&job->context, context->ptr, context->len);
	pthread_mutex_lock(&s->lock);
	full = s->events_running >= LOCAL_EVENTS_MAX;
	if (!full)
		s->events_running++;
	pthread_mutex_unlock(&s->lock);
	if (!full) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		memcpy(id, job->id, 37);
		failed = pthread_create(&t, &attr, run_event, job);
		pthread_attr_destroy(&attr);
		if (!failed)
			return 0;
		pthread_mutex_lock(&s->lock);
		s->events_running--;
		pthread_mutex_unlock(&s->lock);
	}
	buf_release(&job->payload);
	buf_release(&job->context);
	free(job);
	return full ? 1 : -1;
}
