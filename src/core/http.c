#include "core/http.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <pthread.h>

#include "core/clock.h"
#include "core/curl_lazy.h"
#include "core/observer.h"
#include "core/xalloc.h"

struct http_client {
	const struct curl_api *api;
	CURL *curl;
	long connect_timeout_ms;
	long stall_timeout_ms;
	long retry_base_ms;
	int max_attempts;
	const struct observer *obs;
	const atomic_int *stop; /* nonzero: give up now (http_client_set_stop) */
};

/* A whole number from the environment into *out, or def when the variable is unset; -1 for a bad value. */
static int env_long(const char *name, long def, long min, long max, long *out, struct error *err)
{
	const char *v = getenv(name);
	char *end;

	*out = def;
	if (!v || !*v)
		return 0;
	errno = 0;
	*out = strtol(v, &end, 10);
	if (errno == ERANGE && *out == LONG_MAX && max == LONG_MAX && !*end)
		errno = 0; /* no bound: any number, however large */
	if (!errno && !*end && end != v && *out >= min && *out <= max)
		return 0;
	if (max == LONG_MAX)
		return error_set(err, EXIT_USAGE, "%s='%s': expected a whole number from %ld", name, v, min);
	return error_set(err, EXIT_USAGE, "%s='%s': expected a whole number from %ld to %ld", name, v, min, max);
}

struct http_client *http_client_new(struct error *err)
{
	const struct curl_api *api = curl_api(err);
	struct http_client *c;
	long attempts;

	if (!api)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->api = api;
	if (env_long("BLAMBDA_CONNECT_TIMEOUT", 10, 1, 3600, &c->connect_timeout_ms, err) ||
	    env_long("BLAMBDA_READ_TIMEOUT", 60, 1, 3600, &c->stall_timeout_ms, err) ||
	    env_long("BLAMBDA_RETRY_BASE_MS", 1000, 0, 60000, &c->retry_base_ms, err) ||
	    env_long("AWS_MAX_ATTEMPTS", 3, 1, LONG_MAX, &attempts, err)) {
		free(c);
		return NULL;
	}
	c->connect_timeout_ms *= 1000;
	c->stall_timeout_ms *= 1000;
	/* shared with the AWS CLI and SDKs, which take any number: more than 100 tries is 100 */
	c->max_attempts = attempts > 100 ? 100 : (int)attempts;
	c->curl = api->easy_init();
	if (!c->curl) {
		free(c);
		error_set(err, EXIT_FAIL, "cannot create an HTTP handle");
		return NULL;
	}
	return c;
}

void http_client_set_observer(struct http_client *c, const struct observer *o)
{
	c->obs = o;
}

void http_client_set_stop(struct http_client *c, const atomic_int *stop)
{
	c->stop = stop;
}

static int stopped(const struct http_client *c)
{
	return c->stop && atomic_load(c->stop);
}

struct http_client *http_fetcher_client(struct http_fetcher *f, struct error *err)
{
	if (!f->client)
		f->client = http_client_new(err);
	if (f->client) /* the observer as it is now: the caller may have changed it since */
		http_client_set_observer(f->client, f->obs);
	return f->client;
}

void http_fetcher_release(struct http_fetcher *f)
{
	http_client_free(f->client);
	f->client = NULL;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	c->api->easy_cleanup(c->curl);
	free(c);
}

void http_response_init(struct http_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body);
}

void http_response_release(struct http_response *resp)
{
	kvlist_clear(&resp->headers);
	buf_release(&resp->body);
}

/* ---- callbacks ---- */

