#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"
#include "aws/sts.h"
#include "aws/xml.h"
#include "cli/msg.h"
#include "cli/term.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/array.h"
#include "core/fs.h"
#include "core/curl_lazy.h"
#include "core/json.h"
#include "local/mhd_lazy.h"
#include "package/archive_lazy.h"
#include "package/bootstrap.h"

/* The services whose endpoints doctor shows. */
static const char *const services[] = { "lambda", "iam", "sts", "s3", "logs" };
#define NSERVICES (ARRAY_SIZE(services))

static int probe_curl(struct error *err)
{
	return curl_api(err) ? 0 : -1;
}

static int probe_archive(struct error *err)
{
	return archive_api(err) ? 0 : -1;
}

static int probe_mhd(struct error *err)
{
	return mhd_api(err) ? 0 : -1;
}

/* The libraries loaded on first use (core/lazy.h): a package may recommend them rather than depend on them. */
static const struct {
	const char *name, *needed_by;
	int (*probe)(struct error *err);
} lazy_libs[] = {
	{ "libcurl", "downloads and every AWS call", probe_curl },
	{ "libexpat", "the AWS answers in XML (IAM, S3, STS)", xml_load },
	{ "libarchive", "unpacking the Babashka release", probe_archive },
	{ "libmicrohttpd", "blambda local", probe_mhd },
};
#define NLIBS (ARRAY_SIZE(lazy_libs))

/* What doctor found: gathered first, then shown as text or JSON. */
struct doctor_report {
	const char *profile, *profile_origin;
	const char *region, *region_origin;     /* NULL when none is set */
	const struct aws_credentials *creds;     /* NULL when none are usable */
	char masked_key[32], expires[64];
	struct sts_identity id;                  /* filled when identity_ok */
	int identity_ok;
	struct buf endpoint[NSERVICES];
	const char *endpoint_origin[NSERVICES];  /* NULL: the service's own */
	struct buf cache_dir;
	struct error creds_err, sts_err;         /* why there are no credentials, or no identity */
	struct error lib_err[NLIBS];             /* why a library cannot be loaded; EXIT_OK when it can */
};

/* "AKIA…WXYZ": enough to tell keys apart, not enough to use one */
static void mask_key(const char *k, char out[32])
{
	size_t n = strlen(k);

	if (n <= 8)
		snprintf(out, 32, "%.*s…", n > 2 ? 2 : (int)n, k);
	else
		snprintf(out, 32, "%.4s…%s", k, k + n - 4);
}

static void format_time(time_t t, char out[64])
{
	struct tm tm;
	long mins = (long)((t - time(NULL)) / 60);
	char when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	if (mins >= 0)
		snprintf(out, 64, "%s (in %ld min)", when, mins);
	else
		snprintf(out, 64, "%s (expired)", when);
}

/* AWS's answer says the credentials are wrong (rather than that STS failed) */
static int credentials_refused(const struct error *e)
{
	static const char *const codes[] = {
		"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
		"AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidAccessKeyId",
		"IncompleteSignature", "MissingAuthenticationToken", "AuthFailure",
	};

	for (size_t i = 0; e->status && i < ARRAY_SIZE(codes); i++)
		if (error_is(e, codes[i]))
			return 1;
	return 0;
}

/* Everything doctor shows, from the client: the only part that talks to AWS. */
static void gather(struct aws *a, struct doctor_report *r)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < NLIBS; i++)
		lazy_libs[i].probe(&r->lib_err[i]);
	r->profile = a->profile;
	r->profile_origin = a->profile_origin;
	if (!aws_region_try(a, &r->region))
		r->region_origin = a->region_origin;
	for (size_t i = 0; i < NSERVICES; i++) {
		buf_init(&r->endpoint[i]);
		aws_endpoint_in(a, services[i], r->region ? r->region : "us-east-1", &r->endpoint[i],
				&r->endpoint_origin[i]);
	}
	buf_init(&r->cache_dir);
	fs_cache_dir(&r->cache_dir);
	snprintf(r->expires, sizeof(r->expires), "never");
	if (aws_get_credentials(a, &r->creds, &r->creds_err)) {
		r->creds = NULL;
		return;
	}
	mask_key(r->creds->access_key_id.ptr, r->masked_key);
	if (r->creds->expiration)
		format_time(r->creds->expiration, r->expires);
	r->identity_ok = !sts_get_caller_identity(a, r->creds, r->region ? NULL : "us-east-1", &r->id, &r->sts_err);
	if (!r->identity_ok && !(r->sts_err.exit == EXIT_USAGE && !r->sts_err.code)) /* a setting here: as it is */
		error_prefix(&r->sts_err, "%s", credentials_refused(&r->sts_err) ? "AWS rejected the credentials"
						 : r->sts_err.status ? "STS could not say who the credentials belong to"
						 : "cannot ask STS who the credentials belong to");
}

