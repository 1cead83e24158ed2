#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "core/http.h"
#include "core/clock.h"
#include "core/xalloc.h"
#include "local/destination.h"
#include "local/internal.h"
#include "local/server_internal.h"

#define SHOWN_MAX (16 * 1024) /* of a record, shown in the log */

/* a copy of a request, for an Event invocation that outlives its HTTP request */
struct event_job {
	struct local_server *s;
	struct local_pool *pool;
	struct buf payload, context;
	char id[37]; /* the invocation's id: in the 202, and in every attempt */
};

/*
 * The record Lambda sends to function.async.on-success or on-failure: said
 * in the log, and sent when a client is set (local_server_set_records_client),
 * with a line saying what the destination's service answered. Each send
 * has a client of its own (a clone), and gives up when the server stops.
 * Called with no instance held: a slow destination holds no concurrency.
 */
static void deliver(struct local_server *s, const struct local_fn *fn, const struct event_job *job, long invokes,
		    const char *condition, const struct local_result *res)
{
	int ok = !strcmp(condition, "Success");
	const char *dest = ok ? fn->on_success : fn->on_failure;
	const char *key = ok ? "function.async.on-success" : "function.async.on-failure";
	struct buf arn = BUF_INIT, line = BUF_INIT, said = BUF_INIT;
	struct local_record r = { job->id, NULL, condition, invokes, clock_epoch_ms(), job->payload.ptr, job->payload.len,
				  res };
	struct local_delivery d = { 0 };
	struct error err = ERROR_INIT;
	struct aws mine;
	char *text;
	size_t len;

	buf_addf(&arn, "arn:%s:lambda:%s:%s:function:%s:$LATEST", aws_partition(fn->region), fn->region, fn->account,
		 fn->name);
	r.function_arn = arn.ptr;
	text = local_destination_record(&r, 0);
	len = strlen(text);
	/* the record on one line of the log, its first SHOWN_MAX bytes when it is longer */
	local_server_sayf(s, fn, "blambda: Event invocation %s: its record for %s %s%s: %.*s%s", job->id, key, dest,
			  s->records ? "" : " (Lambda sends it; 'local start --send-records' does)",
			  (int)(len > SHOWN_MAX ? SHOWN_MAX : len), text,
			  len > SHOWN_MAX ? " ... (the rest of its bytes left out here)" : "");
	if (!s->records)
		goto out;
	buf_addf(&line, "blambda: Event invocation %s: its record ", job->id);
	if (atomic_load(&s->stop_sends)) {
		buf_addf(&line, "is not sent to %s: blambda is stopping", dest);
	} else if (aws_clone(&mine, s->records, &err)) {
		buf_addf(&line, "could not be sent to %s: ", dest);
		error_format(&err, &said);
		aws_release(&mine);
	} else {
		http_client_set_stop(mine.http, &s->stop_sends);
		if (local_destination_send(&mine, dest, fn->region, fn->name, &r, &d, &err)) {
			buf_addf(&line, "%s to %s: ", atomic_load(&s->stop_sends) ? "was not sent" : "could not be sent", dest);
			error_format(&err, &said);
		} else {
			buf_addf(&line, "was sent to %s (", dest);
			buf_adds(&said, d.receipt);
			buf_adds(&said, ")");
			if (d.trimmed)
				buf_adds(&said, ", without its payloads: with them it was past the 256 KB a destination takes, "
					 "as Lambda sends it");
		}
		aws_release(&mine);
	}
	/* what the service said, on this one line: its line breaks and controls cannot make lines of their own */
	buf_add_printable(&line, said.ptr ? said.ptr : "", said.len, 0);
	local_server_say(s, fn, line.ptr);
out:
	free(text);
	local_delivery_release(&d);
	error_release(&err);
	buf_release(&arn);
	buf_release(&line);
	buf_release(&said);
}

/*
 * A function held to reserved concurrency 0 runs no new Event invocation:
 * Lambda sends it to function.async.on-failure at once, without a retry,
 * or drops it. 1 when that is what happened.
 */
static int throttled(struct local_server *s, struct event_job *job)
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
		local_server_sayf(s, fn, "blambda: Event invocation %s does not run: function.reserved-concurrency is 0, "
				  "so Lambda sends it to function.async.on-failure at once", job->id);
		deliver(s, fn, job, 0, "RetriesExhausted", NULL);
	} else {
		local_server_sayf(s, fn, "blambda: Event invocation %s does not run: function.reserved-concurrency is 0, "
				  "and Lambda drops it, as no function.async.on-failure is set", job->id);
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
 * it succeeded, on-success), once the instance is free again.
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
	for (long attempt = 1; attempt > 1 || !throttled(s, job); attempt++) {
		struct local_result res;
		struct error err = ERROR_INIT;
		double delay = s->retry_delay_s * (double)attempt;
		const char *condition = NULL;
		int i = local_pool_acquire(s, job->pool, &fn, 1), failed;

		if (i == LOCAL_ACQUIRE_STOPPING) { /* none goes unsaid */
			pthread_mutex_lock(&s->lock);
			fn = job->pool->fn ? local_fn_ref(job->pool->fn) : NULL;
			pthread_mutex_unlock(&s->lock);
			if (fn)
				local_server_sayf(s, fn, "blambda: Event invocation %s is not run: blambda is stopping", id);
			local_fn_unref(fn);
		}
		if (i < 0)
			break;
		if (local_invoke(job->pool->inst[i], fn, &req, &res, &err)) {
			struct buf line = BUF_INIT;

			if (err.exit == EXIT_INTERRUPTED) { /* the server stops */
				buf_addf(&line, "blambda: Event invocation %s ended: blambda is stopping", id);
			} else {
				buf_addf(&line, "blambda: Event invocation %s: cannot start the function's runtime: ", id);
				error_format(&err, &line);
			}
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
		fn = local_fn_ref(fn); /* past the instance's release, for the record */
		local_pool_release(s, job->pool, i, fn);
		if (!failed && fn->on_success)
			deliver(s, fn, job, attempt, "Success", &res);
		else if (condition && fn->on_failure)
			deliver(s, fn, job, attempt, condition, &res);
		else if (condition)
			local_server_sayf(s, fn, "blambda: Event invocation %s failed for good (%s after %ld attempts): "
					  "Lambda drops it, as no function.async.on-failure is set", id, condition, attempt);
		else if (failed)
			local_server_sayf(s, fn, "blambda: Event invocation %s failed (%s): it is tried again in %.0f s, as "
					  "Lambda retries it", id, res.error_type, delay);
		local_result_release(&res);
		if (failed && !condition && local_server_wait(s, delay)) {
			local_server_sayf(s, fn, "blambda: Event invocation %s is not tried again: blambda is stopping", id);
			condition = "stopping";
		}
		local_fn_unref(fn);
		if (!failed || condition)
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
