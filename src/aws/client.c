#include "aws/client.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "core/array.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/region.h"
#include "core/xalloc.h"

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The profile: --profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, the project's, else "default". */
static int pick_profile(struct aws *a, const struct aws_setting *project, struct error *err)
{
	const char *e;

	if (project->value && project->flag) {
		a->profile = xstrdup(project->value);
		a->profile_origin = xstrdup(project->origin);
		a->profile_explicit = 1;
	} else if ((e = env_nonempty("AWS_PROFILE")) || (e = env_nonempty("AWS_DEFAULT_PROFILE"))) {
		a->profile = xstrdup(e);
		a->profile_origin = xstrdup(env_nonempty("AWS_PROFILE") ? "AWS_PROFILE" : "AWS_DEFAULT_PROFILE");
	} else if (project->value) {
		a->profile = xstrdup(project->value);
		a->profile_origin = xstrdup(project->origin);
	} else {
		a->profile = xstrdup("default");
		a->profile_origin = xstrdup("default");
	}
	/* a profile named on purpose must exist (the default one need not) */
	if (strcmp(a->profile_origin, "default") && !aws_profile_exists(&a->profiles, a->profile)) {
		error_set(err, EXIT_USAGE, "AWS profile '%s' (from %s) is not in '%s' or '%s'", a->profile,
			  a->profile_origin, aws_display_path(a->profiles.config_path),
			  aws_display_path(a->profiles.credentials_path));
		return error_hint(err, "list your profiles with 'aws configure list-profiles', or pick another with "
				  "--profile");
	}
	return 0;
}

/*
 * The region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, the
 * project's; none is fine here (aws_region() says so when one is needed).
 * Whatever its source, a value that is not a region name is refused.
 */
static int pick_region(struct aws *a, const struct aws_setting *project, struct error *err)
{
	struct buf origin = BUF_INIT, why = BUF_INIT;
	const char *v = NULL, *file;
	int r = 0;

	if (project->value && project->flag) {
		v = project->value;
		buf_adds(&origin, project->origin);
	} else if ((v = env_nonempty("AWS_REGION"))) {
		buf_adds(&origin, "AWS_REGION");
	} else if ((v = env_nonempty("AWS_DEFAULT_REGION"))) {
		buf_adds(&origin, "AWS_DEFAULT_REGION");
	} else if ((v = aws_profile_get(&a->profiles, a->profile, "region", &file))) {
		buf_addf(&origin, "profile '%s' in %s", a->profile, aws_display_path(file));
	} else if ((v = project->value)) {
		buf_adds(&origin, project->origin);
	}
	if (v && region_check(v, &why)) {
		error_set(err, EXIT_USAGE, "%s: %s", origin.ptr, why.ptr);
		r = error_hint(err, "set the region with --region, AWS_REGION, 'region' in your AWS profile, or "
			       "aws.region in blambda.yml");
	} else if (v) {
		a->region = xstrdup(v);
		a->region_origin = buf_detach(&origin);
	}
	buf_release(&origin);
	buf_release(&why);
	return r;
}

struct http_client *aws_http(struct aws *a, struct error *err)
{
	struct http_client *h = http_client_new(err);

	if (h)
		http_client_set_observer(h, a->obs);
	return h;
}

int aws_init(struct aws *a, const struct aws_settings *s, struct error *err)
{
	memset(a, 0, sizeof(*a));
	aws_credentials_init(&a->creds);
	a->obs = s->obs;
	if (aws_profiles_load(&a->profiles, err) || pick_profile(a, &s->profile, err) ||
	    pick_region(a, &s->region, err))
		return -1;
	if (s->endpoint_url.value) {
		a->endpoint = xstrdup(s->endpoint_url.value);
		a->endpoint_origin = xstrdup(s->endpoint_url.origin);
		a->endpoint_flag = s->endpoint_url.flag;
	}
	return 0;
}