static void report_release(struct doctor_report *r)
{
	sts_identity_release(&r->id);
	for (size_t i = 0; i < NSERVICES; i++)
		buf_release(&r->endpoint[i]);
	buf_release(&r->cache_dir);
	error_release(&r->creds_err);
	error_release(&r->sts_err);
	for (size_t i = 0; i < NLIBS; i++)
		error_release(&r->lib_err[i]);
}

/*
 * One line on stdout, made printable whole: it carries AWS's text (the
 * caller's ARN) and the environment's (a profile name), which must not steer
 * the terminal or forge a line.
 */
static void print_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void print_line(const char *fmt, ...)
{
	struct buf b = BUF_INIT, shown = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	buf_add_printable(&shown, b.ptr, b.len, 0);
	puts(shown.ptr);
	buf_release(&b);
	buf_release(&shown);
}

static void render_text(const struct doctor_report *r)
{
	print_line("profile:      %s (%s)", r->profile, r->profile_origin);
	if (r->creds) {
		print_line("credentials:  %s", r->creds->detail);
		print_line("access key:   %s", r->masked_key);
		print_line("expires:      %s", r->expires);
	} else {
		print_line("credentials:  none usable (see below)");
	}
	if (r->identity_ok) {
		print_line("account:      %s", r->id.account);
		print_line("caller:       %s", r->id.arn ? r->id.arn : "?");
	}
	if (r->region)
		print_line("region:       %s (%s)", r->region, r->region_origin);
	else
		print_line("region:       not set");
	for (size_t i = 0; i < NSERVICES; i++)
		if (r->endpoint_origin[i])
			print_line("endpoint:     %-7s %s (%s)", services[i], r->endpoint[i].ptr, r->endpoint_origin[i]);
	print_line("cache:        %s", r->cache_dir.ptr);
	printf("bootstraps:   ");
	for (size_t i = 0; i < bootstrap_count; i++)
		printf("%s%s", i ? ", " : "", bootstraps[i].arch);
	printf("%s\n", bootstrap_count ? "" : "none");
	printf("libraries:    ");
	for (size_t i = 0; i < NLIBS; i++)
		printf("%s%s%s", i ? ", " : "", lazy_libs[i].name, error_failed(&r->lib_err[i]) ? " (missing)" : "");
	printf("\n");
}

static cJSON *credentials_json(const struct doctor_report *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "source", aws_cred_source_name(r->creds->source));
	json_add_text(o, "detail", r->creds->detail, strlen(r->creds->detail));
	cJSON_AddStringToObject(o, "access_key_id", r->masked_key);
	if (r->creds->expiration)
		cJSON_AddNumberToObject(o, "expiration", (double)r->creds->expiration);
	else
		cJSON_AddNullToObject(o, "expiration");
	return o;
}

static void add_text_or_empty(cJSON *o, const char *key, const char *text)
{
	json_add_text(o, key, text ? text : "", text ? strlen(text) : 0);
}

