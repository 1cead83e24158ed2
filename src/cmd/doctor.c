#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws.h"
#include "aws/sts.h"
#include "cmd/cmd.h"
#include "cmd/setup.h"
#include "core/json.h"
#include "core/fs.h"
#include "core/msg.h"
#include "package/bootstrap.h"

static const char *const services[] = { "lambda", "iam", "sts", "s3", NULL };

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

static int exec_doctor(struct args *args, struct config *cfg)
{
	int json = args_flag(args, GLOBAL_JSON);
	struct aws a;
	const struct aws_credentials *creds = NULL;
	struct sts_identity id = { 0 };
	struct aws_error err = { 0 };
	struct buf cache = BUF_INIT, url[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	const char *origin[4] = { NULL, NULL, NULL, NULL };
	const char *region = NULL, *problem = NULL;
	char masked[32] = "", expires[64] = "never";
	int status = 0, creds_r, sts_r = -1;
	cJSON *root = NULL;

	if (aws_init_from(&a, cfg)) {
		aws_release(&a);
		return -1;
	}
	if (aws_region_try(&a, &region)) {
		region = NULL;
		problem = "no AWS region is set";
		status = EXIT_USAGE;
	}
	for (int i = 0; services[i]; i++)
		aws_endpoint_in(&a, services[i], region ? region : "us-east-1", &url[i], &origin[i]);
	fs_cache_dir(&cache);

	creds_r = aws_get_credentials(&a, &creds);
	if (creds_r) {
		status = msg_exit_status();
		creds = NULL;
	} else {
		mask_key(creds->access_key_id.ptr, masked);
		if (creds->expiration)
			format_time(creds->expiration, expires);
		sts_r = sts_get_caller_identity(&a, creds, region ? NULL : "us-east-1", &id, &err);
		if (sts_r == 1) {
			aws_error_report(&err, "AWS rejected the credentials");
			status = EXIT_AWS;
		} else if (sts_r < 0) {
			aws_error_report(&err, "cannot ask STS who the credentials belong to");
			status = msg_exit_status();
		}
	}

	if (json) {
		cJSON *o, *eps = cJSON_CreateObject(), *archs = cJSON_CreateArray(), *problems = cJSON_CreateArray();

		root = cJSON_CreateObject();
		o = cJSON_AddObjectToObject(root, "profile");
		cJSON_AddStringToObject(o, "name", a.profile);
		cJSON_AddStringToObject(o, "origin", a.profile_origin);
		if (creds) {
			o = cJSON_AddObjectToObject(root, "credentials");
			cJSON_AddStringToObject(o, "source", aws_cred_source_name(creds->source));
			cJSON_AddStringToObject(o, "detail", creds->detail);
			cJSON_AddStringToObject(o, "access_key_id", masked);
			if (creds->expiration)
				cJSON_AddNumberToObject(o, "expiration", (double)creds->expiration);
			else
				cJSON_AddNullToObject(o, "expiration");
		} else {
			cJSON_AddNullToObject(root, "credentials");
		}
		if (sts_r == 0) {
			o = cJSON_AddObjectToObject(root, "identity");
			cJSON_AddStringToObject(o, "account", id.account ? id.account : "");
			cJSON_AddStringToObject(o, "arn", id.arn ? id.arn : "");
			cJSON_AddStringToObject(o, "user_id", id.user_id ? id.user_id : "");
		} else {
			cJSON_AddNullToObject(root, "identity");
		}
		if (region) {
			o = cJSON_AddObjectToObject(root, "region");
			cJSON_AddStringToObject(o, "name", region);
			cJSON_AddStringToObject(o, "origin", a.region_origin);
		} else {
			cJSON_AddNullToObject(root, "region");
		}
		for (int i = 0; services[i]; i++) {
			o = cJSON_AddObjectToObject(eps, services[i]);
			cJSON_AddStringToObject(o, "url", url[i].ptr);
			if (origin[i])
				cJSON_AddStringToObject(o, "override", origin[i]);
			else
				cJSON_AddNullToObject(o, "override");
		}
		cJSON_AddItemToObject(root, "endpoints", eps);
		cJSON_AddStringToObject(root, "cache_dir", cache.ptr);
		for (size_t i = 0; i < bootstrap_count; i++)
			cJSON_AddItemToArray(archs, cJSON_CreateString(bootstraps[i].arch));
		cJSON_AddItemToObject(root, "bootstrap_architectures", archs);
		if (problem)
			cJSON_AddItemToArray(problems, cJSON_CreateString(problem));
		if (creds_r)
			cJSON_AddItemToArray(problems, cJSON_CreateString("no usable AWS credentials"));
		if (sts_r == 1)
			cJSON_AddItemToArray(problems, cJSON_CreateString(err.code));
		cJSON_AddItemToObject(root, "problems", problems);
		cJSON_AddBoolToObject(root, "ok", status == 0);
		json_print(root);
	} else {
		printf("profile:      %s (%s)\n", a.profile, a.profile_origin);
		if (creds) {
			printf("credentials:  %s\n", creds->detail);
			printf("access key:   %s\n", masked);
			printf("expires:      %s\n", expires);
		} else {
			printf("credentials:  none usable (see above)\n");
		}
		if (sts_r == 0) {
			printf("account:      %s\n", id.account ? id.account : "?");
			printf("caller:       %s\n", id.arn ? id.arn : "?");
		}
		if (region)
			printf("region:       %s (%s)\n", region, a.region_origin);
		else
			printf("region:       not set\n");
		for (int i = 0; services[i]; i++)
			if (origin[i])
				printf("endpoint:     %-7s %s (%s)\n", services[i], url[i].ptr, origin[i]);
		printf("cache:        %s\n", cache.ptr);
		printf("bootstraps:   ");
		for (size_t i = 0; i < bootstrap_count; i++)
			printf("%s%s", i ? ", " : "", bootstraps[i].arch);
		printf("%s\n", bootstrap_count ? "" : "none");
	}
	if (problem) {
		error_status(EXIT_USAGE, "%s", problem);
		hint("set one with --region, AWS_REGION, 'region' in your AWS profile, or aws.region in blambda.yml");
	}
	sts_identity_release(&id);
	aws_error_release(&err);
	for (int i = 0; i < 4; i++)
		buf_release(&url[i]);
	buf_release(&cache);
	aws_release(&a);
	return status ? -1 : 0;
}

const struct command cmd_doctor = {
	.name = "doctor",
	.summary = "check the AWS setup: credentials, identity, region, endpoints",
	.usage = "",
	.description = "Finds AWS credentials the way the AWS CLI does (environment, profile, assumed role, SSO, "
		       "credential_process, container, EC2 instance metadata) and says where they came from, asks "
		       "STS who they belong to, and shows the region and where it was set, any endpoint overrides, "
		       "the cache directory, and the bootstrap architectures this blambda carries.\n\n"
		       "Exits 3 when the credentials are missing, expired or rejected, and 2 when no region is "
		       "set, with a hint on what to do.",
	.pos = POS_NONE,
	.max_pos = 0,
	.flags = CMD_CONFIG,
	.examples = "blambda doctor\tcheck the default profile\n"
		    "blambda doctor --profile prod --json\tcheck another profile, as JSON",
	.exec = exec_doctor,
};