struct transfer {
	const struct http_request *req;
	struct http_response *resp;
	FILE *upload;
	int source_failed;
	int too_big;
	int sink_failed;
	const struct observer *obs;
	const struct http_client *client;
};

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
	struct transfer *t = userp;
	size_t len = size * n;

	if (t->req->sink) {
		if (t->req->max_bytes && t->resp->bytes + len > t->req->max_bytes) {
			t->too_big = 1;
			return 0;
		}
		if (fwrite(data, 1, len, t->req->sink) != len) {
			t->sink_failed = errno ? errno : EIO;
			return 0;
		}
	} else {
		if (t->resp->body.len + len > HTTP_BODY_CAP) {
			t->too_big = 1;
			return 0;
		}
		buf_add(&t->resp->body, data, len);
	}
	t->resp->bytes += len;
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
	struct transfer *t = userp;
	size_t len = size * n;
	char *colon, *line;

	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new answer (after 100 Continue or a redirect): forget the earlier one's headers */
		kvlist_clear(&t->resp->headers);
		return len;
	}
	line = xstrndup(data, len);
	line[strcspn(line, "\r\n")] = '\0';
	colon = strchr(line, ':');
	if (colon) {
		char *v = colon + 1;

		*colon = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		kvlist_add(&t->resp->headers, line, v);
	}
	free(line);
	return len;
}

static size_t on_read(char *dest, size_t size, size_t n, void *userp)
{
	struct transfer *t = userp;
	const struct http_body_source *src = t->req->source;
	size_t got;

	if (src) {
		long r = src->read(src->ctx, dest, size * n);

		if (r < 0) {
			t->source_failed = 1;
			return CURL_READFUNC_ABORT;
		}
		return (size_t)r;
	}
	got = fread(dest, 1, size * n, t->upload);
	if (!got && ferror(t->upload))
		return CURL_READFUNC_ABORT;
	return got;
}

static int on_seek(void *userp, curl_off_t offset, int origin)
{
	struct transfer *t = userp;

	if (t->req->source) /* only a restart from the top can be done */
		return offset == 0 && origin == SEEK_SET && !t->req->source->rewind(t->req->source->ctx)
			       ? CURL_SEEKFUNC_OK
			       : CURL_SEEKFUNC_CANTSEEK;
	return fseeko(t->upload, (off_t)offset, origin) ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = userp;

	if (stopped(t->client))
		return 1; /* libcurl ends the transfer */
	if (!t->req->progress_label || !t->obs || !t->obs->transfer)
		return 0;
	if (ultotal > 0)
		observe_transfer(t->obs, t->req->progress_label, (uint64_t)ulnow, (uint64_t)ultotal);
	else
		observe_transfer(t->obs, t->req->progress_label, (uint64_t)dlnow, (uint64_t)(dltotal > 0 ? dltotal : 0));
	return 0;
}

/* ---- tracing ---- */

static const char *const secret_headers[] = {
	"authorization", "x-amz-security-token", "x-amz-sso_bearer_token", "x-aws-ec2-metadata-token",
	"cookie", "set-cookie", "proxy-authorization", NULL,
};

static void trace_headers(const struct observer *tr, const char *dir, const struct kvlist *h)
{
	for (size_t i = 0; observe_tracing(tr, 2) && i < h->nr; i++) {
		int secret = 0;

		for (size_t k = 0; secret_headers[k]; k++)
			secret |= !strcasecmp(h->items[i].key, secret_headers[k]);
		observe_trace(tr, 2, "%s %s: %s", dir, h->items[i].key, secret ? "[redacted]" : h->items[i].value);
	}
}

static void trace_body(const struct observer *tr, const char *dir, const struct http_request *req, const void *data,
		       size_t len)
{
	const size_t cap = 2048;

	if (!len || !observe_tracing(tr, 2))
		return;
	if (req->sensitive) {
		observe_trace(tr, 2, "%s [%zu bytes, not shown: they carry secrets]", dir, len);
		return;
	}
	observe_trace(tr, 2, "%s %.*s%s", dir, (int)(len > cap ? cap : len), (const char *)data, len > cap ? " [... cut]" : "");
}

/* ---- the request ---- */

static int retryable_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

