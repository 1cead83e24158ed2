#include "aws/aws.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/sigv4.h"
#include "aws/xml.h"
#include "core/hash.h"
#include "core/msg.h"
#include "core/xalloc.h"

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int aws_init(struct aws *a, const struct config *cfg)
{
	const struct cfg_value *p = &cfg->v[CFG_AWS_PROFILE];
	const char *e;

	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	if (aws_profiles_load(&a->profiles))
		return -1;
	if (p->present && p->source == SRC_FLAG) {
		a->profile = xstrdup(p->str);
		a->profile_origin = xstrdup("--profile");
		a->profile_explicit = 1;
	} else if ((e = env_nonempty("AWS_PROFILE")) || (e = env_nonempty("AWS_DEFAULT_PROFILE"))) {
		a->profile = xstrdup(e);
		a->profile_origin = xstrdup(getenv("AWS_PROFILE") && *getenv("AWS_PROFILE") ? "AWS_PROFILE"
											 : "AWS_DEFAULT_PROFILE");
	} else if (p->present) {
		a->profile = xstrdup(p->str);
		a->profile_origin = xstrdup(p->origin);
	} else {
		a->profile = xstrdup("default");
		a->profile_origin = xstrdup("default");
	}
	/* a profile named on purpose must exist (the default one need not) */
	if (strcmp(a->profile_origin, "default") && !aws_profile_exists(&a->profiles, a->profile)) {
		error_status(EXIT_USAGE, "AWS profile '%s' (from %s) is not in '%s' or '%s'", a->profile,
			     a->profile_origin, aws_display_path(a->profiles.config_path),
			     aws_display_path(a->profiles.credentials_path));
		hint("list your profiles with 'aws configure list-profiles', or pick another with --profile");
		return -1;
	}
	return 0;
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
	aws_credentials_release(&a->creds);
	http_client_free(a->http);
	memset(a, 0, sizeof(*a));
}

int aws_region(struct aws *a, const char **region)
{
	if (!aws_region_try(a, region))
		return 0;
	error_status(EXIT_USAGE, "no AWS region is set");
	hint("set one with --region, AWS_REGION, 'region' in your AWS profile, or aws.region in blambda.yml");
	return -1;
}

int aws_region_try(struct aws *a, const char **region)
{
	const struct cfg_value *r = &a->cfg->v[CFG_AWS_REGION];
	const char *v, *file;

	if (a->region) {
		*region = a->region;
		return 0;
	}
	if (r->present && r->source == SRC_FLAG) {
		a->region = xstrdup(r->str);
		a->region_origin = xstrdup("--region");
	} else if ((v = env_nonempty("AWS_REGION"))) {
		a->region = xstrdup(v);
		a->region_origin = xstrdup("AWS_REGION");
	} else if ((v = env_nonempty("AWS_DEFAULT_REGION"))) {
		a->region = xstrdup(v);
		a->region_origin = xstrdup("AWS_DEFAULT_REGION");
	} else if ((v = aws_profile_get(&a->profiles, a->profile, "region", &file))) {
		struct buf o = BUF_INIT;

		buf_addf(&o, "profile '%s' in %s", a->profile, aws_display_path(file));
		a->region = xstrdup(v);
		a->region_origin = buf_detach(&o);
	} else if (r->present) {
		a->region = xstrdup(r->str);
		a->region_origin = xstrdup(r->origin);
	} else {
		return -1;
	}
	*region = a->region;
	return 0;
}

