/*
 * The keys of blambda.yml, described once (cfg_keys[]), and the checks of
 * their values: what a flag, a BLAMBDA_* variable and the file are all held to.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "core/region.h"
#include "core/xalloc.h"

/* ---- validators ---------------------------------------------------------- */

static int all_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

int config_check_function_name(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v || strlen(v) > 64 || !all_chars(v, "-_")) {
		buf_addf(why, "function name '%s' is not valid: Lambda allows 1 to 64 letters, digits, '-' and '_'", v);
		return -1;
	}
	return 0;
}

static int valid_symbol(const char *s, size_t len)
{
	if (!len || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)s[i]) || strchr("()[]{}\"';@^`~\\,", s[i]))
			return 0;
	return 1;
}

int config_check_handler(const char *key, const char *v, struct buf *why)
{
	const char *slash = strchr(v, '/');

	(void)key;
	if (!slash || strchr(slash + 1, '/') || !valid_symbol(v, (size_t)(slash - v)) ||
	    !valid_symbol(slash + 1, strlen(slash + 1))) {
		buf_addf(why, "handler must be NAMESPACE/FUNCTION, like 'hello/handler', got '%s'", v);
		return -1;
	}
	return 0;
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE -> the six fields, or -1 */
static int split_arn(const char *v, const char *f[6], size_t len[6])
{
	const char *p = v;

	for (int i = 0; i < 6; i++) {
		const char *c = i < 5 ? strchr(p, ':') : p + strlen(p);

		if (!c)
			return -1;
		f[i] = p;
		len[i] = (size_t)(c - p);
		p = c + (i < 5);
	}
	return strncmp(f[0], "arn", len[0]) || len[0] != 3 || strncmp(f[1], "aws", 3) ? -1 : 0;
}

static int check_role(const char *key, const char *v, struct buf *why)
{
	const char *f[6];
	size_t len[6];

	(void)key;
	if (split_arn(v, f, len) || len[2] != 3 || strncmp(f[2], "iam", 3) || len[3] != 0 ||
	    !digits(f[4], len[4]) || len[4] != 12 || strncmp(f[5], "role/", 5) || len[5] < 6) {
		buf_addf(why, "role must be an IAM role ARN like 'arn:aws:iam::123456789012:role/NAME', got '%s'", v);
		return -1;
	}
	return 0;
}

static int check_layer_arn(const char *key, const char *v, struct buf *why)
{
	const char *f[6];
	size_t len[6];
	const char *colon;

	(void)key;
	if (split_arn(v, f, len) || len[2] != 6 || strncmp(f[2], "lambda", 6) || !len[3] ||
	    !digits(f[4], len[4]) || strncmp(f[5], "layer:", 6) || !(colon = strrchr(f[5] + 6, ':')) ||
	    colon == f[5] + 6 || !digits(colon + 1, strlen(colon + 1))) {
		buf_addf(why, "layer must be a layer version ARN like "
			 "'arn:aws:lambda:eu-west-1:123456789012:layer:NAME:3', got '%s'", v);
		return -1;
	}
	return 0;
}

static int check_layer_name(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v || strlen(v) > 140 || !all_chars(v, "-_")) {
		buf_addf(why, "layer name '%s' is not valid: Lambda allows 1 to 140 letters, digits, '-' and '_'", v);
		return -1;
	}
	return 0;
}

/* A CORS origin: * or SCHEME://HOST[:PORT], as a browser sends it (no path) */
static int check_origin(const char *key, const char *v, struct buf *why)
{
	const char *host = strstr(v, "://");

	(void)key;
	if (!strcmp(v, "*"))
		return 0;
	if (host && host > v && host[3] && !strchr(host + 3, '/') &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz+.-") == (size_t)(host - v))
		return 0;
	buf_addf(why, "'%s' is not an origin: * or a scheme and host as a browser sends them, like https://example.com", v);
	return -1;
}

static int check_cors_method(const char *key, const char *v, struct buf *why)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*", NULL };

	(void)key;
	for (size_t i = 0; methods[i]; i++)
		if (!strcmp(v, methods[i]))
			return 0;
	buf_addf(why, "'%s' is not a method: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or *", v);
	return -1;
}

