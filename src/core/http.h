#ifndef BLAMBDA_CORE_HTTP_H
#define BLAMBDA_CORE_HTTP_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/observer.h"
#include "core/strlist.h"

/*
 * An HTTP client over libcurl: one handle reused for every request (so
 * connections are kept alive), TLS always verified, connect and stall
 * timeouts, and retries in the AWS SDKs' standard mode: exponential backoff
 * with jitter on connection failures, 429, 500, 502, 503 and 504 (plus what
 * the caller's `retryable` says), honouring Retry-After. Every request is
 * traced (with a trace set: -v) with secrets redacted. Nothing is printed.
 *
 * Throttling (429, or what `retryable` calls throttling) slows every client
 * of the process down rather than failing: the next attempt of any of them
 * waits out the backoff, and a throttled call is tried up to
 * HTTP_THROTTLE_ATTEMPTS times (or AWS_MAX_ATTEMPTS, when more; a request
 * that sets its own max_attempts gets those alone).
 */
#define HTTP_THROTTLE_ATTEMPTS 10
#define HTTP_THROTTLED 2

struct http_response;

/*
 * A request body produced as it is sent (a zip base64-encoded inside JSON,
 * say), so memory does not grow with the body. `read` fills at most n bytes
 * and returns how many (0 at the end, -1 on failure); `rewind` starts again
 * for another attempt. `len` is the exact number of bytes it produces.
 */
struct http_body_source {
	long (*read)(void *ctx, char *dest, size_t n);
	int (*rewind)(void *ctx);
	void *ctx;
	size_t len;
};

struct http_request {
	const char *method;
	const char *url;
	struct kvlist headers;
	/* the body: in memory, or streamed from a file (with its size) */
	const void *body;
	size_t body_len;
	const char *body_file;
	const struct http_body_source *source;
	/*
	 * Called before every attempt with the headers to send (req->headers
	 * copied): adds what must be fresh for that attempt (a signature whose
	 * date has not aged during a backoff). -1 stops with resp->error set from
	 * `why`. May be NULL.
	 */
	int (*prepare)(void *ctx, struct kvlist *headers, struct buf *why);
	void *prepare_ctx;
	/* the response body: into resp->body (capped), or into this file when set */
	FILE *sink;
	uint64_t max_bytes;     /* a sink's cap (0: none): a longer answer fails with HTTP_FAIL_TOO_BIG */
	/* report the transfer's bytes to the client's observer under this label (NULL: none) */
	const char *progress_label;
	unsigned sensitive : 1; /* bodies carry secrets: never traced */
	unsigned hide_query : 1; /* the URL's query is a secret (a presigned URL's signature): traced without it */
	int max_attempts;       /* 0: AWS_MAX_ATTEMPTS, else 3 */
	long connect_timeout_ms; /* 0: the client's */
	long stall_timeout_ms;   /* 0: the client's */
	long total_timeout_ms;   /* one attempt's limit; 0: none (downloads and uploads of any size) */
	/* extra retry rule for 4xx answers: 1 to retry, HTTP_THROTTLED for throttling (AWS's codes); may be NULL */
	int (*retryable)(void *ctx, const struct http_response *resp);
	void *retryable_ctx;
	/* retry no status at all (a non-idempotent call the caller retries itself) */
	unsigned no_status_retry : 1;
};

enum http_failure {
	HTTP_OK,
	HTTP_FAIL_NETWORK, /* no answer after every attempt */
	HTTP_FAIL_TOO_BIG, /* the answer passed HTTP_BODY_CAP */
	HTTP_FAIL_LOCAL,   /* a file to send or to write could not be used, or prepare failed */
};

struct http_response {
	long status;            /* 0 when no answer came */
	struct kvlist headers;  /* of the final answer, names as sent */
	struct buf body;
	int attempts;
	double seconds;         /* all attempts together */
	size_t bytes;           /* body bytes of the final answer */
	enum http_failure failure;
	char error[512];        /* what failed, for people, when http_perform returned -1 */
};

struct http_client;

/*
 * NULL with err filled when libcurl cannot be loaded or a setting is bad.
 * Reads BLAMBDA_CONNECT_TIMEOUT, BLAMBDA_READ_TIMEOUT, BLAMBDA_RETRY_BASE_MS
 * and AWS_MAX_ATTEMPTS.
 */
struct http_client *http_client_new(struct error *err);
/* Trace every request to o (kept by reference; NULL: none). */
void http_client_set_observer(struct http_client *c, const struct observer *o);
/*
 * Give up when *stop turns nonzero (kept by reference; NULL: never): a
 * transfer under way ends within a second, no attempt or backoff follows,
 * and http_perform returns -1 with HTTP_FAIL_LOCAL, "stopped before ...
 * answered". For work another thread may have to end (a server stopping).
 */
void http_client_set_stop(struct http_client *c, const atomic_int *stop);
void http_client_free(struct http_client *c);

/*
 * Perform req, retrying as described above. Returns 0 when an HTTP answer
 * arrived (whatever its status: the caller judges it, then releases resp),
 * -1 when none did after all attempts: nothing is printed, resp->failure and
 * resp->error say what went wrong, and resp holds nothing to release.
 */
int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp);
/* An empty response (what http_perform starts from). */
void http_response_init(struct http_response *resp);
void http_response_release(struct http_response *resp);
/* resp->error as an error value (EXIT_NETWORK when no answer came); -1. */
int http_failure_error(const struct http_response *resp, struct error *err);

/*
 * A client made on first use, for work that may need the network or not (a
 * build that finds everything in the cache downloads nothing), with the
 * observer it traces to and tells of downloads.
 */
struct http_fetcher {
	struct http_client *client; /* NULL until the first request */
	const struct observer *obs;
};
#define HTTP_FETCHER_INIT(obs) { NULL, obs }
/*
 * The fetcher's client, made now if need be, telling the fetcher's observer
 * as it is now; NULL with err when libcurl cannot be loaded.
 */
struct http_client *http_fetcher_client(struct http_fetcher *f, struct error *err);
void http_fetcher_release(struct http_fetcher *f);

/* Largest response body kept in memory. */
#define HTTP_BODY_CAP (64u << 20)

#endif