void aws_credentials_copy(struct aws_credentials *dst, const struct aws_credentials *src)
{
	aws_credentials_init(dst);
	buf_adds(&dst->access_key_id, src->access_key_id.ptr);
	buf_adds(&dst->secret_access_key, src->secret_access_key.ptr);
	if (src->session_token.len)
		buf_adds(&dst->session_token, src->session_token.ptr);
	dst->expiration = src->expiration;
	dst->source = src->source;
	dst->detail = xstrdup_or_null(src->detail);
}

int aws_init_region(struct aws *a, const struct aws_settings *s, const char *region, const char *origin,
		    const struct aws_credentials *creds, struct error *err)
{
	if (aws_init(a, s, err))
		return -1;
	free(a->region);
	free(a->region_origin);
	a->region = xstrdup(region);
	a->region_origin = xstrdup(origin);
	aws_credentials_copy(&a->creds, creds);
	a->have_creds = 1;
	a->creds_at_ms = clock_epoch_ms(); /* as fresh as the caller's: no refresh at once */
	a->http = aws_http(a, err);
	return a->http ? 0 : -1;
}

int aws_clone(struct aws *dst, const struct aws *src, struct error *err)
{
	memset(dst, 0, sizeof(*dst));
	aws_credentials_copy(&dst->creds, &src->creds);
	dst->obs = src->obs;
	dst->profile = xstrdup_or_null(src->profile);
	dst->profile_origin = xstrdup_or_null(src->profile_origin);
	dst->profile_explicit = src->profile_explicit;
	dst->region = xstrdup_or_null(src->region);
	dst->region_origin = xstrdup_or_null(src->region_origin);
	dst->endpoint = xstrdup_or_null(src->endpoint);
	dst->endpoint_origin = xstrdup_or_null(src->endpoint_origin);
	dst->endpoint_flag = src->endpoint_flag;
	dst->have_creds = src->have_creds;
	dst->creds_at_ms = src->creds_at_ms;
	dst->quick_ms = src->quick_ms;
	dst->root = src->root ? src->root : (struct aws *)src;
	if (aws_profiles_load(&dst->profiles, err)) /* for a refresh of the credentials */
		return -1;
	dst->http = aws_http(dst, err);
	return dst->http ? 0 : -1;
}

void aws_credentials_init(struct aws_credentials *c)
{
	struct aws_credentials empty = AWS_CREDENTIALS_INIT;

	*c = empty;
}

void aws_credentials_release(struct aws_credentials *c)
{
	buf_release(&c->access_key_id);
	buf_release(&c->secret_access_key);
	buf_release(&c->session_token);
	free(c->detail);
	c->detail = NULL;
	c->expiration = 0;
	c->source = CRED_NONE;
}

void aws_release(struct aws *a)
{
	aws_profiles_release(&a->profiles);
	free(a->profile);
	free(a->profile_origin);
	free(a->region);
	free(a->region_origin);
	free(a->endpoint);
	free(a->endpoint_origin);
	aws_credentials_release(&a->creds);
	http_client_free(a->http);
	memset(a, 0, sizeof(*a));
	aws_credentials_init(&a->creds);
}

int aws_region(struct aws *a, const char **region, struct error *err)
{
	if (!aws_region_try(a, region))
		return 0;
	error_set(err, EXIT_USAGE, "no AWS region is set");
	return error_hint(err, "set one with --region, AWS_REGION, 'region' in your AWS profile, or aws.region in "
			  "blambda.yml");
}

int aws_region_try(struct aws *a, const char **region)
{
	*region = a->region;
	return a->region ? 0 : -1;
}

static const char *const endpoint_env[][2] = {
	{ "lambda", "AWS_ENDPOINT_URL_LAMBDA" }, { "iam", "AWS_ENDPOINT_URL_IAM" }, { "sts", "AWS_ENDPOINT_URL_STS" },
	{ "s3", "AWS_ENDPOINT_URL_S3" },         { "sso", "AWS_ENDPOINT_URL_SSO" },
	{ "logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS" }, { "ec2", "AWS_ENDPOINT_URL_EC2" },
	{ "events", "AWS_ENDPOINT_URL_EVENTBRIDGE" }, { "sqs", "AWS_ENDPOINT_URL_SQS" },
	{ "sns", "AWS_ENDPOINT_URL_SNS" },
	{ "apigateway", "AWS_ENDPOINT_URL_APIGATEWAYV2" },
};