static const char *const endpoint_env[][2] = {
	{ "lambda", "AWS_ENDPOINT_URL_LAMBDA" }, { "iam", "AWS_ENDPOINT_URL_IAM" }, { "sts", "AWS_ENDPOINT_URL_STS" },
	{ "s3", "AWS_ENDPOINT_URL_S3" },         { "sso", "AWS_ENDPOINT_URL_SSO" },
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
	const struct cfg_value *e = &a->cfg->v[CFG_AWS_ENDPOINT_URL];
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	int configured = !(ignore && !strcasecmp(ignore, "true"));
	const char *v;

	*origin = NULL;
	if (e->present && e->source == SRC_FLAG) {
		add_url(url, e->str);
		*origin = "--endpoint-url";
		return 0;
	}
	if (configured) {
		for (size_t i = 0; i < sizeof(endpoint_env) / sizeof(endpoint_env[0]); i++) {
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
		if (e->present) {
			add_url(url, e->str);
			*origin = e->origin;
			return 0;
		}
	}
	if (!strcmp(service, "iam")) {
		buf_adds(url, "https://iam.amazonaws.com");
		return 0;
	}
	if (!region && aws_region(a, &region))
		return -1;
	if (!strcmp(service, "sso"))
		buf_addf(url, "https://portal.sso.%s.amazonaws.com", region);
	else
		buf_addf(url, "https://%s.%s.amazonaws.com%s", service, region, !strncmp(region, "cn-", 3) ? ".cn" : "");
	return 0;
}

/* ---- errors ---- */

void aws_error_release(struct aws_error *err)
{
	free(err->code);
	free(err->message);
	free(err->request_id);
	memset(err, 0, sizeof(*err));
}

void aws_error_parse(const struct http_response *resp, struct aws_error *err)
{
	const char *type = kvlist_get_nocase(&resp->headers, "x-amzn-ErrorType");
	const char *rid = kvlist_get_nocase(&resp->headers, "x-amzn-RequestId");
	const char *body = buf_cstr(&resp->body);
	struct buf b = BUF_INIT;

	memset(err, 0, sizeof(*err));
	err->status = resp->status;
	err->attempts = resp->attempts;
	if (!rid)
		rid = kvlist_get_nocase(&resp->headers, "x-amz-request-id");
	if (type)
		err->code = xstrndup(type, strcspn(type, ":"));
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
		if (xml_text(body, "Code", &b) && !err->code)
			err->code = buf_detach(&b);
		buf_reset(&b);
		if (xml_text(body, "Message", &b))
			err->message = buf_detach(&b);
		buf_reset(&b);
		if (!rid && xml_text(body, "RequestId", &b))
			err->request_id = buf_detach(&b);
	}
	if (!err->code) {
		buf_reset(&b);
		buf_addf(&b, "HTTP %ld", resp->status);
		err->code = buf_detach(&b);
	}
	if (!err->message && body[0] && body[0] != '{' && body[0] != '<') {
		size_t n = strcspn(body, "\r\n");
		err->message = xstrndup(body, n > 200 ? 200 : n);
	}
	if (rid && !err->request_id)
		err->request_id = xstrdup(rid);
	buf_release(&b);
}

int aws_error_report(const struct aws_error *err, const char *what)
{
	struct buf m = BUF_INIT;

	buf_addf(&m, "%s: %s", what, err->code);
	if (err->message && *err->message)
		buf_addf(&m, ": %s", err->message);
	if (err->request_id)
		buf_addf(&m, " (request id %s)", err->request_id);
	if (err->attempts > 1)
		buf_addf(&m, " after %d attempts", err->attempts);
	error_status(EXIT_AWS, "%s", m.ptr);
	buf_release(&m);
	if (!strcmp(err->code, "SignatureDoesNotMatch") || !strcmp(err->code, "InvalidSignatureException"))
		hint("the secret access key does not match the access key id; check your credentials");
	else if (!strcmp(err->code, "InvalidClientTokenId") || !strcmp(err->code, "UnrecognizedClientException"))
		hint("AWS does not know this access key; check your credentials and region");
	else if (!strcmp(err->code, "ExpiredToken") || !strcmp(err->code, "ExpiredTokenException"))
		hint("the session token has expired: refresh your credentials (for SSO: 'aws sso login')");
	else if (err->status == 403 && strstr(err->code, "AccessDenied"))
		hint("the credentials are valid but lack the permission; 'blambda doctor' shows who you are");
	return -1;
}

static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
	"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", "RequestTimeout",
	"RequestTimeoutException", NULL,
};

static int aws_retryable(const struct http_response *resp)
{
	struct aws_error e;
	int r = 0;

	if (resp->status < 400)
		return 0;
	aws_error_parse(resp, &e);
	for (size_t i = 0; throttling_codes[i]; i++)
		r |= !strcmp(e.code, throttling_codes[i]);
	aws_error_release(&e);
	return r;
}

/* ---- calls ---- */

