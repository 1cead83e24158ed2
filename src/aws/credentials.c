/*
 * The credentials chain, in the AWS CLI's order:
 *
 *   environment keys (skipped when --profile names a profile)
 *   the profile: role_arn with web_identity_token_file (STS
 *                AssumeRoleWithWebIdentity), role_arn (STS AssumeRole),
 *   web identity from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN,
 *   the profile: SSO, static keys, credential_process
 *   container credentials (ECS, EKS Pod Identity)
 *   EC2 instance metadata (IMDSv2)
 *
 * Each source answers 1 (found), 0 (not configured: try the next) or -1 (it
 * is configured but failed: stop, err says why). Secrets only ever live in
 * the wiped buffers of struct aws_credentials. Nothing here prints: where it
 * looked goes to the client's observer as -v trace.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/spawn.h"
#include "core/wait.h"
#include "core/xalloc.h"

extern char **environ;

#define MAX_ROLE_CHAIN 5
/* seconds before expiry that credentials are fetched anew */
#define CREDS_REFRESH_S 300

const char *aws_cred_source_name(enum aws_cred_source s)
{
	static const char *const names[] = { "none", "env", "profile", "assume-role", "sso", "process",
					     "container", "imds", "web-identity" };

	return names[s];
}

static void set_creds(struct aws_credentials *c, const char *akid, const char *secret, const char *token,
		      time_t exp, enum aws_cred_source src, char *detail)
{
	aws_credentials_release(c);
	buf_adds(&c->access_key_id, akid);
	buf_adds(&c->secret_access_key, secret);
	if (token && *token)
		buf_adds(&c->session_token, token);
	c->expiration = exp;
	c->source = src;
	c->detail = detail;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int check_expiry(const struct aws_credentials *c, struct error *err)
{
	char when[32];
	struct tm tm;

	if (!c->expiration || c->expiration > time(NULL))
		return 0;
	gmtime_r(&c->expiration, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	error_set(err, EXIT_AWS, "the credentials from %s expired at %s", c->detail, when);
	return error_hint(err, "refresh them (for SSO profiles: 'aws sso login'), then try again");
}

static void json_wipe_delete_children(cJSON *j)
{
	for (cJSON *it = j; it; it = it->next) {
		if (it->valuestring)
			OPENSSL_cleanse(it->valuestring, strlen(it->valuestring));
		if (it->child)
			json_wipe_delete_children(it->child);
	}
}

/* cJSON frees without wiping: clear every string of a tree that held secrets first. */
static void json_wipe_delete(cJSON *j)
{
	if (!j)
		return;
	if (j->valuestring)
		OPENSSL_cleanse(j->valuestring, strlen(j->valuestring));
	json_wipe_delete_children(j->child);
	cJSON_Delete(j);
}

/* Credentials in the JSON shapes the AWS endpoints use: {AccessKeyId, SecretAccessKey, Token|SessionToken, Expiration} */
static int creds_from_json(cJSON *j, struct aws_credentials *c, enum aws_cred_source src, char *detail,
			   struct error *err)
{
	const char *akid = cJSON_GetStringValue(cJSON_GetObjectItem(j, "AccessKeyId"));
	const char *secret = cJSON_GetStringValue(cJSON_GetObjectItem(j, "SecretAccessKey"));
	const char *token = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Token"));
	const char *exp = cJSON_GetStringValue(cJSON_GetObjectItem(j, "Expiration"));
	time_t t = 0;

	if (!token)
		token = cJSON_GetStringValue(cJSON_GetObjectItem(j, "SessionToken"));
	if (!akid || !secret) {
		error_set(err, EXIT_AWS, "%s returned no AccessKeyId and SecretAccessKey", detail);
		free(detail);
		return -1;
	}
	if (exp && (t = aws_parse_time(exp)) < 0) {
		error_set(err, EXIT_AWS, "%s returned an Expiration blambda cannot read: '%s'", detail, exp);
		free(detail);
		return -1;
	}
	set_creds(c, akid, secret, token, t, src, detail);
	return 1;
}

/* ---- environment ---- */

static int from_env(struct aws_credentials *c, struct error *err)
{
	const char *akid = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");

	if (!akid && !secret)
		return 0;
	if (!akid || !secret) {
		return error_set(err, EXIT_USAGE, "%s is set but %s is not",
				 akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
				 akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	}
	set_creds(c, akid, secret, env("AWS_SESSION_TOKEN"), 0, CRED_ENV,
		  xstrdup("the environment (AWS_ACCESS_KEY_ID)"));
	return 1;
}

/* ---- credential_process ---- */

/* Split a command line into words as a POSIX shell would (quotes and backslashes; no expansions). */
static int split_words(const char *s, struct strlist *out)
{
	struct buf w = BUF_INIT;
	int in_word = 0;

	while (*s) {
		char c = *s++;

		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				strlist_add_owned(out, buf_detach(&w));
			in_word = 0;
		} else if (c == '\'') {
			const char *end = strchr(s, '\'');
			if (!end)
				goto bad;
			buf_add(&w, s, (size_t)(end - s));
			s = end + 1;
			in_word = 1;
		} else if (c == '"') {
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
					s++;
				buf_addch(&w, *s++);
			}
			if (*s != '"')
				goto bad;
			s++;
			in_word = 1;
		} else if (c == '\\' && *s) {
			buf_addch(&w, *s++);
			in_word = 1;
		} else {
			buf_addch(&w, c);
			in_word = 1;
		}
	}
	if (in_word)
		strlist_add_owned(out, buf_detach(&w));
	buf_release(&w);
	return 0;
bad:
	buf_release(&w);
	return -1;
}

static int from_process(const char *profile, const char *cmdline, const char *file, struct aws_credentials *c,
			struct error *err)
{
	struct strlist argv = STRLIST_INIT;
	struct buf out = BUF_INIT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2], status, r = -1;
	pid_t pid;
	char chunk[4096];
	ssize_t n;
	cJSON *j = NULL;

	buf_init_secret(&out);
	if (split_words(cmdline, &argv) || !argv.nr) {
		error_set(err, EXIT_USAGE, "credential_process of profile '%s' in %s is not a valid command line",
			  profile, aws_display_path(file));
		goto done;
	}
	if (pipe(pipefd)) {
		error_set(err, EXIT_FAIL, "cannot create a pipe: %s", strerror(errno));
		goto done;
	}
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
	strlist_add_owned(&argv, NULL); /* argv's terminator */
	argv.nr--;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	spawn_attr_defaults(&attr); /* a refresh may come from a thread that blocks the stop signals */
	errno = spawn_child(&pid, argv.items[0], 1, &fa, &attr, argv.items, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (errno) {
		error_set(err, EXIT_AWS, "cannot run credential_process '%s' of profile '%s': %s", argv.items[0],
			  profile, strerror(errno));
		close(pipefd[0]);
		goto done;
	}
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0 && out.len < (1 << 20))
		buf_add(&out, chunk, (size_t)n);
	close(pipefd[0]);
	OPENSSL_cleanse(chunk, sizeof(chunk));
	spawn_wait(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		error_set(err, EXIT_AWS, "credential_process of profile '%s' failed (%s %d)", profile,
			  WIFEXITED(status) ? "exit status" : "signal",
			  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		goto done;
	}
	j = cJSON_Parse(out.ptr);
	if (!j || cJSON_GetNumberValue(cJSON_GetObjectItem(j, "Version")) != 1) {
		error_set(err, EXIT_AWS, "credential_process of profile '%s' printed no JSON with \"Version\": 1",
			  profile);
		goto done;
	}
	r = creds_from_json(j, c, CRED_PROCESS,
			    buf_fmt("credential_process of profile '%s' in %s", profile, aws_display_path(file)), err);
done:
	json_wipe_delete(j);
	buf_release(&out);
	strlist_clear(&argv);
	return r;
}

/* ---- plain HTTP sources: container, IMDS, SSO ---- */

static struct http_client *http(struct aws *a, struct error *err)
{
	if (!a->http)
		a->http = aws_http(a, err);
	return a->http;
}

static int get_json(struct aws *a, struct http_request *req, const char *what, cJSON **out, struct error *err)
{
	struct http_response resp;
	int r = -1;

	*out = NULL;
	if (!http(a, err))
		return -1;
	req->sensitive = 1;
	if (!req->total_timeout_ms)
		req->total_timeout_ms = 30000;
	if (http_perform(a->http, req, &resp)) {
		http_failure_error(&resp, err);
		error_hint(err, "%s could not be reached", what);
	} else if (resp.status != 200) {
		struct error e = ERROR_INIT;

		aws_error_parse(&resp, &e);
		error_set(err, EXIT_AWS, "%s refused to give credentials: %s%s%s", what, e.code, e.message ? ": " : "",
			  e.message ? e.message : "");
		error_release(&e);
	} else if (!(*out = cJSON_Parse(resp.body.ptr))) {
		error_set(err, EXIT_AWS, "%s answered with something other than JSON", what);
	} else {
		r = 0;
	}
	resp.body.secret = 1; /* the answer held credentials: wiped on release */
	http_response_release(&resp);
	return r;
}

/* Loopback, the ECS and EKS addresses, or https: what the SDKs allow for the full URI. */
static int allowed_container_uri(const char *uri)
{
	static const char *const ok[] = {
		"http://127.", "http://localhost:", "http://localhost/", "http://[::1]", "http://169.254.170.2",
		"http://169.254.170.23", "http://[fd00:ec2::23]", "https://", NULL,
	};

	for (size_t i = 0; ok[i]; i++)
		if (!strncmp(uri, ok[i], strlen(ok[i])))
			return 1;
	return 0;
}

static int from_container(struct aws *a, struct aws_credentials *c, struct error *err)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	const char *token_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	struct buf url = BUF_INIT, tok = BUF_INIT;
	struct http_request req = { 0 };
	cJSON *j;
	int r;

	if (!rel && !full)
		return 0;
	buf_init_secret(&tok);
	if (rel)
		buf_addf(&url, "http://169.254.170.2%s", rel);
	else if (!allowed_container_uri(full)) {
		buf_release(&url);
		return error_set(err, EXIT_AWS, "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is neither https nor a "
				 "loopback or container address", full);
	} else {
		buf_adds(&url, full);
	}
	if (token_file) {
		if (fs_read_file(token_file, &tok, 16384)) {
			r = error_set(err, EXIT_AWS, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '%s': %s",
				      token_file, strerror(errno));
			goto out;
		}
		while (tok.len && (tok.ptr[tok.len - 1] == '\n' || tok.ptr[tok.len - 1] == '\r'))
			buf_setlen(&tok, tok.len - 1);
	} else if (token) {
		buf_adds(&tok, token);
	}
	req.method = "GET";
	req.url = url.ptr;
	req.connect_timeout_ms = 2000;
	req.stall_timeout_ms = 5000;
	if (tok.len)
		kvlist_add(&req.headers, "Authorization", tok.ptr);
	if (get_json(a, &req, "the container credentials endpoint", &j, err)) {
		r = -1;
	} else {
		r = creds_from_json(j, c, CRED_CONTAINER,
				    buf_fmt("the container credentials endpoint (%s)",
					    rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" : "AWS_CONTAINER_CREDENTIALS_FULL_URI"),
				    err);
		json_wipe_delete(j);
	}
	if (req.headers.nr)
		OPENSSL_cleanse(req.headers.items[0].value, strlen(req.headers.items[0].value));
	kvlist_clear(&req.headers);
out:
	buf_release(&url);
	buf_release(&tok);
	return r;
}

static int imds_disabled(void)
{
	const char *v = getenv("AWS_EC2_METADATA_DISABLED");

	return v && !strcasecmp(v, "true");
}

static int from_imds(struct aws *a, struct aws_credentials *c, struct error *err)
{
	const char *endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	struct buf base = BUF_INIT, url = BUF_INIT, token = BUF_INIT, role = BUF_INIT;
	struct http_request req = { 0 };
	struct http_response resp;
	cJSON *j;
	int r = 0;

	if (imds_disabled())
		return 0;
	buf_init_secret(&token);
	if (endpoint)
		buf_adds(&base, endpoint);
	else if (mode && !strcasecmp(mode, "IPv6"))
		buf_adds(&base, "http://[fd00:ec2::254]");
	else
		buf_adds(&base, "http://169.254.169.254");
	while (base.len && base.ptr[base.len - 1] == '/')
		buf_setlen(&base, base.len - 1);
	if (!http(a, err)) {
		buf_release(&base);
		return -1;
	}
	/* IMDS is a last resort: answer fast when there is none */
	req.max_attempts = 1;
	req.connect_timeout_ms = 1000;
	req.stall_timeout_ms = 1000;
	req.total_timeout_ms = 2000;
	req.sensitive = 1;

	buf_addf(&url, "%s/latest/api/token", base.ptr);
	req.method = "PUT";
	req.url = url.ptr;
	kvlist_add(&req.headers, "X-aws-ec2-metadata-token-ttl-seconds", "21600");
	observe_trace(a->obs, 1, "looking for EC2 instance metadata at %s", base.ptr);
	if (http_perform(a->http, &req, &resp) || resp.status != 200) {
		/* no instance metadata here: not an error, the chain just ends */
		http_response_release(&resp);
		goto out;
	}
	buf_add(&token, resp.body.ptr, resp.body.len);
	OPENSSL_cleanse(resp.body.ptr, resp.body.len);
	http_response_release(&resp);
	kvlist_clear(&req.headers);
	kvlist_add(&req.headers, "X-aws-ec2-metadata-token", token.ptr);

	buf_reset(&url);
	buf_addf(&url, "%s/latest/meta-data/iam/security-credentials/", base.ptr);
	req.method = "GET";
	req.url = url.ptr;
	if (http_perform(a->http, &req, &resp) || resp.status != 200) {
		http_response_release(&resp);
		observe_trace(a->obs, 1, "the instance has no IAM role");
		goto out;
	}
	buf_add(&role, resp.body.ptr, strcspn(resp.body.ptr, "\r\n"));
	http_response_release(&resp);

	buf_reset(&url);
	buf_addf(&url, "%s/latest/meta-data/iam/security-credentials/%s", base.ptr, role.ptr);
	req.url = url.ptr;
	req.max_attempts = 2;
	if (get_json(a, &req, "the EC2 instance metadata service", &j, err)) {
		r = -1;
	} else {
		r = creds_from_json(j, c, CRED_IMDS, buf_fmt("EC2 instance metadata (role '%s')", role.ptr), err);
		json_wipe_delete(j);
	}
out:
	if (req.headers.nr && token.len)
		OPENSSL_cleanse(req.headers.items[0].value, strlen(req.headers.items[0].value));
	kvlist_clear(&req.headers);
	buf_release(&base);
	buf_release(&url);
	buf_release(&token);
	buf_release(&role);
	return r;
}

static void sha1_hex(const char *s, char out[41])
{
	unsigned char d[20];
	unsigned int n = sizeof(d);

	EVP_Digest(s, strlen(s), d, &n, EVP_sha1(), NULL);
	hex_encode(d, 20, out);
}

/* What an SSO profile names: its account and role, and the portal (from an [sso-session] or the profile) */
struct sso_profile {
	const char *session, *account, *role, *start_url, *region;
};

static int sso_profile_read(const struct aws_profiles *p, const char *profile, const char *file,
			    struct sso_profile *sp, struct error *err)
{
	sp->session = aws_profile_get(p, profile, "sso_session", NULL);
	sp->account = aws_profile_get(p, profile, "sso_account_id", NULL);
	sp->role = aws_profile_get(p, profile, "sso_role_name", NULL);
	if (sp->session) {
		sp->start_url = aws_sso_session_get(p, sp->session, "sso_start_url");
		sp->region = aws_sso_session_get(p, sp->session, "sso_region");
		if (!sp->start_url || !sp->region)
			return error_set(err, EXIT_USAGE, "[sso-session %s] in %s needs sso_start_url and sso_region",
					 sp->session, aws_display_path(p->config_path));
	} else {
		sp->start_url = aws_profile_get(p, profile, "sso_start_url", NULL);
		sp->region = aws_profile_get(p, profile, "sso_region", NULL);
	}
	if (!sp->account || !sp->role || !sp->start_url || !sp->region)
		return error_set(err, EXIT_USAGE, "profile '%s' in %s is an SSO profile but lacks %s", profile,
				 aws_display_path(file),
				 !sp->account ? "sso_account_id" : !sp->role ? "sso_role_name"
				 : !sp->start_url ? "sso_start_url" : "sso_region");
	return 0;
}

/* The access token of `aws sso login`, from its cache, still valid: into token (a secret buffer). */
static int sso_cached_token(const char *profile, const struct sso_profile *sp, struct buf *token, struct error *err)
{
	struct buf cache = BUF_INIT, body = BUF_INIT;
	const char *home = getenv("HOME"), *t, *expires;
	char key[41];
	cJSON *j = NULL;
	time_t exp;
	int r = -1;

	buf_init_secret(&body);
	sha1_hex(sp->session ? sp->session : sp->start_url, key);
	buf_addf(&cache, "%s/.aws/sso/cache/%s.json", home ? home : ".", key);
	if (fs_read_file(cache.ptr, &body, 1 << 20)) {
		error_set(err, EXIT_AWS, "profile '%s' uses SSO, and there is no SSO login for it", profile);
		goto out;
	}
	j = cJSON_Parse(body.ptr);
	t = cJSON_GetStringValue(cJSON_GetObjectItem(j, "accessToken"));
	expires = cJSON_GetStringValue(cJSON_GetObjectItem(j, "expiresAt"));
	exp = expires ? aws_parse_time(expires) : 0;
	if (!t) {
		error_set(err, EXIT_AWS, "the SSO token cache '%s' holds no accessToken", aws_display_path(cache.ptr));
	} else if (exp && exp <= time(NULL)) {
		error_set(err, EXIT_AWS, "the SSO login for profile '%s' expired at %s", profile, expires);
	} else {
		buf_adds(token, t);
		r = 0;
	}
out:
	if (r)
		error_hint(err, "run 'aws sso login --profile %s'", profile);
	json_wipe_delete(j);
	buf_release(&cache);
	buf_release(&body);
	return r;
}

static int from_sso(struct aws *a, const char *profile, const char *file, struct aws_credentials *c,
		    struct error *err)
{
	struct sso_profile sp;
	struct buf token = BUF_INIT, url = BUF_INIT, ep = BUF_INIT, q = BUF_INIT;
	struct http_request req = { 0 };
	const char *origin, *akid, *secret;
	cJSON *j = NULL, *rc;
	double ms;
	int r = -1;

	buf_init_secret(&token);
	if (sso_profile_read(&a->profiles, profile, file, &sp, err) || sso_cached_token(profile, &sp, &token, err))
		goto out;
	/* the portal lives in the SSO region, not the profile's */
	if (aws_endpoint_in(a, "sso", sp.region, &ep, &origin)) {
		error_set(err, EXIT_USAGE, "no endpoint for the SSO portal in '%s'", sp.region);
		goto out;
	}
	aws_form_add(&q, "account_id", sp.account);
	aws_form_add(&q, "role_name", sp.role);
	buf_addf(&url, "%s/federation/credentials?%s", ep.ptr, q.ptr);
	req.method = "GET";
	req.url = url.ptr;
	kvlist_add(&req.headers, "x-amz-sso_bearer_token", token.ptr);
	if (get_json(a, &req, "the SSO portal", &j, err))
		goto out;
	rc = cJSON_GetObjectItem(j, "roleCredentials");
	akid = cJSON_GetStringValue(cJSON_GetObjectItem(rc, "accessKeyId"));
	secret = cJSON_GetStringValue(cJSON_GetObjectItem(rc, "secretAccessKey"));
	ms = cJSON_GetNumberValue(cJSON_GetObjectItem(rc, "expiration"));
	if (!akid || !secret) {
		error_set(err, EXIT_AWS, "the SSO portal returned no role credentials");
		goto out;
	}
	set_creds(c, akid, secret, cJSON_GetStringValue(cJSON_GetObjectItem(rc, "sessionToken")),
		  ms > 0 ? (time_t)(ms / 1000) : 0, CRED_SSO,
		  buf_fmt("SSO (profile '%s', role %s in account %s)", profile, sp.role, sp.account));
	r = 1;
out:
	if (req.headers.nr)
		OPENSSL_cleanse(req.headers.items[0].value, strlen(req.headers.items[0].value));
	kvlist_clear(&req.headers);
	json_wipe_delete(j);
	buf_release(&token);
	buf_release(&url);
	buf_release(&ep);
	buf_release(&q);
	return r;
}

/* ---- profiles and AssumeRole ---- */

static int from_profile(struct aws *a, const char *profile, int depth, struct aws_credentials *c, struct error *err);
static int from_profile_static(struct aws *a, const char *profile, struct aws_credentials *c, struct error *err);

/* The cache of assumed-role credentials: one file per role, session and source, mode 0600. */
static void sts_cache_path(const char *role, const char *session, const char *source, struct buf *out)
{
	struct buf k = BUF_INIT;
	char hash[SHA256_HEX_LEN + 1];

	buf_addf(&k, "%s\n%s\n%s", role, session, source);
	sha256_hex(k.ptr, k.len, hash);
	fs_cache_dir(out);
	buf_addf(out, "/sts/%.32s.json", hash);
	buf_release(&k);
}

/* Credentials cached by an earlier run, good for five more minutes: 1, else 0 (a bad cache is no error). */
static int read_sts_cache(struct aws *a, const char *path, struct aws_credentials *c, const char *detail)
{
	struct buf body = BUF_INIT;
	struct error ignored = ERROR_INIT;
	cJSON *j;
	int r = 0;

	buf_init_secret(&body);
	if (fs_read_file(path, &body, 65536))
		return 0;
	j = cJSON_Parse(body.ptr);
	if (j) {
		struct aws_credentials tmp = AWS_CREDENTIALS_INIT;

		if (creds_from_json(j, &tmp, CRED_ASSUME_ROLE, xstrdup(detail), &ignored) == 1 &&
		    tmp.expiration > time(NULL) + 300) {
			*c = tmp;
			r = 1;
			observe_trace(a->obs, 1, "using cached credentials for %s", detail);
		} else {
			aws_credentials_release(&tmp);
		}
		error_release(&ignored);
		json_wipe_delete(j);
	}
	buf_release(&body);
	return r;
}

static void write_sts_cache(const char *path, const struct aws_credentials *c)
{
	struct buf dir = BUF_INIT, body = BUF_INIT;
	struct error ignored = ERROR_INIT;
	char when[32];
	struct tm tm;
	cJSON *j = cJSON_CreateObject();
	char *text;

	gmtime_r(&c->expiration, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(j, "AccessKeyId", c->access_key_id.ptr);
	cJSON_AddStringToObject(j, "SecretAccessKey", c->secret_access_key.ptr);
	cJSON_AddStringToObject(j, "SessionToken", c->session_token.ptr);
	cJSON_AddStringToObject(j, "Expiration", when);
	text = cJSON_PrintUnformatted(j);
	buf_add(&dir, path, (size_t)(strrchr(path, '/') - path));
	/* a cache that cannot be written costs the next run one AssumeRole: no error */
	if (!fs_mkdirs(dir.ptr, 0700, &ignored))
		fs_write_atomic(path, text, strlen(text), 0600, &ignored);
	error_release(&ignored);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	json_wipe_delete(j);
	buf_release(&dir);
	buf_release(&body);
}

static int credential_source(struct aws *a, const char *profile, const char *src, struct aws_credentials *c,
			     struct error *err)
{
	int r;

	if (!strcmp(src, "Environment"))
		r = from_env(c, err);
	else if (!strcmp(src, "Ec2InstanceMetadata"))
		r = from_imds(a, c, err);
	else if (!strcmp(src, "EcsContainer"))
		r = from_container(a, c, err);
	else
		return error_set(err, EXIT_USAGE, "profile '%s' has credential_source '%s'; blambda knows Environment, "
				 "Ec2InstanceMetadata and EcsContainer", profile, src);
	if (!r)
		return error_set(err, EXIT_USAGE, "profile '%s' takes its source credentials from %s, which has none",
				 profile, src);
	return r;
}

static int assume_role(struct aws *a, const char *profile, const char *role, const char *file, int depth,
		       struct aws_credentials *c, struct error *err)
{
	const struct aws_profiles *p = &a->profiles;
	const char *source = aws_profile_get(p, profile, "source_profile", NULL);
	const char *csrc = aws_profile_get(p, profile, "credential_source", NULL);
	const char *session = aws_profile_get(p, profile, "role_session_name", NULL);
	const char *external = aws_profile_get(p, profile, "external_id", NULL);
	const char *duration = aws_profile_get(p, profile, "duration_seconds", NULL);
	const char *region = aws_profile_get(p, profile, "region", NULL);
	struct aws_credentials src = AWS_CREDENTIALS_INIT;
	struct buf cache = BUF_INIT, val = BUF_INIT, sess = BUF_INIT;
	struct sts_assume_role ar = { 0 };
	char *detail;
	int r;

	if (aws_profile_get(p, profile, "mfa_serial", NULL)) {
		error_set(err, EXIT_USAGE, "profile '%s' needs an MFA code (mfa_serial), which blambda cannot ask for",
			  profile);
		return error_hint(err, "get session credentials with 'aws sts get-session-token' or use an SSO profile");
	}
	if (!source == !csrc)
		return error_set(err, EXIT_USAGE, "profile '%s' in %s has role_arn, and needs exactly one of "
				 "source_profile and credential_source", profile, aws_display_path(file));
	if (session)
		buf_adds(&sess, session);
	else
		buf_addf(&sess, "blambda-%ld", (long)time(NULL));
	detail = buf_fmt("role %s (profile '%s' in %s)", role, profile, aws_display_path(file));
	sts_cache_path(role, session ? session : "", source ? source : csrc, &cache);
	if (read_sts_cache(a, cache.ptr, c, detail)) {
		r = 1;
		goto out;
	}
	if (source)
		r = !strcmp(source, profile) ? from_profile_static(a, profile, &src, err)
					     : from_profile(a, source, depth + 1, &src, err);
	else
		r = credential_source(a, profile, csrc, &src, err);
	if (r <= 0) {
		if (!r)
			error_set(err, EXIT_USAGE, "source_profile '%s' of profile '%s' has no credentials", source, profile);
		r = -1;
		goto out;
	}
	ar.role_arn = role;
	ar.session_name = sess.ptr;
	ar.external_id = external;
	ar.duration = duration;
	/* STS in the region in use, else the profile's, else the global endpoint's us-east-1 */
	if (aws_region_try(a, &ar.region))
		ar.region = region ? region : "us-east-1";
	r = sts_assume_role(a, &src, &ar, c, err);
	if (r) {
		error_prefix(err, "cannot assume role %s", role);
		r = -1;
	} else {
		c->source = CRED_ASSUME_ROLE;
		c->detail = detail;
		detail = NULL;
		if (c->expiration)
			write_sts_cache(cache.ptr, c);
		r = 1;
	}
out:
	free(detail);
	aws_credentials_release(&src);
	buf_release(&cache);
	buf_release(&val);
	buf_release(&sess);
	return r;
}

/* ---- web identity ---- */

/* Where a web identity comes from: the token file, the role, the session name, and who said so */
struct web_identity {
	const char *token_file, *role, *session, *origin;
};

/* The token, trimmed of the newline a file ends with; -1 with err */
static int read_token(const struct web_identity *w, struct buf *token, struct error *err)
{
	struct stat st;

	/* a pipe or a device would hold blambda up or feed it forever: a token is a file */
	if (!stat(w->token_file, &st) && !S_ISREG(st.st_mode))
		return error_set(err, EXIT_AWS, "the web identity token file '%s' (%s) is not a regular file",
				 w->token_file, w->origin);
	if (fs_read_file(w->token_file, token, 1 << 16)) {
		error_set(err, EXIT_AWS, "cannot read the web identity token file '%s' (%s): %s", w->token_file, w->origin,
			  errno == EFBIG ? "larger than 64 KB" : strerror(errno));
		return -1;
	}
	while (token->len && strchr(" \t\r\n", token->ptr[token->len - 1]))
		token->ptr[--token->len] = '\0';
	if (!token->len)
		return error_set(err, EXIT_AWS, "the web identity token file '%s' (%s) is empty", w->token_file, w->origin);
	if (memchr(token->ptr, '\0', token->len))
		return error_set(err, EXIT_AWS, "the web identity token file '%s' (%s) holds a NUL byte: it is no token",
				 w->token_file, w->origin);
	return 0;
}

/*
 * STS AssumeRoleWithWebIdentity with the token the file holds now (EKS and
 * CI runners rotate it, so it is read each time), in the region in use, else
 * us-east-1.
 */
static int from_web_identity(struct aws *a, const struct web_identity *w, struct aws_credentials *c,
			     struct error *err)
{
	struct sts_assume_role req = { 0 };
	struct buf token, sess = BUF_INIT;
	int r;

	buf_init_secret(&token);
	if (read_token(w, &token, err)) {
		buf_release(&token);
		return -1;
	}
	if (w->session)
		buf_adds(&sess, w->session);
	else
		buf_addf(&sess, "blambda-%ld", (long)time(NULL));
	req.role_arn = w->role;
	req.session_name = sess.ptr;
	if (aws_region_try(a, &req.region))
		req.region = "us-east-1";
	aws_credentials_release(c);
	r = sts_assume_role_with_web_identity(a, &req, token.ptr, c, err);
	if (r) {
		error_prefix(err, "cannot assume role %s with the web identity token in '%s' (%s)", w->role, w->token_file,
			     w->origin);
		r = -1;
	} else {
		c->source = CRED_WEB_IDENTITY;
		c->detail = buf_fmt("role %s with the web identity token in '%s' (%s)", w->role, w->token_file, w->origin);
		r = 1;
	}
	buf_release(&token);
	buf_release(&sess);
	return r;
}

/* AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (and AWS_ROLE_SESSION_NAME), as GitHub Actions and EKS set them */
static int from_env_web_identity(struct aws *a, struct aws_credentials *c, struct error *err)
{
	struct web_identity w = { env("AWS_WEB_IDENTITY_TOKEN_FILE"), env("AWS_ROLE_ARN"), env("AWS_ROLE_SESSION_NAME"),
				  "AWS_WEB_IDENTITY_TOKEN_FILE" };

	if (!w.token_file) /* AWS_ROLE_ARN alone means nothing here, as in the AWS SDKs */
		return 0;
	if (!w.role)
		return error_set(err, EXIT_USAGE, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: web "
				 "identity credentials need both");
	return from_web_identity(a, &w, c, err);
}

/* A profile with role_arn and web_identity_token_file */
static int from_profile_web_identity(struct aws *a, const char *profile, const char *role, const char *file,
				     struct aws_credentials *c, struct error *err)
{
	struct buf origin = BUF_INIT;
	struct web_identity w = { aws_profile_get(&a->profiles, profile, "web_identity_token_file", NULL), role,
				  aws_profile_get(&a->profiles, profile, "role_session_name", NULL), NULL };
	int r;

	buf_addf(&origin, "profile '%s' in %s", profile, aws_display_path(file));
	w.origin = origin.ptr;
	r = from_web_identity(a, &w, c, err);
	buf_release(&origin);
	return r;
}

/* Static keys of a profile, wherever they are (credentials file first). */
static int from_profile_static(struct aws *a, const char *profile, struct aws_credentials *c, struct error *err)
{
	const char *kf = NULL, *sf = NULL;
	const char *akid = aws_profile_get(&a->profiles, profile, "aws_access_key_id", &kf);
	const char *secret = aws_profile_get(&a->profiles, profile, "aws_secret_access_key", &sf);

	if (!akid && !secret)
		return 0;
	if (!akid || !secret)
		return error_set(err, EXIT_AWS, "profile '%s' in %s has %s but not %s", profile,
				 aws_display_path(akid ? kf : sf), akid ? "aws_access_key_id" : "aws_secret_access_key",
				 akid ? "aws_secret_access_key" : "aws_access_key_id");
	set_creds(c, akid, secret, aws_profile_get(&a->profiles, profile, "aws_session_token", NULL), 0, CRED_PROFILE,
		  buf_fmt("profile '%s' in %s", profile, aws_display_path(kf)));
	return 1;
}

static int from_profile(struct aws *a, const char *profile, int depth, struct aws_credentials *c, struct error *err)
{
	const struct aws_profiles *p = &a->profiles;
	const char *file = NULL, *role, *proc;
	int r;

	if (depth > MAX_ROLE_CHAIN)
		return error_set(err, EXIT_USAGE, "profile '%s': source_profile chains more than %d roles (a loop?)",
				 profile, MAX_ROLE_CHAIN);
	if (depth && !aws_profile_exists(p, profile))
		return error_set(err, EXIT_USAGE, "source_profile '%s' is not in '%s' or '%s'", profile,
				 aws_display_path(p->config_path), aws_display_path(p->credentials_path));
	if ((role = aws_profile_get(p, profile, "role_arn", &file)))
		return aws_profile_get(p, profile, "web_identity_token_file", NULL)
			       ? from_profile_web_identity(a, profile, role, file, c, err)
			       : assume_role(a, profile, role, file, depth, c, err);
	/* after a profile's role, before its other sources, as the AWS SDKs have it */
	if (!depth && (r = from_env_web_identity(a, c, err)))
		return r;
	if (aws_profile_get(p, profile, "sso_session", &file) || aws_profile_get(p, profile, "sso_account_id", &file) ||
	    aws_profile_get(p, profile, "sso_start_url", &file))
		return from_sso(a, profile, file, c, err);
	if ((r = from_profile_static(a, profile, c, err)))
		return r;
	if ((proc = aws_profile_get(p, profile, "credential_process", &file)))
		return from_process(profile, proc, file, c, err);
	return 0;
}

/* The chain, in order: 1 with *c filled, 0 when no source has credentials, -1 with err */
static int run_chain(struct aws *a, struct aws_credentials *c, struct error *err)
{
	int r = 0;

	if (!a->profile_explicit)
		r = from_env(c, err);
	if (!r)
		r = from_profile(a, a->profile, 0, c, err);
	if (!r)
		r = from_container(a, c, err);
	if (!r)
		r = from_imds(a, c, err);
	return r;
}

/*
 * Credentials that expire are fetched again five minutes before, but not
 * more than once a minute (BLAMBDA_WAIT_SCALE shortens that, for tests)
 */
static int due_for_refresh(const struct aws *a, time_t now)
{
	const struct aws_credentials *c = &a->creds;

	return c->expiration && c->source != CRED_ENV && c->expiration - now <= CREDS_REFRESH_S &&
	       (double)(clock_epoch_ms() - a->creds_at_ms) >= 60000.0 * wait_scale();
}

/* A clone's credentials: its root's, refreshed there once for every thread, copied when they changed */
static pthread_mutex_t shared_creds_lock = PTHREAD_MUTEX_INITIALIZER;

static int shared_credentials(struct aws *a, const struct aws_credentials **out, struct error *err)
{
	const struct aws_credentials *rc;
	int r;

	pthread_mutex_lock(&shared_creds_lock);
	r = aws_get_credentials(a->root, &rc, err);
	if (!r && (!a->have_creds || a->creds_at_ms != a->root->creds_at_ms)) {
		aws_credentials_release(&a->creds);
		aws_credentials_copy(&a->creds, rc);
		a->have_creds = 1;
		a->creds_at_ms = a->root->creds_at_ms;
	}
	pthread_mutex_unlock(&shared_creds_lock);
	*out = &a->creds;
	return r;
}

int aws_get_credentials(struct aws *a, const struct aws_credentials **out, struct error *err)
{
	struct aws_credentials *c = &a->creds, fresh = AWS_CREDENTIALS_INIT;
	time_t now = time(NULL);
	int r;

	if (a->root)
		return shared_credentials(a, out, err);
	if (a->have_creds && !due_for_refresh(a, now)) {
		*out = c;
		return 0;
	}
	if (a->have_creds)
		observe_trace(a->obs, 1, "credentials from %s expire soon: fetching them again", c->detail);
	r = run_chain(a, &fresh, err);
	if (r <= 0 && a->have_creds && c->expiration > now + 30) {
		/* the refresh failed, but what we have still works for a while: go on with it */
		observe_trace(a->obs, 1, "fetching credentials again failed; those in hand last %lds more",
			      (long)(c->expiration - now));
		error_release(err);
		aws_credentials_release(&fresh);
		a->creds_at_ms = clock_epoch_ms();
		*out = c;
		return 0;
	}
	if (r < 0) {
		aws_credentials_release(&fresh);
		return -1;
	}
	if (!r) {
		error_set(err, EXIT_USAGE, "no AWS credentials found");
		return error_hint(err, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run 'aws configure', or "
				  "choose a profile with --profile");
	}
	aws_credentials_release(c);
	*c = fresh;
	observe_trace(a->obs, 1, "credentials: %s", c->detail);
	if (check_expiry(c, err))
		return -1;
	a->have_creds = 1;
	a->creds_at_ms = clock_epoch_ms();
	*out = c;
	return 0;
}
