#ifndef BLAMBDA_LOCAL_SERVER_INTERNAL_H
#define BLAMBDA_LOCAL_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "aws/aws.h"
#include "local/httpd.h"
#include "local/server.h"

/*
 * The state of `local start`'s server, shared by server.c (the Invoke API
 * and the http routes) and event.c (Event invocations, their retries and
 * their records). Internal to local/. `lock` guards the pools, their
 * busy flags and fn, `stopping` and `events_running`; what is set before
 * serving (concurrency, log, retry_delay_s, cors, records) is only read.
 */

/* the instances of one function */
struct local_pool {
	char *name;
	struct local_fn *fn;   /* NULL: no longer served */
	struct local_instance **inst;
	int *busy;
	unsigned n;
	unsigned limit;        /* of them, how many may serve: fewer under function.reserved-concurrency */
};

struct local_server {
	pthread_mutex_t lock;
	pthread_cond_t freed;  /* an instance became free, or the server is stopping */
	struct httpd *http;
	unsigned concurrency;
	local_log_fn log;
	void *log_ctx;
	struct local_pool **pools; /* each stays where it is: requests hold on to it */
	size_t npools, apools;
	int stopping;
	unsigned events_running; /* Event invocations still going on, their retries included */
	double retry_delay_s;    /* before an Event invocation that failed is tried again (Lambda: 60) */
	pthread_cond_t events_done;
	struct local_cors cors;  /* the routes' CORS (http-api.cors), set before serving */
	struct aws *records;     /* the client records are sent with (each send a clone of it), or NULL: shown only */
	atomic_int stop_sends;   /* set when stopping: a record being sent gives up */
};

enum { LOCAL_ACQUIRE_STOPPING = -1, LOCAL_ACQUIRE_GONE = -2, LOCAL_ACQUIRE_BUSY = -3 };

/*
 * A free instance of the pool; LOCAL_ACQUIRE_STOPPING or LOCAL_ACQUIRE_GONE
 * when there is none to wait for. With `wait`, it waits for one (Event
 * invocations queue); without, every instance busy is LOCAL_ACQUIRE_BUSY at
 * once (Lambda throttles a synchronous call past its concurrency, it never
 * queues it). *fn: a reference to the function's description.
 */
int local_pool_acquire(struct local_server *s, struct local_pool *p, struct local_fn **fn, int wait);
/* Instance i free again (its runtime stopped when the function is no longer served); fn's reference dropped. */
void local_pool_release(struct local_server *s, struct local_pool *p, int i, struct local_fn *fn);
/* A line of blambda's own in the function's log stream. */
void local_server_say(struct local_server *s, const struct local_fn *fn, const char *text);
void local_server_sayf(struct local_server *s, const struct local_fn *fn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Wait this long unless the server stops first: 1 when it does. */
int local_server_wait(struct local_server *s, double seconds);

/*
 * Queue an Event invocation of the pool's function (payload and client
 * context copied) to run on a thread of its own: 0 with its request id in
 * `id`; 1 when too many wait already (Lambda's 429); -1 when no thread can
 * be started.
 */
int local_event_queue(struct local_server *s, struct local_pool *p, const void *payload, size_t len,
		      const struct buf *context, char id[37]);
/* How many Event invocations may wait or run at once (more are refused with 429). */
#define LOCAL_EVENTS_MAX 64

#endif