void aws_form_add(struct buf *form, const char *name, const char *value)
{
	if (form->len)
		buf_addch(form, '&');
	sigv4_uri_encode(form, name, strlen(name), 0);
	buf_addch(form, '=');
	sigv4_uri_encode(form, value, strlen(value), 0);
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

int aws_call_as(struct aws *a, const struct aws_credentials *creds, struct aws_call *call,
		struct http_response *resp, struct aws_error *err)
{
	struct buf endpoint = BUF_INIT, host = BUF_INIT, base = BUF_INIT, path = BUF_INIT, url = BUF_INIT;
	struct buf authz = BUF_INIT;
	struct sigv4_request sreq = { 0 };
	struct http_request hreq = { 0 };
	const char *origin, *region, *signing_region;
	char hash[SHA256_HEX_LEN + 1];
	struct sigv4_key key;
	int r = -1;

	memset(err, 0, sizeof(*err));
	memset(resp, 0, sizeof(*resp));
	if (!a->http && !(a->http = http_client_new()))
		return -1;
	if (aws_endpoint_in(a, call->service, call->region, &endpoint, &origin))
		goto out;
	if (!strcmp(call->service, "iam")) {
		signing_region = "us-east-1";
	} else if (call->region) {
		signing_region = call->region;
	} else {
		if (aws_region(a, &region))
			goto out;
		signing_region = region;
	}
	if (split_url(endpoint.ptr, &host, &base)) {
		r = error_status(EXIT_USAGE, "endpoint '%s' (from %s) is not a URL", endpoint.ptr, origin ? origin : "?");
		goto out;
	}
	buf_addf(&path, "%s%s", base.ptr ? base.ptr : "", call->path);
	buf_addf(&url, "%.*s%s%s%s%s", (int)(strstr(endpoint.ptr, "://") + 3 - endpoint.ptr), endpoint.ptr, host.ptr,
		 path.ptr, call->query && *call->query ? "?" : "", call->query && *call->query ? call->query : "");

	if (call->body_file)
		memcpy(hash, SIGV4_UNSIGNED_PAYLOAD, sizeof(SIGV4_UNSIGNED_PAYLOAD));
	else
		sha256_hex(call->body ? call->body : "", call->body_len, hash);
	sreq.method = call->method;
	sreq.path = path.ptr;
	sreq.query = call->query;
	sreq.payload_hash = hash;
	sreq.s3 = !strcmp(call->service, "s3");
	kvlist_add(&sreq.headers, "Host", host.ptr);
	if (call->content_type)
		kvlist_add(&sreq.headers, "Content-Type", call->content_type);
	for (size_t i = 0; i < call->headers.nr; i++)
		kvlist_add(&sreq.headers, call->headers.items[i].key, call->headers.items[i].value);
	key.access_key_id = buf_cstr(&creds->access_key_id);
	key.secret_access_key = buf_cstr(&creds->secret_access_key);
	key.session_token = buf_cstr(&creds->session_token);
	sigv4_sign(&sreq, &key, signing_region, call->service, time(NULL), &authz);

	hreq.method = call->method;
	hreq.url = url.ptr;
	hreq.headers = sreq.headers; /* sent exactly as signed, Host included */
	kvlist_add(&hreq.headers, "Authorization", authz.ptr);
	hreq.body = call->body;
	hreq.body_len = call->body_len;
	hreq.body_file = call->body_file;
	hreq.sink = call->sink;
	hreq.sensitive = call->sensitive;
	hreq.retryable = aws_retryable;
	/* an API call answers in seconds; uploads and downloads of any size only have the stall limit */
	if (!call->body_file && !call->sink)
		hreq.total_timeout_ms = 120000;
	if (http_perform(a->http, &hreq, resp))
		goto out_headers;
	if (resp->status >= 200 && resp->status < 300) {
		r = 0;
	} else {
		aws_error_parse(resp, err);
		r = 1;
	}
out_headers:
	kvlist_clear(&hreq.headers);
out:
	buf_release(&endpoint);
	buf_release(&host);
	buf_release(&base);
	buf_release(&path);
	buf_release(&url);
	buf_release(&authz);
	return r;
}

int aws_call(struct aws *a, struct aws_call *call, struct http_response *resp, struct aws_error *err)
{
	const struct aws_credentials *c;

	memset(err, 0, sizeof(*err));
	memset(resp, 0, sizeof(*resp));
	if (aws_get_credentials(a, &c))
		return -1;
	return aws_call_as(a, c, call, resp, err);
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