static void add_url(struct buf *url, const char *v)
{
	size_t n = strlen(v);

	while (n && v[n - 1] == '/')
		n--;
	buf_add(url, v, n);
}

int aws_endpoint(struct aws *a, const char *service, struct buf *url, const char **origin)
{
	return aws_endpoint_in(a, service, NULL, url, origin);
}

int aws_endpoint_in(struct aws *a, const char *service, const char *region, struct buf *url, const char **origin)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	int configured = !(ignore && !strcasecmp(ignore, "true"));
	const char *v;

	*origin = NULL;
	if (a->endpoint && a->endpoint_flag) {
		add_url(url, a->endpoint);
		*origin = a->endpoint_origin;
		return 0;
	}
	if (configured) {
		for (size_t i = 0; i < ARRAY_SIZE(endpoint_env); i++) {
			if (!strcmp(endpoint_env[i][0], service) && (v = env_nonempty(endpoint_env[i][1]))) {
				add_url(url, v);
				*origin = endpoint_env[i][1];
				return 0;
			}
		}
		if ((v = env_nonempty("AWS_ENDPOINT_URL"))) {
			add_url(url, v);
			*origin = "AWS_ENDPOINT_URL";
			return 0;
		}
		if ((v = aws_profile_get(&a->profiles, a->profile, "endpoint_url", NULL))) {
			add_url(url, v);
			*origin = "the profile's endpoint_url";
			return 0;
		}
		if (a->endpoint) {
			add_url(url, a->endpoint);
			*origin = a->endpoint_origin;
			return 0;
		}
	}
	if (!strcmp(service, "iam")) {
		buf_adds(url, "https://iam.amazonaws.com");
		return 0;
	}
	if (!region && aws_region_try(a, &region))
		return -1;
	if (!strcmp(service, "sso"))
		buf_addf(url, "https://portal.sso.%s.amazonaws.com", region);
	else
		buf_addf(url, "https://%s.%s.amazonaws.com%s", service, region, !strncmp(region, "cn-", 3) ? ".cn" : "");
	return 0;
}

/* ---- errors ---- */

/* What the user can do about the codes that say the credentials are wrong. */
static void credential_hint(struct error *err)
{
	const char *c = err->code;

	if (!strcmp(c, "SignatureDoesNotMatch") || !strcmp(c, "InvalidSignatureException"))
		error_hint(err, "the secret access key does not match the access key id; check your credentials");
	else if (!strcmp(c, "InvalidClientTokenId") || !strcmp(c, "UnrecognizedClientException"))
		error_hint(err, "AWS does not know this access key; check your credentials and region");
	else if (!strcmp(c, "ExpiredToken") || !strcmp(c, "ExpiredTokenException"))
		error_hint(err, "the session token has expired: refresh your credentials (for SSO: 'aws sso login')");
	else if (err->status == 403 && strstr(c, "AccessDenied"))
		error_hint(err, "the credentials are valid but lack the permission; 'blambda doctor' shows who you are");
}

/* The code and message of an error answer's body: JSON ({"message"...}, "__type") or XML (<Code>, <Message>). */
static void parse_error_body(const struct http_response *resp, struct error *err, const char **rid)
{
	const char *body = resp->body.ptr;

	if (body[0] == '{') {
		cJSON *j = cJSON_Parse(body);
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "message"));
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "__type"));

		if (!m)
			m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Message"));
		if (!m)
			m = cJSON_GetStringValue(cJSON_GetObjectItem(j, "errorMessage"));
		if (m)
			err->message = xstrdup(m);
		if (!err->code && t) /* "com.amazonaws...#ResourceNotFoundException" */
			err->code = xstrdup(strchr(t, '#') ? strchr(t, '#') + 1 : t);
		cJSON_Delete(j);
	} else if (strchr(body, '<')) {
		struct buf why = BUF_INIT;
		struct xml_node *doc = xml_parse(body, resp->body.len, 0, &why);
		const char *v;

		if ((v = xml_find_text(doc, "Code")) && !err->code)
			err->code = xstrdup(v);
		if ((v = xml_find_text(doc, "Message")))
			err->message = xstrdup(v);
		if (!*rid && (v = xml_find_text(doc, "RequestId")))
			err->request_id = xstrdup(v);
		xml_free(doc);
		buf_release(&why);
	} else if (body[0]) {
		size_t n = strcspn(body, "\r\n");

		err->message = xstrndup(body, n > 200 ? 200 : n);
	}
}