static int retryable_status(long status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static long backoff_ms(const struct http_client *c, int attempt, const struct http_response *resp)
{
	const long cap = 20000;
	double jitter = (double)random() / ((double)RAND_MAX + 1.0);
	long d = (long)(jitter * (double)c->retry_base_ms * (double)(1L << (attempt - 1 > 10 ? 10 : attempt - 1)));
	const char *ra = resp ? kvlist_get_nocase(&resp->headers, "retry-after") : NULL;

	if (ra) {
		char *end;
		long s = strtol(ra, &end, 10);

		if (end != ra && !*end && s >= 0 && (s > cap / 1000 || s * 1000 > d))
			d = s > cap / 1000 ? cap : s * 1000;
	}
	return d > cap ? cap : d;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The process's throttle gate, shared by every client (the threads of a
 * deploy): no attempt starts sooner than gate_interval after the one before
 * (nor before gate_until, one interval after the last throttled answer).
 * The interval doubles with each throttled answer and shrinks a little with
 * each other one: the attempts of all threads go one after another at about
 * the rate AWS takes, rather than all at once into the next refusal, and a
 * throttled attempt waits its turn there instead of a backoff of its own.
 */
#define GATE_MIN_INTERVAL 0.05
#define GATE_MAX_INTERVAL 2.0
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static double gate_until, gate_next, gate_interval, gate_cut;

/* A throttled answer to an attempt started at `started`: one cut of the rate for all the refusals of a burst */
static void gate_throttled(double started)
{
	double until;

	pthread_mutex_lock(&gate_lock);
	if (started >= gate_cut) {
		gate_interval = gate_interval * 2 < GATE_MIN_INTERVAL ? GATE_MIN_INTERVAL : gate_interval * 2;
		if (gate_interval > GATE_MAX_INTERVAL)
			gate_interval = GATE_MAX_INTERVAL;
		gate_cut = clock_seconds();
	}
	until = clock_seconds() + gate_interval;
	if (until > gate_until)
		gate_until = until;
	pthread_mutex_unlock(&gate_lock);
}

static void gate_answered(void)
{
	pthread_mutex_lock(&gate_lock);
	gate_interval *= 0.95;
	if (gate_interval < GATE_MIN_INTERVAL / 10)
		gate_interval = 0;
	pthread_mutex_unlock(&gate_lock);
}

/* Wait for this attempt's turn; when it starts */
static double gate_wait(const struct observer *obs)
{
	double now, start, wait;

	pthread_mutex_lock(&gate_lock);
	now = clock_seconds();
	start = now > gate_until ? now : gate_until;
	if (gate_interval > 0 && start < gate_next)
		start = gate_next;
	gate_next = start + gate_interval;
	pthread_mutex_unlock(&gate_lock);
	wait = start - now;
	if (wait > 0.001) {
		observe_trace(obs, 1, "  waiting %.0f ms: AWS is throttling", wait * 1000.0);
		sleep_ms((long)(wait * 1000.0));
	}
	return start;
}

static struct curl_slist *build_headers(const struct curl_api *api, const struct kvlist *h)
{
	struct curl_slist *list = NULL;
	struct buf line = BUF_INIT;

	for (size_t i = 0; i < h->nr; i++) {
		buf_reset(&line);
		if (*h->items[i].value)
			buf_addf(&line, "%s: %s", h->items[i].key, h->items[i].value);
		else
			buf_addf(&line, "%s;", h->items[i].key); /* an empty value */
		list = api->slist_append(list, line.ptr);
	}
	/* no "Expect: 100-continue" round trip before bodies */
	list = api->slist_append(list, "Expect:");
	buf_release(&line);
	return list;
}

static CURLcode setup(struct http_client *c, const struct http_request *req, struct transfer *t,
		      struct curl_slist *headers, char *errbuf)
{
	const struct curl_api *api = c->api;
	CURL *h = c->curl;
	const char *ca = getenv("AWS_CA_BUNDLE");

	api->easy_reset(h);
	api->easy_setopt(h, CURLOPT_URL, req->url);
	api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	api->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	api->easy_setopt(h, CURLOPT_USERAGENT, "blambda/" BLAMBDA_VERSION);
	api->easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms ? req->connect_timeout_ms : c->connect_timeout_ms);
	/* a transfer that moves nothing for this long has stalled */
	api->easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	api->easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
			 ((req->stall_timeout_ms ? req->stall_timeout_ms : c->stall_timeout_ms) + 999) / 1000);
	if (req->total_timeout_ms)
		api->easy_setopt(h, CURLOPT_TIMEOUT_MS, req->total_timeout_ms);
	api->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	api->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	api->easy_setopt(h, CURLOPT_WRITEDATA, t);
	api->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	api->easy_setopt(h, CURLOPT_HEADERDATA, t);
	api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	api->easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	if (ca && *ca)
		api->easy_setopt(h, CURLOPT_CAINFO, ca);
	if (req->sink) /* downloads: release assets redirect to a storage host */
		api->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	if ((req->progress_label && t->obs && t->obs->transfer) || c->stop) {
		api->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		api->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		api->easy_setopt(h, CURLOPT_XFERINFODATA, t);
	}
	if (t->upload || req->source) {
		api->easy_setopt(h, CURLOPT_UPLOAD, 1L);
		api->easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		api->easy_setopt(h, CURLOPT_READDATA, t);
		api->easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		api->easy_setopt(h, CURLOPT_SEEKDATA, t);
		api->easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->source ? req->source->len : req->body_len));
		api->easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (!strcmp(req->method, "GET")) {
		api->easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(req->method, "HEAD")) {
		api->easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		api->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		api->easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		api->easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	return CURLE_OK;
}