static void render_json(const struct doctor_report *r)
{
	cJSON *root = cJSON_CreateObject(), *o, *list;

	o = cJSON_AddObjectToObject(root, "profile");
	add_text_or_empty(o, "name", r->profile);
	cJSON_AddStringToObject(o, "origin", r->profile_origin);
	cJSON_AddItemToObject(root, "credentials", r->creds ? credentials_json(r) : cJSON_CreateNull());
	if (r->identity_ok) {
		o = cJSON_AddObjectToObject(root, "identity");
		add_text_or_empty(o, "account", r->id.account);
		add_text_or_empty(o, "arn", r->id.arn);
		add_text_or_empty(o, "user_id", r->id.user_id);
	} else {
		cJSON_AddNullToObject(root, "identity");
	}
	if (r->region) {
		o = cJSON_AddObjectToObject(root, "region");
		cJSON_AddStringToObject(o, "name", r->region);
		cJSON_AddStringToObject(o, "origin", r->region_origin);
	} else {
		cJSON_AddNullToObject(root, "region");
	}
	list = cJSON_AddObjectToObject(root, "endpoints");
	for (size_t i = 0; i < NSERVICES; i++) {
		o = cJSON_AddObjectToObject(list, services[i]);
		cJSON_AddStringToObject(o, "url", r->endpoint[i].ptr);
		if (r->endpoint_origin[i])
			cJSON_AddStringToObject(o, "override", r->endpoint_origin[i]);
		else
			cJSON_AddNullToObject(o, "override");
	}
	cJSON_AddStringToObject(root, "cache_dir", r->cache_dir.ptr);
	list = cJSON_AddArrayToObject(root, "bootstrap_architectures");
	for (size_t i = 0; i < bootstrap_count; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(bootstraps[i].arch));
	list = cJSON_AddObjectToObject(root, "libraries");
	for (size_t i = 0; i < NLIBS; i++) {
		o = cJSON_AddObjectToObject(list, lazy_libs[i].name);
		cJSON_AddBoolToObject(o, "loaded", !error_failed(&r->lib_err[i]));
		cJSON_AddStringToObject(o, "needed_by", lazy_libs[i].needed_by);
		if (error_failed(&r->lib_err[i]))
			json_add_text(o, "error", r->lib_err[i].message, strlen(r->lib_err[i].message));
	}
	list = cJSON_AddArrayToObject(root, "problems");
	for (size_t i = 0; i < NLIBS; i++)
		if (error_failed(&r->lib_err[i]))
			cJSON_AddItemToArray(list, cJSON_CreateString(r->lib_err[i].message));
	if (!r->region)
		cJSON_AddItemToArray(list, cJSON_CreateString("no AWS region is set"));
	if (!r->creds)
		cJSON_AddItemToArray(list, cJSON_CreateString("no usable AWS credentials"));
	if (r->creds && !r->identity_ok)
		cJSON_AddItemToArray(list, cJSON_CreateString(r->sts_err.code ? r->sts_err.code : r->sts_err.message));
	cJSON_AddBoolToObject(root, "ok", r->region && r->identity_ok);
	json_print(root);
}

/* The problems found, each said once; the exit status. */
static int report_problems(struct doctor_report *r)
{
	int status = EXIT_OK;

	/* a missing library is said, not failed on: only what needs it fails */
	for (size_t i = 0; i < NLIBS; i++)
		if (error_failed(&r->lib_err[i])) {
			error_prefix(&r->lib_err[i], "%s (for %s)", lazy_libs[i].name, lazy_libs[i].needed_by);
			warning_error(&r->lib_err[i]);
		}
	if (!r->creds)
		status = error_print(&r->creds_err);
	else if (!r->identity_ok)
		status = error_print(&r->sts_err);
	if (!r->region) {
		error_exit(EXIT_USAGE, "no AWS region is set");
		hint("set one with --region, AWS_REGION, 'region' in your AWS profile, or aws.region in blambda.yml");
		status = status ? status : EXIT_USAGE;
	}
	return status;
}

static int exec_doctor(struct args *args, struct config *cfg)
{
	struct error err = ERROR_INIT;
	struct doctor_report r;
	struct aws a;
	int status;

	if (cmd_aws_init(&a, cfg, &err)) {
		aws_release(&a);
		return error_print_release(&err);
	}
	gather(&a, &r);
	if (args_flag(args, GLOBAL_JSON))
		render_json(&r);
	else
		render_text(&r);
	status = report_problems(&r);
	report_release(&r);
	aws_release(&a);
	return status;
}

const struct command cmd_doctor = {
	.name = "doctor",
	.summary = "check the AWS setup: credentials, identity, region, endpoints",
	.usage = "",
	.description = "Finds AWS credentials the way the AWS CLI does (environment, profile, assumed role, web "
		       "identity, SSO, credential_process, container, EC2 instance metadata) and says where they came from, asks "
		       "STS who they belong to, and shows the region and where it was set, any endpoint overrides, "
		       "the cache directory, the bootstrap architectures this blambda carries, and the libraries it "
		       "loads when first needed (libcurl, libexpat, libarchive, libmicrohttpd): a missing one is "
		       "named with the Debian package that has it, and only what needs it fails.\n\n"
		       "Exits 3 when the credentials are missing, expired or rejected, and 2 when no region is "
		       "set, with a hint on what to do.",
	.pos = POS_NONE,
	.max_pos = 0,
	.flags = CMD_CONFIG,
	.examples = "blambda doctor\tcheck the default profile\n"
		    "blambda doctor --profile prod --json\tcheck another profile, as JSON",
	.exec = exec_doctor,
};