void aws_error_parse(const struct http_response *resp, struct error *err)
{
	const char *type = kvlist_get_nocase(&resp->headers, "x-amzn-ErrorType");
	const char *rid = kvlist_get_nocase(&resp->headers, "x-amzn-RequestId");

	error_release(err);
	err->exit = EXIT_AWS;
	err->status = resp->status;
	err->attempts = resp->attempts;
	if (!rid)
		rid = kvlist_get_nocase(&resp->headers, "x-amz-request-id");
	if (type)
		err->code = xstrndup(type, strcspn(type, ":"));
	parse_error_body(resp, err, &rid);
	if (!err->code)
		err->code = buf_fmt("HTTP %ld", resp->status);
	if (rid && !err->request_id)
		err->request_id = xstrdup(rid);
	credential_hint(err);
}

void aws_error_from_failure(const struct http_response *resp, struct error *err)
{
	int network = resp->failure == HTTP_FAIL_NETWORK || resp->failure == HTTP_FAIL_TOO_BIG;

	error_release(err);
	err->exit = network ? EXIT_NETWORK : EXIT_FAIL;
	err->code = xstrdup(resp->failure == HTTP_FAIL_NETWORK ? "NetworkError" : "LocalError");
	err->message = xstrdup(resp->error[0] ? resp->error : "the request failed");
	err->attempts = resp->attempts;
}

int aws_error_set(struct error *err, const char *code, const char *fmt, ...)
{
	struct buf m = BUF_INIT;
	va_list ap;

	error_release(err);
	va_start(ap, fmt);
	buf_vaddf(&m, fmt, ap);
	va_end(ap);
	err->exit = EXIT_FAIL;
	err->code = xstrdup(code);
	err->message = buf_detach(&m);
	return -1;
}

static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
	"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout",
	"RequestTimeoutException", NULL,
};

static int aws_retryable(void *ctx, const struct http_response *resp)
{
	const struct aws_call *call = ctx;
	struct error e = ERROR_INIT;
	int r = 0;

	if (resp->status < 400)
		return 0;
	aws_error_parse(resp, &e);
	for (size_t i = 0; throttling_codes[i]; i++)
		if (!strcmp(e.code, throttling_codes[i]))
			r = HTTP_THROTTLED;
	if (!r && call->retry_code)
		r = call->retry_code(e.code, e.message ? e.message : "");
	error_release(&e);
	return r;
}

/* ---- calls ---- */

/* application/x-www-form-urlencoded as the SDKs write it: unreserved kept, ' ' as '+', the rest %XX */
static void form_encode(struct buf *form, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ')
			buf_addch(form, '+');
		else
			sigv4_uri_encode(form, s, 1, 0);
	}
}

void aws_form_add(struct buf *form, const char *name, const char *value)
{
	if (form->len)
		buf_addch(form, '&');
	form_encode(form, name);
	buf_addch(form, '=');
	form_encode(form, value);
}

void aws_path_segment(struct buf *path, const char *s)
{
	sigv4_uri_encode(path, s, strlen(s), 0);
}

void aws_path_key(struct buf *path, const char *s)
{
	sigv4_uri_encode(path, s, strlen(s), 1);
}

