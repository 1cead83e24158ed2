#include "local/env.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/xalloc.h"

/*
 * The variables of blambda's environment that a function run here gets too:
 * only those that point AWS calls at local stand-ins. Everything else of the
 * host (HOME, TERM, PATH, BLAMBDA_*) stays out, as it is not there in
 * Lambda; --inherit-env names more.
 */
static const char *const passed_on[] = { "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", NULL };

/* Where the account of these credentials is remembered: a digest of the access key id (no secret). */
static void account_path(const struct aws_credentials *creds, struct buf *out)
{
	char digest[SHA256_HEX_LEN + 1];

	fs_cache_dir(out);
	sha256_hex(creds->access_key_id.ptr, creds->access_key_id.len, digest);
	buf_addf(out, "/accounts/%.32s", digest);
}

/* The account STS named for these credentials before, or NULL. */
static char *cached_account(const struct aws_credentials *creds)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char *r = NULL;

	account_path(creds, &path);
	if (!fs_read_file(path.ptr, &text, 64) && aws_account_valid(text.ptr))
		r = buf_detach(&text);
	buf_release(&path);
	buf_release(&text);
	return r;
}

/* Remember it (a cache that cannot be written costs one question to STS next time: no error). */
static void remember_account(const struct aws_credentials *creds, const char *account)
{
	struct buf path = BUF_INIT;
	struct error ignored = ERROR_INIT;
	char *dir;

	if (!aws_account_valid(account))
		return;
	account_path(creds, &path);
	dir = xstrndup(path.ptr, (size_t)(strrchr(path.ptr, '/') - path.ptr));
	if (!fs_mkdirs(dir, 0700, &ignored))
		fs_write_atomic(path.ptr, account, strlen(account), 0600, &ignored);
	error_release(&ignored);
	free(dir);
	buf_release(&path);
}

void local_env_inherit(struct local_env *e, const char *name)
{
	const char *v = getenv(name);

	if (v)
		kvlist_set(&e->base, name, v);
}

static void pass_on_environment(struct local_env *e)
{
	extern char **environ;

	for (size_t i = 0; passed_on[i]; i++) {
		const char *v = getenv(passed_on[i]);

		if (v)
			kvlist_set(&e->base, passed_on[i], v);
	}
	for (char **v = environ; *v; v++) {
		/* per-service endpoint overrides (AWS_ENDPOINT_URL_S3, ...) for handlers run against local stand-ins */
		const char *eq = strchr(*v, '=');

		if (eq && !strncmp(*v, "AWS_ENDPOINT_URL_", 17)) {
			char *k = xstrndup(*v, (size_t)(eq - *v));

			kvlist_set(&e->base, k, eq + 1);
			free(k);
		}
	}
}

/* The credentials, when the chain finds any, and whose they are. */
static void take_credentials(struct local_env *e, struct aws *a, int region_set)
{
	const struct aws_credentials *creds = NULL;
	struct error err = ERROR_INIT;
	struct sts_identity id = { 0 };

	if (aws_get_credentials(a, &creds, &err)) {
		struct buf why = BUF_INIT;

		error_format(&err, &why);
		observe_trace(a->obs, 1, "no AWS credentials for the function (%s): it runs without them", why.ptr);
		buf_release(&why);
		error_release(&err);
		return;
	}
	e->have_creds = 1;
	kvlist_set(&e->base, "AWS_ACCESS_KEY_ID", creds->access_key_id.ptr);
	kvlist_set(&e->base, "AWS_SECRET_ACCESS_KEY", creds->secret_access_key.ptr);
	if (creds->session_token.len)
		kvlist_set(&e->base, "AWS_SESSION_TOKEN", creds->session_token.ptr);
	if ((e->account = cached_account(creds)))
		return;
	/* whose they are: asked once (and remembered), quickly; offline the placeholder stands */
	a->quick_ms = 3000;
	if (!sts_get_caller_identity(a, creds, region_set ? NULL : e->region, &id, &err)) {
		e->account = xstrdup(id.account);
		remember_account(creds, id.account);
	} else if (observe_tracing(a->obs, 1)) {
		struct buf why = BUF_INIT;

		error_format(&err, &why);
		observe_trace(a->obs, 1, "cannot ask STS whose the credentials are: %s", why.ptr);
		buf_release(&why);
	}
	a->quick_ms = 0;
	sts_identity_release(&id);
	error_release(&err);
}

void local_env_init(struct local_env *e, struct aws *a)
{
	const char *region = NULL;
	int region_set = !aws_region_try(a, &region);

	memset(e, 0, sizeof(*e));
	pass_on_environment(e);
	e->region = xstrdup(region_set ? region : "us-east-1");
	take_credentials(e, a, region_set);
	if (!e->account) {
		e->account = xstrdup(LOCAL_PLACEHOLDER_ACCOUNT);
		observe_trace(a->obs, 1, "the function ARN has the placeholder account %s", LOCAL_PLACEHOLDER_ACCOUNT);
	}
}

int local_env_account(struct local_env *e, struct aws *a, struct error *err)
{
	const struct aws_credentials *creds = NULL;
	struct sts_identity id = { 0 };
	int r;

	if (strcmp(e->account, LOCAL_PLACEHOLDER_ACCOUNT))
		return 0;
	if (aws_get_credentials(a, &creds, err))
		return -1;
	r = sts_get_caller_identity(a, creds, NULL, &id, err);
	if (r) {
		error_prefix(err, "cannot learn the account of these credentials from STS");
	} else {
		free(e->account);
		e->account = xstrdup(id.account);
		remember_account(creds, id.account);
	}
	sts_identity_release(&id);
	return r ? -1 : 0;
}

void local_env_release(struct local_env *e)
{
	free(e->region);
	free(e->account);
	/* the credentials are in there: wipe them */
	for (size_t i = 0; i < e->base.nr; i++)
		if (!strncmp(e->base.items[i].key, "AWS_", 4) && e->base.items[i].value)
			OPENSSL_cleanse(e->base.items[i].value, strlen(e->base.items[i].value));
	kvlist_clear(&e->base);
	memset(e, 0, sizeof(*e));
}