static int check_api_name(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v || strlen(v) > 128 || !all_chars(v, "-_.")) {
		buf_addf(why, "API name '%s' is not valid: 1 to 128 letters, digits, '-', '_' and '.'", v);
		return -1;
	}
	return 0;
}

static int check_description(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (strlen(v) > 256) {
		buf_addf(why, "description is %zu characters long; Lambda allows 256", strlen(v));
		return -1;
	}
	return 0;
}

static const char *const reserved_env[] = {
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", NULL,
};

static int check_env_entry(const char *key, const char *v, struct buf *why)
{
	(void)v;
	if (strlen(key) < 2 || !isalpha((unsigned char)key[0]) || !all_chars(key, "_")) {
		buf_addf(why, "environment variable name '%s' is not valid: Lambda wants a letter, "
			 "then letters, digits and '_'", key);
		return -1;
	}
	for (size_t i = 0; reserved_env[i]; i++) {
		if (!strcmp(key, reserved_env[i])) {
			buf_addf(why, "environment variable '%s' is reserved by Lambda", key);
			return -1;
		}
	}
	return 0;
}

/* Lambda's alias names: 1 to 128 letters, digits, '-' and '_', not all digits (that is a version) */
static int check_alias(const char *key, const char *v, struct buf *why)
{
	size_t n = strlen(v);

	(void)key;
	if (!n || n > 128 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n ||
	    strspn(v, "0123456789") == n) {
		buf_addf(why, "alias '%s' is not valid: 1 to 128 letters, digits, '-' and '_', not only digits", v);
		return -1;
	}
	return 0;
}

static int check_tag(const char *key, const char *v, struct buf *why)
{
	if (!*key || strlen(key) > 128) {
		buf_addf(why, "tag key '%s' must be 1 to 128 characters long", key);
		return -1;
	}
	if (!strncmp(key, "aws:", 4)) {
		buf_addf(why, "tag key '%s' uses the prefix 'aws:', which AWS reserves", key);
		return -1;
	}
	if (strlen(v) > 256) {
		buf_addf(why, "tag '%s' has a value longer than 256 characters", key);
		return -1;
	}
	return 0;
}

/* An account id (twelve digits), an organization id (o-, then 10 to 32 letters and digits) or * */
static int check_share(const char *key, const char *v, struct buf *why)
{
	size_t n = strlen(v);

	(void)key;
	if (!strcmp(v, "*") || (n == 12 && strspn(v, "0123456789") == 12) ||
	    (n >= 12 && n <= 34 && !strncmp(v, "o-", 2) && strspn(v + 2, "abcdefghijklmnopqrstuvwxyz0123456789") == n - 2))
		return 0;
	buf_addf(why, "'%s' is none of an account id (twelve digits), an organization id (o-...) and *", v);
	return -1;
}

static int check_region(const char *key, const char *v, struct buf *why)
{
	(void)key;
	return region_check(v, why);
}

static int check_url(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if ((strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) || !strchr(v, ':')[3]) {
		buf_addf(why, "'%s' is not an http:// or https:// URL", v);
		return -1;
	}
	return 0;
}

static int check_bucket(const char *key, const char *v, struct buf *why)
{
	size_t n = strlen(v);

	(void)key;
	if (n < 3 || n > 63 || !all_chars(v, ".-") || !isalnum((unsigned char)v[0]) ||
	    !isalnum((unsigned char)v[n - 1])) {
		buf_addf(why, "S3 bucket name '%s' is not valid: 3 to 63 lowercase letters, digits, '.' and '-'", v);
		return -1;
	}
	for (const char *p = v; *p; p++) {
		if (isupper((unsigned char)*p)) {
			buf_addf(why, "S3 bucket name '%s' must be lowercase", v);
			return -1;
		}
	}
	return 0;
}