int aws_arn_field(const char *arn, int i, struct buf *out)
{
	const char *p = arn;

	for (int k = 0; k < i; k++) {
		if (!(p = strchr(p, ':')))
			return -1;
		p++;
	}
	if (!strncmp(arn, "arn:", 4) && (i == 5 || strchr(p, ':'))) {
		buf_add(out, p, i == 5 ? strlen(p) : (size_t)(strchr(p, ':') - p));
		return 0;
	}
	return -1;
}

long aws_timeout_for(size_t len)
{
	return 120000L + (long)(len / (1024 * 1024)) * 8000L;
}

/* "https://host:port/base" -> host[:port] and the base path ("" or "/base") */
static int split_url(const char *url, struct buf *host, struct buf *base)
{
	const char *p = strstr(url, "://"), *slash;

	if (!p)
		return -1;
	p += 3;
	slash = strchr(p, '/');
	buf_add(host, p, slash ? (size_t)(slash - p) : strlen(p));
	if (slash)
		buf_adds(base, slash);
	return host->len ? 0 : -1;
}

/* What every attempt signs anew. */
struct signing {
	struct sigv4_request sreq;
	struct sigv4_key key;
	const char *region, *service;
};

static int sign_attempt(void *ctx, struct kvlist *headers, struct buf *why)
{
	struct signing *s = ctx;
	struct buf authz = BUF_INIT;

	(void)why;
	s->sreq.headers = *headers;
	sigv4_sign(&s->sreq, &s->key, s->region, s->service, time(NULL), &authz);
	*headers = s->sreq.headers;
	memset(&s->sreq.headers, 0, sizeof(s->sreq.headers));
	kvlist_add(headers, "Authorization", authz.ptr);
	buf_release(&authz);
	return 0;
}

/* SHA-256 of a streamed body, read once through before it is sent. */
static int source_sha256(const struct http_body_source *src, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_stream *h;
	char chunk[65536];
	long n;

	if (src->rewind(src->ctx))
		return -1;
	h = sha256_stream_new();
	while ((n = src->read(src->ctx, chunk, sizeof(chunk))) > 0)
		sha256_stream_add(h, chunk, (size_t)n);
	sha256_stream_finish(h, hex);
	return n < 0 || src->rewind(src->ctx) ? -1 : 0;
}