static int rewind_sink(FILE *sink)
{
	if (!sink)
		return 0;
	fflush(sink);
	if (fseeko(sink, 0, SEEK_SET) || ftruncate(fileno(sink), 0))
		return -1;
	return 0;
}

static void set_failure(struct http_response *resp, enum http_failure f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_failure(struct http_response *resp, enum http_failure f, const char *fmt, ...)
{
	va_list ap;

	resp->failure = f;
	va_start(ap, fmt);
	vsnprintf(resp->error, sizeof(resp->error), fmt, ap);
	va_end(ap);
}

/* Rewind what an attempt consumed, so the next one starts from the top. */
static int rewind_attempt(const struct http_request *req, struct transfer *t)
{
	if (rewind_sink(req->sink))
		return -1;
	if (t->upload && fseeko(t->upload, 0, SEEK_SET))
		return -1;
	if (req->source && req->source->rewind(req->source->ctx))
		return -1;
	return 0;
}

/* Headers can carry secrets (a session token, a bearer token): curl's copies are wiped before they are freed. */
static void wipe_header_list(struct curl_slist *list)
{
	for (; list; list = list->next)
		OPENSSL_cleanse(list->data, strlen(list->data));
}

enum attempt {
	ATTEMPT_FAILED,    /* it failed here (resp->failure says how): no retry */
	ATTEMPT_ANSWERED,  /* an answer came, whatever its status */
	ATTEMPT_NO_ANSWER, /* curl could not get one (*rc) */
};

/* How much of the URL people see: all of it, or up to its query when that is a secret (hide_query) */
static int url_shown(const struct http_request *req)
{
	const char *q = req->hide_query ? strchr(req->url, '?') : NULL;

	return (int)(q ? (size_t)(q - req->url) : strlen(req->url));
}

static const char *url_hidden(const struct http_request *req)
{
	return req->hide_query && strchr(req->url, '?') ? "?[query not shown: a secret]" : "";
}

/* A failure of this side during a transfer: its answer too large, the download unwritable, the body unreadable. */
static int transfer_failed(const struct http_request *req, const struct transfer *t, struct http_response *resp)
{
	if (t->too_big)
		set_failure(resp, HTTP_FAIL_TOO_BIG, "the answer from '%.*s%s' is larger than %llu MB", url_shown(req),
			    req->url, url_hidden(req),
			    (unsigned long long)(req->sink && req->max_bytes ? req->max_bytes >> 20 : HTTP_BODY_CAP >> 20));
	else if (t->sink_failed)
		set_failure(resp, HTTP_FAIL_LOCAL, "cannot write the download: %s", strerror(t->sink_failed));
	else if (t->source_failed)
		set_failure(resp, HTTP_FAIL_LOCAL, "cannot read the body to send: %s", errno ? strerror(errno) : "read error");
	return t->too_big || t->sink_failed || t->source_failed;
}

/* One try: the headers prepared anew (a signature holds the time), the request sent, the answer read. */
static enum attempt attempt_once(struct http_client *c, const struct http_request *req, struct transfer *t,
				 int attempt, int max, CURLcode *rc, char errbuf[CURL_ERROR_SIZE])
{
	const struct curl_api *api = c->api;
	struct http_response *resp = t->resp;
	struct kvlist headers = KVLIST_INIT;
	struct buf why = BUF_INIT;
	struct curl_slist *list;
	enum attempt r = ATTEMPT_FAILED;
	double t0 = clock_seconds();

	*rc = CURLE_OK;
	resp->attempts = attempt;
	resp->status = 0;
	resp->bytes = 0;
	kvlist_clear(&resp->headers);
	buf_reset(&resp->body);
	if (rewind_attempt(req, t)) {
		set_failure(resp, HTTP_FAIL_LOCAL, "cannot rewind for another attempt: %s", strerror(errno));
		return ATTEMPT_FAILED;
	}
	for (size_t i = 0; i < req->headers.nr; i++)
		kvlist_add(&headers, req->headers.items[i].key, req->headers.items[i].value);
	if (req->prepare && req->prepare(req->prepare_ctx, &headers, &why)) {
		set_failure(resp, HTTP_FAIL_LOCAL, "%s", why.ptr);
		goto out;
	}
	errbuf[0] = '\0';
	list = build_headers(api, &headers);
	setup(c, req, t, list, errbuf);
	observe_trace(c->obs, 1, "> %s %.*s%s", req->method, url_shown(req), req->url, url_hidden(req));
	if (attempt > 1)
		observe_trace(c->obs, 1, "  (attempt %d of %d)", attempt, max);
	trace_headers(c->obs, ">", &headers);
	if (req->body)
		trace_body(c->obs, ">", req, req->body, req->body_len);
	*rc = api->easy_perform(c->curl);
	wipe_header_list(list);
	api->slist_free_all(list);
	if (req->progress_label)
		observe_transfer(c->obs, req->progress_label, 0, 0); /* the transfer ended: its bar goes */
	if (*rc == CURLE_OK)
		api->easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (transfer_failed(req, t, resp)) {
		*rc = CURLE_OK;
	} else if (*rc != CURLE_OK) {
		observe_trace(c->obs, 1, "< no answer: %s (%.2f s)", errbuf[0] ? errbuf : api->easy_strerror(*rc),
			      clock_seconds() - t0);
		r = ATTEMPT_NO_ANSWER;
	} else {
		observe_trace(c->obs, 1, "< %ld, %zu bytes, %.2f s", resp->status, resp->bytes, clock_seconds() - t0);
		trace_headers(c->obs, "<", &resp->headers);
		if (!req->sink)
			trace_body(c->obs, "<", req, resp->body.ptr, resp->body.len);
		r = ATTEMPT_ANSWERED;
	}
out:
	for (size_t i = 0; i < headers.nr; i++) /* a session token, a bearer token */
		OPENSSL_cleanse(headers.items[i].value, strlen(headers.items[i].value));
	kvlist_clear(&headers);
	buf_release(&why);
	return r;
}

/* Whether to try again after this attempt: 0 no, 1 yes, HTTP_THROTTLED yes and slow everyone down */
static int retry_kind(const struct http_request *req, enum attempt got, CURLcode rc, const struct http_response *resp)
{
	int why;

	if (got == ATTEMPT_NO_ANSWER)
		return retryable_curl_error(rc);
	if (req->no_status_retry)
		return 0;
	why = req->retryable ? req->retryable(req->retryable_ctx, resp) : 0;
	if (resp->status == 429 || why == HTTP_THROTTLED)
		return HTTP_THROTTLED;
	return retryable_status(resp->status) || why;
}

int http_perform(struct http_client *c, const struct http_request *req, struct http_response *resp)
{
	struct transfer t = { req, resp, NULL, 0, 0, 0, c->obs, c };
	int max = req->max_attempts ? req->max_attempts : c->max_attempts;
	/* throttling gets more tries, unless the request itself says how many (a call tried once stays so) */
	int throttled_max = req->max_attempts || max >= HTTP_THROTTLE_ATTEMPTS ? max : HTTP_THROTTLE_ATTEMPTS;
	double start = clock_seconds();
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc = CURLE_OK;
	int r = -1;

	http_response_init(resp);
	if (req->body_file && !(t.upload = fopen(req->body_file, "rb"))) {
		set_failure(resp, HTTP_FAIL_LOCAL, "cannot read '%s': %s", req->body_file, strerror(errno));
		return -1;
	}
	for (int attempt = 1;; attempt++) {
		enum attempt got;
		int again;
		long d;
		double started;

		if (stopped(c)) {
			set_failure(resp, HTTP_FAIL_LOCAL, "stopped before '%.*s%s' answered", url_shown(req), req->url,
				    url_hidden(req));
			r = -1;
			rc = CURLE_OK;
			break;
		}
		started = gate_wait(c->obs);
		got = attempt_once(c, req, &t, attempt, max, &rc, errbuf);
		if (got == ATTEMPT_FAILED)
			break;
		r = got == ATTEMPT_ANSWERED ? 0 : -1;
		again = retry_kind(req, got, rc, resp);
		if (got == ATTEMPT_ANSWERED && again != HTTP_THROTTLED)
			gate_answered();
		if (!again || attempt >= (again == HTTP_THROTTLED ? throttled_max : max))
			break;
		if (again == HTTP_THROTTLED) {
			gate_throttled(started); /* it waits its turn at the gate */
		} else {
			d = backoff_ms(c, attempt, got == ATTEMPT_ANSWERED ? resp : NULL);
			observe_trace(c->obs, 1, "  retrying in %ld ms", d);
			for (; d > 0 && !stopped(c); d -= 50) /* a stop is seen within 50 ms */
				sleep_ms(d < 50 ? d : 50);
		}
		r = -1;
	}
	resp->seconds = clock_seconds() - start;
	if (r && rc == CURLE_ABORTED_BY_CALLBACK && stopped(c))
		set_failure(resp, HTTP_FAIL_LOCAL, "stopped before '%.*s%s' answered", url_shown(req), req->url,
			    url_hidden(req));
	else if (r && rc != CURLE_OK)
		set_failure(resp, HTTP_FAIL_NETWORK, "cannot reach '%.*s%s': %s (%d attempt%s)", url_shown(req), req->url, url_hidden(req),
			    errbuf[0] ? errbuf : c->api->easy_strerror(rc), resp->attempts, resp->attempts == 1 ? "" : "s");
	if (r) {
		/* callers release only answers they got; what failed stays readable */
		kvlist_clear(&resp->headers);
		buf_release(&resp->body);
	}
	if (t.upload)
		fclose(t.upload);
	return r;
}

int http_failure_error(const struct http_response *resp, struct error *err)
{
	int network = resp->failure == HTTP_FAIL_NETWORK || resp->failure == HTTP_FAIL_TOO_BIG;

	return error_set(err, network ? EXIT_NETWORK : EXIT_FAIL, "%s", resp->error[0] ? resp->error : "the request failed");
}