static int check_bb_version(const char *key, const char *v, struct buf *why)
{
	const char *p = v;

	(void)key;
	for (int part = 0; part < 3; part++) {
		size_t n = strspn(p, "0123456789");

		if (!n || (part < 2 && p[n] != '.')) {
			p = NULL;
			break;
		}
		p += n + (part < 2);
	}
	if (!p || (*p && strcmp(p, "-SNAPSHOT"))) {
		buf_addf(why, "Babashka version must look like '1.13.219' or '1.13.220-SNAPSHOT', got '%s'", v);
		return -1;
	}
	return 0;
}

/* An EC2 id: PREFIX- then 8 or 17 hexadecimal digits (subnet-0abc..., sg-0abc...) */
static int ec2_id(const char *v, const char *prefix)
{
	size_t n = strlen(prefix), h;

	if (strncmp(v, prefix, n) || v[n] != '-')
		return 0;
	h = strspn(v + n + 1, "0123456789abcdef");
	return !v[n + 1 + h] && (h == 8 || h == 17);
}

static int check_subnet(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!ec2_id(v, "subnet")) {
		buf_addf(why, "'%s' is not a subnet id like 'subnet-0123456789abcdef0'", v);
		return -1;
	}
	return 0;
}

static int check_security_group(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!ec2_id(v, "sg")) {
		buf_addf(why, "'%s' is not a security group id like 'sg-0123456789abcdef0'", v);
		return -1;
	}
	return 0;
}

/* n characters of s, each a letter, a digit or one of `extra` */
static int chars_ok(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && (!s[i] || !strchr(extra, s[i])))
			return 0;
	return n > 0;
}

/* The resource of a destination ARN, as its service names it: 0, or -1 with the shape it must have in *shape */
static int destination_resource(const char *service, const char *r, size_t n, const char **shape)
{
	if (!strcmp(service, "s3")) {
		*shape = "a bucket (arn:aws:s3:::BUCKET)";
		return n >= 3 && n <= 63 && chars_ok(r, n, ".-") && isalnum((unsigned char)r[0]) &&
		       isalnum((unsigned char)r[n - 1]) ? 0 : -1;
	}
	if (!strcmp(service, "sqs")) {
		*shape = "a queue (arn:aws:sqs:REGION:ACCOUNT:NAME)";
		return n <= 80 && chars_ok(r, n, "_-.") ? 0 : -1;
	}
	if (!strcmp(service, "sns")) {
		*shape = "a topic (arn:aws:sns:REGION:ACCOUNT:NAME)";
		return n <= 256 && chars_ok(r, n, "_-.") ? 0 : -1;
	}
	if (!strcmp(service, "lambda")) {
		/* function:NAME or function:NAME:QUALIFIER */
		const char *q = n > 9 ? memchr(r + 9, ':', n - 9) : NULL;

		*shape = "a function (arn:aws:lambda:REGION:ACCOUNT:function:NAME)";
		if (n <= 9 || strncmp(r, "function:", 9))
			return -1;
		if (!q)
			return n - 9 <= 64 && chars_ok(r + 9, n - 9, "_-") ? 0 : -1;
		return (size_t)(q - r - 9) <= 64 && chars_ok(r + 9, (size_t)(q - r - 9), "_-") &&
		       chars_ok(q + 1, n - (size_t)(q + 1 - r), "_-$") ? 0 : -1;
	}
	*shape = "an event bus (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)";
	return n > 10 && n <= 266 && !strncmp(r, "event-bus/", 10) && chars_ok(r + 10, n - 10, "._-/") ? 0 : -1;
}