/* A host prefix ("BUCKET.") of letters, digits, '-' and '.' only: nothing that could end the host's name */
static int host_label_ok(const char *prefix)
{
	for (const char *p = prefix; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return 0;
	return *prefix != '.';
}

/* Where a call goes: its region, host (Host header), path and whole URL. */
struct target {
	const char *region;
	struct buf host, path, url;
};

static void target_release(struct target *t)
{
	buf_release(&t->host);
	buf_release(&t->path);
	buf_release(&t->url);
}

static int call_target(struct aws *a, const struct aws_call *call, struct target *t, struct error *err)
{
	struct buf endpoint = BUF_INIT, base = BUF_INIT;
	const char *origin;
	int r = -1;

	if (!strcmp(call->service, "iam")) {
		t->region = "us-east-1"; /* IAM is global and signs in us-east-1 */
	} else if (call->region) {
		t->region = call->region;
	} else if (aws_region_try(a, &t->region)) {
		return aws_error_set(err, "LocalError", "no AWS region is set (--region, AWS_REGION, the profile's region "
				     "or aws.region in blambda.yml)");
	}
	/* a region goes into the host's name and the signature: nothing but a region's shape may (an ARN's is anyone's) */
	if (region_check(t->region, &base)) {
		aws_error_set(err, "LocalError", "%s", base.ptr);
		goto out;
	}
	if (call->host_prefix && !host_label_ok(call->host_prefix)) {
		aws_error_set(err, "LocalError", "'%.*s' cannot be part of a host name", (int)strlen(call->host_prefix) - 1,
			      call->host_prefix);
		goto out;
	}
	if (aws_endpoint_in(a, call->service, t->region, &endpoint, &origin) || split_url(endpoint.ptr, &t->host, &base)) {
		aws_error_set(err, "LocalError", "endpoint '%s' (from %s) is not a URL", endpoint.ptr, origin ? origin : "?");
		goto out;
	}
	if (call->host_prefix) {
		struct buf h = BUF_INIT;

		buf_addf(&h, "%s%s", call->host_prefix, t->host.ptr);
		buf_release(&t->host);
		t->host = h;
	}
	buf_addf(&t->path, "%s%s", base.ptr, call->path);
	buf_addf(&t->url, "%.*s%s%s%s%s", (int)(strstr(endpoint.ptr, "://") + 3 - endpoint.ptr), endpoint.ptr,
		 t->host.ptr, t->path.ptr, call->query && *call->query ? "?" : "",
		 call->query && *call->query ? call->query : "");
	r = 0;
out:
	buf_release(&endpoint);
	buf_release(&base);
	return r;
}

/* The SHA-256 of what is sent, as SigV4 signs it. */
static int payload_hash(const struct aws_call *call, char hash[SHA256_HEX_LEN + 1], struct error *err)
{
	if (call->payload_sha256)
		snprintf(hash, SHA256_HEX_LEN + 1, "%s", call->payload_sha256);
	else if (call->source && source_sha256(call->source, hash))
		return aws_error_set(err, "LocalError", "cannot read the body to send: %s", strerror(errno));
	else if (!call->source && call->body_file && sha256_file_hex(call->body_file, hash))
		return aws_error_set(err, "LocalError", "cannot read '%s': %s", call->body_file, strerror(errno));
	else if (!call->source && !call->body_file)
		sha256_hex(call->body ? call->body : "", call->body_len, hash);
	return 0;
}

/* The HTTP request of a call: sent exactly as signed, Host included; its limits by what it does. */
static void http_request_for(const struct aws *a, struct aws_call *call, const struct target *t, struct signing *sig,
			     struct http_request *hreq)
{
	size_t send_len = call->source ? call->source->len : call->body_len;

	hreq->method = call->method;
	hreq->url = t->url.ptr;
	kvlist_add(&hreq->headers, "Host", t->host.ptr);
	if (call->content_type)
		kvlist_add(&hreq->headers, "Content-Type", call->content_type);
	for (size_t i = 0; i < call->headers.nr; i++)
		kvlist_add(&hreq->headers, call->headers.items[i].key, call->headers.items[i].value);
	if (sig->key.access_key_id) { /* without credentials the call goes unsigned (AssumeRoleWithWebIdentity) */
		hreq->prepare = sign_attempt;
		hreq->prepare_ctx = sig;
	}
	hreq->body = call->body;
	hreq->body_len = call->body_len;
	hreq->body_file = call->body_file;
	hreq->source = call->source;
	hreq->sink = call->sink;
	hreq->sensitive = call->sensitive || call->private_bodies;
	hreq->progress_label = call->progress_label;
	hreq->retryable = aws_retryable;
	hreq->retryable_ctx = call;
	if (call->no_retry || a->quick_ms)
		hreq->max_attempts = 1;
	/* an API call answers in seconds; an upload has time by its size; a download only the stall limit */
	if (a->quick_ms)
		hreq->total_timeout_ms = hreq->connect_timeout_ms = a->quick_ms;
	else if (call->timeout_ms)
		hreq->total_timeout_ms = call->timeout_ms;
	else if (!call->sink)
		hreq->total_timeout_ms = aws_timeout_for(call->body_file || call->source ? send_len : 0);
}

/*
 * A call that carries a secret (a web identity token, credentials): the
 * text of a refusal is not shown, since a server or proxy in between may
 * echo the request in it; its code, status and request id are.
 */
static void hide_answer_text(const struct aws_call *call, const struct http_response *resp, struct error *err)
{
	if (!call->sensitive || !resp->status)
		return;
	free(err->message);
	err->message = xstrdup("the text of the answer is not shown: the call carried a secret");
}

int aws_call_as(struct aws *a, const struct aws_credentials *creds, struct aws_call *call,
		struct http_response *resp, struct error *err)
{
	struct target t = { NULL, BUF_INIT, BUF_INIT, BUF_INIT };
	struct signing sig;
	struct http_request hreq = { 0 };
	char hash[SHA256_HEX_LEN + 1];
	int r = -1;

	error_release(err);
	http_response_init(resp);
	memset(&sig, 0, sizeof(sig));
	if (!a->http && !(a->http = aws_http(a, err)))
		return -1;
	if (call_target(a, call, &t, err) || payload_hash(call, hash, err))
		goto out;
	sig.sreq.method = call->method;
	sig.sreq.path = t.path.ptr;
	sig.sreq.query = call->query;
	sig.sreq.payload_hash = hash;
	sig.sreq.s3 = !strcmp(call->service, "s3");
	if (creds) {
		sig.key.access_key_id = creds->access_key_id.ptr;
		sig.key.secret_access_key = creds->secret_access_key.ptr;
		sig.key.session_token = creds->session_token.ptr;
	}
	sig.region = t.region;
	sig.service = call->service;
	http_request_for(a, call, &t, &sig, &hreq);
	if (http_perform(a->http, &hreq, resp)) {
		aws_error_from_failure(resp, err);
		hide_answer_text(call, resp, err);
		goto out;
	}
	if (resp->status >= 200 && resp->status < 300) {
		r = 0;
	} else {
		aws_error_parse(resp, err);
		hide_answer_text(call, resp, err);
		r = 1;
	}
out:
	kvlist_clear(&hreq.headers);
	target_release(&t);
	return r;
}

int aws_query_call_as(struct aws *a, const struct aws_credentials *creds, const char *service, const char *region,
		      const struct buf *form, int secret, struct xml_node **doc, struct error *err)
{
	struct aws_call call = { 0 };
	struct http_response resp;
	struct buf why = BUF_INIT;
	int r;

	*doc = NULL;
	if (xml_load(err)) /* before the call: a missing libexpat is said as such, with its package */
		return -1;
	call.service = service;
	call.region = region;
	call.method = "POST";
	call.path = "/";
	call.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	call.body = form->ptr;
	call.body_len = form->len;
	call.sensitive = (unsigned)secret;
	r = aws_call_as(a, creds, &call, &resp, err);
	if (r == 0 && !(*doc = xml_parse(resp.body.ptr, resp.body.len, secret, &why))) {
		aws_error_set(err, "MalformedAnswer", "%s answered with XML that cannot be read: %s", service, why.ptr);
		err->exit = EXIT_AWS;
		err->status = resp.status;
		r = 1;
	}
	if (secret)
		OPENSSL_cleanse(resp.body.ptr, resp.body.len);
	if (r != -1)
		http_response_release(&resp);
	buf_release(&why);
	return r;
}

const char *aws_partition(const char *region)
{
	if (!strncmp(region, "cn-", 3))
		return "aws-cn";
	if (!strncmp(region, "us-gov-", 7))
		return "aws-us-gov";
	return "aws";
}

const char *const *aws_partition_regions(const char *partition)
{
	static const char *const aws[] = {
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
		"eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1", "me-central-1",
		"mx-central-1", "sa-east-1", NULL,
	};
	static const char *const cn[] = { "cn-north-1", "cn-northwest-1", NULL };
	static const char *const gov[] = { "us-gov-west-1", "us-gov-east-1", NULL };

	return !strcmp(partition, "aws-cn") ? cn : !strcmp(partition, "aws-us-gov") ? gov : aws;
}

int aws_region_opt_in(const char *region)
{
	/* the regions launched since March 2019: off until the account turns them on */
	static const char *const opt_in[] = {
		"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1",
		"eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
	};

	for (size_t i = 0; i < ARRAY_SIZE(opt_in); i++)
		if (!strcmp(region, opt_in[i]))
			return 1;
	return 0;
}

int aws_account_valid(const char *s)
{
	return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

time_t aws_parse_time(const char *s)
{
	struct tm tm;
	const char *p;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	p = s + n;
	if (*p == '.')
		while (isdigit((unsigned char)*++p))
			;
	if (*p && strcmp(p, "Z") && strcmp(p, "+00:00") && strcmp(p, "UTC") && strcmp(p, "+0000"))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}
