#ifndef BLAMBDA_LOCAL_SERVER_H
#define BLAMBDA_LOCAL_SERVER_H

#include "core/buf.h"
#include "local/instance.h"

/*
 * Lambda's Invoke API on loopback, over warm local instances: POST
 * /2015-03-31/functions/NAME/invocations with Lambda's headers
 * (X-Amz-Invocation-Type RequestResponse, Event or DryRun; X-Amz-Log-Type
 * Tail; X-Amz-Client-Context) and answers (X-Amz-Function-Error,
 * X-Amz-Log-Result, X-Amz-Executed-Version, AWS's error shapes), so the AWS
 * CLI and SDKs pointed at it with an endpoint URL work. Each function has
 * `concurrency` instances; more invocations than that wait for one, as
 * Lambda's do for a function held to that concurrency.
 */
struct local_server;
struct aws;

/* Serve on 127.0.0.1:port (0: a free one). NULL with err. */
struct local_server *local_server_start(unsigned port, unsigned concurrency, local_log_fn log, void *log_ctx,
					struct error *err);
unsigned local_server_port(const struct local_server *s);
/*
 * Serve these functions from now on (references are taken). A function
 * already served keeps its instances: each starts afresh from the new
 * description before its next invocation, never during one.
 */
void local_server_set_functions(struct local_server *s, struct local_fn *const *fns, size_t n);
/* The CORS of the http routes (http-api.cors), as API Gateway applies it: a web page of these origins may call them */
struct local_cors {
	struct strlist origins, methods, headers;
	long max_age;
	int credentials;
};
/* Set before serving (a copy is kept). */
void local_server_set_cors(struct local_server *s, const struct local_cors *c);
/*
 * Seconds before an Event invocation that failed is tried again, the first
 * time; twice that the second time (Lambda's: 60, then 120). Set before serving.
 */
void local_server_set_retry_delay(struct local_server *s, double seconds);
/*
 * The client each Event invocation's record is sent with, to
 * function.async.on-success or on-failure, as Lambda sends it (kept, not
 * owned: it must outlive the server; each send uses a clone of it). Without
 * one, records are only said in the log. Set before serving.
 */
void local_server_set_records_client(struct local_server *s, struct aws *a);
/* Refuse new invocations, end those running (their runtimes are killed), stop and free. */
void local_server_stop(struct local_server *s);

#endif