int config_check_destination(const char *which, const char *v, struct buf *why)
{
	static const char *const services[] = { "sqs", "sns", "lambda", "events", "s3", NULL };
	const char *f[6], *service = NULL, *shape = NULL;
	size_t len[6];
	struct buf region_why = BUF_INIT;
	int bad;

	if (!split_arn(v, f, len))
		for (size_t i = 0; services[i]; i++)
			if (len[2] == strlen(services[i]) && !strncmp(f[2], services[i], len[2]))
				service = services[i];
	if (!service) {
		buf_addf(why, "%s '%s' is not a destination ARN (an SQS queue, SNS topic, Lambda function, EventBridge "
			 "bus or S3 bucket)%s", which, v,
			 !strncmp(v, "https://sqs.", 12) ? ": that is a queue's URL; its ARN is arn:aws:sqs:REGION:ACCOUNT:NAME"
							  : "");
		return -1;
	}
	if (!strcmp(service, "s3") && !strcmp(which, "on-success")) {
		buf_addf(why, "on-success '%s' is an S3 bucket: Lambda sends only on-failure records to a bucket "
			 "(on-success takes an SQS queue, SNS topic, Lambda function or EventBridge bus)", v);
		return -1;
	}
	/* partition aws, aws-cn, aws-us-gov, ...; a region and an account, but for a bucket (which has neither) */
	bad = !chars_ok(f[1], len[1], "-") || destination_resource(service, f[5], len[5], &shape);
	if (!strcmp(service, "s3")) {
		bad |= len[3] || len[4];
	} else {
		char *region = xstrndup(f[3], len[3]);

		bad |= region_check(region, &region_why) || len[4] != 12 || !digits(f[4], len[4]);
		free(region);
	}
	buf_release(&region_why);
	if (bad) {
		buf_addf(why, "%s '", which);
		buf_add_printable(why, v, strlen(v) > 200 ? 200 : strlen(v), 0);
		buf_addf(why, "' is not the ARN of %s", shape);
		return -1;
	}
	if ((!strcmp(service, "sqs") || !strcmp(service, "sns")) && len[5] > 5 && !strncmp(f[5] + len[5] - 5, ".fifo", 5)) {
		buf_addf(why, "%s '%s' is a FIFO %s: Lambda sends records only to a standard one", which, v,
			 !strcmp(service, "sqs") ? "queue" : "topic");
		return -1;
	}
	return 0;
}

static int check_on_failure(const char *key, const char *v, struct buf *why)
{
	(void)key;
	return config_check_destination("on-failure", v, why);
}

static int check_on_success(const char *key, const char *v, struct buf *why)
{
	(void)key;
	return config_check_destination("on-success", v, why);
}

/* CloudWatch Logs' retention periods, in days */
static int check_retention(const char *key, const char *v, struct buf *why)
{
	static const char *const days[] = { "1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365",
					    "400", "545", "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653",
					    NULL };

	(void)key;
	for (size_t i = 0; days[i]; i++)
		if (!strcmp(v, days[i]))
			return 0;
	buf_addf(why, "log-retention %s is not one of CloudWatch Logs' periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
		 "180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days", v);
	return -1;
}

static int check_nonempty(const char *key, const char *v, struct buf *why)
{
	(void)key;
	if (!*v) {
		buf_adds(why, "value must not be empty");
		return -1;
	}
	return 0;
}

/* ---- the keys ------------------------------------------------------------ */

static const char *const runtimes[] = { "provided.al2023", "provided.al2", NULL };
static const char *const archs[] = { "x86_64", "arm64", NULL };
static const char *const url_auths[] = { "NONE", "AWS_IAM", NULL };
static const char *const booleans[] = { "true", "false", NULL };
static const char *const tracing_modes[] = { "passthrough", "active", NULL };
static const char *const tracing_aliases[] = { "PassThrough", "passthrough", "Active", "active", "on", "active",
						"off", "passthrough", NULL };
static const char *const arch_aliases[] = { "amd64", "x86_64", "x64", "x86_64", "aarch64", "arm64", NULL };

