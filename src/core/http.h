#ifndef BLAMBDA_CORE_HTTP_H
#define BLAMBDA_CORE_HTTP_H

#include <stdio.h>

#include "core/buf.h"
#include "core/strlist.h"

/*
 * An HTTP client over libcurl: one handle reused for every request (so
 * connections are kept alive), TLS always verified, connect and stall
 * timeouts, and retries in the AWS SDKs' standard mode: exponential backoff
 * with jitter on connection failures, 429, 500, 502, 503 and 504 (plus what
 * the caller's `retryable` says), honouring Retry-After. With -v every
 * request is traced with secrets redacted.
 */

struct http_response;

struct http_request {
	const char *method;
	const char *url;
	struct kvlist headers;
	/* the body: in memory, or streamed from a file (with its size) */
	const void *body;
	size_t body_len;
	const char *body_file;
	/* the response body: into resp->body (capped), or into this file when set */
	FILE *sink;
	/* show a progress bar for the transfer (on a terminal only) */
	const char *progress_label;
	unsigned sensitive : 1; /* bodies carry secrets: never traced */
	int max_attempts;       /* 0: AWS_MAX_ATTEMPTS, else 3 */
	long connect_timeout_ms; /* 0: the client's */
	long stall_timeout_ms;   /* 0: the client's */
	long total_timeout_ms;   /* one attempt's limit; 0: none (downloads and uploads of any size) */
	/* extra retry rule for 4xx answers (AWS throttling codes); may be NULL */
	int (*retryable)(const struct http_response *resp);
};

struct http_response {
	long status;            /* 0 when no answer came */
	struct kvlist headers;  /* of the final answer, names as sent */
	struct buf body;
	int attempts;
	double seconds;         /* all attempts together */
	size_t bytes;           /* body bytes of the final answer */
};

struct http_client;

/* NULL (with an error printed) when libcurl cannot be loaded. */
struct http_client *http_client_new(void);
void http_client_free(struct http_client *c);

/*
 * Perform req, retrying as described above. Returns 0 when an HTTP answer
 * arrived (whatever its status: the caller judges it, then releases resp),
 * -1 with an error printed (exit status EXIT_NETWORK) when none did after
 * all attempts; resp then holds nothing to release.
 */
int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp);
void http_response_release(struct http_response *resp);

/* Largest response body kept in memory. */
#define HTTP_BODY_CAP (64u << 20)

#endif