const struct cfg_key cfg_keys[CFG__COUNT] = {
	[CFG_FUNCTION_NAME] = { "function.name", CFG_STRING, "BLAMBDA_FUNCTION_NAME", NULL, 0, 0, NULL, NULL,
		config_check_function_name, "the Lambda function's name", NULL },
	[CFG_FUNCTION_HANDLER] = { "function.handler", CFG_STRING, "BLAMBDA_HANDLER", NULL, 0, 0, NULL, NULL,
		config_check_handler, "the handler function, NAMESPACE/FUNCTION", NULL },
	[CFG_FUNCTION_RUNTIME] = { "function.runtime", CFG_ENUM, "BLAMBDA_RUNTIME", "provided.al2023", 0, 0,
		runtimes, NULL, NULL, "the Lambda runtime the function runs on", NULL },
	[CFG_FUNCTION_ARCHITECTURE] = { "function.architecture", CFG_ENUM, "BLAMBDA_ARCH", "x86_64", 0, 0,
		archs, arch_aliases, NULL, "the instruction set the function and its layers are built for", NULL },
	[CFG_FUNCTION_MEMORY] = { "function.memory", CFG_INT, "BLAMBDA_MEMORY", "512", 128, 10240, NULL, NULL,
		NULL, "memory in MB", NULL },
	[CFG_FUNCTION_TIMEOUT] = { "function.timeout", CFG_INT, "BLAMBDA_TIMEOUT", "5", 1, 900, NULL, NULL,
		NULL, "timeout in seconds", NULL },
	[CFG_FUNCTION_ENVIRONMENT] = { "function.environment", CFG_MAP, NULL, NULL, 0, 0, NULL, NULL,
		check_env_entry, "environment variables of the function (a map, 4 KB at most)", NULL },
	[CFG_FUNCTION_ENVIRONMENT_FILE] = { "function.environment-file", CFG_STRING, "BLAMBDA_ENVIRONMENT_FILE", NULL,
		0, 0, NULL, NULL, check_nonempty,
		"a dotenv file of more variables (environment wins; values never shown)", NULL },
	[CFG_FUNCTION_SOURCE_PATHS] = { "function.source-paths", CFG_LIST, "BLAMBDA_SOURCE_PATHS", "src", 0, 0,
		NULL, NULL, check_nonempty, "directories whose contents form the function zip", NULL },
	[CFG_FUNCTION_ROLE] = { "function.role", CFG_STRING, "BLAMBDA_ROLE", NULL, 0, 0, NULL, NULL,
		check_role, "ARN of the execution role (created by deploy when unset)", NULL },
	[CFG_FUNCTION_POLICIES] = { "function.policies", CFG_TREE, NULL, NULL, 0, 0, NULL, NULL, NULL,
		"the made role's managed policy ARNs and statements {effect, actions, resources}",
		config_check_policies },
	[CFG_FUNCTION_EVENTS] = { "function.events", CFG_TREE, NULL, NULL, 0, 0, NULL, NULL, NULL,
		"triggers: schedule (EventBridge), sqs (a queue), stream (DynamoDB, Kinesis)", config_check_events },
	[CFG_FUNCTION_LAYERS] = { "function.layers", CFG_LIST, "BLAMBDA_LAYERS", NULL, 0, 0, NULL, NULL,
		check_layer_arn, "extra layer version ARNs to attach", NULL },
	[CFG_FUNCTION_DESCRIPTION] = { "function.description", CFG_STRING, "BLAMBDA_DESCRIPTION", NULL, 0, 0,
		NULL, NULL, check_description, "the function's description", NULL },
	[CFG_FUNCTION_TRACING] = { "function.tracing", CFG_ENUM, "BLAMBDA_TRACING", "passthrough", 0, 0,
		tracing_modes, tracing_aliases, NULL, "X-Ray tracing: passthrough or active", NULL },
	[CFG_FUNCTION_EPHEMERAL_STORAGE] = { "function.ephemeral-storage", CFG_INT, "BLAMBDA_EPHEMERAL_STORAGE", "512",
		512, 10240, NULL, NULL, NULL, "the size of /tmp in MB", NULL },
	[CFG_FUNCTION_RESERVED_CONCURRENCY] = { "function.reserved-concurrency", CFG_INT,
		"BLAMBDA_RESERVED_CONCURRENCY", NULL, 0, 1000000, NULL, NULL, NULL,
		"instances reserved, and the most at once (0 stops it; unset: none)", NULL },
	[CFG_FUNCTION_VPC_SUBNETS] = { "function.vpc.subnets", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL, check_subnet,
		"subnet ids the function runs in (with vpc.security-groups)", NULL },
	[CFG_FUNCTION_VPC_SECURITY_GROUPS] = { "function.vpc.security-groups", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		check_security_group, "security group ids of the function's network interfaces (with vpc.subnets)", NULL },
	[CFG_FUNCTION_ASYNC_MAX_RETRIES] = { "function.async.max-retries", CFG_INT, NULL, NULL, 0, 2, NULL, NULL, NULL,
		"retries of an asynchronous invocation that fails (Lambda's default: 2)", NULL },
	[CFG_FUNCTION_ASYNC_MAX_EVENT_AGE] = { "function.async.max-event-age", CFG_INT, NULL, NULL, 60, 21600, NULL, NULL,
		NULL, "seconds an asynchronous event may wait (Lambda's default: 21600)", NULL },
	[CFG_FUNCTION_ASYNC_ON_SUCCESS] = { "function.async.on-success", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL,
		check_on_success, "ARN of the queue, topic, function or bus a success's record goes to", NULL },
	[CFG_FUNCTION_ASYNC_ON_FAILURE] = { "function.async.on-failure", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL,
		check_on_failure, "ARN of the queue, topic, function, bus or bucket a failure's record goes to", NULL },
	[CFG_FUNCTION_LOG_RETENTION] = { "function.log-retention", CFG_INT, "BLAMBDA_LOG_RETENTION", NULL, 1, 3653, NULL,
		NULL, check_retention, "days its log group keeps logs: 1, 3, 5, 7, 14, 30, ... 3653 (unset: forever)", NULL },
	[CFG_FUNCTION_TAGS] = { "function.tags", CFG_MAP, NULL, NULL, 0, 0, NULL, NULL, check_tag,
		"tags put on the function (a map)", NULL },
	[CFG_FUNCTION_ALIAS] = { "function.alias", CFG_STRING, "BLAMBDA_ALIAS", NULL, 0, 0, NULL, NULL, check_alias,
		"an alias deploy points at the version it publishes (implies --publish)", NULL },
	[CFG_FUNCTION_URL_AUTH] = { "function.url.auth", CFG_ENUM, NULL, NULL, 0, 0, url_auths, NULL, NULL,
		"gives the function a URL: NONE (public) or AWS_IAM (signed requests)", NULL },
	[CFG_FUNCTION_URL_CORS_ORIGINS] = { "function.url.cors.allow-origins", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		NULL, "origins a browser may call the URL from", NULL },
	[CFG_FUNCTION_URL_CORS_METHODS] = { "function.url.cors.allow-methods", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		NULL, "HTTP methods allowed from those origins", NULL },
	[CFG_FUNCTION_URL_CORS_HEADERS] = { "function.url.cors.allow-headers", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		NULL, "request headers allowed from those origins", NULL },
	[CFG_FUNCTION_URL_CORS_MAX_AGE] = { "function.url.cors.max-age", CFG_INT, NULL, NULL, 0, 86400, NULL, NULL,
		NULL, "seconds a browser may keep the preflight answer", NULL },
	[CFG_FUNCTION_URL_CORS_CREDENTIALS] = { "function.url.cors.allow-credentials", CFG_ENUM, NULL, NULL, 0, 0,
		booleans, NULL, NULL, "whether cookies and credentials go with cross-origin calls", NULL },
	[CFG_BABASHKA_VERSION] = { "babashka.version", CFG_STRING, "BLAMBDA_BB_VERSION", "1.13.219", 0, 0, NULL,
		NULL, check_bb_version, "the Babashka release in the runtime layer", NULL },
	[CFG_BABASHKA_MIRROR] = { "babashka.mirror", CFG_STRING, "BLAMBDA_BABASHKA_URL",
		"https://github.com/babashka/babashka/releases/download", 0, 0, NULL, NULL, check_url,
		"base URL of the Babashka release downloads", NULL },
	[CFG_LAYERS_RUNTIME] = { "layers.runtime", CFG_STRING, "BLAMBDA_RUNTIME_LAYER", "blambda", 0, 0, NULL,
		NULL, check_layer_name, "name of the runtime layer", NULL },
	[CFG_LAYERS_DEPS] = { "layers.deps", CFG_STRING, "BLAMBDA_DEPS_LAYER", NULL, 0, 0, NULL, NULL,
		check_layer_name, "name of the dependencies layer (default: FUNCTION-deps)", NULL },
	[CFG_LAYERS_SHARE] = { "layers.share", CFG_LIST, "BLAMBDA_LAYERS_SHARE", NULL, 0, 0, NULL, NULL, check_share,
		"accounts, an organization (o-...) or * that may use blambda's layer versions", NULL },
	[CFG_HTTP_API_NAME] = { "http-api.name", CFG_STRING, "BLAMBDA_HTTP_API", NULL, 0, 0, NULL, NULL,
		check_api_name, "the HTTP API of the http routes (default: the function's name)", NULL },
	[CFG_HTTP_API_CORS_ORIGINS] = { "http-api.cors.allow-origins", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL, check_origin,
		"origins a browser may call the HTTP API from", NULL },
	[CFG_HTTP_API_CORS_METHODS] = { "http-api.cors.allow-methods", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL,
		check_cors_method,
		"HTTP methods allowed from those origins", NULL },
	[CFG_HTTP_API_CORS_HEADERS] = { "http-api.cors.allow-headers", CFG_LIST, NULL, NULL, 0, 0, NULL, NULL, NULL,
		"request headers allowed from those origins", NULL },
	[CFG_HTTP_API_CORS_MAX_AGE] = { "http-api.cors.max-age", CFG_INT, NULL, NULL, 0, 86400, NULL, NULL, NULL,
		"seconds a browser may keep the preflight answer", NULL },
	[CFG_HTTP_API_CORS_CREDENTIALS] = { "http-api.cors.allow-credentials", CFG_ENUM, NULL, NULL, 0, 0, booleans,
		NULL, NULL, "whether cookies and credentials go with cross-origin calls", NULL },
	[CFG_DEPS_FILE] = { "deps-file", CFG_STRING, "BLAMBDA_DEPS_FILE", "bb.edn", 0, 0, NULL, NULL,
		check_nonempty, "the file declaring the function's dependencies", NULL },
	[CFG_AWS_REGION] = { "aws.region", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL, check_region,
		"AWS region (after --region, AWS_REGION, AWS_DEFAULT_REGION and the profile's)", NULL },
	[CFG_AWS_REGIONS] = { "aws.regions", CFG_LIST, "BLAMBDA_REGIONS", NULL, 0, 0, NULL, NULL, check_region,
		"regions deploy, destroy, status, diff work in (after --region)", NULL },
	[CFG_AWS_PROFILE] = { "aws.profile", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL, check_nonempty,
		"AWS profile (after --profile and AWS_PROFILE)", NULL },
	[CFG_AWS_ENDPOINT_URL] = { "aws.endpoint-url", CFG_STRING, NULL, NULL, 0, 0, NULL, NULL, check_url,
		"endpoint for every AWS service (after --endpoint-url and AWS_ENDPOINT_URL*)", NULL },
	[CFG_AWS_S3_BUCKET] = { "aws.s3-bucket", CFG_STRING, "BLAMBDA_S3_BUCKET", NULL, 0, 0, NULL, NULL,
		check_bucket, "S3 bucket for artifacts too large to upload directly", NULL },
};

int config_key_index(const char *key)
{
	for (int i = 0; i < CFG__COUNT; i++)
		if (!strcmp(cfg_keys[i].key, key))
			return i;
	return -1;
}

const char *config_key_leaf(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? dot + 1 : key;
}

